import { describe, expect, it } from 'vitest';
import { dialects } from '../helpers/databases.js';
import { customerChat, eventFrame, fastAgent, makeQueue, adminServer } from '../helpers/flows.js';

// A manual queue: nobody is assigned automatically; waiting customers are told their position, and agents
// of the queue accept chats themselves, up to their capacity.

describe.each(await dialects())('manual assignment queues (%s)', (dialect) => {
  const env = adminServer({ dialect });

  const availability = (conversationId: string, position: number) => (f: any) => f.type === 'availability' && f.conversationId === conversationId && f.position === position;

  it('waiting customers are told their positions 1 and 2, and the second moves up when the first is accepted', async () => {
    const q = await makeQueue(env.ts, env.adminToken, 'manual');
    expect(q.assignment).toBe('manual');
    const xena = await fastAgent(env.ts, { name: 'Xena', queues: [q.id] });
    // Xena being online must not matter: manual queues never assign on their own.
    await env.streams.connect(env.ts, xena.token);

    const first = await customerChat(env.ts, env.streams, q.name);
    expect(first.conversation).toMatchObject({ phase: 'queued', queuePosition: 1, agentId: null });
    await first.stream.next(availability(first.conversationId, 1));
    const second = await customerChat(env.ts, env.streams, q.name);
    expect(second.conversation).toMatchObject({ phase: 'queued', queuePosition: 2 });
    const p2 = await second.stream.next(availability(second.conversationId, 2));
    expect(p2.queueId).toBe(q.id);
    // Each customer hears only about its own conversation.
    expect(first.stream.frames.some((f) => f.type === 'availability' && f.conversationId === second.conversationId)).toBe(false);

    const queued = await env.ts.api.get('/v1/agent/conversations?scope=queued', xena.token);
    expect(queued.body.conversations.map((c: any) => c.id).sort()).toEqual([first.conversationId, second.conversationId].sort());
    const admin = await env.ts.api.get('/v1/admin/queues', env.adminToken);
    expect(admin.body.queues.find((x: any) => x.id === q.id).waiting).toBe(2);

    const acc = await env.ts.api.post(`/v1/agent/conversations/${first.conversationId}/accept`, undefined, xena.token);
    expect(acc.status).toBe(200);
    expect(acc.body.conversation).toMatchObject({ phase: 'active', agentId: xena.id });
    const joined = await first.stream.next(eventFrame('participant.joined', first.conversationId));
    expect(joined.event.participant).toEqual({ id: xena.id, name: 'Xena' });

    await second.stream.next(availability(second.conversationId, 1));
    const view = await env.ts.api.get(`/v1/conversations/${second.conversationId}`, second.token);
    expect(view.body.conversation).toMatchObject({ phase: 'queued', queuePosition: 1 });

    // Accepting twice is harmless: no second "joined".
    const again = await env.ts.api.post(`/v1/agent/conversations/${first.conversationId}/accept`, undefined, xena.token);
    expect(again.status).toBe(200);
    const log = await env.ts.api.get(`/v1/conversations/${first.conversationId}/events`, first.token);
    expect(log.body.events.filter((e: any) => e.kind === 'participant.joined')).toHaveLength(1);
  });

  it('a customer who reconnects while waiting is told its position again', async () => {
    const q = await makeQueue(env.ts, env.adminToken, 'manual');
    const a = await customerChat(env.ts, env.streams, q.name);
    const b = await customerChat(env.ts, env.streams, q.name);
    await b.stream.close();
    const again = await env.streams.connect(env.ts, b.token, { [b.conversationId]: 1 });
    const p = again.frames.find((f) => f.type === 'availability' && f.conversationId === b.conversationId);
    expect(p).toMatchObject({ queueId: q.id, position: 2 });
    expect(a.conversationId).not.toBe(b.conversationId);
  });

  it('an agent at capacity cannot accept another waiting chat, which stays for someone else', async () => {
    const q = await makeQueue(env.ts, env.adminToken, 'manual');
    const yuri = await fastAgent(env.ts, { name: 'Yuri', queues: [q.id], capacity: 1 });
    const zoe = await fastAgent(env.ts, { name: 'Zoe', queues: [q.id], capacity: 1 });
    const first = await customerChat(env.ts, env.streams, q.name);
    const second = await customerChat(env.ts, env.streams, q.name);

    expect((await env.ts.api.post(`/v1/agent/conversations/${first.conversationId}/accept`, undefined, yuri.token)).status).toBe(200);
    const full = await env.ts.api.post(`/v1/agent/conversations/${second.conversationId}/accept`, undefined, yuri.token);
    expect(full.status).toBe(409);
    expect(full.body.error).toMatchObject({ code: 'PARLEY_E_AGENT_AT_CAPACITY', retryable: false });

    const still = await env.ts.api.get(`/v1/conversations/${second.conversationId}`, second.token);
    expect(still.body.conversation).toMatchObject({ phase: 'queued', agentId: null, queuePosition: 1 });
    expect(second.stream.events(second.conversationId).map((e) => e.kind)).not.toContain('participant.joined');

    const byZoe = await env.ts.api.post(`/v1/agent/conversations/${second.conversationId}/accept`, undefined, zoe.token);
    expect(byZoe.status).toBe(200);
    await second.stream.next(eventFrame('participant.joined', second.conversationId, (e) => e.participant.id === zoe.id));

    // Ending the first chat frees Yuri's slot.
    const third = await customerChat(env.ts, env.streams, q.name);
    expect((await env.ts.api.post(`/v1/agent/conversations/${first.conversationId}/end`, undefined, yuri.token)).status).toBe(200);
    expect((await env.ts.api.post(`/v1/agent/conversations/${third.conversationId}/accept`, undefined, yuri.token)).status).toBe(200);
  });

  it('two accepts at once by an agent with room for one: exactly one succeeds', async () => {
    const q = await makeQueue(env.ts, env.adminToken, 'manual');
    const solo = await fastAgent(env.ts, { name: 'Solo', queues: [q.id], capacity: 1 });
    const chats = [await customerChat(env.ts, env.streams, q.name), await customerChat(env.ts, env.streams, q.name), await customerChat(env.ts, env.streams, q.name)];
    const results = await Promise.all(chats.map((c) => env.ts.api.post(`/v1/agent/conversations/${c.conversationId}/accept`, undefined, solo.token)));
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409]);
    expect(results.filter((r) => r.status === 409).map((r) => r.body.error.code)).toEqual(['PARLEY_E_AGENT_AT_CAPACITY', 'PARLEY_E_AGENT_AT_CAPACITY']);
    const mine = await env.ts.api.get('/v1/agent/conversations?scope=mine', solo.token);
    expect(mine.body.conversations).toHaveLength(1);
  });

  it('a chat one agent took cannot be accepted by another, and agents outside the queue cannot see it', async () => {
    const q = await makeQueue(env.ts, env.adminToken, 'manual');
    const ann = await fastAgent(env.ts, { name: 'Ann', queues: [q.id] });
    const ben = await fastAgent(env.ts, { name: 'Ben', queues: [q.id] });
    const outsider = await fastAgent(env.ts, { name: 'Out' });
    const chat = await customerChat(env.ts, env.streams, q.name);

    const peek = await env.ts.api.post(`/v1/agent/conversations/${chat.conversationId}/accept`, undefined, outsider.token);
    expect(peek.status).toBe(404);
    expect(peek.body.error.code).toBe('PARLEY_E_CONVERSATION_NOT_FOUND');

    expect((await env.ts.api.post(`/v1/agent/conversations/${chat.conversationId}/accept`, undefined, ann.token)).status).toBe(200);
    const late = await env.ts.api.post(`/v1/agent/conversations/${chat.conversationId}/accept`, undefined, ben.token);
    expect(late.status).toBe(404);
    const view = await env.ts.api.get(`/v1/conversations/${chat.conversationId}`, chat.token);
    expect(view.body.conversation.agentId).toBe(ann.id);
  });
});
