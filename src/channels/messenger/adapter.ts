import { CHANNEL_REF, VendorChannel } from '../../vendor/vendor-channel.js';
import type { FastifyBaseLogger } from 'fastify';
import type { Capabilities, DeliveryJob, DeliveryOutcome, SignalJob } from '../../core/adapter.js';
import { ParleyError } from '../../core/errors.js';
import type { StoredEvent } from '../../core/model.js';
import { adapterType } from '../../switchboard/types.js';
import type { Webhook } from '../../switchboard/webhooks.js';
import { graphHttp } from '../../vendor/meta-graph.js';
import { appSecrets } from '../../vendor/meta-settings.js';
import { windowState } from '../../vendor/reply-window.js';
import { MessengerApi, type MessagingType } from './outbound.js';
import { toMessenger } from './parts.js';
import { MessengerSettings } from './settings.js';
import { messengerWebhooks } from './webhook.js';

// The `messenger` channel: customers message a Facebook Page. Messenger → Parley comes in on the webhook
// (webhook.ts) through ChannelReports, the customer identified by their page-scoped id (PSID, namespace
// `messenger:<pageId>`: another Page knows the same person by another id). Parley → Messenger goes through
// deliver() (the outbox: in seq order, retried, at least once) and signal() (typing, best effort).
//
// What the channel `wants` from the log: the desk's messages, and the desk's read receipts (shown to the
// customer as "seen", Messenger's mark_seen). Joins, transfers and the end are not announced: Messenger has
// no such display, and a bot-like line for each would be noise.
//
// The 24-hour window (reply-window.ts): inside it a reply goes as RESPONSE; 24 h to 7 days after the
// customer last wrote, as MESSAGE_TAG HUMAN_AGENT where the Page has that feature (humanAgentTag); otherwise
// it is refused before any call with REPLY_WINDOW_CLOSED, which the agent sees as delivery.failed. Meta's own
// refusal (10/2018278: its clock, or a window Parley never saw close) ends the same way.

/** Ids Messenger and Parley share, by kind in the external id map: mids, parts, and PSID → contact. */
export const REF = CHANNEL_REF;

export class MessengerChannel extends VendorChannel {
  readonly capabilities: Capabilities;
  readonly api: MessengerApi;
  readonly webhooks: readonly Webhook[];
  readonly callBudgetMs: number;

  constructor(
    id: string,
    readonly settings: MessengerSettings,
    readonly log: FastifyBaseLogger,
  ) {
    super(id, `messenger:${settings.pageId}`);
    this.callBudgetMs = settings.totalTimeoutMs;
    // Messenger takes attachments up to 25 MB; it reports deliveries and reads, and shows typing.
    this.capabilities = { typing: true, receipts: true, parts: ['text', 'media', 'quick_replies', 'buttons'], maxMediaBytes: 25 * 1024 * 1024, replyWindowHours: 24 };
    const { http, proof } = graphHttp({
      name: `messenger:${id}`,
      baseUrl: settings.graphApiBaseUrl,
      version: settings.graphApiVersion,
      token: settings.pageAccessToken,
      appSecret: appSecrets(settings)[0]!,
      ratePerSecond: settings.ratePerSecond,
      attemptTimeoutMs: settings.attemptTimeoutMs,
      totalTimeoutMs: settings.totalTimeoutMs,
      log,
    });
    this.api = new MessengerApi(http, proof);
    this.webhooks = messengerWebhooks(this);
  }

  wants(e: Pick<StoredEvent, 'kind' | 'author' | 'origin'>): boolean {
    return (e.kind === 'message' || e.kind === 'receipt') && e.origin === 'desk';
  }

  /** A new customer's name, when profileNames is on and Meta gives it (never fails the message). */
  async customerName(psid: string): Promise<string | undefined> {
    if (!this.settings.profileNames) return undefined;
    return this.api.name(psid).catch(() => undefined);
  }

  async deliver(job: DeliveryJob, signal: AbortSignal): Promise<DeliveryOutcome> {
    const { event, conversation } = job;
    const psid = await this.reports.externalOf(REF.customer, conversation.contactId);
    if (event.kind === 'receipt') {
      if (event.receipt === 'read' && psid) await this.api.senderAction(psid, 'mark_seen', signal);
      return { status: 'sent' };
    }
    if (event.kind !== 'message') return { status: 'sent' };
    if (!psid) throw new ParleyError('DELIVERY_REJECTED', `This customer has no Messenger id on the ${this.id} channel.`);
    const type = await this.messagingType(conversation.contactId);
    const sends = toMessenger(event.parts, (id) => this.rt.signer.url(id), this.settings.maxTextLength);
    if (sends.length === 0) throw new ParleyError('DELIVERY_REJECTED', 'Nothing in this message can be sent on Messenger.');
    const first = await this.sendOnce(event.id, [...sends.entries()], (message) => this.api.send(psid, message, type, signal));
    return { status: 'sent', ...(first ? { externalId: first } : {}) };
  }

  /** RESPONSE inside the window, HUMAN_AGENT after it where allowed; refused otherwise. */
  private async messagingType(contactId: string): Promise<MessagingType> {
    const state = windowState(await this.reports.heardAt(contactId), Date.now(), { humanAgent: this.settings.humanAgentTag });
    if (state === 'open') return { messaging_type: 'RESPONSE' };
    if (state === 'humanAgent') return { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' };
    throw new ParleyError(
      'REPLY_WINDOW_CLOSED',
      this.settings.humanAgentTag
        ? 'The customer last wrote more than 7 days ago: Messenger accepts no reply (not even with the HUMAN_AGENT tag) until they write again.'
        : 'The customer last wrote more than 24 hours ago: Messenger accepts no reply until they write again (a Page with the Human Agent feature can reply for 7 days: set humanAgentTag).',
    );
  }

  /** The agent typing, shown on Messenger while the window allows the Page to act (best effort). */
  async signal(job: SignalJob): Promise<void> {
    const s = job.signal;
    if (s.type !== 'typing' || s.author.role === 'customer') return;
    const psid = await this.reports.externalOf(REF.customer, job.conversation.contactId);
    if (!psid) return;
    if (windowState(await this.reports.heardAt(job.conversation.contactId), Date.now(), { humanAgent: false }) !== 'open') return;
    await this.api.senderAction(psid, s.typing ? 'typing_on' : 'typing_off');
  }
}

export const messengerType = adapterType({
  type: 'messenger',
  side: 'channel',
  settings: MessengerSettings,
  create: ({ name, settings }, deps) => new MessengerChannel(name, settings, deps.log),
});
