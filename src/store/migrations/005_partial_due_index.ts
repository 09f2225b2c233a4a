import { sql, type Kysely } from 'kysely';

// The dispatcher looks for due deliveries among the pending ones only, and most deliveries are never
// pending: a leg that reads the log itself (the inbox desk, the web channel) gets its row as `sent`. A
// partial index over the pending rows keeps those out of it, so a message between built-in legs writes one
// index fewer, and the dispatcher's poll scans only what it can work. (Queries compare status with the
// literal 'pending', not a bound parameter, so PostgreSQL's generic plans can use it: see dispatcher.ts.)

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('deliveries_due').execute();
  await db.schema.createIndex('deliveries_due').on('deliveries').column('next_attempt_at').where(sql.ref('status'), '=', sql.lit('pending')).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('deliveries_due').execute();
  await db.schema.createIndex('deliveries_due').on('deliveries').columns(['status', 'next_attempt_at']).execute();
}
