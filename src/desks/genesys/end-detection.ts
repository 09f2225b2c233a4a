import WebSocket from 'ws';
import { z } from 'zod';
import { isParleyError } from '../../core/errors.js';
import type { GenesysDesk } from './adapter.js';
import { REF } from './adapter.js';

// End detection (issue 6, item 10). The Open Messaging webhook says nothing when an agent joins, transfers
// or ends (vendor-protocols §1.5). Of the mechanisms §1.5 lists, Parley uses the Notifications API: a
// notification channel, a subscription to `v2.routing.queues.{queueId}.conversations.messages` for each
// queue of the org (or the configured one), and the channel's WebSocket. Why this one: it is push (no
// polling against the 300/minute budget), needs only the OAuth client Parley already has (no Process
// Automation trigger or EventBridge to set up in the org), and each event carries the whole conversation's
// participants, so one handler reads joins, transfers and disconnects.
//
// Each event is compared with the conversation's participants:
// - an agent participant connected while the Parley conversation waits → agent joined (phase active);
// - an agent disconnected with disconnectType `transfer` → transfer started + agent left (it waits again);
// - any other agent disconnect, or the customer participant disconnected by the other side → ended by the
//   desk (participant.left, conversation.ended), which the customer sees.
// Every report is keyed by the Genesys participant id, so the same event seen twice stores nothing new.
// A dropped socket is reopened with backoff on a fresh channel; changes made while it was down are seen on
// the conversation's next event.

const Participant = z
  .object({
    id: z.string(),
    purpose: z.string().optional(),
    state: z.string().optional(),
    disconnectType: z.string().optional(),
    // Topic bodies name the user and queue as references ({id}); REST bodies as userId / queueId.
    userId: z.string().optional(),
    user: z.object({ id: z.string() }).loose().optional(),
    name: z.string().optional(),
    queueId: z.string().optional(),
    queue: z.object({ id: z.string() }).loose().optional(),
    messages: z.array(z.object({ state: z.string().optional(), disconnectType: z.string().optional() }).loose()).optional(),
  })
  .loose();

const Notification = z.object({
  topicName: z.string(),
  eventBody: z.object({ id: z.string(), participants: z.array(Participant).default([]) }).loose(),
});

type Participant = z.infer<typeof Participant>;

const stateOf = (p: Participant) => {
  const last = p.messages?.[p.messages.length - 1];
  return { state: (p.state ?? last?.state ?? '').toLowerCase(), disconnectType: (p.disconnectType ?? last?.disconnectType ?? '').toLowerCase() };
};

export class EndDetection {
  private ws: WebSocket | undefined;
  private stopped = false;
  private retryMs = 500;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Serialises event handling: one conversation's events are applied in the order they came. */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly desk: GenesysDesk) {}

  start(): void {
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.ws?.removeAllListeners();
    this.ws?.on('error', () => undefined);
    this.ws?.terminate();
    await this.chain;
  }

  /** Whether the socket is open (for tests and health). */
  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN;
  }

  private async topics(): Promise<string[]> {
    const queues = this.desk.settings.queueId ? [this.desk.settings.queueId] : await this.desk.api.queueIds();
    return queues.slice(0, 900).map((q) => `v2.routing.queues.${q}.conversations.messages`);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      const channel = await this.desk.api.createChannel();
      await this.desk.api.subscribe(channel.id, await this.topics());
      if (this.stopped) return;
      const ws = new WebSocket(channel.connectUri);
      this.ws = ws;
      ws.on('open', () => {
        this.retryMs = 500;
      });
      ws.on('message', (data) => {
        let json: unknown;
        try {
          json = JSON.parse(data.toString());
        } catch {
          return;
        }
        const n = Notification.safeParse(json);
        if (!n.success || !n.data.topicName.endsWith('.conversations.messages')) return; // heartbeats, metadata
        this.chain = this.chain.then(() => this.apply(n.data.eventBody.id, n.data.eventBody.participants)).catch((err: unknown) => this.desk.log.warn({ err, desk: this.desk.id }, 'genesys notification not applied'));
      });
      ws.on('error', () => undefined);
      ws.on('close', () => this.again());
    } catch (err) {
      this.desk.log.warn({ code: isParleyError(err) ? err.code : 'error', desk: this.desk.id }, 'genesys notifications unavailable; retrying');
      this.again();
    }
  }

  private again(): void {
    if (this.stopped) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 30_000);
    this.retryTimer = setTimeout(() => void this.connect(), wait);
    this.retryTimer.unref();
  }

  /** Compare one Genesys conversation's participants with the Parley conversation, and report the difference. */
  async apply(genesysConversationId: string, participants: Participant[]): Promise<void> {
    const reports = this.desk.reports;
    const id = await reports.find(REF.conversation, genesysConversationId);
    if (!id) return;
    const conv = await reports.conversation(id).catch(() => undefined);
    if (!conv || conv.phase === 'ended') return;
    const conversationId = conv.id;
    const userOf = (p: Participant) => p.userId ?? p.user?.id;
    const queueOf = (p: Participant) => p.queueId ?? p.queue?.id;
    const agents = participants.filter((p) => p.purpose === 'agent' && userOf(p));
    const agentOf = (p: Participant) => ({ id: userOf(p) ?? p.id, name: p.name ?? 'Agent' });
    let phase = conv.phase;
    for (const p of agents) {
      const { state, disconnectType } = stateOf(p);
      if (state === 'connected' && (phase === 'queued' || phase === 'transferring')) {
        await reports.agentJoined({ conversationId, agent: agentOf(p), key: p.id });
        phase = 'active';
      } else if ((state === 'disconnected' || state === 'terminated') && disconnectType === 'transfer') {
        const to = participants.find((x) => x !== p && queueOf(x) && stateOf(x).state !== 'disconnected' && (x.purpose === 'acd' || x.purpose === 'agent'));
        const queue = to ? (queueOf(to) ?? 'genesys') : 'genesys';
        await reports.transferStarted({ conversationId, from: agentOf(p), to: { type: 'queue', id: queue, name: to?.purpose === 'acd' && to.name ? to.name : queue }, key: p.id });
        await reports.agentLeft({ conversationId, agent: agentOf(p), reason: 'transfer', key: p.id });
        phase = 'transferring';
      }
    }
    const lastActiveAgent = [...agents].reverse().find((p) => stateOf(p).disconnectType !== 'transfer');
    const agentEnded = lastActiveAgent && ['disconnected', 'terminated'].includes(stateOf(lastActiveAgent).state);
    const customer = participants.find((p) => p.purpose === 'customer');
    const customerGone = customer && ['disconnected', 'terminated'].includes(stateOf(customer).state);
    if (agentEnded || customerGone) {
      await reports.ended({ conversationId, ...(lastActiveAgent && agentEnded ? { agent: agentOf(lastActiveAgent) } : {}), reason: 'ended by the agent', key: lastActiveAgent?.id ?? genesysConversationId });
    }
  }
}
