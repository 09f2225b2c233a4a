// PostgreSQL for the benchmarks: whether it is reachable (loudly skipped when not, a failure when CI=true,
// like the test suites), and a fresh database per server run, dropped afterwards even on error or Ctrl-C.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { onCleanup } from './proc.js';

export const PG_ADMIN_URL = process.env.PARLEY_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';

async function admin(query) {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query(query);
  } finally {
    await client.end().catch(() => undefined);
  }
}

let reachable;
/** True when PostgreSQL answers; false (with a loud message) when not; throws when CI=true and it does not. */
export function postgresReachable() {
  reachable ??= admin('select 1').then(
    () => true,
    (e) => {
      if (process.env.CI === 'true') throw new Error(`PostgreSQL is required when CI=true but ${PG_ADMIN_URL} is unreachable: ${e.message}`);
      process.stderr.write(`\n!!! PostgreSQL at ${PG_ADMIN_URL} is unreachable (${e.message}): the PostgreSQL benchmark is SKIPPED. !!!\n\n`);
      return false;
    },
  );
  return reachable;
}

/** A new empty database; `drop()` removes it (also run by cleanup() if the caller never gets to it). */
export async function freshDatabase() {
  const name = `parley_bench_${randomBytes(6).toString('hex')}`;
  await admin(`create database ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const drop = () => admin(`drop database if exists ${name} with (force)`);
  const cancel = onCleanup(drop);
  return {
    url: url.toString(),
    drop: async () => {
      cancel();
      await drop();
    },
  };
}
