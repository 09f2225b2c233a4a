import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplePng } from '../../../emulators/kit/png.js';
import { customerChat, eventFrame, Streams, type Chat } from '../../helpers/flows.js';
import { until } from '../../helpers/server.js';
import { livePersonScene, type LivePersonScene } from './helpers.js';

// The `liveperson` desk end to end against the LivePerson emulator, the customer on Parley's web channel:
// forged, unsigned and mis-addressed webhooks refused with nothing stored; LivePerson's redelivery stored
// once; a notification with several changes handled whole and in order; agent-only notes kept from the
// customer; files both ways; an AppJWT and ConsumerJWS that expire are fetched again; the post-conversation
// survey skipped or answered, as configured.

const T = 8000;

describe('liveperson ↔ web customer', () => {
  let scene: LivePersonScene;
  const streams = new Streams();
  beforeAll(async () => {
    scene = await livePersonScene();
  });
  afterAll(async () => {
    await streams.closeAll();
    await scene?.stop();
  });

  const lp = (method: string, path: string, body?: unknown) => scene.control(method, `/liveperson${path}`, body);
  const say = async (chat: Chat, text: string) => expect((await scene.ts.api.post(`/v1/conversations/${chat.conversationId}/messages`, { text, clientMessageId: `${text}-${Math.random()}` }, chat.token)).status).toBe(201);
  const events = async (chat: Chat) => (await scene.ts.api.get(`/v1/conversations/${chat.conversationId}/events`, chat.token)).body.events as any[];
  const agentTexts = async (chat: Chat) => (await events(chat)).filter((e) => e.kind === 'message' && e.origin === 'desk').map((e) => e.parts.map((p: any) => p.text ?? p.type).join(' '));

  /** A customer who wrote and an agent (Alex) who took the conversation at LivePerson. */
  async function accepted(first = 'Hello LivePerson') {
    const chat = await customerChat(scene.ts, streams);
    await say(chat, first);
    const lpc = await until(() => scene.conversationOf(chat.conversationId), T, 'the LivePerson conversation');
    expect((await lp('POST', `/conversations/${lpc.id}/accept`, {})).status).toBe(200);
    await chat.stream.next(eventFrame('participant.joined', chat.conversationId), T);
    return { chat, id: lpc.id as string };
  }

  it('a forged, unsigned or mis-addressed notification is refused with 401 and stores nothing', async () => {
    const { chat, id } = await accepted();
    const before = (await events(chat)).length;
    const c = scene.emu.credentials;
    const body = JSON.stringify({
      kind: 'notification',
      type: 'ms.MessagingEventNotification',
      body: { changes: [{ sequence: 99, originatorId: 'x', originatorMetadata: { id: 'x', role: 'ASSIGNED_AGENT' }, serverTimestamp: Date.now(), event: { type: 'ContentEvent', contentType: 'text/plain', message: 'forged' }, conversationId: id, dialogId: id, messageAudience: 'ALL' }] },
    });
    const sign = (secret: string, alg = 'sha1') => `${alg}=${createHmac(alg, secret).update(body).digest('base64')}`;
    const good = { 'x-liveperson-account-id': c.accountId, 'x-liveperson-client-id': c.clientId };
    const attempts: [string, Record<string, string>][] = [
      ['unsigned', good],
      ['wrong secret', { ...good, 'x-liveperson-signature': sign('not-the-client-secret') }],
      ['another account', { ...good, 'x-liveperson-account-id': '999', 'x-liveperson-signature': sign(c.clientSecret) }],
      ['another app', { ...good, 'x-liveperson-client-id': 'someone-else', 'x-liveperson-signature': sign(c.clientSecret) }],
      ['no account header', { 'x-liveperson-client-id': c.clientId, 'x-liveperson-signature': sign(c.clientSecret) }],
      ['md5', { ...good, 'x-liveperson-signature': `md5=${createHmac('md5', c.clientSecret).update(body).digest('base64')}` }],
    ];
    for (const [what, headers] of attempts) {
      const r = await fetch(`${scene.ts.url}/webhooks/liveperson/lp`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      expect({ what, status: r.status }).toEqual({ what, status: 401 });
    }
    // Signed right (sha1 or sha256, base64 or hex): accepted.
    const hex = `sha256=${createHmac('sha256', c.clientSecret).update(body).digest('hex')}`;
    const ok = await fetch(`${scene.ts.url}/webhooks/liveperson/lp`, { method: 'POST', headers: { 'content-type': 'application/json', ...good, 'x-liveperson-signature': hex }, body });
    expect(ok.status).toBe(200);
    await until(async () => (await agentTexts(chat)).includes('forged'), T, 'the signed one stored');
    expect((await events(chat)).length).toBe(before + 1);
  });

  it('several changes in one notification are all stored, in order; LivePerson redelivering it stores nothing new; agent-only notes never reach the customer', async () => {
    const { chat, id } = await accepted();
    await lp('POST', `/conversations/${id}/reply`, { text: 'Only for agents', audience: 'AGENTS_AND_MANAGERS' });
    expect((await lp('POST', `/conversations/${id}/reply`, { texts: ['one', 'two', 'three'] })).status).toBe(201);
    await until(async () => (await agentTexts(chat)).length >= 3, T, 'the three replies');
    expect(await agentTexts(chat)).toEqual(['one', 'two', 'three']);
    // Every notification of this conversation again, byte for byte.
    await scene.emu.webhooksIdle();
    const keys = ((await scene.control('GET', '/webhooks')).body.deliveries as { key: string }[]).map((d) => d.key).filter((k) => k.startsWith(`${id}:`));
    expect(keys.length).toBeGreaterThan(0);
    for (const key of new Set(keys)) await lp('POST', `/notifications/${encodeURIComponent(key)}/redeliver`);
    await scene.emu.webhooksIdle();
    expect(await agentTexts(chat)).toEqual(['one', 'two', 'three']);
    expect((await events(chat)).filter((e) => e.kind === 'participant.joined')).toHaveLength(1);
  });

  it('files both ways: the customer’s image is uploaded as a hosted file; the agent’s image reaches the customer, the same bytes', async () => {
    const { chat, id } = await accepted();
    const png = samplePng(7, [0xd0, 0x20, 0x20]);
    const up = await scene.ts.api.req('POST', '/v1/media', { token: chat.token, raw: png, contentType: 'image/png' });
    expect(up.status).toBe(201);
    expect((await scene.ts.api.post(`/v1/conversations/${chat.conversationId}/messages`, { parts: [{ type: 'media', mediaId: up.body.media.id, caption: 'my receipt' }], clientMessageId: 'img-1' }, chat.token)).status).toBe(201);
    const file = await until(async () => ((await lp('GET', `/conversations/${id}`)).body.messages as any[]).find((m) => m.contentType === 'hosted/file'), T, 'the hosted file at LivePerson');
    const stored = await scene.control('GET', `/liveperson/files/${Buffer.from(file.message.relativePath).toString('base64url')}`);
    expect(stored.status).toBe(200);
    expect(file.message).toMatchObject({ caption: 'my receipt', fileType: 'PNG' });

    expect((await lp('POST', `/conversations/${id}/reply`, { image: true })).status).toBe(201);
    const media = await until(async () => (await events(chat)).find((e) => e.kind === 'message' && e.origin === 'desk' && e.parts[0]?.type === 'media')?.parts[0], T, "the agent's image in Parley");
    expect(media.mime).toBe('image/png');
    const bytes = Buffer.from(await (await fetch(media.url)).arrayBuffer());
    expect(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  });

  it('expired tokens (AppJWT and ConsumerJWS) are fetched again: the next message still goes, once', async () => {
    const { chat, id } = await accepted();
    expect((await lp('POST', '/tokens/expire')).status).toBe(200);
    await say(chat, 'after expiry');
    await until(async () => ((await lp('GET', `/conversations/${id}`)).body.messages as any[]).some((m) => m.message === 'after expiry'), T, 'the message at LivePerson');
    const sent = ((await lp('GET', `/conversations/${id}`)).body.messages as any[]).filter((m) => m.message === 'after expiry');
    expect(sent).toHaveLength(1);
    const tokens = ((await scene.control('GET', '/requests?path=/sentinel/')).body.requests as any[]).length;
    expect(tokens).toBeGreaterThanOrEqual(2);
  });

  it("the customer's profile tells the agent who they are and the conversation's context (engagement attributes)", async () => {
    const cust = await scene.ts.api.customer();
    const open = await scene.ts.api.post('/v1/conversations', { context: { orderId: 'A-1042', topic: 'refund' } }, cust.token);
    expect(open.status).toBe(201);
    const conversationId = open.body.conversation.id as string;
    expect((await scene.ts.api.post(`/v1/conversations/${conversationId}/messages`, { text: 'About my order', clientMessageId: 'ctx-1' }, cust.token)).status).toBe(201);
    const lpc = await until(() => scene.conversationOf(conversationId), T, 'the LivePerson conversation');
    const profile = JSON.stringify(lpc.profile);
    expect(profile).toContain(cust.contactId);
    expect(profile).toContain('orderId: A-1042');
    expect(profile).toContain('topic: refund');
  });

  it('the survey is skipped by default: the agent closes with a survey and the conversation ends', async () => {
    const { chat, id } = await accepted();
    expect((await lp('POST', `/conversations/${id}/close`, { survey: true })).status).toBe(200);
    await chat.stream.next(eventFrame('conversation.ended', chat.conversationId), T);
    const c = (await lp('GET', `/conversations/${id}`)).body;
    expect(c.state).toBe('CLOSE');
    expect(await agentTexts(chat)).toEqual([]);
  });
});

describe('liveperson with survey: "answer"', () => {
  let scene: LivePersonScene;
  const streams = new Streams();
  beforeAll(async () => {
    scene = await livePersonScene({ desk: { survey: 'answer' } });
  });
  afterAll(async () => {
    await streams.closeAll();
    await scene?.stop();
  });

  it('the survey question reaches the customer, their answer reaches the survey, and the conversation ends when it closes', async () => {
    const chat = await customerChat(scene.ts, streams);
    expect((await scene.ts.api.post(`/v1/conversations/${chat.conversationId}/messages`, { text: 'Hi', clientMessageId: 'hi' }, chat.token)).status).toBe(201);
    const lpc = await until(() => scene.conversationOf(chat.conversationId), T, 'the LivePerson conversation');
    const lp = (method: string, path: string, body?: unknown) => scene.control(method, `/liveperson${path}`, body);
    await lp('POST', `/conversations/${lpc.id}/accept`, {});
    await chat.stream.next(eventFrame('participant.joined', chat.conversationId), T);
    expect((await lp('POST', `/conversations/${lpc.id}/close`, { survey: true })).status).toBe(200);
    const question = await chat.stream.next(eventFrame('message', chat.conversationId, (e) => e.origin === 'desk'), T);
    expect(question.event.author.role).toBe('bot');
    expect((await scene.ts.api.post(`/v1/conversations/${chat.conversationId}/messages`, { text: '5', clientMessageId: 'answer' }, chat.token)).status).toBe(201);
    await until(async () => {
      const c = (await lp('GET', `/conversations/${lpc.id}`)).body;
      return (c.messages as any[]).some((m) => m.dialogId !== lpc.id && m.originator?.role === 'CONSUMER' && m.message === '5');
    }, T, 'the answer in the survey dialog');
    expect((await lp('POST', `/conversations/${lpc.id}/survey/close`)).status).toBe(200);
    await chat.stream.next(eventFrame('conversation.ended', chat.conversationId), T);
  });
});
