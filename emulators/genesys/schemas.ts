// Request bodies as the Genesys API validates them. Field names, required-ness and enums come from
// the SDK models (purecloud-platform-client-v2; Java SDK docs build/docs/<Model>.md); limits and
// endpoint-specific rules from the developer center pages cited beside each rule. Unknown fields
// pass: Genesys's own receipt example carries `direction`, which its model lacks.
import { z } from 'zod';
import type { Ctx } from '../kit/index.js';
import { badRequest, type Detail } from './errors.js';

const text = z.string().min(1);
/** "Date time is represented as an ISO-8601 string. For example: yyyy-MM-ddTHH:mm:ss[.mmm]Z" (model docs). */
const isoTime = z.iso.datetime({ offset: true });

export const IdType = z.enum(['Email', 'Phone', 'Opaque']);

/** OpenMessagingFromRecipient: id and idType required. */
export const FromRecipient = z.object({
  id: text,
  idType: IdType,
  nickname: z.string().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  image: z.string().optional(),
  email: z.string().optional(),
});

/** OpenMessagingToRecipient: only id required. */
export const ToRecipient = FromRecipient.extend({ idType: IdType.optional() });

/** OpenContentAttachment: mediaType, url and mime required. */
export const Attachment = z.object({
  mediaType: z.enum(['Image', 'Video', 'Audio', 'File', 'Link']),
  url: z.url({ protocol: /^https?$/ }),
  mime: text,
  id: z.string().optional(),
  text: z.string().optional(),
  sha256: z.string().optional(),
  filename: z.string().optional(),
});

/** OpenInboundMessageMessagingChannel: from and time required, messageId optional. */
export const InboundChannel = z.object({
  from: FromRecipient,
  time: isoTime,
  messageId: z.string().min(1).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
});

/** OpenInboundNormalizedMessage. */
export const InboundMessage = z.object({
  channel: InboundChannel,
  text: z.string().optional(),
  // OpenInboundMessageContent; an item without an attachment carries nothing (emulator rule).
  content: z.array(z.object({ attachment: Attachment })).optional(),
  metadata: z.record(z.string(), z.string()).optional(),
});
export type InboundMessage = z.infer<typeof InboundMessage>;

/** OpenInboundNormalizedEvent: channel {from, time} and events, eventType enum Typing. */
export const InboundEvent = z.object({
  channel: z.object({ from: FromRecipient, time: isoTime }),
  events: z
    .array(
      z.object({
        eventType: z.enum(['Typing']),
        typing: z.object({ type: z.enum(['On']), duration: z.number().int().min(0).optional() }).optional(),
      }),
    )
    .min(1),
});
export type InboundEvent = z.infer<typeof InboundEvent>;

/** ConversationReason: message required, code from the model's enum. */
export const Reason = z.object({
  code: z
    .enum([
      'MessageExpired',
      'RateLimited',
      'MessageNotAllowed',
      'GeneralError',
      'UnsupportedMessage',
      'UnknownMessage',
      'InvalidMessageStructure',
      'InvalidDestination',
      'ServerError',
      'MediaTypeNotAllowed',
      'InvalidMediaContentLength',
      'RecipientOptedOut',
    ])
    .optional(),
  message: text,
});

/**
 * OpenInboundNormalizedReceipt. The model's status enum also has Sent, Published and Removed, but the
 * endpoint page says "There are 2 supported receipt statuses for this endpoint: Delivered | Failed"
 * (developer.genesys.cloud/commdigital/digital/openmessaging/inboundReceiptMessages).
 */
export const InboundReceipt = z.object({
  id: text,
  channel: z.object({ to: ToRecipient, time: isoTime }),
  status: z.enum(['Delivered', 'Failed'], { error: 'status must be Delivered or Failed (the only statuses this endpoint supports)' }),
  reasons: z.array(Reason).optional(),
  isFinalReceipt: z.boolean().optional(),
});
export type InboundReceipt = z.infer<typeof InboundReceipt>;

/** OpenInboundStructuredResponseMessage with ContentButtonResponse (type, text, payload required). */
export const StructuredResponse = z.object({
  channel: InboundChannel,
  buttonResponse: z.object({
    id: z.string().optional(),
    type: z.enum(['Button', 'QuickReply', 'DatePicker']),
    text: text,
    payload: text,
  }),
  originatingMessageId: text,
});
export type StructuredResponse = z.infer<typeof StructuredResponse>;

/** SendAgentlessOutboundMessageRequest. */
export const AgentlessRequest = z.object({
  fromAddress: text,
  toAddress: text,
  toAddressMessengerType: z.enum(['sms', 'whatsapp', 'open']),
  textBody: z.string().optional(),
  messagingTemplate: z.unknown().optional(),
  useExistingActiveConversation: z.boolean().optional(),
});
export type AgentlessRequest = z.infer<typeof AgentlessRequest>;

/** The deprecated all-in-one endpoint's NormalizedMessage (used by Genesys's own ionic blueprint). */
export const LegacyInboundMessage = z.object({
  channel: z.object({
    platform: z.literal('Open'),
    type: z.literal('Private').optional(),
    messageId: text,
    to: z.object({ id: text }),
    from: FromRecipient,
    time: isoTime,
  }),
  type: z.literal('Text'),
  direction: z.literal('Inbound'),
  text: z.string().optional(),
  content: z.array(z.object({ contentType: z.literal('Attachment'), attachment: Attachment })).optional(),
});
export type LegacyInboundMessage = z.infer<typeof LegacyInboundMessage>;

/** MediaParticipantRequest (the emulator acts on `state: disconnected`). */
export const ParticipantPatch = z.object({
  state: z
    .enum(['alerting', 'dialing', 'contacting', 'offering', 'connected', 'disconnected', 'terminated', 'converting', 'uploading', 'transmitting', 'parked', 'none'])
    .optional(),
  wrapup: z.unknown().optional(),
  wrapupSkipped: z.boolean().optional(),
  held: z.boolean().optional(),
  muted: z.boolean().optional(),
  confined: z.boolean().optional(),
  recording: z.boolean().optional(),
});

/** Parses a body, answering Genesys-style 400s that name each offending field. */
export function parseBody<T extends z.ZodType>(ctx: Ctx, schema: T): z.infer<T> {
  if (!ctx.raw.length) throw badRequest('A request body is required.', [{ errorCode: 'required', fieldName: 'body' }]);
  const result = schema.safeParse(ctx.json());
  if (result.success) return result.data;
  const details: Detail[] = result.error.issues.map((i) => ({ errorCode: i.code, fieldName: i.path.join('.') || 'body' }));
  const message = result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
  throw badRequest(message, details);
}
