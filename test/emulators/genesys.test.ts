// The Genesys Cloud emulator answers and refuses as Genesys does (per the developer center and the
// official SDK's models), signs and retries its webhooks by Genesys's rule, and reports agent
// disconnects on the Notifications WebSocket.
import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGenesysEmulator, type GenesysEmulator } from '../../emulators/genesys/main.js';
import { client, until, webhookReceiver } from './helpers.js';

type Receiver = Awaited<ReturnType<typeof webhookReceiver>>;

let emu: GenesysEmulator;
let hook: Receiver;
let api: ReturnType<typeof client>;
let token: string;

const customer = (id = 'customer-42') => ({ id, idType: 'Opaque', nickname: 'Jane D', firstName: 'Jane', lastName: 'Doe' });
const inboundBody = (text = 'Hi, my order has not arrived', from = customer()) => ({
  channel: { messageId: `ext-${Math.random()}`, time: new Date().toISOString(), from },
  text,
});
const inbound = (kind: string, body: unknown, query = '') =>
  api.request('POST', `/api/v2/conversations/messages/${emu.credentials.integrationId}/inbound/open/${kind}${query}`, { token, body });
const conversationOf = async (id: string) => (await api.control('GET', `/genesys/conversations/${id}`)).body;

async function startConversation(customerId = 'customer-42'): Promise<string> {
  const res = await inbound('message', inboundBody('hello', customer(customerId)), '?prefetchConversationId=true');
  expect(res.status).toBe(202);
  return res.body.conversationId as string;
}

async function activeConversation(customerId = 'customer-42'): Promise<string> {
  const id = await startConversation(customerId);
  expect((await api.control('POST', `/genesys/conversations/${id}/accept`, {})).status).toBe(200);
  return id;
}

beforeAll(async () => {
  hook = await webhookReceiver();
  emu = await startGenesysEmulator({
    port: 0,
    integration: { webhookUrl: hook.url },
    // Genesys's rule (10 s timeout, 5 retries, 5 s apart), scaled down.
    webhook: { timeoutMs: 300, delayMs: 30, maxRetries: 5 },
    heartbeatMs: 150,
  });
  api = client(emu.url);
});

afterAll(async () => {
  await emu.close();
  await hook.close();
});

beforeEach(async () => {
  await api.control('POST', '/reset');
  hook.received.length = 0;
  hook.respond();
  token = await api.token(emu.credentials.clientId, emu.credentials.clientSecret);
});

afterEach(async () => {
  await emu.webhooksIdle();
});

