import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config.js';
import { createServer, listen, type ParleyServer } from '../../src/server.js';
import { IDENTITY_SECRET } from '../helpers/flows.js';
import { Api } from '../helpers/server.js';
import type { AgentClient, AgentEvents, ClientOptions, CustomerClient, CustomerEvents, WebSocketConstructor } from '../../sdk/src/index.js';

// Test plumbing for the SDK: a network the test can cut and restore, and a server that can be stopped and
// started again on the same data folder and port (a hub restart as clients see it).

/**
 * fetch and WebSocket for a client, with switches: `cut()` refuses both (sockets already open are cut),
 * `cutSockets()` only sockets; `loseMessageAcks` lets a message POST reach the hub but loses the answer,
 * like a connection that drops just after sending.
 */
export class Net {
  wsDown = false;
  httpDown = false;
  loseMessageAcks = false;
  /** Message POSTs that reached the hub (including those whose answer was lost). */
  messagePosts = 0;
  /** The stream URLs the client opened, to check what it resumed from. */
  readonly urls: string[] = [];
  private readonly sockets = new Set<WebSocket>();
  readonly WebSocket: WebSocketConstructor;

  constructor() {
    const net = this;
    this.WebSocket = class extends WebSocket {
      constructor(url: string) {
        // Port 1 refuses at once: the same close a browser sees when the network is gone.
        super(net.wsDown ? 'ws://127.0.0.1:1/' : url);
        if (!net.wsDown) net.urls.push(url);
        net.sockets.add(this);
        this.on('close', () => net.sockets.delete(this));
      }
    };
  }

  readonly fetch: typeof fetch = async (input, init) => {
    if (this.httpDown) throw new TypeError('fetch failed');
    const isMessage = init?.method === 'POST' && String(input).endsWith('/messages');
    const res = await fetch(input, init);
    if (isMessage) {
      this.messagePosts++;
      if (this.loseMessageAcks) {
        await res.text();
        throw new TypeError('fetch failed');
      }
    }
    return res;
  };

  cut(): void {
    this.httpDown = true;
    this.cutSockets();
  }

  cutSockets(): void {
    this.wsDown = true;
    for (const s of this.sockets) s.terminate();
  }

  restore(): void {
    this.httpDown = false;
    this.wsDown = false;
    this.loseMessageAcks = false;
  }

  options(baseUrl: string, extra: Partial<ClientOptions> = {}): ClientOptions {
    return { baseUrl, fetch: this.fetch, WebSocket: this.WebSocket, reconnect: { minMs: 30, maxMs: 150 }, ...extra };
  }
}

/** A Parley that can be stopped and started again on the same data folder and port. */
export class RestartableServer {
  server!: ParleyServer;
  url = '';
  api!: Api;
  private port = 0;

  constructor(readonly dir = mkdtempSync(join(tmpdir(), 'parley-sdk-'))) {}

  async start(): Promise<this> {
    const config = loadConfig(
      {
        PORT: String(this.port),
        HOST: '127.0.0.1',
        PARLEY_DATA_DIR: this.dir,
        LOG_LEVEL: 'silent',
        PARLEY_PRINT_SETUP: 'false',
        PARLEY_IDENTITY_SECRET: IDENTITY_SECRET,
        PARLEY_DELIVERY_BASE_DELAY_MS: '20',
        PARLEY_DELIVERY_MAX_DELAY_MS: '200',
      },
      this.dir,
    );
    this.server = await createServer(config);
    this.url = await listen(this.server, this.port, '127.0.0.1');
    this.port = Number(new URL(this.url).port);
    (this.server.services.signer as unknown as { baseUrl: string }).baseUrl = this.url;
    this.api = new Api(this.url);
    return this;
  }

  stop(): Promise<void> {
    return this.server.close();
  }

  async destroy(): Promise<void> {
    await this.server?.close().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Wait for a client event matching a predicate. */
export function waitFor<T>(on: (fn: (p: T) => void) => () => void, pred: (p: T) => boolean = () => true, timeoutMs = 5000, what = 'event'): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      off();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    const off = on((p) => {
      if (!pred(p)) return;
      clearTimeout(t);
      off();
      resolve(p);
    });
  });
}

/** Wait until a client's connection is in a state (now or later). */
export function reach(c: { connectionState: string; on(t: 'connection', fn: (s: 'connecting' | 'open' | 'offline' | 'closed') => void): () => void }, state: string, timeoutMs = 5000): Promise<unknown> {
  if (c.connectionState === state) return Promise.resolve();
  return waitFor(c.on.bind(c, 'connection'), (s) => s === state, timeoutMs, `connection ${state}`);
}

type EventsOf<C> = C extends CustomerClient ? CustomerEvents : AgentEvents;

/** Wait for the next typed event of a client that matches a predicate. */
export function next<C extends CustomerClient | AgentClient, K extends keyof EventsOf<C> & string>(
  c: C,
  type: K,
  pred: (p: EventsOf<C>[K]) => boolean = () => true,
  timeoutMs = 5000,
  what: string = type,
): Promise<EventsOf<C>[K]> {
  const on = c.on as unknown as (t: K, fn: (p: EventsOf<C>[K]) => void) => () => void;
  return waitFor((fn) => on.call(c, type, fn), pred, timeoutMs, what);
}
