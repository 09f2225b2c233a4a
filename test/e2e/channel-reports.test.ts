import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Adapters } from '../../src/adapters.js';
import { webChannel } from '../../src/channels/web/adapter.js';
import type { ChannelAdapter, DeliveryJob, DeliveryOutcome } from '../../src/core/adapter.js';
import { inboxDesk } from '../../src/desks/inbox/adapter.js';
import { channelReports, type ChannelReports } from '../../src/hub/channel-reports.js';
import { fastAgent, Streams } from '../helpers/flows.js';
import { startServer, until, type TestServer } from '../helpers/server.js';

// The channel → Parley half of the seam: what a vendor channel adapter reports (customer messages, receipts
// for agent messages, typing, the customer ending), with the customer's identity, their conversation on the
// route's desk and the vendor's ids as idempotency keys.

/** A vendor channel that records what it is asked to deliver to customers. */
class FakeSms implements ChannelAdapter {
  readonly id = 'sms';
  readonly side = 'channel' as const;
  readonly capabilities = { typing: false, receipts: true, parts: ['text' as const] };
  readonly sent: DeliveryJob[] = [];
  wants = (e: { kind: string }) => e.kind === 'message';
  deliver(job: DeliveryJob): Promise<DeliveryOutcome> {
    this.sent.push(job);
    return Promise.resolve({ status: 'sent', externalId: `SM-${job.event.id}` });
  }
}

describe('channel reports from a vendor channel', () => {
  let ts: TestServer;
  let reports: ChannelReports;
  let agent: { id: string; token: string };
  const streams = new Streams();
  const sms = new FakeSms();
  const phone = (n: number) => ({ id: `+1555000${String(n).padStart(4, '0')}`, name: `Phone ${n}` });

  beforeAll(async () => {
    ts = await startServer({ adapters: new Adapters([webChannel, sms], [inboxDesk]), captureLogs: true });
    reports = channelReports(ts.server.services.hub, sms.id, 'phone');
    agent = await fastAgent(ts, { name: 'Agent Ann' });
  });
  afterEach(() => streams.closeAll());
  afterAll(async () => ts?.stop());

  const events = async (conversationId: string) => (await ts.api.get(`/v1/agent/conversations/${conversationId}/events`, agent.token)).body.events as any[];

  it('a first text opens a conversation on the route’s desk, and the same vendor message id is stored once', async () => {
    const from = phone(1);
    const first = await reports.message({ from, messageId: 'SM1', parts: [{ type: 'text', text: 'hi' }] });
    expect(first.conversation).toMatchObject({ channel: 'sms', desk: 'inbox' });
    expect(first.events.map((e) => e.kind)).toContain('message');
    const again = await reports.message({ from, messageId: 'SM1', parts: [{ type: 'text', text: 'hi' }] });
    expect(again.duplicate).toBe(true);
    expect(again.events[0]?.id).toBe(first.events.find((e) => e.kind === 'message')?.id);
    // A second text from the same phone joins the same conversation and contact.
    const second = await reports.message({ from, messageId: 'SM2', parts: [{ type: 'text', text: 'still there?' }] });
    expect(second.conversation.id).toBe(first.conversation.id);
    expect(second.conversation.contactId).toBe(first.conversation.contactId);
    await until(async () => (await events(first.conversation.id)).filter((e) => e.kind === 'message').length === 2, 5000, 'two messages');
  });

  it('a retried text after the conversation ended is still stored once, and opens nothing new', async () => {
    const from = phone(2);
    const first = await reports.message({ from, messageId: 'SM10', parts: [{ type: 'text', text: 'one' }] });
    await reports.ended({ conversationId: first.conversation.id, reason: 'STOP' });
    const retried = await reports.message({ from, messageId: 'SM10', parts: [{ type: 'text', text: 'one' }] });
    expect(retried.duplicate).toBe(true);
    expect(retried.conversation.id).toBe(first.conversation.id);
    expect(await reports.openConversationOf(from)).toBeUndefined();
    // A new text after the end opens a new conversation for the same contact.
    const next = await reports.message({ from, messageId: 'SM11', parts: [{ type: 'text', text: 'back again' }] });
    expect(next.conversation.id).not.toBe(first.conversation.id);
    expect(next.conversation.contactId).toBe(first.conversation.contactId);
  });

  it('the agent’s reply goes out through the channel; its receipts move the status, and a failure shows delivery.failed to the agent', async () => {
    const from = phone(3);
    const opened = await reports.message({ from, messageId: 'SM20', parts: [{ type: 'text', text: 'help' }] });
    const id = opened.conversation.id;
    expect((await ts.api.post(`/v1/agent/conversations/${id}/accept`, {}, agent.token)).status).toBe(200);
    const reply = async (text: string) => (await ts.api.post(`/v1/agent/conversations/${id}/messages`, { text, clientMessageId: text }, agent.token)).body.event as { id: string; seq: number };
    const one = await reply('reply one');
    const two = await reply('reply two');
    await until(() => sms.sent.filter((j) => j.event.conversationId === id).length === 2, 5000, 'both replies handed to the channel');
    await reports.receipt({ eventId: one.id, status: 'read' });
    await until(async () => (await ts.api.get(`/v1/agent/conversations/${id}`, agent.token)).body.conversation.receipts.customer.read >= one.seq, 5000, 'read receipt');
    await reports.receipt({ eventId: two.id, status: 'failed', code: 'UNDELIVERED', reason: 'The handset is off.' });
    const failed = (await events(id)).find((e) => e.kind === 'delivery.failed');
    expect(failed).toMatchObject({ failedSeq: two.seq, leg: 'channel', code: 'UNDELIVERED' });
    // Repeated: nothing more.
    await reports.receipt({ eventId: two.id, status: 'failed', code: 'UNDELIVERED' });
    expect((await events(id)).filter((e) => e.kind === 'delivery.failed')).toHaveLength(1);
  });

  it('typing is a live signal on the agent’s stream; another channel’s conversation is not found', async () => {
    const from = phone(4);
    const opened = await reports.message({ from, messageId: 'SM30', parts: [{ type: 'text', text: 'typing next' }] });
    const id = opened.conversation.id;
    await ts.api.post(`/v1/agent/conversations/${id}/accept`, {}, agent.token);
    const stream = await streams.connect(ts, agent.token);
    await reports.typing({ conversationId: id, typing: true });
    await stream.next((f: any) => f.type === 'typing' && f.conversationId === id && f.typing === true);
    const web = (await ts.api.post('/v1/sessions', {})).body.token as string;
    const webConv = (await ts.api.post('/v1/conversations', {}, web)).body.conversation.id as string;
    await expect(reports.typing({ conversationId: webConv, typing: true })).rejects.toMatchObject({ code: 'PARLEY_E_CONVERSATION_NOT_FOUND' });
    await expect(reports.ended({ conversationId: webConv })).rejects.toMatchObject({ code: 'PARLEY_E_CONVERSATION_NOT_FOUND' });
  });
});
