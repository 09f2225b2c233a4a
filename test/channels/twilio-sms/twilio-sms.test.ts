import { describe, expect, it } from 'vitest';
import { samplePng } from '../../../emulators/kit/png.js';
import { twilioSignature } from '../../../src/vendor/twilio-signature.js';
import { inboxScene } from '../../helpers/flows.js';
import { until } from '../../helpers/server.js';
import { twilioScene } from './helpers.js';

// The `twilio-sms` channel end to end against the Twilio emulator, the agent on Parley's inbox: texts and
// MMS both ways, long replies split in order, rich parts as readable text, status callbacks moving the
// status, an undelivered text and an opted-out number as delivery.failed the agent sees, STOP/START,
// forged and unsigned requests refused with nothing stored, a repeated webhook stored once, and Twilio's
// 429/500/timeouts retried until the text goes out once.

let n = 0;
const phone = () => `+1555300${String(++n).padStart(4, '0')}`;

const { scene, agent, events, accept, reply } = inboxScene(() => twilioScene({ env: { PARLEY_DEFAULT_ASSIGNMENT: 'manual' } }), { name: 'Ann', capacity: 50 });
const api = () => scene().ts.api;
const bodies = async (p: string) => (await scene().received(p)).map((m) => m.body as string);

/** A phone that texted, and the accepted conversation it opened. */
async function chat(first = 'Hello') {
  const p = phone();
  const sid = await scene().text(p, first);
  const id = await scene().conversationOf(sid);
  await accept(id);
  return { phone: p, id, sid };
}

