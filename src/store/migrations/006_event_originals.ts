import type { Kysely } from 'kysely';

// PII redaction (core/redaction.ts): where a route's policy keeps the unredacted text of a masked customer
// message, it lives here, one row per event, apart from the log. The log, its streams and every desk see
// only the masked event; this table is read by one admin-only route, and a policy of `drop` writes nothing
// here at all. Parts are JSON text, as event bodies are, on SQLite and PostgreSQL alike.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('event_originals')
    .addColumn('event_id', 'text', (c) => c.primaryKey().references('events.id'))
    .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id'))
    .addColumn('parts', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('event_originals').ifExists().execute();
}
