import type { Kysely, Transaction } from 'kysely';
import type { Tx } from '../core/ports.js';
import type { DB } from './schema.js';
import type { SqliteHot } from './sqlite-hot.js';

// Group commit on SQLite: the transactions that arrive in the same turn of the event loop (32 clients
// posting at once) run one after another inside ONE database transaction, each in its own savepoint, and
// are answered together after its one COMMIT. Why: a commit writes every page the transaction touched to
// the WAL (and, with PARLEY_DURABILITY=full, fsyncs); messages to the same conversations touch the same
// pages (the events table's last page, its indexes, the outbox), so a batch writes each page once instead
// of once per message, and pays one fsync instead of one per message.
//
// What does not change: each command is atomic on its own — a command that throws is rolled back to its
// savepoint and rejected alone, the others commit — and nobody is answered before the COMMIT that holds
// their write has returned (durable at the configured level). A COMMIT that fails rejects everyone in the
// batch: none of it is stored. Nothing outside sees a batch half-done: Kysely's SQLite driver holds the one
// connection for the whole transaction, so other queries wait for the COMMIT.

interface Item {
  fn: (tx: Tx) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
  attempts: number;
}

/** At most this many commands per transaction, so one batch never holds the connection for long. */
const MAX_BATCH = 128;

/** SQLITE_BUSY: another process (`parley agent add`) held the write lock past busy_timeout; try again. */
const busy = (e: unknown): boolean => (e as { code?: string }).code === 'SQLITE_BUSY';

export class GroupCommit {
  private queue: Item[] = [];
  private scheduled = false;
  private running = false;
  /** Transactions committed, and commands in them (for metrics and tests: commands ÷ commits = batch size). */
  readonly stats = { commits: 0, commands: 0 };

  constructor(
    private readonly db: Kysely<DB>,
    private readonly hot: SqliteHot,
    /** The transaction port over the batch's transaction (KyselyTx; passed in to keep tx.ts the only importer). */
    private readonly txOf: (trx: Transaction<DB>) => Tx,
  ) {}

  run<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve: resolve as (v: unknown) => void, reject, attempts: 0 });
      this.schedule();
    });
  }

  /**
   * The next batch starts after the current turn's I/O callbacks (setImmediate), so requests that arrived
   * together are committed together; while a batch runs, new ones wait for the next.
   */
  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.running = true;
      void this.drain().finally(() => {
        this.running = false;
        if (this.queue.length > 0) this.schedule();
      });
    });
  }

  private async drain(): Promise<void> {
    const batch = this.queue.splice(0, MAX_BATCH);
    const done: [Item, unknown][] = [];
    const retry: Item[] = [];
    try {
      await this.db.transaction().execute(async (trx) => {
        const tx = this.txOf(trx);
        for (const item of batch) {
          this.hot.savepoint();
          try {
            const value = await item.fn(tx);
            this.hot.release();
            done.push([item, value]);
          } catch (e) {
            this.hot.rollbackToSavepoint();
            if (busy(e) && ++item.attempts < 3) retry.push(item);
            else item.reject(e);
          }
        }
      });
    } catch (e) {
      // BEGIN or COMMIT failed: nothing of this batch is stored. A busy database is worth another try.
      for (const [item] of done) {
        if (busy(e) && ++item.attempts < 3) retry.push(item);
        else item.reject(e);
      }
      this.queue.unshift(...retry);
      return;
    }
    this.queue.unshift(...retry);
    this.stats.commits++;
    this.stats.commands += done.length;
    for (const [item, value] of done) item.resolve(value);
  }
}
