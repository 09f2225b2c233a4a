import type { FastifyBaseLogger } from 'fastify';
import type { Capabilities, ChannelAdapter, DeliveryJob, DeliveryOutcome } from '../../core/adapter.js';
import { ParleyError } from '../../core/errors.js';
import type { StoredEvent } from '../../core/model.js';
import { channelReports, type ChannelReports } from '../../hub/channel-reports.js';
import type { AdapterLifecycle, AdapterRuntime } from '../../switchboard/types.js';
import { Started } from '../../switchboard/started.js';
import { adapterType } from '../../switchboard/types.js';
import { webhookPath, type Webhook, type WebhookReceiver } from '../../switchboard/webhooks.js';
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

/** Ids Twilio and Parley share, by kind in the external id map. */
export const REF = {
  /** A Twilio MessageSid (a customer's text, or one part of an agent message) → the Parley event. */
  message: 'message',
  /** `<event id>#<n>` → the MessageSid of part n of an agent message Twilio took: a resend skips it. */
  part: 'part',
  /** The customer's E.164 number → their contact (where an agent's replies are texted). */
  customer: 'customer',
} as const;

export class TwilioSmsChannel implements ChannelAdapter, WebhookReceiver, AdapterLifecycle {
  readonly side = 'channel' as const;
  readonly capabilities: Capabilities;
  readonly api: TwilioApi;
  readonly webhooks: readonly Webhook[];
  readonly callBudgetMs: number;
  /** The URL Twilio posts to (and signs): as configured, else Parley's public URL + the webhook path. */
  readonly webhookUrl: string;
  private readonly started: Started<{ rt: AdapterRuntime; reports: ChannelReports }>;

  constructor(
    readonly id: string,
    readonly settings: TwilioSmsSettings,
    readonly log: FastifyBaseLogger,
    publicUrl: string,
  ) {
    this.started = new Started(`${id} channel`);
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

  /** The wired node (hub, media); 503 before start. */
  get rt(): AdapterRuntime {
    return this.started.get().rt;
  }

  get reports(): ChannelReports {
    return this.started.get().reports;
  }

  start(runtime: AdapterRuntime): void {
    this.started.set({ rt: runtime, reports: channelReports(runtime.hub, this.id, 'phone') });
  }

  stop(): void {}

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
    let first: string | undefined;
    // In order, one at a time: Twilio keeps the order of one sender's texts to one phone only as sent.
    for (const [n, out] of sends.entries()) {
      const key = `${event.id}#${n}`;
      let sid = await this.reports.find(REF.part, key);
      if (!sid) {
        sid = await this.api.send({ to, body: out.body, mediaUrls: out.mediaIds.map((id) => this.rt.signer.url(id)), statusCallback: this.statusCallbackFor(event.id), signal });
        await this.reports.link(REF.part, key, sid);
        await this.reports.link(REF.message, sid, event.id);
      }
      first ??= sid;
    }
    return { status: 'sent', externalId: first };
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
