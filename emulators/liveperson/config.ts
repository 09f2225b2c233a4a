// Options of the LivePerson Conversational Cloud emulator (Connector API, consumer side, and its webhooks) and
// their defaults. Wire facts: vendor-protocols §4 and §9; developers.liveperson.com ("Get AppJWT", "Get
// ConsumerJWS", "CONVERSATION", "SEND", "Webhooks: notification protocol", "Webhooks: retry policy", Messaging
// Window API "Generate Upload URL"). Timings that LivePerson counts in minutes or days are scaled down by options.
import type { ServerOptions } from '../kit/index.js';

export interface SkillOptions {
  id: string;
  name: string;
}

export interface AgentOptions {
  id: string;
  name: string;
}

/** The notification types an app installation subscribes to (manifest `capabilities.webhooks`). */
export const WEBHOOK_TYPES = [
  'ms.MessagingEventNotification.ContentEvent',
  'ms.MessagingEventNotification.RichContentEvent',
  'ms.MessagingEventNotification.AcceptStatusEvent',
  'ms.MessagingEventNotification.ChatStateEvent',
  'cqm.ExConversationChangeNotification',
] as const;
export type WebhookType = (typeof WEBHOOK_TYPES)[number];

/** One endpoint for every type, or one per type (a type left out is not subscribed). */
export type WebhookUrl = string | Partial<Record<WebhookType, string>>;

export type SignatureAlgorithm = 'sha1' | 'sha256';
export type SignatureEncoding = 'base64' | 'hex';

export interface LivePersonEmulatorOptions extends ServerOptions {
  /** The brand (site) id. */
  accountId?: string;
  /** The app installation's `client_id` (installation id) and `client_secret`. */
  clientId?: string;
  clientSecret?: string;
  webhookUrl?: WebhookUrl | null;
  /** Manifest `capabilities.webhooks.retry.retention_time` (2 … 259200 s). */
  retentionTimeSeconds?: number;
  /** Multiplies every retry delay (1 = LivePerson's 2, 4, 8 … s; tests use 0.01). */
  retryScale?: number;
  /** An attempt with no answer after this long has failed. */
  webhookTimeoutMs?: number;
  appJwtTtlSeconds?: number;
  consumerJwsTtlSeconds?: number;
  signatureAlgorithm?: SignatureAlgorithm;
  signatureEncoding?: SignatureEncoding;
  /** CONVERSATION and SEND requests per minute per account; above it 429. 0: no limit. */
  rateLimitPerMinute?: number;
  /** Lifetime of a Swift temp URL (upload or download). */
  fileUrlTtlSeconds?: number;
  maxFileBytes?: number;
  /** Close an unanswered post-conversation survey (and the conversation) after this long; 0: never. */
  surveyTimeoutMs?: number;
  surveyQuestion?: string;
  skills?: SkillOptions[];
  agents?: AgentOptions[];
}

/** What the control API may change while the emulator runs. */
export interface Settings {
  webhookUrl: WebhookUrl | null;
  clientSecret: string;
  retentionTimeSeconds: number;
  retryScale: number;
  webhookTimeoutMs: number;
  appJwtTtlSeconds: number;
  consumerJwsTtlSeconds: number;
  signatureAlgorithm: SignatureAlgorithm;
  signatureEncoding: SignatureEncoding;
  rateLimitPerMinute: number;
  fileUrlTtlSeconds: number;
  maxFileBytes: number;
  surveyTimeoutMs: number;
  surveyQuestion: string;
}

