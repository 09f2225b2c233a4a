import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { SCOPES, type Scope } from '../../src/http/auth.js';
import { agent, startServer, type Res, type TestServer } from '../helpers/server.js';

// The world the access matrix runs in: one server, one caller of every kind (the principals), and the
// fixtures a row's request points at (a conversation waiting in a queue, one assigned to an agent, an offer,
// an upload, an agent account, an API key, a canned response). Also how one cell is sent: over HTTP, as a
// WebSocket or SSE connect, or as one inbound WebSocket frame.

export const METRICS_TOKEN = 'metrics-scrape-token-for-the-access-matrix-0123456789';
const PASSWORD = 'password123';

export type KeyPrincipal = `key:${Scope}`;
export type PrincipalId =
  | 'anonymous'
  | 'customerA'
  | 'customerB'
  | 'agentInQueue'
  | 'agentOutside'
  | 'agentDemoted'
  | 'agentDisabled'
  | 'agentRevoked'
  | 'admin'
  | KeyPrincipal
  | 'expiredCustomer'
  | 'expiredAgent'
  | 'adminQueryToken'
  | 'metricsToken';

/** Every caller, in the order cells are listed. One API key per scope the server knows (SCOPES). */
export const PRINCIPALS: readonly PrincipalId[] = [
  'anonymous',
  'customerA',
  'customerB',
  'agentInQueue',
  'agentOutside',
  'agentDemoted',
  'agentDisabled',
  'agentRevoked',
  'admin',
  ...SCOPES.map((s): KeyPrincipal => `key:${s}`),
  'expiredCustomer',
  'expiredAgent',
  // The admin's own valid token, but in ?token= instead of the Authorization header: only the stream reads it.
  'adminQueryToken',
  // The value of PARLEY_METRICS_TOKEN as a bearer: good for /metrics only.
  'metricsToken',
];

export interface Customer {
  token: string;
  contactId: string;
}

/** What a row's request points at. `owner` is "customer A" for the cell: the contact that owns it all. */
export interface Fixture {
  owner: Customer;
  conversationId: string;
  offerId?: string;
  media?: { id: string; path: string };
  agentId?: string;
  keyId?: string;
  cannedId?: string;
  deliveryId?: string;
  /** A redacted customer message whose original is kept (see redacted()). */
  eventId?: string;
}

export interface Cred {
  bearer?: string;
  queryToken?: string;
}

export interface HttpReq {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  raw?: Buffer;
  contentType?: string;
}

/** The 8-byte PNG signature and a little more: what /v1/media sniffs for image/png. */
export const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('matrix-test-bytes')]);

const nowS = () => Math.floor(Date.now() / 1000);

export class World {
  private counter = 0;
  private readonly cache = new Map<string, Promise<Fixture>>();

  private constructor(
    readonly ts: TestServer,
    readonly keys: Record<Scope, string>,
    readonly queues: { inQueue: { id: string; name: string }; outside: { id: string; name: string } },
    readonly agents: Record<'admin' | 'agentInQueue' | 'agentOutside' | 'agentDemoted' | 'agentDisabled' | 'agentRevoked' | 'login', { id: string; token: string; email: string }>,
    readonly customerB: Customer,
    readonly proactiveTarget: Customer,
    private readonly fixed: Partial<Record<PrincipalId, Cred>>,
  ) {}

