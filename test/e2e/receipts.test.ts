import { describe, expect, it } from 'vitest';
import { eventFrame, fastAgent, makeQueue, adminServer } from '../helpers/flows.js';

// Message status as its sender sees it: sent (stored) → delivered (the other side's client received it)
// → read (the other side said so). Receipts are events in the log; the status is derived from them.

describe('read receipts and message status', () => {
  const env = adminServer();

  /** A chat in a manual queue, accepted over REST, with neither side's stream open yet. */
  async function acceptedChat() {
    const q = await makeQueue(env.ts, env.adminToken, 'manual');
    const alice = await fastAgent(env.ts, { name: 'Alice', queues: [q.id] });
    const cust = await env.ts.api.customer();
    const open = await env.ts.api.post('/v1/conversations', { queue: q.name }, cust.token);
    const conversationId: string = open.body.conversation.id;
    const acc = await env.ts.api.post(`/v1/agent/conversations/${conversationId}/accept`, undefined, alice.token);
    expect(acc.status).toBe(200);
    return { alice, cust, conversationId };
  }

  const statusIn = async (path: string, token: string, clientMessageId: string): Promise<string | undefined> =>
    (await env.ts.api.get(path, token)).body.events.find((e: any) => e.clientMessageId === clientMessageId)?.status;

  it("a customer's message goes sent → delivered → read as the agent's client receives and reads it", async () => {
    const { alice, cust, conversationId } = await acceptedChat();
    const custEvents = `/v1/conversations/${conversationId}/events`;

    const sent = await env.ts.api.post(`/v1/conversations/${conversationId}/messages`, { clientMessageId: 'm-1', text: 'Is my parcel lost?' }, cust.token);
    expect(sent.status).toBe(201);
    expect(sent.body.event.status).toBe('sent');
    // No agent client has it yet: it stays "sent" (the dispatcher alone does not make it delivered).
    expect(await statusIn(custEvents, cust.token, 'm-1')).toBe('sent');

    const custStream = await env.streams.connect(env.ts, cust.token);
    // The agent's client connects and receives it from the log: that is the delivery.
    const agentStream = await env.streams.connect(env.ts, alice.token);
    await agentStream.next(eventFrame('message', conversationId, (e) => e.clientMessageId === 'm-1'));
    const delivered = await custStream.next(eventFrame('receipt', conversationId, (e) => e.receipt === 'delivered' && e.through >= sent.body.event.seq));
    expect(delivered.event.author).toMatchObject({ role: 'agent', id: alice.id });
    expect(delivered.event.origin).toBe('desk');
    expect(await statusIn(custEvents, cust.token, 'm-1')).toBe('delivered');

    const read = await env.ts.api.post(`/v1/agent/conversations/${conversationId}/read`, { seq: sent.body.event.seq }, alice.token);
    expect(read.status).toBe(200);
    expect(read.body.conversation.receipts.desk).toEqual({ delivered: sent.body.event.seq, read: sent.body.event.seq });
    const readFrame = await custStream.next(eventFrame('receipt', conversationId, (e) => e.receipt === 'read'));
    expect(readFrame.event.through).toBe(sent.body.event.seq);
    expect(await statusIn(custEvents, cust.token, 'm-1')).toBe('read');

    // The status is the sender's view only: the agent sees no status on a message it did not send.
    const agentView = await env.ts.api.get(`/v1/agent/conversations/${conversationId}/events`, alice.token);
    expect(agentView.body.events.find((e: any) => e.clientMessageId === 'm-1').status).toBeUndefined();
  });

  it("an agent's reply goes sent → delivered → read as the customer's client receives and reads it", async () => {
    const { alice, cust, conversationId } = await acceptedChat();
    const agentEvents = `/v1/agent/conversations/${conversationId}/events`;

    const reply = await env.ts.api.post(`/v1/agent/conversations/${conversationId}/messages`, { clientMessageId: 'a-1', text: 'Let me check.' }, alice.token);
    expect(reply.status).toBe(201);
    const seq: number = reply.body.event.seq;
    expect(await statusIn(agentEvents, alice.token, 'a-1')).toBe('sent');

    const agentStream = await env.streams.connect(env.ts, alice.token);
    const custStream = await env.streams.connect(env.ts, cust.token);
    await custStream.next(eventFrame('message', conversationId, (e) => e.clientMessageId === 'a-1'));
    await agentStream.next(eventFrame('receipt', conversationId, (e) => e.receipt === 'delivered' && e.through >= seq));
    expect(await statusIn(agentEvents, alice.token, 'a-1')).toBe('delivered');

    const read = await env.ts.api.post(`/v1/conversations/${conversationId}/read`, { seq }, cust.token);
    expect(read.status).toBe(200);
    expect(read.body.conversation.receipts.customer.read).toBe(seq);
    const readFrame = await agentStream.next(eventFrame('receipt', conversationId, (e) => e.receipt === 'read'));
    expect(readFrame.event).toMatchObject({ through: seq, origin: 'channel', author: { role: 'customer', id: cust.contactId } });
    expect(await statusIn(agentEvents, alice.token, 'a-1')).toBe('read');
  });

  it('a read frame on the customer stream is acknowledged and marks the agent message read', async () => {
    const { alice, cust, conversationId } = await acceptedChat();
    const reply = await env.ts.api.post(`/v1/agent/conversations/${conversationId}/messages`, { clientMessageId: 'a-2', text: 'Done.' }, alice.token);
    const custStream = await env.streams.connect(env.ts, cust.token);
    custStream.send({ type: 'read', conversationId, seq: reply.body.event.seq, ref: 'r-1' });
    const ack = await custStream.next((f) => f.type === 'ack' && f.ref === 'r-1');
    expect(ack.error).toBeUndefined();
    expect(await statusIn(`/v1/agent/conversations/${conversationId}/events`, alice.token, 'a-2')).toBe('read');
  });

  it('a read mark never moves backwards, and repeating one appends nothing', async () => {
    const { alice, cust, conversationId } = await acceptedChat();
    for (const [i, text] of ['one', 'two', 'three'].entries()) {
      await env.ts.api.post(`/v1/agent/conversations/${conversationId}/messages`, { clientMessageId: `x-${i}`, text }, alice.token);
    }
    const { body } = await env.ts.api.get(`/v1/conversations/${conversationId}/events`, cust.token);
    const last: number = body.lastSeq;
    expect((await env.ts.api.post(`/v1/conversations/${conversationId}/read`, { seq: last }, cust.token)).status).toBe(200);
    const afterRead = (await env.ts.api.get(`/v1/conversations/${conversationId}/events`, cust.token)).body;
    expect(afterRead.lastSeq).toBe(last + 1);

    const again = await env.ts.api.post(`/v1/conversations/${conversationId}/read`, { seq: last }, cust.token);
    const backwards = await env.ts.api.post(`/v1/conversations/${conversationId}/read`, { seq: 1 }, cust.token);
    expect(again.status).toBe(200);
    expect(backwards.status).toBe(200);
    expect(backwards.body.conversation.receipts.customer.read).toBe(last);
    const final = (await env.ts.api.get(`/v1/conversations/${conversationId}/events`, cust.token)).body;
    expect(final.lastSeq).toBe(last + 1);
    expect(final.events.filter((e: any) => e.kind === 'receipt' && e.receipt === 'read')).toHaveLength(1);
  });

  it('a read mark beyond the end of the log is clamped to the last event', async () => {
    const { alice, cust, conversationId } = await acceptedChat();
    await env.ts.api.post(`/v1/agent/conversations/${conversationId}/messages`, { clientMessageId: 'c-1', text: 'Hi' }, alice.token);
    const last = (await env.ts.api.get(`/v1/conversations/${conversationId}/events`, cust.token)).body.lastSeq;
    const r = await env.ts.api.post(`/v1/conversations/${conversationId}/read`, { seq: last + 1000 }, cust.token);
    expect(r.status).toBe(200);
    expect(r.body.conversation.receipts.customer.read).toBe(last);
    const receipt = (await env.ts.api.get(`/v1/conversations/${conversationId}/events`, cust.token)).body.events.at(-1);
    expect(receipt).toMatchObject({ kind: 'receipt', receipt: 'read', through: last });
  });

  it("a customer cannot mark someone else's conversation read", async () => {
    const { conversationId } = await acceptedChat();
    const stranger = await env.ts.api.customer();
    const r = await env.ts.api.post(`/v1/conversations/${conversationId}/read`, { seq: 1 }, stranger.token);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('PARLEY_E_CONVERSATION_NOT_FOUND');
  });
});
