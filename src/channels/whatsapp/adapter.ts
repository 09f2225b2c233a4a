import { CHANNEL_REF, VendorChannel } from '../../vendor/vendor-channel.js';
import type { FastifyBaseLogger } from 'fastify';
import type { Capabilities, DeliveryJob, DeliveryOutcome, SignalJob } from '../../core/adapter.js';
import { ParleyError } from '../../core/errors.js';
import type { StoredEvent } from '../../core/model.js';
import { partsToText } from '../../core/parts.js';
import { adapterType } from '../../switchboard/types.js';
import type { Webhook } from '../../switchboard/webhooks.js';
import { graphHttp } from '../../vendor/meta-graph.js';
import { appSecrets } from '../../vendor/meta-settings.js';
import { windowState } from '../../vendor/reply-window.js';
import { WhatsAppApi } from './outbound.js';
import { templateMessage, toWhatsApp, type WaMessage } from './parts.js';
import { WhatsAppSettings } from './settings.js';
import { whatsappWebhooks } from './webhook.js';

// The `whatsapp` channel: customers write to a business phone number on the WhatsApp Cloud API. WhatsApp →
// Parley comes in on the webhook (webhook.ts) through ChannelReports. The customer's wa_id is their phone
// number, so they are identified as `+<wa_id>` in the `phone` namespace: one phone is one contact across the
// SMS and WhatsApp channels. Parley → WhatsApp goes through deliver() (the outbox: in seq order, retried, at
// least once) and signal() (the typing indicator, best effort).
//
// What the channel `wants` from the log: the desk's messages, and the desk's read receipts (shown to the
// customer as blue ticks: WhatsApp's mark-as-read of their newest message the agent has read). Joins,
// transfers and the end are not announced (WhatsApp has no such display; a line for each would be noise).
//
// The 24-hour customer service window (reply-window.ts): inside it an agent message goes as free-form
// messages; outside it (and for a business-started message to someone who never wrote, or not lately) only
// an approved template can reach the customer. With `replyTemplate` configured that template goes instead
// (its parameters filled from the message, see parts.ts templateMessage) and the delivery is `sent`; without
// one the message fails before any call with REPLY_WINDOW_CLOSED, which the agent sees as delivery.failed.
// Meta's own verdict stays the last word: a free-form message its clock finds outside the window is accepted
// and then reported `failed` with 131047, which ends the same way (webhook.ts).

/** WhatsApp's typing indicator lasts 25 s (or until the reply): refreshed no more often than this. */
const TYPING_REFRESH_MS = 15_000;

/** Ids WhatsApp and Parley share, by kind in the external id map: wamids, parts (`#t`: the template sent instead), and `+<wa_id>` → contact. */
export const REF = CHANNEL_REF;

export class WhatsAppChannel extends VendorChannel {
  readonly capabilities: Capabilities;
  readonly api: WhatsAppApi;
  readonly webhooks: readonly Webhook[];
  readonly callBudgetMs: number;
  /** When the typing indicator was last shown, by conversation (a reply dismisses it: cleared on send). */
  private readonly typingShown = new Map<string, number>();

  constructor(
    id: string,
    readonly settings: WhatsAppSettings,
    readonly log: FastifyBaseLogger,
  ) {
    super(id, 'phone');
    this.callBudgetMs = settings.totalTimeoutMs;
    // Media by link: images 5 MB, audio and video 16 MB, documents 100 MB; 16 MB covers what agents send.
    this.capabilities = { typing: settings.typingIndicator, receipts: true, parts: ['text', 'media', 'quick_replies', 'buttons', 'location'], maxMediaBytes: 16 * 1024 * 1024, replyWindowHours: 24 };
    const { http, proof } = graphHttp({
      name: `whatsapp:${id}`,
      baseUrl: settings.graphApiBaseUrl,
      version: settings.graphApiVersion,
      token: settings.accessToken,
      appSecret: appSecrets(settings)[0]!,
      ratePerSecond: settings.ratePerSecond,
      attemptTimeoutMs: settings.attemptTimeoutMs,
      totalTimeoutMs: settings.totalTimeoutMs,
      log,
    });
    this.api = new WhatsAppApi(http, proof, settings.phoneNumberId);
    this.webhooks = whatsappWebhooks(this);
  }

  wants(e: Pick<StoredEvent, 'kind' | 'author' | 'origin'>): boolean {
    return (e.kind === 'message' || e.kind === 'receipt') && e.origin === 'desk';
  }

