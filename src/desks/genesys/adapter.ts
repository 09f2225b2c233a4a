import { VendorDesk } from '../../vendor/vendor-desk.js';
import type { FastifyBaseLogger } from 'fastify';
import type { Capabilities, DeliveryJob, DeliveryOutcome, SignalJob } from '../../core/adapter.js';
import { ParleyError } from '../../core/errors.js';
import type { Conversation, StoredEvent } from '../../core/model.js';
import { conversationsOfContact, eventsAfter } from '../../hub/reads.js';
import type { AdapterRuntime } from '../../switchboard/types.js';
import { adapterType } from '../../switchboard/types.js';
import type { Webhook } from '../../switchboard/webhooks.js';
import { VendorHttp } from '../../vendor/http-client.js';
import { RateBudget } from '../../vendor/rate-budget.js';
import type { TokenCache } from '../../vendor/token-cache.js';
import { genesysTokens } from './auth.js';
import { AgentsOnline, Availability } from './availability.js';
import { EndDetection } from './end-detection.js';
import { GenesysApi, type GenesysCustomer } from './outbound.js';
import { answeredChoice, toInbound } from './parts.js';
import { genesysHosts, GenesysSettings } from './settings.js';
import { genesysProactive } from './proactive.js';
import { genesysWebhook } from './webhook.js';

// The `genesys` desk: Genesys Cloud Open Messaging. Customer → Genesys goes through deliver() (the outbox,
// in seq order, retried) and signal() (typing, live); Genesys → customer comes in on the webhook
// (webhook.ts), the Notifications API (end-detection.ts: joins, transfers, the agent ending) and queue
// figures (availability.ts). Everything Genesys reports reaches the log through DeskReports.
//
// What the desk `wants` from the log, and why:
// - customer messages (text, media, quick-reply answers): what the agent must see;
// - the customer's receipts: Genesys takes Delivered (and Failed) for agent messages, so the agent's ticks
//   move when the customer's channel confirms them — read counts as delivered (Genesys has no Read);
// - conversation.ended from the customer (or Parley): the Genesys customer participant is disconnected, or
//   the agent would keep a conversation nobody answers;
// - delivery.failed of the customer's leg: a Failed receipt for the agent message that could not reach them.
// Never its own agents' messages or joins (they came from Genesys: fan-out skips the leg events came in on).
// A business's proactive message is the one desk-side event sent here: through `proactive` (agentless API,
// proactive.ts), not deliver().

/** Conversation ids Genesys and Parley share, by kind in the external id map. */
export const REF = { conversation: 'conversation', message: 'message', receipt: 'receipt' } as const;

export class GenesysDesk extends VendorDesk {
  readonly capabilities: Capabilities = { typing: true, receipts: true, parts: ['text', 'media', 'quick_replies', 'qr'], maxMediaBytes: 10 * 1024 * 1024 };
  readonly api: GenesysApi;
  readonly tokens: TokenCache;
  readonly webhooks: readonly Webhook[];
  /** Proactive messages through the agentless API (proactive.ts). */
  readonly proactive = genesysProactive(this);
  readonly callBudgetMs: number;
  private endDetection: EndDetection | undefined;
  private availability: Availability | undefined;
  /** Agents on the configured queue, cached for customers asking before they open a chat (availability.ts). */
  private readonly onQueue: AgentsOnline | undefined;

