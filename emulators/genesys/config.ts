// Options of the Genesys Cloud emulator and their defaults. Defaults are Genesys's documented values
// (token lifetime, rate limit, webhook timeout and retries); tests scale the timings down.
import type { ServerOptions } from '../kit/index.js';

export interface IntegrationOptions {
  id?: string;
  name?: string;
  /** Where outbound (agent → customer) messages are POSTed. Genesys wants HTTPS on 443; the emulator takes any URL. */
  webhookUrl?: string;
  /** `outboundNotificationWebhookSignatureSecretToken`: the HMAC key of X-Hub-Signature-256. */
  secret?: string;
  /** `webhookHeaders`: static headers added to every webhook call. */
  webhookHeaders?: Record<string, string>;
}

export interface QueueOptions {
  id: string;
  name: string;
}

export interface AgentOptions {
  id: string;
  name: string;
  queueIds: string[];
  /** On queue (counted by oOnQueueUsers) at start. Default true. */
  onQueue?: boolean;
}

export interface WebhookTimings {
  /** Genesys: the webhook must answer within 10 s. */
  timeoutMs: number;
  /** Genesys: 5 s between attempts. */
  delayMs: number;
  /** Genesys: up to 5 retries after the first attempt. */
  maxRetries: number;
}

export interface GenesysEmulatorOptions extends ServerOptions {
  clientId?: string;
  clientSecret?: string;
  integration?: IntegrationOptions;
  queues?: QueueOptions[];
  agents?: AgentOptions[];
  /** `expires_in` of issued tokens; tests set it to a few seconds to force refreshes. */
  tokenTtlSeconds?: number;
  /** Requests per minute per token (Genesys default for client credentials: 300). */
  rateLimitPerMinute?: number;
  webhook?: Partial<WebhookTimings>;
  /** Post a `Receipt` (Delivered) to the webhook for each accepted inbound message. */
  inboundReceipts?: boolean;
  /** Interval of the notification channel's "WebSocket Heartbeat" (Genesys: 30 s). */
  heartbeatMs?: number;
  /** Longest accepted inbound `text`. */
  maxInboundTextLength?: number;
  /** Estimated wait per conversation ahead in the queue, when a queue has no fixed estimate. */
  secondsPerWaitingConversation?: number;
}

/** The live settings; the control API may change them while the emulator runs. */
export interface Settings {
  tokenTtlSeconds: number;
  rateLimitPerMinute: number;
  webhook: WebhookTimings;
  inboundReceipts: boolean;
  heartbeatMs: number;
  maxInboundTextLength: number;
  secondsPerWaitingConversation: number;
}

// Stable defaults so `parley emulate genesys` prints values a developer can paste into config once.
export const DEFAULTS = {
  clientId: '7c3a1f6e-0b2d-4e59-9a41-5d8e2c6b9f10',
  clientSecret: 'emulator-client-secret',
  integration: {
    id: 'c6b0e62f-8487-44fd-a218-c16e006a7a23',
    name: 'Parley Open Messaging',
    secret: 'emulator-webhook-secret',
  },
  queues: [
    { id: '5f1c7c4e-3d7b-4c61-8f0e-2a9a0d1b7e01', name: 'Support' },
    { id: '9b2e4d3a-6c1f-4f8e-b7a2-0c5d9e8f1a02', name: 'Sales' },
  ],
  agents: [
    { id: 'a1d5e6f7-0000-4000-8000-00000000a9e1', name: 'Alex Agent', queueIds: ['5f1c7c4e-3d7b-4c61-8f0e-2a9a0d1b7e01', '9b2e4d3a-6c1f-4f8e-b7a2-0c5d9e8f1a02'] },
    { id: 'b2c6d7e8-0000-4000-8000-00000000a9e2', name: 'Bea Agent', queueIds: ['9b2e4d3a-6c1f-4f8e-b7a2-0c5d9e8f1a02'] },
  ],
  settings: {
    tokenTtlSeconds: 86400,
    rateLimitPerMinute: 300,
    webhook: { timeoutMs: 10_000, delayMs: 5_000, maxRetries: 5 },
    inboundReceipts: true,
    heartbeatMs: 30_000,
    maxInboundTextLength: 4000,
    secondsPerWaitingConversation: 60,
  } satisfies Settings,
};

export function settingsFrom(opts: GenesysEmulatorOptions): Settings {
  const d = DEFAULTS.settings;
  return {
    tokenTtlSeconds: opts.tokenTtlSeconds ?? d.tokenTtlSeconds,
    rateLimitPerMinute: opts.rateLimitPerMinute ?? d.rateLimitPerMinute,
    webhook: { ...d.webhook, ...opts.webhook },
    inboundReceipts: opts.inboundReceipts ?? d.inboundReceipts,
    heartbeatMs: opts.heartbeatMs ?? d.heartbeatMs,
    maxInboundTextLength: opts.maxInboundTextLength ?? d.maxInboundTextLength,
    secondsPerWaitingConversation: opts.secondsPerWaitingConversation ?? d.secondsPerWaitingConversation,
  };
}
