import { CHANNEL_REF, VendorChannel } from '../../vendor/vendor-channel.js';
import type { FastifyBaseLogger } from 'fastify';
import type { Capabilities, DeliveryJob, DeliveryOutcome } from '../../core/adapter.js';
import { ParleyError } from '../../core/errors.js';
import type { StoredEvent } from '../../core/model.js';
import { adapterType } from '../../switchboard/types.js';
import { webhookPath, type Webhook } from '../../switchboard/webhooks.js';
import { VendorHttp } from '../../vendor/http-client.js';
import { RateBudget } from '../../vendor/rate-budget.js';
import { twilioAuth } from './auth.js';
import { TwilioApi } from './outbound.js';
import { toSms } from './parts.js';
import { TwilioSmsSettings } from './settings.js';
import { twilioWebhook } from './webhook.js';

// The `twilio-sms` channel: customers text a Twilio number (Programmable Messaging). Twilio → Parley comes
// in on the webhook (webhook.ts: texts, MMS, keywords, status callbacks) through ChannelReports, with the
// customer's E.164 number as their identity (namespace `phone`, so one phone is one contact on every SMS
// channel). Parley → Twilio goes through deliver() (the outbox: in seq order, retried, at least once).
//
// What the channel `wants` from the log, and why: only the desk's messages (agents, bots, the business),
// which the customer must get. SMS has no typing, no read receipts to send, and nothing to show for joins,
// transfers or the end — a text announcing each would be noise on the customer's phone (and cost money).

/** Ids Twilio and Parley share, by kind in the external id map: MessageSids, parts, and E.164 → contact. */
export const REF = CHANNEL_REF;

export class TwilioSmsChannel extends VendorChannel {
  readonly capabilities: Capabilities;
  readonly api: TwilioApi;
  readonly webhooks: readonly Webhook[];
  readonly callBudgetMs: number;
  /** The URL Twilio posts to (and signs): as configured, else Parley's public URL + the webhook path. */
  readonly webhookUrl: string;

  constructor(
    id: string,
    readonly settings: TwilioSmsSettings,
    readonly log: FastifyBaseLogger,
    publicUrl: string,
  ) {
    super(id, 'phone');
    this.callBudgetMs = settings.totalTimeoutMs;
    // MMS carries up to 5 MB per message (Twilio's limit for images to US/Canadian numbers).
    this.capabilities = { typing: false, receipts: true, parts: settings.mms ? ['text', 'media'] : ['text'], ...(settings.mms ? { maxMediaBytes: 5 * 1024 * 1024 } : {}) };
    this.webhookUrl = settings.webhookUrl ?? `${publicUrl.replace(/\/+$/, '')}${webhookPath('twilio-sms', id)}`;
    const name = `twilio-sms:${id}`;
    const budget = new RateBudget({ name, limit: settings.rateLimitPerSecond, windowMs: 1_000 });
    const http = new VendorHttp({ name, baseUrl: settings.apiBaseUrl, attemptTimeoutMs: settings.attemptTimeoutMs, totalTimeoutMs: settings.totalTimeoutMs, auth: twilioAuth(settings), budget, log });
    this.api = new TwilioApi(http, settings.accountSid, settings.from ? { from: settings.from } : { messagingServiceSid: settings.messagingServiceSid! });
    this.webhooks = [twilioWebhook(this)];
  }

  wants(e: Pick<StoredEvent, 'kind' | 'author' | 'origin'>): boolean {
    return e.kind === 'message' && e.origin === 'desk';
  }

  async deliver(job: DeliveryJob, signal: AbortSignal): Promise<DeliveryOutcome> {
    const { event, conversation } = job;
    if (event.kind !== 'message') return { status: 'sent' };
    const to = await this.reports.externalOf(REF.customer, conversation.contactId);
    if (!to) throw new ParleyError('DELIVERY_REJECTED', `This customer has no phone number on the ${this.id} channel to text.`);
    const sends = toSms(event.parts, { mms: this.settings.mms, limit: this.settings.maxTextLength });
    if (sends.length === 0) throw new ParleyError('DELIVERY_REJECTED', 'Nothing in this message can be sent by SMS.');
    const first = await this.sendOnce(event.id, [...sends.entries()], (out) =>
      this.api.send({ to, body: out.body, mediaUrls: out.mediaIds.map((id) => this.rt.signer.url(id)), statusCallback: this.statusCallbackFor(event.id), signal }),
    );
    return { status: 'sent', ...(first ? { externalId: first } : {}) };
  }

  /** The webhook URL naming the event, so a status callback finds it even before deliver() has linked its SID. */
  statusCallbackFor(eventId: string): string {
    return `${this.webhookUrl}${this.webhookUrl.includes('?') ? '&' : '?'}parleyEvent=${encodeURIComponent(eventId)}`;
  }
}

export const twilioSmsType = adapterType({
  type: 'twilio-sms',
  side: 'channel',
  settings: TwilioSmsSettings,
  create: ({ name, settings }, deps) => new TwilioSmsChannel(name, settings, deps.log, deps.publicUrl),
});
