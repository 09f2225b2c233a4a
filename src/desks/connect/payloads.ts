import { z } from 'zod';

// What Amazon Connect publishes to the SNS topic while a chat streams (admin guide "sns-payload";
// vendor-protocols §3.4): the SNS `Message` is the JSON of a transcript item, and routing facts are repeated
// as message attributes. Loose objects throughout: a field AWS adds must never turn a genuine notification
// into an error, and SNS would retry it for an hour.

export const CT = {
  joined: 'application/vnd.amazonaws.connect.event.participant.joined',
  left: 'application/vnd.amazonaws.connect.event.participant.left',
  typing: 'application/vnd.amazonaws.connect.event.typing',
  transferSucceeded: 'application/vnd.amazonaws.connect.event.transfer.succeeded',
  transferFailed: 'application/vnd.amazonaws.connect.event.transfer.failed',
  ended: 'application/vnd.amazonaws.connect.event.chat.ended',
  delivered: 'application/vnd.amazonaws.connect.event.message.delivered',
  read: 'application/vnd.amazonaws.connect.event.message.read',
} as const;

export const StreamItem = z
  .object({
    Id: z.string().min(1).max(256),
    Type: z.string().min(1),
    ContentType: z.string().default(''),
    Content: z.string().optional(),
    AbsoluteTime: z.string().optional(),
    ParticipantId: z.string().optional(),
    DisplayName: z.string().optional(),
    ParticipantRole: z.string().optional(),
    // Some events omit ContactId (a third party's note, §3.4): InitialContactId is what routes.
    InitialContactId: z.string().optional(),
    ContactId: z.string().optional(),
    Attachments: z
      .array(z.object({ AttachmentId: z.string().min(1), AttachmentName: z.string().optional(), ContentType: z.string().optional(), Status: z.string().optional() }).loose())
      .optional(),
  })
  .loose();
export type StreamItem = z.infer<typeof StreamItem>;

/** The SNS envelope's MessageAttributes (not signed by SNS: only ever a hint next to the signed Message). */
export const Attributes = z.record(z.string(), z.object({ Type: z.string().optional(), Value: z.string().optional() }).loose()).optional();

/** Who may see an item: MessageVisibility, ALL when absent (older streams carry none). */
export function visibility(attributes: z.infer<typeof Attributes>): string {
  return attributes?.MessageVisibility?.Value ?? 'ALL';
}

/** `{"messageId": "…"}` of a delivered/read event. */
export function receiptTarget(content: string | undefined): string | undefined {
  try {
    const id = (JSON.parse(content ?? '') as { messageId?: unknown }).messageId;
    return typeof id === 'string' && id.length > 0 && id.length <= 256 ? id : undefined;
  } catch {
    return undefined;
  }
}
