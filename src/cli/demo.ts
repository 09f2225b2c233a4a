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
//
// `parley demo --sms` adds a phone answered in Amazon Connect, in the same Parley: the Twilio emulator (its
// phone page texts the number as a customer's phone) and the Amazon Connect emulator (its agent page plays
// the agent), a `twilio-sms` channel `sms` on the emulated number and a `connect` desk `connect`, and the
// route sms → connect. Wired as a user wires the real ones: the number's webhook is Parley's
// /webhooks/twilio-sms/sms (Twilio signs that URL with the Auth Token the channel holds), and Parley's
// /webhooks/connect/connect is subscribed to the streaming topic, Parley confirming the subscription itself.
// It is an option rather than part of every demo: two more emulators and ports for a story of its own.

export const DEMO_ENTRY_POINT = 'demo-genesys';
export const DEMO_DESK = 'genesys';
/** `--sms`: the channel instance texts arrive on, and the desk they go to. */
export const DEMO_SMS_CHANNEL = 'sms';
export const DEMO_SMS_DESK = 'connect';
/** Beside `npm start`'s 8080 and `parley emulate <vendor>`'s 9100/9110/9300, so the demo runs alongside them. */
export const DEMO_PORTS = { parley: 8090, emulator: 9190, twilio: 9191, connect: 9192 } as const;

/** What the demo uses of the Genesys emulator: a structural view, because src/ may not import emulators/. */
export interface DemoEmulator {
  url: string;
  credentials: { clientId: string; clientSecret: string; integrationId: string; integrationSecret: string; defaultQueueId: string };
  summary(): Record<string, unknown>;
  close(): Promise<void>;
}
export type StartDemoEmulator = (opts: { port: number; host: string; webhookUrl: string }) => Promise<DemoEmulator>;

/** What `--sms` uses of the Twilio emulator. */
export interface DemoTwilioEmulator {
  url: string;
  credentials: { accountSid: string; authToken: string; number: string };
  close(): Promise<void>;
}
export type StartDemoTwilio = (opts: { port: number; host: string; webhookUrl: string }) => Promise<DemoTwilioEmulator>;

/** What `--sms` uses of the Amazon Connect emulator. */
export interface DemoConnectEmulator {
  url: string;
  credentials: { region: string; accessKeyId: string; secretAccessKey: string; instanceId: string; contactFlowId: string; topicArns: string[] };
  close(): Promise<void>;
}
export type StartDemoConnect = (opts: { port: number; host: string }) => Promise<DemoConnectEmulator>;

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
}

/** The SMS part of a demo started with `sms`. */
export interface DemoSms {
  twilio: DemoTwilioEmulator;
  connect: DemoConnectEmulator;
  /** The Twilio emulator's phone page: text the number as the customer there. */
  phoneUrl: string;
  /** The Connect emulator's agent page: play the Amazon Connect agent there. */
  agentUrl: string;
}

