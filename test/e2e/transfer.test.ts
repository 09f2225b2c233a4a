import { describe, expect, it } from 'vitest';
import { dialects } from '../helpers/databases.js';
import { customerChat, eventFrame, fastAgent, kindsSeen, makeQueue, adminServer } from '../helpers/flows.js';

// Transfers: to another agent (who joins at once) or to a queue (the chat waits there until someone
// accepts). The customer sees every step in the log; the new holder gets the whole history.

describe.each(await dialects())('transfers (%s)', (dialect) => {
  const env = adminServer({ dialect });

  /** A customer chatting with Alice (round-robin queue), one message each way. */
  async function chatWithAlice(capacity = 5) {
    const q = await makeQueue(env.ts, env.adminToken, 'round_robin');
    const alice = await fastAgent(env.ts, { name: 'Alice', queues: [q.id], capacity });
    const aliceStream = await env.streams.connect(env.ts, alice.token);
    const chat = await customerChat(env.ts, env.streams, q.name);
    await chat.stream.next(eventFrame('participant.joined', chat.conversationId, (e) => e.participant.id === alice.id));
    await env.ts.api.post(`/v1/conversations/${chat.conversationId}/messages`, { clientMessageId: 'c-1', text: 'My card was charged twice' }, chat.token);
    await env.ts.api.post(`/v1/agent/conversations/${chat.conversationId}/messages`, { clientMessageId: 'a-1', text: 'Billing can refund that' }, alice.token);
    return { q, alice, aliceStream, ...chat };
  }

  it('a transfer to another agent shows the customer the agent leave and the new agent join, and hands over the history', async () => {
    const { alice, aliceStream, stream, conversationId, token } = await chatWithAlice();
    const other = await makeQueue(env.ts, env.adminToken, 'round_robin');
    const bob = await fastAgent(env.ts, { name: 'Bob', queues: [other.id] });
    const bobStream = await env.streams.connect(env.ts, bob.token);
    expect(bobStream.events(conversationId)).toEqual([]);

    const r = await env.ts.api.post(`/v1/agent/conversations/${conversationId}/transfer`, { toAgentId: bob.id, note: 'refund request' }, alice.token);
    expect(r.status).toBe(200);
    expect(r.body.conversation).toMatchObject({ phase: 'active', agentId: bob.id });

    const started = await stream.next(eventFrame('transfer.started', conversationId));
    expect(started.event).toMatchObject({ from: { id: alice.id, name: 'Alice' }, to: { type: 'agent', id: bob.id, name: 'Bob' }, note: 'refund request' });
    const left = await stream.next(eventFrame('participant.left', conversationId));
    expect(left.event).toMatchObject({ participant: { id: alice.id, name: 'Alice' }, reason: 'transfer' });
    const joined = await stream.next(eventFrame('participant.joined', conversationId, (e) => e.participant.id === bob.id));
    expect(joined.event.participant.name).toBe('Bob');
    expect([started.event.seq + 1, started.event.seq + 2]).toEqual([left.event.seq, joined.event.seq]);

    // Bob's stream gets the conversation from seq 1, gap-free, including what was said before he joined.
    await bobStream.next(eventFrame('participant.joined', conversationId, (e) => e.participant.id === bob.id));
    const atBob = bobStream.events(conversationId);
    expect(atBob.map((e) => e.seq)).toEqual(atBob.map((_, i) => i + 1));
    expect(atBob.filter((e) => e.kind === 'message').map((e) => e.parts[0].text)).toEqual(['My card was charged twice', 'Billing can refund that']);

    // Alice is told, in one frame, that the chat is no longer hers; she does not see what happens next
    // (not even the transfer events: she may not read the conversation any more, docs/security.md).
    await aliceStream.next((f) => f.type === 'revoked' && f.conversationId === conversationId);

    const bobReply = await env.ts.api.post(`/v1/agent/conversations/${conversationId}/messages`, { clientMessageId: 'b-1', text: 'Refund issued' }, bob.token);
    expect(bobReply.status).toBe(201);
    const atCustomer = await stream.next(eventFrame('message', conversationId, (e) => e.clientMessageId === 'b-1'));
    expect(atCustomer.event.author).toMatchObject({ role: 'agent', id: bob.id, name: 'Bob' });
    expect(aliceStream.events(conversationId).some((e) => e.clientMessageId === 'b-1')).toBe(false);

    // Alice no longer holds the chat, so she can no longer write into it.
    const aliceLate = await env.ts.api.post(`/v1/agent/conversations/${conversationId}/messages`, { clientMessageId: 'a-2', text: 'still here?' }, alice.token);
    expect(aliceLate.status).toBe(404);
    expect(aliceLate.body.error.code).toBe('PARLEY_E_CONVERSATION_NOT_FOUND');

    const view = await env.ts.api.get(`/v1/conversations/${conversationId}`, token);
    expect(view.body.conversation).toMatchObject({ phase: 'active', agentId: bob.id, agent: { id: bob.id, name: 'Bob' } });
  });

  it('a transfer to a manual queue leaves the chat waiting until an agent of that queue accepts it', async () => {
    const { alice, stream, conversationId, token } = await chatWithAlice();
    const billing = await makeQueue(env.ts, env.adminToken, 'manual');
    const carol = await fastAgent(env.ts, { name: 'Carol', queues: [billing.id] });
    const carolStream = await env.streams.connect(env.ts, carol.token);

    const r = await env.ts.api.post(`/v1/agent/conversations/${conversationId}/transfer`, { toQueueId: billing.id }, alice.token);
    expect(r.status).toBe(200);
    expect(r.body.conversation).toMatchObject({ phase: 'transferring', agentId: null, queueId: billing.id });

    const started = await stream.next(eventFrame('transfer.started', conversationId));
    expect(started.event).toMatchObject({ from: { id: alice.id }, to: { type: 'queue', id: billing.id, name: billing.name } });
    await stream.next(eventFrame('participant.left', conversationId, (e) => e.participant.id === alice.id && e.reason === 'transfer'));
    await stream.next(eventFrame('conversation.queued', conversationId, (e) => e.queueId === billing.id));
    const position = await stream.next((f) => f.type === 'availability' && f.conversationId === conversationId);
    expect(position).toMatchObject({ queueId: billing.id, position: 1 });

    // It waits: a manual queue assigns nobody on its own, even with Carol online.
    const waiting = await env.ts.api.get(`/v1/conversations/${conversationId}`, token);
    expect(waiting.body.conversation).toMatchObject({ phase: 'transferring', agentId: null, queuePosition: 1 });
    const queued = await env.ts.api.get('/v1/agent/conversations?scope=queued', carol.token);
    expect(queued.body.conversations.map((c: any) => c.id)).toContain(conversationId);
    // Carol's stream shows the waiting chat with its history, so she can read before accepting.
    await carolStream.next(eventFrame('conversation.queued', conversationId, (e) => e.queueId === billing.id));
    expect(carolStream.events(conversationId)[0].seq).toBe(1);

    const acc = await env.ts.api.post(`/v1/agent/conversations/${conversationId}/accept`, undefined, carol.token);
    expect(acc.status).toBe(200);
    expect(acc.body.conversation).toMatchObject({ phase: 'active', agentId: carol.id });
    const joined = await stream.next(eventFrame('participant.joined', conversationId, (e) => e.participant.id === carol.id));
    expect(joined.event.participant.name).toBe('Carol');
    // (Delivered receipts of the earlier messages may land in between; they are not part of the handover.)
    expect(kindsSeen(stream, conversationId).filter((k) => k !== 'receipt').slice(-4)).toEqual(['transfer.started', 'participant.left', 'conversation.queued', 'participant.joined']);

    const reply = await env.ts.api.post(`/v1/agent/conversations/${conversationId}/messages`, { clientMessageId: 'c-9', text: 'Billing here' }, carol.token);
    expect(reply.status).toBe(201);
    await stream.next(eventFrame('message', conversationId, (e) => e.clientMessageId === 'c-9'));
  });

  it('a transfer to an agent with no free capacity is refused and the chat stays where it was', async () => {
    const a = await chatWithAlice();
    const b = await chatWithAlice();
    const other = await makeQueue(env.ts, env.adminToken, 'manual');
    const dave = await fastAgent(env.ts, { name: 'Dave', queues: [other.id], capacity: 1 });

    expect((await env.ts.api.post(`/v1/agent/conversations/${a.conversationId}/transfer`, { toAgentId: dave.id }, a.alice.token)).status).toBe(200);
    const refused = await env.ts.api.post(`/v1/agent/conversations/${b.conversationId}/transfer`, { toAgentId: dave.id }, b.alice.token);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('PARLEY_E_AGENT_AT_CAPACITY');

    const still = await env.ts.api.get(`/v1/conversations/${b.conversationId}`, b.token);
    expect(still.body.conversation).toMatchObject({ phase: 'active', agentId: b.alice.id });
    const log = await env.ts.api.get(`/v1/conversations/${b.conversationId}/events`, b.token);
    expect(log.body.events.map((e: any) => e.kind)).not.toContain('transfer.started');
  });

  it('only the agent holding a chat may transfer it, and a transfer needs exactly one target', async () => {
    const { q, conversationId, alice } = await chatWithAlice();
    const eve = await fastAgent(env.ts, { name: 'Eve', queues: [q.id] });
    const byOther = await env.ts.api.post(`/v1/agent/conversations/${conversationId}/transfer`, { toAgentId: eve.id }, eve.token);
    expect(byOther.status).toBe(404);

    const both = await env.ts.api.post(`/v1/agent/conversations/${conversationId}/transfer`, { toAgentId: eve.id, toQueueId: q.id }, alice.token);
    expect(both.status).toBe(422);
    expect(both.body.error.code).toBe('PARLEY_E_VALIDATION');
    const unknownQueue = await env.ts.api.post(`/v1/agent/conversations/${conversationId}/transfer`, { toQueueId: 'no-such-queue' }, alice.token);
    expect(unknownQueue.status).toBe(404);
    expect(unknownQueue.body.error.code).toBe('PARLEY_E_QUEUE_NOT_FOUND');
    const toSelf = await env.ts.api.post(`/v1/agent/conversations/${conversationId}/transfer`, { toAgentId: alice.id }, alice.token);
    expect(toSelf.status).toBe(409);
    expect(toSelf.body.error.code).toBe('PARLEY_E_INVALID_PHASE');
  });
});
