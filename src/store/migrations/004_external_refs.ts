import type { Kysely } from 'kysely';

// One place that maps a vendor's ids (its conversation, message and participant ids) to Parley's, per
// adapter instance, durably: a webhook that arrives after a restart still finds its conversation, and a
// receipt from a vendor finds the event it is about. Unique per (instance, kind, external id), so two
// racing webhooks cannot map one vendor conversation to two Parley ones.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('external_refs')
    .addColumn('adapter', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('parley_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('external_refs_pk', ['adapter', 'kind', 'external_id'])
    .execute();
  await db.schema.createIndex('external_refs_parley').on('external_refs').columns(['adapter', 'kind', 'parley_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('external_refs').ifExists().execute();
}
