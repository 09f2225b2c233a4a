import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastAgent, inboxScene } from '../../helpers/flows.js';
import { until } from '../../helpers/server.js';
import { messengerScene, type MessengerScene } from './helpers.js';

// The `messenger` channel end to end against the Meta emulator, the agent on Parley's inbox: Meta's GET
// handshake; forged, unsigned and tampered webhooks refused with nothing stored; a batch of several entries
// stored once each, and a retried webhook stored nothing new; another Page's entries and echoes ignored;
// postbacks, buttons, long replies; the customer's name from the profile API; the 24-hour window (refused
// before any call, the HUMAN_AGENT tag within 7 days where allowed, Meta's own refusal); a revoked token.

const { scene, agent, events, accept, reply } = inboxScene(() => messengerScene({ env: { PARLEY_DEFAULT_ASSIGNMENT: 'manual' } }), { name: 'Ann', capacity: 50 });
const api = () => scene().ts.api;
const received = async (psid: string) => (await scene().view(psid)).received as any[];
const texts = async (id: string) => (await events(id)).filter((e) => e.kind === 'message' && e.origin === 'channel').map((e) => e.parts.map((p: any) => p.text ?? p.type).join(' '));
const countAll = async () => {
  const db = scene().ts.server.services.hub.db;
  const [c, e] = await Promise.all([db.selectFrom('conversations').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst(), db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst()]);
  return { conversations: Number(c?.n), events: Number(e?.n) };
};

/** A new Messenger user who wrote, and the accepted conversation it opened. */
async function chat(first: Record<string, unknown> = { text: 'Hello' }, name?: string) {
  const psid = await scene().user(name);
  const mid = await scene().write(psid, first);
  const id = await scene().conversationOf(mid);
  await accept(id);
  return { psid, id, mid };
}

const sign = (body: string, secret = scene().emu.credentials.appSecret) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const post = (body: string, headers: Record<string, string>) =>
  fetch(scene().webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }).then(async (r) => ({ status: r.status, body: await r.text() }));
const pageEvent = (psid: string, mid: string, text: string, page = scene().emu.credentials.pageId) =>
  JSON.stringify({ object: 'page', entry: [{ id: page, time: Date.now(), messaging: [{ sender: { id: psid }, recipient: { id: page }, timestamp: Date.now(), message: { mid, text } }] }] });

describe("Meta's webhook handshake (GET)", () => {
  const get = (query: string) => fetch(`${scene().webhookUrl}?${query}`).then(async (r) => ({ status: r.status, body: await r.text() }));

  it('echoes the challenge for the verify token, and refuses everything else with 403, never a 5xx', async () => {
    const token = encodeURIComponent(scene().emu.credentials.verifyToken);
    expect(await get(`hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`)).toEqual({ status: 200, body: '1158201444' });
    for (const q of [
      `hub.mode=subscribe&hub.verify_token=wrong-token&hub.challenge=1`,
      `hub.mode=unsubscribe&hub.verify_token=${token}&hub.challenge=1`,
      `hub.mode=subscribe&hub.verify_token=${token}`,
      `hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=<script>`,
      `hub.mode=subscribe&hub.verify_token=${token}&hub.verify_token=${token}&hub.challenge=1`,
      '',
    ]) {
      const r = await get(q);
      expect({ q, status: r.status }).toEqual({ q, status: 403 });
    }
  });
});

describe('forged, unsigned and tampered webhooks', () => {
  it('are refused with 401 and store nothing', async () => {
    const before = await countAll();
    const body = pageEvent('9000000001', 'm_forged', 'genuine?');
    const attempts: [string, string, Record<string, string>][] = [
      ['unsigned', body, {}],
      ['wrong secret', body, { 'x-hub-signature-256': sign(body, 'not-the-app-secret') }],
      ['tampered', body.replace('genuine?', 'tampered'), { 'x-hub-signature-256': sign(body) }],
      ['sha1 only', body, { 'x-hub-signature': `sha1=${createHmac('sha1', scene().emu.credentials.appSecret).update(body).digest('hex')}` }],
      ['garbage', body, { 'x-hub-signature-256': 'sha256=zz' }],
      // Re-serialised JSON signs other bytes than Meta sent.
      ['re-serialised', JSON.stringify(JSON.parse(body), null, 1), { 'x-hub-signature-256': sign(body) }],
    ];
    for (const [what, b, headers] of attempts) {
      const r = await post(b, headers);
      expect({ what, status: r.status }).toEqual({ what, status: 401 });
      expect(JSON.parse(r.body).error.code).toBe('PARLEY_E_WEBHOOK_SIGNATURE');
    }
    expect(await countAll()).toEqual(before);
  });

  it('a signed body that is not JSON or not a Messenger webhook is a 4xx, and stores nothing', async () => {
    const before = await countAll();
    for (const b of ['{not json', '{"object":"page","entry":"x"}', '[]']) {
      const r = await post(b, { 'x-hub-signature-256': sign(b) });
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
    }
    expect(await countAll()).toEqual(before);
  });
});

