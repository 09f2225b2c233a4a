import type { MessageStatus, ParleyEvent } from './types.js';

// What the client holds of one conversation's log. Events are accepted strictly in seq order: `cursor` is
// the highest seq such that everything up to it has been seen, which is exactly what the stream's resume
// (?cursors=) and the REST catch-up (?after=) want. An event that arrives ahead of the cursor (an ack for
// my message before the stream delivered the one before it) waits in `ahead` until the gap is filled.

export const MAX_EVENTS_KEPT = 500;

export interface LogSnapshot {
  cursor: number;
  events: ParleyEvent[];
  theirDelivered: number;
  theirRead: number;
  failed: number[];
  ended: boolean;
}

export class ConversationLog {
  cursor = 0;
  events: ParleyEvent[] = [];
  readonly ahead = new Map<number, ParleyEvent>();
  /** How far the other side has been delivered / has read (drives my ticks). */
  theirDelivered = 0;
  theirRead = 0;
  /** My messages the hub gave up delivering (delivery.failed). */
  readonly failed = new Set<number>();
  ended = false;

  constructor(readonly id: string) {}

  /** Take one event; returns the events that are now accepted, in order (none for a duplicate or a gap). */
  offer(e: ParleyEvent): ParleyEvent[] {
    if (e.seq <= this.cursor) return [];
    if (e.seq > this.cursor + 1) {
      this.ahead.set(e.seq, e);
      return [];
    }
    const out: ParleyEvent[] = [e];
    this.accept(e);
    for (let next = this.ahead.get(this.cursor + 1); next; next = this.ahead.get(this.cursor + 1)) {
      this.ahead.delete(next.seq);
      this.accept(next);
      out.push(next);
    }
    for (const seq of this.ahead.keys()) if (seq <= this.cursor) this.ahead.delete(seq);
    return out;
  }

  private accept(e: ParleyEvent): void {
    this.cursor = e.seq;
    this.events.push(e);
    if (e.kind === 'conversation.ended') this.ended = true;
    // Bounded memory and storage: old events can always be fetched again, the cursor is what matters.
    if (this.events.length > MAX_EVENTS_KEPT * 1.2) this.events = this.events.slice(-MAX_EVENTS_KEPT);
  }

  get hasGap(): boolean {
    return this.ahead.size > 0;
  }

  find(seq: number): ParleyEvent | undefined {
    const first = this.events[0];
    if (!first) return undefined;
    const e = this.events[seq - first.seq];
    return e?.seq === seq ? e : this.events.find((x) => x.seq === seq);
  }

  statusOf(seq: number): MessageStatus {
    if (this.failed.has(seq)) return 'failed';
    if (seq <= this.theirRead) return 'read';
    if (seq <= this.theirDelivered) return 'delivered';
    const floor = this.find(seq)?.status;
    return floor === 'delivered' || floor === 'read' || floor === 'failed' ? floor : 'sent';
  }

  snapshot(): LogSnapshot {
    return {
      cursor: this.cursor,
      events: this.events.slice(-MAX_EVENTS_KEPT),
      theirDelivered: this.theirDelivered,
      theirRead: this.theirRead,
      failed: [...this.failed].slice(-200),
      ended: this.ended,
    };
  }

  static restore(id: string, s: Partial<LogSnapshot> | undefined): ConversationLog | undefined {
    if (!s || typeof s.cursor !== 'number' || !Array.isArray(s.events)) return undefined;
    const log = new ConversationLog(id);
    log.cursor = s.cursor;
    // Keep only a contiguous tail ending at the cursor, whatever an older version may have written.
    const events = s.events.filter((e) => e && typeof e.seq === 'number').sort((a, b) => a.seq - b.seq);
    let start = events.length - 1;
    if (events[start]?.seq === log.cursor) {
      while (start > 0 && events[start - 1]!.seq === events[start]!.seq - 1) start--;
      log.events = events.slice(start);
    }
    log.theirDelivered = s.theirDelivered ?? 0;
    log.theirRead = s.theirRead ?? 0;
    for (const f of s.failed ?? []) log.failed.add(f);
    log.ended = Boolean(s.ended);
    return log;
  }
}
