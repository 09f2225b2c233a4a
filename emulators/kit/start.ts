// `startEmulator`: wires the shared pieces (server, request log, faults, webhook sender, control API)
// around one vendor's routes and returns `{ url, close(), credentials }`.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { KIT_CONTROL_DOCS, kitControlRoutes, type ControlDoc } from './control.js';
import { Faults, seededRandom, type FaultRuleInput } from './faults.js';
import type { Ctx, Reply, Route } from './http.js';
import { RequestLog } from './request-log.js';
import { EmulatorServer, type VendorErrors } from './server.js';
import { WebhookSender, type RetryPolicy } from './webhooks.js';

/** The shared machinery a vendor builds on. `baseUrl` is known once the server listens. */
export interface Kit {
  readonly faults: Faults;
  readonly requestLog: RequestLog;
  readonly webhooks: WebhookSender;
  baseUrl: string;
}

export interface VendorParts<C> {
  routes: Route[];
  errors: VendorErrors;
  credentials: C;
  /** Shown by GET /__control and printed at start. */
  summary(): Record<string, unknown>;
  controlDocs: ControlDoc[];
  /** Back to the starting state (keeping credentials); faults and logs are cleared by the kit. */
  reset(): void;
  onUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;
  decorate?: (ctx: Ctx, reply: Reply) => void;
  close?(): Promise<void> | void;
}

export interface StartOptions<C> {
  port?: number;
  /** Default 127.0.0.1: an emulator has no business listening on other interfaces unless asked. */
  host?: string;
  /** Seed for fault shares, so "30% of requests" fails the same ones on every run. */
  seed?: number;
  faults?: FaultRuleInput[];
  maxBodyBytes?: number;
  retryPolicy: () => RetryPolicy;
  vendor: (kit: Kit) => VendorParts<C>;
}

/** What every emulator's start function takes besides its vendor's own options, and hands to startEmulator. */
export type ServerOptions = Pick<StartOptions<unknown>, 'port' | 'host' | 'seed' | 'faults'>;

/** The server options among an emulator's options, the absent ones left out (exactOptionalPropertyTypes). */
export function serverOptions(opts: ServerOptions): ServerOptions {
  return {
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.host !== undefined ? { host: opts.host } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.faults ? { faults: opts.faults } : {}),
  };
}

/** The retry policy of an emulator whose webhooks are SNS topics' (each with SNS's delivery policy): the kit's sender is unused. */
export const noKitWebhooks = (): RetryPolicy => ({ timeoutMs: 15_000, delaysMs: [], retryOn: () => false });

export interface RunningEmulator<C> {
  name: string;
  url: string;
  credentials: C;
  kit: Kit;
  summary(): Record<string, unknown>;
  close(): Promise<void>;
}

export async function startEmulator<C>(name: string, opts: StartOptions<C>): Promise<RunningEmulator<C>> {
  const kit: Kit = {
    faults: new Faults(opts.seed === undefined ? Math.random : seededRandom(opts.seed)),
    requestLog: new RequestLog(),
    webhooks: new WebhookSender(opts.retryPolicy),
    baseUrl: '',
  };
  for (const rule of opts.faults ?? []) kit.faults.add(rule);
  const vendor = opts.vendor(kit);
  const summary = (): Record<string, unknown> => ({ emulator: name, url: kit.baseUrl, credentials: vendor.credentials, ...vendor.summary() });
  const control = kitControlRoutes({
    faults: kit.faults,
    requestLog: kit.requestLog,
    webhooks: kit.webhooks,
    summary,
    docs: [...KIT_CONTROL_DOCS, ...vendor.controlDocs],
    reset: () => {
      kit.faults.clear();
      kit.requestLog.clear();
      kit.webhooks.clear();
      vendor.reset();
    },
  });
  const server = new EmulatorServer({
    routes: [...control, ...vendor.routes],
    errors: vendor.errors,
    faults: kit.faults,
    requestLog: kit.requestLog,
    ...(opts.maxBodyBytes === undefined ? {} : { maxBodyBytes: opts.maxBodyBytes }),
    ...(vendor.onUpgrade ? { onUpgrade: vendor.onUpgrade } : {}),
    ...(vendor.decorate ? { decorate: vendor.decorate } : {}),
  });
  const host = opts.host ?? '127.0.0.1';
  const address = await server.listen(opts.port ?? 0, host);
  // A wildcard bind is reachable on loopback; URLs handed out (media, connectUri) must be usable.
  const unspecified = address.address === '0.0.0.0' || address.address === '::';
  const shownHost = unspecified ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  kit.baseUrl = `http://${shownHost}:${address.port}`;
  return {
    name,
    url: kit.baseUrl,
    credentials: vendor.credentials,
    kit,
    summary,
    async close() {
      kit.webhooks.close();
      await vendor.close?.();
      await server.close();
    },
  };
}
