// The Meta emulator on its own: the GET handshake that subscribes a callback, webhooks signed over the exact
// bytes (with Meta's \uXXXX escaping), the Messenger Send API's validation (window, HUMAN_AGENT, sender
// actions, lengths, recipients, tokens), echoes and deliveries, the WhatsApp Cloud API (statuses, the 24-hour
// window failing asynchronously with 131047, templates, media upload/download with expiring URLs, inbound
// media), batching, redelivery, retries and faults in Graph's error shape.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { banner, startMetaEmulator, type MetaEmulator } from '../../emulators/meta/main.js';
import { client, until } from './helpers.js';

interface Hit {
  headers: IncomingHttpHeaders;
  raw: string;
  json: any;
}

/** A Meta webhook receiver: answers the GET handshake per `handshake`, records POSTs, answers from a script. */
async function metaReceiver(verifyToken: () => string) {
  const posts: Hit[] = [];
  let script: number[] = [];
  let handshake: 'good' | 'wrong-body' = 'good';
  const server = createServer((req, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET') {
      const ok = url.searchParams.get('hub.mode') === 'subscribe' && url.searchParams.get('hub.verify_token') === verifyToken();
      if (!ok) return void res.writeHead(403).end('Forbidden');
      return void res.writeHead(200, { 'content-type': 'text/plain' }).end(handshake === 'good' ? url.searchParams.get('hub.challenge') : 'OK');
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      posts.push({ headers: req.headers, raw, json: JSON.parse(raw) });
      const status = script.shift() ?? 200;
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/meta`,
    posts,
    respond: (...s: number[]) => (script = s),
    handshake: (mode: 'good' | 'wrong-body') => (handshake = mode),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

let emu: MetaEmulator;
let hook: Awaited<ReturnType<typeof metaReceiver>>;
let api: ReturnType<typeof client>;
const V = '/v25.0';

beforeAll(async () => {
  emu = await startMetaEmulator({ port: 0, deliveryDelayMs: 20, webhook: { timeoutMs: 1000, retries: 3, delayMs: 20 } });
  hook = await metaReceiver(() => emu.credentials.verifyToken);
  api = client(emu.url);
});
afterAll(async () => {
  await emu.close();
  await hook.close();
});
beforeEach(async () => {
  await api.control('POST', '/reset');
  hook.posts.length = 0;
  hook.respond();
  hook.handshake('good');
  for (const app of ['messenger', 'whatsapp']) expect((await api.control('POST', '/meta/subscribe', { app, callbackUrl: hook.url })).body).toEqual({ verified: true });
});

const sig256 = (raw: string) => 'sha256=' + createHmac('sha256', emu.credentials.appSecret).update(raw).digest('hex');
const sig1 = (raw: string) => 'sha1=' + createHmac('sha1', emu.credentials.appSecret).update(raw).digest('hex');
const messaging = () => hook.posts.filter((p) => p.json.object === 'page').flatMap((p) => p.json.entry.flatMap((e: any) => e.messaging));
const statuses = () => hook.posts.filter((p) => p.json.object === 'whatsapp_business_account').flatMap((p) => p.json.entry.flatMap((e: any) => e.changes.flatMap((c: any) => c.value.statuses ?? [])));

async function messengerUser(name = 'Ada Lovelace', write = true) {
  const psid = (await api.control('POST', '/meta/messenger/users', { name })).body.psid as string;
  if (write) await api.control('POST', `/meta/messenger/users/${psid}/messages`, { text: 'hello' });
  await emu.webhooksIdle();
  return psid;
}
async function waUser(name = 'Grace Hopper', write = true) {
  const waId = (await api.control('POST', '/meta/whatsapp/users', { name })).body.waId as string;
  if (write) await api.control('POST', `/meta/whatsapp/users/${waId}/messages`, { text: 'hello' });
  await emu.webhooksIdle();
  return waId;
}
const mSend = (body: unknown, token = emu.credentials.pageAccessToken) => api.request('POST', `${V}/me/messages?access_token=${encodeURIComponent(token)}`, { body });
const waSend = (body: unknown, token = emu.credentials.whatsappToken) => api.request('POST', `${V}/${emu.credentials.phoneNumberId}/messages`, { body, token });

describe('webhook subscription (GET handshake)', () => {
  it('subscribes only a callback that answers 200 with the challenge for the right verify token', async () => {
    // A callback that expects another verify token answers 403.
    const other = await metaReceiver(() => 'not-the-token');
    try {
      const bad = await api.control('POST', '/meta/subscribe', { app: 'messenger', callbackUrl: other.url });
      expect(bad.body).toMatchObject({ verified: false, status: 403 });
      // The right token but the challenge not echoed.
      hook.handshake('wrong-body');
      const wrongBody = await api.control('POST', '/meta/subscribe', { app: 'whatsapp', callbackUrl: hook.url });
      expect(wrongBody.body).toMatchObject({ verified: false, status: 200, body: 'OK' });
      const settings = (await api.control('GET', '/meta/settings')).body;
      expect(settings.subscriptions.messenger).toBe(hook.url); // unchanged by the failed attempts
    } finally {
      await other.close();
    }
  });

  it('keeps events while unsubscribed (delivery null)', async () => {
    await api.control('POST', '/reset');
    const psid = await messengerUser('X', false);
    const res = await api.control('POST', `/meta/messenger/users/${psid}/messages`, { text: 'nobody listens' });
    expect(res).toMatchObject({ status: 201, body: { mid: expect.stringMatching(/^m_/), delivery: null } });
  });
});

describe('signed webhooks', () => {
  it('signs the exact bytes (sha256 and legacy sha1) and escapes unicode like Meta', async () => {
    const psid = await messengerUser();
    hook.posts.length = 0;
    const res = await api.control('POST', `/meta/messenger/users/${psid}/messages`, { text: 'Grüße 👋 https://x/y' });
    expect(res.status).toBe(201);
    const post = await until(() => hook.posts.find((p) => p.json.entry?.[0]?.messaging?.[0]?.message?.mid === res.body.mid), 'the message webhook');
    expect(post.headers['x-hub-signature-256']).toBe(sig256(post.raw));
    expect(post.headers['x-hub-signature']).toBe(sig1(post.raw));
    expect(post.headers['content-type']).toBe('application/json');
    expect(post.raw).toContain('Gr\\u00fc\\u00dfe \\ud83d\\udc4b');
    expect(post.raw).not.toMatch(/[^\x00-\x7f]/);
    expect(post.json.entry[0].messaging[0]).toMatchObject({ sender: { id: psid }, recipient: { id: emu.credentials.pageId }, message: { text: 'Grüße 👋 https://x/y' } });
    // A receiver that re-serialises breaks the signature.
    expect(sig256(JSON.stringify(post.json))).not.toBe(post.headers['x-hub-signature-256']);
  });

  it('retries a failing receiver with the same bytes, and redelivers byte for byte', async () => {
    const waId = await waUser();
    hook.posts.length = 0;
    hook.respond(500, 500);
    const { wamid } = (await api.control('POST', `/meta/whatsapp/users/${waId}/messages`, { text: 'retry me' })).body;
    await emu.webhooksIdle();
    const tries = hook.posts.filter((p) => p.raw.includes(wamid));
    expect(tries).toHaveLength(3);
    expect(new Set(tries.map((t) => t.raw)).size).toBe(1);
    const again = await api.control('POST', `/meta/messages/${wamid}/redeliver`);
    expect(again).toMatchObject({ status: 201, body: { delivery: wamid } });
    await emu.webhooksIdle();
    const all = hook.posts.filter((p) => p.raw.includes(wamid));
    expect(all).toHaveLength(4);
    expect(all[3]!.raw).toBe(all[0]!.raw);
    expect(all[3]!.headers['x-hub-signature-256']).toBe(all[0]!.headers['x-hub-signature-256']);
    const log = (await api.control('GET', `/webhooks?key=${encodeURIComponent(wamid)}`)).body.deliveries;
    expect(log[0].attempts.map((a: any) => a.status)).toEqual([500, 500, 200]);
  });

  it('batches several messages into one POST over two entries', async () => {
    const a = await messengerUser('A');
    const b = await messengerUser('B');
    hook.posts.length = 0;
    const res = await api.control('POST', '/meta/batch', { app: 'messenger', entries: 2, messages: [{ user: a, text: 'one' }, { user: b, text: 'two' }, { user: a, text: 'three' }] });
    expect(res.status).toBe(201);
    await emu.webhooksIdle();
    expect(hook.posts).toHaveLength(1);
    const entry = hook.posts[0]!.json.entry;
    expect(entry).toHaveLength(2);
    expect(entry.flatMap((e: any) => e.messaging.map((m: any) => m.message.mid))).toEqual(res.body.ids);

    const w1 = await waUser('W1');
    const w2 = await waUser('W2');
    hook.posts.length = 0;
    const wa = await api.control('POST', '/meta/batch', { app: 'whatsapp', entries: 2, messages: [{ user: w1, text: 'x' }, { user: w2, text: 'y' }] });
    await emu.webhooksIdle();
    expect(hook.posts).toHaveLength(1);
    expect(hook.posts[0]!.json.entry).toHaveLength(2);
    expect(hook.posts[0]!.json.entry.flatMap((e: any) => e.changes.flatMap((c: any) => c.value.messages.map((m: any) => m.id)))).toEqual(wa.body.ids);
  });
});

describe('Messenger Send API', () => {
  it('sends, echoes and reports delivery; the user sees it and reads it', async () => {
    const psid = await messengerUser();
    hook.posts.length = 0;
    const res = await mSend({ recipient: { id: psid }, messaging_type: 'RESPONSE', message: { text: 'Hi there', quick_replies: [{ content_type: 'text', title: 'Yes', payload: 'Y' }] } });
    expect(res).toMatchObject({ status: 200, body: { recipient_id: psid, message_id: expect.stringMatching(/^m_/) } });
    const mid = res.body.message_id;
    const delivery = await until(() => messaging().find((e: any) => e.delivery), 'the delivery event');
    expect(delivery.delivery.mids).toEqual([mid]);
    const echo = messaging().find((e: any) => e.message?.is_echo);
    expect(echo).toMatchObject({ sender: { id: emu.credentials.pageId }, recipient: { id: psid }, message: { is_echo: true, app_id: Number(emu.credentials.appId), mid, text: 'Hi there' } });
    const user = (await api.control('GET', `/meta/messenger/users/${psid}`)).body;
    expect(user.received).toMatchObject([{ mid, text: 'Hi there', messagingType: 'RESPONSE', quickReplies: [{ title: 'Yes', payload: 'Y' }] }]);
    const read = await api.control('POST', `/meta/messenger/users/${psid}/read`);
    expect(read.status).toBe(201);
    const r = await until(() => messaging().find((e: any) => e.read), 'the read event');
    expect(r.read.watermark).toBe(user.received[0].timestamp);
    await api.control('PATCH', '/meta/settings', { echoes: false });
    hook.posts.length = 0;
    await mSend({ recipient: { id: psid }, messaging_type: 'RESPONSE', message: { text: 'no echo' } });
    await until(() => messaging().find((e: any) => e.delivery), 'the second delivery');
    expect(messaging().some((e: any) => e.message?.is_echo)).toBe(false);
  });

  it('validates like Meta: token, recipient, sender action alone, text length, window, tags', async () => {
    const psid = await messengerUser();
    const ok = { recipient: { id: psid }, messaging_type: 'RESPONSE', message: { text: 'x' } };
    const bad = await mSend(ok, 'EAAwrong');
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 190, type: 'OAuthException', fbtrace_id: expect.any(String) } } });
    expect((await api.request('POST', `${V}/me/messages`, { body: ok })).body.error.code).toBe(190);
    expect((await mSend({ ...ok, recipient: { id: '999' } })).body.error).toMatchObject({ code: 100, error_subcode: 2018001, message: '(#100) No matching user found' });
    expect((await mSend({ recipient: { id: psid }, sender_action: 'typing_on', message: { text: 'x' } })).body.error.code).toBe(100);
    expect((await mSend({ ...ok, message: { text: 'x'.repeat(2001) } })).body.error.code).toBe(100);
    expect((await mSend({ ...ok, message: { text: 'x'.repeat(2000) } })).status).toBe(200);
    expect((await mSend({ recipient: { id: psid }, message: { text: 'x' } })).body.error.code).toBe(100); // messaging_type required
    expect((await mSend({ ...ok, messaging_type: 'MESSAGE_TAG', tag: 'PROMO' })).body.error.code).toBe(100);
    const typing = await mSend({ recipient: { id: psid }, sender_action: 'typing_on' });
    expect(typing).toMatchObject({ status: 200, body: { recipient_id: psid } });
    expect((await api.control('GET', `/meta/messenger/users/${psid}`)).body.typing).toBe(true);

    await api.control('POST', `/meta/messenger/users/${psid}/age`, { hours: 25 });
    const closed = await mSend(ok);
    expect(closed).toMatchObject({ status: 400, body: { error: { code: 10, error_subcode: 2018278, message: expect.stringContaining('(#10) This message is sent outside of allowed window.') } } });
    const human = { ...ok, messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' };
    expect((await mSend(human)).status).toBe(200);
    await api.control('PATCH', '/meta/settings', { humanAgent: false });
    expect((await mSend(human)).body.error).toMatchObject({ code: 10 });
    await api.control('PATCH', '/meta/settings', { humanAgent: true });
    await api.control('POST', `/meta/messenger/users/${psid}/age`, { hours: 24 * 6 });
    const late = await mSend(human);
    expect(late.body.error).toMatchObject({ code: 10, error_subcode: 2018278 });
    expect((await mSend({ ...ok, messaging_type: 'MESSAGE_TAG', tag: 'ACCOUNT_UPDATE' })).status).toBe(200);
  });

  it('downloads attachment URLs at send time (failure: 2018047) and serves inbound attachments without auth', async () => {
    const psid = await messengerUser();
    const failed = await mSend({ recipient: { id: psid }, messaging_type: 'RESPONSE', message: { attachment: { type: 'image', payload: { url: `${emu.url}/cdn/fbcdn/nope` } } } });
    expect(failed.body.error).toMatchObject({ code: 100, error_subcode: 2018047 });
    const inbound = await api.control('POST', `/meta/messenger/users/${psid}/messages`, { image: true });
    const event = await until(() => messaging().find((e: any) => e.message?.mid === inbound.body.mid), 'the image');
    const url = event.message.attachments[0].payload.url;
    const img = await fetch(url);
    expect(img.status).toBe(200);
    expect(img.headers.get('content-type')).toBe('image/png');
    const sent = await mSend({ recipient: { id: psid }, messaging_type: 'RESPONSE', message: { attachment: { type: 'image', payload: { url, is_reusable: true } } } });
    expect(sent.status).toBe(200);
    const profile = await api.request('GET', `${V}/${psid}?fields=first_name,last_name,profile_pic&access_token=${emu.credentials.pageAccessToken}`);
    expect(profile.body).toMatchObject({ first_name: 'Ada', last_name: 'Lovelace', id: psid });
  });
});

describe('WhatsApp Cloud API', () => {
  it('sends a text: sent, delivered, then read when the user reads', async () => {
    const waId = await waUser();
    hook.posts.length = 0;
    const res = await waSend({ messaging_product: 'whatsapp', to: `+${waId}`, type: 'text', text: { body: 'Hello Grace' }, biz_opaque_callback_data: 'ev_tracking_1' });
    expect(res).toMatchObject({ status: 200, body: { messaging_product: 'whatsapp', contacts: [{ input: `+${waId}`, wa_id: waId }], messages: [{ id: expect.stringMatching(/^wamid\./) }] } });
    const id = res.body.messages[0].id;
    await until(() => statuses().some((s: any) => s.id === id && s.status === 'delivered'), 'delivered');
    const sent = statuses().find((s: any) => s.status === 'sent');
    expect(sent).toMatchObject({ id, recipient_id: waId, biz_opaque_callback_data: 'ev_tracking_1', conversation: { id: expect.any(String), origin: { type: 'service' } }, pricing: { category: 'service' } });
    expect(statuses().map((s: any) => s.status)).toEqual(['sent', 'delivered']);
    expect((await api.control('POST', `/meta/whatsapp/users/${waId}/read`)).status).toBe(201);
    await until(() => statuses().some((s: any) => s.status === 'read'), 'read');
    const user = (await api.control('GET', `/meta/whatsapp/users/${waId}`)).body;
    expect(user.received).toMatchObject([{ id, type: 'text', status: 'read', text: 'Hello Grace' }]);
  });

  it('accepts a free-form message outside the 24-hour window, then fails it with 131047; templates still go', async () => {
    const waId = await waUser();
    await api.control('POST', `/meta/whatsapp/users/${waId}/age`, { hours: 25 });
    hook.posts.length = 0;
    const res = await waSend({ messaging_product: 'whatsapp', to: waId, type: 'text', text: { body: 'late' } });
    expect(res.status).toBe(200);
    const failed = await until(() => statuses().find((s: any) => s.status === 'failed'), 'the failed status');
    expect(failed).toMatchObject({ id: res.body.messages[0].id, errors: [{ code: 131047, title: 'Re-engagement message', message: 'Re-engagement message', error_data: { details: expect.stringContaining('24 hours') } }] });
    const tpl = await waSend({ messaging_product: 'whatsapp', to: waId, type: 'template', template: { name: 'follow_up', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'order 42' }] }] } });
    expect(tpl.status).toBe(200);
    await until(() => statuses().some((s: any) => s.id === tpl.body.messages[0].id && s.status === 'delivered'), 'template delivered');
    const user = (await api.control('GET', `/meta/whatsapp/users/${waId}`)).body;
    expect(user.received.find((m: any) => m.template)?.template).toMatchObject({ name: 'follow_up', parameters: ['order 42'], text: expect.stringContaining('order 42') });
    const unknown = await waSend({ messaging_product: 'whatsapp', to: waId, type: 'template', template: { name: 'nope', language: { code: 'en_US' } } });
    expect(unknown).toMatchObject({ status: 400, body: { error: { code: 132001, error_data: { messaging_product: 'whatsapp', details: expect.any(String) } } } });
    const count = await waSend({ messaging_product: 'whatsapp', to: waId, type: 'template', template: { name: 'follow_up', language: { code: 'en_US' } } });
    expect(count.body.error.code).toBe(132000);
  });

  it('validates requests and tokens', async () => {
    const waId = await waUser();
    expect((await waSend({ messaging_product: 'whatsapp', to: waId, text: { body: 'x' } }, 'bad')).status).toBe(401);
    expect((await waSend({ messaging_product: 'whatsapp', to: waId, text: { body: 'x' } }, 'bad')).body.error.code).toBe(190);
    expect((await waSend({ to: waId, text: { body: 'x' } })).body.error.code).toBe(100);
    expect((await waSend({ messaging_product: 'whatsapp', to: waId, text: { body: 'x'.repeat(4097) } })).status).toBe(400);
    const dupButtons = { type: 'button', body: { text: 'Pick' }, action: { buttons: [{ type: 'reply', reply: { id: 'a', title: 'A' } }, { type: 'reply', reply: { id: 'a', title: 'B' } }] } };
    expect((await waSend({ messaging_product: 'whatsapp', to: waId, type: 'interactive', interactive: dupButtons })).status).toBe(400);
    const buttons = { ...dupButtons, action: { buttons: [{ type: 'reply', reply: { id: 'a', title: 'A' } }, { type: 'reply', reply: { id: 'b', title: 'B' } }] } };
    expect((await waSend({ messaging_product: 'whatsapp', to: waId, type: 'interactive', interactive: buttons })).status).toBe(200);
    const inbound = (await api.control('GET', `/meta/whatsapp/users/${waId}`)).body.sent[0].id;
    const read = await waSend({ messaging_product: 'whatsapp', status: 'read', message_id: inbound, typing_indicator: { type: 'text' } });
    expect(read).toMatchObject({ status: 200, body: { success: true } });
    expect((await api.control('GET', `/meta/whatsapp/users/${waId}`)).body).toMatchObject({ typing: true, readByBusiness: [inbound] });
  });

  it('uploads media, hands out an expiring URL that needs the token, and carries inbound media ids', async () => {
    const form = new FormData();
    form.set('messaging_product', 'whatsapp');
    form.set('type', 'image/png');
    form.set('file', new Blob([Buffer.from('PNGDATA')], { type: 'image/png' }), 'x.png');
    const up = await fetch(`${emu.url}${V}/${emu.credentials.phoneNumberId}/media`, { method: 'POST', headers: { authorization: `Bearer ${emu.credentials.whatsappToken}` }, body: form });
    const { id } = (await up.json()) as { id: string };
    expect(id).toMatch(/^\d+$/);
    const info = await api.request('GET', `${V}/${id}`, { token: emu.credentials.whatsappToken });
    expect(info.body).toMatchObject({ messaging_product: 'whatsapp', mime_type: 'image/png', file_size: 7, id, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const withToken = await fetch(info.body.url, { headers: { authorization: `Bearer ${emu.credentials.whatsappToken}` } });
    expect(withToken.status).toBe(200);
    expect(Buffer.from(await withToken.arrayBuffer()).toString()).toBe('PNGDATA');
    expect((await fetch(info.body.url)).status).toBe(401);
    await api.control('PATCH', '/meta/settings', { mediaUrlTtlSeconds: 0 });
    const short = (await api.request('GET', `${V}/${id}`, { token: emu.credentials.whatsappToken })).body.url;
    await new Promise((r) => setTimeout(r, 1100));
    expect((await fetch(short, { headers: { authorization: `Bearer ${emu.credentials.whatsappToken}` } })).status).toBe(404);
    const fresh = (await api.request('GET', `${V}/${id}`, { token: emu.credentials.whatsappToken })).body.url;
    expect(fresh).not.toBe(short);

    const waId = await waUser();
    const sent = await waSend({ messaging_product: 'whatsapp', to: waId, type: 'image', image: { id, caption: 'yours' } });
    expect(sent.status).toBe(200);
    hook.posts.length = 0;
    const { wamid } = (await api.control('POST', `/meta/whatsapp/users/${waId}/messages`, { image: true, text: 'look' })).body;
    const post = await until(() => hook.posts.find((p) => p.raw.includes(wamid)), 'inbound image');
    const msg = post.json.entry[0].changes[0].value.messages[0];
    expect(msg).toMatchObject({ from: waId, id: wamid, type: 'image', image: { caption: 'look', mime_type: 'image/png', id: expect.stringMatching(/^\d+$/) } });
    expect(post.json.entry[0].changes[0].value.contacts).toEqual([{ profile: { name: 'Grace Hopper' }, wa_id: waId }]);
    await api.control('PATCH', '/meta/settings', { mediaUrlTtlSeconds: 300 });
    const media = await api.request('GET', `${V}/${msg.image.id}`, { token: emu.credentials.whatsappToken });
    const bytes = await fetch(media.body.url, { headers: { authorization: `Bearer ${emu.credentials.whatsappToken}` } });
    expect(bytes.status).toBe(200);
    expect(bytes.headers.get('content-type')).toBe('image/png');
  });
});

describe('faults in Graph shape', () => {
  it('answers a rate-limit fault with 429, Retry-After and the product’s throttling code', async () => {
    await api.control('POST', '/faults', { path: '/v*/*/messages', kind: 'rateLimit', retryAfterSeconds: 7, times: 2 });
    const psid = await messengerUser();
    const waId = await waUser();
    const m = await mSend({ recipient: { id: psid }, messaging_type: 'RESPONSE', message: { text: 'x' } });
    expect(m).toMatchObject({ status: 429, body: { error: { code: 613 } } });
    expect(m.headers.get('retry-after')).toBe('7');
    const w = await waSend({ messaging_product: 'whatsapp', to: waId, text: { body: 'x' } });
    expect(w).toMatchObject({ status: 429, body: { error: { code: 130429, error_data: { messaging_product: 'whatsapp' } } } });
  });
});

describe('banner and phone page', () => {
  it('prints the credentials and templates, and serves /phone', async () => {
    const lines = banner(emu).join('\n');
    for (const v of [emu.url, emu.credentials.pageAccessToken, emu.credentials.whatsappToken, emu.credentials.verifyToken, 'follow_up', 'v25.0']) expect(lines).toContain(v);
    const page = await fetch(`${emu.url}/phone`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('/__control/meta');
  });
});
