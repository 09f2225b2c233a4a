import type { Hub } from './hub.js';

// One adapter instance's view of the external id map (migration 004, Tx.linkExternal / findByExternal):
// the vendor's conversation, user, message and receipt ids tied to Parley's, durably, so a webhook after a
// restart finds what it refers to. Shared by desk reports and channel reports; `kind` is the adapter's own
// name for what the id identifies (`conversation`, `message`, …).

export type ExternalIds = ReturnType<typeof externalIds>;

export function externalIds(hub: Hub, instance: string) {
  return {
    /** Parley's id for a vendor id of `kind`, if mapped. */
    find: (kind: string, externalId: string): Promise<string | undefined> => hub.tx((tx) => tx.findByExternal({ adapter: instance, kind, externalId })),
    /** Map a vendor id to a Parley id; the first mapping wins and is returned. */
    link: (kind: string, externalId: string, parleyId: string): Promise<string> => hub.tx((tx) => tx.linkExternal({ adapter: instance, kind, externalId }, parleyId)),
    /** The vendor's id for a Parley id (the newest mapping). */
    externalOf: (kind: string, parleyId: string): Promise<string | undefined> => hub.tx((tx) => tx.externalOf(instance, kind, parleyId)),
  };
}
