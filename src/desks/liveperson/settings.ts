import { z } from 'zod';
import { vendorTimeouts } from '../../vendor/settings.js';

// The settings of one `liveperson` desk instance: one LivePerson account (site id) and the Connector API app
// installed on it (its client id and secret), vendor-protocols §4. Secrets as `{ "env": "NAME" }`. Each
// .describe() is what `parley config` prints, so it is the doc.

/** LivePerson's domain API (CSDS); the emulator stands in with its own URL, whose scheme discovered hosts take. */
export const CSDS = 'https://api.liveperson.net';

const secret = z.string().min(8, 'must be at least 8 characters');

export const LivePersonSettings = z
  .object({
    accountId: z.string().regex(/^[A-Za-z0-9]{1,30}$/, 'must be the LivePerson account (site) id').describe('the LivePerson account (site) id'),
    clientId: z.string().min(1).max(200).describe("the Connector API app installation's client_id"),
    clientSecret: z
      .union([secret, z.array(secret).min(1).max(2)])
      .describe('its client_secret: gets the AppJWT and signs every webhook (x-liveperson-signature); two while rotating (current first); use { "env": "NAME" }'),
    csdsUrl: z.url({ protocol: /^https?$/ }).default(CSDS).describe("LivePerson's domain API; the hosts it names are called with its scheme (the emulator: http://127.0.0.1:9140)"),
    skillId: z
      .string()
      .regex(/^(-1|\d{1,20})$/, 'must be a skill id (digits) or -1 (any skill)')
      .default('-1')
      .describe("the skill new conversations ask for (-1: any); a route's `queue` overrides it"),
    campaignId: z.string().regex(/^\d{1,20}$/).optional().describe('route by campaign and engagement instead of skill: the campaign id'),
    engagementId: z.string().regex(/^\d{1,20}$/).optional().describe('…and the engagement id'),
    ttrDefName: z.enum(['NORMAL', 'URGENT', 'PRIORITIZED', 'CUSTOM']).default('NORMAL').describe('the time-to-response class new conversations ask for'),
    survey: z
      .enum(['skip', 'answer'])
      .default('skip')
      .describe('a post-conversation survey: "answer" shows its questions to the customer and sends their answers; "skip" closes it at once'),
    domainsTtlMs: z.number().int().min(60_000).max(86_400_000).default(6 * 3_600_000).describe('how long discovered LivePerson hosts are kept, ms'),
    rateLimitPerSecond: z.number().int().positive().max(1000).default(20).describe('Connector API calls per second from this instance'),
    ...vendorTimeouts('LivePerson'),
    mediaTimeoutMs: z.number().int().positive().max(30_000).default(10_000).describe('longest moving one file to or from LivePerson may take, ms'),
  })
  .strict()
  .refine((s) => (s.campaignId === undefined) === (s.engagementId === undefined), { message: 'give both "campaignId" and "engagementId", or neither', path: ['campaignId'] });
export type LivePersonSettings = z.output<typeof LivePersonSettings>;

/** The client secrets as a list (the first gets tokens; every one verifies webhooks). */
export const clientSecrets = (s: Pick<LivePersonSettings, 'clientSecret'>): string[] => (Array.isArray(s.clientSecret) ? s.clientSecret : [s.clientSecret]);