describe('OAuth client credentials', () => {
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  const tokenRequest = (headers: Record<string, string>, body = 'grant_type=client_credentials') =>
    fetch(`${emu.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });

  it('issues a bearer token with expires_in for the right client id and secret', async () => {
    const res = await tokenRequest({ authorization: basic(emu.credentials.clientId, emu.credentials.clientSecret) });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ access_token: expect.any(String), token_type: 'bearer', expires_in: 86400 });
  });

  it('refuses a wrong secret with invalid_client and a missing or other grant with 400', async () => {
    const wrong = await tokenRequest({ authorization: basic(emu.credentials.clientId, 'nope') });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
    const good = basic(emu.credentials.clientId, emu.credentials.clientSecret);
    expect((await tokenRequest({ authorization: good }, '')).status).toBe(400);
    const other = await tokenRequest({ authorization: good }, 'grant_type=password');
    expect(await other.json()).toMatchObject({ error: 'unsupported_grant_type' });
    const jsonBody = await fetch(`${emu.url}/oauth/token`, { method: 'POST', headers: { authorization: good, 'content-type': 'application/json' }, body: '{"grant_type":"client_credentials"}' });
    expect(jsonBody.status).toBe(400);
  });

  it('answers 401 without a token, with an unknown token and with an expired one', async () => {
    const path = `/api/v2/routing/queues/${emu.credentials.defaultQueueId}`;
    const none = await api.request('GET', path);
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ status: 401, code: 'authentication.required', message: expect.any(String), contextId: expect.any(String) });
    expect((await api.request('GET', path, { token: 'made-up' })).status).toBe(401);
    expect((await api.request('GET', path, { token })).status).toBe(200);
    await api.control('POST', '/genesys/tokens/expire', {});
    expect((await api.request('GET', path, { token })).status).toBe(401);
  });

  it('lets tests shorten the token lifetime so adapters must refresh', async () => {
    await api.control('PATCH', '/genesys/settings', { tokenTtlSeconds: 1 });
    const short = await api.token(emu.credentials.clientId, emu.credentials.clientSecret);
    const path = `/api/v2/routing/queues/${emu.credentials.defaultQueueId}`;
    expect((await api.request('GET', path, { token: short })).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await api.request('GET', path, { token: short })).status).toBe(401);
    await api.control('PATCH', '/genesys/settings', { tokenTtlSeconds: 86400 });
  });

  it('answers 429 with Retry-After once a token spends its per-minute budget', async () => {
    await api.control('PATCH', '/genesys/settings', { rateLimitPerMinute: 3 });
    const fresh = await api.token(emu.credentials.clientId, emu.credentials.clientSecret);
    const path = `/api/v2/routing/queues/${emu.credentials.defaultQueueId}`;
    for (let i = 0; i < 3; i++) expect((await api.request('GET', path, { token: fresh })).status).toBe(200);
    const limited = await api.request('GET', path, { token: fresh });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body).toMatchObject({ status: 429, code: 'too.many.requests' });
    // The budget is per token: another token still gets through.
    const other = await api.token(emu.credentials.clientId, emu.credentials.clientSecret);
    expect((await api.request('GET', path, { token: other })).status).toBe(200);
    await api.control('PATCH', '/genesys/settings', { rateLimitPerMinute: 300 });
  });
});

describe('inbound open messages', () => {
  it('accepts a customer message, starts a conversation waiting in the default queue and returns Genesys ids', async () => {
    const body = inboundBody();
    const res = await inbound('message', body, '?prefetchConversationId=true');
    expect(res.status).toBe(202);
    expect(res.body.id).toMatch(/^[0-9a-f]{32}$/);
    expect(res.body).toMatchObject({
      type: 'Text',
      text: body.text,
      conversationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      channel: { id: emu.credentials.integrationId, platform: 'Open', type: 'Private', messageId: body.channel.messageId, from: { id: 'customer-42' } },
    });
    const c = await conversationOf(res.body.conversationId);
    expect(c.phase).toBe('waiting');
    expect(c.queue.id).toBe(emu.credentials.defaultQueueId);
    expect(c.messages[0]).toMatchObject({ id: res.body.id, direction: 'inbound', text: body.text, providerMessageId: body.channel.messageId });
  });

  it('omits conversationId unless prefetchConversationId=true, and threads one customer into one conversation', async () => {
    const first = await inbound('message', inboundBody('one'));
    expect(first.body.conversationId).toBeUndefined();
    const second = await inbound('message', inboundBody('two'), '?prefetchConversationId=true');
    const c = await conversationOf(second.body.conversationId);
    expect(c.messages.map((m: { text: string }) => m.text)).toEqual(['one', 'two']);
    const otherCustomer = await inbound('message', inboundBody('three', customer('someone-else')), '?prefetchConversationId=true');
    expect(otherCustomer.body.conversationId).not.toBe(second.body.conversationId);
  });

  it('takes attachments by URL', async () => {
    const body = {
      ...inboundBody(),
      content: [{ attachment: { mediaType: 'Image', url: 'https://files.example.com/receipt.jpg', mime: 'image/jpeg', filename: 'receipt.jpg' } }],
    };
    const res = await inbound('message', body);
    expect(res.status).toBe(202);
    expect(res.body.content).toEqual([{ contentType: 'Attachment', attachment: body.content[0]!.attachment }]);
  });

  const valid = inboundBody();
  const cases: [string, unknown, string][] = [
    ['no channel', { text: 'x' }, 'channel'],
    ['no channel.time', { ...valid, channel: { from: customer() } }, 'channel.time'],
    ['a time that is not ISO-8601', { ...valid, channel: { ...valid.channel, time: 'yesterday' } }, 'channel.time'],
    ['no from.id', { ...valid, channel: { ...valid.channel, from: { idType: 'Opaque' } } }, 'channel.from.id'],
    ['an idType outside Email|Phone|Opaque', { ...valid, channel: { ...valid.channel, from: { id: 'x', idType: 'Twitter' } } }, 'channel.from.idType'],
    ['neither text nor content', { channel: valid.channel }, 'content'],
    ['an attachment without mime', { ...valid, content: [{ attachment: { mediaType: 'Image', url: 'https://x.example/a.png' } }] }, 'content.0.attachment.mime'],
    ['an attachment mediaType outside the enum', { ...valid, content: [{ attachment: { mediaType: 'Sticker', url: 'https://x.example/a', mime: 'image/png' } }] }, 'content.0.attachment.mediaType'],
    ['text over the limit', { ...valid, text: 'x'.repeat(4001) }, 'text'],
  ];
  it.each(cases)('refuses a message with %s (400, Genesys error body naming the field)', async (_what, body, field) => {
    const res = await inbound('message', body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ status: 400, code: 'bad.request', contextId: expect.any(String) });
    expect(res.body.details.map((d: { fieldName: string }) => d.fieldName)).toContain(field);
  });

  it('refuses malformed JSON (400), a non-JSON content type (415) and an unknown integration (404)', async () => {
    const base = `/api/v2/conversations/messages/${emu.credentials.integrationId}/inbound/open/message`;
    expect((await api.request('POST', base, { token, raw: '{"channel":', headers: { 'content-type': 'application/json' } })).status).toBe(400);
    expect((await api.request('POST', base, { token, raw: JSON.stringify(inboundBody()), headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    const unknown = await api.request('POST', '/api/v2/conversations/messages/00000000-0000-4000-8000-000000000000/inbound/open/message', { token, body: inboundBody() });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('not.found');
  });

  it('records a customer typing event and refuses unknown event types', async () => {
    const id = await startConversation();
    const typing = { channel: { from: customer(), time: new Date().toISOString() }, events: [{ eventType: 'Typing', typing: { type: 'On', duration: 5000 } }] };
    const res = await inbound('event', typing);
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ type: 'Event', events: typing.events });
    expect((await conversationOf(id)).customerTyping).toBe(true);
    const bad = await inbound('event', { ...typing, events: [{ eventType: 'Presence' }] });
    expect(bad.status).toBe(400);
    expect((await inbound('event', { ...typing, events: [] })).status).toBe(400);
  });

  it('takes Delivered and Failed receipts for agent messages and refuses other statuses and unknown ids', async () => {
    const id = await activeConversation();
    const reply = await api.control('POST', `/genesys/conversations/${id}/reply`, { text: 'Hello from the agent' });
    const receipt = (status: string, messageId = reply.body.id as string, extra = {}) =>
      inbound('receipt', { id: messageId, channel: { to: { id: 'customer-42', idType: 'Opaque' }, time: new Date().toISOString() }, status, isFinalReceipt: true, ...extra });
    expect((await receipt('Sent')).status).toBe(400);
    expect((await receipt('Read')).status).toBe(400);
    expect((await receipt('Delivered', 'f'.repeat(32))).status).toBe(400);
    const delivered = await receipt('Delivered');
    expect(delivered.status).toBe(202);
    expect(delivered.body).toMatchObject({ id: reply.body.id, type: 'Receipt', status: 'Delivered' });
    expect((await conversationOf(id)).messages.at(-1).status).toBe('delivered');
    const failed = await receipt('Failed', reply.body.id, { reasons: [{ code: 'RecipientOptedOut', message: 'blocked' }] });
    expect(failed.status).toBe(202);
    expect((await conversationOf(id)).messages.at(-1)).toMatchObject({ status: 'failed', reasons: [{ code: 'RecipientOptedOut' }] });
    expect((await receipt('Failed', reply.body.id, { reasons: [{ code: 'NotAReason', message: 'x' }] })).status).toBe(400);
  });

  it('takes a quick-reply answer that points at an agent message', async () => {
    const id = await activeConversation();
    const reply = await api.control('POST', `/genesys/conversations/${id}/reply`, { text: 'Pick one' });
    const answer = (originatingMessageId: string, type = 'QuickReply') =>
      inbound('structured/response', {
        channel: { from: customer(), time: new Date().toISOString(), messageId: 'ext-qr-1' },
        buttonResponse: { type, text: 'Yes', payload: 'yes' },
        originatingMessageId,
      });
    const ok = await answer(reply.body.id);
    expect(ok.status).toBe(202);
    expect(ok.body).toMatchObject({ type: 'Structured', content: [{ contentType: 'ButtonResponse', buttonResponse: { text: 'Yes' } }] });
    expect((await answer(reply.body.id, 'Swipe')).status).toBe(400);
    expect((await answer('0'.repeat(32))).status).toBe(400);
  });
});

describe('agentless messages', () => {
  const send = (body: Record<string, unknown>) => api.request('POST', '/api/v2/conversations/messages/agentless', { token, body });
  const open = (extra: Record<string, unknown> = {}) => ({ fromAddress: emu.credentials.integrationId, toAddress: 'customer-7', toAddressMessengerType: 'open', textBody: 'Your appointment is at 10:00.', ...extra });

  it('sends a text to the customer on the webhook and returns the message and conversation ids', async () => {
    const res = await send(open());
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{32}$/), conversationId: expect.any(String), messengerType: 'open', toAddress: 'customer-7' });
    await emu.webhooksIdle();
    expect(hook.ofType('Text')[0]!.json).toMatchObject({ id: res.body.id, text: 'Your appointment is at 10:00.', direction: 'Outbound', channel: { to: { id: 'customer-7' } } });
  });

  it('enforces the documented limits and Open rules', async () => {
    expect((await send(open({ textBody: 'x'.repeat(2001) }))).status).toBe(400);
    expect((await send(open({ textBody: 'x'.repeat(2000) }))).status).toBe(202);
    expect((await send(open({ textBody: undefined, toAddress: 'c8' }))).status).toBe(400);
    expect((await send(open({ toAddressMessengerType: 'sms', textBody: 'x'.repeat(766) }))).body.details[0].fieldName).toBe('textBody');
    expect((await send(open({ toAddressMessengerType: 'fax' }))).status).toBe(400);
    expect((await send(open({ fromAddress: 'not-an-integration' }))).status).toBe(400);
  });

  it('joins an active conversation only with useExistingActiveConversation', async () => {
    const id = await startConversation('customer-7');
    expect((await send(open())).status).toBe(400);
    const joined = await send(open({ useExistingActiveConversation: true }));
    expect(joined.status).toBe(202);
    expect(joined.body.conversationId).toBe(id);
  });
});

describe('outbound webhooks', () => {
  const sign = (raw: string) => `sha256=${createHmac('sha256', emu.credentials.integrationSecret).update(raw).digest('base64')}`;

  it('posts agent text signed with X-Hub-Signature-256 over the raw body', async () => {
    const id = await activeConversation();
    const reply = await api.control('POST', `/genesys/conversations/${id}/reply`, { text: 'Hi Jane, let me check.' });
    const got = await until(() => hook.ofType('Text')[0], 'the agent text');
    expect(got.headers['x-hub-signature-256']).toBe(sign(got.raw));
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.json).toMatchObject({
      id: reply.body.id,
      type: 'Text',
      text: 'Hi Jane, let me check.',
      direction: 'Outbound',
      originatingEntity: 'Human',
      conversationId: id,
      channel: { id: emu.credentials.integrationId, platform: 'Open', type: 'Private', to: { id: 'customer-42', idType: 'Opaque' }, messageId: reply.body.id },
    });
    await emu.webhooksIdle();
    expect((await conversationOf(id)).messages.at(-1).status).toBe('sent');
  });

  it('sends Genesys receipts for customer messages and typing events for the agent', async () => {
    const res = await inbound('message', inboundBody(), '?prefetchConversationId=true');
    const receipt = await until(() => hook.ofType('Receipt')[0], 'the inbound receipt');
    expect(receipt.json).toMatchObject({ id: res.body.id, status: 'Delivered', direction: 'Inbound', isFinalReceipt: true });
    await api.control('POST', `/genesys/conversations/${res.body.conversationId}/accept`, {});
    await api.control('POST', `/genesys/conversations/${res.body.conversationId}/typing`);
    const typing = await until(() => hook.ofType('Event')[0], 'the typing event');
    expect(typing.json).toMatchObject({ events: [{ eventType: 'Typing', typing: { type: 'On' } }], direction: 'Outbound' });
    expect(typing.headers['x-hub-signature-256']).toBe(sign(typing.raw));
  });

  it('sends an image the webhook can download, and a decorated QR message', async () => {
    const id = await activeConversation();
    await api.control('POST', `/genesys/conversations/${id}/reply`, { image: true, text: 'Here is your receipt' });
    await api.control('POST', `/genesys/conversations/${id}/reply`, { qr: 'SuperSpecialCoupon!' });
    await emu.webhooksIdle();
    const [image, qr] = hook.ofType('Text');
    const attachment = image!.json.content[0];
    expect(attachment).toMatchObject({ contentType: 'Attachment', attachment: { mediaType: 'Image', mime: 'image/png', filename: 'sample.png' } });
    const png = await fetch(attachment.attachment.url);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await png.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
    expect(JSON.parse(qr!.json.text)).toEqual({ gcDecoratedMessage: { gcMessageType: 'qrCode', gcMessageText: 'SuperSpecialCoupon!' } });
  });

  it('retries 5xx, 429 and timeouts with the same id and bytes until acknowledged', async () => {
    const id = await activeConversation();
    hook.received.length = 0;
    hook.respond(500, 429, 'hang', 503, 200);
    const reply = await api.control('POST', `/genesys/conversations/${id}/reply`, { text: 'retry me' });
    await emu.webhooksIdle();
    const attempts = hook.received.filter((r) => r.json.id === reply.body.id);
    expect(attempts).toHaveLength(5);
    expect(new Set(attempts.map((a) => a.raw)).size).toBe(1);
    expect(new Set(attempts.map((a) => a.headers['x-hub-signature-256'])).size).toBe(1);
    const delivery = (await api.control('GET', `/webhooks?key=${reply.body.id}`)).body.deliveries[0];
    expect(delivery.state).toBe('delivered');
    expect(delivery.attempts.map((a: { status?: number; error?: string }) => a.status ?? 'timeout')).toEqual([500, 429, 'timeout', 503, 200]);
    expect((await conversationOf(id)).messages.at(-1).status).toBe('sent');
  });

  it('gives up after five retries, and at once on a non-retryable 4xx, marking the message failed', async () => {
    const id = await activeConversation();
    hook.received.length = 0;
    hook.respond(500, 500, 500, 500, 500, 500, 500);
    const a = await api.control('POST', `/genesys/conversations/${id}/reply`, { text: 'never' });
    await emu.webhooksIdle();
    expect(hook.received.filter((r) => r.json.id === a.body.id)).toHaveLength(6);
    hook.respond(400);
    const b = await api.control('POST', `/genesys/conversations/${id}/reply`, { text: 'rejected' });
    await emu.webhooksIdle();
    expect(hook.received.filter((r) => r.json.id === b.body.id)).toHaveLength(1);
    const messages = (await conversationOf(id)).messages;
    expect(messages.find((m: { id: string }) => m.id === a.body.id).status).toBe('failed');
    expect(messages.find((m: { id: string }) => m.id === b.body.id).status).toBe('failed');
  });

  it('adds the integration webhookHeaders and signs with a changed secret', async () => {
    await api.control('PATCH', `/genesys/integrations/${emu.credentials.integrationId}`, { secret: 'rotated', webhookHeaders: { 'x-tenant': 'acme' } });
    const id = await activeConversation();
    await api.control('POST', `/genesys/conversations/${id}/reply`, { text: 'hi' });
    const got = await until(() => hook.ofType('Text')[0], 'the agent text');
    expect(got.headers['x-tenant']).toBe('acme');
    expect(got.headers['x-hub-signature-256']).toBe(`sha256=${createHmac('sha256', 'rotated').update(got.raw).digest('base64')}`);
  });
});

describe('notifications', () => {
  async function subscribe(topics: string[]) {
    const channel = await api.request('POST', '/api/v2/notifications/channels', { token });
    expect(channel.body).toMatchObject({ id: expect.stringMatching(/^streaming-/), connectUri: expect.stringMatching(/^ws:\/\//), expires: expect.any(String) });
    const sub = await api.request('PUT', `/api/v2/notifications/channels/${channel.body.id}/subscriptions`, { token, body: topics.map((id) => ({ id })) });
    expect(sub.status).toBe(200);
    const ws = new WebSocket(channel.body.connectUri);
    const frames: any[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(String(d))));
    await new Promise((r) => ws.once('open', r));
    return { ws, frames, channelId: channel.body.id as string };
  }
  const topic = () => `v2.routing.queues.${emu.credentials.defaultQueueId}.conversations.messages`;

  it('pushes conversation events and the agent disconnecting when the agent ends', async () => {
    const { ws, frames } = await subscribe([topic()]);
    const id = await activeConversation();
    await api.control('POST', `/genesys/conversations/${id}/end`);
    const ended = await until(
      () => frames.find((f) => f.topicName === topic() && f.eventBody.participants.some((p: any) => p.purpose === 'agent' && p.state === 'disconnected')),
      'the agent disconnect event',
    );
    expect(ended).toMatchObject({ version: '2', metadata: { CorrelationId: expect.any(String) }, eventBody: { id } });
    const agent = ended.eventBody.participants.find((p: any) => p.purpose === 'agent');
    // The agent hung up (client); the customer's leg ended because of it (peer).
    expect(agent).toMatchObject({ state: 'disconnected', disconnectType: 'client', user: { id: expect.any(String) }, endTime: expect.any(String) });
    expect(ended.eventBody.participants.find((p: any) => p.purpose === 'customer')).toMatchObject({ state: 'disconnected', disconnectType: 'peer' });
    ws.close();
  });

  it('reports a transfer as the agent leaving with disconnectType transfer, on the user topic too', async () => {
    const [alex] = (await api.control('GET', '/genesys/agents')).body.agents;
    const userTopic = `v2.users.${alex.id}.conversations.messages`;
    const { ws, frames } = await subscribe([topic(), userTopic]);
    const id = await startConversation();
    await api.control('POST', `/genesys/conversations/${id}/accept`, { agentId: alex.id });
    await api.control('POST', `/genesys/conversations/${id}/transfer`, { queueId: emu.credentials.defaultQueueId });
    const left = await until(
      () => frames.find((f) => f.topicName === userTopic && f.eventBody.participants.some((p: any) => p.purpose === 'agent' && p.state === 'disconnected')),
      'the agent leaving',
    );
    expect(left.eventBody.participants.find((p: any) => p.purpose === 'agent').disconnectType).toBe('transfer');
    expect(left.eventBody.participants.find((p: any) => p.purpose === 'customer').state).toBe('connected');
    ws.close();
  });

  it('sends heartbeats, answers ping with pong, and refuses topics it does not emulate', async () => {
    const { ws, frames, channelId } = await subscribe([topic()]);
    await until(() => frames.find((f) => f.eventBody?.message === 'WebSocket Heartbeat'), 'a heartbeat');
    ws.send(JSON.stringify({ message: 'ping' }));
    await until(() => frames.find((f) => f.topicName === 'channel.metadata' && f.eventBody.message === 'pong'), 'a pong');
    const bad = await api.request('POST', `/api/v2/notifications/channels/${channelId}/subscriptions`, { token, body: [{ id: 'v2.users.x.presence' }] });
    expect(bad.status).toBe(400);
    const listed = await api.request('GET', `/api/v2/notifications/channels/${channelId}/subscriptions`, { token });
    expect(listed.body.entities).toEqual([{ id: topic() }]);
    ws.close();
  });

  it('reports the middleware disconnecting the customer participant, after which the customer starts afresh', async () => {
    const { ws, frames } = await subscribe([topic()]);
    const id = await activeConversation();
    const view = await api.request('GET', `/api/v2/conversations/messages/${id}`, { token });
    const customerP = view.body.participants.find((p: any) => p.purpose === 'customer');
    const patch = await api.request('PATCH', `/api/v2/conversations/messages/${id}/participants/${customerP.id}`, { token, body: { state: 'disconnected' } });
    expect(patch.status).toBe(202);
    await until(() => frames.find((f) => f.eventBody.participants.some((p: any) => p.purpose === 'customer' && p.state === 'disconnected')), 'the customer disconnect');
    expect((await conversationOf(id)).phase).toBe('ended');
    expect((await api.request('PATCH', `/api/v2/conversations/messages/${id}/participants/${customerP.id}`, { token, body: { state: 'gone' } })).status).toBe(400);
    const again = await startConversation();
    expect(again).not.toBe(id);
    ws.close();
  });
});

describe('queues, observations and estimated wait', () => {
  const observe = (metrics: string[], queueId = emu.credentials.defaultQueueId) =>
    api.request('POST', '/api/v2/analytics/queues/observations/query', {
      token,
      body: { filter: { type: 'or', predicates: [{ dimension: 'queueId', value: queueId }] }, metrics },
    });
  const stat = (res: any, metric: string, qualifier?: string) =>
    res.body.results[0].data.find((d: any) => d.metric === metric && (qualifier === undefined || d.qualifier === qualifier)).stats.count;

  it('counts conversations waiting and agents on queue by routing status', async () => {
    await startConversation('a');
    const second = await startConversation('b');
    let res = await observe(['oWaiting', 'oOnQueueUsers']);
    expect(res.status).toBe(200);
    expect(res.body.results[0].group).toEqual({ queueId: emu.credentials.defaultQueueId });
    expect(stat(res, 'oWaiting')).toBe(2);
    expect(stat(res, 'oOnQueueUsers', 'IDLE')).toBe(1);
    await api.control('POST', `/genesys/conversations/${second}/accept`, {});
    res = await observe(['oWaiting', 'oOnQueueUsers']);
    expect(stat(res, 'oWaiting')).toBe(1);
    expect(stat(res, 'oOnQueueUsers', 'INTERACTING')).toBe(1);
    expect((await observe(['oWaiting', 'oNotAMetric'])).status).toBe(400);
    expect((await api.request('POST', '/api/v2/analytics/queues/observations/query', { token, body: { metrics: ['oWaiting'] } })).status).toBe(400);
  });

  it('estimates the wait from the conversations ahead, or as the control API fixes it', async () => {
    const q = emu.credentials.defaultQueueId;
    await startConversation('a');
    const second = await startConversation('b');
    const ewt = async (query = '') => (await api.request('GET', `/api/v2/routing/queues/${q}/estimatedwaittime${query}`, { token })).body.results[0];
    expect(await ewt()).toMatchObject({ formula: 'BEST', estimatedWaitTimeSeconds: 120 });
    expect((await ewt(`?conversationId=${second}`)).estimatedWaitTimeSeconds).toBe(60);
    await api.control('PATCH', `/genesys/queues/${q}`, { estimatedWaitSeconds: 42 });
    expect((await ewt()).estimatedWaitTimeSeconds).toBe(42);
    const media = await api.request('GET', `/api/v2/routing/queues/${q}/mediatypes/message/estimatedwaittime`, { token });
    expect(media.body.results[0]).toMatchObject({ intent: 'MESSAGE', estimatedWaitTimeSeconds: 42 });
    expect((await api.request('GET', '/api/v2/routing/queues/nope/estimatedwaittime', { token })).status).toBe(404);
  });
});

describe('the control API plays the agent', () => {
  it('accepts, transfers to a queue and to an agent, and ends', async () => {
    const [, sales] = (await api.control('GET', '/genesys/queues')).body.queues;
    const [alex, bea] = (await api.control('GET', '/genesys/agents')).body.agents;
    const id = await startConversation();
    expect((await api.control('POST', `/genesys/conversations/${id}/reply`, { text: 'too early' })).status).toBe(409);
    expect((await api.control('POST', `/genesys/conversations/${id}/accept`, { agentId: alex.id })).body.agent.id).toBe(alex.id);
    const moved = await api.control('POST', `/genesys/conversations/${id}/transfer`, { queueId: sales.id });
    expect(moved.body).toMatchObject({ phase: 'waiting', queue: { id: sales.id } });
    await api.control('POST', `/genesys/conversations/${id}/accept`, { agentId: bea.id });
    const direct = await api.control('POST', `/genesys/conversations/${id}/transfer`, { agentId: alex.id });
    expect(direct.body).toMatchObject({ phase: 'active', agent: { id: alex.id } });
    expect((await api.control('POST', `/genesys/conversations/${id}/end`)).body.phase).toBe('ended');
    expect((await api.control('POST', `/genesys/conversations/${id}/end`)).status).toBe(409);
    const participants = (await api.request('GET', `/api/v2/conversations/${id}`, { token })).body.participants;
    expect(participants.map((p: any) => `${p.purpose}:${p.messages[0].state}`)).toEqual([
      'customer:disconnected',
      'acd:disconnected',
      'agent:disconnected',
      'acd:disconnected',
      'agent:disconnected',
      'agent:disconnected',
    ]);
  });

  it('serves the agent page', async () => {
    const page = await fetch(`${emu.url}/agent`);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    for (const label of ['Accept', 'Transfer', 'End', 'Send image', 'Send QR']) expect(html).toContain(label);
  });

  it('lists every control route and the credentials at /__control', async () => {
    const res = await api.control('GET', '');
    expect(res.body).toMatchObject({ emulator: 'genesys', credentials: emu.credentials, integration: { id: emu.credentials.integrationId } });
    expect(res.body.control.map((d: { path: string }) => d.path)).toContain('/__control/genesys/conversations/:id/reply');
  });
});

describe('the kit around the emulator', () => {
  it('logs what it received so tests can assert on the exact request', async () => {
    const body = inboundBody('logged');
    await inbound('message', body);
    const log = (await api.control('GET', '/requests?method=POST&path=/inbound/open/message')).body.requests;
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ status: 202, json: body, headers: { authorization: `Bearer ${token}` } });
  });

  it('injects 500s, 429s with Retry-After, delays, hangs and resets on matching routes', async () => {
    const path = `/api/v2/routing/queues/${emu.credentials.defaultQueueId}`;
    await api.control('POST', '/faults', { path: '/api/v2/routing/**', kind: 'error', times: 1 });
    const e500 = await api.request('GET', path, { token });
    expect(e500.status).toBe(500);
    expect(e500.body.status).toBe(500);
    expect((await api.request('GET', path, { token })).status).toBe(200);

    await api.control('DELETE', '/faults');
    await api.control('POST', '/faults', { path: '/api/v2/routing/queues/*', kind: 'rateLimit', retryAfterSeconds: 7, times: 1 });
    const e429 = await api.request('GET', path, { token });
    expect(e429.status).toBe(429);
    expect(e429.headers.get('retry-after')).toBe('7');

    await api.control('POST', '/faults', { path: '/api/v2/routing/**', kind: 'delay', delayMs: 250, times: 1 });
    const started = Date.now();
    expect((await api.request('GET', path, { token })).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);

    await api.control('POST', '/faults', { path: '/api/v2/routing/**', kind: 'hang', times: 1 });
    await expect(fetch(emu.url + path, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(200) })).rejects.toThrow();

    await api.control('POST', '/faults', { path: '/api/v2/routing/**', kind: 'reset', times: 1 });
    await expect(fetch(emu.url + path, { headers: { authorization: `Bearer ${token}` } })).rejects.toThrow();
    expect((await api.request('GET', path, { token })).status).toBe(200);

    const faults = (await api.control('GET', '/requests?path=/api/v2/routing/')).body.requests.map((r: { fault?: string }) => r.fault).filter(Boolean);
    expect(faults).toEqual(['error', 'rateLimit', 'delay', 'hang', 'reset']);
  });

  it('fails only the configured share of requests', async () => {
    await api.control('POST', '/faults', { path: '/api/v2/routing/**', kind: 'error', status: 503, share: 0.5 });
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await api.request('GET', `/api/v2/routing/queues/${emu.credentials.defaultQueueId}`, { token })).status);
    const failed = statuses.filter((s) => s === 503).length;
    expect(failed).toBeGreaterThan(5);
    expect(failed).toBeLessThan(35);
    expect(statuses.every((s) => s === 503 || s === 200)).toBe(true);
  });
});
