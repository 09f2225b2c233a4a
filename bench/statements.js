#!/usr/bin/env node
// Statements and index writes per message on the ingest path (issue 7, item 1). Starts Parley (SQLite,
// one customer, one conversation) with lib/sql-trace.js preloaded, sends BENCH_MESSAGES messages one at a
// time with POST /v1/conversations/:id/messages (after a warm-up), waits for the background work they cause
// (dispatcher, receipts) and counts every statement run meanwhile, by SQL text. Index writes are the
// changed rows times the indexes each write touches: every index of the table for an INSERT or DELETE,
// those with an updated column for an UPDATE (read from the schema Parley created); a partial index counts
// for the rows it holds. Also counts what an
// idle second runs, so polling shows apart from per-message work.
//
// Usage: node bench/statements.js            (BENCH_PARLEY_DIST=<dir> measures another build's dist/)
// Env: BENCH_MESSAGES (200), BENCH_SETTLE_MS (1000). Writes results/statements.json and prints a table.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import SQLite from 'better-sqlite3';
import { makeClient } from './lib/http.js';
import { removeDir, runMain, stopChild } from './lib/proc.js';
import { envInt, writeResult } from './lib/stats.js';
import { LAUNCH, openCustomers, spawnServer } from './lib/targets.js';

const TRACE = fileURLToPath(new URL('./lib/sql-trace.js', import.meta.url));

/** Ask the traced server for its counts since the last dump, and reset them. */
async function dump(pid, file) {
  rmSync(file, { force: true });
  process.kill(pid, 'SIGUSR2');
  for (let i = 0; i < 200 && !existsSync(file); i++) await sleep(10);
  return JSON.parse(readFileSync(file, 'utf8'));
}

/**
 * Per table: its indexes with their columns (autoindexes of PRIMARY KEY / UNIQUE included). A partial index
 * (`... WHERE cond`) holds only the rows that match: `share` is the part of the table's rows it holds at the
 * end of the run, taken as the part of the inserted rows that entered it (the run's rows are all alike).
 */
function indexesOf(dbFile) {
  const db = new SQLite(dbFile, { readonly: true });
  try {
    const out = {};
    for (const { name, tbl_name: table, sql } of db.prepare("select name, tbl_name, sql from sqlite_master where type = 'index'").all()) {
      const where = sql ? /\swhere\s(.*)$/is.exec(sql)?.[1] : undefined;
      let share = 1;
      if (where) {
        const all = db.prepare(`select count(*) n from "${table}"`).get().n;
        share = all ? db.prepare(`select count(*) n from "${table}" where ${where}`).get().n / all : 0;
      }
      (out[table] ??= []).push({ name, share, columns: db.prepare(`pragma index_info(${JSON.stringify(name)})`).all().map((c) => c.name) });
    }
    return out;
  } finally {
    db.close();
  }
}

/** What a statement writes: its verb, table, and for UPDATE the columns it sets. */
function writeOf(sql) {
  const s = sql.replace(/\s+/g, ' ').trim();
  let m = /^insert (?:or \w+ )?into "?(\w+)"?/i.exec(s);
  if (m) return { verb: 'insert', table: m[1] };
  m = /^delete from "?(\w+)"?/i.exec(s);
  if (m) return { verb: 'delete', table: m[1] };
  m = /^update "?(\w+)"? set (.*?)(?: where |$)/i.exec(s);
  if (m) return { verb: 'update', table: m[1], columns: [...m[2].matchAll(/"?(\w+)"?\s*=/g)].map((c) => c[1]) };
  return null;
}

function analyse(counts, indexes, messages) {
  const rows = Object.entries(counts).map(([sql, c]) => {
    const w = writeOf(sql);
    const touched = !w ? [] : (indexes[w.table] ?? []).filter((ix) => w.verb !== 'update' || ix.columns.some((col) => w.columns.includes(col)));
    const per = (v) => Math.round((v / messages) * 100) / 100;
    const entered = touched.filter((ix) => ix.share > 0);
    return {
      sql: sql.replace(/\s+/g, ' ').slice(0, 160),
      perMessage: per(c.calls),
      rowsWrittenPerMessage: per(c.changes),
      indexes: entered.map((ix) => (ix.share < 1 ? `${ix.name} (partial: ${Math.round(ix.share * 100)}% of rows)` : ix.name)),
      indexWritesPerMessage: per(c.changes * touched.reduce((a, ix) => a + ix.share, 0)),
    };
  });
  rows.sort((a, b) => b.perMessage - a.perMessage);
  const sum = (k) => Math.round(rows.reduce((a, r) => a + r[k], 0) * 100) / 100;
  return { statements: sum('perMessage'), rowsWritten: sum('rowsWrittenPerMessage'), indexWrites: sum('indexWritesPerMessage'), rows };
}

export async function statements() {
  const messages = Math.max(1, envInt('BENCH_MESSAGES', 200));
  const settleMs = envInt('BENCH_SETTLE_MS', 1000);
  const launch = { ...LAUNCH.parley(), nodeArgs: ['--import', TRACE] };
  const traceFile = join(launch.dataDir, 'sql-trace.json');
  launch.env.BENCH_SQL_TRACE_FILE = traceFile;
  const { proc, baseUrl } = await spawnServer(launch);
  const http = makeClient(baseUrl);
  try {
    const [c] = await openCustomers({ http }, 1);
    const send = async (label, n) => {
      for (let i = 0; i < n; i++) await http.json('POST', `/v1/conversations/${c.conversationId}/messages`, { token: c.token, body: { clientMessageId: `${label}-${i}`, text: `bench message ${i}` } });
    };
    await send('warm', 20);
    await sleep(settleMs);
    await dump(proc.child.pid, traceFile);
    await sleep(settleMs);
    const idle = await dump(proc.child.pid, traceFile);
    await send('run', messages);
    await sleep(settleMs);
    const run = await dump(proc.child.pid, traceFile);
    const indexes = indexesOf(join(launch.dataDir, 'parley.db'));
    const result = {
      name: 'statements',
      description: `SQLite statements per POST /v1/conversations/:id/messages (one at a time, ${messages} messages, counted until ${settleMs} ms after the last answer); idle = what ${settleMs} ms with no traffic runs`,
      dist: process.env.BENCH_PARLEY_DIST || 'dist',
      timestamp: new Date().toISOString(),
      messages,
      perMessage: analyse(run, indexes, messages),
      idle: analyse(idle, indexes, 1),
    };
    const file = writeResult('statements', result);
    const p = result.perMessage;
    const lines = [`statements per message (${messages} messages, one at a time): ${p.statements} statements, ${p.rowsWritten} rows written, ${p.indexWrites} index writes`];
    lines.push('| per message | rows written | indexes written | statement |', '|---:|---:|---|---|');
    for (const r of p.rows) lines.push(`| ${r.perMessage} | ${r.rowsWrittenPerMessage} | ${r.indexes.join(', ') || '—'} | \`${r.sql}\` |`);
    lines.push(`idle, ${settleMs} ms: ${result.idle.statements} statements`, `→ ${file}`, '');
    process.stdout.write(lines.join('\n'));
    return result;
  } finally {
    http.close();
    await stopChild(proc, 10_000);
    removeDir(launch.dataDir);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await runMain('statements', statements, () => true);