  static async create(): Promise<World> {
    // The switchboard: web → inbox as by default, plus a Genesys desk instance, so its webhook has a row too
    // (no route sends conversations to it, and it never calls out: end detection off, host unreachable).
    const configDir = mkdtempSync(join(tmpdir(), 'parley-matrix-'));
    const configFile = join(configDir, 'parley.config.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        channels: {
          web: { type: 'web' },
          // A Twilio SMS channel, so its webhook has a row too (it never calls out: the API host is unreachable).
          sms: { type: 'twilio-sms', accountSid: `AC${'0'.repeat(32)}`, authToken: 'matrix-twilio-token', from: '+15005550006', webhookUrl: 'https://parley.example/webhooks/twilio-sms/sms', apiBaseUrl: 'http://127.0.0.1:9' },
          // An AWS SMS channel, so its SNS endpoint has a row too (it never calls out: the API host is unreachable, and
          // forged messages are refused before any certificate is fetched).
          awssms: {
            type: 'aws-sms',
            region: 'us-east-1',
            endpoint: 'http://127.0.0.1:9',
            originationIdentity: '+15005550007',
            topicArn: 'arn:aws:sns:us-east-1:123456789012:matrix-two-way',
            accessKeyId: 'AKIAMATRIX0000000000',
            secretAccessKey: 'matrix-aws-secret',
          },
          // Meta's two channels, so both routes of each webhook (the GET handshake, the POST of events) have rows
          // (they never call out: the Graph API is unreachable, and forged requests are refused before anything).
          fb: {
            type: 'messenger',
            pageId: '100200300400500',
            pageAccessToken: 'matrix-messenger-page-token',
            appSecret: 'matrix-meta-app-secret',
            verifyToken: 'matrix-messenger-verify-token',
            graphApiBaseUrl: 'http://127.0.0.1:9',
          },
          wa: {
            type: 'whatsapp',
            phoneNumberId: '106540352242922',
            accessToken: 'matrix-whatsapp-access-token',
            appSecret: 'matrix-meta-app-secret',
            verifyToken: 'matrix-whatsapp-verify-token',
            graphApiBaseUrl: 'http://127.0.0.1:9',
          },
        },
        desks: {
          inbox: { type: 'inbox' },
          gc: { type: 'genesys', host: 'http://127.0.0.1:9', clientId: 'matrix', clientSecret: 'matrix', integrationId: 'matrix', webhookSecret: 'matrix-webhook-secret', endDetection: 'none' },
          // An Amazon Connect desk, so its SNS endpoint has a row too (no route uses it; its APIs are unreachable).
          cc: {
            type: 'connect',
            region: 'us-east-1',
            endpoint: 'http://127.0.0.1:9',
            instanceId: 'matrix',
            contactFlowId: 'matrix',
            topicArn: 'arn:aws:sns:us-east-1:123456789012:matrix-connect-stream',
            credentials: { accessKeyId: 'AKIAMATRIX0000000001', secretAccessKey: 'matrix-aws-secret' },
          },
          // A LivePerson desk, so its webhook has a row too (no route uses it; it never calls out: its domain API is
          // a closed port).
          lp: { type: 'liveperson', accountId: '12345678', clientId: 'matrix-lp-client', clientSecret: 'matrix-lp-client-secret', csdsUrl: 'http://127.0.0.1:9' },
        },
        routes: [
          // Conversations opened on this entry point have their customers' personal data masked, originals kept
          // for admins: the original's route has a row too.
          { channel: 'web', entryPoint: 'matrix-pii', desk: 'inbox', redact: { original: 'admins' } },
          { channel: 'web', desk: 'inbox' },
          { channel: 'sms', desk: 'inbox' },
          { channel: 'awssms', desk: 'inbox' },
          { channel: 'fb', desk: 'inbox' },
          { channel: 'wa', desk: 'inbox' },
        ],
      }),
    );
    const ts = await startServer({
      env: { PARLEY_RATE_LIMIT_AUTH: '100000', PARLEY_RATE_LIMIT_SESSIONS: '100000', PARLEY_METRICS_TOKEN: METRICS_TOKEN, PARLEY_CONFIG: configFile },
    });
    try {
      const must = (r: Res, status: number, what: string): Res => {
        if (r.status !== status) throw new Error(`matrix set-up: ${what} → ${r.status} ${JSON.stringify(r.body)}`);
        return r;
      };
      const admin = await agent(ts, { role: 'admin', name: 'Admin', capacity: 1000 });
      const keys = {} as Record<Scope, string>;
      for (const scope of SCOPES) {
        keys[scope] = must(await ts.api.post('/v1/admin/api-keys', { name: `matrix ${scope}`, scopes: [scope] }, admin.token), 201, `key ${scope}`).body.apiKey.key;
      }
      const queue = async (name: string) => must(await ts.api.post('/v1/admin/queues', { name, assignment: 'manual' }, keys.admin), 201, `queue ${name}`).body.queue as { id: string; name: string };
      const queues = { inQueue: await queue('matrix-in'), outside: await queue('matrix-outside') };
      const agentInQueue = await agent(ts, { name: 'In queue', queues: [queues.inQueue.id], capacity: 1000 });
      const agentOutside = await agent(ts, { name: 'Outside', queues: [queues.outside.id], capacity: 1000 });
      // Created as an admin and logged in as one; demoted afterwards: the token in hand must act as a plain agent.
      const agentDemoted = await agent(ts, { name: 'Demoted', role: 'admin', capacity: 1000 });
      must(await ts.api.req('PATCH', `/v1/admin/agents/${agentDemoted.id}`, { token: admin.token, body: { role: 'agent' } }), 200, 'demote');
      const agentDisabled = await agent(ts, { name: 'Disabled', queues: [queues.inQueue.id], capacity: 1000 });
      must(await ts.api.req('PATCH', `/v1/admin/agents/${agentDisabled.id}`, { token: admin.token, body: { disabled: true } }), 200, 'disable');
      const agentRevoked = await agent(ts, { name: 'Revoked', queues: [queues.inQueue.id], capacity: 1000 });
      must(await ts.api.req('PATCH', `/v1/admin/agents/${agentRevoked.id}`, { token: admin.token, body: { password: 'a-new-password-456' } }), 200, 'password change');
      const login = await agent(ts, { name: 'Login' });
      const customerB = await ts.api.customer();
      const proactiveTarget = await ts.api.customer();

      const key = new TextEncoder().encode(ts.config.tokenSigningKey);
      const expired = (claims: Record<string, unknown>, sub: string) =>
        new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt(nowS() - 7200).setExpirationTime(nowS() - 60).sign(key);

      const fixed: Partial<Record<PrincipalId, Cred>> = {
        anonymous: {},
        customerB: { bearer: customerB.token },
        agentInQueue: { bearer: agentInQueue.token },
        agentOutside: { bearer: agentOutside.token },
        agentDemoted: { bearer: agentDemoted.token },
        agentDisabled: { bearer: agentDisabled.token },
        agentRevoked: { bearer: agentRevoked.token },
        admin: { bearer: admin.token },
        expiredCustomer: { bearer: await expired({ typ: 'customer' }, customerB.contactId) },
        expiredAgent: { bearer: await expired({ typ: 'agent', role: 'admin' }, admin.id) },
        adminQueryToken: { queryToken: admin.token },
        metricsToken: { bearer: METRICS_TOKEN },
      };
      for (const scope of SCOPES) fixed[`key:${scope}`] = { bearer: keys[scope] };
      const w = new World(ts, keys, queues, { admin, agentInQueue, agentOutside, agentDemoted, agentDisabled, agentRevoked, login }, customerB, proactiveTarget, fixed);
      // The expired customer token names customer A (the owner of the shared conversation).
      w.fixed.expiredCustomer = { bearer: await expired({ typ: 'customer' }, (await w.waiting()).owner.contactId) };
      return w;
    } catch (e) {
      await ts.stop();
      throw e;
    }
  }

  stop(): Promise<void> {
    return this.ts.stop();
  }

  /** A value no other cell used (client message ids, e-mails, names). */
  uniq(prefix: string): string {
    return `${prefix}-${++this.counter}-${Math.random().toString(36).slice(2, 7)}`;
  }

  cred(p: PrincipalId, fx: Fixture): Cred {
    if (p === 'customerA') return { bearer: fx.owner.token };
    const c = this.fixed[p];
    if (!c) throw new Error(`no credential for ${p}`);
    return c;
  }

  /** One fixture per name, built on first use. `invalidate` drops it (a cell changed it when it should not). */
  shared(name: string, build: () => Promise<Fixture>): Promise<Fixture> {
    let f = this.cache.get(name);
    if (!f) {
      f = build();
      this.cache.set(name, f);
      f.catch(() => this.cache.delete(name));
    }
    return f;
  }

  has(name: string): boolean {
    return this.cache.has(name);
  }

  invalidate(name: string): void {
    this.cache.delete(name);
  }

  /** The digest taken after the last refused cell, and whose row it was (see runCell). */
  lastDigest: { row: string; digest: Record<string, unknown[]> } | undefined;

  private async must(r: Promise<Res>, status: number | number[], what: string): Promise<Res> {
    const res = await r;
    if (!(Array.isArray(status) ? status : [status]).includes(res.status)) throw new Error(`fixture: ${what} → ${res.status} ${JSON.stringify(res.body)}`);
    return res;
  }

  // ---- fixtures ---------------------------------------------------------------------------------------

  /** The shared conversation: a fresh customer A's, waiting in the in-queue (manual), with one message. */
  waiting(): Promise<Fixture> {
    return this.shared('waiting', () => this.newWaiting());
  }

  /** The shared conversation assigned to the agent in the queue (active). */
  assigned(): Promise<Fixture> {
    return this.shared('assigned', () => this.newAssigned('agentInQueue'));
  }

  /** The shared conversation taken by the admin: no longer waiting, so the in-queue agent no longer sees it. */
  assignedElsewhere(): Promise<Fixture> {
    return this.shared('assignedElsewhere', () => this.newAssigned('admin'));
  }

  async newWaiting(): Promise<Fixture> {
    const owner = await this.ts.api.customer();
    const open = await this.must(this.ts.api.post('/v1/conversations', { queue: this.queues.inQueue.name }, owner.token), 201, 'open conversation');
    const conversationId = open.body.conversation.id as string;
    await this.must(this.ts.api.post(`/v1/conversations/${conversationId}/messages`, { clientMessageId: this.uniq('fx'), text: 'hello' }, owner.token), 201, 'first message');
    return { owner, conversationId };
  }

  async newAssigned(by: 'agentInQueue' | 'admin'): Promise<Fixture> {
    const fx = await this.newWaiting();
    await this.must(this.ts.api.post(`/v1/agent/conversations/${fx.conversationId}/accept`, undefined, this.agents[by].token), 200, `accept by ${by}`);
    return fx;
  }

  /** An unacknowledged offer pushed to customer A. */
  async newOffer(): Promise<Fixture> {
    const fx = await this.waiting();
    const r = await this.must(this.ts.api.post('/v1/offers', { contactId: fx.owner.contactId, type: 'text', content: 'Ten percent off' }, this.keys.admin), 201, 'offer');
    return { ...fx, offerId: r.body.offer.id };
  }

  /** An upload of customer A's, and its signed URL (path and query). */
  async newMedia(): Promise<Fixture> {
    const fx = await this.waiting();
    const r = await this.must(this.ts.api.req('POST', '/v1/media', { token: fx.owner.token, raw: PNG, contentType: 'image/png' }), 201, 'upload');
    const u = new URL(r.body.media.url as string);
    return { ...fx, media: { id: r.body.media.id, path: u.pathname + u.search } };
  }

  /** A fresh agent account (through the API, with the admin key). */
  async newAgent(role: 'agent' | 'admin'): Promise<Fixture> {
    const fx = await this.waiting();
    const r = await this.must(
      this.ts.api.post('/v1/admin/agents', { email: `${this.uniq('target')}@example.com`, name: 'Target', password: PASSWORD, role }, this.keys.admin),
      201,
      'target agent',
    );
    return { ...fx, agentId: r.body.agent.id };
  }

  /** A fresh API key with a scope every key-writing caller holds or not: conversations:read. */
  async newKey(): Promise<Fixture> {
    const fx = await this.waiting();
    const r = await this.must(this.ts.api.post('/v1/admin/api-keys', { name: this.uniq('revokable'), scopes: ['conversations:read'] }, this.keys.admin), 201, 'key');
    return { ...fx, keyId: r.body.apiKey.id };
  }

  async newCanned(): Promise<Fixture> {
    const fx = await this.waiting();
    const r = await this.must(this.ts.api.post('/v1/admin/canned-responses', { shortcut: this.uniq('c'), text: 'Thanks for waiting.' }, this.keys.admin), 201, 'canned');
    return { ...fx, cannedId: r.body.cannedResponse.id };
  }

  /** A conversation of customer A's on the PII route, waiting in the in-queue, whose first message was redacted. */
  redacted(): Promise<Fixture> {
    return this.shared('redacted', async () => {
      const owner = await this.ts.api.customer();
      const open = await this.must(this.ts.api.post('/v1/conversations', { queue: this.queues.inQueue.name, entryPoint: 'matrix-pii' }, owner.token), 201, 'open PII conversation');
      const conversationId = open.body.conversation.id as string;
      const sent = await this.must(this.ts.api.post(`/v1/conversations/${conversationId}/messages`, { clientMessageId: this.uniq('fx'), text: 'card 4111 1111 1111 1111' }, owner.token), 201, 'redacted message');
      if (!sent.body.event.redacted) throw new Error('fixture: the PII route did not redact the message');
      return { owner, conversationId, eventId: sent.body.event.id as string };
    });
  }

  /** A delivery of the shared conversation (retrying one that did not fail changes nothing). */
  async delivery(): Promise<Fixture> {
    const fx = await this.waiting();
    const row = await this.ts.server.database.db.selectFrom('deliveries').select('id').where('conversation_id', '=', fx.conversationId).executeTakeFirst();
    if (!row) throw new Error('fixture: the shared conversation has no delivery');
    return { ...fx, deliveryId: row.id };
  }

  // ---- sending ----------------------------------------------------------------------------------------

  http(req: HttpReq, cred: Cred): Promise<Res> {
    let path = req.path;
    if (cred.queryToken) path += `${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(cred.queryToken)}`;
    return this.ts.api.req(req.method, path, {
      ...(cred.bearer ? { token: cred.bearer } : {}),
      ...(req.raw ? { raw: req.raw, contentType: req.contentType ?? 'application/octet-stream' } : req.body !== undefined ? { body: req.body } : {}),
    });
  }

  /** GET /v1/stream as Server-Sent Events: the status, and the error body when refused. */
  async sse(cred: Cred): Promise<{ status: number; contentType: string; body: any }> {
    const q = cred.queryToken ? `?token=${encodeURIComponent(cred.queryToken)}` : '';
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), 5000);
    try {
      const r = await fetch(`${this.ts.url}/v1/stream${q}`, {
        headers: { accept: 'text/event-stream', ...(cred.bearer ? { authorization: `Bearer ${cred.bearer}` } : {}) },
        signal: ac.signal,
      });
      const contentType = r.headers.get('content-type') ?? '';
      if (r.status === 200) {
        ac.abort();
        await r.body?.cancel().catch(() => undefined);
        return { status: 200, contentType, body: undefined };
      }
      const text = await r.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: r.status, contentType, body };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Opens /v1/stream as a WebSocket. Refused before the upgrade: the HTTP status and body. */
  ws(cred: Cred): Promise<WsResult> {
    const q = cred.queryToken ? `?token=${encodeURIComponent(cred.queryToken)}` : '';
    const ws = new WebSocket(`${this.ts.url.replace(/^http/, 'ws')}/v1/stream${q}`, { headers: cred.bearer ? { authorization: `Bearer ${cred.bearer}` } : {} });
    const client = new WsClient(ws);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        ws.terminate();
        reject(new Error('WebSocket connect timed out'));
      }, 5000);
      ws.once('open', () => {
        clearTimeout(t);
        resolve({ status: 101, client });
      });
      ws.once('unexpected-response', (_req, res) => {
        clearTimeout(t);
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            /* not JSON */
          }
          resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body });
        });
      });
      ws.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
  }

  // ---- what is stored -----------------------------------------------------------------------------------

  /**
   * Everything a refused request must not have changed: accounts, keys, queues, conversations (phase,
   * assignee, read marks), their events, offers, media, canned responses. Left out: what changes by itself
   * (delivery rows, "delivered" receipts streams record, presence, timestamps of use).
   */
  async digest(): Promise<Record<string, unknown[]>> {
    const db = this.ts.server.database.db;
    const drop = (rows: Record<string, unknown>[], cols: string[]) => rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !cols.includes(k))));
    // Receipts are the only events written by themselves: keep the read ones, which only a request makes.
    const events = (
      await db
        .selectFrom('events')
        .select(['id', 'conversation_id', 'seq', 'kind', 'body'])
        .where((eb) => eb.or([eb('kind', '!=', 'receipt'), eb('body', 'not like', '%"delivered"%')]))
        .orderBy('id')
        .execute()
    ).filter((e) => {
      if (e.kind !== 'receipt') return true;
      try {
        return (JSON.parse(e.body) as { receipt?: string }).receipt !== 'delivered';
      } catch {
        return true;
      }
    });
    return {
      contacts: drop(await db.selectFrom('contacts').selectAll().orderBy('id').execute(), []),
      identities: await db.selectFrom('identities').selectAll().orderBy('external_id').execute(),
      agents: drop(await db.selectFrom('agents').selectAll().orderBy('id').execute(), ['status', 'last_assigned_at']),
      agentQueues: await db.selectFrom('agent_queues').selectAll().orderBy('agent_id').orderBy('queue_id').execute(),
      queues: await db.selectFrom('queues').selectAll().orderBy('id').execute(),
      apiKeys: drop(await db.selectFrom('api_keys').selectAll().orderBy('id').execute(), ['last_used_at']),
      conversations: (await db.selectFrom('conversations').select(['id', 'contact_id', 'phase', 'agent_id', 'queue_id', 'customer_read_seq', 'desk_read_seq', 'ended_at', 'context']).orderBy('id').execute()) as unknown[],
      events: events.map((e) => ({ id: e.id, conversation: e.conversation_id, seq: e.seq, kind: e.kind })),
      offers: await db.selectFrom('offers').selectAll().orderBy('id').execute(),
      media: await db.selectFrom('media').select(['id']).orderBy('id').execute(),
      canned: await db.selectFrom('canned_responses').selectAll().orderBy('id').execute(),
    };
  }
}

export interface WsResult {
  status: number;
  contentType?: string;
  body?: any;
  client?: WsClient;
}

/** The frames of one stream socket, and a way to wait for one. */
export class WsClient {
  readonly frames: any[] = [];
  closed: { code: number; reason: string } | undefined;
  private waiters: (() => void)[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (d) => {
      try {
        this.frames.push(JSON.parse(d.toString()));
      } catch {
        this.frames.push({ type: 'unparsable', text: d.toString() });
      }
      this.poke();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.poke();
    });
    ws.on('error', () => undefined);
  }

  private poke(): void {
    const w = this.waiters.splice(0);
    for (const f of w) f();
  }

  /** The first frame matching `pred`; undefined if the socket closed or `timeoutMs` passed first. */
  async next(pred: (f: any) => boolean, timeoutMs: number): Promise<any> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const f = this.frames.find(pred);
      if (f || this.closed) return f;
      const left = end - Date.now();
      if (left <= 0) return undefined;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.ws.terminate();
        resolve();
      }, 2000);
      this.ws.once('close', () => {
        clearTimeout(t);
        resolve();
      });
      this.ws.close();
    });
  }
}
