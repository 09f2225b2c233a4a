import { Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler, type DatabaseConnection, type Driver } from 'kysely';
import pg from 'pg';
import type { ConversationsTable, DB, DeliveriesTable, EventsTable } from './schema.js';

// The message hot path on PostgreSQL: messages appended by ONE statement, committed by itself (autocommit),
// where the general path takes eight round trips per message (BEGIN, idempotency lookup, SELECT … FOR UPDATE,
// UPDATE last_seq, INSERT event, INSERT delivery, COMMIT). And group commit: the messages that arrive while
// a statement is out go together in the next one (up to MAX_BATCH), because each statement is a transaction
// with its commit (a WAL flush, synchronous_commit=on) and its fixed cost: one statement per message still
// reached only half the floor's rate, without any HTTP in front (bench/README.md).
//
// The statement (APPEND_SQL) takes the batch as one JSON array. For each message it looks the idempotency
// key up; it locks the conversations the others go to (FOR UPDATE, in id order so two batches never
// deadlock: appends to one log are serialised as before); and for the messages whose conversation row,
// as locked, still has the values the core decided on (GUARDED: ownership, phase, desk …) it bumps
// last_seq by their number and inserts their events (seq in batch order) and delivery rows. The decision
// stays in the core (Tx.appendAtOnce's `decide`), made on the row as last seen here (kept: a conversation's
// checks rarely change between two messages); where the row moved on, that message is not written and gets
// the row as locked, to be decided again.
//
// Why it keeps the guarantees: one statement is one transaction, so every bump, event and delivery of a batch
// commits together or not at all (seq stays gap-free, the outbox rows are the general path's); it commits
// with synchronous_commit=on before anyone is answered; a message whose key is taken gets the first event;
// a statement that fails (a concurrent retry with the same key: 23505 on events_source_key) is run again
// message by message, so one message's failure is its own; the checks are the core's, on rows the lock
// proves current.

/** The conversation's columns the core's decision may read: all but the ones appends and receipts move. */
const GUARDED = ['contact_id', 'channel', 'desk', 'queue_id', 'agent_id', 'phase', 'context', 'queued_at', 'created_at', 'ended_at'] as const;

const EVENT_COLUMNS = ['id', 'conversation_id', 'seq', 'kind', 'author', 'origin', 'body', 'source', 'idem_key', 'created_at'] as const;

const CONVERSATION_COLUMNS = [
  'id',
  'contact_id',
  'channel',
  'desk',
  'queue_id',
  'agent_id',
  'phase',
  'last_seq',
  'open_key',
  'customer_delivered_seq',
  'customer_read_seq',
  'desk_delivered_seq',
  'desk_read_seq',
  'context',
  'queued_at',
  'created_at',
  'updated_at',
  'ended_at',
] as const satisfies readonly (keyof ConversationsTable)[];
/** Compiles only while CONVERSATION_COLUMNS names every column: rows read here are whole rows for rows.ts. */
const _everyColumn: [Exclude<keyof ConversationsTable, (typeof CONVERSATION_COLUMNS)[number]>] extends [never] ? true : never = true;

/** Messages per statement: a batch's JSON stays small and its locks short. */
const MAX_BATCH = 64;

/** Statements out at once: the next batch runs while one waits for its WAL flush. */
const MAX_IN_FLIGHT = 2;

/**
 * The hot path's own connections (MAX_IN_FLIGHT, and one for the conversation reads). Its statements are
 * prepared once per connection, and a generic plan made while the tables were small (a fresh install) scans
 * them whole — measured: hash joins over `seq scan on events`, and a batch that grew slower with every
 * message the log held. With sequential scans and hash and merge joins off on these connections, every
 * lookup is an index lookup and each batch costs the same however the tables grow. Acknowledged means
 * durable: synchronous_commit=on, whatever the server's default.
 */
const CONNECTION_OPTIONS = '-c enable_seqscan=off -c enable_hashjoin=off -c enable_mergejoin=off -c synchronous_commit=on';

const guardList = (alias: string): string => GUARDED.map((col) => `${alias}.${col}`).join(', ');

