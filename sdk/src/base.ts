import { Emitter } from './emitter.js';
import { errorFromJson, Http, networkError } from './http.js';
import { ConversationLog, type LogSnapshot } from './log.js';
import { Outbox } from './outbox.js';
import { MemoryStorage, Store } from './store.js';
import { Stream, type InFrame } from './stream.js';
import {
  ParleyApiError,
  type ClientOptions,
  type ConnectionState,
  type Conversation,
  type CustomerEvents,
  type Leg,
  type Media,
  type MessageEvent,
  type MessageStatus,
  type OutgoingMessage,
  type ParleyEvent,
  type Part,
  type WebSocketConstructor,
} from './types.js';

// What customers and agents share: the stream, the per-conversation logs (dedupe, order, gap filling),
// the outbox (send once, retry with the same clientMessageId until the hub acknowledges), ticks, typing,
// read marks, uploads, and the persistence of all of it. CustomerClient and AgentClient add their own API
// paths, session rules and extra frames.

const TYPING_REFRESH_MS = 3_000;
const TYPING_IDLE_MS = 5_000;
const PING_MS = 25_000;
const MAX_CONVERSATIONS_KEPT = 50;
const LIFECYCLE = new Set(['participant.joined', 'participant.left', 'transfer.started', 'conversation.queued', 'conversation.ended']);

export interface Dialect {
  role: 'customer' | 'agent';
  /** My leg: 'channel' for customers, 'desk' for agents. */
  leg: Leg;
  /** Where the conversation routes live: '/v1' or '/v1/agent'. */
  prefix: string;
}

type TypingState = { on: boolean; sentAt: number; idle: ReturnType<typeof setTimeout> | undefined };

export abstract class BaseClient {
  connectionState: ConnectionState = 'connecting';
  protected readonly emitter = new Emitter<CustomerEvents>();
  protected readonly http: Http;
  protected readonly store: Store;
  protected readonly stream: Stream;
  protected readonly logs = new Map<string, ConversationLog>();
  protected readonly outboxQueue: Outbox;
  protected tokenValue = '';
  /** Set once connect() finished: from then on a 401 means "the token died", not "try another one". */
  protected live = false;
  protected closed = false;
  private readonly otherLeg: Leg;
  private readonly gapFills = new Map<string, Promise<void>>();
  private readonly typingStates = new Map<string, TypingState>();
  private readonly readSent = new Map<string, number>();
  private readonly minMs: number;
  private readonly maxMs: number;
  private readonly onPageHide = (): void => this.store.flush();

