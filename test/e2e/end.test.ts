import { describe, expect, it } from 'vitest';
import { dialects } from '../helpers/databases.js';
import { customerChat, eventFrame, fastAgent, kindsSeen, makeQueue, adminServer } from '../helpers/flows.js';

// Ending a conversation: either side may end it; the log says who; nothing more can be written into it,
// and the customer's next "open" starts a new conversation instead of reviving the old one.

describe.each(await dialects())('ending a conversation (%s)', (dialect) => {
  const env = adminServer({ dialect });

  async function activeChat() {
    const q = await makeQueue(env.ts, env.adminToken, 'round_robin');
    const alice = await fastAgent(env.ts, { name: 'Alice', queues: [q.id] });
    const agentStream = await env.streams.connect(env.ts, alice.token);
    const chat = await customerChat(env.ts, env.streams, q.name);
    await chat.stream.next(eventFrame('participant.joined', chat.conversationId));
    return { q, alice, agentStream, ...chat };
  }

  it('a customer ending the chat tells the agent, and further messages get CONVERSATION_ENDED', async () => {
    const { q, alice, agentStream, stream, conversationId, token } = await activeChat();

    const r = await env.ts.api.post(`/v1/conversations/${conversationId}/end`, undefined, token);
    expect(r.status).toBe(200);
    expect(r.body.conversation.phase).toBe('ended');
    expect(typeof r.body.conversation.endedAt).toBe('string');

    const ended = await stream.next(eventFrame('conversation.ended', conversationId));
    expect(ended.event).toMatchObject({ by: 'customer', origin: 'channel', author: { role: 'customer' } });
    expect(kindsSeen(stream, conversationId).slice(-2)).toEqual(['participant.left', 'conversation.ended']);
    const left = stream.events(conversationId).at(-2);
    expect(left).toMatchObject({ participant: { id: alice.id }, reason: 'ended' });
    await agentStream.next(eventFrame('conversation.ended', conversationId, (e) => e.by === 'customer'));

    const late = await env.ts.api.post(`/v1/conversations/${conversationId}/messages`, { clientMessageId: 'late-1', text: 'one more thing' }, token);
    expect(late.status).toBe(409);
    expect(late.body.error).toMatchObject({ code: 'PARLEY_E_CONVERSATION_ENDED', retryable: false });
    stream.send({ type: 'message', conversationId, clientMessageId: 'late-2', text: 'over the socket' });
    const frameErr = await stream.next((f) => f.type === 'error' && f.ref === 'late-2');
    expect(frameErr.error.code).toBe('PARLEY_E_CONVERSATION_ENDED');
    const agentLate = await env.ts.api.post(`/v1/agent/conversations/${conversationId}/messages`, { clientMessageId: 'a-late', text: 'bye' }, alice.token);
    expect(agentLate.status).toBe(409);
    expect(agentLate.body.error.code).toBe('PARLEY_E_CONVERSATION_ENDED');

    // Nothing was appended by the refused writes; ending again is harmless and appends nothing either.
    const before = (await env.ts.api.get(`/v1/conversations/${conversationId}/events`, token)).body;
    expect(before.events.filter((e: any) => e.kind === 'message')).toHaveLength(0);
    const again = await env.ts.api.post(`/v1/conversations/${conversationId}/end`, undefined, token);
    expect(again.status).toBe(200);
    expect((await env.ts.api.get(`/v1/conversations/${conversationId}/events`, token)).body.lastSeq).toBe(before.lastSeq);

    // A new open starts a NEW conversation.
    const next = await env.ts.api.post('/v1/conversations', { queue: q.name }, token);
    expect(next.status).toBe(201);
    expect(next.body.conversation.id).not.toBe(conversationId);
    expect(['queued', 'active']).toContain(next.body.conversation.phase);
    const list = await env.ts.api.get('/v1/conversations', token);
    const phases = Object.fromEntries(list.body.conversations.map((c: any) => [c.id, c.phase]));
    expect(phases[conversationId]).toBe('ended');
    expect(Object.keys(phases)).toHaveLength(2);
    const fresh = await env.ts.api.post(`/v1/conversations/${next.body.conversation.id}/messages`, { clientMessageId: 'late-1', text: 'one more thing' }, token);
    expect(fresh.status).toBe(201);
    expect(fresh.body.event.conversationId).toBe(next.body.conversation.id);
  });

  it('an agent ending the chat shows the customer conversation.ended by the agent, and the next open is a new chat', async () => {
    const { q, alice, stream, conversationId, token } = await activeChat();

    const r = await env.ts.api.post(`/v1/agent/conversations/${conversationId}/end`, undefined, alice.token);
    expect(r.status).toBe(200);
    expect(r.body.conversation.phase).toBe('ended');
    const ended = await stream.next(eventFrame('conversation.ended', conversationId));
    expect(ended.event).toMatchObject({ by: 'agent', origin: 'desk', author: { role: 'agent', id: alice.id, name: 'Alice' } });

    const view = await env.ts.api.get(`/v1/conversations/${conversationId}`, token);
    expect(view.body.conversation.phase).toBe('ended');
    const late = await env.ts.api.post(`/v1/conversations/${conversationId}/messages`, { clientMessageId: 'x', text: 'hello?' }, token);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('PARLEY_E_CONVERSATION_ENDED');

    const next = await env.ts.api.post('/v1/conversations', { queue: q.name }, token);
    expect(next.status).toBe(201);
    expect(next.body.conversation.id).not.toBe(conversationId);
    // The new chat is live on the same stream: the agent (online, now free) picks it up.
    await stream.next(eventFrame('participant.joined', next.body.conversation.id, (e) => e.participant.id === alice.id));
  });

  it('only the agent holding a chat may end it', async () => {
    const { q, conversationId, token } = await activeChat();
    const other = await fastAgent(env.ts, { name: 'Other', queues: [q.id] });
    const r = await env.ts.api.post(`/v1/agent/conversations/${conversationId}/end`, undefined, other.token);
    expect(r.status).toBe(404);
    const view = await env.ts.api.get(`/v1/conversations/${conversationId}`, token);
    expect(view.body.conversation.phase).toBe('active');
  });

  it('a customer can end a chat still waiting in the queue, and the customer behind moves up', async () => {
    const q = await makeQueue(env.ts, env.adminToken, 'manual');
    const first = await customerChat(env.ts, env.streams, q.name);
    const second = await customerChat(env.ts, env.streams, q.name);
    await second.stream.next((f) => f.type === 'availability' && f.position === 2);

    const r = await env.ts.api.post(`/v1/conversations/${first.conversationId}/end`, undefined, first.token);
    expect(r.status).toBe(200);
    const ended = await first.stream.next(eventFrame('conversation.ended', first.conversationId));
    expect(ended.event.by).toBe('customer');
    // Nobody had joined, so nobody leaves.
    expect(kindsSeen(first.stream, first.conversationId)).toEqual(['conversation.queued', 'conversation.ended']);
    await second.stream.next((f) => f.type === 'availability' && f.conversationId === second.conversationId && f.position === 1);
  });
});
