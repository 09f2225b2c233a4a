// Genesys → middleware: the Open Messaging webhook. One normalized message per POST to the
// integration's outboundNotificationWebhookUrl, signed `X-Hub-Signature-256: sha256=<base64
// HMAC-SHA256(raw body, secret)>` (developer.genesys.cloud …/openmessaging/validate), retried up to 5
// times, 5 s apart, when an attempt times out (10 s) or answers 429/5xx (same page, "Webhook retry
// policy"). Payload shapes: docs' outbound examples and the OpenMessageNormalizedMessage model.
import { createHmac } from 'node:crypto';
import type { Kit, RetryPolicy } from '../kit/index.js';
import type { Settings } from './config.js';
import { messageId, now, type Conversation, type Integration, type StoredMessage, type Store } from './state.js';
import { outboundChannel } from './views.js';

export function signature(raw: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(raw).digest('base64')}`;
}

export function genesysRetryPolicy(settings: Settings): RetryPolicy {
  const { timeoutMs, delayMs, maxRetries } = settings.webhook;
  return {
    timeoutMs,
    delaysMs: Array.from({ length: maxRetries }, () => delayMs),
    retryOn: (status) => status === 429 || status >= 500,
  };
}

export class Outbound {
  constructor(
    private readonly store: Store,
    private readonly kit: Kit,
  ) {}

  /** An agent's (or agentless) message: `Text`, or `Structured` when it carries quick replies. */
  message(c: Conversation, m: StoredMessage): void {
    const integration = this.integrationOf(c);
    const payload: Record<string, unknown> = {
      id: m.id,
      channel: outboundChannel(integration, c, m.id, m.at),
      type: m.type,
      ...(m.text !== undefined ? { text: m.text } : {}),
      ...(m.content?.length ? { content: m.content } : {}),
      ...(m.by === 'agent' ? { originatingEntity: 'Human' } : {}),
      direction: 'Outbound',
      conversationId: c.id,
    };
    this.post(integration, m.id, payload, (ok, why) => {
      // A message the webhook took is "sent"; only the middleware's receipt makes it "delivered".
      if (ok && m.status === 'queued') m.status = 'sent';
      if (!ok) {
        m.status = 'failed';
        m.reasons = [{ code: 'GeneralError', message: why }];
      }
    });
  }

  /** The agent is typing (payload quoted from Genesys's docs in a community thread). */
  typing(c: Conversation, durationMs = 5000): void {
    const integration = this.integrationOf(c);
    const id = messageId();
    this.post(integration, id, {
      id,
      channel: outboundChannel(integration, c, id, now()),
      type: 'Event',
      events: [{ eventType: 'Typing', typing: { type: 'On', duration: durationMs } }],
      direction: 'Outbound',
    });
  }

  /** Genesys's receipt for a customer message it accepted (OpenReceiptNormalizedMessage). */
  inboundReceipt(c: Conversation, m: StoredMessage): void {
    const integration = this.integrationOf(c);
    const channel = outboundChannel(integration, c, m.providerMessageId ?? m.id, now());
    this.post(integration, m.id, {
      id: m.id,
      channel: { ...channel, from: { id: integration.id, idType: 'Opaque' } },
      type: 'Receipt',
      status: 'Delivered',
      isFinalReceipt: true,
      direction: 'Inbound',
    });
  }

  private integrationOf(c: Conversation): Integration {
    const integration = this.store.integrations.get(c.integrationId);
    if (!integration) throw new Error(`integration ${c.integrationId} is gone`);
    return integration;
  }

  private post(integration: Integration, key: string, payload: unknown, settled?: (ok: boolean, why: string) => void): void {
    const url = integration.outboundNotificationWebhookUrl;
    if (!url) {
      settled?.(false, 'the integration has no outboundNotificationWebhookUrl');
      return;
    }
    // Serialised once: every retry carries these exact bytes, hence the same signature and id.
    const body = JSON.stringify(payload);
    this.kit.webhooks.send({
      key,
      url,
      body,
      headers: {
        ...integration.webhookHeaders,
        'content-type': 'application/json',
        'x-hub-signature-256': signature(body, integration.outboundNotificationWebhookSignatureSecretToken),
      },
      onSettled: (d) => {
        const last = d.attempts.at(-1);
        settled?.(d.state === 'delivered', last?.error ?? `webhook answered ${last?.status ?? 'nothing'}`);
      },
    });
  }
}
