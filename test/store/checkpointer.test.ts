import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpointer, type Checkpointer } from '../../src/store/checkpointer.js';

// WAL checkpoints run on a worker thread (src/store/checkpointer.ts): the main connection never stalls a
// commit to copy the WAL back, the worker's connection does it, and if the worker cannot run the main
// connection checkpoints itself again.

const dirs: string[] = [];
const open: { db: SQLite.Database; cp: Checkpointer }[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.cp.close();
    o.db.close();
  }
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function database(opts?: Parameters<typeof startCheckpointer>[2]) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-ckpt-'));
  dirs.push(dir);
  const file = join(dir, 'parley.db');
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('create table t (x text)');
  const cp = startCheckpointer(db, file, opts);
  open.push({ db, cp });
  return { db, cp, file };
}

/** Write about 4 MB in a few transactions (about a thousand WAL pages). */
function write(db: SQLite.Database): void {
  const insert = db.prepare('insert into t values (?)');
  const row = 'x'.repeat(4000);
  for (let i = 0; i < 10; i++) db.transaction(() => { for (let j = 0; j < 100; j++) insert.run(row); })();
}

const until = async (check: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
};

describe('WAL checkpoints on a worker thread', () => {
  it('the main connection never checkpoints; the worker copies committed pages into the database file', async () => {
    const { db, file } = database({ intervalMs: 20 });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const before = statSync(file).size;
    write(db);
    // Only a checkpoint grows the main file in WAL mode, and this connection does none.
    expect(await until(() => statSync(file).size > before + 3_000_000)).toBe(true);
    expect(db.prepare('select count(*) n from t').get()).toEqual({ n: 1000 });
  });

  it('a worker that cannot start hands checkpoints back to the main connection', async () => {
    const { db } = database({ driver: '/nonexistent/better-sqlite3.js' });
    expect(await until(() => db.pragma('wal_autocheckpoint', { simple: true }) === 1000)).toBe(true);
  });

  it('close stops the worker first, so the main connection closes last and removes the WAL', async () => {
    const { db, cp, file } = database();
    write(db);
    await cp.close();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    open.splice(0);
    db.close();
    expect(() => statSync(`${file}-wal`)).toThrow();
  });
});
