// The Twilio emulator on its own: the Messages API as Twilio documents it (auth, validation and error
// codes, the resource), status callbacks and incoming-message webhooks signed as Twilio signs them (judged
// by the official helper's validateRequest), MMS media, default STOP/START/HELP handling, the control API
// that plays the phone, and faults in Twilio's error shape.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTwilioEmulator, type TwilioEmulator } from '../../emulators/twilio/main.js';
import { client, until } from './helpers.js';
import { basic, formReceiver } from './twilio-helpers.js';

const twilio = createRequire(import.meta.url)('twilio') as { validateRequest(token: string, header: string, url: string, params: Record<string, string>): boolean };

let emu: TwilioEmulator;
let hook: Awaited<ReturnType<typeof formReceiver>>;
let api: ReturnType<typeof client>;
const PHONE = '+15551230001';
const phonePath = encodeURIComponent(PHONE);

beforeAll(async () => {
  hook = await formReceiver();
  emu = await startTwilioEmulator({ port: 0, webhookUrl: hook.url, statusDelayMs: 10 });
  api = client(emu.url);
});
afterAll(async () => {
  await emu.close();
  await hook.close();
});
beforeEach(async () => {
  await api.control('POST', '/reset');
  await api.control('PATCH', '/twilio/settings', { webhookUrl: hook.url, statusDelayMs: 10 });
  hook.received.length = 0;
  hook.answer(200);
});

