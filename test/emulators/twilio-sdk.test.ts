// The official `twilio` package (v6), unchanged, works against the emulator. The package builds every
// URL from its domain's `baseUrl` (lib/base/Domain.js: absoluteUrl; the `api` domain is
// "https://api.twilio.com", lib/rest/ApiBase.js), so pointing `client.api.baseUrl` at the emulator sends
// the SDK's own requests — form-encoded bodies, HTTP Basic auth, its User-Agent — there.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTwilioEmulator, type TwilioEmulator } from '../../emulators/twilio/main.js';
import { client as emulatorClient, until } from './helpers.js';
import { formReceiver } from './twilio-helpers.js';

interface MessageInstance {
  sid: string;
  status: string;
  body: string;
  to: string;
  from: string;
  numSegments: string;
  errorCode: number | null;
  dateCreated: Date;
}
interface TwilioClient {
  api: { baseUrl: string };
  messages: {
    create(p: Record<string, unknown>): Promise<MessageInstance>;
    (sid: string): { fetch(): Promise<MessageInstance> };
    list(p?: Record<string, unknown>): Promise<MessageInstance[]>;
  };
}
const twilio = createRequire(import.meta.url)('twilio') as ((sid: string, token: string, opts?: Record<string, unknown>) => TwilioClient) & {
  validateRequest(token: string, header: string, url: string, params: Record<string, string>): boolean;
};

let emu: TwilioEmulator;
let hook: Awaited<ReturnType<typeof formReceiver>>;
const PHONE = '+15551239999';

function sdkClient(user = emu.credentials.accountSid, pass = emu.credentials.authToken, opts: Record<string, unknown> = {}): TwilioClient {
  const c = twilio(user, pass, opts);
  c.api.baseUrl = emu.url;
  return c;
}

beforeAll(async () => {
  hook = await formReceiver();
  emu = await startTwilioEmulator({ port: 0, statusDelayMs: 10 });
});
afterAll(async () => {
  await emu.close();
  await hook.close();
});

describe('the official twilio package against the emulator', () => {
  it('sends a message with a status callback, fetches and lists it', async () => {
    const c = sdkClient();
    const callback = `${hook.base}/status`;
    const m = await c.messages.create({ to: PHONE, from: emu.credentials.number, body: 'Hello from the SDK', statusCallback: callback });
    expect(m).toMatchObject({ sid: expect.stringMatching(/^SM/), status: 'queued', to: PHONE, body: 'Hello from the SDK', numSegments: '1', errorCode: null });
    expect(m.dateCreated).toBeInstanceOf(Date);
    await until(() => hook.received.some((r) => r.params.MessageSid === m.sid && r.params.MessageStatus === 'delivered'), 'the delivered callback');
    for (const r of hook.received.filter((x) => x.params.MessageSid === m.sid)) expect(twilio.validateRequest(emu.credentials.authToken, String(r.headers['x-twilio-signature']), callback, r.params)).toBe(true);
    expect((await c.messages(m.sid).fetch()).status).toBe('delivered');
    expect((await c.messages.list({ to: PHONE })).map((x) => x.sid)).toContain(m.sid);
    const sdkRequest = ((await emulatorClient(emu.url).control('GET', '/requests?method=POST&path=Messages.json')).body.requests as any[]).at(-1);
    expect(sdkRequest.headers['user-agent']).toMatch(/^twilio-node\//);
  });

  it('sends MMS (MediaUrl repeated) and through a Messaging Service; an API key authenticates with accountSid', async () => {
    const c = sdkClient(emu.credentials.apiKeySid, emu.credentials.apiKeySecret, { accountSid: emu.credentials.accountSid });
    const png = `${emu.url}/__control/twilio/media/x/y`;
    const viaService = await c.messages.create({ to: PHONE, messagingServiceSid: emu.credentials.messagingServiceSid, body: 'pool', mediaUrl: [png, png] });
    expect(viaService).toMatchObject({ sid: expect.stringMatching(/^MM/), status: 'accepted' });
    const raw = (await emulatorClient(emu.url).control('GET', '/requests?method=POST&path=Messages.json')).body.requests.at(-1).body as string;
    expect(new URLSearchParams(raw).getAll('MediaUrl')).toEqual([png, png]);
  });

  it('rejects with the RestException Twilio would give: wrong credentials 20003, an invalid number 21211, an opted-out one 21610', async () => {
    await expect(sdkClient(emu.credentials.accountSid, 'wrong-token').messages.create({ to: PHONE, from: emu.credentials.number, body: 'x' })).rejects.toMatchObject({ status: 401, code: 20003 });
    const c = sdkClient();
    await expect(c.messages.create({ to: '12345', from: emu.credentials.number, body: 'x' })).rejects.toMatchObject({ status: 400, code: 21211, moreInfo: 'https://www.twilio.com/docs/errors/21211' });
    await emulatorClient(emu.url).control('POST', `/twilio/phones/${encodeURIComponent(PHONE)}/messages`, { body: 'STOP' });
    await expect(c.messages.create({ to: PHONE, from: emu.credentials.number, body: 'x' })).rejects.toMatchObject({ status: 400, code: 21610 });
  });
});
