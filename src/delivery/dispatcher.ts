import type { FastifyBaseLogger } from 'fastify';
import { sql, type Kysely } from 'kysely';
import { deliverJob } from '../core/adapter.js';
import { recordDeliveryFailure } from '../core/commands.js';
import { isParleyError, ParleyError } from '../core/errors.js';
import type { Delivery, Leg } from '../core/model.js';
import { nextRetry, type RetryPolicy } from '../core/retry.js';
import type { Hub } from '../hub/hub.js';
import { KeyedMutex } from '../hub/keyed-mutex.js';
import type { Metrics } from '../http/metrics.js';
import { nowIso } from '../store/tx.js';
import { traceConversation } from '../vendor/traffic-trace.js';
import { toContact, toConversation, toDelivery, toEvent } from '../store/rows.js';
import type { DB } from '../store/schema.js';

// The outbox worker. A lane is (conversation, leg): within a lane deliveries go out strictly in seq order,
// one at a time, and a failing head blocks the lane until it succeeds or gives up, so a customer never
// sees message 5 before message 4. Different lanes run concurrently. Delivery is at least once: a
// crash after the destination accepted but before we stored "sent" re-sends the same delivery id on
// restart, and adapters pass that id on so the destination can drop the duplicate.

export interface DispatcherOptions extends RetryPolicy {
  timeoutMs: number;
  /** How often to look for due retries when nothing wakes us. */
  pollMs?: number;
  /** Lanes processed at once. */
  concurrency?: number;
}

export class Dispatcher {
  private running = false;
  private wakeUp: (() => void) | undefined;
  private loopDone: Promise<void> | undefined;
  private readonly lanes = new KeyedMutex();
  private readonly busyLanes = new Set<string>();
  /** Lanes being worked, so stop() can wait for them before the database is closed. */
  private readonly inFlight = new Set<Promise<void>>();
  /** A wake() that arrived while the loop was busy; checked before sleeping so it is not lost. */
  private wakePending = false;
  private lastSweep = 0;

  constructor(
    private readonly hub: Hub,
    private readonly opts: DispatcherOptions,
    private readonly metrics: Metrics,
    private readonly log: FastifyBaseLogger,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loopDone;
    // Attempts in progress are bounded by timeoutMs; let them record their outcome.
    await Promise.all(this.inFlight);
  }

  /** Something was committed: look for work now rather than at the next poll. */
  wake(): void {
    const w = this.wakeUp;
    this.wakeUp = undefined;
    if (w) w();
    else this.wakePending = true;
  }