  protected constructor(
    opts: ClientOptions,
    protected readonly dialect: Dialect,
  ) {
    this.otherLeg = dialect.leg === 'channel' ? 'desk' : 'channel';
    this.minMs = Math.max(10, opts.reconnect?.minMs ?? 500);
    this.maxMs = Math.max(this.minMs, opts.reconnect?.maxMs ?? 15_000);
    const timeoutMs = opts.requestTimeoutMs ?? 15_000;
    this.store = new Store(opts.storage ?? new MemoryStorage(), `${opts.storageKey ?? 'parley'}:${dialect.role}`);
    this.http = new Http({
      baseUrl: opts.baseUrl,
      fetch: opts.fetch,
      timeoutMs,
      token: () => this.tokenValue || undefined,
      onUnauthorized: (err) => {
        if (this.live && !this.closed) void this.unauthorized(err);
      },
    });
    const WS = opts.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!WS) throw new ParleyApiError('PARLEY_E_CONFIG', 'No WebSocket available: pass the `WebSocket` option (in Node, the `ws` package).', 0, false);
    this.stream = new Stream(
      WS,
      {
        url: () => this.streamUrl(),
        onFrame: (f) => this.onFrame(f),
        onState: (s) => this.onState(s),
        onRefused: () => this.checkToken(),
      },
      { minMs: this.minMs, maxMs: this.maxMs, timeoutMs, pingMs: PING_MS },
    );
    this.outboxQueue = new Outbox({
      store: this.store,
      emitter: this.emitter,
      transmit: (entry) => this.transmit(entry),
      stored: (event) => this.ingest([event]),
      isClosed: () => this.closed,
      backoff: { minMs: this.minMs, maxMs: this.maxMs },
    });
    this.restore();
    (globalThis as { addEventListener?: (t: string, f: () => void) => void }).addEventListener?.('pagehide', this.onPageHide);
  }

  /** The current token (customers get a new one when a stored token is rejected). */
  get token(): string {
    return this.tokenValue;
  }

  // ---- subclass hooks ---------------------------------------------------------------------------------

  /** A request or the stream was refused with 401/403 while running. */
  protected abstract unauthorized(err: ParleyApiError): Promise<void>;
  /** Ask the hub whether the token is still good: 'retry' (it is, or the hub is unreachable) or 'stop'. */
  protected abstract checkToken(): Promise<'retry' | 'stop'>;
  /** Frames only one kind of client gets (offers, queue position). */
  protected onOtherFrame(_frame: InFrame): void {}

  // ---- lifecycle ---------------------------------------------------------------------------------------

  /** Open the stream and wait until it is ready or has failed once (then it keeps retrying by itself). */
  protected startStream(): Promise<void> {
    this.live = true;
    return new Promise((resolve) => {
      const off = this.emitter.on('connection', (s) => {
        if (s === 'connecting') return;
        off();
        resolve();
      });
      this.stream.start();
    });
  }

  /** Drop the socket and connect again now (e.g. when the app comes back to the foreground). */
  reconnect(): void {
    if (this.closed) return;
    this.stream.reconnect();
  }

  /** Stop: close the stream, cancel timers, write what is pending to storage. The client cannot be reused. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stream.close();
    for (const t of this.typingStates.values()) if (t.idle !== undefined) clearTimeout(t.idle);
    this.outboxQueue.close();
    this.store.flush();
    (globalThis as { removeEventListener?: (t: string, f: () => void) => void }).removeEventListener?.('pagehide', this.onPageHide);
  }

  private onState(s: ConnectionState): void {
    this.connectionState = s;
    this.emitter.emit('connection', s);
    if (s === 'open') {
      this.outboxQueue.resume();
      for (const log of this.logs.values()) if (log.hasGap) this.fillGapQuietly(log.id);
    }
  }

  private streamUrl(): string {
    const base = this.http.baseUrl || ((globalThis as { location?: { origin: string } }).location?.origin ?? '');
    const cursors: Record<string, number> = {};
    for (const log of this.logs.values()) if (!log.ended && log.cursor > 0) cursors[log.id] = log.cursor;
    const q = `token=${encodeURIComponent(this.tokenValue)}${Object.keys(cursors).length ? `&cursors=${encodeURIComponent(JSON.stringify(cursors))}` : ''}`;
    return `${base.replace(/^http/i, 'ws')}/v1/stream?${q}`;
  }

  // ---- incoming ----------------------------------------------------------------------------------------

  private onFrame(f: InFrame): void {
    switch (f.type) {
      case 'event':
        this.ingest([f.event]);
        return;
      case 'typing':
        this.emitter.emit('typing', { conversationId: f.conversationId, author: f.author, typing: f.typing });
        return;
      case 'error':
        // Typing is a hint; a refused one (the conversation just ended) is not worth an error in the UI.
        if (!f.ref?.startsWith('typing:')) this.emitter.emit('error', errorFromJson(f.error));
        return;
      case 'ack':
        // An ack nobody waits for any more (its request timed out): the event still counts.
        if (f.event) this.ingest([f.event]);
        return;
      case 'revoked':
        // The server decides who sees what; lists refetch on this notice and the chat drops out of them.
        this.emitter.emit('conversation', { conversationId: f.conversationId });
        return;
      case 'ready':
      case 'pong':
        return;
      default:
        this.onOtherFrame(f);
    }
  }

  protected log(conversationId: string): ConversationLog {
    let log = this.logs.get(conversationId);
    if (!log) {
      log = new ConversationLog(conversationId);
      this.logs.set(conversationId, log);
    }
    return log;
  }

  /** Take events from anywhere (stream, REST, acks): each is emitted once, in seq order per conversation. */
  protected ingest(events: ParleyEvent[]): void {
    if (this.closed) return;
    const touched = new Set<ConversationLog>();
    // One 'conversation' notice per conversation per batch: a replay of hundreds of events is one refetch.
    const changed = new Set<string>();
    for (const e of events) {
      if (!e || typeof e.seq !== 'number' || typeof e.conversationId !== 'string') continue;
      const known = this.logs.has(e.conversationId);
      const log = this.log(e.conversationId);
      const accepted = log.offer(e);
      if (accepted.length) touched.add(log);
      if (!known && accepted.length) changed.add(log.id);
      for (const a of accepted) if (this.apply(log, a)) changed.add(log.id);
      if (log.hasGap) this.fillGapQuietly(log.id);
    }
    for (const log of touched) this.persistLog(log);
    for (const conversationId of changed) this.emitter.emit('conversation', { conversationId });
  }

  /** Apply one accepted event; true when the conversation itself changed (phase, agent, queue). */
  private apply(log: ConversationLog, e: ParleyEvent): boolean {
    if (e.origin === this.dialect.leg) this.outboxQueue.seen(e);
    this.emitter.emit('event', e);
    if (e.kind === 'message') this.emitter.emit('message', e as MessageEvent);
    if (e.kind === 'receipt' && e.origin === this.otherLeg) this.raise(log, e.receipt === 'read' ? e.through : 0, e.through);
    if (e.kind === 'delivery.failed' && e.leg === this.otherLeg && !log.failed.has(e.failedSeq)) {
      log.failed.add(e.failedSeq);
      this.emitStatus(log, e.failedSeq, 'failed');
    }
    return LIFECYCLE.has(e.kind);
  }

  /** The other side got (or read) my messages through a seq: move their ticks on, and say so. */
  protected raise(log: ConversationLog, read: number, delivered: number): void {
    const [oldRead, oldDelivered] = [log.theirRead, log.theirDelivered];
    log.theirRead = Math.max(log.theirRead, read);
    log.theirDelivered = Math.max(log.theirDelivered, delivered, log.theirRead);
    if (log.theirRead === oldRead && log.theirDelivered === oldDelivered) return;
    for (const e of log.events) {
      if (e.kind !== 'message' || e.origin !== this.dialect.leg || log.failed.has(e.seq)) continue;
      if (e.seq > oldRead && e.seq <= log.theirRead) this.emitStatus(log, e.seq, 'read');
      else if (e.seq > oldDelivered && e.seq <= log.theirDelivered) this.emitStatus(log, e.seq, 'delivered');
    }
    this.persistLog(log);
  }

  private emitStatus(log: ConversationLog, seq: number, status: MessageStatus): void {
    const e = log.find(seq);
    const clientMessageId = e?.kind === 'message' ? e.clientMessageId : undefined;
    this.emitter.emit('status', { conversationId: log.id, seq, status, ...(clientMessageId ? { clientMessageId } : {}) });
  }

  /** A conversation as the hub sent it: learn its ticks and whether it ended. */
  protected noteConversation(c: Conversation): Conversation {
    const log = this.log(c.id);
    const their = this.dialect.leg === 'channel' ? c.receipts?.desk : c.receipts?.customer;
    if (their) this.raise(log, their.read, their.delivered);
    if (c.phase === 'ended' && !log.ended) {
      log.ended = true;
      this.persistLog(log);
    }
    return c;
  }

  /** A gap noticed in passing: fill it if the hub answers, else the next resume of the stream will. */
  private fillGapQuietly(conversationId: string): void {
    this.fillGap(conversationId).catch(() => undefined);
  }

  /** Read what is missing after the cursor over REST (a gap in the stream, or history on demand). */
  protected fillGap(conversationId: string): Promise<void> {
    const running = this.gapFills.get(conversationId);
    if (running) return running;
    const p = (async () => {
      try {
        for (;;) {
          const log = this.log(conversationId);
          const r = await this.http.request<{ events: ParleyEvent[]; lastSeq: number }>('GET', `${this.dialect.prefix}/conversations/${encodeURIComponent(conversationId)}/events`, {
            query: { after: log.cursor, limit: 500 },
          });
          this.ingest(r.events);
          if (r.events.length < 500) return;
        }
      } finally {
        this.gapFills.delete(conversationId);
      }
    })();
    this.gapFills.set(conversationId, p);
    return p;
  }

  // ---- history -------------------------------------------------------------------------------------------

  /** The events this client holds for a conversation, in seq order, without duplicates. */
  history(conversationId: string): ParleyEvent[] {
    return [...(this.logs.get(conversationId)?.events ?? [])];
  }

  /** Fetch whatever the client does not hold yet (GET events?after=cursor), then return the history. */
  async loadHistory(conversationId: string): Promise<ParleyEvent[]> {
    await this.fillGap(conversationId);
    // A gap fill that was already running may have started before the newest events; one more pass is cheap.
    if (this.log(conversationId).hasGap) await this.fillGap(conversationId);
    return this.history(conversationId);
  }

  /** For my messages: pending/sent/delivered/read/failed, from receipts and delivery.failed events. */
  statusOf(conversationId: string, seq: number): MessageStatus {
    return this.logs.get(conversationId)?.statusOf(seq) ?? 'sent';
  }

  // ---- outbox (see outbox.ts) ------------------------------------------------------------------------------

  /**
   * Send a message. It is queued at once (returned with status 'pending'), sent over the socket when the
   * stream is open or over REST otherwise, and retried with the same clientMessageId until the hub
   * acknowledges it, also after a reload. Watch 'outbox' and 'status' for progress.
   */
  send(conversationId: string, input: { text?: string; parts?: Part[] }): OutgoingMessage {
    if (this.closed) throw new ParleyApiError('PARLEY_E_CLOSED', 'This client was closed.', 0, false);
    const parts: Part[] = [];
    if (input.text !== undefined && input.text.length > 0) parts.push({ type: 'text', text: input.text });
    if (input.parts) parts.push(...input.parts);
    if (parts.length === 0) throw new ParleyApiError('PARLEY_E_VALIDATION', 'A message needs text or parts.', 422, false);
    this.typing(conversationId, false);
    return this.outboxQueue.add(conversationId, parts);
  }

  /** Messages not acknowledged yet (pending, or failed for good), oldest first. */
  outbox(conversationId?: string): OutgoingMessage[] {
    return this.outboxQueue.list(conversationId);
  }

  /** Try a failed message again (same clientMessageId). */
  retry(clientMessageId: string): void {
    this.outboxQueue.retry(clientMessageId);
  }

  /** Give up on a message that has not been acknowledged (it is removed from the outbox). */
  discard(clientMessageId: string): void {
    this.outboxQueue.discard(clientMessageId);
  }

  /** Send what is pending now (e.g. after a new session). */
  protected flush(): Promise<void> {
    return this.outboxQueue.flush();
  }

  private async transmit(entry: OutgoingMessage): Promise<ParleyEvent> {
    const body = { conversationId: entry.conversationId, clientMessageId: entry.clientMessageId, parts: entry.parts };
    if (this.stream.isReady) {
      const f = await this.stream.request({ type: 'message', ...body, ref: entry.clientMessageId });
      if (f.type === 'ack' && f.event) return f.event;
      throw networkError();
    }
    const r = await this.http.request<{ event: ParleyEvent }>('POST', `${this.dialect.prefix}/conversations/${encodeURIComponent(entry.conversationId)}/messages`, {
      body: { clientMessageId: entry.clientMessageId, parts: entry.parts },
    });
    return r.event;
  }

  // ---- typing, read, end, upload ---------------------------------------------------------------------

  /** Say whether I am typing. Throttled; "stopped" is sent by itself after a few seconds without a call. */
  typing(conversationId: string, typing: boolean): void {
    if (this.closed) return;
    let st = this.typingStates.get(conversationId);
    if (!st) this.typingStates.set(conversationId, (st = { on: false, sentAt: 0, idle: undefined }));
    if (st.idle !== undefined) clearTimeout(st.idle);
    st.idle = undefined;
    if (typing) {
      st.idle = setTimeout(() => this.typing(conversationId, false), TYPING_IDLE_MS);
      if (st.on && Date.now() - st.sentAt < TYPING_REFRESH_MS) return;
    } else if (!st.on) {
      return;
    }
    st.on = typing;
    st.sentAt = Date.now();
    if (this.stream.send({ type: 'typing', conversationId, typing, ref: `typing:${conversationId}` })) return;
    // Typing is a hint: a lost one is not worth an error.
    this.http.request('POST', `${this.dialect.prefix}/conversations/${encodeURIComponent(conversationId)}/typing`, { body: { typing } }).catch(() => undefined);
  }

  /** Mark everything through seq as read (the other side's ticks turn to read). Repeats are skipped. */
  async markRead(conversationId: string, seq: number): Promise<void> {
    const before = this.readSent.get(conversationId) ?? 0;
    if (seq <= before) return;
    this.readSent.set(conversationId, seq);
    try {
      if (this.stream.isReady) {
        try {
          await this.stream.request({ type: 'read', conversationId, seq, ref: `read:${conversationId}:${seq}` });
          return;
        } catch (e) {
          if (!(e instanceof ParleyApiError) || !e.isNetwork) throw e;
        }
      }
      await this.http.request('POST', `${this.dialect.prefix}/conversations/${encodeURIComponent(conversationId)}/read`, { body: { seq } });
    } catch (e) {
      // Reading an ended conversation changes nothing on the hub; not worth an error in the UI.
      if (e instanceof ParleyApiError && e.code === 'PARLEY_E_CONVERSATION_ENDED') return;
      if ((this.readSent.get(conversationId) ?? 0) === seq) this.readSent.set(conversationId, before);
      throw e;
    }
  }

  /** End the conversation. */
  async end(conversationId: string): Promise<void> {
    const r = await this.http.request<{ conversation: Conversation }>('POST', `${this.dialect.prefix}/conversations/${encodeURIComponent(conversationId)}/end`);
    this.noteConversation(r.conversation);
  }

  /** Upload a file (its type must be accepted by the hub); send the id as a `media` part. */
  async upload(file: Blob, name?: string): Promise<Media> {
    const fileName = name ?? (file as Blob & { name?: unknown }).name;
    const r = await this.http.request<{ media: Media }>('POST', '/v1/media', {
      raw: file,
      contentType: file.type || 'application/octet-stream',
      query: { name: typeof fileName === 'string' && fileName ? fileName : undefined },
    });
    return r.media;
  }

  // ---- persistence ---------------------------------------------------------------------------------------

  protected persistLog(log: ConversationLog): void {
    this.store.later(`conv:${log.id}`, () => log.snapshot());
    this.store.later('convs', () => this.keptConversations());
  }

  /** The conversations worth keeping across reloads: open ones first, then the most recently active. */
  private keptConversations(): string[] {
    const rank = (l: ConversationLog) => l.events[l.events.length - 1]?.createdAt ?? '';
    const all = [...this.logs.values()].filter((l) => l.cursor > 0).sort((a, b) => Number(a.ended) - Number(b.ended) || rank(b).localeCompare(rank(a)));
    for (const dropped of all.slice(MAX_CONVERSATIONS_KEPT)) this.store.remove(`conv:${dropped.id}`);
    return all.slice(0, MAX_CONVERSATIONS_KEPT).map((l) => l.id);
  }

  private restore(): void {
    for (const id of this.store.get<string[]>('convs') ?? []) {
      const log = ConversationLog.restore(id, this.store.get<Partial<LogSnapshot>>(`conv:${id}`));
      if (log) this.logs.set(id, log);
    }
  }

  /** Forget everything held for the previous identity (history, cursors, outbox). */
  protected clearCache(): void {
    for (const id of this.store.get<string[]>('convs') ?? []) this.store.remove(`conv:${id}`);
    for (const id of this.logs.keys()) this.store.remove(`conv:${id}`);
    this.store.remove('convs');
    this.outboxQueue.clear();
    this.logs.clear();
    this.readSent.clear();
  }
}
