import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, until, type StartOptions, type TestServer } from './server.js';

// What every vendor scene (a Parley wired to an in-process emulator: test/channels/*/helpers.ts,
// test/desks/*/helpers.ts) is built on: a Parley with its own parley.config.json and a data folder that
// outlives it, so a restart comes back on the same database and secrets; and, for vendors that must reach
// Parley at one URL across restarts, a forwarding proxy in front of it.

export interface ConfiguredParley {
  /** The folder holding parley.config.json and the data folder; `remove()` deletes it. */
  dir: string;
  /** A new Parley on this config and data folder (the previous one stopped first by the caller). */
  start(): Promise<TestServer>;
  remove(): void;
}

/**
 * Writes `config` to `<tmp>/<prefix>…/parley.config.json`. Each start gets PARLEY_CONFIG, a delivery timeout of
 * 4 s (above the scenes' vendor total timeouts of 2.5 s) and `env` (secrets given as { "env": NAME }).
 */
export function configuredParley(prefix: string, config: unknown, env: Record<string, string>): ConfiguredParley {
  const { dir, file } = writeConfig(prefix, config);
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  return {
    dir,
    start: () => startServer({ env: { PARLEY_CONFIG: file, PARLEY_DELIVERY_TIMEOUT_MS: '4000', ...env }, captureLogs: true, dataDir }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** `config` as `<tmp>/<prefix>…/parley.config.json`: the folder and the file. */
function writeConfig(prefix: string, config: unknown): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = join(dir, 'parley.config.json');
  writeFileSync(file, JSON.stringify(config));
  return { dir, file };
}

/**
 * One Parley on `config` (a parley.config.json of its own, PARLEY_CONFIG added to `opts.env`), otherwise
 * started as startServer starts it with `opts`; stopping it removes the config's folder too.
 */
export async function configuredServer(config: unknown, opts: StartOptions = {}): Promise<TestServer> {
  const { dir, file } = writeConfig('parley-config-', config);
  const remove = () => rmSync(dir, { recursive: true, force: true });
  let ts: TestServer;
  try {
    ts = await startServer({ ...opts, env: { PARLEY_CONFIG: file, ...opts.env } });
  } catch (e) {
    remove();
    throw e;
  }
  const stop = ts.stop;
  ts.stop = async () => {
    await stop();
    remove();
  };
  return ts;
}

/** A forwarding proxy: the stable public address of whichever Parley runs now. */
export async function publicProxy(target: () => string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k, v]) => k !== 'host' && k !== 'connection' && typeof v === 'string')) as Record<string, string>;
      const body = Buffer.concat(chunks);
      fetch(target() + (req.url ?? '/'), { method: req.method ?? 'GET', headers, ...(body.length ? { body: new Uint8Array(body) } : {}) })
        .then(async (r) => {
          const out = Buffer.from(await r.arrayBuffer());
          res.writeHead(r.status, Object.fromEntries([...r.headers].filter(([k]) => k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection')));
          res.end(out);
        })
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export interface ProxiedParley {
  /** The public URL of the `<type>` channel instance's webhook (through the proxy). */
  webhookUrl: string;
  /** The running Parley; a new one after `restart()`. */
  readonly ts: TestServer;
  /** Writes the config (see configuredParley) and starts the first Parley. */
  start(config: unknown, env: Record<string, string>): Promise<void>;
  restart(): Promise<void>;
  /** Stops Parley, then the emulator, then the proxy, and removes the folder. */
  stop(emulator: { close(): Promise<void> }): Promise<void>;
}

/** A Parley behind a public proxy, for vendor channels given one webhook URL for good (instance `sms` unless named). */
export async function proxiedParley(type: string, instance = 'sms'): Promise<ProxiedParley> {
  let current: TestServer | undefined;
  const proxy = await publicProxy(() => current!.url);
  let parley: ConfiguredParley | undefined;
  return {
    webhookUrl: `${proxy.url}/webhooks/${type}/${instance}`,
    get ts() {
      return current!;
    },
    async start(config, env) {
      parley = configuredParley(`parley-${type}-`, config, env);
      current = await parley.start();
    },
    async restart() {
      await current!.stop();
      current = await parley!.start();
    },
    async stop(emulator) {
      await current?.stop();
      await emulator.close();
      await proxy.close();
      parley?.remove();
    },
  };
}

/** An emulator's control API (test/emulators/helpers.ts `client(url).control`). */
export type Control = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

/** What every vendor channel's scene (test/channels/<type>/helpers.ts) has: a proxied Parley wired to the vendor's emulator `E`. */
export interface ChannelScene<E> {
  /** The running Parley; a new one after `restart()`. */
  ts: TestServer;
  emu: E;
  /** The public URL of Parley's webhook for the channel instance (the proxy). */
  webhookUrl: string;
  control: Control;
  /** The Parley conversation a customer's message (by the vendor's id of it) went to, once stored. */
  conversationOf(id: string): Promise<string>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** What a vendor channel's scene takes: the emulator's options `O`, channel settings over the defaults (`null` removes one), and Parley's environment. */
export interface ChannelSceneOptions<O> {
  emulator?: O;
  channel?: Record<string, unknown>;
  env?: Record<string, string>;
}

/** `settings` with `over` laid on them; `null` in `over` removes a setting (e.g. Twilio's `from`, to send through a Messaging Service instead). */
export function withSettings(settings: Record<string, unknown>, over: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete settings[k];
    else settings[k] = v;
  }
  return settings;
}

/**
 * A vendor channel's scene `S` on `parley` and `emu`: `rest` (what is the channel's own) with what comes from
 * the ProxiedParley, `ts` read at each use (a new Parley after `restart()`; so do not spread the scene),
 * the webhook URL, restart, and stop (Parley, then the emulator, then the proxy).
 */
export function proxiedScene<S extends ChannelScene<{ close(): Promise<void> }>>(parley: ProxiedParley, emu: S['emu'], rest: Omit<S, 'ts' | 'emu' | 'webhookUrl' | 'restart' | 'stop'>): S {
  const scene = {
    get ts() {
      return parley.ts;
    },
    emu,
    webhookUrl: parley.webhookUrl,
    restart: () => parley.restart(),
    stop: () => parley.stop(emu),
  };
  return Object.assign(scene, rest) as unknown as S;
}

/** The Parley event the channel instance `adapter` linked to a vendor's message id, if any. */
export function eventOfExternal(ts: TestServer, adapter: string, externalId: string): Promise<string | undefined> {
  return ts.server.services.hub.tx((tx) => tx.findByExternal({ adapter, kind: 'message', externalId }));
}

/** The Parley conversation a vendor's message (linked by the channel instance `adapter`) went to, once stored (polled up to 8 s). */
export function conversationOfExternal(ts: () => TestServer, adapter: string, externalId: string): Promise<string> {
  return until<string>(
    async () => {
      const eventId = await eventOfExternal(ts(), adapter, externalId);
      return (eventId ? (await ts().server.services.hub.tx((tx) => tx.getEvent(eventId)))?.conversationId : undefined) as string;
    },
    8000,
    `the conversation of ${externalId}`,
  );
}
