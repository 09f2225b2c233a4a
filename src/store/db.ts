import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration, type MigrationProvider } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.js';
import { startCheckpointer } from './checkpointer.js';
import { SqliteHot } from './sqlite-hot.js';
import { PgHot } from './pg-hot.js';
import * as m001 from './migrations/001_init.js';
import * as m002 from './migrations/002_canned_responses.js';
import * as m003 from './migrations/003_agent_authority.js';
import * as m004 from './migrations/004_external_refs.js';
import * as m007 from './migrations/007_vendor_clocks.js';
import * as m005 from './migrations/005_partial_due_index.js';
import * as m006 from './migrations/006_event_originals.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Database {
  db: Kysely<DB>;
  dialect: Dialect;
  /** SQLite only: the message hot path's prepared statements on the same connection (sqlite-hot.ts). */
  hot?: SqliteHot;
  /** PostgreSQL only: the message hot path, batches of messages in one statement each, on its own connections (pg-hot.ts). */
  pgHot?: PgHot;
  /** Where the data is, for logs and `parley doctor` (never includes a password). */
  describe: string;
  close(): Promise<void>;
}

// PostgreSQL returns BIGINT as a string to protect precision; our bigints are millisecond timestamps,
// well inside 2^53, so numbers are safe and keep both dialects returning the same types.
pg.types.setTypeParser(20, (v) => Number(v));

export function openDatabase(opts: { databaseUrl?: string | undefined; dataDir: string; poolSize?: number; durability?: 'normal' | 'full' }): Database {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    // An idle client that errors (server restart) must not crash the process; the next query reconnects.
    pool.on('error', () => undefined);
    // An acknowledgement means the commit is on disk, whatever the server's default says.
    pool.on('connect', (client) => void client.query('SET synchronous_commit = on').catch(() => undefined));
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    const url = new URL(opts.databaseUrl);
    url.password = '';
    const pgHot = new PgHot(opts.databaseUrl);
    return {
      db,
      dialect: 'postgres',
      pgHot,
      describe: `postgres ${url.host}${url.pathname}`,
      close: async () => {
        await pgHot.close();
        await db.destroy();
      },
    };
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const file = join(opts.dataDir, 'parley.db');
  const sqlite = new SQLite(file);
  // WAL: readers never block the writer. synchronous=NORMAL is durable against a process crash (kill -9),
  // which is the failure we test for; FULL (PARLEY_DURABILITY=full) also fsyncs the WAL at every commit, so
  // an acknowledged write survives a power cut too. busy_timeout covers a second process such as
  // `parley agent add`.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${opts.durability === 'full' ? 'FULL' : 'NORMAL'}`);
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  // Each command of a group commit runs in its own savepoint (group-commit.ts), and a savepoint keeps the
  // pages it changes in a statement journal: a temporary FILE by default, which the ingest benchmark found
  // to be the process's largest writer (more bytes than the WAL, a pwrite per page). It is needed only
  // until the transaction ends and is worthless after a crash (the WAL is what recovers), so memory.
  sqlite.pragma('temp_store = MEMORY');
  const checkpointer = startCheckpointer(sqlite, file);
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  const close = async () => {
    await checkpointer.close();
    await db.destroy();
  };
  return { db, dialect: 'sqlite', hot: new SqliteHot(sqlite), describe: `sqlite ${file}`, close };
}

/**
 * Kysely prepares every query afresh, and preparing was 12–16% of the CPU of a message in the benchmarks.
 * Queries are built from a fixed set of shapes, so the compiled statements are kept and reused (bounded,
 * in case some caller builds SQL with variable text). Safe because Kysely's SQLite driver runs one query
 * at a time on the one connection, and never leaves a statement mid-iteration.
 */
function withStatementCache(sqlite: SQLite.Database): { prepare(sql: string): SQLite.Statement; close(): void } {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(sql: string) {
      let st = cache.get(sql);
      if (!st) {
        st = sqlite.prepare(sql);
        if (cache.size < 2000) cache.set(sql, st);
      }
      return st;
    },
    close: () => sqlite.close(),
  };
}

const MIGRATIONS: Record<string, Migration> = { '001_init': m001, '002_canned_responses': m002, '003_agent_authority': m003, '004_external_refs': m004, '005_partial_due_index': m005, '006_event_originals': m006, '007_vendor_clocks': m007 };

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(MIGRATIONS) };

/** Bring the schema up to date. Safe to run on every start and from several nodes at once (Kysely locks). */
export async function migrate(db: Kysely<DB>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
