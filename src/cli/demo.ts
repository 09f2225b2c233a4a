import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { loadConfig } from '../config.js';
import { ParleyError } from '../core/errors.js';
import { createServer, listen, VERSION, type ParleyServer } from '../server.js';
import { parseSwitchboard } from '../switchboard/config.js';
import { listening, type DemoPart } from './demo-parts.js';
import { DEMO_LP_DESK, livePersonPart, type DemoLivePerson, type StartDemoLivePerson } from './demo-liveperson.js';
import { metaPart, type DemoMeta, type StartDemoMeta } from './demo-meta.js';
import { DEMO_SMS_DESK, smsPart, type DemoSms, type StartDemoConnect, type StartDemoTwilio } from './demo-sms.js';
import { loadEmulator } from './emulators.js';

// `parley demo`: "any channel, any desk" in one command, with no config file and no vendor account. It
// starts the Genesys Cloud emulator and a Parley with two desks, the built-in inbox and a `genesys` desk
// pointed at the emulator (OAuth client, integration, queue, webhook URL and secret all taken from the
// emulator), and routes chats opened with the entry point `demo-genesys` to that desk. The demo shop page
// hands its `?entryPoint=` to the widget, so the printed shop link chats with the emulated Genesys, whose
// agent page plays the agent. Parley's data goes to a temporary folder removed on exit: the emulator keeps
// its org in memory, so a database outliving it would hold conversations this Genesys never heard of.
//
// Optional parts add a story of their own to the same Parley (each an option: more emulators and ports):
// `--sms` a phone answered in Amazon Connect (demo-sms.ts), `--meta` Messenger and WhatsApp answered in
// Genesys with PII redaction (demo-meta.ts), `--liveperson` the shop's chat answered in LivePerson
// (demo-liveperson.ts).
//
// The web chat page (/webchat/) is IBM's open-source web chat (@carbon/ai-chat) with a stand-in assistant and
// Parley's service desk bundle (/watson.js): asking the assistant for an agent hands the chat to the same
// Genesys desk, the way a watsonx Assistant web chat would.

export const DEMO_ENTRY_POINT = 'demo-genesys';
export const DEMO_DESK = 'genesys';
/** Beside `npm start`'s 8080 and `parley emulate <vendor>`'s 9100/9110/9300, so the demo runs alongside them. */
export const DEMO_PORTS = { parley: 8090, emulator: 9190, twilio: 9191, connect: 9192, meta: 9193, liveperson: 9194 } as const;

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
  /** Also a phone (Twilio emulator, `twilio-sms` channel) answered in Amazon Connect (its emulator, `connect` desk). */
  sms?: boolean | undefined;
  /** The Twilio and Connect emulators' ports with `sms` (0 picks a free one). */
  twilioPort?: number | undefined;
  connectPort?: number | undefined;
  startTwilio?: StartDemoTwilio | undefined;
  startConnect?: StartDemoConnect | undefined;
  /** Also Messenger and WhatsApp (Meta emulator, `messenger` and `whatsapp` channels) answered in Genesys. */
  meta?: boolean | undefined;
  /** The Meta emulator's port with `meta` (0 picks a free one). */
  metaPort?: number | undefined;
  startMeta?: StartDemoMeta | undefined;
  /** Also the shop's chat answered by a LivePerson agent (its emulator, `liveperson` desk). */
  liveperson?: boolean | undefined;
  /** The LivePerson emulator's port with `liveperson` (0 picks a free one). */
  livePersonPort?: number | undefined;
  startLivePerson?: StartDemoLivePerson | undefined;
}

