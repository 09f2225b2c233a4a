// Options of the Meta Graph API emulator (Messenger Platform and WhatsApp Cloud API) and their defaults.
// Wire facts: vendor-protocols §5 (Messenger), §7 (WhatsApp); developers.facebook.com (Messenger send API,
// webhook events, error codes; WhatsApp Cloud API messages, media, webhooks, error codes, typing indicators).
// Meta's own webhook timings (retries over hours, WhatsApp up to 7 days) are scaled down by default.
import type { ServerOptions } from '../kit/index.js';

export interface WebhookTimings {
  /** An attempt with no answer after this long has failed (Meta's exact timeout is not documented). */
  timeoutMs: number;
  /** Retries after a failed attempt (Meta retries non-200 answers "with decreasing frequency"). */
  retries: number;
  delayMs: number;
}

export interface Template {
  name: string;
  /** Language code as the send request's `template.language.code` gives it (`en_US`). */
  language: string;
  category: 'UTILITY' | 'MARKETING' | 'AUTHENTICATION';
  /** The body with `{{1}}`, `{{2}}` … placeholders (one body parameter each). */
  body: string;
  status: 'APPROVED';
}

export interface TemplateInput {
  name: string;
  language: string;
  category?: Template['category'];
  body: string;
}

export interface MetaEmulatorOptions extends ServerOptions {
  appId?: string;
  /** Signs every webhook (X-Hub-Signature-256 / X-Hub-Signature). */
  appSecret?: string;
  /** The token typed in the dashboard next to the callback URL; the GET handshake echoes it. */
  verifyToken?: string;
  pageId?: string;
  pageName?: string;
  pageAccessToken?: string;
  wabaId?: string;
  phoneNumberId?: string;
  displayPhoneNumber?: string;
  whatsappToken?: string;
  /** A subscription set at start, without the GET handshake (a shortcut; the dashboard always verifies). */
  messenger?: { webhookUrl?: string };
  whatsapp?: { webhookUrl?: string };
  /** The account's approved message templates (default: DEFAULT_TEMPLATES). */
  templates?: TemplateInput[];
  /** Page has the Human Agent feature (HUMAN_AGENT tag allowed up to 7 days). Default true. */
  humanAgent?: boolean;
  /** Send `message_echoes` for the page's own sends. Default true. */
  echoes?: boolean;
  /** Between an accepted send and its delivery receipt / `delivered` status. */
  deliveryDelayMs?: number;
  /** Lifetime of a WhatsApp media download URL (Meta: 5 minutes). */
  mediaUrlTtlSeconds?: number;
  webhook?: Partial<WebhookTimings>;
}

/** The live settings; the control API may change them while the emulator runs. */
export interface Settings {
  humanAgent: boolean;
  echoes: boolean;
  deliveryDelayMs: number;
  mediaUrlTtlSeconds: number;
  webhook: WebhookTimings;
}

export const GRAPH_VERSION = 'v25.0';

export const DEFAULT_TEMPLATES: TemplateInput[] = [
  { name: 'follow_up', language: 'en_US', category: 'UTILITY', body: 'Hi, this is a follow-up on your request: {{1}}. Reply to continue the conversation.' },
  { name: 'hello_world', language: 'en_US', category: 'UTILITY', body: 'Hello World! Welcome and congratulations!!' },
];

// Stable defaults so `parley emulate meta` prints values a developer can paste into config once. Meta ids
// are numeric strings; tokens start with EAA like Meta's.
export const DEFAULTS = {
  appId: '100000000000001',
  appSecret: 'emulator-app-secret-00000000000001',
  verifyToken: 'emulator-verify-token',
  pageId: '100000000000101',
  pageName: 'Parley Emulated Page',
  pageAccessToken: 'EAAemulatorPageAccessToken0000000001',
  wabaId: '100000000000201',
  phoneNumberId: '100000000000301',
  displayPhoneNumber: '15550100001',
  whatsappToken: 'EAAemulatorWhatsAppSystemUserToken001',
  settings: {
    humanAgent: true,
    echoes: true,
    deliveryDelayMs: 100,
    mediaUrlTtlSeconds: 300,
    webhook: { timeoutMs: 10_000, retries: 5, delayMs: 1_000 },
  } satisfies Settings,
};

export function settingsFrom(opts: MetaEmulatorOptions): Settings {
  const d = DEFAULTS.settings;
  return {
    humanAgent: opts.humanAgent ?? d.humanAgent,
    echoes: opts.echoes ?? d.echoes,
    deliveryDelayMs: opts.deliveryDelayMs ?? d.deliveryDelayMs,
    mediaUrlTtlSeconds: opts.mediaUrlTtlSeconds ?? d.mediaUrlTtlSeconds,
    webhook: { ...d.webhook, ...opts.webhook },
  };
}

export const template = (t: TemplateInput): Template => ({ name: t.name, language: t.language, category: t.category ?? 'UTILITY', body: t.body, status: 'APPROVED' });

/** Number of `{{n}}` parameters of a template body (the highest n). */
export const templateParamCount = (body: string): number => Math.max(0, ...[...body.matchAll(/\{\{(\d+)\}\}/g)].map((m) => Number(m[1])));

export const HOUR = 3_600_000;
/** Messenger standard messaging window / WhatsApp customer service window. */
export const WINDOW_MS = 24 * HOUR;
/** HUMAN_AGENT tag: 7 days after the user's last message. */
export const HUMAN_AGENT_MS = 7 * 24 * HOUR;
/** WhatsApp typing indicator lasts until the reply or 25 s. */
export const WA_TYPING_MS = 25_000;
/** Messenger typing_on lasts until the next message or 20 s. */
export const MESSENGER_TYPING_MS = 20_000;

export const MESSENGER_TAGS = ['ACCOUNT_UPDATE', 'CONFIRMED_EVENT_UPDATE', 'POST_PURCHASE_UPDATE', 'HUMAN_AGENT'] as const;
export const LIMITS = {
  messengerText: 2000,
  quickReplies: 13,
  quickReplyTitle: 20,
  quickReplyPayload: 1000,
  buttonTemplateText: 640,
  buttonTitle: 20,
  postbackPayload: 1000,
  genericElements: 10,
  genericTitle: 80,
  waText: 4096,
  waInteractiveBody: 1024,
  waButtonTitle: 20,
  waListButton: 20,
  waListRows: 10,
  waRowTitle: 24,
  waRowDescription: 72,
  waSectionTitle: 24,
};
