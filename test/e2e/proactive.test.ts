import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Adapters } from '../../src/adapters.js';
import { webChannel } from '../../src/channels/web/adapter.js';
import { openConversation } from '../../src/core/commands.js';
import { inboxDesk } from '../../src/desks/inbox/adapter.js';
import { FakeDesk } from '../delivery/fake-desk.js';
import { dialects } from '../helpers/databases.js';
import { customerChat, eventFrame, fastAgent, identityToken, kindsSeen, makeApiKey, makeQueue, Streams } from '../helpers/flows.js';
import { startServer, type TestServer } from '../helpers/server.js';

// Proactive messages: the business's server (API key) writes to a contact first. The conversation waits
// in the `bot` phase with no agent; the customer's reply asks for a human and queues it.

describe.each(await dialects())('proactive messages (%s)', (dialect) => {
  let ts: TestServer;
  let adminToken: string;
  let key: string;
  const streams = new Streams();

  beforeAll(async () => {
    ts = await startServer({ dialect });
    adminToken = (await fastAgent(ts, { role: 'admin', name: 'Admin' })).token;
    key = await makeApiKey(ts, adminToken, ['messages:write']);
  });
  afterEach(() => streams.closeAll());
  afterAll(async () => ts?.stop());

  const newSub = () => `cust-${Math.random().toString(36).slice(2, 10)}`;

  it('a proactive message reaches the customer who later signs in with that identity, and their reply queues it for an agent', async () => {
    const q = await makeQueue(ts, adminToken, 'round_robin');
    const alice = await fastAgent(ts, { name: 'Alice', queues: [q.id] });
    const aliceStream = await streams.connect(ts, alice.token);
    const sub = newSub();

    const sent = await ts.api.post(
      '/v1/messages/proactive',
      { identity: { channel: 'web', externalId: sub }, text: 'Your order #1042 has shipped', queue: q.name, from: { name: 'Acme Shop' }, idempotencyKey: 'ship-1042' },
      key,
    );
    expect(sent.status).toBe(201);
    expect(sent.body.duplicate).toBe(false);
    expect(sent.body.conversation).toMatchObject({ phase: 'bot', agentId: null, queueId: q.id });
    expect(sent.body.event).toMatchObject({ kind: 'message', author: { role: 'business', name: 'Acme Shop' }, parts: [{ type: 'text', text: 'Your order #1042 has shipped' }] });
    const conversationId: string = sent.body.conversation.id;

    // Nobody is asked to pick it up yet.
    expect((await ts.api.get('/v1/agent/conversations?scope=queued', alice.token)).body.conversations.map((c: any) => c.id)).not.toContain(conversationId);

    const cust = await ts.api.customer(await identityToken(sub, { name: 'Jo Doe', email: 'jo@example.com' }));
    expect(cust.contactId).toBe(sent.body.conversation.contactId);
    const list = await ts.api.get('/v1/conversations', cust.token);
    expect(list.body.conversations).toHaveLength(1);
    expect(list.body.conversations[0]).toMatchObject({ id: conversationId, phase: 'bot' });
    const log = await ts.api.get(`/v1/conversations/${conversationId}/events`, cust.token);
    expect(log.body.events.map((e: any) => e.kind)).toEqual(['message']);
    expect(log.body.events[0].parts[0].text).toBe('Your order #1042 has shipped');

    const stream = await streams.connect(ts, cust.token);
    expect(stream.events(conversationId).filter((e) => e.kind === 'message').map((e) => e.parts[0].text)).toEqual(['Your order #1042 has shipped']);

    const reply = await ts.api.post(`/v1/conversations/${conversationId}/messages`, { clientMessageId: 'r-1', text: 'It has not arrived' }, cust.token);
    expect(reply.status).toBe(201);
    const queued = await stream.next(eventFrame('conversation.queued', conversationId));
    expect(queued.event).toMatchObject({ queueId: q.id, queueName: q.name });
    const joined = await stream.next(eventFrame('participant.joined', conversationId));
    expect(joined.event.participant).toEqual({ id: alice.id, name: 'Alice' });
    expect(kindsSeen(stream, conversationId).filter((k) => k !== 'receipt')).toEqual(['message', 'message', 'conversation.queued', 'participant.joined']);

    // Alice gets the whole story, business message first.
    const atAlice = await aliceStream.next(eventFrame('message', conversationId, (e) => e.clientMessageId === 'r-1'));
    expect(atAlice.event.author.role).toBe('customer');
    expect(aliceStream.events(conversationId)[0]).toMatchObject({ seq: 1, author: { role: 'business' } });
    const view = await ts.api.get(`/v1/conversations/${conversationId}`, cust.token);
    expect(view.body.conversation).toMatchObject({ phase: 'active', agentId: alice.id });
  });

  it('a customer who signs in with a verified identity is verified, even when a proactive message created the contact first', async () => {
    const sub = newSub();
    await ts.api.post('/v1/messages/proactive', { identity: { channel: 'web', externalId: sub }, text: 'Welcome!' }, key);
    const cust = await ts.api.customer(await identityToken(sub, { name: 'Jo Doe', email: 'jo@example.com' }));
    const me = await ts.api.get('/v1/me', cust.token);
    expect(me.body.contact).toMatchObject({ id: cust.contactId, name: 'Jo Doe', email: 'jo@example.com', verified: true });
    // So the profile comes from the identity token, not from the customer.
    const patch = await ts.api.req('PATCH', '/v1/me', { token: cust.token, body: { name: 'Someone Else' } });
    expect(patch.status).toBe(403);
  });

  it('the same idempotency key twice makes one message', async () => {
    const sub = newSub();
    const body = { identity: { channel: 'web', externalId: sub }, text: 'Your appointment is tomorrow', idempotencyKey: 'appt-77' };
    const first = await ts.api.post('/v1/messages/proactive', body, key);
    const second = await ts.api.post('/v1/messages/proactive', body, key);
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body.duplicate).toBe(true);
    expect(second.body.event.id).toBe(first.body.event.id);
    expect(second.body.conversation.id).toBe(first.body.conversation.id);

    const transcript = await ts.api.get(`/v1/conversations/${first.body.conversation.id}/transcript`, adminToken);
    expect(transcript.body.events.filter((e: any) => e.kind === 'message')).toHaveLength(1);

    // A different key is a different message, in the same open conversation.
    const third = await ts.api.post('/v1/messages/proactive', { ...body, idempotencyKey: 'appt-78' }, key);
    expect(third.status).toBe(201);
    expect(third.body.conversation.id).toBe(first.body.conversation.id);
    expect(third.body.event.seq).toBe(first.body.event.seq + 1);
  });

  it('an API key without messages:write is refused with FORBIDDEN and nothing is created', async () => {
    const offersOnly = await makeApiKey(ts, adminToken, ['offers:write']);
    const sub = newSub();
    const r = await ts.api.post('/v1/messages/proactive', { identity: { channel: 'web', externalId: sub }, text: 'hi' }, offersOnly);
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('PARLEY_E_FORBIDDEN');
    const noKey = await ts.api.post('/v1/messages/proactive', { identity: { channel: 'web', externalId: sub }, text: 'hi' });
    expect(noKey.status).toBe(401);
    const customer = await ts.api.customer();
    expect((await ts.api.post('/v1/messages/proactive', { contactId: customer.contactId, text: 'hi' }, customer.token)).status).toBe(403);

    // The identity was never created: an offer to it finds no contact.
    const probe = await ts.api.post('/v1/offers', { identity: { channel: 'web', externalId: sub }, type: 'text', content: 'x' }, adminToken);
    expect(probe.status).toBe(404);
    expect(probe.body.error.code).toBe('PARLEY_E_CONTACT_NOT_FOUND');
  });

  it('a proactive message to a customer with an open chat lands in that chat', async () => {
    const q = await makeQueue(ts, adminToken, 'manual');
    const cust = await ts.api.customer();
    const stream = await streams.connect(ts, cust.token);
    const open = await ts.api.post('/v1/conversations', { queue: q.name }, cust.token);
    const r = await ts.api.post('/v1/messages/proactive', { contactId: cust.contactId, text: 'We will be with you shortly' }, key);
    expect(r.status).toBe(201);
    expect(r.body.conversation).toMatchObject({ id: open.body.conversation.id, phase: 'queued' });
    await stream.next(eventFrame('message', open.body.conversation.id, (e) => e.author.role === 'business'));
  });
});

