import type { Kysely } from 'kysely';
import type { Adapters } from '../adapters.js';
import { assignWaiting, type CommandContext, type CommandResult } from '../core/commands.js';
import type { LegAdapter } from '../core/adapter.js';
import type { Conversation, Leg, Offer, Signal, StoredEvent } from '../core/model.js';
import type { RunInTx, RunOptions, Tx } from '../core/ports.js';
import { WAITING_PHASES } from '../core/phases.js';
import { conversationSummary, type Bus } from '../realtime/bus.js';
import type { Dialect } from '../store/db.js';
import type { DB } from '../store/schema.js';
import type { SqliteHot } from '../store/sqlite-hot.js';
import { aloneFirst } from '../store/pg-alone.js';
import type { PgHot } from '../store/pg-hot.js';
import { makeRunInTx } from '../store/tx.js';
import { VendorTraffic } from '../vendor/traffic.js';
import { noteTouched, traceConversation } from '../vendor/traffic-trace.js';
import { KeyedMutex } from './keyed-mutex.js';
import { Presence } from './presence.js';

// The hub runs core commands in one store transaction, then (only after commit) publishes what they
// appended, wakes the dispatcher, and keeps queues moving: round-robin assignment and queue positions.

export interface HubDeps {
  db: Kysely<DB>;
  dialect: Dialect;
  /** SQLite: the message hot path's prepared statements (store/sqlite-hot.ts). */
  hot?: SqliteHot | undefined;
  /** PostgreSQL: the message hot path, for commands run alone (store/pg-hot.ts, store/pg-alone.ts). */
  pgHot?: PgHot | undefined;
  bus: Bus;
  adapters: Adapters;
  /**
   * After each commit that appended events. `dispatch`: whether any of them has a delivery the dispatcher
   * must make (a leg that does not read the log); a message between built-in legs needs no dispatcher work.
   */
  onCommitted?: (events: StoredEvent[], dispatch: boolean) => void;
  /** A vendor adapter failed to pass a live signal on (logged; signals are best effort). */
  onSignalError?: (err: unknown, adapter: string) => void;
  /** The event inspector's vendor traffic; by default one built from the adapters and the bus. */
  traffic?: VendorTraffic;
}


export class Hub {
  readonly db: Kysely<DB>;
  readonly dialect: Dialect;
  readonly bus: Bus;
  readonly adapters: Adapters;
  readonly presence = new Presence();
  /** Recent vendor requests and webhooks per conversation, masked, in memory (src/vendor/traffic.ts). */
  readonly traffic: VendorTraffic;
  readonly runInTx: RunInTx;
  private readonly queueLocks = new KeyedMutex();
  private readonly onCommitted: (events: StoredEvent[], dispatch: boolean) => void;
  private readonly onSignalError: (err: unknown, adapter: string) => void;

  constructor(deps: HubDeps) {
    this.db = deps.db;
    this.dialect = deps.dialect;
    this.bus = deps.bus;
    this.adapters = deps.adapters;
    const runInTx = makeRunInTx(deps.db, deps.dialect, deps.hot);
    this.runInTx = deps.pgHot ? aloneFirst(runInTx, deps.pgHot) : runInTx;
    this.onCommitted = deps.onCommitted ?? (() => undefined);
    this.onSignalError = deps.onSignalError ?? (() => undefined);
    this.traffic =
      deps.traffic ??
      new VendorTraffic({
        // Only sessions watching the conversation subscribe to its topic; they are admins (the watch frame).
        publish: (conversationId, record) => this.bus.publish([`conversation:${conversationId}`], { type: 'vendor', conversationId, record }),
        redactionFor: deps.adapters.redactionFor,
        anyPolicy: deps.adapters.anyRedaction(),
        secrets: deps.adapters.secretValues(),
      });
  }

