import { z } from 'zod';

// Genesys Cloud's payloads as Parley reads them (vendor output is untrusted: everything is validated).
// Field names are the SDK models' (purecloud-platform-client-v2 262: OpenNormalizedMessage,
// OpenMessagingChannel, OpenMessageContent, OpenReceiptNormalizedMessage, ConversationReason) and the
// developer center's Open Messaging pages (vendor-protocols §1.3–1.5). Objects are not strict: Genesys adds
// fields over time, and an unknown field must never turn a genuine webhook into a 400.

const Recipient = z.object({ id: z.string().min(1).max(500), idType: z.string().optional(), nickname: z.string().max(500).optional() }).loose();

const Channel = z
  .object({
    id: z.string().optional(),
    platform: z.string().optional(),
    type: z.string().optional(),
    messageId: z.string().max(500).optional(),
    to: Recipient.optional(),
    from: Recipient.optional(),
    time: z.string().optional(),
  })
  .loose();

export const GenesysAttachment = z
  .object({
    id: z.string().optional(),
    mediaType: z.string().optional(),
    url: z.string().url().max(4000),
    mime: z.string().max(200).optional(),
    filename: z.string().max(500).optional(),
    text: z.string().max(4000).optional(),
  })
  .loose();
export type GenesysAttachment = z.infer<typeof GenesysAttachment>;

const Action = z.object({ type: z.string().optional(), text: z.string().max(500).optional(), url: z.string().max(2000).optional(), payload: z.string().max(1000).optional() }).loose();

/**
 * One content item. `Attachment` is the SDK's only documented Open `contentType`; quick replies, buttons
 * and cards are read in the shape Genesys's messaging content models give them (QuickReply, ButtonResponse,
 * Card), for the `Structured` payloads community threads report [C/U]. Anything else is ignored.
 */
export const GenesysContent = z
  .object({
    contentType: z.string().optional(),
    attachment: GenesysAttachment.optional(),
    quickReply: z.object({ text: z.string().max(500), payload: z.string().max(1000).optional() }).loose().optional(),
    buttonResponse: z.object({ text: z.string().max(500), payload: z.string().max(1000).optional() }).loose().optional(),
    card: z.object({ title: z.string().max(500).optional(), description: z.string().max(2000).optional(), actions: z.array(Action).max(20).optional() }).loose().optional(),
  })
  .loose();
export type GenesysContent = z.infer<typeof GenesysContent>;

const Reason = z.object({ code: z.string().optional(), message: z.string().optional() }).loose();

/** What the outbound webhook POSTs (OpenNormalizedMessage): one message, event or receipt per request. */
export const GenesysWebhook = z
  .object({
    id: z.string().min(1).max(500),
    channel: Channel,
    type: z.string().min(1).max(50),
    text: z.string().max(20_000).optional(),
    content: z.array(GenesysContent).max(50).optional(),
    events: z.array(z.object({ eventType: z.string(), typing: z.object({ type: z.string().optional(), duration: z.number().optional() }).loose().optional() }).loose()).max(50).optional(),
    status: z.string().optional(),
    reasons: z.array(Reason).max(20).optional(),
    isFinalReceipt: z.boolean().optional(),
    direction: z.string().optional(),
    originatingEntity: z.string().optional(),
    conversationId: z.string().max(200).optional(),
  })
  .loose();
export type GenesysWebhook = z.infer<typeof GenesysWebhook>;

/** Receipt statuses Genesys documents for OpenReceiptNormalizedMessage. */
export const RECEIPT_STATUSES = ['Sent', 'Delivered', 'Failed', 'Published', 'Removed'] as const;

/** The answer to an inbound message (OpenMessageNormalizedMessage); conversationId with prefetchConversationId=true. */
export const InboundAccepted = z.object({ id: z.string().min(1), conversationId: z.string().optional() }).loose();

/** `{"gcDecoratedMessage":{"gcMessageType":"qrCode","gcMessageText":"…"}}` in an agent's text (the blueprint's QR convention). */
export const DecoratedMessage = z.object({
  gcDecoratedMessage: z.object({ gcMessageType: z.string(), gcMessageText: z.string().min(1).max(2000) }).loose(),
});

/** GET /api/v2/conversations/messages/{id} (MessageConversation), as far as ending it needs. */
export const MessageConversation = z
  .object({
    id: z.string(),
    participants: z
      .array(
        z
          .object({
            id: z.string(),
            purpose: z.string().optional(),
            state: z.string().optional(),
            userId: z.string().optional(),
            name: z.string().optional(),
            queueId: z.string().optional(),
            messages: z.array(z.object({ state: z.string().optional(), disconnectType: z.string().optional() }).loose()).optional(),
          })
          .loose(),
      )
      .default([]),
  })
  .loose();
export type MessageConversation = z.infer<typeof MessageConversation>;
