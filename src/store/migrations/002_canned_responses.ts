import type { Kysely } from 'kysely';

// Canned responses: short replies agents insert by shortcut. They are shared by every agent (a team keeps
// one wording), so they live on the server, not in each browser. The shortcut is unique: it is what an
// agent types after "/" in the composer, and two answers behind one shortcut would be a guess.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('canned_responses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('shortcut', 'text', (c) => c.notNull().unique())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('canned_responses').ifExists().execute();
}