  /** Read-only or single-purpose access to the transaction port outside a command. */
  tx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.runInTx(fn);
  }

  /** Run one or more commands atomically, then publish and follow up. `alone`: see RunOptions. */
  async run<T extends CommandResult | CommandResult[]>(fn: (ctx: CommandContext) => Promise<T>, opts?: RunOptions): Promise<T> {
    let ctx: CommandContext | undefined;
    const result = await this.runInTx((tx) => fn((ctx = this.context(tx))), opts);
    // A vendor webhook being handled now touched these conversations (repeats too): its record goes there.
    for (const r of Array.isArray(result) ? (result as CommandResult[]) : [result as CommandResult]) if (r?.conversation) noteTouched(r.conversation);
    this.committed(Array.isArray(result) ? (result as CommandResult[]) : [result as CommandResult], ctx?.dispatch === true);
    return result;
  }

  /** A fresh command context for one attempt of a transaction (a retried one starts again from here). */
  private context(tx: Tx): CommandContext {
    return { tx, legsFor: this.adapters.legsFor, redactionFor: this.adapters.redactionFor };
  }

  private committed(results: CommandResult[], dispatch: boolean): void {
    const queues = new Set<string>();
    const all: StoredEvent[] = [];
    for (const r of results) {
      if (r.duplicate || r.events.length === 0) continue;
      for (const e of r.events) {
        this.publishEvent(e, r.conversation);
        all.push(e);
        if (
          r.conversation.queueId &&
          (e.kind === 'conversation.queued' || e.kind === 'participant.joined' || e.kind === 'conversation.ended' || e.kind === 'transfer.started')
        ) {
          queues.add(r.conversation.queueId);
        }
        // An agent freed capacity: their other queues may have someone waiting.
        if (e.kind === 'participant.left' || e.kind === 'conversation.ended') void this.kickAgentQueues(e);
      }
    }
    if (all.length) this.onCommitted(all, dispatch);
    for (const q of queues) void this.settleQueue(q);
  }

  publishEvent(event: StoredEvent, c: Conversation): void {
    const topics = [`contact:${c.contactId}`, `conversation:${c.id}`];
    if (c.agentId) topics.push(`agent:${c.agentId}`);
    if (event.kind === 'participant.left' || event.kind === 'transfer.started') {
      const left = event.kind === 'participant.left' ? event.participant.id : event.from?.id;
      if (left) topics.push(`agent:${left}`);
    }
    // Queue members see a conversation while it waits, and the moment it stops waiting.
    if (c.queueId && (WAITING_PHASES.includes(c.phase) || event.kind === 'participant.joined' || event.kind === 'conversation.ended' || event.kind === 'conversation.queued')) {
      topics.push(`queue:${c.queueId}`);
    }
    this.bus.publish(topics, { type: 'event', event, conversation: conversationSummary(c) });
  }

  /**
   * Fan a live signal out to streams, and to the other leg's adapter when it is a vendor's (typing from a
   * customer reaches a Genesys agent; an agent's typing or a queue estimate reaches an SMS or Messenger
   * customer where that channel can show it). Never stored, never retried.
   */
  publishSignal(signal: Signal, c: Conversation): void {
    noteTouched(c);
    const topics = [`contact:${c.contactId}`, `conversation:${c.id}`];
    if (c.agentId) topics.push(`agent:${c.agentId}`);
    this.bus.publish(topics, { type: 'signal', signal });
    const to: Leg = signal.type === 'availability' || signal.author.role !== 'customer' ? 'channel' : 'desk';
    let adapter: LegAdapter | undefined;
    try {
      adapter = this.adapters.get(to, to === 'channel' ? c.channel : c.desk);
    } catch {
      return; // an instance removed from the config: nobody to tell
    }
    if (!adapter.signal) return;
    const send = adapter.signal.bind(adapter);
    // The vendor requests it makes are this conversation's (the event inspector's vendor traffic).
    traceConversation(this.traffic, c, () => send({ signal, conversation: c })).catch((err: unknown) => this.onSignalError(err, adapter.id));
  }

  /** Tell an agent's open streams (on every node) that its authority changed, so they re-check it now. */
  authorityChanged(agentId: string): void {
    this.bus.publish([`agent:${agentId}`], { type: 'authority', agentId });
  }

  publishOffer(offer: Offer): void {
    this.bus.publish([`contact:${offer.contactId}`], { type: 'offer', offer });
  }

  private async kickAgentQueues(e: StoredEvent): Promise<void> {
    const agentId = e.kind === 'participant.left' ? e.participant.id : undefined;
    if (!agentId) return;
    const rows = await this.db.selectFrom('agent_queues').select('queue_id').where('agent_id', '=', agentId).execute();
    for (const r of rows) void this.settleQueue(r.queue_id);
  }

  /** An agent came online or freed capacity: try their queues. */
  async agentAvailable(agentId: string): Promise<void> {
    const rows = await this.db.selectFrom('agent_queues').select('queue_id').where('agent_id', '=', agentId).execute();
    await Promise.all(rows.map((r) => this.settleQueue(r.queue_id)));
  }

  /**
   * Assign what can be assigned in a queue, then tell everyone still waiting their position. Serialised
   * per queue so two triggers cannot both hand an agent their last free slot.
   */
  settleQueue(queueId: string): Promise<void> {
    return this.queueLocks.run(queueId, async () => {
      try {
        let ctx: CommandContext | undefined;
        const results = await this.runInTx((tx) => assignWaiting((ctx = this.context(tx)), { queueId, isOnline: this.presence.isOnline, desks: this.adapters.inboxDesks() }));
        this.committed(results, ctx?.dispatch === true);
        await this.publishPositions(queueId);
      } catch {
        // Best effort: the periodic sweep in the dispatcher loop settles queues again.
      }
    });
  }

  private async publishPositions(queueId: string): Promise<void> {
    const waiting = await this.runInTx((tx) => tx.waitingConversations(queueId, 500, this.adapters.inboxDesks()));
    waiting.forEach((c, i) => this.publishSignal({ type: 'availability', conversationId: c.id, queueId, position: i + 1 }, c));
  }

  /** Queues with someone waiting (for the periodic sweep). */
  async queuesWithWaiting(): Promise<string[]> {
    const rows = await this.db.selectFrom('conversations').select('queue_id').distinct().where('phase', 'in', ['queued', 'transferring']).execute();
    return rows.map((r) => r.queue_id).filter((q): q is string => q !== null);
  }
}