export interface Demo {
  parley: ParleyServer;
  emulator: DemoEmulator;
  /** The demo shop, whose widget opens chats on the genesys desk: play the customer there. */
  shopUrl: string;
  /** The emulator's agent page: play the Genesys agent there. */
  agentUrl: string;
  /** With `sms`: the phone and the Amazon Connect agent. */
  sms?: DemoSms | undefined;
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

const startBuiltTwilio: StartDemoTwilio = async ({ port, host, webhookUrl }) => {
  const mod = await loadEmulator<{ startTwilioEmulator(o: { port: number; host: string; webhookUrl: string }): Promise<DemoTwilioEmulator> }>('twilio');
  return mod.startTwilioEmulator({ port, host, webhookUrl });
};

const startBuiltConnect: StartDemoConnect = async ({ port, host }) => {
  const mod = await loadEmulator<{ startConnectEmulator(o: { port: number; host: string }): Promise<DemoConnectEmulator> }>('connect');
  return mod.startConnectEmulator({ port, host });
};

/**
 * Subscribes Parley's SNS endpoint to the emulator's streaming topic (what a user does in the SNS console)
 * through its control API; the emulator answers once Parley confirmed the subscription.
 */
async function subscribeToTopic(connect: DemoConnectEmulator, endpoint: string): Promise<void> {
  const topic = connect.credentials.topicArns[0]!;
  const res = await fetch(`${connect.url}/__control/connect/topics/${encodeURIComponent(topic.split(':').pop()!)}/subscribe`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ endpoint }),
  });
  const body = (await res.json().catch(() => ({}))) as { confirmed?: boolean };
  if (res.status !== 200 || body.confirmed !== true) throw new ParleyError('CONFIG', `Parley did not confirm the Amazon Connect emulator's SNS subscription (${res.status}).`);
}

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
  let twilio: DemoTwilioEmulator | undefined;
  let connect: DemoConnectEmulator | undefined;
  let parley: ParleyServer | undefined;
  const smsWebhookUrl = `${local}/webhooks/twilio-sms/${DEMO_SMS_CHANNEL}`;
  try {
    emulator = await listening(() => (opts.startEmulator ?? startBuiltEmulator)({ port: opts.emulatorPort, host: opts.host, webhookUrl: `${local}/webhooks/genesys/${DEMO_DESK}` }), opts.emulatorPort, '--emulator-port');
    if (opts.sms) {
      const twilioPort = opts.twilioPort ?? DEMO_PORTS.twilio;
      const connectPort = opts.connectPort ?? DEMO_PORTS.connect;
      twilio = await listening(() => (opts.startTwilio ?? startBuiltTwilio)({ port: twilioPort, host: opts.host, webhookUrl: smsWebhookUrl }), twilioPort, '--twilio-port');
      connect = await listening(() => (opts.startConnect ?? startBuiltConnect)({ port: connectPort, host: opts.host }), connectPort, '--connect-port');
    }
    const c = emulator.credentials;
    const summary = Summary.parse(emulator.summary());
    const queue = summary.queues.find((q) => q.id === c.defaultQueueId);
    const passed = Object.fromEntries(PASSED_THROUGH.flatMap((k) => (env[k] ? [[k, env[k]]] : [])));
    // The data folder as the working folder: a parley.config.json wherever the demo was started is not read.
    const config = loadConfig({ LOG_LEVEL: 'warn', PARLEY_PUBLIC_URL: local, ...passed, PORT: String(opts.port), HOST: opts.host, PARLEY_DATA_DIR: dataDir, PARLEY_PRINT_SETUP: 'false' }, dataDir);
    const t = twilio;
    const cc = connect;
    config.switchboard = parseSwitchboard(
      {
        channels: {
          web: { type: 'web' },
          ...(t
            ? {
                [DEMO_SMS_CHANNEL]: {
                  type: 'twilio-sms',
                  accountSid: t.credentials.accountSid,
                  authToken: t.credentials.authToken,
                  from: t.credentials.number,
                  webhookUrl: smsWebhookUrl,
                  apiBaseUrl: t.url,
                },
              }
            : {}),
        },
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
          ...(cc
            ? {
                [DEMO_SMS_DESK]: {
                  type: 'connect',
                  region: cc.credentials.region,
                  endpoint: cc.url,
                  instanceId: cc.credentials.instanceId,
                  contactFlowId: cc.credentials.contactFlowId,
                  topicArn: cc.credentials.topicArns[0],
                  // The emulator signs SNS messages with a local certificate it serves itself.
                  snsTrustedHosts: [new URL(cc.url).host],
                  credentials: { accessKeyId: cc.credentials.accessKeyId, secretAccessKey: cc.credentials.secretAccessKey },
                },
              }
            : {}),
        },
        routes: [
          ...(t && cc ? [{ channel: DEMO_SMS_CHANNEL, desk: DEMO_SMS_DESK }] : []),
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
    if (connect) await subscribeToTopic(connect, `${local}/webhooks/connect/${DEMO_SMS_DESK}`);
  } catch (e) {
    await parley?.close();
    await connect?.close();
    await twilio?.close();
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
  const sms: DemoSms | undefined = twilio && connect ? { twilio, connect, phoneUrl: `${twilio.url}/phone`, agentUrl: `${connect.url}/agent` } : undefined;
  let closing: Promise<void> | undefined;
  return {
    parley: p,
    emulator: emu,
    shopUrl,
    agentUrl,
    sms,
    dataDir,
    banner: () => [
      sms ? `Parley demo: a shop's chat widget answered in Genesys Cloud, and a phone answered in Amazon Connect (all emulated)` : `Parley demo: a shop's chat widget, answered in Genesys Cloud (emulated)`,
      `  Customer  ${shopUrl}   chat here as the customer`,
      `  Agent     ${agentUrl}   play the Genesys agent here`,
      ...(sms
        ? [
            `  Phone     ${sms.phoneUrl}   text ${sms.twilio.credentials.number} here as the customer's phone`,
            `  Connect   ${sms.agentUrl}   play the Amazon Connect agent here`,
          ]
        : []),
      '',
      sms
        ? `  Parley ${VERSION} on ${base}: desks "inbox" (built in), "${DEMO_DESK}" and "${DEMO_SMS_DESK}" (the emulators); web chats opened with`
        : `  Parley ${VERSION} on ${base}: desks "inbox" (built in) and "${DEMO_DESK}" (the emulator); chats opened with`,
      `    the entry point "${DEMO_ENTRY_POINT}" go to ${DEMO_DESK}, all others to the inbox.`,
      ...(sms
        ? [
            `    Texts to ${sms.twilio.credentials.number} arrive on channel "${DEMO_SMS_CHANNEL}" (twilio-sms) and go to desk "${DEMO_SMS_DESK}" (Amazon Connect).`,
            `  Genesys Cloud emulator on ${emu.url}  (control API ${emu.url}/__control)`,
            `  Twilio emulator on ${sms.twilio.url}  (webhook ${smsWebhookUrl}; control API ${sms.twilio.url}/__control)`,
            `  Amazon Connect emulator on ${sms.connect.url}  (streaming to ${base}/webhooks/connect/${DEMO_SMS_DESK}; control API ${sms.connect.url}/__control)`,
          ]
        : [`  Genesys Cloud emulator on ${emu.url}  (control API ${emu.url}/__control)`, `  (parley demo --sms adds a phone texting through Twilio, answered in Amazon Connect.)`]),
      `  Data in ${dataDir}${temporary ? ' (removed on exit)' : ''}`,
      sms ? 'Ctrl-C stops them all.' : 'Ctrl-C stops both.',
    ],
    close() {
      // Parley first: its sockets and calls to the emulators end before the emulators go.
      closing ??= (async () => {
        try {
          await p.close();
        } finally {
          try {
            await sms?.connect.close();
            await sms?.twilio.close();
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