describe('messenger ↔ inbox', () => {
  it("a batch of several entries stores every message once, in order; Meta's retry of it stores nothing new", async () => {
    const [a, b] = [await scene().user(), await scene().user()];
    const batch = await scene().control('POST', '/meta/batch', {
      app: 'messenger',
      entries: 2,
      messages: [
        { user: a, text: 'a1' },
        { user: b, text: 'b1' },
        { user: a, text: 'a2' },
        { user: b, text: 'b2' },
      ],
    });
    expect(batch.status).toBe(201);
    const [idA, idB] = [await scene().conversationOf(batch.body.ids[0]), await scene().conversationOf(batch.body.ids[1])];
    await until(async () => (await texts(idA)).length === 2 && (await texts(idB)).length === 2, 8000, 'all four stored');
    expect(await texts(idA)).toEqual(['a1', 'a2']);
    expect(await texts(idB)).toEqual(['b1', 'b2']);
    const before = await countAll();
    // The whole batch again (Meta retrying it), then a single message's webhook again.
    expect((await scene().control('POST', `/meta/messages/${batch.body.ids[0]}/redeliver`)).status).toBe(201);
    await scene().emu.webhooksIdle();
    expect(await countAll()).toEqual(before);
  });

  it('entries of another Page are not this channel’s, and echoes of the Page’s own sends are not customer messages', async () => {
    const before = await countAll();
    const other = pageEvent('9000000002', 'm_other_page', 'for another page', '123456789');
    expect((await post(other, { 'x-hub-signature-256': sign(other) })).status).toBe(200);
    expect(await countAll()).toEqual(before);
    const { psid, id } = await chat();
    await reply(id, { text: 'Echoed back by Meta' });
    await until(async () => (await received(psid)).length === 1, 8000, 'the reply at the customer');
    await scene().emu.webhooksIdle();
    const echoes = ((await scene().control('GET', '/webhooks')).body.deliveries as any[]).filter((d) => JSON.stringify(d).includes('is_echo'));
    expect(echoes.length).toBeGreaterThan(0);
    expect(await texts(id)).toEqual(['Hello']);
  });

  it("the customer's name comes from the profile API; postbacks from buttons reach the agent as the button's title", async () => {
    const { psid, id } = await chat({ text: 'Hi' }, 'Jane Doe');
    const conv = (await api().get(`/v1/agent/conversations/${id}`, agent().token)).body;
    expect(JSON.stringify(conv)).toContain('Jane Doe');
    await reply(id, { parts: [{ type: 'buttons', text: 'Track it?', buttons: [{ title: 'Track', payload: 'TRACK' }, { title: 'Open site', url: 'https://shop.example/t' }] }] });
    const tpl = await until(async () => (await received(psid)).find((m) => m.buttons), 8000, 'the button template');
    expect(tpl).toMatchObject({ text: 'Track it?', buttons: [{ type: 'postback', title: 'Track', payload: 'TRACK' }, { type: 'web_url', title: 'Open site', url: 'https://shop.example/t' }] });
    expect((await scene().control('POST', `/meta/messenger/users/${psid}/postbacks`, { title: 'Track', payload: 'TRACK' })).status).toBe(201);
    await until(async () => (await texts(id)).includes('Track'), 8000, 'the postback at the desk');
  });

  it('a long reply is split into messages of at most 2,000 characters, in order', async () => {
    const { psid, id } = await chat();
    const words = Array.from({ length: 700 }, (_, i) => `word${i}`).join(' '); // ~5,000 characters
    await reply(id, { text: words });
    await until(async () => (await received(psid)).length >= 3, 10_000, 'the pieces');
    const got = (await received(psid)).map((m) => m.text as string);
    expect(got.every((t) => t.length <= 2000)).toBe(true);
    expect(got.join(' ')).toBe(words);
  });
});

