import { agentMayRead, customerMayRead, type ConversationAccessFacts } from '../core/access.js';
import { recordReceipt } from '../core/commands.js';
import { ParleyError } from '../core/errors.js';
import type { Agent, Conversation, Leg, StoredEvent } from '../core/model.js';
import type { Hub } from '../hub/hub.js';
import { conversationById, conversationsForAgent, conversationsOfContact, eventsAfter } from '../hub/reads.js';
import { agentAuthority, revocationOf } from '../http/guard.js';
import { presentEvent, statusOf } from '../http/present.js';
import type { UrlSigner } from '../media/signing.js';
import { toOffer } from '../store/rows.js';
import type { BusMessage } from './bus.js';

// One live stream (WebSocket or SSE) of a customer or an agent. The resume rule: the client says the
// last seq it holds per conversation; the session subscribes to the bus first, then replays everything
// after those seqs from the database, then forwards live events. Every conversation's events leave in seq
// order with no gaps and no repeats: a live event that skips ahead (two commits published out of order)
// makes the session read the missing ones from the database first. Nothing depends on a push arriving.
// An admin's session may also watch any one conversation (the console's event inspector): the same
// rules, fed by that conversation's bus topic.
//
// Access is checked on every live event against the conversation's state after that event, by the same
// rule as REST (core/access.ts). A session that loses a conversation (taken by another agent, transferred
// away, ended while waiting in a queue, the agent demoted) sends one `revoked` frame and nothing more of
// it; an agent's authority (role, queues, disabled, password) is re-read whenever it changes.

export type Viewer = { kind: 'customer'; contactId: string } | { kind: 'agent'; agent: Agent; tokenEpoch: number };

export type OutFrame = Record<string, unknown> & { type: string };

export interface SessionTransport {
  /** Send a frame; `written` is called once it reached the socket (used for "delivered" receipts). */
  send(frame: OutFrame, written?: () => void): void;
  /** End the stream because its holder's authority ended (a WebSocket close code 4401/4403 with the error code). */
  end(error: ParleyError): void;
}

const RECEIPT_FLUSH_MS = 100;

export class StreamSession {
  // The maps and sets are made on first use: an idle stream with nothing to follow (a visitor who has not
  // started a chat) holds none of them, and a node may hold tens of thousands of those.
  /** Conversation → the last seq sent; a conversation is followed once it has an entry. */
  private lastSent: Map<string, number> | undefined;
  private chain: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  /** One handler for every topic, so a message published to several of them arrives once. */
  private readonly onMessage = (msg: BusMessage): void => void this.enqueue(() => this.onBus(msg));
  private watched: Map<string, () => void> | undefined;
  /** Ended conversations skipped at replay: their cursor is set, but nothing of them was sent. */
  private skipped: Set<string> | undefined;
  private closed = false;
  private pendingDelivered: Map<string, number> | undefined;
  private receiptTimer: NodeJS.Timeout | undefined;
  readonly leg: Leg;
  private viewerNow: Viewer;

  constructor(
    private readonly hub: Hub,
    private readonly signer: UrlSigner,
    viewer: Viewer,
    private readonly transport: SessionTransport,
    /** Where the client resumes; needed only by the replay, then let go. */
    private cursors: Record<string, number> | undefined,
  ) {
    this.viewerNow = viewer;
    this.leg = viewer.kind === 'customer' ? 'channel' : 'desk';
  }

  /** Who holds this stream, as of the last authority check (an agent's role and queues can change). */
  get viewer(): Viewer {
    return this.viewerNow;
  }

  private sentThrough(conversationId: string): number | undefined {
    return this.lastSent?.get(conversationId);
  }

  private markSent(conversationId: string, seq: number): void {
    (this.lastSent ??= new Map()).set(conversationId, seq);
  }

