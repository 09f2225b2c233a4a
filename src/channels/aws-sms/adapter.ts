import { VendorChannel } from '../../vendor/vendor-channel.js';
import type { FastifyBaseLogger } from 'fastify';
import type { Capabilities, DeliveryJob, DeliveryOutcome } from '../../core/adapter.js';
import { ParleyError } from '../../core/errors.js';
import type { StoredEvent } from '../../core/model.js';
import { adapterType } from '../../switchboard/types.js';
import type { Webhook } from '../../switchboard/webhooks.js';
import { SnsVerifier } from '../../vendor/sns.js';
import { SmsApi } from './outbound.js';
import { splitText, toSmsText } from './parts.js';
import { AwsSmsSettings } from './settings.js';
import { awsSmsWebhook } from './webhook.js';

// The `aws-sms` channel: two-way SMS through AWS End User Messaging SMS. Customer → Parley arrives as SNS
// notifications on the webhook (webhook.ts, verified before anything is stored); Parley → customer goes out
// through deliver() as SendTextMessage calls (outbound.ts), one or more texts per agent message. The
// customer is their phone number (E.164, identity namespace `phone`), so one phone is one contact on every
// SMS channel.
//
// What the channel `wants` from the log, and why:
// - messages from the desk side (agents, the business): what the customer must get by text.
// Nothing else: SMS cannot show typing, joins, transfers or an end, and the customer's own messages came in
// on this leg. Receipts flow the other way (delivery events → channel reports).

/** Vendor ids in the external id map, by kind. */
export const REF = {
  /** An AWS MessageId → the Parley event it carried (receipts find the event by it). */
  message: 'message',
  /** `<event id>:<piece>` → the AWS MessageId of that piece, so a retried delivery does not text a piece twice. */
  piece: 'piece',
} as const;

export class AwsSmsChannel extends VendorChannel {
  readonly capabilities: Capabilities;
  readonly api: SmsApi;
  readonly webhooks: readonly Webhook[];
  readonly callBudgetMs: number;

  constructor(
    id: string,
    readonly settings: AwsSmsSettings,
    readonly log: FastifyBaseLogger,
  ) {
    super(id, 'phone');
    this.capabilities = { typing: false, receipts: settings.configurationSetName !== undefined, parts: ['text'] };
    this.callBudgetMs = settings.totalTimeoutMs;
    this.api = new SmsApi(`aws-sms:${id}`, settings);
    const topicArns = [settings.topicArn, ...(settings.eventsTopicArn ? [settings.eventsTopicArn] : [])];
    const verifier = new SnsVerifier({ topicArns, trustedHosts: settings.snsTrustedHosts, timeoutMs: settings.attemptTimeoutMs });
    this.webhooks = [awsSmsWebhook(this, verifier)];
  }

  override stop(): void {
    this.api.destroy();
  }

  wants(e: Pick<StoredEvent, 'kind' | 'author' | 'origin'>): boolean {
    return e.kind === 'message' && e.origin === 'desk';
  }

  async deliver(job: DeliveryJob, signal: AbortSignal): Promise<DeliveryOutcome> {
    const { event } = job;
    if (event.kind !== 'message') return { status: 'sent' };
    const to = await this.phoneOf(job);
    const text = toSmsText(event.parts, (mediaId) => this.rt.signer.url(mediaId));
    if (!text.trim()) throw new ParleyError('DELIVERY_REJECTED', 'Nothing in this message can be sent as a text.');
    const pieces = splitText(text, this.settings.maxTextLength, this.settings.maxTextsPerMessage);
    const deadline = Date.now() + this.settings.totalTimeoutMs;
    let last: string | undefined;
    for (const [i, body] of pieces.entries()) {
      // A retried delivery skips the pieces AWS already took: SendTextMessage has no idempotency token.
      const key = `${event.id}:${i}`;
      const already = await this.reports.externalOf(REF.piece, key);
      if (already) {
        last = already;
        continue;
      }
      if (Date.now() > deadline) throw new ParleyError('DELIVERY_TIMEOUT', `Sending ${pieces.length} texts took longer than ${this.settings.totalTimeoutMs} ms; the rest follows on the next attempt.`);
      const sent = await this.api.sendText({ to, body, context: { parleyEventId: event.id, part: `${i + 1}/${pieces.length}` }, signal });
      await this.reports.link(REF.piece, sent.messageId, key);
      await this.reports.link(REF.message, sent.messageId, event.id);
      last = sent.messageId;
    }
    return last ? { status: 'sent', externalId: last } : { status: 'sent' };
  }

  /** The customer's number: their `phone` identity (the conversation's contact). */
  private async phoneOf(job: DeliveryJob): Promise<string> {
    const row = await this.rt.hub.db
      .selectFrom('identities')
      .select('external_id')
      .where('contact_id', '=', job.conversation.contactId)
      .where('channel', '=', 'phone')
      .executeTakeFirst();
    const phone = row?.external_id;
    if (!phone) throw new ParleyError('DELIVERY_REJECTED', 'The customer has no phone number to text.');
    return phone;
  }
}

export const awsSmsType = adapterType({
  type: 'aws-sms',
  side: 'channel',
  settings: AwsSmsSettings,
  create: ({ name, settings }, deps) => new AwsSmsChannel(name, settings, deps.log),
});
