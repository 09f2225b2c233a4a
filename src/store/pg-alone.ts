import type { AtOnceRequest, AtOnceResult, RunInTx } from '../core/ports.js';
import { NeedsTransaction, type PgHot } from './pg-hot.js';
import { eventBodyJson, toConversation, toEvent } from './rows.js';
import { KyselyTx, nowIso, orderedId } from './tx.js';

// Commands run alone (RunOptions.alone) on PostgreSQL start without a transaction: a message is then one
// round trip, in a statement that commits by itself together with the messages sent at the same moment
// (pg-hot.ts). Anything more — a refusal to raise, a conversation to queue, any other command — is run
// again from the start in the general transaction (makeRunInTx); nothing was written by then.

/** A row that keeps moving under the decision (a busy conversation) goes to the general path after this many tries. */
const DECISIONS = 3;

/** PostgreSQL errors of a lost race, which the general path retries (as makeRunInTx does). */
const isRace = (e: unknown): boolean => ['23505', '40001', '40P01'].includes((e as { code?: string } | null)?.code ?? '');

/**
 * The Tx of a command run alone, before any transaction: appendAtOnce only. Every other method runs on a
 * Kysely that refuses (NeedsTransaction), which sends the command to the general path.
 */
class PgAloneTx extends KyselyTx {
  /** The append committed: from here on the command must not touch the store. */
  committed = false;

  constructor(private readonly pg: PgHot) {
    super(pg.refusing, 'postgres');
  }

  async appendAtOnce(r: AtOnceRequest): Promise<AtOnceResult | undefined> {
    // Decided first on the row as last seen (no round trip); the statement proves it current under the lock.
    let row = this.pg.cached(r.conversationId) ?? (await this.pg.conversation(r.conversationId));
    for (let i = 0; row && i < DECISIONS; i++) {
      const plan = r.decide(toConversation(row));
      if (!plan) {
        // The general path refuses, or does more than one append. The next message reads the row afresh, so
        // a guess that has gone stale (a bot conversation since queued) does not keep it off this path.
        this.pg.forget(r.conversationId);
        return undefined;
      }
      const now = nowIso();
      // The same row appendEvent writes; its seq is the statement's.
      const event = {
        id: orderedId('ev'),
        conversation_id: r.conversationId,
        kind: plan.body.kind,
        author: JSON.stringify(plan.author),
        origin: plan.origin,
        body: eventBodyJson(plan.body),
        source: r.source,
        idem_key: r.key,
        created_at: now,
      };
      const deliveries = plan.deliveries.map((d) => ({ id: orderedId('dl'), ...d, next_attempt_at: Date.now() }));
      const out = await this.pg.append({ decidedOn: row, event, deliveries });
      if (out.kind === 'missing') return undefined;
      if (out.kind === 'seen') return { kind: 'seen', event: toEvent(out.event), conversation: toConversation(out.conversation) };
      if (out.kind === 'stale') {
        row = out.conversation; // decide again, on the row as it was locked
        continue;
      }
      this.committed = true;
      return { kind: 'appended', event: toEvent({ ...event, seq: out.seq }), conversation: { ...toConversation(out.conversation), lastSeq: out.seq }, plan };
    }
    return undefined;
  }
}

/** `general` with RunOptions.alone honoured: such a command first runs without a transaction (above). */
export function aloneFirst(general: RunInTx, pg: PgHot): RunInTx {
  return async (fn, opts) => {
    if (opts?.alone) {
      const tx = new PgAloneTx(pg);
      try {
        return await fn(tx);
      } catch (e) {
        if (tx.committed) {
          // The caller broke its promise (RunOptions.alone): what it did after the commit cannot be undone.
          throw e instanceof NeedsTransaction ? new Error('A command run alone used the store after its message was committed.', { cause: e }) : e;
        }
        // Nothing was written. Needing a transaction, or a race lost on a unique key (a concurrent retry with
        // the same key stored first): the general path runs it, and finds the winner.
        if (!(e instanceof NeedsTransaction) && !isRace(e)) throw e;
      }
    }
    return general(fn, opts);
  };
}