describe('twilio-sms ↔ inbox', () => {
  it('a text opens a conversation on the sms channel; the agent’s reply is texted back and its status moves to delivered', async () => {
    const { phone: p, id } = await chat('Where is my order?');
    const [msg] = (await events(id)).filter((e) => e.kind === 'message');
    expect(msg).toMatchObject({ origin: 'channel', parts: [{ type: 'text', text: 'Where is my order?' }] });
    const conv = (await api().get(`/v1/agent/conversations/${id}`, agent().token)).body.conversation;
    expect(conv).toMatchObject({ channel: 'sms', desk: 'inbox' });
    const sent = (await reply(id, { text: 'On its way!' })).body.event;
    await until(async () => (await bodies(p)).includes('On its way!'), 8000, 'the text at the phone');
    const out = (await scene().received(p))[0];
    expect(out).toMatchObject({ from: scene().emu.credentials.number, to: p, direction: 'outbound-api' });
    await until(async () => (await events(id)).find((e) => e.id === sent.id)?.status === 'delivered', 8000, 'delivered');
    // The same phone texting again joins the same conversation.
    const again = await scene().text(p, 'Thanks');
    expect(await scene().conversationOf(again)).toBe(id);
  });

  it('MMS in: the image is copied into Parley (with the account’s credentials) and served by Parley', async () => {
    const png = samplePng(9, [0x20, 0x40, 0xc0]);
    const p = phone();
    const sid = await scene().text(p, 'see photo', [{ contentType: 'image/png', bytes: png }]);
    const id = await scene().conversationOf(sid);
    const msg = (await events(id)).find((e) => e.kind === 'message');
    expect(msg.parts[0]).toEqual({ type: 'text', text: 'see photo' });
    const media = msg.parts[1];
    expect(media).toMatchObject({ type: 'media', mime: 'image/png', size: png.length });
    expect(media.url.startsWith(scene().ts.url)).toBe(true);
    expect(Buffer.from(await (await fetch(media.url)).arrayBuffer()).equals(png)).toBe(true);
    // The emulator enforces HTTP auth on media URLs: Parley's fetch carried it.
    const fetchOfMedia = ((await scene().control('GET', '/requests?path=/Media/')).body.requests as any[]).at(-1);
    expect(fetchOfMedia.status).toBe(200);
  });

  it('a long reply is split into texts of at most 1,600 characters, in order; quick replies and buttons arrive as readable text', async () => {
    const { phone: p, id } = await chat();
    const words = Array.from({ length: 700 }, (_, i) => `word${i}`).join(' '); // ~5,000 characters
    await reply(id, { text: words });
    await until(async () => (await bodies(p)).length >= 4, 10_000, 'the parts at the phone');
    const got = await bodies(p);
    expect(got.every((b) => [...b].length <= 1600)).toBe(true);
    expect(got.join(' ')).toBe(words);
    await reply(id, { parts: [{ type: 'quick_replies', text: 'What is it about?', replies: [{ title: 'An order' }, { title: 'A bill' }] }] });
    await reply(id, { parts: [{ type: 'buttons', text: 'Track it', buttons: [{ title: 'Open tracking', url: 'https://track.example/1' }] }] });
    await until(async () => (await bodies(p)).length >= got.length + 2, 8000, 'the rich parts as text');
    expect((await bodies(p)).slice(-2)).toEqual(['What is it about?\n1. An order\n2. A bill', 'Track it\nOpen tracking: https://track.example/1']);
    const statuses = (await events(id)).filter((e) => e.kind === 'message' && e.origin === 'desk').map((e) => e.status);
    await until(async () => (await events(id)).filter((e) => e.kind === 'message' && e.origin === 'desk').every((e) => e.status === 'delivered'), 8000, 'all delivered');
    expect(statuses).toHaveLength(3);
  });

  it('an agent image goes out as MMS: the phone gets the same bytes', async () => {
    const { phone: p, id } = await chat();
    const png = samplePng(7, [0x90, 0x10, 0x90]);
    const up = await api().req('POST', '/v1/media', { token: agent().token, raw: png, contentType: 'image/png' });
    await reply(id, { parts: [{ type: 'media', mediaId: up.body.media.id, caption: 'your receipt' }] });
    const got = await until(async () => (await scene().received(p))[0], 8000, 'the MMS at the phone');
    expect(got.body).toBe('your receipt');
    expect(got.media[0].contentType).toBe('image/png');
    expect(Buffer.from(await (await fetch(got.media[0].url)).arrayBuffer()).equals(png)).toBe(true);
  });

  it('an undelivered text (the phone unreachable) is delivery.failed with Twilio’s reason, and the message shows failed', async () => {
    const { phone: p, id } = await chat();
    await scene().control('POST', `/twilio/phones/${encodeURIComponent(p)}/undeliverable`, { times: 1 });
    const sent = (await reply(id, { text: 'You will not get this' })).body.event;
    const failed = await until(async () => (await events(id)).find((e) => e.kind === 'delivery.failed'), 8000, 'delivery.failed');
    expect(failed).toMatchObject({ failedSeq: sent.seq, leg: 'channel', code: 'UNDELIVERED' });
    expect(failed.reason).toMatch(/unreachable.*Twilio 30003/);
    await until(async () => (await events(id)).find((e) => e.id === sent.id)?.status === 'failed', 8000, 'shown failed');
    expect(await bodies(p)).toEqual([]);
  });

  it('STOP ends the conversation; a later reply to the opted-out number is refused with a coded reason the agent sees; START lets texts through again', async () => {
    const { phone: p, id } = await chat();
    await scene().text(p, 'Stop');
    await until(async () => (await events(id)).some((e) => e.kind === 'conversation.ended'), 8000, 'the end');
    const ended = (await events(id)).find((e) => e.kind === 'conversation.ended');
    expect(ended).toMatchObject({ origin: 'channel' });
    expect(ended.reason).toMatch(/STOP/);
    expect((await reply(id, { text: 'wait!' })).status).toBe(409);
    // Twilio answered the keyword itself; Parley sent nothing.
    expect(await bodies(p)).toEqual([]);
    // The customer writes again without START: a new conversation, whose reply Twilio refuses (21610).
    const next = await scene().conversationOf(await scene().text(p, 'one more question'));
    expect(next).not.toBe(id);
    await accept(next);
    const refused = (await reply(next, { text: 'Sure, ask away' })).body.event;
    const failed = await until(async () => (await events(next)).find((e) => e.kind === 'delivery.failed'), 8000, 'delivery.failed');
    expect(failed).toMatchObject({ failedSeq: refused.seq, leg: 'channel', code: 'PARLEY_E_DELIVERY_REJECTED' });
    expect(failed.reason).toMatch(/opted out.*Twilio 21610/);
    // START: Twilio opts them back in; START alone is no message for the agent, and replies go out again.
    await scene().text(p, 'START');
    await until(async () => ((await scene().control('GET', '/twilio/opt-outs')).body.optedOut as string[]).includes(p) === false, 5000, 'opted in');
    expect((await events(next)).filter((e) => e.kind === 'message' && e.origin === 'channel').map((e) => e.parts[0].text)).toEqual(['one more question', 'START']);
    await reply(next, { text: 'Welcome back' });
    await until(async () => (await bodies(p)).includes('Welcome back'), 8000, 'the text after START');
  });

  it('START or HELP with no open conversation opens none', async () => {
    const p = phone();
    await scene().text(p, 'HELP');
    await scene().text(p, 'start');
    await scene().emu.webhooksIdle();
    const sids = ((await scene().control('GET', '/twilio/messages')).body.messages as any[]).filter((m) => m.from === p).map((m) => m.sid);
    expect(sids).toHaveLength(2);
    for (const sid of sids) expect(await scene().ts.server.services.hub.tx((tx) => tx.findByExternal({ adapter: 'sms', kind: 'message', externalId: sid }))).toBeUndefined();
  });

  it('the same webhook delivered again (and twice at once) is stored once', async () => {
    const { id, sid } = await chat('only once');
    await Promise.all([scene().control('POST', `/twilio/messages/${sid}/redeliver`), scene().control('POST', `/twilio/messages/${sid}/redeliver`)]);
    await scene().control('POST', `/twilio/messages/${sid}/redeliver`);
    await scene().emu.webhooksIdle();
    const deliveries = ((await scene().control('GET', `/webhooks?key=${sid}`)).body.deliveries as any[]).map((d) => d.attempts.at(-1)?.status);
    expect(deliveries).toEqual([200, 200, 200, 200]);
    expect((await events(id)).filter((e) => e.kind === 'message').map((e) => e.parts[0].text)).toEqual(['only once']);
  });

  it("Twilio's 429, 500 and a timeout are retried until the text goes out, once", async () => {
    const { phone: p, id } = await chat();
    const path = '/2010-04-01/Accounts/*/Messages.json';
    for (const rule of [
      { kind: 'rateLimit', retryAfterSeconds: 1, times: 1 },
      { kind: 'error', status: 500, times: 1 },
      { kind: 'hang', times: 1 },
    ]) {
      await scene().control('POST', '/faults', { path, method: 'POST', ...rule });
      await reply(id, { text: `through ${rule.kind}` });
      await until(async () => (await bodies(p)).includes(`through ${rule.kind}`), 10_000, `the text after ${rule.kind}`);
      await scene().control('DELETE', '/faults');
    }
    expect(await bodies(p)).toEqual(['through rateLimit', 'through error', 'through hang']);
    expect((await events(id)).some((e) => e.kind === 'delivery.failed')).toBe(false);
  });
});

