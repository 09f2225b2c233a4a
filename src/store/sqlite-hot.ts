import type SQLite from 'better-sqlite3';
import type { ConversationsTable, DeliveriesTable, EventsTable } from './schema.js';

// The statements of the message hot path on SQLite, prepared once and run directly on the connection.
// Building these queries through Kysely cost most of a message's CPU (bench/README.md); the SQL here is the
// same that Kysely generated for them, so the rows are the same and rows.ts reads them unchanged.
//
// Safe because they only ever run inside a transaction Kysely holds (KyselyTx inside makeRunInTx): Kysely's
// SQLite driver runs one transaction at a time on the one connection, so nothing else is between BEGIN and
// COMMIT, and better-sqlite3 runs each statement synchronously to completion.

export class SqliteHot {
  private statements: ReturnType<typeof prepare> | undefined;
  private readonly updates = new Map<string, SQLite.Statement>();

  constructor(private readonly sqlite: SQLite.Database) {}

  /** Prepared at first use: the tables exist only after the migrations ran. */
  private get s(): ReturnType<typeof prepare> {
    return (this.statements ??= prepare(this.sqlite));
  }

  eventByKey(source: string, key: string): EventsTable | undefined {
    return this.s.eventByKey.get(source, key) as EventsTable | undefined;
  }

  conversation(id: string): ConversationsTable | undefined {
    return this.s.conversation.get(id) as ConversationsTable | undefined;
  }

  /** The conversation's next seq (last_seq + 1, stored), or undefined when there is no such conversation. */
  bumpSeq(conversationId: string, now: string): number | undefined {
    const r = this.s.bumpSeq.get(now, conversationId) as { last_seq: number } | undefined;
    return r ? Number(r.last_seq) : undefined;
  }

  insertEvent(row: EventsTable): void {
    this.s.insertEvent.run(row);
  }

  insertDelivery(row: DeliveriesTable): void {
    this.s.insertDelivery.run(row);
  }

  /**
   * Set some columns of a conversation. `columns` come from tx.ts's fixed list (never from input), so the
   * statement for each set of columns is prepared once and reused; receipts and phase changes use a few.
   */
  updateConversation(id: string, columns: string[], values: unknown[]): void {
    const key = columns.join(',');
    let st = this.updates.get(key);
    if (!st) {
      st = this.sqlite.prepare(`update "conversations" set ${columns.map((c) => `"${c}" = ?`).join(', ')} where "id" = ?`);
      this.updates.set(key, st);
    }
    st.run(...values, id);
  }

  /**
   * A receipt through `through` moves a leg's deliveries with seq in (after, through] forward to `status`
   * (never back). Rows at or below `after` were moved by the receipt that set it, so they are not scanned
   * again: a long conversation's receipts stay as cheap as a short one's.
   */
  advanceDeliveries(conversationId: string, leg: string, after: number, through: number, status: 'delivered' | 'read', now: string): void {
    (status === 'read' ? this.s.advanceToRead : this.s.advanceToDelivered).run(now, conversationId, leg, after, through);
  }

  /** One command of a group commit (group-commit.ts) starts: its own savepoint inside the batch's transaction. */
  savepoint(): void {
    this.s.savepoint.run();
  }

  /** The command succeeded: keep its writes in the batch. */
  release(): void {
    this.s.release.run();
  }

  /** The command failed: undo its writes only, and leave the savepoint. */
  rollbackToSavepoint(): void {
    this.s.rollbackTo.run();
    this.s.release.run();
  }
}

function prepare(db: SQLite.Database) {
  return {
    eventByKey: db.prepare('select * from "events" where "source" = ? and "idem_key" = ?'),
    conversation: db.prepare('select * from "conversations" where "id" = ?'),
    savepoint: db.prepare('savepoint parley_command'),
    release: db.prepare('release parley_command'),
    rollbackTo: db.prepare('rollback to parley_command'),
    bumpSeq: db.prepare('update "conversations" set "last_seq" = "last_seq" + 1, "updated_at" = ? where "id" = ? returning "last_seq"'),
    advanceToDelivered: db.prepare(
      `update "deliveries" set "status" = 'delivered', "updated_at" = ? where "conversation_id" = ? and "leg" = ? and "seq" > ? and "seq" <= ? and "status" in ('pending', 'sent')`,
    ),
    advanceToRead: db.prepare(
      `update "deliveries" set "status" = 'read', "updated_at" = ? where "conversation_id" = ? and "leg" = ? and "seq" > ? and "seq" <= ? and "status" in ('pending', 'sent', 'delivered')`,
    ),
    insertEvent: db.prepare(
      'insert into "events" ("id", "conversation_id", "seq", "kind", "author", "origin", "body", "source", "idem_key", "created_at") values (@id, @conversation_id, @seq, @kind, @author, @origin, @body, @source, @idem_key, @created_at)',
    ),
    insertDelivery: db.prepare(
      'insert into "deliveries" ("id", "conversation_id", "event_id", "seq", "leg", "adapter", "status", "attempts", "next_attempt_at", "external_id", "last_error", "created_at", "updated_at") values (@id, @conversation_id, @event_id, @seq, @leg, @adapter, @status, @attempts, @next_attempt_at, @external_id, @last_error, @created_at, @updated_at)',
    ),
  };
}
