import type { Kysely } from 'kysely';

// The newest vendor timestamp an adapter instance has seen for a key, only ever moved forward. Two uses:
// - Meta's reply windows (key: the contact): Messenger and WhatsApp allow free-form business messages only
//   within 24 hours of the customer's last message (Messenger's HUMAN_AGENT tag: 7 days), so a channel
//   decides before sending whether a reply may go out as is, needs a tag or a template, or cannot go at all;
//   a late retry of an old message must not shorten the window.
// - State notifications that carry the whole state rather than a change (LivePerson's conversation
//   notifications, key: the vendor conversation): one older than the newest applied is stale and skipped,
//   so a redelivered old state never undoes a newer one, across restarts too.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('vendor_clocks')
    .addColumn('adapter', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    /** ISO 8601 UTC with milliseconds: compares as text. */
    .addColumn('at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('vendor_clocks_pk', ['adapter', 'key'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('vendor_clocks').ifExists().execute();
}
