import { SignJWT } from 'jose';
import { newId, nowIso } from '../../src/store/tx.js';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { startServer, StreamClient, type StartOptions, type TestServer } from './server.js';

// Small building blocks for end-to-end tests: identity tokens, per-test queues (so tests in one file share a
// server without sharing agents), a customer with a live stream and an open conversation, and frame matchers.

/** The identity secret startServer configures (PARLEY_IDENTITY_SECRET). */
export const IDENTITY_SECRET = 'test-identity-secret-that-is-long-enough-1234';

/** An identity token as a business's backend would sign it (HS256, sub/name/email). */
export function identityToken(sub: string, claims: { name?: string; email?: string } = {}, secret = IDENTITY_SECRET): Promise<string> {
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setIssuedAt().setExpirationTime('10m').sign(new TextEncoder().encode(secret));
}

/**
 * An agent and its token, like `agent()` but without paying for scrypt twice (hash, then login) in every
 * test: the row is written directly and the token is minted by the server's own signer. It cannot log in
 * with a password; use `agent()` where the login itself matters.
 */
export async function fastAgent(
  ts: TestServer,
  opts: { name?: string; role?: 'agent' | 'admin'; capacity?: number; queues?: string[] } = {},
): Promise<{ id: string; token: string; name: string }> {
  const db = ts.server.database.db;
  const id = newId('ag');
  const name = opts.name ?? 'Agent';
  const queueIds: string[] = [];
  for (const q of opts.queues?.length ? opts.queues : ['default']) {
    const row = await db.selectFrom('queues').select('id').where((eb) => eb.or([eb('id', '=', q), eb('name', '=', q)])).executeTakeFirstOrThrow();
    queueIds.push(row.id);
  }
  await db
    .insertInto('agents')
    .values({ id, email: `${id}@example.com`, name, password_hash: 'none', role: opts.role ?? 'agent', status: 'available', capacity: opts.capacity ?? 5, last_assigned_at: null, created_at: nowIso() })
    .execute();
  for (const q of queueIds) await db.insertInto('agent_queues').values({ agent_id: id, queue_id: q }).execute();
  return { id, name, token: await ts.server.services.tokens.agentToken(id, 0) };
}

let queueCount = 0;

/** Create a queue through the admin API (admin agent token or API key with queues:write). */
export async function makeQueue(ts: TestServer, adminToken: string, assignment: 'manual' | 'round_robin'): Promise<{ id: string; name: string; assignment: string }> {
  const name = `q-${assignment}-${++queueCount}-${Math.random().toString(36).slice(2, 7)}`;
  const r = await ts.api.post('/v1/admin/queues', { name, assignment }, adminToken);
  if (r.status !== 201) throw new Error(`queue failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.queue;
}

/** Create an API key through the admin API; returns the secret key. */
export async function makeApiKey(ts: TestServer, adminToken: string, scopes: string[]): Promise<string> {
  const r = await ts.api.post('/v1/admin/api-keys', { name: `key-${Math.random().toString(36).slice(2, 7)}`, scopes }, adminToken);
  if (r.status !== 201) throw new Error(`api key failed: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.apiKey.key;
}

/** Opens streams and closes every one of them at the end (call closeAll in afterEach/afterAll). */
export class Streams {
  private readonly open: StreamClient[] = [];

  async connect(ts: TestServer, token: string, cursors?: Record<string, number>): Promise<StreamClient> {
    const c = await StreamClient.open(ts.url, token, cursors);
    this.open.push(c);
    return c;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.open.splice(0).map((c) => c.close()));
  }
}

export interface Chat {
  token: string;
  contactId: string;
  stream: StreamClient;
  conversationId: string;
  conversation: any;
}

/** A fresh anonymous customer with a stream open, who then opens a conversation in `queue`. */
export async function customerChat(ts: TestServer, streams: Streams, queue?: string, identity?: string): Promise<Chat> {
  const cust = await ts.api.customer(identity);
  const stream = await streams.connect(ts, cust.token);
  const open = await ts.api.post('/v1/conversations', queue ? { queue } : {}, cust.token);
  if (open.status !== 201) throw new Error(`open failed: ${open.status} ${JSON.stringify(open.body)}`);
  return { ...cust, stream, conversationId: open.body.conversation.id, conversation: open.body.conversation };
}

/** Matches an `event` frame of a kind (optionally of one conversation and passing a check). */
export const eventFrame =
  (kind: string, conversationId?: string, check: (e: any) => boolean = () => true) =>
  (f: any): boolean =>
    f.type === 'event' && f.event.kind === kind && (!conversationId || f.event.conversationId === conversationId) && check(f.event);

/** The kinds of one conversation's events as a stream client saw them, in arrival order. */
export const kindsSeen = (c: StreamClient, conversationId: string): string[] => c.events(conversationId).map((e) => e.kind);

/**
 * The usual e2e set-up: a server (for one dialect), an admin token and a stream pool closed after each
 * test. Registers the vitest hooks; read the fields inside tests (they are set in beforeAll).
 */
export function adminServer(opts: StartOptions = {}): { ts: TestServer; adminToken: string; streams: Streams } {
  const env = { streams: new Streams() } as { ts: TestServer; adminToken: string; streams: Streams };
  beforeAll(async () => {
    env.ts = await startServer(opts);
    env.adminToken = (await fastAgent(env.ts, { role: 'admin', name: 'Admin' })).token;
  });
  afterEach(() => env.streams.closeAll());
  afterAll(async () => env.ts?.stop());
  return env;
}

/**
 * What a test does as an inbox agent through Parley's agent API, for a file whose server and agent start in
 * beforeAll (so both are read at each call): a conversation's events, accepting it (expecting 200), and a
 * reply (a fresh clientMessageId; the response as it came).
 */
export function inboxAgentApi(ts: () => TestServer, agent: () => { token: string }) {
  const api = () => ts().api;
  return {
    events: async (id: string) => (await api().get(`/v1/agent/conversations/${id}/events`, agent().token)).body.events as any[],
    accept: async (id: string) => expect((await api().post(`/v1/agent/conversations/${id}/accept`, {}, agent().token)).status).toBe(200),
    reply: async (id: string, body: Record<string, unknown>) => api().post(`/v1/agent/conversations/${id}/messages`, { ...body, clientMessageId: `c-${Math.random()}` }, agent().token),
  };
}

/**
 * A test file's channel scene with an inbox agent on it (fastAgent with `agentOpts`): started by `start`
 * before the file's cases, stopped after them. `scene()` and `agent()` are read once started; the rest is
 * the agent's API (inboxAgentApi).
 */
export function inboxScene<S extends { readonly ts: TestServer; stop(): Promise<void> }>(start: () => Promise<S>, agentOpts: Parameters<typeof fastAgent>[1]) {
  let scene: S | undefined;
  let agent: { id: string; token: string } | undefined;
  beforeAll(async () => {
    scene = await start();
    agent = await fastAgent(scene.ts, agentOpts);
  });
  afterAll(async () => scene?.stop());
  const started = <T>(v: T | undefined): T => {
    if (!v) throw new Error('the scene is not started');
    return v;
  };
  const current = () => started(scene);
  const currentAgent = () => started(agent);
  return { scene: current, agent: currentAgent, ...inboxAgentApi(() => current().ts, currentAgent) };
}