describe('forged and unsigned Twilio requests', () => {
  const form = (p: Record<string, string>) => new URLSearchParams(p).toString();
  const post = (url: string, body: string, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body }).then(async (r) => ({ status: r.status, body: await r.json().catch(() => undefined) }));

  it('are refused with 401 and store nothing: unsigned, wrong token, tampered, signed for another URL, a forged status callback', async () => {
    const p = phone();
    const params = { MessageSid: `SM${'a'.repeat(32)}`, AccountSid: scene().emu.credentials.accountSid, From: p, To: scene().emu.credentials.number, Body: 'genuine', NumMedia: '0' };
    const body = form(params);
    const token = scene().emu.credentials.authToken;
    const good = twilioSignature(token, scene().webhookUrl, params);
    const attempts: [string, string, Record<string, string>][] = [
      ['unsigned', scene().webhookUrl, {}],
      ['wrong token', scene().webhookUrl, { 'x-twilio-signature': twilioSignature('not-the-token', scene().webhookUrl, params) }],
      ['tampered body', scene().webhookUrl, { 'x-twilio-signature': twilioSignature(token, scene().webhookUrl, { ...params, Body: 'other' }) }],
      // Signed for the URL Parley listens on, not the public URL configured at Twilio.
      ['another URL', `${scene().ts.url}/webhooks/twilio-sms/sms`, { 'x-twilio-signature': twilioSignature(token, `${scene().ts.url}/webhooks/twilio-sms/sms`, params) }],
      ['garbage', scene().webhookUrl, { 'x-twilio-signature': 'AAAA' }],
    ];
    for (const [what, url, headers] of attempts) {
      const r = await post(url, body, headers);
      expect({ what, status: r.status, code: r.body?.error?.code }).toEqual({ what, status: 401, code: 'PARLEY_E_WEBHOOK_SIGNATURE' });
    }
    // A forged failure for a real agent message: its status does not move.
    const { id } = await chat();
    const sent = (await reply(id, { text: 'real' })).body.event;
    await until(async () => (await events(id)).find((e) => e.id === sent.id)?.status === 'delivered', 8000, 'delivered');
    const status = { MessageSid: `SM${'b'.repeat(32)}`, AccountSid: scene().emu.credentials.accountSid, MessageStatus: 'undelivered', ErrorCode: '30003' };
    const callback = `${scene().webhookUrl}?parleyEvent=${sent.id}`;
    expect((await post(callback, form(status), { 'x-twilio-signature': twilioSignature('nope', callback, status) })).status).toBe(401);
    expect((await post(callback, form(status))).status).toBe(401);
    // The genuine signature goes through (the control case for the refusals above).
    expect((await post(scene().webhookUrl, body, { 'x-twilio-signature': good })).status).toBe(200);
    // Nothing from the forgeries: the one stored message is the genuine one; the agent message is still delivered.
    expect((await events(id)).some((e) => e.kind === 'delivery.failed')).toBe(false);
    const conv = await scene().conversationOf(params.MessageSid);
    expect((await events(conv)).filter((e) => e.kind === 'message').map((e) => e.parts[0].text)).toEqual(['genuine']);
  });
});
