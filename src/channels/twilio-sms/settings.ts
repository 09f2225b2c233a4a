import { z } from 'zod';
import { vendorTimeouts } from '../../vendor/settings.js';

// The settings of one `twilio-sms` channel instance (one Twilio number or Messaging Service). Secrets come
// from the environment: `"authToken": { "env": "TWILIO_AUTH_TOKEN" }`.

/** Twilio's API host (vendor-protocols §6.1); the emulator stands in with its own base URL. */
export const TWILIO_API = 'https://api.twilio.com';
/** The Messages API takes a Body of at most 1,600 characters (error 21617). */
export const TWILIO_MAX_BODY = 1600;

const sidOf = (prefix: string) => z.string().regex(new RegExp(`^${prefix}[0-9a-fA-F]{32}$`), `must be a Twilio SID: ${prefix} and 32 hex digits`);
const token = z.string().min(8, 'must be at least 8 characters');

// Each setting's .describe() text is what `parley config` prints (switchboard/doc.ts), so it is the doc.
export const TwilioSmsSettings = z
  .object({
    accountSid: sidOf('AC').describe('the Account SID (AC…) that owns the number'),
    authToken: z
      .union([token, z.array(token).min(1).max(2)])
      .describe('the Auth Token, which signs every webhook (X-Twilio-Signature); two while rotating (primary first); use { "env": "NAME" }'),
    apiKey: z
      .object({ sid: sidOf('SK').describe('an API key SID (SK…)'), secret: z.string().min(8).describe('its secret; use { "env": "NAME" }') })
      .strict()
      .optional()
      .describe('an API key for the Messages API (recommended: revocable on its own); without it the Account SID and the first Auth Token are used'),
    from: z
      .string()
      .regex(/^\+[1-9]\d{1,14}$/, 'must be an E.164 number (+15005550006)')
      .optional()
      .describe('the Twilio number customers text and replies come from (E.164); give this or `messagingServiceSid`'),
    messagingServiceSid: sidOf('MG').optional().describe('a Messaging Service (MG…) to send through instead of one number'),
    webhookUrl: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe(
        "the exact URL configured at Twilio for incoming messages (the signature covers it; behind a proxy it is the public one); default PARLEY_PUBLIC_URL + /webhooks/twilio-sms/<instance>",
      ),
    apiBaseUrl: z
      .url({ protocol: /^https?$/ })
      .default(TWILIO_API)
      .describe('the REST API base URL (the emulator: http://127.0.0.1:9110)'),
    mms: z.boolean().default(true).describe('send agent images and files as MMS (US and Canadian numbers); false: as text naming the file'),
    maxTextLength: z
      .number()
      .int()
      .min(70)
      .max(TWILIO_MAX_BODY)
      .default(TWILIO_MAX_BODY)
      .describe('longer agent texts are split into several messages of at most this many characters, in order (Twilio: 1,600)'),
    rateLimitPerSecond: z.number().int().positive().max(10_000).default(30).describe('Messages API requests per second for this instance (Twilio queues sends beyond the number’s own rate itself)'),
    ...vendorTimeouts('Twilio'),
    mediaTimeoutMs: z.number().int().positive().max(12_000).default(5_000).describe("longest copying one MMS file from Twilio may take, ms (inside Twilio's 15 s webhook timeout)"),
  })
  .strict()
  .refine((s) => (s.from === undefined) !== (s.messagingServiceSid === undefined), { message: 'give exactly one of "from" and "messagingServiceSid"', path: ['from'] });
export type TwilioSmsSettings = z.output<typeof TwilioSmsSettings>;

/** The Auth Tokens as a list (the first is the primary, used for API calls without an API key). */
export const authTokens = (s: Pick<TwilioSmsSettings, 'authToken'>): string[] => (Array.isArray(s.authToken) ? s.authToken : [s.authToken]);
