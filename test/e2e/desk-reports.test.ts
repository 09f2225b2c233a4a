import { afterAll, beforeAll, afterEach, describe, expect, it } from 'vitest';
import { Adapters } from '../../src/adapters.js';
import { webChannel } from '../../src/channels/web/adapter.js';
import { inboxDesk } from '../../src/desks/inbox/adapter.js';
import { deskReports, type DeskReports } from '../../src/hub/desk-reports.js';
import { FakeDesk } from '../delivery/fake-desk.js';
import { customerChat, eventFrame, fastAgent, Streams } from '../helpers/flows.js';
import { startServer, until, type TestServer } from '../helpers/server.js';

// The desk → Parley half of the seam: what a vendor desk adapter reports (agent messages, joins and leaves,
// transfers, the end, receipts for customer messages, typing, availability) and the open path that keeps a
// vendor-desk conversation out of every inbox queue.

describe('desk reports from a vendor desk', () => {
  let ts: TestServer;
  let reports: DeskReports;
  let inboxAgent: { id: string; token: string };
  let adminToken: string;
  const streams = new Streams();
  const desk = new FakeDesk();
  const alex = { id: 'u-alex', name: 'Alex' };

  beforeAll(async () => {
    // The fake desk is a non-inbox type and the channel's route: conversations open on it.
    ts = await startServer({ adapters: new Adapters([webChannel], [desk, inboxDesk]), captureLogs: true });
    reports = deskReports(ts.server.services.hub, desk.id);
    inboxAgent = await fastAgent(ts, { name: 'Inbox Ian' });
    adminToken = (await fastAgent(ts, { role: 'admin' })).token;
  });
  afterEach(() => streams.closeAll());
  afterAll(async () => ts?.stop());

  const events = async (token: string, conversationId: string) => (await ts.api.get(`/v1/conversations/${conversationId}/events`, token)).body.events as any[];

  it('opens out of every inbox queue, with a conversation.queued the customer sees', async () => {
    const chat = await customerChat(ts, streams);
    expect(chat.conversation).toMatchObject({ desk: 'fake', queueId: null, phase: 'queued', agentId: null });
    const queued = await chat.stream.next(eventFrame('conversation.queued', chat.conversationId));
    expect(queued.event).toMatchObject({ queueId: 'fake', queueName: 'fake' });
    // Nobody in the inbox can see or take it; an admin can.
    expect((await ts.api.get(`/v1/agent/conversations/${chat.conversationId}`, inboxAgent.token)).status).toBe(404);
    const listed = (await ts.api.get('/v1/agent/conversations?scope=queued', inboxAgent.token)).body.conversations as { id: string }[];
    expect(listed.some((c) => c.id === chat.conversationId)).toBe(false);
    expect((await ts.api.post(`/v1/agent/conversations/${chat.conversationId}/accept`, {}, inboxAgent.token)).status).toBe(404);
    expect((await ts.api.get(`/v1/agent/conversations/${chat.conversationId}`, adminToken)).status).toBe(200);
  });

  it('an agent joins once per vendor key, and the conversation becomes active with no Parley agent', async () => {
    const chat = await customerChat(ts, streams);
    const first = await reports.agentJoined({ conversationId: chat.conversationId, agent: alex, key: 'p-1' });
    const again = await reports.agentJoined({ conversationId: chat.conversationId, agent: alex, key: 'p-1' });
    expect(first.conversation).toMatchObject({ phase: 'active', agentId: null });
    expect(again.duplicate).toBe(true);
    const joined = await chat.stream.next(eventFrame('participant.joined', chat.conversationId));
    expect(joined.event).toMatchObject({ participant: { id: 'fake:u-alex', name: 'Alex' }, origin: 'desk' });
    expect((await events(chat.token, chat.conversationId)).filter((e) => e.kind === 'participant.joined')).toHaveLength(1);
    // Still invisible to inbox agents once active.
    expect((await ts.api.get(`/v1/agent/conversations/${chat.conversationId}`, inboxAgent.token)).status).toBe(404);
  });

  it('an agent message is stored once per vendor message id and reaches the customer', async () => {
    const chat = await customerChat(ts, streams);
    await reports.agentJoined({ conversationId: chat.conversationId, agent: alex, key: 'p-2' });
    const parts = [{ type: 'text' as const, text: 'Hello from the desk' }];
    const a = await reports.message({ conversationId: chat.conversationId, messageId: 'gm-1', agent: alex, parts });
    const b = await reports.message({ conversationId: chat.conversationId, messageId: 'gm-1', agent: alex, parts });
    expect(b.duplicate).toBe(true);
    expect(b.events[0]?.id).toBe(a.events[0]?.id);
    const got = await chat.stream.next(eventFrame('message', chat.conversationId, (e) => e.origin === 'desk'));
    expect(got.event).toMatchObject({ author: { role: 'agent', id: 'fake:u-alex', name: 'Alex' }, parts });
    expect((await events(chat.token, chat.conversationId)).filter((e) => e.kind === 'message')).toHaveLength(1);
    // The desk is never sent its own agent's message back.
    expect(desk.delivered(chat.conversationId)).toHaveLength(0);
  });

  it('receipts for customer messages move their status; a failed one shows delivery.failed', async () => {
    const chat = await customerChat(ts, streams);
    const sent = async (text: string) => (await ts.api.post(`/v1/conversations/${chat.conversationId}/messages`, { text, clientMessageId: text }, chat.token)).body.event.id as string;
    const one = await sent('one');
    const two = await sent('two');
    await until(() => desk.delivered(chat.conversationId).length === 2, 3000, 'both delivered to the desk');
    await reports.receipt({ eventId: one, status: 'delivered' });
    expect((await reports.receipt({ eventId: one, status: 'delivered' }))?.duplicate).toBe(true);
    let list = await events(chat.token, chat.conversationId);
    expect(list.find((e) => e.id === one)?.status).toBe('delivered');
    expect(list.find((e) => e.id === two)?.status).toBe('sent');
    await reports.receipt({ eventId: two, status: 'failed', code: 'RecipientOptedOut', reason: 'The agent could not receive it.' });
    await reports.receipt({ eventId: two, status: 'failed' });
    await chat.stream.next(eventFrame('delivery.failed', chat.conversationId));
    list = await events(chat.token, chat.conversationId);
    expect(list.find((e) => e.id === two)?.status).toBe('failed');
    expect(list.filter((e) => e.kind === 'delivery.failed')).toHaveLength(1);
    expect(list.find((e) => e.kind === 'delivery.failed')).toMatchObject({ leg: 'desk', code: 'RecipientOptedOut' });
  });

  it('a transfer makes the conversation wait until the next agent joins; then the desk ends it', async () => {
    const chat = await customerChat(ts, streams);
    await reports.agentJoined({ conversationId: chat.conversationId, agent: alex, key: 'p-3' });
    const t = await reports.transferStarted({ conversationId: chat.conversationId, from: alex, to: { type: 'queue', id: 'q-sales', name: 'Sales' }, key: 't-1' });
    expect(t.conversation.phase).toBe('transferring');
    await reports.agentLeft({ conversationId: chat.conversationId, agent: alex, reason: 'transfer', key: 'p-3' });
    const bea = { id: 'u-bea', name: 'Bea' };
    expect((await reports.agentJoined({ conversationId: chat.conversationId, agent: bea, key: 'p-4' })).conversation.phase).toBe('active');
    const ended = await reports.ended({ conversationId: chat.conversationId, agent: bea, key: 'p-4' });
    expect(ended.flatMap((r) => r.events).map((e) => e.kind)).toEqual(['participant.left', 'conversation.ended']);
    expect((await reports.ended({ conversationId: chat.conversationId, agent: bea, key: 'p-4' })).every((r) => r.events.length === 0)).toBe(true);
    await chat.stream.next(eventFrame('conversation.ended', chat.conversationId));
    const kinds = (await events(chat.token, chat.conversationId)).map((e) => e.kind);
    expect(kinds).toEqual(['conversation.queued', 'participant.joined', 'transfer.started', 'participant.left', 'participant.joined', 'participant.left', 'conversation.ended']);
    // Late reports about an ended conversation change nothing.
    expect((await reports.agentJoined({ conversationId: chat.conversationId, agent: alex, key: 'late' })).events).toHaveLength(0);
  });

  it('typing and availability are live signals the customer sees, never stored', async () => {
    const chat = await customerChat(ts, streams);
    await reports.availability({ conversationId: chat.conversationId, queueId: 'Support', waitSeconds: 90, agentsOnQueue: 2 });
    const avail = await chat.stream.next((f) => f.type === 'availability' && f.conversationId === chat.conversationId);
    expect(avail).toMatchObject({ queueId: 'Support', waitSeconds: 90, agentsOnQueue: 2 });
    expect(avail.position).toBeUndefined();
    await reports.agentJoined({ conversationId: chat.conversationId, agent: alex, key: 'p-5' });
    await reports.typing({ conversationId: chat.conversationId, agent: alex, typing: true });
    const typing = await chat.stream.next((f) => f.type === 'typing' && f.conversationId === chat.conversationId);
    expect(typing).toMatchObject({ typing: true, author: { role: 'agent', id: 'fake:u-alex' } });
    expect((await events(chat.token, chat.conversationId)).map((e) => e.kind)).toEqual(['conversation.queued', 'participant.joined']);
  });

  it("another desk's conversation is not found through this desk's reports", async () => {
    const other = deskReports(ts.server.services.hub, 'inbox');
    const chat = await customerChat(ts, streams);
    await expect(other.typing({ conversationId: chat.conversationId, typing: true })).rejects.toMatchObject({ code: 'PARLEY_E_CONVERSATION_NOT_FOUND' });
    await expect(other.message({ conversationId: chat.conversationId, messageId: 'x', parts: [{ type: 'text', text: 'hi' }] })).rejects.toMatchObject({ code: 'PARLEY_E_CONVERSATION_NOT_FOUND' });
  });
});
