import type { Leg, StoredEvent } from './model.js';

// Which legs an event must be delivered to. An event never goes back to the leg it came from (proactive
// messages to a vendor desk aside, below); each leg's adapter says which kinds it wants (the built-in web
// and inbox read the log directly and only track messages; a vendor desk also wants typing-free lifecycle
// events such as conversation.ended).

export interface LegPolicy {
  leg: Leg;
  adapter: string;
  /** See LegAdapter.readsLog: deliveries to this leg start as `sent`. */
  readsLog?: boolean;
  /** The leg's adapter sends business-started messages itself (DeskAdapter.proactive). */
  sendsProactive?: boolean;
  wants(event: Pick<StoredEvent, 'kind' | 'author' | 'origin'>): boolean;
}

/** A business-started message (POST /v1/messages/proactive): stored as the desk side's own, by `business`. */
export const isProactiveMessage = (event: Pick<StoredEvent, 'kind' | 'author' | 'origin'>): boolean =>
  event.kind === 'message' && event.author.role === 'business' && event.origin === 'desk';

export function deliveryTargets(event: Pick<StoredEvent, 'kind' | 'author' | 'origin'> & { leg?: Leg }, legs: LegPolicy[]): LegPolicy[] {
  return legs.filter((l) => {
    // A leg is never told about its own failed deliveries: while it is down that notice would fail too,
    // and each failure would breed another, forever.
    if (event.kind === 'delivery.failed' && event.leg === l.leg) return false;
    // Nor sent back what came from it — except a proactive message to a desk that sends those itself: it is
    // stored as the desk's, but the vendor has not seen it; Parley sends it there for the business.
    if (l.leg === event.origin) return l.sendsProactive === true && isProactiveMessage(event);
    return l.wants(event);
  });
}

export const otherLeg = (leg: Leg): Leg => (leg === 'channel' ? 'desk' : 'channel');