// $1: [{ i, source, idem_key, conversation_id, now, …GUARDED, id, kind, author, origin, body, deliveries: [{ id, leg, adapter, status, next_attempt_at }] }]
const APPEND_SQL = `with m as materialized (
  select * from json_to_recordset($1::json) as m(i int, source text, idem_key text, conversation_id text, now text,
    ${GUARDED.map((col) => `${col} text`).join(', ')}, id text, kind text, author text, origin text, body text, deliveries json)
),
seen as materialized (
  select m.i, e.* from m join events e on e.source = m.source and e.idem_key = m.idem_key
),
locked as materialized (
  select c.* from conversations c
  where c.id in (select m.conversation_id from m where not exists (select from seen s where s.i = m.i))
  order by c.id for update
),
ok as materialized (
  select m.*, row_number() over w as rn, count(*) over w as n
  from m join locked l on l.id = m.conversation_id
  where not exists (select from seen s where s.i = m.i) and (${guardList('l')}) is not distinct from (${guardList('m')})
  window w as (partition by m.conversation_id order by m.i rows between unbounded preceding and unbounded following)
),
bumped as (
  update conversations c set last_seq = c.last_seq + k.n, updated_at = k.now
  from (select distinct on (conversation_id) conversation_id, n, now from ok order by conversation_id, i desc) k
  where c.id = k.conversation_id
  returning c.id, c.last_seq
),
appended as (
  insert into events (${EVENT_COLUMNS.join(', ')})
  select o.id, o.conversation_id, b.last_seq - o.n + o.rn, o.kind, o.author, o.origin, o.body, o.source, o.idem_key, o.now
  from ok o join bumped b on b.id = o.conversation_id
  returning id, seq
),
delivered as (
  insert into deliveries (id, conversation_id, event_id, seq, leg, adapter, status, attempts, next_attempt_at, external_id, last_error, created_at, updated_at)
  select d.id, o.conversation_id, a.id, a.seq, d.leg, d.adapter, d.status, 0, d.next_attempt_at, null, null, o.now, o.now
  from ok o join appended a on a.id = o.id
  cross join json_to_recordset(o.deliveries) as d(id text, leg text, adapter text, status text, next_attempt_at bigint)
)
select m.i, a.seq as appended_seq, ${CONVERSATION_COLUMNS.map((col) => `c.${col}`).join(', ')}, ${EVENT_COLUMNS.map((col) => `s.${col} as seen_${col}`).join(', ')}
from m
left join ok o on o.i = m.i
left join appended a on a.id = o.id
left join seen s on s.i = m.i
left join lateral (
  select * from locked l where l.id = m.conversation_id and s.i is null
  union all
  select * from conversations c2 where c2.id = s.conversation_id
) c on true
order by m.i`;

/** One message to append: its event (the seq is the statement's) and its delivery rows. */
export interface HotAppend {
  /** The conversation row the core decided on: the append is made only if the locked row still has its GUARDED values. */
  decidedOn: ConversationsTable;
  /** Its created_at is also the conversation's updated_at and the deliveries' created_at/updated_at. */
  event: Omit<EventsTable, 'seq'> & { source: string; idem_key: string };
  /** The rest of each delivery row is the event's (conversation, id, seq, created_at) or a new row's (attempts 0 …). */
  deliveries: Pick<DeliveriesTable, 'id' | 'leg' | 'adapter' | 'status' | 'next_attempt_at'>[];
}

export type HotOutcome =
  /** Committed. `conversation`: the row as this append locked it (before its bump). */
  | { kind: 'appended'; seq: number; conversation: ConversationsTable }
  /** The key was taken: its event and that event's conversation. Nothing written. */
  | { kind: 'seen'; event: EventsTable; conversation: ConversationsTable }
  /** The row changed since the decision (here as locked a moment ago). Nothing written. */
  | { kind: 'stale'; conversation: ConversationsTable }
  /** No such conversation. */
  | { kind: 'missing' };

type Row = { i: number; appended_seq: number | null } & { [K in keyof ConversationsTable]: ConversationsTable[K] | null } & {
  [K in (typeof EVENT_COLUMNS)[number] as `seen_${K}`]: EventsTable[K] | null;
};

interface Pending {
  append: HotAppend;
  resolve(outcome: HotOutcome): void;
  reject(err: unknown): void;
}

/** A command run alone asked for more than its one statement: run it again in a transaction (see pg-alone.ts). */
export class NeedsTransaction extends Error {
  constructor() {
    super('This command needs a transaction.');
    this.name = 'NeedsTransaction';
  }
}

export class PgHot {
  private readonly pool: pg.Pool;
  /** The conversation rows as last seen, most recent last; a guess that the statement checks under its lock. */
  private readonly rows = new Map<string, ConversationsTable>();
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;
  /** A Kysely that runs nothing: any query rejects with NeedsTransaction (the general path's methods, run alone). */
  readonly refusing: Kysely<DB> = refusingKysely();
  /** Statements run, and messages in them (messages ÷ statements = batch size). */
  readonly stats = { statements: 0, messages: 0 };