export interface Demo {
  parley: ParleyServer;
  emulator: DemoEmulator;
  /** The demo shop, whose widget opens chats on the genesys desk: play the customer there. */
  shopUrl: string;
  /** The emulator's agent page: play the Genesys agent there. */
  agentUrl: string;
  /** watsonx-style web chat (@carbon/ai-chat with a stand-in assistant and Parley's service desk): its bot hands over to the Genesys desk. */
  webChatUrl: string;
  /** With `sms`: the phone and the Amazon Connect agent. */
  sms?: DemoSms | undefined;
  /** With `meta`: the Messenger and WhatsApp phone page. */
  meta?: DemoMeta | undefined;
  /** With `liveperson`: its shop link and agent page. */
  liveperson?: DemoLivePerson | undefined;
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
  let sms: (DemoPart & { sms: DemoSms }) | undefined;
  let meta: (DemoPart & { meta: DemoMeta }) | undefined;
  let liveperson: (DemoPart & { liveperson: DemoLivePerson }) | undefined;
  const parts: DemoPart[] = [];
  const closeParts = async () => {
    for (const part of parts.splice(0).reverse()) await part.close().catch(() => undefined);
  };
  try {
    emulator = await listening(() => (opts.startEmulator ?? startBuiltEmulator)({ port: opts.emulatorPort, host: opts.host, webhookUrl: `${local}/webhooks/genesys/${DEMO_DESK}` }), opts.emulatorPort, '--emulator-port');
    const ctx = { host: opts.host, local };
    if (opts.sms) parts.push((sms = await smsPart(ctx, { twilioPort: opts.twilioPort ?? DEMO_PORTS.twilio, connectPort: opts.connectPort ?? DEMO_PORTS.connect, startTwilio: opts.startTwilio, startConnect: opts.startConnect })));
    if (opts.meta) parts.push((meta = await metaPart(ctx, { metaPort: opts.metaPort ?? DEMO_PORTS.meta, desk: DEMO_DESK, startMeta: opts.startMeta })));
    if (opts.liveperson) parts.push((liveperson = await livePersonPart(ctx, { port: opts.livePersonPort ?? DEMO_PORTS.liveperson, startLivePerson: opts.startLivePerson })));
    const c = emulator.credentials;
    const summary = Summary.parse(emulator.summary());
    const queue = summary.queues.find((q) => q.id === c.defaultQueueId);
    const passed = Object.fromEntries(PASSED_THROUGH.flatMap((k) => (env[k] ? [[k, env[k]]] : [])));
    // The data folder as the working folder: a parley.config.json wherever the demo was started is not read.
    const config = loadConfig({ LOG_LEVEL: 'warn', PARLEY_PUBLIC_URL: local, ...passed, PORT: String(opts.port), HOST: opts.host, PARLEY_DATA_DIR: dataDir, PARLEY_PRINT_SETUP: 'false' }, dataDir);
    config.switchboard = parseSwitchboard(
      {
        channels: Object.assign({ web: { type: 'web' } }, ...parts.map((p) => p.channels)),
        desks: Object.assign(
          {
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
          ...parts.map((p) => p.desks),
        ),
        routes: [...parts.flatMap((p) => p.routes), { channel: 'web', entryPoint: DEMO_ENTRY_POINT, desk: DEMO_DESK }, { channel: 'web', desk: 'inbox' }],
      },
      {},
      'parley demo',
    );
    parley = await createServer(config);
    const server = parley;
    await listening(() => listen(server, opts.port, opts.host), opts.port, '--port');
    for (const part of parts) await part.connected();
  } catch (e) {
    await parley?.close();
    await closeParts();
    await emulator?.close();
    removeData();
    throw e;
  }

  const base = parley.services.config.publicUrl;
  const shopUrl = `${base}/demo/?entryPoint=${DEMO_ENTRY_POINT}`;
  const agentUrl = `${emulator.url}/agent`;
  const webChatUrl = `${base}/webchat/?entryPoint=${DEMO_ENTRY_POINT}`;
  // Narrowed consts for the closures below (a `let` loses its narrowing inside them).
  const p = parley;
  const emu = emulator;
  const vendorDesks = [DEMO_DESK, ...(sms ? [DEMO_SMS_DESK] : []), ...(liveperson ? [DEMO_LP_DESK] : [])].map((d) => `"${d}"`);
  const desks = ['"inbox" (built in)', `${vendorDesks.join(', ')} (the emulator${vendorDesks.length > 1 ? 's' : ''})`];
  let closing: Promise<void> | undefined;
  return {
    parley: p,
    emulator: emu,
    shopUrl,
    agentUrl,
    webChatUrl,
    ...(sms ? { sms: sms.sms } : {}),
    ...(meta ? { meta: meta.meta } : {}),
    ...(liveperson ? { liveperson: liveperson.liveperson } : {}),
    dataDir,
    banner: () => [
      `Parley demo: a shop's chat widget answered in Genesys Cloud${liveperson ? ' and LivePerson' : ''}${meta ? ', with Messenger and WhatsApp' : ''}${sms ? ', and a phone answered in Amazon Connect' : ''} (${parts.length ? 'all ' : ''}emulated)`,
      `  Customer  ${shopUrl}   chat here as the customer`,
      `  Agent     ${agentUrl}   play the Genesys agent here`,
      `  Web chat  ${webChatUrl}   a watsonx-style assistant that hands you to that agent`,
      ...parts.flatMap((part) => part.links),
      '',
      `  Parley ${VERSION} on ${base}: desks ${desks.join(' and ')}; web chats opened with`,
      `    the entry point "${DEMO_ENTRY_POINT}" go to ${DEMO_DESK}, all others to the inbox.`,
      ...parts.flatMap((part) => part.about),
      `  Genesys Cloud emulator on ${emu.url}  (control API ${emu.url}/__control)`,
      ...(parts.length ? [] : ['  (parley demo --sms adds a phone texting through Twilio, answered in Amazon Connect; --meta adds Messenger and WhatsApp.)']),
      `  Data in ${dataDir}${temporary ? ' (removed on exit)' : ''}`,
      parts.length ? 'Ctrl-C stops them all.' : 'Ctrl-C stops both.',
    ],
    close() {
      // Parley first: its sockets and calls to the emulators end before the emulators go.
      closing ??= (async () => {
        try {
          await p.close();
        } finally {
          try {
            await closeParts();
          } finally {
            await emu.close();
            removeData();
          }
        }
      })();
      return closing;
    },
  };
}
