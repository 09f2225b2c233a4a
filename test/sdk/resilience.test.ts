import { mkdirSync, rmSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AgentClient, CustomerClient, MemoryStorage, type ConnectionState, type ParleyEvent } from '../../sdk/src/index.js';
import { fastAgent, makeQueue } from '../helpers/flows.js';
import { until, type TestServer } from '../helpers/server.js';
import { Net, next, reach, RestartableServer } from './support.js';

// What the SDK is for: the network drops, the hub restarts, the page reloads, the token goes stale, and
// still every message is stored once, in order, and every event is seen once, with no gap.

describe('SDK: offline, restarts, reloads', () => {
  let rs: RestartableServer;
  let admin: { token: string };
  const clients: { close(): void }[] = [];
  const track = <T extends { close(): void }>(c: T): T => (clients.push(c), c);

  beforeAll(async () => {
    rs = await new RestartableServer().start();
    admin = await fastAgent(rs as unknown as TestServer, { role: 'admin' });
  });
  afterEach(() => {
    for (const c of clients.splice(0)) c.close();
  });
  afterAll(async () => rs?.destroy());

  const ts = () => rs as unknown as TestServer;

  async function chat(custNet = new Net(), agentNet = new Net(), storage = new MemoryStorage()) {
    const q = await makeQueue(ts(), admin.token, 'manual');
    const alice = await fastAgent(ts(), { name: 'Alice', queues: [q.id] });
    const ag = track(await AgentClient.connect({ ...agentNet.options(rs.url), token: alice.token }));
    const cust = track(await CustomerClient.connect({ ...custNet.options(rs.url), storage }));
    const conv = await cust.openConversation({ queue: q.name });
    await ag.accept(conv.id);
    return { ag, cust, conv, custNet, agentNet, storage };
  }

  /** Every 'event' a client emits, to check "exactly once, in order, no gap". */
  function recorder(c: { on(t: 'event', fn: (e: ParleyEvent) => void): () => void }, conversationId: string): number[] {
    const seqs: number[] = [];
    c.on('event', (e) => {
      if (e.conversationId === conversationId) seqs.push(e.seq);
    });
    return seqs;
  }

  const serverLog = async (conversationId: string, token: string): Promise<ParleyEvent[]> => (await rs.api.get(`/v1/agent/conversations/${conversationId}/events`, token)).body.events;
  const messagesIn = (events: ParleyEvent[]) => events.filter((e) => e.kind === 'message' && e.origin === 'channel');

  it('sends made offline wait, then arrive exactly once, in order, with the same clientMessageIds', async () => {
    const { ag, cust, conv, custNet } = await chat();
    const alice = ag.token;
    const states: ConnectionState[] = [];
    cust.on('connection', (s) => states.push(s));

    custNet.cut();
    await reach(cust, 'offline');
    const sent = ['one', 'two', 'three'].map((text) => cust.send(conv.id, { text }));
    await new Promise((r) => setTimeout(r, 300)); // several retries fail meanwhile
    expect(cust.outbox(conv.id).map((o) => [o.clientMessageId, o.status])).toEqual(sent.map((o) => [o.clientMessageId, 'pending']));
    expect(messagesIn(await serverLog(conv.id, alice))).toHaveLength(0);

    const arrived: string[] = [];
    ag.on('message', (e) => arrived.push(e.clientMessageId ?? ''));
    custNet.restore();
    await until(() => cust.outbox().length === 0, 5000, 'outbox drained');
    await until(() => arrived.length >= 3, 5000, 'agent got all three');

    const stored = messagesIn(await serverLog(conv.id, alice));
    expect(stored.map((e) => (e.kind === 'message' ? [e.clientMessageId, e.parts[0]] : []))).toEqual(sent.map((o, i) => [o.clientMessageId, { type: 'text', text: ['one', 'two', 'three'][i] }]));
    expect(arrived).toEqual(sent.map((o) => o.clientMessageId));
    await reach(cust, 'open'); // the stream came back by itself (the sends may have gone over REST first)
    expect(states.slice(0, 2)).toEqual(['offline', 'connecting']);
    const held = cust.history(conv.id).map((e) => e.seq);
    expect(held).toEqual(Array.from({ length: held.length }, (_, i) => i + 1));
  });

  it('a hub restart: clients reconnect by themselves and resume with no gap and no duplicate', async () => {
    const { ag, cust, conv, custNet } = await chat();
    const custSeqs = recorder(cust, conv.id);
    const agentSeqs = recorder(ag, conv.id);
    cust.send(conv.id, { text: 'before the restart' });
    await next(ag, 'message', (e) => e.origin === 'channel', 5000, 'first message');

    await rs.stop();
    await reach(cust, 'offline');
    // Keep the customer away while the agent writes after the restart, so it has to catch up on resume.
    custNet.cut();
    const heldBefore = cust.history(conv.id).at(-1)!.seq;
    await rs.start();
    await reach(ag, 'open');
    const replies = ['back again', 'still there?'].map((text) => ag.send(conv.id, { text }));
    await until(() => ag.outbox().length === 0, 5000, 'agent replies stored');

    custNet.restore();
    const last = replies[1]!.clientMessageId;
    await next(cust, 'message', (e) => e.clientMessageId === last, 5000, 'customer resumes');
    await new Promise((r) => setTimeout(r, 200)); // receipts and late duplicates, if any, would show up now

    // It resumed from the last seq it held, not from the start.
    const resumedFrom = JSON.parse(new URL(custNet.urls[custNet.urls.length - 1]!).searchParams.get('cursors') ?? '{}');
    expect(resumedFrom[conv.id]).toBe(heldBefore);
    const server = (await serverLog(conv.id, ag.token)).map((e) => e.seq);
    const expectRun = (seqs: number[]) => expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));
    expectRun(custSeqs);
    expectRun(agentSeqs);
    expect(cust.history(conv.id).map((e) => e.seq)).toEqual(server.slice(0, cust.history(conv.id).length));
    expect(cust.history(conv.id).filter((e) => e.kind === 'message' && e.author.role === 'agent').map((e) => (e.kind === 'message' ? e.clientMessageId : undefined))).toEqual(replies.map((r) => r.clientMessageId));
  });

  it('a reload with the same storage shows the history at once and retries an unacknowledged send without a duplicate', async () => {
    const { ag, cust, conv, custNet, storage } = await chat();
    cust.send(conv.id, { text: 'first' });
    await next(ag, 'message', (e) => e.origin === 'channel', 5000, 'first');
    const held = cust.history(conv.id);

    // The socket is gone and the answer to the POST is lost: the hub stored it, the client does not know.
    custNet.loseMessageAcks = true;
    custNet.cutSockets();
    await reach(cust, 'offline');
    const lost = cust.send(conv.id, { text: 'lost ack' });
    for (let i = 0; i < 100 && custNet.messagePosts === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(custNet.messagePosts).toBeGreaterThan(0);
    expect(cust.outbox(conv.id).map((o) => o.clientMessageId)).toEqual([lost.clientMessageId]);
    cust.close(); // the page goes away

    // The reload, still offline: history and outbox come from storage alone.
    const net2 = new Net();
    net2.cut();
    const again = track(await CustomerClient.connect({ ...net2.options(rs.url), storage }));
    expect(again.connectionState).toBe('offline');
    expect(again.contact.id).toBe(cust.contact.id);
    expect(again.token).toBe(cust.token);
    expect(again.history(conv.id).map((e) => e.id)).toEqual(held.map((e) => e.id));
    expect(again.outbox(conv.id).map((o) => [o.clientMessageId, o.status])).toEqual([[lost.clientMessageId, 'pending']]);

    // The network is back: the retry carries the same clientMessageId, and the hub keeps one copy.
    net2.restore();
    await until(() => again.outbox().length === 0, 5000, 'retried');
    await until(() => again.history(conv.id).some((e) => e.kind === 'message' && e.clientMessageId === lost.clientMessageId), 5000, 'copy in history');
    const stored = messagesIn(await serverLog(conv.id, ag.token)).filter((e) => e.kind === 'message' && e.clientMessageId === lost.clientMessageId);
    expect(stored).toHaveLength(1);
    const copies = again.history(conv.id).filter((e) => e.kind === 'message' && e.clientMessageId === lost.clientMessageId);
    expect(copies).toHaveLength(1);
  });

  it('a hub that no longer knows the token (new secret): the customer starts a new session by itself', async () => {
    const storage = new MemoryStorage();
    const net = new Net();
    const cust = track(await CustomerClient.connect({ ...net.options(rs.url), storage }));
    const conv = await cust.openConversation();
    await cust.loadHistory(conv.id);
    expect(cust.history(conv.id).length).toBeGreaterThan(0);
    const oldToken = cust.token;
    const renewed = next(cust, 'session', () => true, 8000, 'new session');

    // Same port, wiped data folder: a new signing key, so the old token is refused.
    await rs.stop();
    rmSync(rs.dir, { recursive: true, force: true });
    mkdirSync(rs.dir);
    await rs.start();
    admin = await fastAgent(ts(), { role: 'admin' });

    const s = await renewed;
    expect(s.renewed).toBe(true);
    expect(s.contact.id).not.toBe(conv.contactId);
    expect(cust.token).not.toBe(oldToken);
    expect(cust.history(conv.id)).toEqual([]);
    await reach(cust, 'open');
    expect(JSON.parse(storage.getItem('parley:customer:session')!).token).toBe(cust.token);
    const fresh = await cust.openConversation();
    expect(fresh.contactId).toBe(cust.contact.id);
  });
});
