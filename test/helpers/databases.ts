import { randomBytes } from 'node:crypto';
import pg from 'pg';

// The databases every store-level suite runs against. SQLite always; PostgreSQL when reachable, and
// required (a failure, not a skip) when CI=true.

export const PG_ADMIN_URL = process.env.PARLEY_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let pgAvailable: Promise<boolean> | undefined;

export function postgresAvailable(): Promise<boolean> {
  pgAvailable ??= (async () => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch (e) {
      if (process.env.CI === 'true') throw new Error(`PostgreSQL is required when CI=true but ${PG_ADMIN_URL} is unreachable: ${(e as Error).message}`);
      console.warn(`\n!!! PostgreSQL at ${PG_ADMIN_URL} is unreachable: PostgreSQL variants of the suites are SKIPPED. !!!\n`);
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return pgAvailable;
}

/** A fresh, empty PostgreSQL database for one test file; `drop` removes it. */
export async function freshPostgres(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `parley_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export type DialectName = 'sqlite' | 'postgres';

/** `describe.each` rows: sqlite always, postgres when available (or demanded by CI). */
export async function dialects(): Promise<DialectName[]> {
  return (await postgresAvailable()) ? ['sqlite', 'postgres'] : ['sqlite'];
}
