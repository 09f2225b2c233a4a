import type { Emitter } from './emitter.js';
import { errorFromJson, networkError } from './http.js';
import { newClientMessageId } from './ids.js';
import type { Store } from './store.js';
import { ParleyApiError, type CustomerEvents, type OutgoingMessage, type ParleyEvent, type Part } from './types.js';

// Messages written but not yet acknowledged by the hub. They go out one at a time, oldest first (so they
// are stored in the order they were written), and are retried with the same clientMessageId, with backoff,
// until acknowledged, also after a reload (they are kept in storage). A refusal the hub marks as final
// turns a message `failed`; the app may retry or discard it.

interface StoredOutgoing extends Omit<OutgoingMessage, 'error'> {
  error?: ReturnType<ParleyApiError['toJSON']>;
}

export interface OutboxDeps {
  store: Store;
  emitter: Emitter<CustomerEvents>;
  /** Hand one message to the hub (socket or REST); resolves with the stored event. */
  transmit(entry: OutgoingMessage): Promise<ParleyEvent>;
  /** The hub stored it: take the event into the conversation's log. */
  stored(event: ParleyEvent): void;
  isClosed(): boolean;
  backoff: { minMs: number; maxMs: number };
}

export class Outbox {
  private entries: OutgoingMessage[] = [];
  private flushing = false;
  private flushAgain = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private attempt = 0;

  constructor(private readonly deps: OutboxDeps) {
    const stored = deps.store.get<StoredOutgoing[]>('outbox') ?? [];
    this.entries = stored
      .filter((e) => e && typeof e.clientMessageId === 'string' && typeof e.conversationId === 'string' && Array.isArray(e.parts))
      .map(({ error, ...rest }) => ({ ...rest, ...(error ? { error: errorFromJson(error) } : {}) }));
  }

  get size(): number {
    return this.entries.length;
  }

  /** Queue a new message (status 'pending') and start sending. */
  add(conversationId: string, parts: Part[]): OutgoingMessage {
    const entry: OutgoingMessage = { conversationId, clientMessageId: newClientMessageId(), parts, status: 'pending', createdAt: new Date().toISOString() };
    this.entries.push(entry);
    this.persist();
    this.deps.emitter.emit('outbox', { ...entry });
    this.deps.emitter.emit('status', { conversationId, clientMessageId: entry.clientMessageId, status: 'pending' });
    void this.flush();
    return { ...entry };
  }

  list(conversationId?: string): OutgoingMessage[] {
    return this.entries.filter((e) => conversationId === undefined || e.conversationId === conversationId).map((e) => ({ ...e }));
  }

  retry(clientMessageId: string): void {
    const entry = this.entries.find((e) => e.clientMessageId === clientMessageId);
    if (!entry || entry.status !== 'failed') return;
    entry.status = 'pending';
    delete entry.error;
    this.persist();
    this.deps.emitter.emit('outbox', { ...entry });
    void this.flush();
  }

  discard(clientMessageId: string): void {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.clientMessageId !== clientMessageId);
    if (this.entries.length !== before) this.persist();
  }

  /** The stream may bring my message before (or instead of) its ack: either way it is acknowledged. */
  seen(event: ParleyEvent): void {
    if (event.kind !== 'message' || !event.clientMessageId) return;
    const entry = this.entries.find((x) => x.clientMessageId === event.clientMessageId && x.conversationId === event.conversationId);
    if (entry) this.acknowledged(entry, event);
  }

  /** The connection came back: try at once, with the backoff reset. */
  resume(): void {
    this.attempt = 0;
    void this.flush();
  }

  /** Send pending messages one at a time, oldest first. */
  async flush(): Promise<void> {
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.flushing = true;
    try {
      do {
        this.flushAgain = false;
        if (!(await this.flushOnce())) {
          // Asked again while an attempt was failing (the stream just came back): try at once; otherwise
          // the backoff timer will.
          if (this.flushAgain && !this.deps.isClosed()) continue;
          this.schedule();
          return;
        }
      } while (this.flushAgain && !this.deps.isClosed());
      this.attempt = 0;
    } finally {
      this.flushing = false;
    }
  }

  /** Forget everything (a different contact's session starts from nothing). */
  clear(): void {
    this.entries = [];
    this.deps.store.remove('outbox');
  }

  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  /** One pass; false if a message could not be sent for now (it and those after it wait). */
  private async flushOnce(): Promise<boolean> {
    for (let entry = this.nextPending(); entry && !this.deps.isClosed(); entry = this.nextPending()) {
      try {
        const event = await this.deps.transmit(entry);
        this.acknowledged(entry, event);
        this.deps.stored(event);
      } catch (e) {
        const err = e instanceof ParleyApiError ? e : networkError();
        // Keep it (and everything after it) pending: order matters more than speed.
        if (err.retryable || err.isNetwork || err.status === 401) return false;
        entry.status = 'failed';
        entry.error = err;
        this.persist();
        this.deps.emitter.emit('outbox', { ...entry });
        this.deps.emitter.emit('status', { conversationId: entry.conversationId, clientMessageId: entry.clientMessageId, status: 'failed' });
        this.deps.emitter.emit('error', err);
      }
    }
    return true;
  }

  private nextPending(): OutgoingMessage | undefined {
    return this.entries.find((e) => e.status === 'pending');
  }

  private acknowledged(entry: OutgoingMessage, event: ParleyEvent): void {
    if (!this.entries.includes(entry)) return;
    this.entries = this.entries.filter((e) => e !== entry);
    this.persist();
    entry.status = 'sent';
    entry.event = event;
    delete entry.error;
    this.deps.emitter.emit('outbox', { ...entry });
    this.deps.emitter.emit('status', { conversationId: entry.conversationId, clientMessageId: entry.clientMessageId, seq: event.seq, status: 'sent' });
  }

  private schedule(): void {
    if (this.deps.isClosed() || this.timer !== undefined) return;
    const { minMs, maxMs } = this.deps.backoff;
    const base = Math.min(maxMs, minMs * 2 ** Math.min(this.attempt++, 20));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, base / 2 + Math.random() * (base / 2));
  }

  private persist(): void {
    const stored: StoredOutgoing[] = this.entries.map(({ error, event: _event, ...rest }) => ({ ...rest, ...(error ? { error: error.toJSON() } : {}) }));
    if (stored.length) this.deps.store.set('outbox', stored);
    else this.deps.store.remove('outbox');
  }
}
