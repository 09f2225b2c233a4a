import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { loadConfig } from '../config.js';
import { ParleyError } from '../core/errors.js';
import { createServer, listen, VERSION, type ParleyServer } from '../server.js';
import { parseSwitchboard } from '../switchboard/config.js';
import { loadEmulator } from './emulators.js';

// `parley demo`: "any channel, any desk" in one command, with no config file and no vendor account. It
// starts the Genesys Cloud emulator and a Parley with two desks, the built-in inbox and a `genesys` desk
// pointed at the emulator (OAuth client, integration, queue, webhook URL and secret all taken from the
// emulator), and routes chats opened with the entry point `demo-genesys` to that desk. The demo shop page
// hands its `?entryPoint=` to the widget, so the printed shop link chats with the emulated Genesys, whose
// agent page plays the agent. Parley's data goes to a temporary folder removed on exit: the emulator keeps
// its org in memory, so a database outliving it would hold conversations this Genesys never heard of.

export const DEMO_ENTRY_POINT = 'demo-genesys';
export const DEMO_DESK = 'genesys';
/** Beside `npm start`'s 8080 and `parley emulate genesys`'s 9100, so the demo runs alongside both. */
export const DEMO_PORTS = { parley: 8090, emulator: 9190 } as const;

/** What the demo uses of the Genesys emulator: a structural view, because src/ may not import emulators/. */
export interface DemoEmulator {
  url: string;
  credentials: { clientId: string; clientSecret: string; integrationId: string; integrationSecret: string; defaultQueueId: string };
  summary(): Record<string, unknown>;
  close(): Promise<void>;
}
export type StartDemoEmulator = (opts: { port: number; host: string; webhookUrl: string }) => Promise<DemoEmulator>;

export interface DemoOptions {
  /** Parley's port; not 0, because the emulator needs Parley's webhook URL before Parley starts. */
  port: number;
  /** 0 picks a free one. */
  emulatorPort: number;
  host: string;
  /** Keep Parley's data in this folder instead of a temporary one. */
  dataDir?: string | undefined;
  /** How often waiting customers' availability is refreshed; 5 s by default, so the demo shows it soon. */
  availabilityIntervalMs?: number | undefined;
  /** Where LOG_LEVEL, PARLEY_PUBLIC_URL and PARLEY_SHUTDOWN_GRACE_MS are read; nothing else of it applies. */
  env?: NodeJS.ProcessEnv | undefined;
  /** Tests start the emulator from its sources; the CLI loads the built one. */
  startEmulator?: StartDemoEmulator | undefined;
}

export interface Demo {
  parley: ParleyServer;
  emulator: DemoEmulator;
  /** The demo shop, whose widget opens chats on the genesys desk: play the customer there. */
  shopUrl: string;
  /** The emulator's agent page: play the Genesys agent there. */
  agentUrl: string;
  dataDir: string;
  banner(): string[];
  close(): Promise<void>;
}

/** The settings a demo may take from the caller's environment; a DATABASE_URL or PORT meant for a real server must not leak in. */
const PASSED_THROUGH = ['LOG_LEVEL', 'PARLEY_PUBLIC_URL', 'PARLEY_SHUTDOWN_GRACE_MS'] as const;

const Summary = z.object({ queues: z.array(z.object({ id: z.string(), name: z.string() })), agentPage: z.string() });

const startBuiltEmulator: StartDemoEmulator = async ({ port, host, webhookUrl }) => {
  const mod = await loadEmulator<{ startGenesysEmulator(o: { port: number; host: string; integration: { webhookUrl: string } }): Promise<DemoEmulator> }>('genesys');
  return mod.startGenesysEmulator({ port, host, integration: { webhookUrl } });
};

/** A port already taken is the likely failure: name the option that picks another. */
async function listening<T>(start: () => Promise<T>, port: number, option: string): Promise<T> {
  try {
    return await start();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new ParleyError('CONFIG', `Port ${port} is in use; choose another with ${option}.`, { details: { key: option } });
    throw e;
  }
}