  private topicsOf(v: Viewer): string[] {
    return v.kind === 'customer' ? [`contact:${v.contactId}`] : [`agent:${v.agent.id}`, ...v.agent.queueIds.map((q) => `queue:${q}`)];
  }

  private mayRead(c: ConversationAccessFacts): boolean {
    const v = this.viewerNow;
    return v.kind === 'customer' ? customerMayRead(v.contactId, c) : agentMayRead(v.agent, c);
  }

  /** Stop sending a conversation its holder may no longer read, and say so once. */
  private revoke(conversationId: string): void {
    if (!this.lastSent?.has(conversationId)) return;
    this.lastSent.delete(conversationId);
    this.skipped?.delete(conversationId);
    this.pendingDelivered?.delete(conversationId);
    this.transport.send({ type: 'revoked', conversationId });
  }

  /** The cursor map (conversation → last seq sent), for SSE ids. */
  cursorString(): string {
    return [...(this.lastSent ?? [])].map(([c, s]) => `${c}:${s}`).join(',');
  }

  start(): Promise<void> {
    const v = this.viewer;
    this.unsubscribe = this.hub.bus.subscribe(this.topicsOf(v), this.onMessage);
    if (v.kind === 'agent' && this.hub.presence.connect(v.agent.id)) void this.hub.agentAvailable(v.agent.id);
    return this.enqueue(() => this.replay());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    this.unwatchAll();
    if (this.viewer.kind === 'agent') this.hub.presence.disconnect(this.viewer.agent.id);
    if (this.receiptTimer) clearTimeout(this.receiptTimer);
    void this.flushReceipts();
  }

  /** Serialise all work of this session so frames leave in the order they were decided. */
  enqueue(task: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(() => (this.closed ? undefined : task())).catch(() => undefined);
    return this.chain;
  }

  private async conversations(): Promise<Conversation[]> {
    const v = this.viewer;
    return v.kind === 'customer' ? conversationsOfContact(this.hub.db, v.contactId) : conversationsForAgent(this.hub.db, v.agent.id, 'all', v.agent.role === 'admin');
  }

  private unwatchAll(): void {
    for (const off of this.watched?.values() ?? []) off();
    this.watched = undefined;
  }

  private async replay(): Promise<void> {
    const cursors = this.cursors ?? {};
    this.cursors = undefined;
    for (const c of await this.conversations()) {
      const cursor = cursors[c.id];
      // Ended conversations the client never asked about are history, not news: skip them.
      if (cursor === undefined && c.phase === 'ended') {
        this.markSent(c.id, c.lastSeq);
        (this.skipped ??= new Set()).add(c.id);
        continue;
      }
      this.markSent(c.id, cursor ?? 0);
      await this.catchUp(c.id, c);
    }
    if (this.viewer.kind === 'customer') {
      const offers = await this.hub.db.selectFrom('offers').selectAll().where('contact_id', '=', this.viewer.contactId).where('acknowledged_at', 'is', null).orderBy('created_at').execute();
      for (const o of offers) this.transport.send({ type: 'offer', offer: toOffer(o) });
      for (const c of await this.conversations()) {
        if (c.phase !== 'queued' && c.phase !== 'transferring') continue;
        const position = await this.hub.tx((tx) => tx.waitingPosition(c));
        if (position && c.queueId) this.transport.send({ type: 'availability', conversationId: c.id, queueId: c.queueId, position });
      }
    }
    this.transport.send({ type: 'ready', cursors: Object.fromEntries(this.lastSent ?? []) });
  }