const messagesPath = () => `/2010-04-01/Accounts/${emu.credentials.accountSid}/Messages.json`;
const auth = () => basic(emu.credentials.accountSid, emu.credentials.authToken);
async function send(params: Record<string, string | string[]>, authorization = auth(), path = messagesPath()) {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of [v].flat()) form.append(k, x);
  return api.request('POST', path, { raw: form.toString(), headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' } });
}
const received = async (phone = phonePath) => (await api.control('GET', `/twilio/phones/${phone}/messages`)).body.received as any[];
const signedOk = (r: { url: string; headers: Record<string, unknown>; params: Record<string, string> }, url: string) =>
  twilio.validateRequest(emu.credentials.authToken, String(r.headers['x-twilio-signature']), url, r.params);

describe('Messages API', () => {
  it('creates a message (201 queued), delivers it to the phone and can fetch it; the API key works too', async () => {
    const res = await send({ To: PHONE, From: emu.credentials.number, Body: 'Hello phone' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ sid: expect.stringMatching(/^SM[0-9a-f]{32}$/), status: 'queued', to: PHONE, from: emu.credentials.number, body: 'Hello phone', num_segments: '1', direction: 'outbound-api', error_code: null });
    await until(async () => (await received()).some((m) => m.body === 'Hello phone'), 'the phone receiving it');
    const fetched = await api.request('GET', `/2010-04-01/Accounts/${emu.credentials.accountSid}/Messages/${res.body.sid}.json`, { headers: { authorization: basic(emu.credentials.apiKeySid, emu.credentials.apiKeySecret) } });
    expect(fetched.status).toBe(200);
    expect(fetched.body).toMatchObject({ sid: res.body.sid, status: 'delivered' });
    const missing = await api.request('GET', `/2010-04-01/Accounts/${emu.credentials.accountSid}/Messages/SM${'0'.repeat(32)}.json`, { headers: { authorization: auth() } });
    expect(missing).toMatchObject({ status: 404, body: { code: 20404, status: 404 } });
  });

  it('refuses wrong or missing credentials with 401 (20003), and another account with 404', async () => {
    for (const authorization of [basic(emu.credentials.accountSid, 'wrong'), basic('ACnope', emu.credentials.authToken), 'Bearer x', '']) {
      const res = await send({ To: PHONE, From: emu.credentials.number, Body: 'x' }, authorization);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
    }
    const other = await send({ To: PHONE, From: emu.credentials.number, Body: 'x' }, auth(), `/2010-04-01/Accounts/AC${'f'.repeat(32)}/Messages.json`);
    expect(other).toMatchObject({ status: 404, body: { code: 20404 } });
  });

  it('validates as Twilio does, with its error codes', async () => {
    const from = emu.credentials.number;
    const cases: [Record<string, string | string[]>, number][] = [
      [{ From: from, Body: 'x' }, 21604],
      [{ To: '5551230001', From: from, Body: 'x' }, 21211],
      [{ To: '+1 555 123', From: from, Body: 'x' }, 21211],
      [{ To: PHONE, Body: 'x' }, 21603],
      [{ To: PHONE, From: '+15550000000', Body: 'x' }, 21606],
      [{ To: PHONE, MessagingServiceSid: `MG${'9'.repeat(32)}`, Body: 'x' }, 21701],
      [{ To: PHONE, From: from }, 21602],
      [{ To: PHONE, From: from, Body: 'x'.repeat(1601) }, 21617],
      [{ To: PHONE, From: from, Body: 'x', MediaUrl: 'ftp://x/y.png' }, 21620],
      [{ To: PHONE, From: from, Body: 'x', MediaUrl: Array.from({ length: 11 }, (_, i) => `https://x/${i}.png`) }, 21620],
      [{ To: PHONE, From: from, Body: 'x', StatusCallback: 'not a url' }, 21609],
    ];
    for (const [params, code] of cases) {
      const res = await send(params);
      expect({ status: res.status, code: res.body.code }, JSON.stringify(params).slice(0, 80)).toEqual({ status: 400, code });
    }
    // 1,600 characters is fine; a Messaging Service sends as "accepted".
    expect((await send({ To: PHONE, From: from, Body: 'y'.repeat(1600) })).body).toMatchObject({ status: 'queued', num_segments: '11' });
    expect((await send({ To: PHONE, MessagingServiceSid: emu.credentials.messagingServiceSid, Body: 'via service' })).body).toMatchObject({ status: 'accepted', messaging_service_sid: emu.credentials.messagingServiceSid });
  });

  it('posts signed status callbacks sent → delivered, or undelivered with an ErrorCode when the phone is unreachable', async () => {
    const callback = `${hook.base}/status?ref=1`;
    const ok = await send({ To: PHONE, From: emu.credentials.number, Body: 'track me', StatusCallback: callback });
    await until(() => hook.received.filter((r) => r.params.MessageSid === ok.body.sid).length === 2, 'two callbacks');
    const statuses = hook.received.filter((r) => r.params.MessageSid === ok.body.sid);
    expect(statuses.map((r) => r.params.MessageStatus)).toEqual(['sent', 'delivered']);
    for (const r of statuses) {
      expect(r.url).toBe('/status?ref=1');
      expect(signedOk(r, callback)).toBe(true);
      expect(r.params).toMatchObject({ AccountSid: emu.credentials.accountSid, SmsSid: ok.body.sid, To: PHONE, From: emu.credentials.number, ApiVersion: '2010-04-01' });
    }
    expect((await api.control('POST', `/twilio/phones/${phonePath}/undeliverable`, { times: 1 })).status).toBe(204);
    const lost = await send({ To: PHONE, From: emu.credentials.number, Body: 'lost', StatusCallback: callback });
    await until(() => hook.received.some((r) => r.params.MessageSid === lost.body.sid && r.params.MessageStatus === 'undelivered'), 'the undelivered callback');
    expect(hook.received.find((r) => r.params.MessageStatus === 'undelivered')?.params.ErrorCode).toBe('30003');
    const bodies = (await received()).map((m) => m.body);
    expect(bodies).toContain('track me');
    expect(bodies).not.toContain('lost');
    // Only the next one: the one after is delivered again.
    const next = await send({ To: PHONE, From: emu.credentials.number, Body: 'back', StatusCallback: callback });
    await until(() => hook.received.some((r) => r.params.MessageSid === next.body.sid && r.params.MessageStatus === 'delivered'), 'delivered again');
  });

  it('keeps the order of messages to one phone', async () => {
    for (const t of ['1', '2', '3', '4']) await send({ To: PHONE, From: emu.credentials.number, Body: t });
    await until(async () => (await received()).length === 4, 'four at the phone');
    expect((await received()).map((m) => m.body)).toEqual(['1', '2', '3', '4']);
  });

  it('fetches MediaUrl when it sends an MMS; the phone gets the bytes', async () => {
    const media = `${emu.url}/__control/twilio/media/none/none`; // a 404: the message fails with 11200
    const bad = await send({ To: PHONE, From: emu.credentials.number, MediaUrl: media, StatusCallback: `${hook.base}/status` });
    expect(bad.body.sid).toMatch(/^MM/);
    await until(() => hook.received.some((r) => r.params.MessageSid === bad.body.sid && r.params.MessageStatus === 'failed' && r.params.ErrorCode === '11200'), 'the failed MMS');
    // The phone sends an image in; the number sends the same image's URL back out.
    await api.control('POST', `/twilio/phones/${phonePath}/messages`, { image: true });
    const url = (await until(() => hook.received.find((r) => r.params.NumMedia === '1'), 'the MMS webhook')).params.MediaUrl0!;
    expect((await fetch(url)).status).toBe(401); // "Enforce HTTP Auth on Media URLs"
    const bytes = Buffer.from(await (await fetch(url, { headers: { authorization: auth() } })).arrayBuffer());
    await api.control('PATCH', '/twilio/settings', { mediaAuth: false });
    const out = await send({ To: '+15551230002', From: emu.credentials.number, Body: 'your picture', MediaUrl: url });
    expect(out.status).toBe(201);
    const got = await until(async () => (await received(encodeURIComponent('+15551230002')))[0], 'the MMS at the phone');
    expect(got.media).toHaveLength(1);
    expect(got.media[0].contentType).toBe('image/png');
    expect(Buffer.from(await (await fetch(got.media[0].url)).arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('answers an armed 429 with Retry-After and 20429, and 500s in its shape', async () => {
    await api.control('POST', '/faults', { path: '/2010-04-01/Accounts/*/Messages.json', method: 'POST', kind: 'rateLimit', retryAfterSeconds: 2, times: 1 });
    const limited = await send({ To: PHONE, From: emu.credentials.number, Body: 'x' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(limited.body).toMatchObject({ code: 20429, status: 429 });
    await api.control('POST', '/faults', { path: '/2010-04-01/Accounts/*/Messages.json', kind: 'error', status: 500, times: 1 });
    expect(await send({ To: PHONE, From: emu.credentials.number, Body: 'x' })).toMatchObject({ status: 500, body: { code: 20500 } });
    expect((await send({ To: PHONE, From: emu.credentials.number, Body: 'x' })).status).toBe(201);
  });
});

describe('the phone (control API) and incoming-message webhooks', () => {
  it('posts a signed form webhook with every documented parameter, and can deliver it again byte for byte', async () => {
    const sent = (await api.control('POST', `/twilio/phones/${phonePath}/messages`, { body: 'Where is my order? Grüße' })).body;
    const r = await until(() => hook.received.find((x) => x.params.MessageSid === sent.sid), 'the webhook');
    expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(r.headers['i-twilio-idempotency-token']).toEqual(expect.any(String));
    expect(r.params).toMatchObject({ MessageSid: sent.sid, SmsSid: sent.sid, SmsMessageSid: sent.sid, AccountSid: emu.credentials.accountSid, From: PHONE, To: emu.credentials.number, Body: 'Where is my order? Grüße', NumMedia: '0', NumSegments: '1', SmsStatus: 'received', ApiVersion: '2010-04-01' });
    expect(signedOk(r, hook.url)).toBe(true);
    expect(signedOk({ ...r, params: { ...r.params, Body: 'changed' } }, hook.url)).toBe(false);
    expect((await api.control('POST', `/twilio/messages/${sent.sid}/redeliver`)).status).toBe(201);
    await until(() => hook.received.filter((x) => x.params.MessageSid === sent.sid).length === 2, 'the retry');
    const [a, b] = hook.received.filter((x) => x.params.MessageSid === sent.sid);
    expect(b!.raw).toBe(a!.raw);
    expect(b!.headers['x-twilio-signature']).toBe(a!.headers['x-twilio-signature']);
    expect(b!.headers['i-twilio-idempotency-token']).toBe(a!.headers['i-twilio-idempotency-token']);
  });

  it('STOP opts the phone out (21610 on send) with Twilio’s reply; START opts back in; HELP gets help; each still reaches the webhook', async () => {
    await api.control('POST', `/twilio/phones/${phonePath}/messages`, { body: ' stop ' });
    await until(() => hook.received.some((r) => r.params.Body === ' stop '), 'STOP at the webhook');
    expect(hook.received.find((r) => r.params.Body === ' stop ')?.params.OptOutType).toBeUndefined();
    expect((await api.control('GET', '/twilio/opt-outs')).body.optedOut).toEqual([PHONE]);
    const refused = await send({ To: PHONE, From: emu.credentials.number, Body: 'still there?' });
    expect(refused).toMatchObject({ status: 400, body: { code: 21610, message: 'Attempt to send to unsubscribed recipient' } });
    expect((await received()).at(-1)?.body).toMatch(/successfully been unsubscribed/);
    await api.control('PATCH', '/twilio/settings', { advancedOptOut: true });
    await api.control('POST', `/twilio/phones/${phonePath}/messages`, { body: 'START' });
    await until(() => hook.received.some((r) => r.params.Body === 'START' && r.params.OptOutType === 'START'), 'START with OptOutType');
    expect((await send({ To: PHONE, From: emu.credentials.number, Body: 'welcome back' })).status).toBe(201);
    await api.control('POST', `/twilio/phones/${phonePath}/messages`, { body: 'help' });
    await until(async () => (await received()).some((m) => /Reply STOP to unsubscribe/.test(m.body) && !/re-subscribed/.test(m.body)), 'the HELP reply');
  });
});

describe('start and banner', () => {
  it('prints the API base, credentials, number and how to play a phone', async () => {
    const { start } = await import('../../emulators/twilio/main.js');
    const lines: string[] = [];
    const e = await start({ port: 0, webhookUrl: 'http://127.0.0.1:1/webhooks/twilio-sms/sms' }, (l) => lines.push(l));
    try {
      const text = lines.join('\n');
      for (const s of [`${e.url}/2010-04-01`, e.credentials.accountSid, e.credentials.authToken, e.credentials.apiKeySid, e.credentials.number, 'http://127.0.0.1:1/webhooks/twilio-sms/sms', '/__control/twilio/phones/']) expect(text).toContain(s);
    } finally {
      await e.close();
    }
  });
});