export async function startDemo(opts: DemoOptions): Promise<Demo> {
  if (opts.port === 0) throw new ParleyError('CONFIG', "--port must be a fixed port for the demo: the emulator is given Parley's webhook URL before Parley starts.", { details: { key: '--port' } });
  const env = opts.env ?? {};
  // Addresses handed to the browser and to the emulator: a wildcard bind is reached on loopback.
  const shownHost = ['0.0.0.0', '::', 'localhost'].includes(opts.host) ? '127.0.0.1' : opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const local = `http://${shownHost}:${opts.port}`;
  const temporary = opts.dataDir === undefined;
  const dataDir = temporary ? mkdtempSync(join(tmpdir(), 'parley-demo-')) : resolve(opts.dataDir!);
  mkdirSync(dataDir, { recursive: true });
  const removeData = () => temporary && rmSync(dataDir, { recursive: true, force: true });

  let emulator: DemoEmulator | undefined;
  let parley: ParleyServer | undefined;
  try {
    emulator = await listening(() => (opts.startEmulator ?? startBuiltEmulator)({ port: opts.emulatorPort, host: opts.host, webhookUrl: `${local}/webhooks/genesys/${DEMO_DESK}` }), opts.emulatorPort, '--emulator-port');
    const c = emulator.credentials;
    const summary = Summary.parse(emulator.summary());
    const queue = summary.queues.find((q) => q.id === c.defaultQueueId);
    const passed = Object.fromEntries(PASSED_THROUGH.flatMap((k) => (env[k] ? [[k, env[k]]] : [])));
    // The data folder as the working folder: a parley.config.json wherever the demo was started is not read.
    const config = loadConfig({ LOG_LEVEL: 'warn', PARLEY_PUBLIC_URL: local, ...passed, PORT: String(opts.port), HOST: opts.host, PARLEY_DATA_DIR: dataDir, PARLEY_PRINT_SETUP: 'false' }, dataDir);
    config.switchboard = parseSwitchboard(
      {
        channels: { web: { type: 'web' } },
        desks: {
          inbox: { type: 'inbox' },
          [DEMO_DESK]: {
            type: 'genesys',
            host: emulator.url,
            clientId: c.clientId,
            clientSecret: c.clientSecret,
            integrationId: c.integrationId,
            webhookSecret: c.integrationSecret,
            queueId: c.defaultQueueId,
            ...(queue ? { queueName: queue.name } : {}),
            availabilityIntervalMs: opts.availabilityIntervalMs ?? 5000,
          },
        },
        routes: [
          { channel: 'web', entryPoint: DEMO_ENTRY_POINT, desk: DEMO_DESK },
          { channel: 'web', desk: 'inbox' },
        ],
      },
      {},
      'parley demo',
    );
    parley = await createServer(config);
    const server = parley;
    await listening(() => listen(server, opts.port, opts.host), opts.port, '--port');
  } catch (e) {
    await parley?.close();
    await emulator?.close();
    removeData();
    throw e;
  }

  const base = parley.services.config.publicUrl;
  const shopUrl = `${base}/demo/?entryPoint=${DEMO_ENTRY_POINT}`;
  const agentUrl = `${emulator.url}/agent`;
  // Narrowed consts for the closures below (a `let` loses its narrowing inside them).
  const p = parley;
  const emu = emulator;
  let closing: Promise<void> | undefined;
  return {
    parley: p,
    emulator: emu,
    shopUrl,
    agentUrl,
    dataDir,
    banner: () => [
      `Parley demo: a shop's chat widget, answered in Genesys Cloud (emulated)`,
      `  Customer  ${shopUrl}   chat here as the customer`,
      `  Agent     ${agentUrl}   play the Genesys agent here`,
      '',
      `  Parley ${VERSION} on ${base}: desks "inbox" (built in) and "${DEMO_DESK}" (the emulator); chats opened with`,
      `    the entry point "${DEMO_ENTRY_POINT}" go to ${DEMO_DESK}, all others to the inbox.`,
      `  Genesys Cloud emulator on ${emu.url}  (control API ${emu.url}/__control)`,
      `  Data in ${dataDir}${temporary ? ' (removed on exit)' : ''}`,
      'Ctrl-C stops both.',
    ],
    close() {
      // Parley first: its end detection's socket to the emulator closes before the emulator goes.
      closing ??= (async () => {
        try {
          await p.close();
        } finally {
          await emu.close();
          removeData();
        }
      })();
      return closing;
    },
  };
}
