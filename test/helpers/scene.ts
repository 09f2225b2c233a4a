import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type TestServer } from './server.js';

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
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const file = join(dir, 'parley.config.json');
  writeFileSync(file, JSON.stringify(config));
  return {
    dir,
    start: () => startServer({ env: { PARLEY_CONFIG: file, PARLEY_DELIVERY_TIMEOUT_MS: '4000', ...env }, captureLogs: true, dataDir }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
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
  /** The public URL of the `<type>` channel instance `sms`'s webhook (through the proxy). */
  webhookUrl: string;
  /** The running Parley; a new one after `restart()`. */
  readonly ts: TestServer;
  /** Writes the config (see configuredParley) and starts the first Parley. */
  start(config: unknown, env: Record<string, string>): Promise<void>;
  restart(): Promise<void>;
  /** Stops Parley, then the emulator, then the proxy, and removes the folder. */
  stop(emulator: { close(): Promise<void> }): Promise<void>;
}

/** A Parley behind a public proxy, for SMS channels whose vendor is given one webhook URL for good. */
export async function proxiedParley(type: string): Promise<ProxiedParley> {
  let current: TestServer | undefined;
  const proxy = await publicProxy(() => current!.url);
  let parley: ConfiguredParley | undefined;
  return {
    webhookUrl: `${proxy.url}/webhooks/${type}/sms`,
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
