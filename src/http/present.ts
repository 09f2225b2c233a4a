import type { Conversation, Leg, StoredEvent } from '../core/model.js';
import type { Part } from '../core/parts.js';
import type { UrlSigner } from '../media/signing.js';
import { conversationSummary } from '../realtime/bus.js';

// How events and conversations look to clients. Media parts get a fresh signed URL each time they are
// read (stored events never hold a URL, so nothing stale or permanent leaks). A message shows its
// sender the status it has reached on the other side.

export type MessageStatus = 'sent' | 'delivered' | 'read' | 'failed';

export type PublicEvent = StoredEvent & { status?: MessageStatus };

export function presentParts(parts: Part[], signer: UrlSigner): Part[] {
  return parts.map((p) => (p.type === 'media' ? { ...p, url: signer.url(p.mediaId) } : p));
}

/** The status of a message for its sender; undefined for events the viewer did not send. */
export function statusOf(e: StoredEvent, c: Conversation, viewer: Leg, failedSeqs?: ReadonlySet<number>): MessageStatus | undefined {
  if (e.kind !== 'message' || e.origin !== viewer) return undefined;
  if (failedSeqs?.has(e.seq)) return 'failed';
  const [read, delivered] = viewer === 'channel' ? [c.deskReadSeq, c.deskDeliveredSeq] : [c.customerReadSeq, c.customerDeliveredSeq];
  if (e.seq <= read) return 'read';
  if (e.seq <= delivered) return 'delivered';
  return 'sent';
}

export function presentEvent(e: StoredEvent, signer: UrlSigner, status?: MessageStatus): PublicEvent {
  const out: PublicEvent = e.kind === 'message' ? { ...e, parts: presentParts(e.parts, signer) } : { ...e };
  if (status) out.status = status;
  return out;
}

export function presentConversation(c: Conversation, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...conversationSummary(c),
    receipts: {
      customer: { delivered: c.customerDeliveredSeq, read: c.customerReadSeq },
      desk: { delivered: c.deskDeliveredSeq, read: c.deskReadSeq },
    },
    context: c.context,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    endedAt: c.endedAt,
    ...extra,
  };
}
