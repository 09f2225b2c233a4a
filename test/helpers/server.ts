import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import WebSocket from 'ws';
import type { Adapters } from '../../src/adapters.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createAgent } from '../../src/hub/admin.js';
import { createServer, listen, type ParleyServer } from '../../src/server.js';
import { freshPostgres, type DialectName } from './databases.js';

// Start a real Parley on a random port with its own data folder (and its own PostgreSQL database),
// plus small HTTP and WebSocket clients for tests.

/** The bearer token test servers accept on /metrics. */
export const METRICS_TOKEN = 'test-metrics-token-0123456789';
export const metricsHeaders = { authorization: `Bearer ${METRICS_TOKEN}` };

export interface TestServer {
  server: ParleyServer;
  url: string;
  config: Config;
  api: Api;
  /** Parsed JSON log lines, when started with captureLogs. */
  logs: { level: number; msg?: string; err?: { message?: string } }[];
  stop(): Promise<void>;
}

export interface StartOptions {
  dialect?: DialectName;
  env?: Record<string, string>;
  adapters?: Adapters;
  noDispatcher?: boolean;
  /** Collect the server's log lines (at LOG_LEVEL, default warn) in `logs`, to assert nothing went wrong. */
  captureLogs?: boolean;
  /**
   * Use this data folder (SQLite database, secrets, media) and leave it on stop, so that another server can
   * start on the same data: a restart (SQLite only: `dialect: 'postgres'` gets a fresh database each start).
   * The caller removes it. Without it, a fresh folder removed on stop.
   */
  dataDir?: string;
  /** Listen on this port (a restart that browsers must find at the same address); 0 by default. */
  port?: number;
}

export async function startServer(opts: StartOptions = {}): Promise<TestServer> {
  const dir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'parley-test-'));
  const pgdb = opts.dialect === 'postgres' ? await freshPostgres() : undefined;
  const config = loadConfig(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      PARLEY_DATA_DIR: dir,
      LOG_LEVEL: opts.captureLogs ? 'warn' : 'silent',
      PARLEY_PRINT_SETUP: 'false',
      PARLEY_IDENTITY_SECRET: 'test-identity-secret-that-is-long-enough-1234',
      PARLEY_DELIVERY_BASE_DELAY_MS: '20',
      PARLEY_DELIVERY_MAX_DELAY_MS: '200',
      PARLEY_METRICS_TOKEN: METRICS_TOKEN,
      ...(pgdb ? { DATABASE_URL: pgdb.url } : {}),
      ...opts.env,
    },
    dir,
  );
  const logs: TestServer['logs'] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line) as TestServer['logs'][number]);
      done();
    },
  });
  const server = await createServer(config, {
    ...(opts.adapters ? { adapters: opts.adapters } : {}),
    ...(opts.noDispatcher ? { noDispatcher: true } : {}),
    ...(opts.captureLogs ? { logStream } : {}),
  });
  const url = await listen(server, opts.port ?? 0, '127.0.0.1');
  // Signed media URLs must point at this server.
  (server.services.signer as unknown as { baseUrl: string }).baseUrl = url;
  return {
    server,
    url,
    config,
    api: new Api(url),
    logs,
    async stop() {
      await server.close();
      await pgdb?.drop();
      if (!opts.dataDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Res<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export class Api {
  constructor(readonly url: string) {}

  async req<T = any>(method: string, path: string, opts: { token?: string; body?: unknown; raw?: string | Buffer; contentType?: string; headers?: Record<string, string> } = {}): Promise<Res<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | Buffer | undefined;
    if (opts.raw !== undefined) {
      body = opts.raw;
      headers['content-type'] = opts.contentType ?? 'application/json';
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const r = await fetch(this.url + path, { method, headers, ...(body !== undefined ? { body: typeof body === "string" ? body : new Uint8Array(body) } : {}) });
    const text = await r.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: r.status, body: parsed as T, headers: r.headers };
  }

  get = <T = any>(path: string, token?: string) => this.req<T>('GET', path, token ? { token } : {});
  post = <T = any>(path: string, body?: unknown, token?: string) => this.req<T>('POST', path, { ...(token ? { token } : {}), ...(body !== undefined ? { body } : {}) });

  async customer(identityToken?: string): Promise<{ token: string; contactId: string }> {
    const r = await this.post('/v1/sessions', identityToken ? { identityToken } : {});
    if (r.status !== 201) throw new Error(`session failed: ${r.status} ${JSON.stringify(r.body)}`);
    return { token: r.body.token, contactId: r.body.contact.id };
  }

  async login(email: string, password: string): Promise<string> {
    const r = await this.post('/v1/agent/login', { email, password });
    if (r.status !== 200) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body.token;
  }
}

/** Create an agent directly in the store and log it in. */
export async function agent(ts: TestServer, opts: { email?: string; name?: string; role?: 'agent' | 'admin'; capacity?: number; queues?: string[] } = {}): Promise<{ id: string; token: string; email: string }> {
  const email = opts.email ?? `agent-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const a = await createAgent(ts.server.database.db, { email, name: opts.name ?? 'Agent', password: 'password123', role: opts.role ?? 'agent', capacity: opts.capacity ?? 5, ...(opts.queues ? { queues: opts.queues } : {}) });
  return { id: a.id, email, token: await ts.api.login(email, 'password123') };
}

/** A stream client that records every frame and can wait for one matching a predicate. */
export class StreamClient {
  readonly frames: any[] = [];
  private waiters: { pred: (f: any) => boolean; resolve: (f: any) => void }[] = [];
  ws!: WebSocket;

  static async open(url: string, token: string, cursors?: Record<string, number>): Promise<StreamClient> {
    const c = new StreamClient();
    const q = new URLSearchParams({ token, ...(cursors ? { cursors: JSON.stringify(cursors) } : {}) });
    c.ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/stream?${q}`);
    c.ws.on('message', (d) => {
      const f = JSON.parse(d.toString());
      c.frames.push(f);
      c.waiters = c.waiters.filter((w) => {
        if (!w.pred(f)) return true;
        w.resolve(f);
        return false;
      });
    });
    await new Promise<void>((resolve, reject) => {
      c.ws.once('open', () => resolve());
      c.ws.once('error', reject);
      c.ws.once('unexpected-response', (_req, res) => reject(new Error(`stream refused: ${res.statusCode}`)));
    });
    await c.next((f) => f.type === 'ready');
    return c;
  }

  next(pred: (f: any) => boolean, timeoutMs = 5000): Promise<any> {
    const found = this.frames.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for a frame; got: ${JSON.stringify(this.frames.slice(-5))}`)), timeoutMs);
      this.waiters.push({ pred, resolve: (f) => (clearTimeout(t), resolve(f)) });
    });
  }

  events(conversationId?: string): any[] {
    return this.frames.filter((f) => f.type === 'event' && (!conversationId || f.event.conversationId === conversationId)).map((f) => f.event);
  }

  send(frame: unknown): void {
    this.ws.send(JSON.stringify(frame));
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Poll until `fn` returns a truthy value. */
export async function until<T>(fn: () => Promise<T> | T, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}
