import { z } from 'zod';
import { metaAppSettings } from '../../vendor/meta-settings.js';
import { vendorTimeouts } from '../../vendor/settings.js';
import { LIMITS } from './parts.js';

// The settings of one `whatsapp` channel instance: one WhatsApp business phone number on the Cloud API,
// whose app's webhook (field `messages`) points at /webhooks/whatsapp/<instance>. Secrets as
// `{ "env": "NAME" }`. Each .describe() is what `parley config` prints, so it is the doc.

/** Where a template body parameter's value comes from (in the order of the template's {{1}}, {{2}} …). */
export const TEMPLATE_SOURCES = ['agentText', 'agentName', 'customerName', 'businessName'] as const;

const TemplateParameter = z.union([
  z.enum(TEMPLATE_SOURCES),
  z.object({ text: z.string().min(1).max(LIMITS.templateParameter) }).strict(),
]);

export const ReplyTemplate = z
  .object({
    name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'must be the template name as approved (lowercase letters, digits, _)').describe('the approved template sent instead of a free-form message outside the 24-hour window'),
    language: z.string().regex(/^[a-z]{2,3}(_[A-Za-z]{2,4})?$/, 'must be a language code such as en_US').describe('its language code as approved (en_US)'),
    parameters: z
      .array(TemplateParameter)
      .max(10)
      .default([])
      .describe(
        'its body parameters {{1}}, {{2}} … in order, each one of: "agentText" (the agent\'s message as one line, cut to 1,024 characters), "agentName", "customerName", "businessName" (businessName setting), or {"text": "fixed"}',
      ),
  })
  .strict();
export type ReplyTemplate = z.output<typeof ReplyTemplate>;

export const WhatsAppSettings = z
  .object({
    phoneNumberId: z.string().regex(/^\d{1,30}$/, 'must be the numeric phone number ID').describe('the business phone number customers write to (its Phone number ID in the WhatsApp Manager, not the number itself)'),
    wabaId: z
      .string()
      .regex(/^\d{1,30}$/, 'must be the numeric WhatsApp Business Account ID')
      .optional()
      .describe("the WhatsApp Business Account ID: webhook entries of another WABA are ignored (absent: any WABA's, for this phone number)"),
    accessToken: z.string().min(8, 'must be at least 8 characters').describe('a system user access token with whatsapp_business_messaging; use { "env": "NAME" }'),
    ...metaAppSettings('WhatsApp'),
    replyTemplate: ReplyTemplate.optional().describe(
      'what goes out instead of an agent message when the customer last wrote more than 24 hours ago (and for business-started messages): an approved template; absent: such messages fail with REPLY_WINDOW_CLOSED',
    ),
    businessName: z.string().min(1).max(200).optional().describe('the business name a template parameter "businessName" fills in'),
    markRead: z.boolean().default(true).describe("the agent reading the conversation marks the customer's messages read (blue ticks) on WhatsApp"),
    typingIndicator: z.boolean().default(true).describe("the agent typing shows WhatsApp's typing indicator (it also marks the customer's last message read; inside the 24-hour window only)"),
    maxTextLength: z.number().int().min(100).max(LIMITS.text).default(LIMITS.text).describe('longer agent texts are split into several messages of at most this many characters (WhatsApp: 4,096)'),
    ratePerSecond: z.number().int().positive().max(1000).default(80).describe('Cloud API calls per second from this instance (Meta: 80 messages per second per number to start)'),
    ...vendorTimeouts('Meta'),
    mediaTimeoutMs: z.number().int().positive().max(30_000).default(10_000).describe("longest fetching one customer file from Meta may take (the media id's URL, then the download), ms"),
  })
  .strict();
export type WhatsAppSettings = z.output<typeof WhatsAppSettings>;