  constructor(
    connectionString: string,
    private readonly maxRows = 10_000,
  ) {
    this.pool = new pg.Pool({ connectionString, max: MAX_IN_FLIGHT + 1, options: CONNECTION_OPTIONS });
    // An idle client that errors (server restart) must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  /** The row as last seen, if it is still kept. */
  cached(id: string): ConversationsTable | undefined {
    return this.rows.get(id);
  }

  /** Forget a row, e.g. one the core would not append to: the next message reads it afresh. */
  forget(id: string): void {
    this.rows.delete(id);
  }

  /** Read a conversation row (no lock: a first guess for the core to decide on). */
  async conversation(id: string): Promise<ConversationsTable | undefined> {
    const r = await this.pool.query<ConversationsTable>({ name: 'parley_hot_conversation', text: 'select * from conversations where id = $1', values: [id] });
    const row = r.rows[0];
    if (row) this.keep(row);
    else this.forget(id);
    return row;
  }

  /** Append one message: with the others that come while a statement is out, in the next statement (above). */
  append(append: HotAppend): Promise<HotOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ append, resolve, reject });
      this.schedule();
    });
  }

  /**
   * The next batch goes after the current turn's I/O callbacks (setImmediate), so messages that arrived
   * together go together; with MAX_IN_FLIGHT statements out, the rest wait for one of them to return.
   */
  private schedule(): void {
    if (this.scheduled || this.inFlight >= MAX_IN_FLIGHT || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.queue.length > 0 && this.inFlight < MAX_IN_FLIGHT) {
        const batch = this.queue.splice(0, MAX_BATCH);
        this.inFlight++;
        void this.run(batch).finally(() => {
          this.inFlight--;
          this.schedule();
        });
      }
    });
  }

  private async run(batch: Pending[]): Promise<void> {
    let rows: Row[];
    try {
      rows = (await this.pool.query<Row>({ name: 'parley_hot_append', text: APPEND_SQL, values: [batchJson(batch)] })).rows;
    } catch (err) {
      // Nothing of the batch is stored. Alone, the message gets the error (aloneFirst sends a race lost on its
      // key to the general path, which finds the winner); in a batch, each is tried again on its own, so one
      // message's failure stays its own.
      if (batch.length === 1) batch[0]?.reject(err);
      else await Promise.all(batch.map((p) => this.run([p])));
      return;
    }
    this.stats.statements++;
    this.stats.messages += batch.length;
    // Rows come in batch order, one per message. A later message to a conversation finds the row as the
    // earlier one left it.
    const touched = new Map<string, string>();
    const answered = new Set<number>();
    for (const row of rows) {
      const p = batch[row.i];
      if (!p || answered.has(row.i)) continue;
      answered.add(row.i);
      try {
        p.resolve(this.outcome(row, p.append, touched));
      } catch (err) {
        p.reject(err);
      }
    }
    // Nobody is left waiting, should a row ever be missing (the statement committed: no retry here).
    for (const [i, p] of batch.entries()) if (!answered.has(i)) p.reject(new Error('The message statement returned no row for a message.'));
  }

  private outcome(row: Row, a: HotAppend, touched: Map<string, string>): HotOutcome {
    if (row.id === null) return { kind: 'missing' };
    const conversation = this.keep(conversationOf(row));
    if (row.seen_id !== null) {
      const event = Object.fromEntries(EVENT_COLUMNS.map((col) => [col, row[`seen_${col}`]])) as unknown as EventsTable;
      return { kind: 'seen', event, conversation };
    }
    if (row.appended_seq === null) return { kind: 'stale', conversation };
    const before = touched.get(conversation.id);
    touched.set(conversation.id, a.event.created_at);
    return { kind: 'appended', seq: Number(row.appended_seq), conversation: before === undefined ? conversation : { ...conversation, updated_at: before } };
  }

  private keep(row: ConversationsTable): ConversationsTable {
    // Re-inserted so the Map's order is least recently used first, and the oldest goes when it is full.
    this.rows.delete(row.id);
    this.rows.set(row.id, row);
    if (this.rows.size > this.maxRows) this.rows.delete(this.rows.keys().next().value as string);
    return row;
  }
}

/** The statement's one parameter: the batch, `i` being each message's place in it. */
function batchJson(batch: Pending[]): string {
  const messages = batch.map(({ append: { decidedOn, event: e, deliveries } }, i) => {
    // The strings a client chose can hold lone surrogates; the rest are ids, JSON text or PostgreSQL's own.
    const m: Record<string, unknown> = { i, source: wellFormed(e.source), idem_key: wellFormed(e.idem_key), conversation_id: wellFormed(e.conversation_id), now: e.created_at };
    for (const col of GUARDED) m[col] = decidedOn[col];
    m.id = e.id;
    m.kind = e.kind;
    m.author = e.author;
    m.origin = e.origin;
    m.body = e.body;
    m.deliveries = deliveries;
    return m;
  });
  return JSON.stringify(messages);
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A lone surrogate (a clientMessageId may hold one) as U+FFFD, which is what a bound parameter becomes on its
 * way to PostgreSQL as UTF-8 (so a key is stored and looked up as on the general path). In JSON it would be
 * the escape `\ud800`, which PostgreSQL's json parser refuses.
 */
const wellFormed = (s: string): string => s.replace(LONE_SURROGATE, '\ufffd');

/** The conversations columns of a result row. */
function conversationOf(row: Row): ConversationsTable {
  const out: Record<string, unknown> = {};
  for (const col of CONVERSATION_COLUMNS) out[col] = row[col];
  return out as unknown as ConversationsTable;
}

function refusingKysely(): Kysely<DB> {
  const refuse = (): Promise<never> => Promise.reject(new NeedsTransaction());
  const driver: Driver = {
    init: () => Promise.resolve(),
    acquireConnection: (): Promise<DatabaseConnection> => refuse(),
    beginTransaction: refuse,
    commitTransaction: refuse,
    rollbackTransaction: refuse,
    releaseConnection: () => Promise.resolve(),
    destroy: () => Promise.resolve(),
  };
  return new Kysely<DB>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => driver,
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
}
