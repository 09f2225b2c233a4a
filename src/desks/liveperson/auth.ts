import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import { ParleyError } from '../../core/errors.js';
import { VendorHttp } from '../../vendor/http-client.js';
import { vendorPath } from '../../vendor/path.js';
import type { RateBudget } from '../../vendor/rate-budget.js';
import { TokenCache } from '../../vendor/token-cache.js';
import { clientSecrets, type LivePersonSettings } from './settings.js';

// LivePerson's three steps before any Connector API call (vendor-protocols §4.1–4.2), each cached:
// - CSDS: which host serves each service for the account (`asyncMessagingEnt`, `sentinel`, `idp`, `swift`),
//   kept for `domainsTtlMs` and asked again after (hosts move rarely; a 404 or 5xx from a stale host is
//   retried by the outbox, by which time the next lookup may have moved on);
// - the AppJWT from Sentinel by client credentials: one per instance in a TokenCache, refreshed ahead of
//   expiry, sent bare in `Authorization` as LivePerson's docs show;
// - a ConsumerJWS from the IdP per customer, for a stable `ext_consumer_id` (the same customer is the same
//   LivePerson consumer every time), cached per customer and dropped when LivePerson refuses it.
// None of the tokens is ever logged (VendorHttp redacts credential headers and known secret values).

export type LpService = 'asyncMessagingEnt' | 'sentinel' | 'idp' | 'swift';

const BaseUris = z.looseObject({ baseURIs: z.array(z.looseObject({ service: z.string().max(100), baseURI: z.string().max(300) })).max(1000) });
/** A host, optionally with a port: what CSDS hands out (never a path or a scheme). */
const HOST = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/;
const AppToken = z.looseObject({ access_token: z.string().min(1), expires_in: z.coerce.number().positive().optional() });
const ConsumerToken = z.looseObject({ token: z.string().min(1) });
/** AppJWTs live an hour unless LivePerson says otherwise. */
const DEFAULT_APP_JWT_SEC = 3600;
const MAX_CONSUMERS = 10_000;

export interface LpAuthDeps {
  name: string;
  settings: LivePersonSettings;
  log: FastifyBaseLogger;
  budget: RateBudget;
}

export class LivePersonAuth {
  readonly appJwt: TokenCache;
  private readonly csds: VendorHttp;
  private domains: { until: number; hosts: Map<string, string> } | undefined;
  private lookup: Promise<Map<string, string>> | undefined;
  private readonly clients = new Map<string, VendorHttp>();
  private readonly consumers = new Map<string, Promise<string>>();

  constructor(private readonly d: LpAuthDeps) {
    const { settings } = d;
    this.csds = new VendorHttp({ name: d.name, baseUrl: settings.csdsUrl, attemptTimeoutMs: settings.attemptTimeoutMs, totalTimeoutMs: settings.totalTimeoutMs, log: d.log });
    this.appJwt = new TokenCache({
      name: d.name,
      scheme: '',
      log: d.log,
      fetchToken: async (signal) => {
        const sentinel = await this.client('sentinel', false);
        const res = await sentinel.request({
          method: 'POST',
          path: vendorPath`/sentinel/api/account/${settings.accountId}/app/token`,
          query: { v: '1.0', grant_type: 'client_credentials' },
          form: { client_id: settings.clientId, client_secret: clientSecrets(settings)[0]! },
          auth: false,
          idempotent: true,
          signal,
          schema: AppToken,
          operation: 'appJwt',
        });
        return { token: res.body.access_token, expiresInSec: res.body.expires_in ?? DEFAULT_APP_JWT_SEC };
      },
    });
  }

  /** The Connector API client of a service's host (`auth`: with the AppJWT). */
  async client(service: LpService, auth = true): Promise<VendorHttp> {
    const host = await this.host(service);
    const base = `${new URL(this.d.settings.csdsUrl).protocol}//${host}`;
    const key = `${base}|${auth}`;
    let c = this.clients.get(key);
    if (!c) {
      const { settings } = this.d;
      c = new VendorHttp({
        name: this.d.name,
        baseUrl: base,
        attemptTimeoutMs: settings.attemptTimeoutMs,
        totalTimeoutMs: settings.totalTimeoutMs,
        log: this.d.log,
        ...(auth ? { auth: this.appJwt, budget: this.d.budget } : {}),
        // LivePerson's guidance: after a 429 wait at least a second; 5xx back off (the outbox continues the backoff).
        baseDelayMs: 1_000,
        maxDelayMs: 5_000,
      });
      this.clients.set(key, c);
    }
    return c;
  }

  /** The ConsumerJWS of a customer (`ext_consumer_id`), fetched once and shared by concurrent callers. */
  consumerJws(extConsumerId: string, signal?: AbortSignal): Promise<string> {
    let p = this.consumers.get(extConsumerId);
    if (!p) {
      p = this.fetchConsumer(extConsumerId, signal);
      // A failed fetch is not cached: the next call asks again.
      p.catch(() => this.consumers.delete(extConsumerId));
      if (this.consumers.size >= MAX_CONSUMERS) this.consumers.delete(this.consumers.keys().next().value!);
      this.consumers.set(extConsumerId, p);
    }
    return p;
  }

  /** LivePerson refused a token: the customer's JWS and the AppJWT are fetched again on the next call. */
  refused(extConsumerId: string, appJwt: string | undefined): void {
    this.consumers.delete(extConsumerId);
    this.appJwt.invalidate(appJwt);
  }

  private async fetchConsumer(extConsumerId: string, signal?: AbortSignal): Promise<string> {
    const idp = await this.client('idp');
    const res = await idp.request({
      method: 'POST',
      path: vendorPath`/api/account/${this.d.settings.accountId}/consumer`,
      query: { v: '1.0' },
      json: { ext_consumer_id: extConsumerId },
      // The same ext_consumer_id is the same consumer: asking twice changes nothing.
      idempotent: true,
      schema: ConsumerToken,
      operation: 'consumerJws',
      ...(signal ? { signal } : {}),
    });
    return res.body.token;
  }

  private async host(service: LpService): Promise<string> {
    const now = Date.now();
    let hosts = this.domains && now < this.domains.until ? this.domains.hosts : undefined;
    if (!hosts) {
      this.lookup ??= this.discover().finally(() => (this.lookup = undefined));
      hosts = await this.lookup;
    }
    const host = hosts.get(service);
    if (!host) throw new ParleyError('DELIVERY_REJECTED', `LivePerson names no ${service} host for account ${this.d.settings.accountId}.`, { details: { vendor: 'liveperson', service } });
    return host;
  }

  private async discover(): Promise<Map<string, string>> {
    const res = await this.csds.request({
      path: vendorPath`/api/account/${this.d.settings.accountId}/service/baseURI.json`,
      query: { version: '1.0' },
      schema: BaseUris,
      accept: [404],
      operation: 'csds',
    });
    if (res.status === 404) throw new ParleyError('DELIVERY_REJECTED', `LivePerson knows no account ${this.d.settings.accountId} (CSDS 404).`, { details: { vendor: 'liveperson' } });
    const hosts = new Map<string, string>();
    for (const b of res.body.baseURIs) if (HOST.test(b.baseURI)) hosts.set(b.service, b.baseURI);
    this.domains = { until: Date.now() + this.d.settings.domainsTtlMs, hosts };
    return hosts;
  }
}
