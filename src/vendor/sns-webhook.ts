import { ParleyError } from '../core/errors.js';
import type { Webhook, WebhookReply, WebhookRequest } from '../switchboard/webhooks.js';
import type { SnsMessage, SnsVerifier } from './sns.js';

// An Amazon SNS HTTP(S) endpoint as a Parley webhook, shared by every adapter that receives SNS deliveries
// (the Connect desk's chat stream, the aws-sms channel's inbound texts). What is the same for all of them:
// - verified first, on the raw bytes (SnsVerifier): a forged, tampered or foreign-topic message is refused
//   with 403, as SNS's docs ask, and nothing is parsed or stored;
// - handled is exactly the envelope whose signature was checked (kept from verify for handle);
// - a SubscriptionConfirmation is confirmed by the verifier (which only follows a SubscribeURL on an SNS
//   host, for an accepted topic) before the adapter hears of it; an UnsubscribeConfirmation is never
//   followed, only reported to the adapter.
// What each adapter does with a notification, and what it answers, stays its own.

export interface SnsHandlers {
  /** After the subscription was confirmed. */
  confirmed(m: SnsMessage): WebhookReply;
  /** An UnsubscribeConfirmation: the subscription is gone (never followed automatically). */
  unsubscribed(m: SnsMessage): WebhookReply;
  notification(m: SnsMessage, req: WebhookRequest & { json(): unknown }): Promise<WebhookReply>;
  /** Turn a failed confirmation into what the endpoint answers (default: the verifier's error as it is). */
  confirmFailed?(e: unknown): never;
}

export function snsWebhook(verifier: SnsVerifier, on: SnsHandlers): Webhook {
  // verify() and handle() see the same raw body Buffer: the verified envelope is kept for handle, so the
  // message handled is exactly the one whose signature was checked.
  const verified = new WeakMap<Buffer, SnsMessage>();
  return {
    method: 'POST',
    rejectStatus: 403,
    async verify(req) {
      const m = await verifier.verify(req.rawBody);
      if (!m) return false;
      verified.set(req.rawBody, m);
      return true;
    },
    async handle(req) {
      const m = verified.get(req.rawBody);
      if (!m) throw new ParleyError('WEBHOOK_FORGED');
      switch (m.Type) {
        case 'SubscriptionConfirmation':
          await (on.confirmFailed ? verifier.confirm(m).catch(on.confirmFailed) : verifier.confirm(m));
          return on.confirmed(m);
        case 'UnsubscribeConfirmation':
          return on.unsubscribed(m);
        case 'Notification':
          return on.notification(m, req);
      }
    },
  };
}
