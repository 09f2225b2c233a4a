import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { customerChat, eventFrame, fastAgent, Streams, type Chat } from '../../helpers/flows.js';
import { until } from '../../helpers/server.js';
import { genesysScene, type GenesysScene } from './helpers.js';

// The `genesys` desk end to end: a widget customer on `web`, routed to a genesys desk instance, against the
// Genesys Cloud emulator playing the agent (its control API). Webhooks come back signed to Parley.

describe('genesys desk ↔ emulator', () => {
  let scene: GenesysScene;
  const streams = new Streams();
  beforeAll(async () => {
    scene = await genesysScene();
  });
  afterEach(async () => {
    await streams.closeAll();
    await scene.control('DELETE', '/faults');
  });
  afterAll(async () => scene?.stop());

  const send = (chat: Chat, text: string) => scene.ts.api.post(`/v1/conversations/${chat.conversationId}/messages`, { text, clientMessageId: `${text}-${Math.random()}` }, chat.token);
  const events = async (chat: Chat) => (await scene.ts.api.get(`/v1/conversations/${chat.conversationId}/events`, chat.token)).body.events as any[];
  const gcOf = (chat: Chat) => until(() => scene.conversationOf(chat.contactId), 5000, 'the Genesys conversation');
  const inboundTexts = async (gcId: string) => ((await scene.control('GET', `/genesys/conversations/${gcId}`)).body.messages as any[]).filter((m) => m.direction === 'inbound').map((m) => m.text);
  const webhook = (body: string, signature?: string) =>
    scene.ts.api.req('POST', '/webhooks/genesys/gc', { raw: body, contentType: 'application/json', headers: signature ? { 'x-hub-signature-256': signature } : {} });
  const sign = (body: string, secret = scene.emu.credentials.integrationSecret) => `sha256=${createHmac('sha256', secret).update(body).digest('base64')}`;

  /** A chat with its first message at Genesys and an agent who accepted it. */
  async function activeChat(): Promise<{ chat: Chat; gcId: string }> {
    const chat = await customerChat(scene.ts, streams);
    expect((await send(chat, 'Hello Genesys')).status).toBe(201);
    const gc = await gcOf(chat);
    expect((await scene.control('POST', `/genesys/conversations/${gc.id}/accept`, {})).status).toBe(200);
    return { chat, gcId: gc.id };
  }

  it('customer messages reach Genesys in order; the agent joins and replies to the customer stream', async () => {
    const chat = await customerChat(scene.ts, streams);
    expect(chat.conversation).toMatchObject({ desk: 'gc', queueId: null, phase: 'queued' });
    for (const t of ['one', 'two', 'three']) expect((await send(chat, t)).status).toBe(201);
    const gc = await gcOf(chat);
    await until(async () => (await inboundTexts(gc.id)).length === 3, 5000, 'three inbound messages');
    expect(await inboundTexts(gc.id)).toEqual(['one', 'two', 'three']);
    await scene.control('POST', `/genesys/conversations/${gc.id}/accept`, {});
    const joined = await chat.stream.next(eventFrame('participant.joined', chat.conversationId), 5000);
    expect(joined.event.participant.name).toBeTruthy();
    expect((await scene.control('POST', `/genesys/conversations/${gc.id}/reply`, { text: 'How can I help?' })).status).toBe(201);
    const reply = await chat.stream.next(eventFrame('message', chat.conversationId, (e) => e.origin === 'desk'), 5000);
    expect(reply.event).toMatchObject({ author: { role: 'agent' }, parts: [{ type: 'text', text: 'How can I help?' }] });
    // Genesys's Delivered receipts for the customer's messages move their ticks.
    await until(async () => (await events(chat)).filter((e) => e.kind === 'message' && e.origin === 'channel').every((e) => e.status === 'delivered'), 5000, 'delivered ticks');
  });

  it("typing both ways; the customer's channel confirms agent messages to Genesys (Delivered receipt)", async () => {
    const { chat, gcId } = await activeChat();
    expect((await scene.ts.api.post(`/v1/conversations/${chat.conversationId}/typing`, { typing: true }, chat.token)).status).toBe(200);
    await until(async () => (await scene.control('GET', `/genesys/conversations/${gcId}`)).body.customerTyping === true, 5000, 'the customer typing at Genesys');
    await scene.control('POST', `/genesys/conversations/${gcId}/typing`);
    const typing = await chat.stream.next((f) => f.type === 'typing' && f.conversationId === chat.conversationId, 5000);
    expect(typing).toMatchObject({ typing: true, author: { role: 'agent' } });
    const sent = (await scene.control('POST', `/genesys/conversations/${gcId}/reply`, { text: 'Got it' })).body;
    await chat.stream.next(eventFrame('message', chat.conversationId, (e) => e.origin === 'desk'), 5000);
    // The stream wrote it to the customer's socket → delivered → a Delivered receipt to Genesys.
    await until(async () => ((await scene.control('GET', `/genesys/conversations/${gcId}`)).body.messages as any[]).find((m) => m.id === sent.id)?.status === 'delivered', 5000, 'delivered at Genesys');
  });

  it('a decorated QR message becomes a qr part; text that only looks like JSON stays text; images are copied', async () => {
    const { chat, gcId } = await activeChat();
    await scene.control('POST', `/genesys/conversations/${gcId}/reply`, { qr: 'SuperSpecialCoupon!' });
    const qr = await chat.stream.next(eventFrame('message', chat.conversationId, (e) => e.parts[0]?.type === 'qr'), 5000);
    expect(qr.event.parts).toEqual([{ type: 'qr', content: 'SuperSpecialCoupon!' }]);
    await scene.control('POST', `/genesys/conversations/${gcId}/reply`, { text: '{oops}' });
    const text = await chat.stream.next(eventFrame('message', chat.conversationId, (e) => e.parts[0]?.text === '{oops}'), 5000);
    expect(text.event.parts).toEqual([{ type: 'text', text: '{oops}' }]);
    await scene.control('POST', `/genesys/conversations/${gcId}/reply`, { image: true });
    const image = await chat.stream.next(eventFrame('message', chat.conversationId, (e) => e.parts.some((p: any) => p.type === 'media')), 5000);
    const media = image.event.parts.find((p: any) => p.type === 'media');
    expect(media.url).toContain(`${scene.ts.url}/v1/media/`);
    const got = await fetch(media.url);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe('image/png');
  });

  it('a forged or unsigned webhook gets 401 and stores nothing; the same webhook five times is one message', async () => {
    const { chat, gcId } = await activeChat();
    const body = JSON.stringify({
      id: `gm-${Math.random()}`,
      channel: { id: scene.emu.credentials.integrationId, platform: 'Open', type: 'Private', to: { id: chat.contactId, idType: 'Opaque' }, from: { id: 'agent-x', nickname: 'Mallory' }, time: new Date().toISOString() },
      type: 'Text',
      text: 'Pay here',
      direction: 'Outbound',
      originatingEntity: 'Human',
      conversationId: gcId,
    });
    for (const sig of [undefined, sign(body, 'wrong-secret'), sign(body + ' ')]) {
      const r = await webhook(body, sig);
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('PARLEY_E_WEBHOOK_SIGNATURE');
    }
    // Nothing of the forged payload is stored (other events, such as the agent's join seen on the
    // Notifications API or Genesys's receipts, may still be arriving: count only what the payload would make).
    const payEvents = async () => (await events(chat)).filter((e) => e.kind === 'message' && e.parts[0]?.text === 'Pay here');
    expect(await payEvents()).toEqual([]);
    for (let i = 0; i < 5; i++) expect((await webhook(body, sign(body))).status).toBe(200);
    expect(await payEvents()).toHaveLength(1);
    // Signed but malformed: 400; signed but of a type Parley does not handle: 200, ignored.
    const bad = JSON.stringify({ hello: 'world' });
    expect((await webhook(bad, sign(bad))).status).toBe(400);
    const odd = JSON.stringify({ id: 'x1', channel: { to: { id: chat.contactId } }, type: 'Reaction' });
    expect((await webhook(odd, sign(odd))).status).toBe(200);
  });

  it('an attachment that is gone (404) shows as its name with the text kept; one unreachable for now gets 503 so Genesys retries', async () => {
    const { chat, gcId } = await activeChat();
    const payload = (id: string, url: string) =>
      JSON.stringify({
        id,
        type: 'Text',
        text: `see ${id}`,
        direction: 'Outbound',
        originatingEntity: 'Human',
        conversationId: gcId,
        channel: { to: { id: chat.contactId }, from: { id: 'integration', nickname: 'Support' }, time: new Date().toISOString() },
        content: [{ contentType: 'Attachment', attachment: { mediaType: 'Image', url, mime: 'image/png', filename: 'gone.png' } }],
      });
    const gone = payload('att-gone', `${scene.ts.url}/no-such-file.png`);
    expect((await webhook(gone, sign(gone))).status).toBe(200);
    const shown = await chat.stream.next(eventFrame('message', chat.conversationId, (e) => e.parts.some((p: any) => p.text === 'see att-gone')), 5000);
    expect(shown.event.parts).toEqual([{ type: 'text', text: 'see att-gone' }, { type: 'text', text: '[attachment: gone.png]' }]);
    const later = payload('att-later', 'http://127.0.0.1:9/down.png');
    const r = await webhook(later, sign(later));
    expect(r.status).toBe(503);
    expect(r.body.error.code).toBe('PARLEY_E_UNAVAILABLE');
    expect((await events(chat)).some((e) => e.kind === 'message' && e.parts.some((p: any) => p.text === 'see att-later'))).toBe(false);
  });

  it('customer ends → the Genesys customer participant is disconnected', async () => {
    const { chat, gcId } = await activeChat();
    expect((await scene.ts.api.post(`/v1/conversations/${chat.conversationId}/end`, {}, chat.token)).status).toBe(200);
    await until(async () => (await scene.control('GET', `/genesys/conversations/${gcId}`)).body.phase === 'ended', 5000, 'ended at Genesys');
  });

  it("an admin ending it from Parley's console ends it at Genesys too, and the customer sees it", async () => {
    const { chat, gcId } = await activeChat();
    const admin = await fastAgent(scene.ts, { role: 'admin', name: 'Console Admin' });
    expect((await scene.ts.api.post(`/v1/agent/conversations/${chat.conversationId}/end`, {}, admin.token)).status).toBe(200);
    await chat.stream.next(eventFrame('conversation.ended', chat.conversationId), 5000);
    await until(async () => (await scene.control('GET', `/genesys/conversations/${gcId}`)).body.phase === 'ended', 5000, 'ended at Genesys');
  });

  it('agent ends (seen on the Notifications API) → conversation.ended for the customer', async () => {
    const { chat, gcId } = await activeChat();
    await chat.stream.next(eventFrame('participant.joined', chat.conversationId), 5000);
    await scene.control('POST', `/genesys/conversations/${gcId}/end`);
    const ended = await chat.stream.next(eventFrame('conversation.ended', chat.conversationId), 5000);
    expect(ended.event.origin).toBe('desk');
    expect((await events(chat)).map((e) => e.kind)).toContain('participant.left');
  });

  it('token expiry → refresh; 429 → waits and retries', async () => {
    const { chat, gcId } = await activeChat();
    const desk = scene.ts.server.services.hub.adapters.get('desk', 'gc') as unknown as { tokens: { fetchCount: number } };
    const fetches = desk.tokens.fetchCount;
    await scene.control('POST', '/genesys/tokens/expire', {});
    expect((await send(chat, 'after expiry')).status).toBe(201);
    await until(async () => (await inboundTexts(gcId)).includes('after expiry'), 5000, 'sent with a fresh token');
    expect(desk.tokens.fetchCount).toBe(fetches + 1);
    await scene.control('POST', '/faults', { path: '/api/v2/conversations/messages/*/inbound/open/message', kind: 'rateLimit', retryAfterSeconds: 1, times: 1 });
    const at = Date.now();
    await send(chat, 'after 429');
    await until(async () => (await inboundTexts(gcId)).includes('after 429'), 8000, 'sent after the 429');
    expect(Date.now() - at).toBeGreaterThanOrEqual(900);
  });

  it('Genesys down while the customer writes → delivered in order when it is back', async () => {
    const { chat, gcId } = await activeChat();
    await scene.control('POST', '/faults', { path: '/api/v2/conversations/messages/*/inbound/open/message', kind: 'error', status: 503, times: 4 });
    for (const t of ['a', 'b', 'c']) await send(chat, t);
    await until(async () => (await inboundTexts(gcId)).includes('c'), 10_000, 'all three after the outage');
    expect((await inboundTexts(gcId)).filter((t) => ['a', 'b', 'c'].includes(t))).toEqual(['a', 'b', 'c']);
  });
});

describe('genesys desk that stays down', () => {
  let scene: GenesysScene;
  const streams = new Streams();
  beforeAll(async () => {
    scene = await genesysScene({ env: { PARLEY_DELIVERY_MAX_ATTEMPTS: '2' } });
  });
  afterAll(async () => {
    await streams.closeAll();
    await scene?.stop();
  });

  it('a vendor that stays down → delivery.failed seen by the customer', async () => {
    await scene.control('POST', '/faults', { path: '/api/v2/conversations/messages/*/inbound/open/message', kind: 'error', status: 500 });
    const chat = await customerChat(scene.ts, streams);
    await scene.ts.api.post(`/v1/conversations/${chat.conversationId}/messages`, { text: 'anyone?', clientMessageId: 'c1' }, chat.token);
    const failed = await chat.stream.next(eventFrame('delivery.failed', chat.conversationId), 15_000);
    expect(failed.event).toMatchObject({ leg: 'desk' });
  });
});
