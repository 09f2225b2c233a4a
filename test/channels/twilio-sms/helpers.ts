import { startTwilioEmulator, type TwilioEmulator, type TwilioEmulatorOptions } from '../../../emulators/twilio/main.js';
import { client } from '../../emulators/helpers.js';
import { conversationOfExternal, proxiedParley, proxiedScene, withSettings, type ChannelScene, type ChannelSceneOptions, type Control } from '../../helpers/scene.js';

// A Parley server with a `twilio-sms` channel instance (`sms`) pointed at an in-process Twilio emulator,
// routed to the inbox desk. Twilio reaches Parley the way it does in production: through a public URL in
// front of it (a small forwarding proxy here, standing still across Parley restarts, whose URL is the
// channel's configured `webhookUrl` — the URL Twilio signs). The emulator plays the customer's phone.

export interface TwilioScene extends ChannelScene<TwilioEmulator> {
  /** The phone texts the number (body and/or media); Twilio's MessageSid. */
  text(phone: string, body?: string, media?: { contentType: string; bytes: Buffer }[]): Promise<string>;
  /** What the phone received from the number (not Twilio's own keyword answers), in order. */
  received(phone: string): Promise<any[]>;
}

export type SceneOptions = ChannelSceneOptions<TwilioEmulatorOptions>;

export async function twilioScene(opts: SceneOptions = {}): Promise<TwilioScene> {
  const emu = await startTwilioEmulator({ port: 0, statusDelayMs: 20, ...opts.emulator });
  const parley = await proxiedParley('twilio-sms');
  const { webhookUrl } = parley;
  await client(emu.url).control('PATCH', '/twilio/settings', { webhookUrl });
  // `null` removes a default setting (e.g. `from`, to send through a Messaging Service instead).
  const sms = withSettings(twilioChannelSettings(emu, webhookUrl), opts.channel);
  await parley.start({ channels: { web: { type: 'web' }, sms }, desks: { inbox: { type: 'inbox' } } }, { TEST_TWILIO_AUTH_TOKEN: emu.credentials.authToken, ...opts.env });
  const { control } = client(emu.url);
  return proxiedScene<TwilioScene>(parley, emu, {
    control,
    ...twilioPhones(control),
    conversationOf: (messageSid) => conversationOfExternal(() => parley.ts, 'sms', messageSid),
  });
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

/** Play handsets through the Twilio emulator's control API: text (and MMS) the number, read what a phone received. */
export function twilioPhones(control: Control): Pick<TwilioScene, 'text' | 'received'> {
  return {
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
  };
}
