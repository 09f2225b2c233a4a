import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePng } from '../../../emulators/kit/png.js';
import { metaJson } from '../../../emulators/meta/outbound.js';
import { DEFAULT_QUEUE } from '../../../src/hub/admin.js';
import { sendProactive } from '../../../src/hub/proactive.js';
import { stored } from '../../contract/kit.js';
import { fastAgent, inboxScene } from '../../helpers/flows.js';
import { sleep, until } from '../../helpers/server.js';
import { INSTANCE, shown, whatsappScene, type WhatsAppScene } from './helpers.js';

// The `whatsapp` channel end to end against the Meta emulator's WhatsApp Cloud API, the agent on Parley's
// inbox: Meta's GET handshake; forged, unsigned and tampered webhooks refused with nothing stored; a batch of
// several entries stored once each, and again nothing new when Meta delivers it again; media both ways (the
// same bytes), locations, contacts, reactions, reply buttons and lists; statuses delivered, read and failed
// (worded for the agent); mark-read and the typing indicator; the 24-hour window (refused without a
// template, the template instead with one); Meta's 429 and 500s retried until the message goes once.

const HOUR = 3_600_000;

const { scene, agent, events, accept, reply: inboxReply } = inboxScene(() => whatsappScene({ env: { PARLEY_DEFAULT_ASSIGNMENT: 'manual' } }), { name: 'Ann', capacity: 100 });
const api = () => scene().ts.api;
/** The agent's reply, taken (201): its event. */
const reply = async (id: string, body: { text?: string; parts?: unknown[] }) => {
  const r = await inboxReply(id, body);
  expect(r.status).toBe(201);
  return r.body.event;
};
const received = async (waId: string) => (await scene().view(waId)).received as any[];
const customerMessages = async (id: string) => (await events(id)).filter((e) => e.kind === 'message' && e.origin === 'channel');

/** A WhatsApp user who wrote, and the accepted conversation they opened. */
async function chat(first: Record<string, unknown> = { text: 'Hello' }) {
  const waId = await scene().user('Ada Lovelace');
  const wamid = await scene().write(waId, first);
  const id = await scene().conversationOf(wamid);
  await accept(id);
  return { waId, id, wamid };
}

