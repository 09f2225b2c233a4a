// Options of the Twilio Programmable Messaging emulator and their defaults. Defaults follow Twilio's
// documented values (vendor-protocols §6.1, twilio.com/docs/messaging); tests scale the timings down.
import type { ServerOptions } from '../kit/index.js';

export interface WebhookTimings {
  /** Twilio's default webhook request timeout: 15 s. */
  timeoutMs: number;
  /**
   * Retries after a failed attempt. Twilio retries messaging webhooks only where connection overrides
   * (`#rc=`, `#rp=`) ask for it; the default is none.
   */
  retries: number;
  delayMs: number;
}

export interface TwilioEmulatorOptions extends ServerOptions {
  accountSid?: string;
  authToken?: string;
  /** An API key of the account (`SK…`) and its secret: HTTP Basic with these works like the Auth Token. */
  apiKey?: { sid: string; secret: string };
  /** The account's phone number (E.164) that customers text. */
  number?: string;
  /** A Messaging Service whose sender pool is that number. */
  messagingServiceSid?: string;
  /** The number's "A message comes in" webhook (POST). */
  webhookUrl?: string;
  /** Serve media (MediaUrl{N}) only with HTTP Basic auth, as "Enforce HTTP Auth on Media URLs" does. */
  mediaAuth?: boolean;
  /** Add `OptOutType` to keyword webhooks, as a Messaging Service with Advanced Opt-Out does. */
  advancedOptOut?: boolean;
  /** How long the "carrier" takes between the statuses of an outbound message (sent, delivered). */
  statusDelayMs?: number;
  webhook?: Partial<WebhookTimings>;
}

/** The live settings; the control API may change them while the emulator runs. */
export interface Settings {
  webhookUrl: string;
  mediaAuth: boolean;
  advancedOptOut: boolean;
  statusDelayMs: number;
  webhook: WebhookTimings;
}

// Stable defaults so `parley emulate twilio` prints values a developer can paste into config once.
// Twilio SIDs are two letters and 32 hex digits.
export const DEFAULTS = {
  accountSid: 'AC00000000000000000000000000000001',
  authToken: 'emulator-auth-token-0000000000001',
  apiKey: { sid: 'SK00000000000000000000000000000001', secret: 'emulator-api-key-secret-000000001' },
  number: '+15005550006',
  messagingServiceSid: 'MG00000000000000000000000000000001',
  settings: {
    webhookUrl: '',
    mediaAuth: true,
    advancedOptOut: false,
    statusDelayMs: 200,
    webhook: { timeoutMs: 15_000, retries: 0, delayMs: 1_000 },
  } satisfies Settings,
};

export function settingsFrom(opts: TwilioEmulatorOptions): Settings {
  const d = DEFAULTS.settings;
  return {
    webhookUrl: opts.webhookUrl ?? d.webhookUrl,
    mediaAuth: opts.mediaAuth ?? d.mediaAuth,
    advancedOptOut: opts.advancedOptOut ?? d.advancedOptOut,
    statusDelayMs: opts.statusDelayMs ?? d.statusDelayMs,
    webhook: { ...d.webhook, ...opts.webhook },
  };
}

/** Twilio's body limit for one Message (longer bodies: error 21617). */
export const MAX_BODY = 1600;
/** At most 10 MediaUrl per message (Messages resource docs). */
export const MAX_MEDIA = 10;