  constructor(
    id: string,
    readonly settings: GenesysSettings,
    readonly log: FastifyBaseLogger,
  ) {
    super(id);
    // One call, token fetch and retries included, ends within totalTimeoutMs (VendorHttp).
    this.callBudgetMs = settings.totalTimeoutMs;
    const { apiUrl, loginUrl } = genesysHosts(settings);
    const name = `genesys:${id}`;
    const budget = new RateBudget({ name, limit: settings.rateLimitPerMinute, windowMs: 60_000 });
    const common = { name, attemptTimeoutMs: settings.attemptTimeoutMs, totalTimeoutMs: settings.totalTimeoutMs, log };
    const login = new VendorHttp({ ...common, baseUrl: loginUrl });
    this.tokens = genesysTokens({ name, login, clientId: settings.clientId, clientSecret: settings.clientSecret, log });
    this.api = new GenesysApi(new VendorHttp({ ...common, baseUrl: apiUrl, auth: this.tokens, budget }), settings.integrationId);
    this.webhooks = [genesysWebhook(this)];
    this.onQueue = settings.queueId ? new AgentsOnline(this, settings.queueId) : undefined;
  }

  override async start(runtime: AdapterRuntime): Promise<void> {
    await super.start(runtime);
    if (this.settings.endDetection === 'notifications') {
      this.endDetection = new EndDetection(this);
      this.endDetection.start();
    }
    if (this.settings.queueId) {
      this.availability = new Availability(this, this.settings.queueId);
      this.availability.start();
    }
  }

  override async stop(): Promise<void> {
    await this.endDetection?.stop();
    this.availability?.stop();
  }

  /**
   * Agents on `settings.queueId` (the route's queue is not asked: Genesys routes by the integration's inbound
   * flow, not by Parley's route). No queue configured: unknown (null).
   */
  agentsOnline(): Promise<boolean | null> {
    return this.onQueue ? this.onQueue.get() : Promise.resolve(null);
  }

  customerOf(c: Pick<Conversation, 'contactId'>, name?: string | null): GenesysCustomer {
    return { id: c.contactId, nickname: name ?? undefined };
  }

  async deliver(job: DeliveryJob, signal: AbortSignal): Promise<DeliveryOutcome> {
    const { event, conversation } = job;
    switch (event.kind) {
      case 'message':
        return this.deliverMessage(job, event, signal);
      case 'receipt':
        await this.confirmAgentMessages(conversation, event.through, signal);
        return { status: 'sent' };
      case 'delivery.failed':
        await this.failAgentMessage(conversation, event.failedSeq, event.reason, signal);
        return { status: 'sent' };
      case 'conversation.ended':
        await this.disconnectCustomer(conversation, signal);
        return { status: 'sent' };
      default:
        return { status: 'sent' };
    }
  }

  private async deliverMessage(job: DeliveryJob, event: Extract<StoredEvent, { kind: 'message' }>, signal: AbortSignal): Promise<DeliveryOutcome> {
    const { conversation, contact } = job;
    const customer = this.customerOf(conversation, contact?.name);
    const base = { customer, messageId: event.id, time: event.createdAt, signal };
    let sent: { id: string; conversationId?: string | undefined };
    const answer = await this.quickReplyAnswer(event);
    if (answer) {
      sent = await this.api.structuredResponse({ ...base, originatingMessageId: answer.originatingMessageId, button: answer.button });
    } else {
      const content = toInbound(event.parts, (mediaId) => this.rt.signer.url(mediaId));
      if (!content.text && !content.content) throw new ParleyError('DELIVERY_REJECTED', 'Nothing in this message can be sent to Genesys.');
      sent = await this.api.message({ ...base, content });
    }
    return this.linkSent(sent, event, conversation);
  }

  /** Map what Genesys answered to a send (its message and conversation ids), so its webhooks find them. */
  async linkSent(sent: { id: string; conversationId?: string | undefined }, event: StoredEvent, conversation: Conversation): Promise<DeliveryOutcome> {
    await this.reports.link(REF.message, sent.id, event.id);
    if (sent.conversationId) await this.reports.link(REF.conversation, sent.conversationId, conversation.id);
    return { status: 'sent', externalId: sent.id };
  }

