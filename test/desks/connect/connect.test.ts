import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { samplePng } from '../../../emulators/kit/index.js';
import { customerChat, eventFrame, Streams, type Chat } from '../../helpers/flows.js';
import { until } from '../../helpers/server.js';
import { connectScene, type ConnectScene } from './helpers.js';

// The `connect` desk end to end: a widget customer on `web`, routed to a connect desk instance, against the
// Amazon Connect emulator playing the agent (its control API); agent-side items come back as signed SNS
// notifications of the chat stream. What the desk contract (test/contract/connect.contract.test.ts) does
// not cover: what goes into StartChatContact, long texts, attachments both ways, visibility, forged and
// repeated notifications, the subscription handshake, token expiry, a chat that ended unheard.

describe('connect desk ↔ emulator', () => {
  let scene: ConnectScene;
  const streams = new Streams();
  beforeAll(async () => {
    // Debug logging: the token check below reads every line Parley writes, the vendor client's included.
    scene = await connectScene({ env: { LOG_LEVEL: 'debug' } });
  });
  afterEach(async () => {
    await streams.closeAll();
    await scene.control('DELETE', '/faults');
    await scene.control('PATCH', '/connect/settings', { connectionTokenTtlSeconds: 86_400 });
  });
  afterAll(async () => scene?.stop());

  const send = (chat: Chat, text: string) => scene.ts.api.post(`/v1/conversations/${chat.conversationId}/messages`, { text, clientMessageId: `${text.slice(0, 20)}-${Math.random()}` }, chat.token);
  const events = async (chat: Chat) => (await scene.ts.api.get(`/v1/conversations/${chat.conversationId}/events`, chat.token)).body.events as any[];
  const contactOf = (chat: Chat) => until(() => scene.contactOf(chat.conversationId), 5000, 'the Connect chat');
  const contact = async (id: string) => (await scene.control('GET', `/connect/contacts/${id}`)).body;
  const customerTexts = async (id: string) => ((await contact(id)).items as any[]).filter((i) => i.ParticipantRole === 'CUSTOMER' && i.Type === 'MESSAGE').map((i) => i.Content);
  const topic = () => scene.emu.streaming.topics.get(scene.topicArn)!;
  const post = (body: string) => scene.ts.api.req('POST', '/webhooks/connect/cc', { raw: body, contentType: 'text/plain; charset=UTF-8', headers: { 'x-amz-sns-message-type': 'Notification' } });

  async function activeChat(first = 'Hello Connect'): Promise<{ chat: Chat; id: string }> {
    const chat = await customerChat(scene.ts, streams);
    expect((await send(chat, first)).status).toBe(201);
    const c = await contactOf(chat);
    expect((await scene.control('POST', `/connect/contacts/${c.initialContactId}/accept`, {})).status).toBe(200);
    await chat.stream.next(eventFrame('participant.joined', chat.conversationId), 5000);
    return { chat, id: c.initialContactId };
  }

  it('starts the chat with the contact attributes, display name, initial message and content types, streaming to the topic, connected', async () => {
    const chat = await customerChat(scene.ts, streams);
    expect((await send(chat, 'Where is my order?')).status).toBe(201);
    const c = await contactOf(chat);
    expect(c.attributes).toMatchObject({ parleyConversationId: chat.conversationId, parleyContactId: chat.contactId, parleyChannel: 'web' });
    expect(c.customer.displayName).toBe('Customer');
    expect(c.supportedContentTypes).toEqual(['text/plain', 'text/markdown']);
    expect(c.items[0]).toMatchObject({ Type: 'MESSAGE', Content: 'Where is my order?', ParticipantRole: 'CUSTOMER' });
    await until(async () => (await contact(c.initialContactId)).customerConnected === true, 5000, 'the customer connected');
    expect((await contact(c.initialContactId)).streams).toEqual([expect.objectContaining({ topicArn: scene.topicArn, active: true })]);
    // The StartChatContact carried a ClientToken derived from the conversation.
    const starts = (await scene.control('GET', '/requests?path=/contact/chat')).body.requests.filter((r: any) => r.json?.Attributes?.parleyConversationId === chat.conversationId);
    expect(starts).toHaveLength(1);
    expect(starts[0].json.ClientToken).toBe(`parley:${chat.conversationId}:0`);
  });

  it('a retried StartChatContact (the answer lost) makes one contact, not two', async () => {
    // The emulator acts, then the connection drops before the answer: Parley retries with the same ClientToken.
    await scene.control('POST', '/faults', { path: '/contact/chat', kind: 'delay', delayMs: 1500, times: 1 });
    const chat = await customerChat(scene.ts, streams);
    expect((await send(chat, 'Only once please')).status).toBe(201);
    await contactOf(chat);
    await until(async () => (await customerTexts((await scene.contactOf(chat.conversationId)).initialContactId)).includes('Only once please'), 8000, 'the message at Connect');
    const list = (await scene.control('GET', '/connect/contacts')).body.contacts.filter((x: any) => x.attributes.parleyConversationId === chat.conversationId);
    expect(list).toHaveLength(1);
  });

  it('a text over 1,024 characters reaches the agent as several messages, in order, nothing lost', async () => {
    const { chat, id } = await activeChat();
    const long = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');
    expect(long.length).toBeGreaterThan(2048);
    expect((await send(chat, long)).status).toBe(201);
    await until(async () => (await customerTexts(id)).length >= 4, 5000, 'the pieces');
    const pieces = (await customerTexts(id)).slice(1);
    expect(pieces.every((p: string) => p.length <= 1024)).toBe(true);
    expect(pieces.join(' ')).toBe(long);
  });

  it("attachments both ways: the customer's PNG becomes a Connect attachment; the agent's file is copied into Parley", async () => {
    const { chat, id } = await activeChat();
    const png = samplePng(16);
    const up = await scene.ts.api.req('POST', '/v1/media?name=photo.png', { token: chat.token, raw: png, contentType: 'image/png' });
    expect(up.status).toBe(201);
    expect((await scene.ts.api.post(`/v1/conversations/${chat.conversationId}/messages`, { clientMessageId: 'img-1', parts: [{ type: 'media', mediaId: up.body.media.id }] }, chat.token)).status).toBe(201);
    const item = await until(async () => ((await contact(id)).items as any[]).find((i) => i.Type === 'ATTACHMENT' && i.ParticipantRole === 'CUSTOMER'), 5000, 'the attachment at Connect');
    expect(item.Attachments[0]).toMatchObject({ AttachmentName: 'photo.png', ContentType: 'image/png', Status: 'APPROVED' });
    expect(scene.emu.store.attachments.get(item.Attachments[0].AttachmentId)!.bytes!.equals(png)).toBe(true);

    expect((await scene.control('POST', `/connect/contacts/${id}/file`, {})).status).toBe(201);
    const got = await chat.stream.next(eventFrame('message', chat.conversationId, (e) => e.origin === 'desk' && e.parts[0]?.type === 'media'), 5000);
    const media = got.event.parts[0];
    expect(media).toMatchObject({ mime: 'image/png', name: 'sample.png' });
    expect(media.url).toContain(`${scene.ts.url}/v1/media/`);
    expect((await fetch(media.url)).status).toBe(200);
  });

  it("only what Connect's visibility rule allows reaches the customer: not AGENT-only messages, not the customer's own echoes", async () => {
    const { chat, id } = await activeChat();
    await scene.control('POST', `/connect/contacts/${id}/reply`, { text: 'internal note', visibility: 'AGENT' });
    await scene.control('POST', `/connect/contacts/${id}/reply`, { text: 'visible reply' });
    await chat.stream.next(eventFrame('message', chat.conversationId, (e) => e.parts[0]?.text === 'visible reply'), 5000);
    await scene.emu.streamsIdle();
    const texts = (await events(chat)).filter((e) => e.kind === 'message').map((e) => e.parts[0]?.text);
    expect(texts).toEqual(['Hello Connect', 'visible reply']);
  });

  it('what Connect posts before streaming starts (a fast agent) is read from the transcript and reaches the customer once, also when the stream brings it later', async () => {
    // StartContactStreaming is slow: the agent takes the chat and answers before the stream is on.
    await scene.control('POST', '/faults', { path: '/contact/start-streaming', kind: 'delay', delayMs: 900, times: 1 });
    const chat = await customerChat(scene.ts, streams);
    const sent = send(chat, 'Hello early bird');
    const c = await contactOf(chat);
    expect((await scene.control('POST', `/connect/contacts/${c.initialContactId}/accept`, {})).status).toBe(200);
    expect((await scene.control('POST', `/connect/contacts/${c.initialContactId}/reply`, { text: 'before the stream' })).status).toBe(201);
    expect((await contact(c.initialContactId)).streams).toEqual([]);
    expect((await sent).status).toBe(201);
    await chat.stream.next(eventFrame('message', chat.conversationId, (e) => e.parts[0]?.text === 'before the stream'), 5000);
    await scene.emu.streamsIdle();
    // Streaming publishes only from when it starts: the reply was never on the topic.
    expect(topic().deliveries().some((d) => d.body.includes('before the stream'))).toBe(false);
    // The same item arriving on the stream after all is stored once (same key as the transcript's).
    const emuChat = scene.emu.store.chatByContact(c.initialContactId)!;
    scene.emu.streaming.publish(emuChat, emuChat.items.find((i) => i.Content === 'before the stream')!);
    await scene.emu.streamsIdle();
    const all = await events(chat);
    expect(all.filter((e) => e.kind === 'message' && e.parts[0]?.text === 'before the stream')).toHaveLength(1);
    expect(all.filter((e) => e.kind === 'participant.joined')).toHaveLength(1);
  });

  it('forged notifications are refused with 403 and store nothing: bad signature, wrong certificate host, wrong topic', async () => {
    const { chat, id } = await activeChat();
    await scene.control('POST', `/connect/contacts/${id}/reply`, { text: 'genuine' });
    await chat.stream.next(eventFrame('message', chat.conversationId, (e) => e.parts[0]?.text === 'genuine'), 5000);
    await scene.emu.streamsIdle();
    const before = (await events(chat)).length;
    const genuine = topic().deliveries().filter((d) => d.state === 'delivered' && d.body.includes('genuine')).at(-1)!;
    const envelope = JSON.parse(genuine.body);
    const stringToSign = (m: any) => ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'].filter((k) => m[k] !== undefined).map((k) => `${k}\n${m[k]}\n`).join('');
    const tampered = { ...envelope, Message: envelope.Message.replace('genuine', 'forged'), MessageId: 'forged-1' };
    const otherHost = { ...envelope, Message: envelope.Message.replace('genuine', 'forged'), MessageId: 'forged-2', SigningCertURL: 'https://evil.example.com/SimpleNotificationService-x.pem' };
    otherHost.Signature = topic().sign(stringToSign(otherHost));
    const otherTopic = { ...envelope, Message: envelope.Message.replace('genuine', 'forged'), MessageId: 'forged-3', TopicArn: scene.topicArn.replace(/:[^:]+$/, ':elsewhere') };
    otherTopic.Signature = topic().sign(stringToSign(otherTopic));
    for (const forged of [tampered, otherHost, otherTopic]) {
      const r = await post(JSON.stringify(forged));
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('PARLEY_E_WEBHOOK_FORGED');
    }
    expect((await post('not json')).status).toBe(403);
    // Nothing from the forgeries; the only events since may be receipts of the genuine reply (the customer's
    // client confirming it, which can land after `before` was counted on a loaded machine: seen on Node 24).
    const after = await events(chat);
    expect(after.filter((e) => JSON.stringify(e).includes('forged'))).toEqual([]);
    expect(after.slice(before).map((e) => e.kind)).toEqual(after.slice(before).map(() => 'receipt'));
  });

  it('a notification SNS delivers again, or twice at once, is stored once', async () => {
    const { chat, id } = await activeChat();
    await scene.control('POST', `/connect/contacts/${id}/reply`, { text: 'only once' });
    await chat.stream.next(eventFrame('message', chat.conversationId, (e) => e.parts[0]?.text === 'only once'), 5000);
    await scene.emu.streamsIdle();
    const delivery = topic().deliveries().filter((d) => d.body.includes('only once')).at(-1)!;
    const messageId = JSON.parse(delivery.body).MessageId as string;
    topic().redeliver(messageId);
    await scene.emu.streamsIdle();
    const [a, b] = await Promise.all([post(delivery.body), post(delivery.body)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect((await events(chat)).filter((e) => e.kind === 'message' && e.parts[0]?.text === 'only once')).toHaveLength(1);
  });

  it('a connection token that expired is renewed (403 → new connection) and the message goes through once', async () => {
    const { chat, id } = await activeChat();
    await scene.control('POST', '/connect/tokens/expire', {});
    expect((await send(chat, 'after expiry')).status).toBe(201);
    await until(async () => (await customerTexts(id)).includes('after expiry'), 5000, 'the message after expiry');
    expect((await customerTexts(id)).filter((t: string) => t === 'after expiry')).toHaveLength(1);
    expect((await events(chat)).some((e) => e.kind === 'delivery.failed')).toBe(false);
  });

  it('a connection token near its expiry is renewed before it is used', async () => {
    // Tokens that live 1 s are always within the desk's refresh margin: each use renews first, so Connect
    // never has to refuse one.
    await scene.control('PATCH', '/connect/settings', { connectionTokenTtlSeconds: 1 });
    const { chat, id } = await activeChat();
    const mark = (await scene.control('GET', '/requests')).body.requests.at(-1).id;
    expect((await send(chat, 'renewed first')).status).toBe(201);
    await until(async () => (await customerTexts(id)).includes('renewed first'), 5000, 'the message');
    const after = (await scene.control('GET', `/requests?after=${mark}`)).body.requests as any[];
    expect(after.some((r) => r.path === '/participant/connection' && r.status === 200)).toBe(true);
    expect(after.filter((r) => r.path === '/participant/message').every((r) => r.status === 200)).toBe(true);
  });

  it('the agent ends: chat.ended ends the conversation; the customer starts again and gets a new contact', async () => {
    const { chat, id } = await activeChat();
    await scene.control('POST', `/connect/contacts/${id}/end`, {});
    await chat.stream.next(eventFrame('conversation.ended', chat.conversationId), 5000);
    const next = await customerChat(scene.ts, streams);
    expect((await send(next, 'Me again')).status).toBe(201);
    const c = await contactOf(next);
    expect(c.initialContactId).not.toBe(id);
    expect(c.state).toBe('queued');
  });

  it('a chat that ended at Connect unheard (the notification lost): the next message starts a new contact', async () => {
    const { chat, id } = await activeChat();
    // The first delivery has connected the customer (the joined frame can come before it does).
    await until(async () => (await contact(id)).customerConnected === true, 5000, 'the customer connected');
    // The chat ends while its stream is off: Parley never hears chat.ended.
    for (const s of scene.emu.store.chats.get(id)!.streams) s.active = false;
    scene.emu.desk.agentEnd(id);
    expect((await send(chat, 'anyone there?')).status).toBe(201);
    const fresh = await until(
      async () => ((await scene.control('GET', '/connect/contacts')).body.contacts as any[]).find((x) => x.attributes.parleyConversationId === chat.conversationId && x.initialContactId !== id),
      8000,
      'a new contact',
    );
    await until(async () => (await customerTexts(fresh.initialContactId)).includes('anyone there?'), 5000, 'the message in the new contact');
    expect(scene.emu.store.startTokens.has(`parley:${chat.conversationId}:1`)).toBe(true);
    // And the new chat's agent reaches the same Parley conversation.
    await scene.control('POST', `/connect/contacts/${fresh.initialContactId}/accept`, {});
    await scene.control('POST', `/connect/contacts/${fresh.initialContactId}/reply`, { text: 'Back with you' });
    await chat.stream.next(eventFrame('message', chat.conversationId, (e) => e.parts[0]?.text === 'Back with you'), 5000);
  });

  it('StartChatContact throttled (429) is retried; the chat starts once', async () => {
    await scene.control('POST', '/faults', { path: '/contact/chat', kind: 'rateLimit', times: 2 });
    const chat = await customerChat(scene.ts, streams);
    expect((await send(chat, 'throttled start')).status).toBe(201);
    const c = await until(() => scene.contactOf(chat.conversationId), 8000, 'the chat after throttling');
    expect(c.items[0].Content).toBe('throttled start');
    expect((await events(chat)).some((e) => e.kind === 'delivery.failed')).toBe(false);
  });

  it('participant and connection tokens are stored only sealed, and never logged', async () => {
    const { chat } = await activeChat('secrets stay secret');
    await until(async () => (await scene.contactOf(chat.conversationId))?.customerConnected, 5000, 'connected');
    const tokens = [...scene.emu.store.participantTokens.keys(), ...scene.emu.store.connections.keys()];
    expect(tokens.length).toBeGreaterThan(0);
    const rows = await (scene.ts.server.services.hub.db as any).selectFrom('external_refs').selectAll().where('adapter', '=', 'cc').execute();
    const stored = JSON.stringify(rows);
    const logged = JSON.stringify(scene.ts.logs);
    for (const t of tokens) {
      expect(stored).not.toContain(t);
      expect(logged).not.toContain(t);
    }
    expect(rows.some((r: any) => r.kind === 'participant')).toBe(true);
  });

  it('an UnsubscribeConfirmation is acknowledged and logged, not followed; subscribing again resumes the stream', async () => {
    const endpoint = `${scene.ts.url}/webhooks/connect/cc`;
    const sent = topic().deliveries().find((d) => d.url === endpoint && d.headers['x-amz-sns-message-type'] === 'Notification')!;
    const unsubscribe = JSON.parse(sent.body).UnsubscribeURL as string;
    expect((await fetch(unsubscribe)).status).toBe(200);
    await until(() => topic().deliveries().find((d) => d.url === endpoint && d.headers['x-amz-sns-message-type'] === 'UnsubscribeConfirmation' && d.state !== 'pending'), 5000, 'the unsubscribe confirmation');
    const confirmation = topic().deliveries().find((d) => d.headers['x-amz-sns-message-type'] === 'UnsubscribeConfirmation')!;
    expect(confirmation.attempts.at(-1)!.status).toBe(200);
    expect(topic().confirmed()).not.toContain(endpoint);
    await until(() => scene.ts.logs.some((l) => l.level === 40 && /subscription .* was removed/.test(l.msg ?? '')), 5000, 'the warning');
    await scene.subscribe();
    const { chat, id } = await activeChat('back on the stream');
    await scene.control('POST', `/connect/contacts/${id}/reply`, { text: 'streaming again' });
    await chat.stream.next(eventFrame('message', chat.conversationId, (e) => e.parts[0]?.text === 'streaming again'), 5000);
  });

  it('a subscription confirmation for another topic is not followed', async () => {
    const other = { ...JSON.parse(topic().deliveries().find((d) => d.body.includes('SubscriptionConfirmation'))!.body), TopicArn: scene.topicArn.replace(/:[^:]+$/, ':elsewhere') };
    const keys = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
    other.Signature = topic().sign(keys.map((k) => `${k}\n${other[k]}\n`).join(''));
    const r = await scene.ts.api.req('POST', '/webhooks/connect/cc', { raw: JSON.stringify(other), contentType: 'text/plain; charset=UTF-8' });
    expect(r.status).toBe(403);
  });
});
