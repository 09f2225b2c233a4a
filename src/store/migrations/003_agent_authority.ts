import type { Kysely } from 'kysely';

// Authority that must take effect at once for tokens already issued. `disabled_at` locks an account
// without deleting its history; `auth_epoch` is written into every agent token and bumped by a password
// change, so tokens issued before it stop working (comparing issue times would let a token minted in the
// same second as the change survive it).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('agents').addColumn('disabled_at', 'text').execute();
  await db.schema.alterTable('agents').addColumn('auth_epoch', 'integer', (c) => c.notNull().defaultTo(0)).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('agents').dropColumn('auth_epoch').execute();
  await db.schema.alterTable('agents').dropColumn('disabled_at').execute();
}