  get isRunning(): boolean {
    return this.running;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.wakePending = false;
      let found = 0;
      try {
        // Lanes run in the background: a lane stuck on a slow destination (up to timeoutMs per attempt)
        // must not hold up the other lanes, which awaiting them here would do.
        found = (await this.startDueLanes()).length;
        if (Date.now() - this.lastSweep > 5000) {
          this.lastSweep = Date.now();
          // Backstop for assignment triggers that were missed (a crash between commit and settle).
          for (const q of await this.hub.queuesWithWaiting()) void this.hub.settleQueue(q);
        }
      } catch (e) {
        this.log.error({ err: e }, 'dispatcher tick failed');
      }
      if (!this.running) break;
      if (found === 0 && !this.wakePending) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.opts.pollMs ?? 1000);
          this.wakeUp = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
    }
  }

  /** One pass: find lanes whose head delivery is due and work them. Returns how many lanes it started. */
  async tick(): Promise<number> {
    const work = await this.startDueLanes();
    await Promise.all(work);
    return work.length;
  }

  /** Start the due lanes that are not already being worked; a finished lane wakes the loop. */
  private async startDueLanes(): Promise<Promise<void>[]> {
    const heads = await dueHeads(this.hub.db, Date.now()).execute();
    const limit = this.opts.concurrency ?? 16;
    const work: Promise<void>[] = [];
    for (const h of heads) {
      if (this.busyLanes.size >= limit) break;
      if (this.busyLanes.has(`${h.conversation_id}|${h.leg}`)) continue;
      const p: Promise<void> = this.workLane(h.conversation_id, h.leg as Leg).finally(() => {
        this.inFlight.delete(p);
        this.wake();
      });
      this.inFlight.add(p);
      work.push(p);
    }
    return work;
  }

  private workLane(conversationId: string, leg: Leg): Promise<void> {
    const key = `${conversationId}|${leg}`;
    this.busyLanes.add(key);
    return this.lanes
      .run(key, () => this.drainLane(conversationId, leg))
      .catch((e: unknown) => this.log.error({ err: e, conversationId, leg }, 'delivery lane failed'))
      .finally(() => this.busyLanes.delete(key));
  }

  private async drainLane(conversationId: string, leg: Leg): Promise<void> {
    const { db } = this.hub;
    const rows = await db.selectFrom('deliveries').selectAll().where('conversation_id', '=', conversationId).where('leg', '=', leg).where('status', '=', 'pending').orderBy('seq').limit(100).execute();
    if (rows.length === 0) return;
    const convRow = await db.selectFrom('conversations').selectAll().where('id', '=', conversationId).executeTakeFirst();
    if (!convRow) return;
    const conversation = toConversation(convRow);
    const contactRow = await db.selectFrom('contacts').selectAll().where('id', '=', conversation.contactId).executeTakeFirst();
    const contact = contactRow && toContact(contactRow);
    // Each success is recorded as soon as the destination accepts it: a crash then re-sends at most the
    // one delivery in flight, not everything the lane had already handed over.
    const recordSent = (id: string, status: 'sent' | 'delivered', externalId: string | undefined) =>
      db
        .updateTable('deliveries')
        .set((eb) => ({ status, attempts: eb('attempts', '+', 1), external_id: externalId ?? null, updated_at: nowIso() }))
        .where('id', '=', id)
        // Only a pending row moves: a receipt may already have moved it further.
        .where('status', '=', 'pending')
        .execute();
    for (const row of rows) {
      const delivery = toDelivery(row);
      if (delivery.nextAttemptAt > Date.now()) break;
      const eventRow = await db.selectFrom('events').selectAll().where('id', '=', delivery.eventId).executeTakeFirst();
      if (!eventRow) continue;
      let adapter;
      try {
        adapter = this.hub.adapters.get(leg, delivery.adapter);
      } catch (e) {
        // The adapter was removed from the configuration: back off like any unavailable destination
        // (it may come back) instead of re-running this lane in a tight loop.
        await this.failed(delivery, new ParleyError('DELIVERY_UNAVAILABLE', `No ${leg} adapter "${delivery.adapter}" is configured.`, { cause: e }));
        break;
      }
      const started = process.hrtime.bigint();
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), this.opts.timeoutMs);
      try {
        const outcome = await Promise.race([
          // Inside the conversation's trace: the adapter's vendor requests are recorded for the event inspector.
          traceConversation(this.hub.traffic, conversation, () => deliverJob(adapter, { delivery, event: toEvent(eventRow), conversation, contact }, ac.signal)),
          new Promise<never>((_, reject) => ac.signal.addEventListener('abort', () => reject(new ParleyError('DELIVERY_TIMEOUT')))),
        ]);
        await recordSent(delivery.id, outcome.status, outcome.externalId);
        this.metrics.deliveries.inc({ adapter: adapter.id, outcome: 'sent' });
      } catch (e) {
        await this.failed(delivery, e);
        break; // the lane waits for its head
      } finally {
        clearTimeout(timer);
        this.metrics.deliveryDuration.observe({ adapter: adapter.id }, Number(process.hrtime.bigint() - started) / 1e9);
      }
    }
  }

  private async failed(d: Delivery, e: unknown): Promise<void> {
    const err = isParleyError(e) ? e : new ParleyError('DELIVERY_UNAVAILABLE', e instanceof Error ? e.message : String(e), { cause: e });
    const attempts = d.attempts + 1;
    const decision = nextRetry(this.opts, attempts, err);
    const now = nowIso();
    if (decision.retry) {
      this.metrics.deliveries.inc({ adapter: d.adapter, outcome: 'retry' });
      this.log.warn({ deliveryId: d.id, adapter: d.adapter, attempts, code: err.code, delayMs: decision.delayMs }, 'delivery attempt failed; will retry');
      await this.hub.db
        .updateTable('deliveries')
        .set({ attempts, next_attempt_at: Date.now() + decision.delayMs, last_error: `${err.code}: ${err.message}`.slice(0, 500), updated_at: now })
        .where('id', '=', d.id)
        .execute();
      // Look again when the retry is due; the poll is only a backstop (and finds other nodes' retries).
      // A timer can fire a millisecond early against Date.now(), which the due check uses: keep a margin,
      // or the retry is found "not yet due" and waits a whole poll.
      setTimeout(() => this.wake(), decision.delayMs + 5).unref();
      return;
    }
    this.metrics.deliveries.inc({ adapter: d.adapter, outcome: 'failed' });
    this.log.error({ deliveryId: d.id, adapter: d.adapter, attempts, code: err.code }, 'delivery failed for good');
    await this.hub.run(async (ctx) => {
      await ctx.tx.markDeliveryFailed(d.id, attempts, `${err.code}: ${err.message}`.slice(0, 500));
      return recordDeliveryFailure(ctx, { conversationId: d.conversationId, seq: d.seq, leg: d.leg, deliveryId: d.id, code: err.code, reason: err.message });
    });
  }

  /** Put a failed delivery back in its lane (admin "retry"). */
  async retry(deliveryId: string): Promise<Delivery | undefined> {
    await this.hub.db.updateTable('deliveries').set({ status: 'pending', attempts: 0, next_attempt_at: Date.now(), updated_at: nowIso() }).where('id', '=', deliveryId).where('status', '=', 'failed').execute();
    const row = await this.hub.db.selectFrom('deliveries').selectAll().where('id', '=', deliveryId).executeTakeFirst();
    this.wake();
    return row && toDelivery(row);
  }
}

/**
 * The head (lowest seq) of each lane with a pending delivery that is due: the dispatcher's poll. Exported so
 * a test can check its plan searches the partial index over pending rows instead of scanning the table.
 */
export function dueHeads(db: Kysely<DB>, now: number) {
  return db
    .selectFrom('deliveries as d')
    .select(['d.conversation_id', 'd.leg'])
    // A literal, not a parameter: a PostgreSQL generic plan (what a prepared statement gets after its first
    // runs) can use the partial index over pending rows (migration 005) only when the query says so itself.
    .where('d.status', '=', sql.lit('pending'))
    .where('d.next_attempt_at', '<=', now)
    .where(({ eb, selectFrom }) =>
      eb(
        'd.seq',
        '=',
        selectFrom('deliveries as e')
          .select(sql<number>`min(e.seq)`.as('m'))
          .whereRef('e.conversation_id', '=', 'd.conversation_id')
          .whereRef('e.leg', '=', 'd.leg')
          .where('e.status', '=', 'pending'),
      ),
    )
    .orderBy('d.next_attempt_at')
    .limit(200);
}
