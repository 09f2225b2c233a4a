import type { Kysely } from 'kysely';

// When each customer last wrote to each channel instance, by the vendor's own clock: Messenger and WhatsApp
// allow free-form business messages only within 24 hours of it (Messenger's HUMAN_AGENT tag: 7 days), so a
// channel decides before sending whether a reply may go out as is, needs a tag or a template, or cannot go
// at all. One row per (instance, contact), only ever moved forward: a late retry of an old message must not
// shorten the window.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('reply_windows')
    .addColumn('adapter', 'text', (c) => c.notNull())
    .addColumn('contact_id', 'text', (c) => c.notNull())
    /** ISO 8601 UTC with milliseconds: compares as text. */
    .addColumn('heard_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('reply_windows_pk', ['adapter', 'contact_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('reply_windows').ifExists().execute();
}
