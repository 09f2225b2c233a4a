import { z } from 'zod';
import { metaAppSettings } from '../../vendor/meta-settings.js';
import { vendorTimeouts } from '../../vendor/settings.js';
import { LIMITS } from './parts.js';

// The settings of one `messenger` channel instance: one Facebook Page, whose app's webhook points at
// /webhooks/messenger/<instance>. Secrets as `{ "env": "NAME" }`. Each .describe() is what `parley config`
// prints, so it is the doc.

export const MessengerSettings = z
  .object({
    pageId: z.string().regex(/^\d{1,30}$/, 'must be the numeric Page ID').describe('the Facebook Page customers message (its numeric Page ID)'),
    pageAccessToken: z.string().min(8, 'must be at least 8 characters').describe('a Page access token with pages_messaging (from a user with the MESSAGE task on the Page); use { "env": "NAME" }'),
    ...metaAppSettings('Messenger'),
    humanAgentTag: z
      .boolean()
      .default(false)
      .describe('the Page has the Human Agent feature: agent replies 24 h to 7 days after the customer last wrote go out with the HUMAN_AGENT tag (false: refused with REPLY_WINDOW_CLOSED)'),
    profileNames: z.boolean().default(true).describe("read a new customer's name from the User Profile API (first and last name), shown to agents"),
    maxTextLength: z.number().int().min(100).max(LIMITS.text).default(LIMITS.text).describe('longer agent texts are split into several messages of at most this many characters (Messenger: 2,000)'),
    ratePerSecond: z.number().int().positive().max(300).default(250).describe('Send API calls per second from this instance (Meta: 300 per Page for text)'),
    ...vendorTimeouts('Meta'),
    mediaTimeoutMs: z.number().int().positive().max(15_000).default(8_000).describe('longest copying one customer attachment from Meta may take, ms'),
  })
  .strict();
export type MessengerSettings = z.output<typeof MessengerSettings>;
