import { describe, expect, it } from 'vitest';
import { customerChat, eventFrame, fastAgent, makeQueue, adminServer } from '../helpers/flows.js';

// Typing is ephemeral: it is fanned out to the other side live and never written to the log.

describe('typing indicators', () => {
  const env = adminServer();

  /** A customer and an agent in an active chat, both with a stream open. */
  async function activeChat() {
    const q = await makeQueue(env.ts, env.adminToken, 'round_robin');
    const alice = await fastAgent(env.ts, { name: 'Alice', queues: [q.id] });
    const agentStream = await env.streams.connect(env.ts, alice.token);
    const chat = await customerChat(env.ts, env.streams, q.name);
    await chat.stream.next(eventFrame('participant.joined', chat.conversationId));
    return { alice, agentStream, ...chat };
  }

  const typingFrame = (conversationId: string, typing: boolean, role?: string) => (f: any) =>
    f.type === 'typing' && f.conversationId === conversationId && f.typing === typing && (!role || f.author.role === role);

  it('typing frames on the stream reach the other side both ways, and nobody gets their own typing back', async () => {
    const { alice, agentStream, stream, conversationId, contactId } = await activeChat();

    stream.send({ type: 'typing', conversationId, typing: true });
    const atAgent = await agentStream.next(typingFrame(conversationId, true));
    expect(atAgent.author).toEqual({ role: 'customer', id: contactId });

    agentStream.send({ type: 'typing', conversationId, typing: true });
    const atCustomer = await stream.next(typingFrame(conversationId, true));
    expect(atCustomer.author).toMatchObject({ role: 'agent', id: alice.id, name: 'Alice' });

    stream.send({ type: 'typing', conversationId, typing: false });
    await agentStream.next(typingFrame(conversationId, false));
    agentStream.send({ type: 'typing', conversationId, typing: false });
    await stream.next(typingFrame(conversationId, false));

    // Each session forwards bus messages in publish order, so an echo of the customer's own typing would
    // have arrived before the agent's later "stopped typing" did.
    expect(stream.frames.filter((f) => f.type === 'typing' && f.author.role === 'customer')).toEqual([]);
    expect(agentStream.frames.filter((f) => f.type === 'typing' && f.author.role === 'agent')).toEqual([]);
  });

  it('typing sent over REST reaches the other side live', async () => {
    const { alice, agentStream, stream, conversationId, token } = await activeChat();

    const fromCustomer = await env.ts.api.post(`/v1/conversations/${conversationId}/typing`, { typing: true }, token);
    expect(fromCustomer.status).toBe(200);
    expect(fromCustomer.body).toEqual({ ok: true });
    await agentStream.next(typingFrame(conversationId, true, 'customer'));

    const fromAgent = await env.ts.api.post(`/v1/agent/conversations/${conversationId}/typing`, { typing: true }, alice.token);
    expect(fromAgent.status).toBe(200);
    await stream.next(typingFrame(conversationId, true, 'agent'));
    expect(stream.frames.some(typingFrame(conversationId, true, 'customer'))).toBe(false);
  });

  it('typing is never stored: the log and its seq do not move', async () => {
    const { alice, agentStream, stream, conversationId, token } = await activeChat();
    const before = await env.ts.api.get(`/v1/conversations/${conversationId}/events`, token);

    for (const typing of [true, false, true, false]) {
      stream.send({ type: 'typing', conversationId, typing });
      await env.ts.api.post(`/v1/agent/conversations/${conversationId}/typing`, { typing }, alice.token);
    }
    await agentStream.next((f) => f.type === 'typing' && f.typing === false);
    await stream.next((f) => f.type === 'typing' && f.typing === false);

    const after = await env.ts.api.get(`/v1/conversations/${conversationId}/events`, token);
    expect(after.body.lastSeq).toBe(before.body.lastSeq);
    expect(after.body.events).toEqual(before.body.events);
    expect(after.body.events.map((e: any) => e.kind)).not.toContain('typing');
    const agentView = await env.ts.api.get(`/v1/agent/conversations/${conversationId}/events`, alice.token);
    expect(agentView.body.lastSeq).toBe(before.body.lastSeq);
    // And no event frame was produced by any of it.
    expect(stream.events(conversationId).map((e) => e.seq)).toEqual(before.body.events.map((e: any) => e.seq));
  });

  it("typing into someone else's conversation is refused and reaches nobody", async () => {
    const { agentStream, conversationId } = await activeChat();
    const stranger = await env.ts.api.customer();
    const strangerStream = await env.streams.connect(env.ts, stranger.token);

    const rest = await env.ts.api.post(`/v1/conversations/${conversationId}/typing`, { typing: true }, stranger.token);
    expect(rest.status).toBe(404);
    expect(rest.body.error.code).toBe('PARLEY_E_CONVERSATION_NOT_FOUND');

    strangerStream.send({ type: 'typing', conversationId, typing: true, ref: 't-1' });
    const err = await strangerStream.next((f) => f.type === 'error' && f.ref === 't-1');
    expect(err.error.code).toBe('PARLEY_E_CONVERSATION_NOT_FOUND');

    // An agent who does not hold the chat cannot type into it either.
    const bob = await fastAgent(env.ts, { name: 'Bob' });
    const bobTyping = await env.ts.api.post(`/v1/agent/conversations/${conversationId}/typing`, { typing: true }, bob.token);
    expect(bobTyping.status).toBe(404);
    expect(agentStream.frames.some((f) => f.type === 'typing')).toBe(false);
  });

  it('typing into an ended conversation is refused with CONVERSATION_ENDED', async () => {
    const { conversationId, token, alice } = await activeChat();
    expect((await env.ts.api.post(`/v1/conversations/${conversationId}/end`, undefined, token)).status).toBe(200);

    const customerTyping = await env.ts.api.post(`/v1/conversations/${conversationId}/typing`, { typing: true }, token);
    expect(customerTyping.status).toBe(409);
    expect(customerTyping.body.error.code).toBe('PARLEY_E_CONVERSATION_ENDED');
    const agentTyping = await env.ts.api.post(`/v1/agent/conversations/${conversationId}/typing`, { typing: true }, alice.token);
    expect(agentTyping.status).toBe(409);
    expect(agentTyping.body.error.code).toBe('PARLEY_E_CONVERSATION_ENDED');
  });
});
