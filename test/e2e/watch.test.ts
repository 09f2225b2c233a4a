import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../helpers/databases.js';
import { customerChat, eventFrame, fastAgent, makeQueue, Streams } from '../helpers/flows.js';
import { sleep, startServer, until, type StreamClient, type TestServer } from '../helpers/server.js';

// The event inspector: an admin's stream may watch any conversation (whoever holds it, in any queue) and
// receives its raw events, history first, then live, in seq order with no gaps and no repeats. Nobody
// else may watch, and watching is not receiving: it records no "delivered" receipt.

describe.each(await dialects())('watching a conversation on the stream (%s)', (dialect) => {
  let ts: TestServer;
  let admin: { id: string; token: string };
  const streams = new Streams();

  beforeAll(async () => {
    ts = await startServer({ dialect });
    admin = await fastAgent(ts, { role: 'admin', name: 'Admin' });
  });
  afterEach(() => streams.closeAll());
  afterAll(async () => ts?.stop());

  /** A chat in a manual queue the admin is not in, accepted over REST by Alice (who has no stream open). */
  async function chatHeldByAlice() {
    const q = await makeQueue(ts, admin.token, 'manual');
    const alice = await fastAgent(ts, { name: 'Alice', queues: [q.id] });
    const chat = await customerChat(ts, streams, q.name);
    await ts.api.post(`/v1/conversations/${chat.conversationId}/messages`, { clientMessageId: 'c-1', text: 'Where is my parcel?' }, chat.token);
    await ts.api.post(`/v1/agent/conversations/${chat.conversationId}/accept`, undefined, alice.token);
    return { q, alice, ...chat };
  }

  const seqsOf = (s: StreamClient, conversationId: string) => s.events(conversationId).map((e) => e.seq);

  it("an admin watches another agent's conversation: its history, then live events and typing, gap-free and once each", async () => {
    const inspector = await streams.connect(ts, admin.token);
    const { alice, conversationId, token, stream } = await chatHeldByAlice();
    await sleep(100);
    // Not in the queue and not the holder: nothing of this conversation arrives unasked.
    expect(inspector.events(conversationId)).toEqual([]);

    inspector.send({ type: 'watch', conversationId, ref: 'w-1' });
    await inspector.next((f) => f.type === 'ack' && f.ref === 'w-1');
    const history = inspector.events(conversationId);
    expect(history.map((e) => e.kind)).toEqual(['conversation.queued', 'message', 'participant.joined']);
    expect(history.map((e) => e.seq)).toEqual([1, 2, 3]);

    await ts.api.post(`/v1/agent/conversations/${conversationId}/messages`, { clientMessageId: 'a-1', text: 'It left the depot this morning.' }, alice.token);
    await ts.api.post(`/v1/conversations/${conversationId}/typing`, { typing: true }, token);
    stream.send({ type: 'message', conversationId, clientMessageId: 'c-2', text: 'Thanks!' });
    const last = await inspector.next(eventFrame('message', conversationId, (e) => e.clientMessageId === 'c-2'));
    expect(last.event.author.role).toBe('customer');
    await inspector.next((f) => f.type === 'typing' && f.conversationId === conversationId && f.author.role === 'customer' && f.typing === true);

    // Watching again (a reconnecting inspector would) sends nothing twice.
    inspector.send({ type: 'watch', conversationId, ref: 'w-2' });
    await inspector.next((f) => f.type === 'ack' && f.ref === 'w-2');
    const seqs = seqsOf(inspector, conversationId);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(inspector.events(conversationId).find((e) => e.clientMessageId === 'a-1').parts).toEqual([{ type: 'text', text: 'It left the depot this morning.' }]);
  });

  it('watching records no delivered receipt: only the agent holding the chat does that', async () => {
    const inspector = await streams.connect(ts, admin.token);
    const { conversationId, alice } = await chatHeldByAlice();
    inspector.send({ type: 'watch', conversationId, ref: 'w' });
    await inspector.next((f) => f.type === 'ack' && f.ref === 'w');
    await sleep(300);
    const view = await ts.api.get(`/v1/agent/conversations/${conversationId}`, alice.token);
    expect(view.body.conversation.receipts.desk).toEqual({ delivered: 0, read: 0 });
  });

  it('an ended conversation can be watched from the start, or after a seq', async () => {
    const { conversationId, alice } = await chatHeldByAlice();
    await ts.api.post(`/v1/agent/conversations/${conversationId}/end`, undefined, alice.token);
    // Connected after the end: the session skips ended conversations at replay, but a watch still gets it all.
    const inspector = await streams.connect(ts, admin.token);
    expect(inspector.events(conversationId)).toEqual([]);
    inspector.send({ type: 'watch', conversationId, ref: 'all' });
    await inspector.next((f) => f.type === 'ack' && f.ref === 'all');
    const kinds = inspector.events(conversationId).map((e) => e.kind);
    expect(kinds[0]).toBe('conversation.queued');
    expect(kinds.at(-1)).toBe('conversation.ended');

    const second = await streams.connect(ts, admin.token);
    second.send({ type: 'watch', conversationId, after: 2, ref: 'tail' });
    await second.next((f) => f.type === 'ack' && f.ref === 'tail');
    expect(seqsOf(second, conversationId)[0]).toBe(3);
    expect(seqsOf(second, conversationId).at(-1)).toBe(seqsOf(inspector, conversationId).at(-1));
  });

  it('agents and customers may not watch (PARLEY_E_FORBIDDEN); an unknown conversation is PARLEY_E_CONVERSATION_NOT_FOUND', async () => {
    const { conversationId, alice, stream } = await chatHeldByAlice();
    const aliceStream = await streams.connect(ts, alice.token);
    aliceStream.send({ type: 'watch', conversationId, ref: 'nope' });
    const e1 = await aliceStream.next((f) => f.type === 'error' && f.ref === 'nope');
    expect(e1.error.code).toBe('PARLEY_E_FORBIDDEN');

    stream.send({ type: 'watch', conversationId, ref: 'cust' });
    const e2 = await stream.next((f) => f.type === 'error' && f.ref === 'cust');
    expect(e2.error.code).toBe('PARLEY_E_FORBIDDEN');

    const inspector = await streams.connect(ts, admin.token);
    inspector.send({ type: 'watch', conversationId: 'cv_nope', ref: 'ghost' });
    const e3 = await inspector.next((f) => f.type === 'error' && f.ref === 'ghost');
    expect(e3.error.code).toBe('PARLEY_E_CONVERSATION_NOT_FOUND');
    // The socket stays usable after the refusals.
    aliceStream.send({ type: 'ping', ref: 'p' });
    await aliceStream.next((f) => f.type === 'pong' && f.ref === 'p');
  });

  it("the inspector lists one conversation's deliveries, each message's legs with their statuses", async () => {
    const a = await chatHeldByAlice();
    const b = await chatHeldByAlice();
    const r = await ts.api.get(`/v1/admin/deliveries?conversationId=${a.conversationId}`, admin.token);
    expect(r.status).toBe(200);
    expect(r.body.deliveries.length).toBeGreaterThan(0);
    expect(r.body.deliveries.every((d: { conversationId: string }) => d.conversationId === a.conversationId)).toBe(true);
    // The customer's message (seq 2) goes to the other leg, the desk.
    expect(r.body.deliveries.filter((d: { seq: number }) => d.seq === 2).map((d: { leg: string; status: string }) => [d.leg, d.status])).toEqual([['desk', 'sent']]);
    const other = await ts.api.get(`/v1/admin/deliveries?conversationId=${b.conversationId}&status=failed`, admin.token);
    expect(other.body.deliveries).toEqual([]);
  });

  it('an admin demoted while connected can no longer watch', async () => {
    const other = await fastAgent(ts, { role: 'admin', name: 'Temp admin' });
    const s = await streams.connect(ts, other.token);
    const { conversationId } = await chatHeldByAlice();
    await ts.api.req('PATCH', `/v1/admin/agents/${other.id}`, { token: admin.token, body: { role: 'agent' } });
    s.send({ type: 'watch', conversationId, ref: 'late' });
    const e = await s.next((f) => f.type === 'error' && f.ref === 'late');
    expect(e.error.code).toBe('PARLEY_E_FORBIDDEN');
    await until(() => s.events(conversationId).length === 0, 200, 'no events');
  });
});
