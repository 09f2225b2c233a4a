import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type SQLite from 'better-sqlite3';

// WAL checkpoints on a worker thread. With WAL, every commit appends pages to the -wal file, and a
// checkpoint copies them back into the database file (at synchronous=NORMAL, with the fsyncs). SQLite runs
// that copy inside whichever COMMIT crosses wal_autocheckpoint pages, on the connection that committed —
// here the main thread, where it stalls every request for the length of the copy and the fsync (a third of
// a message's commit cost in the benchmarks). So the main connection never checkpoints, and a second
// connection on a worker thread runs PASSIVE checkpoints on a short timer: PASSIVE never blocks the writer
// or readers, and copies only frames that are already committed, so durability and what readers see are
// unchanged. A crash at any point leaves a WAL that the next open replays, as before.
//
// If the worker cannot run (it fails to start or dies), the main connection checkpoints itself again, as
// SQLite does by default.

/** SQLite's own default: checkpoint once the WAL holds this many pages. */
const DEFAULT_AUTOCHECKPOINT = 1000;
/** How often the worker checkpoints. At ~5,000 messages/s the WAL grows by ~15 MB in this time. */
const INTERVAL_MS = 100;
/** After a checkpoint resets the WAL, a file left larger than this is truncated back to it. */
const JOURNAL_SIZE_LIMIT = 64 * 1024 * 1024;

// The worker's whole program. Eval'd rather than a file of its own, so it runs the same from the sources
// under test and from dist/; better-sqlite3 is resolved here and handed over by path.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 0');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch { /* busy or closing: the next tick tries again */ }
}, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m !== 'close') return;
  clearInterval(timer);
  try { db.close(); } catch {}
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Stop the worker and close its connection (before the main connection closes, so that one is last). */
  close(): Promise<void>;
}

export function startCheckpointer(
  sqlite: SQLite.Database,
  file: string,
  /** For tests: another tick, or another driver module (one that fails to load shows the fallback). */
  opts: { intervalMs?: number; driver?: string } = {},
): Checkpointer {
  sqlite.pragma(`journal_size_limit = ${JOURNAL_SIZE_LIMIT}`);
  const fallBack = () => {
    try {
      sqlite.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
    } catch {
      // The main connection is already closed: nothing left to checkpoint for.
    }
  };
  let worker: Worker;
  try {
    const driver = opts.driver ?? createRequire(import.meta.url).resolve('better-sqlite3');
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file, driver, intervalMs: opts.intervalMs ?? INTERVAL_MS },
      // It holds a connection and a timer: a small heap is plenty, and the server's RSS budget is tight.
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16, stackSizeMb: 1 },
    });
  } catch {
    return { close: () => Promise.resolve() };
  }
  sqlite.pragma('wal_autocheckpoint = 0');
  // The worker must never keep the process alive, nor take it down.
  worker.unref();
  let closing = false;
  let exited = false;
  worker.on('error', fallBack);
  worker.on('exit', () => {
    exited = true;
    if (!closing) fallBack();
  });
  return {
    close() {
      if (closing || exited) return Promise.resolve();
      closing = true;
      fallBack();
      return new Promise<void>((resolve) => {
        worker.once('exit', () => resolve());
        worker.ref(); // wait for it, now that someone does
        worker.postMessage('close');
        // A worker stuck in a checkpoint of a huge WAL is stopped rather than waited for: the main
        // connection's own close checkpoints what is left.
        setTimeout(() => void worker.terminate(), 2000).unref();
      });
    },
  };
}
