import type { Leg, StoredEvent } from './model.js';

// Which legs an event must be delivered to. An event never goes back to the leg it came from; each leg's
// adapter says which kinds it wants (the built-in web and inbox read the log directly and only track
// messages; a vendor desk also wants typing-free lifecycle events such as conversation.ended).

export interface LegPolicy {
  leg: Leg;
  adapter: string;
  /** See LegAdapter.readsLog: deliveries to this leg start as `sent`. */
  readsLog?: boolean;
  wants(event: Pick<StoredEvent, 'kind' | 'author' | 'origin'>): boolean;
}

export function deliveryTargets(event: Pick<StoredEvent, 'kind' | 'author' | 'origin'> & { leg?: Leg }, legs: LegPolicy[]): LegPolicy[] {
  return legs.filter(
    (l) =>
      l.leg !== event.origin &&
      // A leg is never told about its own failed deliveries: while it is down that notice would fail too,
      // and each failure would breed another, forever.
      !(event.kind === 'delivery.failed' && event.leg === l.leg) &&
      l.wants(event),
  );
}

export const otherLeg = (leg: Leg): Leg => (leg === 'channel' ? 'desk' : 'channel');