  /**
   * Follow one conversation whoever holds it (admins only; the caller checks the role): subscribe to its
   * topic, then send its events after `after` that this session has not sent yet, then live ones. Resolves
   * once the replay is on the wire. Events this session already sent are not sent again.
   */
  async watch(conversationId: string, after = 0): Promise<void> {
    const c = await conversationById(this.hub.db, conversationId);
    if (!c) throw new ParleyError('CONVERSATION_NOT_FOUND');
    // The stream closed while the row was read: a subscription now would never be undone.
    if (this.closed) return;
    // Subscribe and queue the replay in the same tick: a live event published in between would otherwise
    // run before the replay set the cursor and be taken for a new conversation.
    const watched = (this.watched ??= new Map());
    if (!watched.has(c.id)) watched.set(c.id, this.hub.bus.subscribe([`conversation:${c.id}`], this.onMessage));
    return this.enqueue(async () => {
      const known = this.sentThrough(c.id);
      const unsent = known === undefined || this.skipped?.has(c.id) === true;
      this.skipped?.delete(c.id);
      this.markSent(c.id, unsent ? after : Math.max(known, after));
      await this.catchUp(c.id, c);
    });
  }

  /**
   * Send everything after what this session last sent for a conversation, from the database; live events
   * stop at their own seq (`through`): later ones are checked for access when they arrive.
   */
  private async catchUp(conversationId: string, conv?: Conversation, holder?: string | null, through = Number.MAX_SAFE_INTEGER): Promise<void> {
    for (;;) {
      const after = this.sentThrough(conversationId) ?? 0;
      if (after >= through) return;
      const events = await eventsAfter(this.hub.db, conversationId, after, Math.min(500, through - after));
      if (events.length === 0) return;
      for (const e of events) if (e.seq <= through) this.sendEvent(e, conv, holder);
      if (events.length < 500) return;
    }
  }

  /**
   * `holder` is the agent the conversation is assigned to, when known (live events carry it; replays read
   * it from the conversation row), so "delivered to the desk" needs no query per event.
   */
  private sendEvent(e: StoredEvent, conv?: Conversation, holder?: string | null): void {
    const last = this.sentThrough(e.conversationId) ?? 0;
    if (e.seq <= last) return;
    this.markSent(e.conversationId, e.seq);
    const status = conv ? statusOf(e, conv, this.leg) : e.kind === 'message' && e.origin === this.leg ? 'sent' : undefined;
    const fromOtherSide = e.kind === 'message' && (e.origin === null ? false : e.origin !== this.leg);
    const wantsReceipt = fromOtherSide || (e.kind === 'message' && e.author.role === 'business' && this.leg === 'channel');
    // Queue previews are not deliveries to the desk: only the agent holding the chat counts.
    const counts = this.viewer.kind === 'customer' || (holder ?? conv?.agentId) === this.viewer.agent.id;
    this.transport.send({ type: 'event', event: presentEvent(e, this.signer, status) }, wantsReceipt && counts ? () => this.noteDelivered(e) : undefined);
  }

  private async onBus(msg: BusMessage): Promise<void> {
    if (msg.type === 'event') {
      const { event: e } = msg;
      if (!this.mayRead(msg.conversation)) return this.revoke(e.conversationId);
      const last = this.sentThrough(e.conversationId);
      if (last === undefined) {
        // A conversation new to this session (just created, transferred to me): send its whole history.
        this.markSent(e.conversationId, 0);
        await this.catchUp(e.conversationId, undefined, msg.conversation.agentId, e.seq);
      } else if (e.seq === last + 1) {
        this.sendEvent(e, undefined, msg.conversation.agentId);
      } else if (e.seq > last + 1) {
        await this.catchUp(e.conversationId, undefined, msg.conversation.agentId, e.seq);
      }
      return;
    }
    if (msg.type === 'authority') return this.recheckAuthority();
    if (msg.type === 'vendor') {
      // Raw vendor traffic is for admins' event inspector only: sent to a session watching the conversation
      // (the watch frame is admins only, and a demoted admin's watches are dropped), whatever else it follows.
      const v = this.viewerNow;
      if (v.kind === 'agent' && v.agent.role === 'admin' && this.watched?.has(msg.conversationId)) {
        this.transport.send({ type: 'vendor', conversationId: msg.conversationId, record: msg.record });
      }
      return;
    }
    if (msg.type === 'signal') {
      const sig = msg.signal;
      // Signals carry no conversation state: they go only to sessions that hold the conversation now.
      if (this.sentThrough(sig.conversationId) === undefined || this.skipped?.has(sig.conversationId)) return;
      if (sig.type === 'typing') {
        const self = this.viewer.kind === 'customer' ? sig.author.role === 'customer' : sig.author.id === this.viewer.agent.id;
        if (!self) this.transport.send({ type: 'typing', conversationId: sig.conversationId, author: sig.author, typing: sig.typing });
      } else if (this.viewer.kind === 'customer') {
        const { type: _t, conversationId, ...rest } = sig;
        // position, waitSeconds and agentsOnQueue each only when known (a vendor desk may report no position).
        this.transport.send({ type: 'availability', conversationId, ...rest });
      }
      return;
    }
    this.transport.send({ type: 'offer', offer: msg.offer });
  }