  /** A customer's text that answers the latest agent message's quick replies or buttons (from Genesys). */
  private async quickReplyAnswer(event: Extract<StoredEvent, { kind: 'message' }>) {
    const [first] = event.parts;
    if (event.parts.length !== 1 || first?.type !== 'text') return undefined;
    const before = (await eventsAfter(this.rt.hub.db, event.conversationId, Math.max(0, event.seq - 30), 30)).filter((e) => e.seq < event.seq);
    const lastAgent = [...before].reverse().find((e): e is Extract<StoredEvent, { kind: 'message' }> => e.kind === 'message' && e.origin === 'desk');
    if (!lastAgent) return undefined;
    const button = answeredChoice(lastAgent.parts, first.text);
    if (!button) return undefined;
    const originatingMessageId = await this.reports.externalOf(REF.message, lastAgent.id);
    return originatingMessageId ? { originatingMessageId, button } : undefined;
  }

  /** Delivered receipts for the agent messages the customer's side now has (through `through`), each once. */
  private async confirmAgentMessages(c: Conversation, through: number, signal: AbortSignal): Promise<void> {
    for await (const { eventId, vendorId: gid } of this.reports.unconfirmedAgentMessages(c.id, through, { message: REF.message, receipt: REF.receipt })) {
      await this.api.receipt({ customerId: c.contactId, genesysMessageId: gid, status: 'Delivered', signal });
      await this.reports.link(REF.receipt, gid, eventId);
    }
  }

  private async failAgentMessage(c: Conversation, seq: number, reason: string, signal: AbortSignal): Promise<void> {
    const e = await this.rt.hub.tx((tx) => tx.getEventBySeq(c.id, seq));
    if (!e || e.kind !== 'message' || e.origin !== 'desk') return;
    const gid = await this.reports.externalOf(REF.message, e.id);
    if (!gid || (await this.reports.find(REF.receipt, gid))) return;
    await this.api.receipt({ customerId: c.contactId, genesysMessageId: gid, status: 'Failed', reason: { code: 'GeneralError', message: reason.slice(0, 500) || 'Not delivered.' }, signal });
    await this.reports.link(REF.receipt, gid, e.id);
  }

  /** Customer (or Parley) ended: disconnect the Genesys customer participant, so the agent's side ends too. */
  private async disconnectCustomer(c: Conversation, signal: AbortSignal): Promise<void> {
    const gcId = await this.reports.externalOf(REF.conversation, c.id);
    if (!gcId) return; // Genesys never heard of it
    const gc = await this.api.conversation(gcId, signal);
    for (const p of gc.participants) {
      if (p.purpose !== 'customer' || p.state === 'disconnected' || p.state === 'terminated') continue;
      await this.api.disconnect(gcId, p.id, signal);
    }
  }

  async signal(job: SignalJob): Promise<void> {
    const { signal, conversation } = job;
    if (signal.type !== 'typing' || !signal.typing || conversation.phase === 'ended') return;
    await this.api.typing({ customer: this.customerOf(conversation) });
  }

  /** The Parley conversation a Genesys payload is about: by Genesys conversation id, else the customer's open one here. */
  async conversationFor(r: { genesysConversationId?: string | undefined; customerId?: string | undefined }): Promise<Conversation | undefined> {
    const reports = this.reports;
    if (r.genesysConversationId) {
      const id = await reports.find(REF.conversation, r.genesysConversationId);
      if (id) {
        const c = await reports.conversation(id).catch(() => undefined);
        if (c && c.phase !== 'ended') return c;
      }
    }
    if (!r.customerId) return undefined;
    const open = (await conversationsOfContact(this.rt.hub.db, r.customerId, true)).filter((c) => c.desk === this.id && c.phase !== 'ended');
    const c = open[0];
    if (c && r.genesysConversationId) await reports.link(REF.conversation, r.genesysConversationId, c.id);
    return c;
  }
}

export const genesysType = adapterType({
  type: 'genesys',
  side: 'desk',
  settings: GenesysSettings,
  create: ({ name, settings }, deps) => new GenesysDesk(name, settings, deps.log),
});
