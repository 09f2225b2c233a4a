import WebSocket from 'ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient, CustomerClient, MemoryStorage, ParleyApiError, type MessageStatus, type ParleyEvent } from '../../sdk/src/index.js';
import { fastAgent, makeQueue } from '../helpers/flows.js';
import { agent, startServer, type TestServer } from '../helpers/server.js';
import { next } from './support.js';

// The SDK against a real hub: a customer and an agent talk through CustomerClient and AgentClient, with
// typed events, ticks, typing, uploads, offers, sessions and the admin helpers.

describe('SDK: customer and agent', () => {
  let ts: TestServer;
  let admin: { id: string; token: string };
  const clients: { close(): void }[] = [];
  const opts = () => ({ baseUrl: ts.url, WebSocket, reconnect: { minMs: 30, maxMs: 150 } });
  const track = <T extends { close(): void }>(c: T): T => (clients.push(c), c);

  beforeAll(async () => {
    ts = await startServer({ env: { PARLEY_MEDIA_MAX_BYTES: '2048' } });
    admin = await fastAgent(ts, { role: 'admin', name: 'Admin' });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => ts?.stop());

  /** A customer in a fresh manual queue, and an agent of that queue who accepted the conversation. */
  async function acceptedChat() {
    const q = await makeQueue(ts, admin.token, 'manual');
    const alice = await fastAgent(ts, { name: 'Alice', queues: [q.id] });
    const ag = track(await AgentClient.connect({ ...opts(), token: alice.token }));
    const cust = track(await CustomerClient.connect(opts()));
    const seen = next(ag, 'conversation', () => true, 5000, 'agent learns of the conversation');
    const conv = await cust.openConversation({ queue: q.name, context: { page: '/pricing' } });
    expect(conv.phase).toBe('queued');
    expect(conv.queuePosition).toBe(1);
    await seen;
    expect((await ag.conversations('queued')).map((c) => c.id)).toContain(conv.id);
    const accepted = await ag.accept(conv.id);
    expect(accepted.phase).toBe('active');
    return { ag, cust, conv, alice };
  }

  it('a customer and an agent exchange messages, each seen once, in order, as typed events', async () => {
    const { ag, cust, conv } = await acceptedChat();
    const custMessages: ParleyEvent[] = [];
    cust.on('message', (e) => custMessages.push(e));

    const out = cust.send(conv.id, { text: 'Is my parcel lost?' });
    expect(out.status).toBe('pending');
    const got = await next(ag, 'message', (e) => e.clientMessageId === out.clientMessageId, 5000, 'agent gets the message');
    expect(got.kind === 'message' && got.parts).toEqual([{ type: 'text', text: 'Is my parcel lost?' }]);
    expect(got.author.role).toBe('customer');

    const typing = next(cust, 'typing', (t) => t.typing, 5000, 'typing');
    ag.typing(conv.id, true);
    expect((await typing).author).toMatchObject({ role: 'agent', name: 'Alice' });

    ag.send(conv.id, { text: 'Let me check.' });
    ag.send(conv.id, { parts: [{ type: 'quick_replies', text: 'Which one?', replies: [{ title: 'The red one' }, { title: 'The blue one' }] }] });
    await next(cust, 'message', (e) => e.kind === 'message' && e.parts[0]?.type === 'quick_replies', 5000, 'second reply');
    expect(custMessages.filter((e) => e.author.role === 'agent').map((e) => (e.kind === 'message' ? e.parts[0]?.type : ''))).toEqual(['text', 'quick_replies']);

    // Both hold the same log: 1..lastSeq, no duplicates.
    const full = (await ag.conversation(conv.id));
    expect(full.contact?.id).toBe(cust.contact.id);
    expect(full.context).toEqual({ page: '/pricing' });
    for (const h of [cust.history(conv.id), await ag.loadHistory(conv.id)]) {
      expect(h.map((e) => e.seq)).toEqual(Array.from({ length: h.length }, (_, i) => i + 1));
    }
    expect(cust.outbox()).toEqual([]);
  });

  it("the sender's ticks go sent → delivered → read", async () => {
    const { ag, cust, conv } = await acceptedChat();
    const statuses: MessageStatus[] = [];
    const out = cust.send(conv.id, { text: 'Tick tock' });
    cust.on('status', (s) => {
      if (s.clientMessageId === out.clientMessageId) statuses.push(s.status);
    });
    const delivered = await next(cust, 'status', (s) => s.clientMessageId === out.clientMessageId && s.status === 'delivered', 5000, 'delivered');
    expect(cust.statusOf(conv.id, delivered.seq!)).toBe('delivered');
    const read = next(cust, 'status', (s) => s.clientMessageId === out.clientMessageId && s.status === 'read', 5000, 'read');
    await ag.markRead(conv.id, delivered.seq!);
    await read;
    expect(cust.statusOf(conv.id, delivered.seq!)).toBe('read');
    expect(statuses).toEqual(['sent', 'delivered', 'read']);

    // The other way round too, and read marks from the customer.
    const reply = ag.send(conv.id, { text: 'Seen it' });
    const e = await next(cust, 'message', (m) => m.clientMessageId === reply.clientMessageId, 5000, 'reply');
    const agentSeesRead = next(ag, 'status', (s) => s.clientMessageId === reply.clientMessageId && s.status === 'read', 5000, 'agent sees read');
    await cust.markRead(conv.id, e.seq);
    await agentSeesRead;
  });

  it('uploads: accepted files come back as media, refused ones as ParleyApiError codes', async () => {
    const { ag, cust, conv } = await acceptedChat();
    const media = await cust.upload(new Blob(['%PDF-1.4 a tiny file'], { type: 'application/pdf' }), 'invoice.pdf');
    expect(media).toMatchObject({ mime: 'application/pdf', name: 'invoice.pdf' });
    expect(media.url).toContain(`/v1/media/${media.id}`);
    const out = cust.send(conv.id, { parts: [{ type: 'media', mediaId: media.id, caption: 'my invoice' }] });
    const got = await next(ag, 'message', (e) => e.clientMessageId === out.clientMessageId, 5000, 'media message');
    expect(got.kind === 'message' && got.parts[0]).toMatchObject({ type: 'media', mediaId: media.id, mime: 'application/pdf' });

    const refuse = async (blob: Blob) => cust.upload(blob).then(() => undefined, (e: unknown) => e);
    const wrongType = await refuse(new Blob(['hello'], { type: 'text/plain' }));
    expect(wrongType).toBeInstanceOf(ParleyApiError);
    expect(wrongType).toMatchObject({ code: 'PARLEY_E_UNSUPPORTED_MEDIA_TYPE', status: 415, retryable: false });
    expect(await refuse(new Blob(['not a png'], { type: 'image/png' }))).toMatchObject({ code: 'PARLEY_E_UNSUPPORTED_MEDIA_TYPE', status: 415 });
    expect(await refuse(new Blob(['%PDF-' + 'x'.repeat(4096)], { type: 'application/pdf' }))).toMatchObject({ code: 'PARLEY_E_PAYLOAD_TOO_LARGE', status: 413 });
    // A message to a conversation that is not mine fails for good, with the hub's code.
    const failed = next(cust, 'outbox', (o) => o.status === 'failed', 5000, 'failed send');
    cust.send('cv_not_mine', { text: 'hello?' });
    expect((await failed).error).toMatchObject({ code: 'PARLEY_E_CONVERSATION_NOT_FOUND', status: 404 });
  });

  it('a stale or unknown customer token is replaced by a new session; a dead agent token is refused', async () => {
    const storage = new MemoryStorage();
    storage.setItem('parley:customer:session', JSON.stringify({ token: 'eyJ.stale.token', contact: { id: 'ct_gone' } }));
    const cust = track(await CustomerClient.connect({ ...opts(), storage }));
    expect(cust.token).not.toBe('eyJ.stale.token');
    expect(cust.contact.id).toMatch(/^ct_/);
    expect(cust.connectionState).toBe('open');
    expect(JSON.parse(storage.getItem('parley:customer:session')!).token).toBe(cust.token);
    // The next start reuses it: same customer.
    cust.close();
    const again = track(await CustomerClient.connect({ ...opts(), storage }));
    expect(again.contact.id).toBe(cust.contact.id);

    const explicit = track(await CustomerClient.connect({ ...opts(), token: 'nonsense' }));
    expect(explicit.token).not.toBe('nonsense');

    const refused = await AgentClient.connect({ ...opts(), token: 'nonsense' }).then(() => undefined, (e: unknown) => e);
    expect(refused).toBeInstanceOf(ParleyApiError);
    expect(refused).toMatchObject({ status: 401 });
    expect(String((refused as Error).message)).not.toContain('nonsense');
  });

  it('admin helpers: agents, queues, API keys, offers (live to the customer), transcripts, deliveries', async () => {
    const boss = await agent(ts, { role: 'admin', name: 'Boss' });
    const storage = new MemoryStorage();
    const ad = track(await AgentClient.login({ ...opts(), storage, email: boss.email, password: 'password123' }));
    expect(ad.agent).toMatchObject({ id: boss.id, role: 'admin' });
    expect(AgentClient.resume).toBeTypeOf('function');
    const resumed = track((await AgentClient.resume({ ...opts(), storage }))!);
    expect(resumed.agent.id).toBe(boss.id);

    const q = await ad.admin.createQueue({ name: `sdk-${Date.now()}`, assignment: 'manual' });
    expect(q.assignment).toBe('manual');
    expect((await ad.admin.queues()).map((x) => x.id)).toContain(q.id);
    expect((await ad.queues()).map((x) => x.id)).toContain(q.id);

    const bob = await ad.admin.createAgent({ email: `bob-${Date.now()}@example.com`, name: 'Bob', password: 'password123', queues: [q.id] });
    const renamed = await ad.admin.updateAgent(bob.id, { name: 'Robert', capacity: 2 });
    expect(renamed).toMatchObject({ name: 'Robert', capacity: 2, queueIds: [q.id] });
    expect((await ad.admin.agents()).find((a) => a.id === bob.id)?.online).toBe(false);

    const key = await ad.admin.createApiKey({ name: 'crm', scopes: ['offers:write'] });
    expect(key.key).toMatch(/^pk_/);
    expect((await ad.admin.apiKeys()).find((k) => k.id === key.id)).not.toHaveProperty('key');
    await ad.admin.revokeApiKey(key.id);
    expect((await ad.admin.apiKeys()).find((k) => k.id === key.id)?.revokedAt).toBeTruthy();

    const cust = track(await CustomerClient.connect(opts()));
    const live = next(cust, 'offer', () => true, 5000, 'offer');
    const offer = await ad.admin.sendOffer({ contactId: cust.contact.id, type: 'qrcode', content: 'TICKET-42' });
    expect((await live).id).toBe(offer.id);
    expect((await cust.offers()).map((o) => o.id)).toEqual([offer.id]);
    const acked = await cust.ackOffer(offer.id);
    expect(acked.acknowledgedAt).toBeTruthy();

    const shippedLive = next(cust, 'message', (e) => e.author.role === 'business', 5000, 'proactive');
    const pro = await ad.admin.proactive({ contactId: cust.contact.id, text: 'Your order shipped', idempotencyKey: `ship-${Date.now()}` });
    const shipped = await shippedLive;
    expect(shipped.conversationId).toBe(pro.conversation.id);
    expect(shipped.author.role).toBe('business');
    const t = await ad.admin.transcript(pro.conversation.id);
    expect(t.contact?.id).toBe(cust.contact.id);
    expect(t.events.map((e) => e.kind)).toContain('message');
    expect(await ad.admin.transcriptHtml(pro.conversation.id)).toContain('Your order shipped');
    expect(Array.isArray(await ad.admin.deliveries('failed'))).toBe(true);
    expect((await ad.admin.deliveries(undefined, { conversationId: pro.conversation.id })).every((d) => d.conversationId === pro.conversation.id)).toBe(true);

    const canned = await ad.admin.createCannedResponse({ shortcut: `Thanks${Date.now()}`, text: 'Thank you for waiting!' });
    expect(canned.shortcut).toBe(canned.shortcut.toLowerCase());
    expect((await resumed.cannedResponses()).map((c) => c.id)).toContain(canned.id);
    await ad.admin.deleteCannedResponse(canned.id);
    expect((await ad.admin.cannedResponses()).map((c) => c.id)).not.toContain(canned.id);

    const me = await ad.setStatus('away');
    expect(me.status).toBe('away');
    ad.logout();
    expect(await AgentClient.resume({ ...opts(), storage })).toBeNull();
  });
});
