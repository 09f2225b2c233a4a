import { ParleyError } from '../../core/errors.js';
import { parseJson } from '../../core/json.js';
import type { Webhook, WebhookReply } from '../../switchboard/webhooks.js';
import type { SnsMessage, SnsVerifier } from '../../vendor/sns.js';
import { snsWebhook } from '../../vendor/sns-webhook.js';
import type { AwsSmsChannel } from './adapter.js';
import { REF } from './adapter.js';
import { InboundText, OPT_OUT_KEYWORDS, receiptOf, TextEvent } from './payloads.js';

// AWS → Parley: the SNS HTTP(S) endpoint at /webhooks/aws-sms/<instance> (vendor-protocols §3.5, §6.2).
//
// - Verified first (the switchboard calls verify before anything is parsed): the SNS envelope's signature
//   with the certificate from an AWS SNS host, for one of the configured topics (SnsVerifier). A forged,
//   tampered or foreign-topic message gets 403, as SNS's docs ask, and stores nothing.
// - SubscriptionConfirmation: confirmed by GETting its SubscribeURL, only for the configured topics (the
//   verifier refuses others before this). UnsubscribeConfirmation: acknowledged and logged, never followed.
// - A two-way text: stored once per inboundMessageId (SNS retries keep it, and so does a republish with a
//   new SNS MessageId) through channel reports, the customer being the E.164 number (identity `phone`).
//   An opt-out keyword (STOP…) is stored too, and then ends the customer's conversation: AWS has opted the
//   number out, so nothing more could reach them.
// - A delivery event: TEXT_DELIVERED → delivered, a final failure → failed (the agent sees delivery.failed).
// - Anything else verified but unknown: 200 and ignored, so SNS does not retry what can never succeed.

export function awsSmsWebhook(channel: AwsSmsChannel, verifier: SnsVerifier): Webhook {
  return snsWebhook(verifier, {
    confirmFailed(e) {
      // SNS resends the confirmation when we do not answer 2xx; a 503 asks for exactly that.
      throw new ParleyError('UNAVAILABLE', 'Confirming the SNS subscription failed; SNS will retry.', { cause: e });
    },
    confirmed(m) {
      channel.log.info({ topicArn: m.TopicArn }, 'aws-sms: SNS subscription confirmed');
      return ok();
    },
    unsubscribed(m) {
      channel.log.warn({ topicArn: m.TopicArn }, 'aws-sms: SNS subscription removed; texts to this number no longer reach Parley');
      return ok();
    },
    notification: (m) => notification(channel, m),
  });
}

const ok = (): WebhookReply => ({ status: 200, body: {} });

async function notification(channel: AwsSmsChannel, m: SnsMessage): Promise<WebhookReply> {
  let message: unknown;
  try {
    // U+0000 is refused (422), never stored: PostgreSQL's text cannot hold it (src/core/json.ts).
    message = parseJson(m.Message);
  } catch (e) {
    if (e instanceof ParleyError) throw e;
    return ok(); // a genuine notification of something else (a test publish from the console)
  }
  const text = InboundText.safeParse(message);
  if (text.success) return inboundText(channel, text.data);
  const event = TextEvent.safeParse(message);
  if (event.success) return deliveryEvent(channel, event.data);
  return ok();
}

async function inboundText(channel: AwsSmsChannel, t: InboundText): Promise<WebhookReply> {
  const reports = channel.reports;
  const from = { id: t.originationNumber };
  const body = t.messageBody.trim();
  if (!body) return ok(); // nothing to show an agent (a carrier's empty message)
  const result = await reports.message({ from, messageId: t.inboundMessageId, parts: [{ type: 'text', text: body }] });
  const keyword = (t.messageKeyword ?? body.split(/\s+/)[0] ?? '').toUpperCase();
  if (!result.duplicate && OPT_OUT_KEYWORDS.has(keyword) && result.conversation.phase !== 'ended') {
    await reports.ended({ conversationId: result.conversation.id, reason: 'The customer opted out of texts (STOP).' });
  }
  return ok();
}

async function deliveryEvent(channel: AwsSmsChannel, e: TextEvent): Promise<WebhookReply> {
  const status = receiptOf(e);
  if (!status) return ok();
  const eventId = await channel.reports.find(REF.message, e.messageId);
  if (!eventId) return ok(); // not a text this instance sent (another app on the same configuration set)
  await channel.reports
    .receipt({ eventId, status, ...(status === 'failed' ? { code: e.eventType, reason: e.messageStatusDescription ?? e.eventType } : {}) })
    .catch((err: unknown) => {
      if (err instanceof ParleyError && err.code === 'PARLEY_E_CONVERSATION_NOT_FOUND') return undefined;
      throw err;
    });
  return ok();
}