describe('the 24-hour window', () => {
  const HOUR = 3_600_000;
  const sendApiCalls = async (psid: string) => ((await scene().control('GET', '/requests?method=POST&path=/me/messages')).body.requests as any[]).filter((r) => JSON.stringify(r.body ?? '').includes(psid) && r.body?.message);

  it('a reply more than 24 h after the customer last wrote is refused before any call, with REPLY_WINDOW_CLOSED the agent sees', async () => {
    const { psid, id } = await chat({ text: 'Written yesterday', timestamp: Date.now() - 25 * HOUR });
    const sent = (await reply(id, { text: 'Too late' })).body.event;
    const failed = await until(async () => (await events(id)).find((e) => e.kind === 'delivery.failed'), 8000, 'delivery.failed');
    expect(failed).toMatchObject({ failedSeq: sent.seq, leg: 'channel', code: 'PARLEY_E_REPLY_WINDOW_CLOSED' });
    expect(failed.reason).toMatch(/24 hours/);
    expect(await sendApiCalls(psid)).toEqual([]);
    // Writing again reopens it.
    await scene().write(psid, { text: 'Back again' });
    await until(async () => (await texts(id)).includes('Back again'), 8000, 'the new message');
    await reply(id, { text: 'Now it goes' });
    await until(async () => (await received(psid)).some((m) => m.text === 'Now it goes'), 8000, 'the reply');
    expect((await received(psid)).find((m) => m.text === 'Now it goes')).toMatchObject({ messagingType: 'RESPONSE' });
  });

  it("Meta's own refusal (its clock says the window closed) is REPLY_WINDOW_CLOSED too", async () => {
    const { psid, id } = await chat();
    expect((await scene().control('POST', `/meta/messenger/users/${psid}/age`, { hours: 30 })).status).toBe(204);
    await reply(id, { text: 'Refused by Meta' });
    const failed = await until(async () => (await events(id)).find((e) => e.kind === 'delivery.failed'), 8000, 'delivery.failed');
    expect(failed).toMatchObject({ code: 'PARLEY_E_REPLY_WINDOW_CLOSED' });
    expect(failed.reason).toMatch(/2018278/);
  });
});

describe('with the Human Agent feature, and with a revoked token', () => {
  let hs: MessengerScene;
  let ann: { id: string; token: string };
  beforeAll(async () => {
    hs = await messengerScene({ channel: { humanAgentTag: true }, env: { PARLEY_DEFAULT_ASSIGNMENT: 'manual' } });
    ann = await fastAgent(hs.ts, { name: 'Ann', capacity: 50 });
  });
  afterAll(async () => hs?.stop());

  it('a reply 24 h to 7 days after the customer wrote goes out with the HUMAN_AGENT tag; after 7 days it is refused', async () => {
    const HOUR = 3_600_000;
    for (const [age, expectOut] of [
      [30, true],
      [8 * 24, false],
    ] as const) {
      const psid = await hs.user();
      const id = await hs.conversationOf(await hs.write(psid, { text: 'Old message', timestamp: Date.now() - age * HOUR }));
      expect((await hs.ts.api.post(`/v1/agent/conversations/${id}/accept`, {}, ann.token)).status).toBe(200);
      await hs.ts.api.post(`/v1/agent/conversations/${id}/messages`, { text: 'Following up', clientMessageId: `c-${age}` }, ann.token);
      const evs = async () => (await hs.ts.api.get(`/v1/agent/conversations/${id}/events`, ann.token)).body.events as any[];
      if (expectOut) {
        const got = await until(async () => (await hs.view(psid)).received[0], 8000, 'the tagged reply');
        expect(got).toMatchObject({ text: 'Following up', messagingType: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
      } else {
        const failed = await until(async () => (await evs()).find((e) => e.kind === 'delivery.failed'), 8000, 'delivery.failed');
        expect(failed).toMatchObject({ code: 'PARLEY_E_REPLY_WINDOW_CLOSED' });
        expect(failed.reason).toMatch(/7 days/);
      }
    }
  });

  it('a Page token Meta refuses (revoked, code 190) fails the reply for good with a reason that says what to fix', async () => {
    const bad = await messengerScene({ env: { PARLEY_DEFAULT_ASSIGNMENT: 'manual', TEST_META_PAGE_TOKEN: 'EAArevokedtoken000' } });
    try {
      const bob = await fastAgent(bad.ts, { name: 'Bob', capacity: 5 });
      const psid = await bad.user();
      const id = await bad.conversationOf(await bad.write(psid, { text: 'Hello' }));
      expect((await bad.ts.api.post(`/v1/agent/conversations/${id}/accept`, {}, bob.token)).status).toBe(200);
      await bad.ts.api.post(`/v1/agent/conversations/${id}/messages`, { text: 'Hi', clientMessageId: 'c-190' }, bob.token);
      const failed = await until(async () => ((await bad.ts.api.get(`/v1/agent/conversations/${id}/events`, bob.token)).body.events as any[]).find((e) => e.kind === 'delivery.failed'), 8000, 'delivery.failed');
      expect(failed).toMatchObject({ code: 'PARLEY_E_DELIVERY_REJECTED' });
      expect(failed.reason).toMatch(/access token.*190/);
      expect((await bad.view(psid)).received).toEqual([]);
    } finally {
      await bad.stop();
    }
  });
});
