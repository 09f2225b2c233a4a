import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../helpers/databases.js';
import { agent, StreamClient, startServer, type TestServer } from '../helpers/server.js';

describe.each(await dialects())('customer ↔ agent chat through the inbox (%s)', (dialect) => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer({ dialect });
  });
  afterAll(async () => ts?.stop());

  it('a customer message reaches the round-robin agent live, and the reply reaches the customer with receipts', async () => {
    const alice = await agent(ts, { name: 'Alice' });
    const agentStream = await StreamClient.open(ts.url, alice.token);
    const cust = await ts.api.customer();
    const open = await ts.api.post('/v1/conversations', {}, cust.token);
    expect(open.status).toBe(201);
    const conversationId = open.body.conversation.id;
    const custStream = await StreamClient.open(ts.url, cust.token);

    const joined = await custStream.next((f) => f.type === 'event' && f.event.kind === 'participant.joined');
    expect(joined.event.participant.name).toBe('Alice');

    custStream.send({ type: 'message', conversationId, clientMessageId: 'c-1', text: 'Hello, I need help' });
    const ack = await custStream.next((f) => f.type === 'ack' && f.ref === 'c-1');
    expect(ack.event.kind).toBe('message');
    const atAgent = await agentStream.next((f) => f.type === 'event' && f.event.kind === 'message' && f.event.clientMessageId === 'c-1');
    expect(atAgent.event.parts).toEqual([{ type: 'text', text: 'Hello, I need help' }]);
    expect(atAgent.event.seq).toBe(ack.event.seq);

    // The agent's client received it: the customer sees "delivered".
    await custStream.next((f) => f.type === 'event' && f.event.kind === 'receipt' && f.event.receipt === 'delivered' && f.event.through >= ack.event.seq);

    const reply = await ts.api.post(`/v1/agent/conversations/${conversationId}/messages`, { clientMessageId: 'a-1', text: 'Hi! How can I help?' }, alice.token);
    expect(reply.status).toBe(201);
    const atCustomer = await custStream.next((f) => f.type === 'event' && f.event.clientMessageId === 'a-1');
    expect(atCustomer.event.author).toMatchObject({ role: 'agent', name: 'Alice' });

    // Customer reads it: the agent sees "read", and the message status says so.
    expect((await ts.api.post(`/v1/conversations/${conversationId}/read`, { seq: atCustomer.event.seq }, cust.token)).status).toBe(200);
    await agentStream.next((f) => f.type === 'event' && f.event.kind === 'receipt' && f.event.receipt === 'read');
    const agentView = await ts.api.get(`/v1/agent/conversations/${conversationId}/events`, alice.token);
    expect(agentView.body.events.find((e: any) => e.clientMessageId === 'a-1').status).toBe('read');

    // Seqs are gap-free and in order.
    const all = await ts.api.get(`/v1/conversations/${conversationId}/events`, cust.token);
    expect(all.body.events.map((e: any) => e.seq)).toEqual(all.body.events.map((_: unknown, i: number) => i + 1));
    await agentStream.close();
    await custStream.close();
  });
});
