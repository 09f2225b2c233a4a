// The floor's one insert per message, on the store a benchmark asks for:
// - SQLite (default): better-sqlite3, WAL, synchronous=NORMAL, or FULL with FLOOR_SYNCHRONOUS=FULL (then every
//   insert is its own transaction with its own fsync: the fsync floor of the full-durability benchmark);
// - PostgreSQL (FLOOR_DATABASE_URL): a `pg` Pool of 10 and one INSERT per message (autocommit,
//   synchronous_commit=on as PostgreSQL ships).
// insert() returns nothing for SQLite (synchronous, as cheap as it gets) and a promise for PostgreSQL.
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';

const COLUMNS = 'id, conversation_id, seq, author_role, author_id, client_message_id, parts, created_at';
const TABLE = `CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  author_role TEXT NOT NULL,
  author_id TEXT NOT NULL,
  client_message_id TEXT,
  parts TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (conversation_id, seq)
)`;

function sqliteStore(dataDir, synchronous) {
  if (!['NORMAL', 'FULL'].includes(synchronous)) throw new Error(`FLOOR_SYNCHRONOUS must be NORMAL or FULL (got ${synchronous})`);
  const db = new SQLite(join(dataDir, 'floor.db'));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.exec(TABLE);
  const insert = db.prepare(`INSERT INTO events (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  return { name: `sqlite-${synchronous.toLowerCase()}`, insert: (row) => void insert.run(...row), close: async () => db.close() };
}

async function postgresStore(url) {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  await pool.query(TABLE);
  const text = `INSERT INTO events (${COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`;
  return { name: 'postgres', insert: (row) => pool.query({ name: 'floor-insert', text, values: row }), close: () => pool.end() };
}

/** The store the environment asks for. */
export async function openStore(env, dataDir) {
  if (env.FLOOR_DATABASE_URL) return postgresStore(env.FLOOR_DATABASE_URL);
  if (!dataDir) throw new Error('FLOOR_DATA_DIR is required');
  return sqliteStore(dataDir, (env.FLOOR_SYNCHRONOUS || 'NORMAL').toUpperCase());
}