// Next to a vendor desk: the proactive route picks the desk as a customer's first message would (by entry
// point), and round-robin offers inbox agents only the inbox's conversations. (The Genesys desk's agentless
// sends are in test/desks/genesys/proactive.test.ts.)
describe.each(await dialects())('proactive routing and inbox assignment beside a vendor desk (%s)', (dialect) => {
  let ts: TestServer;
  let adminToken: string;
  let key: string;
  const streams = new Streams();

  beforeAll(async () => {
    // The fake desk has no proactive sender: like a vendor desk whose API cannot start conversations.
    const routes = [
      { channel: 'web', desk: 'inbox' },
      { channel: 'web', entryPoint: 'vendor', desk: 'fake' },
    ];
    ts = await startServer({ dialect, adapters: new Adapters([webChannel], [inboxDesk, new FakeDesk()], routes) });
    adminToken = (await fastAgent(ts, { role: 'admin', name: 'Admin' })).token;
    key = await makeApiKey(ts, adminToken, ['messages:write']);
  });
  afterEach(() => streams.closeAll());
  afterAll(async () => ts?.stop());

  it('routed by entry point to a desk that cannot send proactive messages: 422 PROACTIVE_UNSUPPORTED, nothing stored; the fallback route is the inbox, as before', async () => {
    const identity = { channel: 'web', externalId: `ep-${Math.random().toString(36).slice(2)}` };
    const refused = await ts.api.post('/v1/messages/proactive', { identity, text: 'Hello from the vendor route', entryPoint: 'vendor' }, key);
    expect(refused.status).toBe(422);
    expect(refused.body.error).toMatchObject({ code: 'PARLEY_E_PROACTIVE_UNSUPPORTED', details: { desk: 'fake' } });
    const probe = await ts.api.post('/v1/offers', { identity, type: 'text', content: 'x' }, adminToken);
    expect(probe.body.error.code).toBe('PARLEY_E_CONTACT_NOT_FOUND');

    const inbox = await ts.api.post('/v1/messages/proactive', { identity, text: 'Hello from the inbox' }, key);
    expect(inbox.status).toBe(201);
    expect(inbox.body.conversation).toMatchObject({ desk: 'inbox', phase: 'bot', queueId: 'default' });
  });

  it("round-robin never offers a vendor desk's conversation to inbox agents, even one that carries an inbox queue id", async () => {
    const q = await makeQueue(ts, adminToken, 'round_robin');
    const alice = await fastAgent(ts, { name: 'Alice', queues: [q.id], capacity: 5 });
    await streams.connect(ts, alice.token);
    // A vendor-desk conversation with an inbox queue id (as proactive messages opened them before they were
    // routed), waiting first in line.
    const hub = ts.server.services.hub;
    const vendorCustomer = await ts.api.customer();
    const vendor = await hub.run((ctx) => openConversation(ctx, { contactId: vendorCustomer.contactId, channel: 'web', desk: 'fake', queueId: q.id }));
    expect(vendor.conversation).toMatchObject({ desk: 'fake', queueId: q.id, phase: 'queued' });

    const chat = await customerChat(ts, streams, q.name);
    await chat.stream.next(eventFrame('participant.joined', chat.conversationId));
    await hub.settleQueue(q.id);
    const after = await hub.tx((tx) => tx.getConversation(vendor.conversation.id));
    expect(after).toMatchObject({ phase: 'queued', agentId: null });
    const mine = (await ts.api.get('/v1/agent/conversations?scope=mine', alice.token)).body.conversations.map((c: any) => c.id);
    expect(mine).toEqual([chat.conversationId]);
  });
});