  async deliver(job: DeliveryJob, signal: AbortSignal): Promise<DeliveryOutcome> {
    const { event, conversation } = job;
    if (event.kind === 'receipt') {
      if (event.receipt === 'read' && this.settings.markRead) await this.markRead(conversation.id, event.through, false, signal);
      return { status: 'sent' };
    }
    if (event.kind !== 'message') return { status: 'sent' };
    const to = await this.numberOf(conversation.contactId);
    if (!to) throw new ParleyError('DELIVERY_REJECTED', `This customer has no WhatsApp number on the ${this.id} channel.`);
    const open = windowState(await this.reports.heardAt(conversation.contactId), Date.now(), { humanAgent: false }) === 'open';
    let sends: [key: string | number, message: WaMessage][];
    if (open) {
      sends = [...toWhatsApp(event.parts, (id) => this.rt.signer.url(id), this.settings.maxTextLength).entries()];
      if (sends.length === 0) throw new ParleyError('DELIVERY_REJECTED', 'Nothing in this message can be sent on WhatsApp.');
    } else {
      const t = this.settings.replyTemplate;
      if (!t) {
        throw new ParleyError(
          'REPLY_WINDOW_CLOSED',
          'The customer last wrote more than 24 hours ago (or never on this number): WhatsApp takes only an approved template until they write again, and this channel has no replyTemplate configured.',
        );
      }
      const message = templateMessage(t, {
        agentText: partsToText(event.parts),
        agentName: event.author.name,
        customerName: job.contact?.name ?? undefined,
        businessName: this.settings.businessName,
      });
      sends = [['t', message]];
    }
    this.typingShown.delete(conversation.id);
    const first = await this.sendOnce(
      event.id,
      sends,
      (message) => this.api.send(to, message, { opaque: event.id, signal }),
      (wamid, message) => {
        if (message.type === 'template') {
          this.log.info({ channel: this.id, conversationId: conversation.id, eventId: event.id, template: this.settings.replyTemplate?.name, wamid }, 'outside the 24-hour window: the reply template went instead of the message');
        }
      },
    );
    return { status: 'sent', ...(first ? { externalId: first } : {}) };
  }

  /** The agent typing: WhatsApp's typing indicator (it marks the customer's last message read), inside the window only. */
  async signal(job: SignalJob): Promise<void> {
    const s = job.signal;
    // WhatsApp has no "typing off": the indicator ends with the reply or after 25 seconds.
    if (s.type !== 'typing' || s.author.role === 'customer' || !s.typing || !this.settings.typingIndicator) return;
    if (windowState(await this.reports.heardAt(job.conversation.contactId), Date.now(), { humanAgent: false }) !== 'open') return;
    // The indicator shows for 25 s: an agent typing on needs it again only after a while (or after a reply).
    const last = this.typingShown.get(job.conversation.id);
    if (last !== undefined && Date.now() - last < TYPING_REFRESH_MS) return;
    this.typingShown.set(job.conversation.id, Date.now());
    if (this.typingShown.size > 10_000) this.typingShown.delete(this.typingShown.keys().next().value!);
    await this.markRead(job.conversation.id, undefined, true);
  }

  /** Marks read the customer's newest message in the conversation (up to seq `through`); best effort for what WhatsApp refuses for good. */
  private async markRead(conversationId: string, through: number | undefined, typing: boolean, signal?: AbortSignal): Promise<void> {
    const wamid = await this.newestFromCustomer(conversationId, through);
    if (!wamid) return;
    try {
      await this.api.markRead(wamid, typing, signal);
    } catch (e) {
      // A refused mark-read (a message too old to mark) is not worth a delivery.failed the agent would see.
      if (e instanceof ParleyError && !e.retryable) {
        this.log.info({ channel: this.id, conversationId, code: e.code, err: e.message }, 'WhatsApp refused to mark the message read');
        return;
      }
      throw e;
    }
  }

  /** The wamid of the customer's newest message in a conversation (its idempotency key is `message:<wamid>`). */
  async newestFromCustomer(conversationId: string, through?: number): Promise<string | undefined> {
    let q = this.rt.hub.db
      .selectFrom('events')
      .select('idem_key')
      .where('conversation_id', '=', conversationId)
      .where('source', '=', this.reports.source)
      .where('kind', '=', 'message');
    if (through !== undefined) q = q.where('seq', '<=', through);
    const row = await q.orderBy('seq', 'desc').limit(1).executeTakeFirst();
    return row?.idem_key?.startsWith('message:') ? row.idem_key.slice('message:'.length) : undefined;
  }

  /** The digits to send to: the number the customer wrote from, else the contact's phone identity (a business-started message). */
  private async numberOf(contactId: string): Promise<string | undefined> {
    const phone =
      (await this.reports.externalOf(REF.customer, contactId)) ??
      (await this.rt.hub.db.selectFrom('identities').select('external_id').where('contact_id', '=', contactId).where('channel', '=', 'phone').limit(1).executeTakeFirst())?.external_id;
    const digits = phone?.replace(/\D/g, '');
    return digits && /^\d{5,15}$/.test(digits) ? digits : undefined;
  }
}

export const whatsappType = adapterType({
  type: 'whatsapp',
  side: 'channel',
  settings: WhatsAppSettings,
  create: ({ name, settings }, deps) => new WhatsAppChannel(name, settings, deps.log),
});