/** A webhook body as Meta would send it for one text from `waId`. */
function textWebhook(waId: string, wamid: string, body: string): string {
  const c = scene().emu.credentials;
  return metaJson({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: c.wabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: c.displayPhoneNumber, phone_number_id: c.phoneNumberId },
              contacts: [{ profile: { name: 'Mallory' }, wa_id: waId }],
              messages: [{ from: waId, id: wamid, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body } }],
            },
          },
        ],
      },
    ],
  });
}
const sign = (secret: string, body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const post = (body: string, headers: Record<string, string>) => fetch(scene().webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
/** A business-started message to a WhatsApp number on the `wa` channel (as the proactive API sends it, aimed at this channel). */
async function proactive(sc: WhatsAppScene, waId: string, text: string) {
  const r = await sendProactive(sc.ts.server.services.hub, {
    contact: (tx) => tx.ensureContactForIdentity('phone', `+${waId}`, { verified: false }),
    channel: INSTANCE,
    defaultQueue: DEFAULT_QUEUE,
    parts: [{ type: 'text', text }],
    author: { role: 'business', name: 'ACME' },
    source: 'proactive:test',
    key: `pm-${Math.random()}`,
  });
  return { id: r.conversation.id, event: r.events.find((e) => e.kind === 'message')! };
}
const contactOf = (waId: string) => scene().ts.server.services.hub.tx((tx) => tx.findContactByIdentity('phone', `+${waId}`));

describe('whatsapp: the webhook', () => {
  it("answers Meta's GET handshake only with the verify token: the challenge echoed, anything else 403, never a 5xx", async () => {
    const token = scene().emu.credentials.verifyToken;
    const get = (q: string) => fetch(`${scene().webhookUrl}${q}`);
    const ok = await get(`?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('1158201444');
    for (const q of [
      `?hub.mode=subscribe&hub.verify_token=wrong-token-123&hub.challenge=1`,
      `?hub.mode=unsubscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1`,
      `?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}`,
      `?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=%3Cscript%3E`,
      '',
    ]) {
      expect((await get(q)).status, q).toBe(403);
    }
  });

  it('forged, unsigned and tampered webhooks are refused with 401, and nothing is stored', async () => {
    const secret = scene().emu.credentials.appSecret;
    const waId = '15550009901';
    const body = textWebhook(waId, 'wamid.forged1', 'Send me the money');
    const tampered = body.replace('Send me the money', 'Send me the MONEY');
    const cases: [string, string, Record<string, string>][] = [
      ['forged (another secret)', body, { 'x-hub-signature-256': sign('not-the-app-secret', body) }],
      ['unsigned', body, {}],
      ['legacy SHA-1 only', body, { 'x-hub-signature': `sha1=${createHmac('sha1', secret).update(body).digest('hex')}` }],
      ['tampered after signing', tampered, { 'x-hub-signature-256': sign(secret, body) }],
      ['garbage signature', body, { 'x-hub-signature-256': 'sha256=zz' }],
    ];
    for (const [what, b, h] of cases) expect((await post(b, h)).status, what).toBe(401);
    expect(await scene().eventOf('wamid.forged1')).toBeUndefined();
    expect(await contactOf(waId)).toBeUndefined();
    // The same body, signed: stored once.
    expect((await post(body, { 'x-hub-signature-256': sign(secret, body) })).status).toBe(200);
    expect(await scene().eventOf('wamid.forged1')).toBeDefined();
  });

  it('a batched webhook with several entries stores every message once, in order; delivered again, nothing new', async () => {
    const [u1, u2, u3] = [await scene().user(), await scene().user(), await scene().user()];
    const r = await scene().control('POST', '/meta/batch', {
      app: 'whatsapp',
      entries: 3,
      messages: [
        { user: u1, text: 'b1' },
        { user: u2, text: 'b2' },
        { user: u1, text: 'b3' },
        { user: u3, text: 'b4' },
        { user: u2, text: 'b5' },
        { user: u1, text: 'b6' },
      ],
    });
    expect(r.status).toBe(201);
    const ids = r.body.ids as string[];
    const convs = await Promise.all(ids.map((w) => scene().conversationOf(w)));
    const texts = async (id: string) => (await customerMessages(id)).map((e) => e.parts[0].text);
    expect(await texts(convs[0]!)).toEqual(['b1', 'b3', 'b6']);
    expect(await texts(convs[1]!)).toEqual(['b2', 'b5']);
    expect(await texts(convs[3]!)).toEqual(['b4']);
    const before = await Promise.all(convs.map(async (c) => (await events(c)).length));
    expect((await scene().control('POST', `/meta/messages/${encodeURIComponent(ids[0]!)}/redeliver`)).status).toBe(201);
    await scene().idle();
    expect(await Promise.all(convs.map(async (c) => (await events(c)).length))).toEqual(before);
  });

  it('a single webhook Meta retries is stored once; the contact is the phone number (+wa_id), named from the profile', async () => {
    const { waId, id, wamid } = await chat({ text: 'Only once' });
    for (let i = 0; i < 3; i++) await scene().control('POST', `/meta/messages/${encodeURIComponent(wamid)}/redeliver`);
    await scene().idle();
    expect((await customerMessages(id)).map((e) => e.parts[0].text)).toEqual(['Only once']);
    const contact = await contactOf(waId);
    expect(contact).toMatchObject({ name: 'Ada Lovelace' });
    const conv = (await api().get(`/v1/agent/conversations/${id}`, agent().token)).body.conversation;
    expect(conv).toMatchObject({ channel: INSTANCE, desk: 'inbox', contactId: contact!.id });
  });
});

describe('whatsapp: messages both ways', () => {
  it("text out; its status moves delivered → read as Meta reports; long texts split in order", async () => {
    const { waId, id } = await chat();
    const sent = await reply(id, { text: 'On its way!' });
    await until(async () => (await events(id)).find((e) => e.id === sent.id)?.status === 'delivered', 8000, 'delivered');
    expect(await received(waId)).toMatchObject([{ type: 'text', text: 'On its way!' }]);
    await scene().control('POST', `/meta/whatsapp/users/${waId}/read`);
    await until(async () => (await events(id)).find((e) => e.id === sent.id)?.status === 'read', 8000, 'read');
    const long = `${'word '.repeat(1000)}end`;
    await reply(id, { text: long });
    await until(async () => (await received(waId)).length >= 3, 8000, 'the long text in pieces');
    const pieces = (await received(waId)).slice(1).map((m) => m.text as string);
    expect(pieces.every((p) => p.length <= 4096)).toBe(true);
    expect(pieces.join(' ')).toBe(long);
  });

  it('media in: fetched through the media id with the token at once, the same bytes served by Parley; media out by link, the same bytes', async () => {
    const png = samplePng(10, [0x20, 0x80, 0x40]);
    const { waId, id } = await chat({ media: { type: 'image', contentType: 'image/png', base64: png.toString('base64'), caption: 'my receipt' } });
    const [msg] = await customerMessages(id);
    expect(msg.parts).toMatchObject([{ type: 'media', mime: 'image/png', caption: 'my receipt' }]);
    expect(Buffer.from(await (await fetch(msg.parts[0].url)).arrayBuffer()).equals(png)).toBe(true);
    // The download carried the token (the emulator's media URLs answer 401 without it).
    const log = (await scene().control('GET', '/requests')).body;
    expect(JSON.stringify(log)).toContain('whatsapp_business/attachments');

    const out = samplePng(14, [0x90, 0x10, 0x10]);
    const up = await api().req('POST', '/v1/media', { token: agent().token, raw: out, contentType: 'image/png' });
    await reply(id, { parts: [{ type: 'media', mediaId: up.body.media.id, caption: 'here is yours' }] });
    const m = await until(async () => (await received(waId)).find((x) => x.media && x.status !== 'failed'), 8000, 'the image at the user');
    expect(m).toMatchObject({ type: 'image', media: { type: 'image', contentType: 'image/png', caption: 'here is yours' } });
    expect(Buffer.from(await (await fetch(m.media.url)).arrayBuffer()).equals(out)).toBe(true);
  });

  it('locations both ways; contacts and reactions in as short readable text', async () => {
    const { waId, id } = await chat({ location: { latitude: 52.52, longitude: 13.405, name: 'Brandenburg Gate', address: 'Pariser Platz' } });
    expect((await customerMessages(id))[0].parts).toEqual([{ type: 'location', lat: 52.52, lng: 13.405, name: 'Brandenburg Gate', address: 'Pariser Platz' }]);
    await reply(id, { parts: [{ type: 'location', lat: 48.8584, lng: 2.2945, name: 'Our shop' }] });
    await until(async () => (await received(waId)).some((m) => m.location), 8000, 'the location at the user');
    expect((await received(waId))[0].location).toEqual({ latitude: 48.8584, longitude: 2.2945, name: 'Our shop' });

    await scene().write(waId, { contacts: [{ name: { formatted_name: 'Grace Hopper', first_name: 'Grace' }, phones: [{ phone: '+1 555 010 9999', type: 'WORK' }], emails: [{ email: 'grace@example.com' }] }] });
    const agentWamid = (await received(waId))[0].id as string;
    await scene().write(waId, { reaction: { messageId: agentWamid, emoji: '👍' } });
    // A reaction taken back (empty emoji) is not stored.
    await scene().write(waId, { reaction: { messageId: agentWamid, emoji: '' } });
    await scene().write(waId, { text: 'after' });
    await until(async () => (await customerMessages(id)).length >= 4, 8000, 'contacts, reaction and text');
    expect((await customerMessages(id)).slice(1).map((e) => e.parts[0].text)).toEqual([
      '[contact: Grace Hopper, +1 555 010 9999, grace@example.com]',
      '[reacted 👍 to "[location: Our shop 48.8584,2.2945]"]',
      'after',
    ]);
  });

  it('quick replies go as reply buttons (≤ 3) or a list (more); the tap reaches the agent as its title; buttons with a link as text', async () => {
    const { waId, id } = await chat();
    await reply(id, { parts: [{ type: 'quick_replies', text: 'Which one?', replies: [{ title: 'An order', payload: 'ORDER' }, { title: 'A bill', payload: 'BILL' }] }] });
    const buttons = await until(async () => (await received(waId)).find((m) => m.interactive), 8000, 'the buttons');
    expect(buttons.interactive).toMatchObject({ type: 'button', body: 'Which one?', buttons: [{ id: 'ORDER', title: 'An order' }, { id: 'BILL', title: 'A bill' }] });
    await scene().write(waId, { buttonReply: { id: 'BILL', title: 'A bill' } });

    const many = ['Shoes', 'Shirts', 'Trousers', 'Hats', 'Socks and other small things for the feet'].map((title) => ({ title }));
    await reply(id, { parts: [{ type: 'quick_replies', text: 'What are you after?', replies: many }] });
    const list = await until(async () => (await received(waId)).find((m) => m.interactive?.type === 'list'), 8000, 'the list');
    expect(shown(list)).toEqual({ text: 'What are you after?', choices: ['Shoes', 'Shirts', 'Trousers', 'Hats', 'Socks and other small t…'] });
    await scene().write(waId, { listReply: { id: 'Hats', title: 'Hats' } });

    await reply(id, { parts: [{ type: 'buttons', text: 'Track it', buttons: [{ title: 'Open tracking', url: 'https://example.com/track/1' }] }] });
    await until(async () => (await received(waId)).some((m) => m.text?.includes('https://example.com/track/1')), 8000, 'the link as text');
    await until(async () => (await customerMessages(id)).length >= 3, 8000, 'the taps at the desk');
    expect((await customerMessages(id)).map((e) => e.parts[0].text)).toEqual(['Hello', 'A bill', 'Hats']);
  });

  it("the agent reading marks the customer's messages read; the agent typing shows WhatsApp's typing indicator", async () => {
    const { waId, id, wamid } = await chat();
    const second = await scene().write(waId, { text: 'Are you there?' });
    await until(async () => (await customerMessages(id)).length >= 2, 8000, 'the second message');
    expect((await scene().view(waId)).readByBusiness).not.toContain(second);
    const lastSeq = (await api().get(`/v1/agent/conversations/${id}/events`, agent().token)).body.lastSeq;
    expect((await api().post(`/v1/agent/conversations/${id}/read`, { seq: lastSeq }, agent().token)).status).toBeLessThan(300);
    await until(async () => ((await scene().view(waId)).readByBusiness as string[]).includes(second), 8000, 'marked read');
    expect((await scene().view(waId)).readByBusiness).toContain(wamid);
    expect((await scene().view(waId)).typing).toBe(false);
    await api().post(`/v1/agent/conversations/${id}/typing`, { typing: true }, agent().token);
    await until(async () => (await scene().view(waId)).typing === true, 8000, 'the typing indicator');
  });
});

describe('whatsapp: failures', () => {
  it("a `failed` status fails the agent's message with WhatsApp's reason worded for the agent (131047: the window closed at Meta)", async () => {
    const { waId, id } = await chat();
    await scene().control('POST', `/meta/whatsapp/users/${waId}/age`, { hours: 25 });
    const sent = await reply(id, { text: 'Too late?' });
    const failed = await until(async () => (await events(id)).find((e) => e.kind === 'delivery.failed' && e.failedSeq === sent.seq), 8000, 'delivery.failed');
    expect(failed).toMatchObject({ leg: 'channel', code: 'REPLY_WINDOW_CLOSED' });
    expect(failed.reason).toMatch(/24 hours.*131047/);
    expect((await events(id)).find((e) => e.id === sent.id)?.status).toBe('failed');
  });

  it('a reply after the 24-hour window (by Parley’s clock) without a template is refused before any call with REPLY_WINDOW_CLOSED', async () => {
    const { waId, id } = await chat({ text: 'Yesterday’s question', timestamp: Date.now() - 25 * HOUR });
    const calls = async () => ((await scene().control('GET', '/requests')).body.requests as any[]).filter((r) => r.method === 'POST' && /\/messages$/.test(r.path)).length;
    const before = await calls();
    const sent = await reply(id, { text: 'Sorry for the wait' });
    const failed = await until(async () => (await events(id)).find((e) => e.kind === 'delivery.failed' && e.failedSeq === sent.seq), 8000, 'delivery.failed');
    expect(failed.code).toMatch(/REPLY_WINDOW_CLOSED/);
    expect(failed.reason).toMatch(/24 hours.*replyTemplate/);
    expect(await received(waId)).toEqual([]);
    expect(await calls()).toBe(before);
  });

  it('a business-started message to a number that never wrote, without a template: REPLY_WINDOW_CLOSED, nothing sent', async () => {
    const waId = await scene().user('Never Wrote');
    const { id, event } = await proactive(scene(), waId, 'Your order is ready');
    const failed = await until(async () => (await stored(scene().ts, id)).events.find((e: any) => e.kind === 'delivery.failed'), 8000, 'delivery.failed');
    expect(failed).toMatchObject({ code: expect.stringMatching(/REPLY_WINDOW_CLOSED/), failedSeq: event.seq });
    expect(await received(waId)).toEqual([]);
  });

  it("Meta's 429 and 500s are retried until the message goes, once", async () => {
    const { waId, id } = await chat();
    await scene().control('POST', '/faults', { path: '/v*/*/messages', method: 'POST', kind: 'rateLimit', retryAfterSeconds: 1, times: 1 });
    await scene().control('POST', '/faults', { path: '/v*/*/messages', method: 'POST', kind: 'error', status: 500, times: 2 });
    await reply(id, { text: 'one' });
    await reply(id, { text: 'two' });
    await until(async () => (await received(waId)).length >= 2, 10_000, 'both at the user');
    await sleep(300);
    expect((await received(waId)).map((m) => m.text)).toEqual(['one', 'two']);
    expect((await events(id)).some((e) => e.kind === 'delivery.failed')).toBe(false);
    expect(((await scene().control('GET', '/faults')).body.faults as any[]).map((f) => f.injected)).toEqual([1, 2]);
    await scene().control('DELETE', '/faults');
  });
});

describe('whatsapp: the reply template outside the window', () => {
  let t: WhatsAppScene;
  let ann: { token: string };
  beforeAll(async () => {
    t = await whatsappScene({
      env: { PARLEY_DEFAULT_ASSIGNMENT: 'manual' },
      channel: { replyTemplate: { name: 'follow_up', language: 'en_US', parameters: ['agentText'] } },
    });
    ann = await fastAgent(t.ts, { name: 'Ann', capacity: 10 });
  });
  afterAll(async () => t?.stop());

  it('the configured template goes instead of the free-form message, its parameter the agent’s text; the agent’s message is sent, then delivered', async () => {
    const waId = await t.user('Ada');
    const id = await t.conversationOf(await t.write(waId, { text: 'Old question', timestamp: Date.now() - 30 * HOUR }));
    expect((await t.ts.api.post(`/v1/agent/conversations/${id}/accept`, {}, ann.token)).status).toBe(200);
    const r = await t.ts.api.post(`/v1/agent/conversations/${id}/messages`, { text: 'Your refund\nwas approved.', clientMessageId: 'tpl-1' }, ann.token);
    expect(r.status).toBe(201);
    const got = await until(async () => ((await t.view(waId)).received as any[]).find((m) => m.template), 8000, 'the template at the user');
    expect(got).toMatchObject({
      type: 'template',
      template: { name: 'follow_up', language: 'en_US', parameters: ['Your refund was approved.'], text: 'Hi, this is a follow-up on your request: Your refund was approved.. Reply to continue the conversation.' },
    });
    expect(((await t.view(waId)).received as any[]).some((m) => m.type === 'text')).toBe(false);
    await until(async () => ((await t.ts.api.get(`/v1/agent/conversations/${id}/events`, ann.token)).body.events as any[]).find((e) => e.id === r.body.event.id)?.status === 'delivered', 8000, 'delivered');
    // Once the customer writes again the window is open: free-form again.
    await t.write(waId, { text: 'Thanks!' });
    await until(async () => ((await t.ts.api.get(`/v1/agent/conversations/${id}/events`, ann.token)).body.events as any[]).filter((e) => e.kind === 'message' && e.origin === 'channel').length >= 2, 8000, 'the answer');
    await t.ts.api.post(`/v1/agent/conversations/${id}/messages`, { text: 'You are welcome', clientMessageId: 'tpl-2' }, ann.token);
    await until(async () => ((await t.view(waId)).received as any[]).some((m) => m.text === 'You are welcome'), 8000, 'free-form again');
  });

  it('a business-started message takes the template path too (the number never wrote: no window)', async () => {
    const waId = await t.user('New Customer');
    await proactive(t, waId, 'Your order #42 is ready for pickup');
    const got = await until(async () => ((await t.view(waId)).received as any[]).find((m) => m.template), 8000, 'the template at the user');
    expect(got.template).toMatchObject({ name: 'follow_up', parameters: ['Your order #42 is ready for pickup'] });
    expect(got.status).not.toBe('failed');
  });
});