// Stable defaults so `parley emulate liveperson` prints values a developer can paste into config once.
export const DEFAULTS = {
  accountId: '12345678',
  clientId: '75588e18-0213-4e33-8174-883acac7e3c4',
  skills: [
    { id: '1000000001', name: 'General' },
    { id: '1000000002', name: 'Billing' },
  ] satisfies SkillOptions[],
  agents: [
    { id: 'a1a1a1a1-0000-5000-8000-0000000000a1', name: 'Alex Agent' },
    { id: 'b2b2b2b2-0000-5000-8000-0000000000b2', name: 'Blair Agent' },
  ] satisfies AgentOptions[],
  settings: {
    webhookUrl: null,
    clientSecret: 'kgvbkk7glku72jgtmpi6l4a872',
    retentionTimeSeconds: 86_400,
    retryScale: 1,
    webhookTimeoutMs: 10_000,
    appJwtTtlSeconds: 3600,
    consumerJwsTtlSeconds: 86_400,
    signatureAlgorithm: 'sha1',
    signatureEncoding: 'base64',
    rateLimitPerMinute: 600,
    fileUrlTtlSeconds: 600,
    maxFileBytes: 5 * 1024 * 1024,
    surveyTimeoutMs: 0,
    surveyQuestion: 'How would you rate the service you received today? (1-5)',
  } satisfies Settings,
};

export function settingsFrom(opts: LivePersonEmulatorOptions): Settings {
  const d = DEFAULTS.settings;
  return {
    webhookUrl: opts.webhookUrl ?? d.webhookUrl,
    clientSecret: opts.clientSecret ?? d.clientSecret,
    retentionTimeSeconds: opts.retentionTimeSeconds ?? d.retentionTimeSeconds,
    retryScale: opts.retryScale ?? d.retryScale,
    webhookTimeoutMs: opts.webhookTimeoutMs ?? d.webhookTimeoutMs,
    appJwtTtlSeconds: opts.appJwtTtlSeconds ?? d.appJwtTtlSeconds,
    consumerJwsTtlSeconds: opts.consumerJwsTtlSeconds ?? d.consumerJwsTtlSeconds,
    signatureAlgorithm: opts.signatureAlgorithm ?? d.signatureAlgorithm,
    signatureEncoding: opts.signatureEncoding ?? d.signatureEncoding,
    rateLimitPerMinute: opts.rateLimitPerMinute ?? d.rateLimitPerMinute,
    fileUrlTtlSeconds: opts.fileUrlTtlSeconds ?? d.fileUrlTtlSeconds,
    maxFileBytes: opts.maxFileBytes ?? d.maxFileBytes,
    surveyTimeoutMs: opts.surveyTimeoutMs ?? d.surveyTimeoutMs,
    surveyQuestion: opts.surveyQuestion ?? d.surveyQuestion,
  };
}

/** TTL retry policy: exponential 2, 4, 8 … s, each capped at 5 minutes, while the total stays within retention_time. */
export function retryDelaysMs(retentionTimeSeconds: number, scale: number): number[] {
  const delays: number[] = [];
  let total = 0;
  for (let d = 2; ; d = Math.min(d * 2, 300)) {
    if (total + d > retentionTimeSeconds) break;
    total += d;
    delays.push(Math.round(d * 1000 * scale));
    if (delays.length > 10_000) break;
  }
  return delays;
}

/** Hosted-file types a consumer may upload (Messaging Window API "file sharing": images and documents). */
export const FILE_TYPES: Record<string, string> = {
  JPG: 'image/jpeg',
  JPEG: 'image/jpeg',
  PNG: 'image/png',
  GIF: 'image/gif',
  PDF: 'application/pdf',
  DOCX: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  XLSX: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  PPTX: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

export const fileTypeOf = (contentType: string): string | undefined =>
  Object.entries(FILE_TYPES).find(([k, v]) => v === contentType.toLowerCase() && k !== 'JPEG')?.[0];

export const TTR_TYPES = ['NORMAL', 'URGENT', 'PRIORITIZED', 'CUSTOM'] as const;
export const TTR_SECONDS: Record<string, number> = { NORMAL: 3600, URGENT: 300, PRIORITIZED: 600, CUSTOM: 3600 };
export const CHAT_STATES = ['ACTIVE', 'INACTIVE', 'GONE', 'COMPOSING', 'PAUSE'] as const;
export const ACCEPT_STATUSES = ['ACCEPT', 'READ', 'ACCESS', 'NACK', 'ACTION'] as const;
