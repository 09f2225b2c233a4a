import type {
  Agent,
  Author,
  Contact,
  Conversation,
  Delivery,
  DeliveryStatus,
  EventBody,
  Leg,
  Phase,
  Queue,
  StoredEvent,
} from './model.js';
import type { Part } from './parts.js';

// What the core needs from storage, inside one transaction. The store implements it with Kysely over
// SQLite or PostgreSQL; the core never imports a driver, so its rules are the same on both.

export interface EventDraft {
  body: EventBody;
  author: Author;
  origin: Leg | null;
  /** Idempotency: (source, key) is unique across the log. */
  source?: string;
  key?: string;
}

/** A delivery row an append writes with its event: `sent` for a leg that reads the log, `pending` otherwise. */
export interface DeliveryPlan {
  leg: Leg;
  adapter: string;
  status: 'pending' | 'sent';
}

/** One append decided on a conversation: the event (stored under the request's idempotency key) and its deliveries. */
export interface AppendPlan {
  body: EventBody;
  author: Author;
  origin: Leg | null;
  deliveries: DeliveryPlan[];
}

export interface AtOnceRequest {
  conversationId: string;
  /** Idempotency: an event already stored under (source, key) is returned instead, and nothing is written. */
  source: string;
  key: string;
  /**
   * The append this conversation takes, or undefined where the command needs its general path (a refusal, a
   * phase change). Pure, and may be called more than once: on a copy of the row kept from earlier, then on
   * the row as locked. It may read any field but the ones appends and receipts move (lastSeq, updatedAt, the
   * receipt counters): the store applies a plan only while the locked row still has the rest as decide saw it.
   */
  decide(conversation: Conversation): AppendPlan | undefined;
}

export type AtOnceResult =
  /** Appended. `conversation` as locked, with lastSeq the new event's seq (as the general path returns it). */
  | { kind: 'appended'; event: StoredEvent; conversation: Conversation; plan: AppendPlan }
  /** (source, key) was taken already: that event and its conversation (read, not locked). Nothing written. */
  | { kind: 'seen'; event: StoredEvent; conversation: Conversation };

export interface NewConversation {
  contactId: string;
  channel: string;
  desk: string;
  queueId: string | null;
  phase: Phase;
  context: Record<string, unknown>;
}

export interface Tx {
  now(): string;
  newId(prefix: string): string;

  // contacts
  getContact(id: string): Promise<Contact | undefined>;
  findContactByIdentity(channel: string, externalId: string): Promise<Contact | undefined>;
  /** Creates the contact and identity, or returns the contact that already owns the identity (no race). */
  ensureContactForIdentity(
    channel: string,
    externalId: string,
    profile: { name?: string | null | undefined; email?: string | null | undefined; verified: boolean },
  ): Promise<Contact>;

  // conversations
  /** Reads a conversation; on PostgreSQL `lock` takes a row lock so appends to one log are serialised. */
  getConversation(id: string, lock?: boolean): Promise<Conversation | undefined>;
  findOpenConversation(contactId: string, channel: string): Promise<Conversation | undefined>;
  /** Inserts unless an open conversation exists for (contact, channel); returns undefined on that conflict. */
  insertConversation(c: NewConversation): Promise<Conversation | undefined>;
  updateConversation(id: string, patch: Partial<Omit<Conversation, 'id' | 'contactId' | 'lastSeq'>>): Promise<void>;
  waitingPosition(conversation: Conversation): Promise<number>;

  // events
  findEventByKey(source: string, key: string): Promise<StoredEvent | undefined>;
  /** Appends with seq = last_seq + 1 and touches updated_at (the conversation row must be locked by the caller). */
  appendEvent(conversationId: string, draft: EventDraft): Promise<StoredEvent>;
  /** Keep a redacted message's unredacted parts (a route policy with `original: 'admins'`). */
  keepOriginal(original: { eventId: string; conversationId: string; parts: Part[] }): Promise<void>;
  /**
   * Optional (PostgreSQL, in a command run alone: RunOptions.alone): a message's transaction in one step — the
   * idempotency lookup, the conversation's row lock, `decide`, the append and its deliveries. undefined:
   * nothing was written, take the general path.
   */
  appendAtOnce?(request: AtOnceRequest): Promise<AtOnceResult | undefined>;
  getEventBySeq(conversationId: string, seq: number): Promise<StoredEvent | undefined>;
  getEvent(id: string): Promise<StoredEvent | undefined>;

  // deliveries
  insertDelivery(d: Pick<Delivery, 'conversationId' | 'eventId' | 'seq' | 'leg' | 'adapter'> & { status?: 'pending' | 'sent' }): Promise<void>;
  /** Moves every delivery of `leg` with seq ≤ through forward to `status` (never backwards, never out of failed). */
  markDeliveryFailed(deliveryId: string, attempts: number, error: string): Promise<void>;
  /** The delivery of one event to one leg, if it has one. */
  findDelivery(eventId: string, leg: Leg): Promise<Delivery | undefined>;
  /** `after`: the seq this receipt kind had reached before (rows at or below it moved then; not scanned again). */
  advanceDeliveries(conversationId: string, leg: Leg, through: number, status: Extract<DeliveryStatus, 'delivered' | 'read'>, after?: number): Promise<void>;

  // agents and queues
  getQueue(id: string): Promise<Queue | undefined>;
  getAgent(id: string): Promise<Agent | undefined>;
  /**
   * Active conversations an agent holds. `lock` first locks the agent's row until commit, so two
   * transactions checking the same agent's capacity run one after the other instead of both seeing room.
   */
  activeCount(agentId: string, lock?: boolean): Promise<number>;
  /** Agents of a queue in round-robin order (least recently assigned first), available ones only. */
  roundRobinCandidates(queueId: string): Promise<Agent[]>;
  /** The oldest waiting conversations of a queue, on these desk instances only. */
  waitingConversations(queueId: string, limit: number, desks: readonly string[]): Promise<Conversation[]>;
  markAssigned(agentId: string): Promise<void>;

  // external ids (vendor conversation, message, participant ids ⇄ Parley ids), per adapter instance
  /** Map an external id to a Parley id; if it is mapped already, keep the first mapping and return its Parley id. */
  linkExternal(ref: ExternalRef, parleyId: string): Promise<string>;
  findByExternal(ref: ExternalRef): Promise<string | undefined>;
  /** The external id an adapter instance knows a Parley id by (the newest, if several). */
  externalOf(adapter: string, kind: string, parleyId: string): Promise<string | undefined>;

  // vendor clocks: the newest vendor timestamp per (adapter instance, key) — Meta's reply windows (key: the
  // contact), LivePerson's state notifications (key: its conversation)
  /** Moves the clock of `key` forward to `at` (ISO); false when it already stood later (a stale report). */
  advanceClock(adapter: string, key: string, at: string): Promise<boolean>;
  clockOf(adapter: string, key: string): Promise<string | undefined>;
}

export interface ExternalRef {
  adapter: string;
  kind: string;
  externalId: string;
}

export interface RunOptions {
  /**
   * The caller's promise: `fn` runs one command, nothing else, and nothing after it touches this transaction.
   * The store may then commit that command's write in the statement that makes it (Tx.appendAtOnce).
   */
  alone?: boolean;
}

/** Runs `fn` in one transaction; commits if it resolves, rolls back if it throws. */
export type RunInTx = <T>(fn: (tx: Tx) => Promise<T>, opts?: RunOptions) => Promise<T>;
