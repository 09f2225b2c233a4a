import { z } from 'zod';

// What AWS End User Messaging SMS publishes to SNS, inside the envelope's `Message` (a JSON string). Loose
// objects: AWS adds fields, and a new one must never make a genuine message fail.

const E164 = z.string().regex(/^\+[1-9]\d{1,14}$/);

/** A text a handset sent to our number (two-way SMS; user guide "Two-way SMS messaging"). */
export const InboundText = z.looseObject({
  originationNumber: E164,
  destinationNumber: z.string().min(1),
  messageKeyword: z.string().optional(),
  messageBody: z.string().max(10_000),
  inboundMessageId: z.string().min(1).max(200),
  previousPublishedMessageId: z.string().optional(),
});
export type InboundText = z.infer<typeof InboundText>;

/** A delivery event from a configuration set's event destination (user guide "Example SMS event data"). */
export const TextEvent = z.looseObject({
  eventType: z.string().regex(/^TEXT_[A-Z_]+$/),
  isFinal: z.boolean().optional(),
  messageId: z.string().min(1).max(200),
  messageStatus: z.string().optional(),
  messageStatusDescription: z.string().optional(),
  destinationPhoneNumber: z.string().optional(),
});
export type TextEvent = z.infer<typeof TextEvent>;

/** Events that say the text is on the way, not what became of it. */
const IN_FLIGHT = new Set(['TEXT_PENDING', 'TEXT_QUEUED', 'TEXT_SUCCESSFUL']);

/** A Parley receipt for an event: delivered to the handset, failed for good, or nothing to report yet. */
export function receiptOf(e: TextEvent): 'delivered' | 'failed' | undefined {
  if (e.eventType === 'TEXT_DELIVERED') return 'delivered';
  if (IN_FLIGHT.has(e.eventType)) return undefined;
  // TEXT_BLOCKED, TEXT_UNREACHABLE, TEXT_CARRIER_UNREACHABLE, TEXT_INVALID, TEXT_SPAM, TEXT_TTL_EXPIRED, …:
  // only a final one is a failure (a carrier may still deliver after an interim one).
  return e.isFinal === false ? undefined : 'failed';
}

/** Opt-out keywords End User Messaging honours by default: the customer asked us to stop. */
export const OPT_OUT_KEYWORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'OPT-OUT', 'REVOKE', 'ARRET']);
