// Preloaded into a Parley server by bench/statements.js (node --import): counts every SQLite statement run
// through better-sqlite3, by SQL text, with the rows each changed. SIGUSR2 writes the counts so far to
// BENCH_SQL_TRACE_FILE (as <file>.tmp, then renamed) and starts counting afresh.
import { renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const SQLite = createRequire(import.meta.url)('better-sqlite3');
const counts = new Map(); // sql → { calls, changes }

function count(sql, changes = 0) {
  const c = counts.get(sql) ?? { calls: 0, changes: 0 };
  c.calls++;
  c.changes += changes;
  counts.set(sql, c);
}

// Statements are native objects; their methods live on one shared prototype (the same one whichever copy
// of the JS wrapper loaded the addon).
const probe = new SQLite(':memory:');
const StatementProto = Object.getPrototypeOf(probe.prepare('select 1'));
probe.close();
const originalGet = StatementProto.get;
const changesOf = new WeakMap(); // database → prepared `select changes()`, run unwrapped (not counted)
/** Rows changed by the write that just ran through get/all (UPDATE … RETURNING), which report none. */
function lastChanges(db) {
  let st = changesOf.get(db);
  if (!st) changesOf.set(db, (st = db.prepare('select changes() as n')));
  return originalGet.call(st).n;
}
for (const method of ['run', 'get', 'all', 'iterate']) {
  const original = StatementProto[method];
  StatementProto[method] = function (...args) {
    const result = original.apply(this, args);
    const changes = method === 'run' ? result.changes : this.readonly || method === 'iterate' ? 0 : lastChanges(this.database);
    count(this.source, changes);
    return result;
  };
}
const exec = SQLite.prototype.exec;
SQLite.prototype.exec = function (sql) {
  count(sql);
  return exec.call(this, sql);
};

process.on('SIGUSR2', () => {
  const file = process.env.BENCH_SQL_TRACE_FILE;
  writeFileSync(`${file}.tmp`, JSON.stringify(Object.fromEntries(counts)));
  renameSync(`${file}.tmp`, file);
  counts.clear();
});
