import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTwilioEmulator, type TwilioEmulator, type TwilioEmulatorOptions } from '../../../emulators/twilio/main.js';
import { client } from '../../emulators/helpers.js';
import { startServer, until, type TestServer } from '../../helpers/server.js';

// A Parley server with a `twilio-sms` channel instance (`sms`) pointed at an in-process Twilio emulator,
// routed to the inbox desk. Twilio reaches Parley the way it does in production: through a public URL in
// front of it (a small forwarding proxy here, standing still across Parley restarts, whose URL is the
// channel's configured `webhookUrl` — the URL Twilio signs). The emulator plays the customer's phone.

export interface TwilioScene {
  /** The running Parley; a new one after `restart()`. */
  ts: TestServer;
  emu: TwilioEmulator;
  /** The public URL of Parley's Twilio webhook (the proxy). */
  webhookUrl: string;
  control(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** The phone texts the number (body and/or media); Twilio's MessageSid. */
  text(phone: string, body?: string, media?: { contentType: string; bytes: Buffer }[]): Promise<string>;
  /** What the phone received from the number (not Twilio's own keyword answers), in order. */
  received(phone: string): Promise<any[]>;
  /** The Parley conversation a Twilio message went to, once stored. */
  conversationOf(messageSid: string): Promise<string>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface SceneOptions {
  emulator?: TwilioEmulatorOptions;
  channel?: Record<string, unknown>;
  env?: Record<string, string>;
}

/** A forwarding proxy: the stable public address of whichever Parley runs now. */
async function publicProxy(target: () => string): Promise<{ url: string; close(): Promise<void> }> {
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

export async function twilioScene(opts: SceneOptions = {}): Promise<TwilioScene> {
  const emu = await startTwilioEmulator({ port: 0, statusDelayMs: 20, ...opts.emulator });
  let current: TestServer | undefined;
  const proxy = await publicProxy(() => current!.url);
  const webhookUrl = `${proxy.url}/webhooks/twilio-sms/sms`;
  await client(emu.url).control('PATCH', '/twilio/settings', { webhookUrl });
  const dir = mkdtempSync(join(tmpdir(), 'parley-twilio-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const file = join(dir, 'parley.config.json');
  const sms: Record<string, unknown> = {
    type: 'twilio-sms',
    accountSid: emu.credentials.accountSid,
    authToken: { env: 'TEST_TWILIO_AUTH_TOKEN' },
    from: emu.credentials.number,
    webhookUrl,
    apiBaseUrl: emu.url,
    attemptTimeoutMs: 1000,
    totalTimeoutMs: 2500,
  };
  // `null` removes a default setting (e.g. `from`, to send through a Messaging Service instead).
  for (const [k, v] of Object.entries(opts.channel ?? {})) {
    if (v === null) delete sms[k];
    else sms[k] = v;
  }
  writeFileSync(file, JSON.stringify({ channels: { web: { type: 'web' }, sms }, desks: { inbox: { type: 'inbox' } } }));
  const { control } = client(emu.url);
  const parley = () =>
    startServer({
      env: { PARLEY_CONFIG: file, TEST_TWILIO_AUTH_TOKEN: emu.credentials.authToken, PARLEY_DELIVERY_TIMEOUT_MS: '4000', ...opts.env },
      captureLogs: true,
      dataDir,
    });
  current = await parley();
  const scene: TwilioScene = {
    get ts() {
      return current!;
    },
    emu,
    webhookUrl,
    control,
    async text(phone, body, media) {
      const r = await control('POST', `/twilio/phones/${encodeURIComponent(phone)}/messages`, {
        ...(body !== undefined ? { body } : {}),
        ...(media ? { media: media.map((m) => ({ contentType: m.contentType, base64: m.bytes.toString('base64') })) } : {}),
      });
      if (r.status !== 201) throw new Error(`the phone could not text: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body.sid as string;
    },
    async received(phone) {
      return ((await control('GET', `/twilio/phones/${encodeURIComponent(phone)}/messages`)).body.received as any[]).filter((m) => !m.keywordReply);
    },
    async conversationOf(messageSid) {
      const hub = () => current!.server.services.hub;
      return until<string>(
        async () => {
          const eventId = await hub().tx((tx) => tx.findByExternal({ adapter: 'sms', kind: 'message', externalId: messageSid }));
          return (eventId ? (await hub().tx((tx) => tx.getEvent(eventId)))?.conversationId : undefined) as string;
        },
        8000,
        `the conversation of ${messageSid}`,
      );
    },
    async restart() {
      await current!.stop();
      current = await parley();
    },
    async stop() {
      await current?.stop();
      await emu.close();
      await proxy.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return scene;
}