  /**
   * The agent's role, queues, disabled state or password changed. End the stream if its token no longer
   * grants anything; otherwise follow the new queues, drop admin-only watches, and revoke every
   * conversation the agent may no longer read.
   */
  private async recheckAuthority(): Promise<void> {
    const v = this.viewerNow;
    if (v.kind !== 'agent') return;
    const authority = await agentAuthority(this.hub.db, v.agent.id);
    const agent = authority && (await this.hub.tx((tx) => tx.getAgent(v.agent.id)));
    const ended = revocationOf(authority, v.tokenEpoch) ?? (agent ? undefined : new ParleyError('UNAUTHENTICATED', 'This agent no longer exists.'));
    if (ended || !agent) {
      this.transport.end(ended ?? new ParleyError('UNAUTHENTICATED'));
      this.close();
      return;
    }
    const next: Viewer = { kind: 'agent', agent, tokenEpoch: v.tokenEpoch };
    this.viewerNow = next;
    this.unsubscribe?.();
    this.unsubscribe = this.hub.bus.subscribe(this.topicsOf(next), this.onMessage);
    if (agent.role !== 'admin') this.unwatchAll();
    const ids = [...(this.lastSent?.keys() ?? [])];
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await this.hub.db.selectFrom('conversations').select(['id', 'contact_id', 'agent_id', 'phase', 'queue_id']).where('id', 'in', ids.slice(i, i + 500)).execute();
      const facts = new Map(rows.map((r) => [r.id, { contactId: r.contact_id, agentId: r.agent_id, phase: r.phase as Conversation['phase'], queueId: r.queue_id }]));
      for (const id of ids.slice(i, i + 500)) {
        const f = facts.get(id);
        if (!f || !this.mayRead(f)) this.revoke(id);
      }
    }
  }

  /**
   * The other side's message reached this client's socket: record a "delivered" receipt, batched per
   * conversation so a burst costs one write.
   */
  private noteDelivered(e: StoredEvent): void {
    const pending = (this.pendingDelivered ??= new Map());
    pending.set(e.conversationId, Math.max(e.seq, pending.get(e.conversationId) ?? 0));
    this.receiptTimer ??= setTimeout(() => void this.flushReceipts(), RECEIPT_FLUSH_MS);
  }

  private async flushReceipts(): Promise<void> {
    this.receiptTimer = undefined;
    const batch = [...(this.pendingDelivered ?? [])];
    this.pendingDelivered = undefined;
    const author = this.viewer.kind === 'customer' ? { role: 'customer' as const, id: this.viewer.contactId } : { role: 'agent' as const, id: this.viewer.agent.id, name: this.viewer.agent.name };
    for (const [conversationId, through] of batch) {
      try {
        await this.hub.run((ctx) => recordReceipt(ctx, { conversationId, by: this.leg, author, receipt: 'delivered', through }));
      } catch {
        // The conversation may have been removed or the server is stopping; receipts are best effort.
      }
    }
  }
}
