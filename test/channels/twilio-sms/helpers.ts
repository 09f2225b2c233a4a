import { startTwilioEmulator, type TwilioEmulator, type TwilioEmulatorOptions } from '../../../emulators/twilio/main.js';
import { client } from '../../emulators/helpers.js';
import { proxiedParley } from '../../helpers/scene.js';
import { until, type TestServer } from '../../helpers/server.js';

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

export async function twilioScene(opts: SceneOptions = {}): Promise<TwilioScene> {
  const emu = await startTwilioEmulator({ port: 0, statusDelayMs: 20, ...opts.emulator });
  const parley = await proxiedParley('twilio-sms');
  const { webhookUrl } = parley;
  await client(emu.url).control('PATCH', '/twilio/settings', { webhookUrl });
  const sms = twilioChannelSettings(emu, webhookUrl);
  // `null` removes a default setting (e.g. `from`, to send through a Messaging Service instead).
  for (const [k, v] of Object.entries(opts.channel ?? {})) {
    if (v === null) delete sms[k];
    else sms[k] = v;
  }
  await parley.start({ channels: { web: { type: 'web' }, sms }, desks: { inbox: { type: 'inbox' } } }, { TEST_TWILIO_AUTH_TOKEN: emu.credentials.authToken, ...opts.env });
  const { control } = client(emu.url);
  const scene: TwilioScene = {
    get ts() {
      return parley.ts;
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
      const hub = () => parley.ts.server.services.hub;
      return until<string>(
        async () => {
          const eventId = await hub().tx((tx) => tx.findByExternal({ adapter: 'sms', kind: 'message', externalId: messageSid }));
          return (eventId ? (await hub().tx((tx) => tx.getEvent(eventId)))?.conversationId : undefined) as string;
        },
        8000,
        `the conversation of ${messageSid}`,
      );
    },
    restart: () => parley.restart(),
    stop: () => parley.stop(emu),
  };
  return scene;
}

/** A `twilio-sms` channel's settings for a Twilio emulator (token from TEST_TWILIO_AUTH_TOKEN), with test timeouts. */
export function twilioChannelSettings(emu: { url: string; credentials: { accountSid: string; number: string } }, webhookUrl: string): Record<string, unknown> {
  return {
    type: 'twilio-sms',
    accountSid: emu.credentials.accountSid,
    authToken: { env: 'TEST_TWILIO_AUTH_TOKEN' },
    from: emu.credentials.number,
    webhookUrl,
    apiBaseUrl: emu.url,
    attemptTimeoutMs: 1000,
    totalTimeoutMs: 2500,
  };
}
