import { describe, expect, it } from 'vitest';
import { adminServer, customerChat, eventFrame, fastAgent, makeQueue, type Chat } from '../helpers/flows.js';
import type { StreamClient } from '../helpers/server.js';

// A stream delivers an event only to whoever may read its conversation at that moment (docs/security.md).
// The review found an agent's stream receiving the whole log of a conversation assigned to someone else the
// moment it ended or was transferred, though REST answered 404 for it.

describe('live streams show a conversation only to those who may read it now', () => {
  const env = adminServer();

  /**
   * Streams process bus messages in order: once `watcher` sees a new chat queued in `queueId`, everything
   * published before it has been handled (or dropped) by that stream.
   */
  async function settle(watcher: StreamClient, queueId: string): Promise<void> {
    const sentinel = await customerChat(env.ts, env.streams, queueId);
    await watcher.next(eventFrame('conversation.queued', sentinel.conversationId));
  }

  async function accept(token: string, chat: Chat): Promise<void> {
    const r = await env.ts.api.post(`/v1/agent/conversations/${chat.conversationId}/accept`, {}, token);
    expect(r.status).toBe(200);
  }

  async function say(token: string, chat: Chat, text: string): Promise<void> {
    const r = await env.ts.api.post(`/v1/agent/conversations/${chat.conversationId}/messages`, { clientMessageId: `m-${Math.random()}`, text }, token);
    expect(r.status).toBe(201);
  }

  it('an agent of the queue who connected after the chat was taken sees nothing of it when it ends', async () => {
    const { ts, streams, adminToken } = env;
    const q = await makeQueue(ts, adminToken, 'manual');
    const holder = await fastAgent(ts, { name: 'Holder', queues: [q.id] });
    const bystander = await fastAgent(ts, { name: 'Bystander', queues: [q.id] });
    const chat = await customerChat(ts, streams, q.id);
    await accept(holder.token, chat);
    await say(holder.token, chat, 'private answer');

    const late = await streams.connect(ts, bystander.token);
    expect(late.events(chat.conversationId)).toEqual([]);
    const end = await ts.api.post(`/v1/agent/conversations/${chat.conversationId}/end`, {}, holder.token);
    expect(end.status).toBe(200);
    await settle(late, q.id);
    expect(late.events(chat.conversationId)).toEqual([]);
    expect(late.frames.filter((f) => f.conversationId === chat.conversationId)).toEqual([]);
    // REST agrees: the bystander may not read it.
    expect((await ts.api.get(`/v1/agent/conversations/${chat.conversationId}/events`, bystander.token)).status).toBe(404);
  });

  it('an agent who saw the chat waiting gets one revoked frame when another takes it, and nothing after', async () => {
    const { ts, streams, adminToken } = env;
    const q = await makeQueue(ts, adminToken, 'manual');
    const taker = await fastAgent(ts, { name: 'Taker', queues: [q.id] });
    const other = await fastAgent(ts, { name: 'Other', queues: [q.id] });
    const otherStream = await streams.connect(ts, other.token);
    const chat = await customerChat(ts, streams, q.id);
    await otherStream.next(eventFrame('conversation.queued', chat.conversationId));

    await accept(taker.token, chat);
    await otherStream.next((f) => f.type === 'revoked' && f.conversationId === chat.conversationId);
    await say(taker.token, chat, 'for the customer only');
    await ts.api.post(`/v1/agent/conversations/${chat.conversationId}/end`, {}, taker.token);
    await settle(otherStream, q.id);
    // What it saw while the chat waited, and not one event after it was taken.
    expect(otherStream.events(chat.conversationId).map((e) => e.kind)).toEqual(['conversation.queued']);
  });

  it('a transfer to another agent reaches that agent whole, and the previous holder is told once, then nothing', async () => {
    const { ts, streams, adminToken } = env;
    const q = await makeQueue(ts, adminToken, 'manual');
    const q2 = await makeQueue(ts, adminToken, 'manual');
    const from = await fastAgent(ts, { name: 'From', queues: [q.id] });
    const to = await fastAgent(ts, { name: 'To', queues: [q2.id] });
    const queueMate = await fastAgent(ts, { name: 'Mate', queues: [q.id] });
    const fromStream = await streams.connect(ts, from.token);
    const toStream = await streams.connect(ts, to.token);
    const chat = await customerChat(ts, streams, q.id);
    await accept(from.token, chat);
    await say(from.token, chat, 'before the transfer');
    const mateStream = await streams.connect(ts, queueMate.token);

    const t = await ts.api.post(`/v1/agent/conversations/${chat.conversationId}/transfer`, { toAgentId: to.id }, from.token);
    expect(t.status).toBe(200);
    // The new holder gets the whole log, from its first event.
    const first = await toStream.next(eventFrame('conversation.queued', chat.conversationId));
    expect(first.event.seq).toBe(1);
    await toStream.next(eventFrame('message', chat.conversationId, (e) => JSON.stringify(e).includes('before the transfer')));
    // The previous holder loses it with one frame.
    await fromStream.next((f) => f.type === 'revoked' && f.conversationId === chat.conversationId);
    await say(to.token, chat, 'after the transfer');
    await ts.api.post(`/v1/agent/conversations/${chat.conversationId}/end`, {}, to.token);
    await settle(fromStream, q.id);
    await settle(mateStream, q.id);
    const fromSaw = JSON.stringify(fromStream.events(chat.conversationId));
    expect(fromSaw).not.toContain('after the transfer');
    expect(fromStream.events(chat.conversationId).some((e) => e.kind === 'conversation.ended')).toBe(false);
    // An agent of the old queue who never held it sees none of it.
    expect(mateStream.events(chat.conversationId)).toEqual([]);
  });

  it('a demoted admin stops receiving conversations that are not theirs, and their watch ends', async () => {
    const { ts, streams, adminToken } = env;
    const q = await makeQueue(ts, adminToken, 'manual');
    const holder = await fastAgent(ts, { name: 'Holder', queues: [q.id] });
    const lead = await fastAgent(ts, { name: 'Lead', role: 'admin', queues: [q.id] });
    const leadStream = await streams.connect(ts, lead.token);
    const chat = await customerChat(ts, streams, q.id);
    await accept(holder.token, chat);
    await leadStream.next(eventFrame('participant.joined', chat.conversationId));
    leadStream.send({ type: 'watch', conversationId: chat.conversationId, ref: 'w1' });
    await leadStream.next((f) => f.type === 'ack' && f.ref === 'w1');

    const demote = await ts.api.req('PATCH', `/v1/admin/agents/${lead.id}`, { token: adminToken, body: { role: 'agent' } });
    expect(demote.status).toBe(200);
    await leadStream.next((f) => f.type === 'revoked' && f.conversationId === chat.conversationId);
    await say(holder.token, chat, 'not for the former admin');
    await settle(leadStream, q.id);
    expect(JSON.stringify(leadStream.events(chat.conversationId))).not.toContain('not for the former admin');
    // And the watch frame is refused now.
    leadStream.send({ type: 'watch', conversationId: chat.conversationId, ref: 'w2' });
    const refused = await leadStream.next((f) => f.type === 'error' && f.ref === 'w2');
    expect(refused.error.code).toBe('PARLEY_E_FORBIDDEN');
  });

  it('an agent removed from a queue stops seeing the chats waiting there', async () => {
    const { ts, streams, adminToken } = env;
    const q = await makeQueue(ts, adminToken, 'manual');
    const q2 = await makeQueue(ts, adminToken, 'manual');
    const a = await fastAgent(ts, { name: 'Mover', queues: [q.id] });
    const aStream = await streams.connect(ts, a.token);
    const chat = await customerChat(ts, streams, q.id);
    await aStream.next(eventFrame('conversation.queued', chat.conversationId));
    const moved = await ts.api.req('PATCH', `/v1/admin/agents/${a.id}`, { token: adminToken, body: { queues: [q2.id] } });
    expect(moved.status).toBe(200);
    await aStream.next((f) => f.type === 'revoked' && f.conversationId === chat.conversationId);
    // The new queue's chats now reach the stream.
    await settle(aStream, q2.id);
  });
});
