// The public types of the Parley SDK. They mirror the hub's JSON (src/core/model.ts, src/core/parts.ts and
// src/http/present.ts) by hand rather than importing them: the SDK ships alone, with no zod and no server code.

// ---- message parts ------------------------------------------------------------------------------------

export interface TextPart { type: 'text'; text: string }
export interface MediaPart {
  type: 'media';
  mediaId: string;
  caption?: string;
  /** Filled in by the hub when the part is read back. */
  mime?: string;
  size?: number;
  name?: string;
  /** A short-lived signed URL; fetch the event again for a fresh one once it expires. */
  url?: string;
}
export interface QuickRepliesPart { type: 'quick_replies'; text?: string; replies: { title: string; payload?: string }[] }
export interface ButtonsPart { type: 'buttons'; text?: string; buttons: { title: string; payload?: string; url?: string }[] }
export interface QrPart { type: 'qr'; content: string }
export interface LocationPart { type: 'location'; lat: number; lng: number; name?: string; address?: string }
export type Part = TextPart | MediaPart | QuickRepliesPart | ButtonsPart | QrPart | LocationPart;

// ---- people and things ---------------------------------------------------------------------------------

export type Role = 'customer' | 'agent' | 'system' | 'bot' | 'business';
export type Leg = 'channel' | 'desk';
export type Phase = 'bot' | 'queued' | 'active' | 'transferring' | 'ended';

export interface Author { role: Role; id?: string; name?: string }
export interface AgentRef { id: string; name: string }

export interface Contact {
  id: string;
  name: string | null;
  email: string | null;
  verified: boolean;
  createdAt: string;
}

export interface Identity { channel: string; externalId: string }

export interface Conversation {
  id: string;
  contactId: string;
  channel: string;
  desk: string;
  queueId: string | null;
  agentId: string | null;
  phase: Phase;
  lastSeq: number;
  /** Highest seq each side has been delivered / has read (the other side's ticks). */
  receipts: { customer: { delivered: number; read: number }; desk: { delivered: number; read: number } };
  context: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
  endedAt: string | null;
  /** Place in the queue while it waits (1 = next); null or absent otherwise. */
  queuePosition?: number | null;
  /** The agent holding it (customer API, one conversation). */
  agent?: AgentRef | null;
  /** The customer (agent API). */
  contact?: Contact | null;
  /** The customer's identities (agent API, one conversation). */
  identities?: Identity[];
}

export type OfferType = 'text' | 'qrcode' | 'link' | 'image';
export interface Offer {
  id: string;
  contactId: string;
  type: OfferType;
  content: string;
  fromId: string | null;
  createdAt: string;
  acknowledgedAt: string | null;
}

export type AgentStatus = 'available' | 'away' | 'offline';
export type AgentRole = 'agent' | 'admin';
export interface Agent {
  id: string;
  email: string;
  name: string;
  role: AgentRole;
  status: AgentStatus;
  capacity: number;
  queueIds: string[];
  /** A disabled agent cannot log in; its tokens and open streams stop at once. */
  disabled: boolean;
  createdAt: string;
}

export type AssignmentMode = 'manual' | 'round_robin';
export interface Queue {
  id: string;
  name: string;
  assignment: AssignmentMode;
  createdAt: string;
  /** How many conversations wait in it (admin list only). */
  waiting?: number;
}

export interface Media { id: string; mime: string; size: number; name: string | null; url: string }

export type ApiKeyScope = 'admin' | 'agents:write' | 'queues:write' | 'keys:write' | 'offers:write' | 'messages:write' | 'conversations:read' | 'metrics:read';
export interface ApiKey {
  id: string;
  name: string;
  scopes: ApiKeyScope[];
  createdAt: string;
  revokedAt?: string | null;
  /** The secret, present only in the answer to createApiKey (it is shown once). */
  key?: string;
}

/** A prepared answer agents insert by shortcut (admins keep the list). */
export interface CannedResponse { id: string; shortcut: string; text: string; createdAt: string }

export type DeliveryStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';
export interface Delivery {
  id: string;
  conversationId: string;
  eventId: string;
  seq: number;
  leg: Leg;
  adapter: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  externalId: string | null;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
}

// ---- events --------------------------------------------------------------------------------------------

export type EventBody =
  | { kind: 'message'; parts: Part[]; clientMessageId?: string }
  | { kind: 'receipt'; receipt: 'delivered' | 'read'; through: number }
  | { kind: 'participant.joined'; participant: AgentRef }
  | { kind: 'participant.left'; participant: AgentRef; reason: 'transfer' | 'ended' }
  | { kind: 'transfer.started'; from: AgentRef | null; to: { type: 'agent' | 'queue'; id: string; name: string }; note?: string }
  | { kind: 'conversation.queued'; queueId: string; queueName: string }
  | { kind: 'conversation.ended'; by: Role; reason?: string }
  | { kind: 'delivery.failed'; failedSeq: number; leg: Leg; deliveryId: string; code: string; reason: string }
  | { kind: 'error'; code: string; message: string };

export type EventKind = EventBody['kind'];

/** One entry in a conversation's append-only log, as the hub sends it. */
export type ParleyEvent = EventBody & {
  id: string;
  conversationId: string;
  /** Gap-free position in the conversation's log: 1, 2, 3 … */
  seq: number;
  author: Author;
  /** The leg it came in on; null for events the hub makes itself. */
  origin: Leg | null;
  createdAt: string;
  /** For the viewer's own messages: how far it got on the other side when this copy was read. */
  status?: 'sent' | 'delivered' | 'read' | 'failed';
};

/** A message event (kind === 'message'). */
export type MessageEvent = Extract<ParleyEvent, { kind: 'message' }>;

// ---- client plumbing -----------------------------------------------------------------------------------

export interface KeyValueStorage {
  getItem(k: string): string | null;
  setItem(k: string, v: string): void;
  removeItem(k: string): void;
}

// Handler slots are declared as methods so both the DOM WebSocket and the `ws` package fit: method
// parameters are compared bivariantly, so their richer event types are accepted.
/** The part of a WebSocket the SDK uses: the browser's WebSocket and the `ws` package both fit. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: { bivarianceHack(ev: unknown): void }['bivarianceHack'] | null;
  onmessage: { bivarianceHack(ev: { data: unknown }): void }['bivarianceHack'] | null;
  onclose: { bivarianceHack(ev: { code: number; reason: string }): void }['bivarianceHack'] | null;
  onerror: { bivarianceHack(ev: unknown): void }['bivarianceHack'] | null;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface ClientOptions {
  /** The hub's origin, e.g. 'https://chat.example.com'; '' = same origin in a browser. */
  baseUrl: string;
  fetch?: typeof fetch;
  /** Default: globalThis.WebSocket (Node 20 has none: pass the `ws` package). */
  WebSocket?: WebSocketConstructor;
  /** Where the token, cursors, cached history and outbox live. Default: in memory (browsers pass localStorage). */
  storage?: KeyValueStorage;
  /** Namespace of the keys in `storage`. Default 'parley'. */
  storageKey?: string;
  /** Reconnect backoff (exponential with jitter). Default 500..15000 ms. */
  reconnect?: { minMs?: number; maxMs?: number };
  /** Per-request timeout for REST calls and socket acks. Default 15000 ms. */
  requestTimeoutMs?: number;
}

export type ConnectionState = 'connecting' | 'open' | 'offline' | 'closed';
export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

/** A message this client sent, until the hub acknowledged it (and a copy afterwards, with `event`). */
export interface OutgoingMessage {
  conversationId: string;
  /** Generated once; every retry (including after a reload) sends the same id, so the hub stores it once. */
  clientMessageId: string;
  parts: Part[];
  status: MessageStatus;
  /** The stored event, once acknowledged. */
  event?: ParleyEvent;
  /** Why it failed, when status is 'failed'. */
  error?: ParleyApiError;
  createdAt: string;
}

// ---- typed events ------------------------------------------------------------------------------------

export interface TypingSignal { conversationId: string; author: { role: string; id?: string; name?: string }; typing: boolean }
/**
 * A waiting conversation's prospects, as its desk knows them: each field only when known. The built-in
 * inbox gives the queue position; a vendor desk may give only its wait estimate and agents on queue
 * (Genesys has no position), so a screen shows whatever is there.
 */
export interface Availability {
  conversationId: string;
  /** The queue it waits in (a vendor desk may name it instead of giving an id). */
  queueId?: string;
  /** Place in the queue, 1 = next. */
  position?: number;
  /** The desk's estimate of the wait, seconds. */
  waitSeconds?: number;
  /** Agents on the queue now; 0 means nobody is there to answer. */
  agentsOnQueue?: number;
}

/** GET /v1/availability: where a new conversation would go, and whether anyone is there to answer. */
export interface RouteAvailability {
  desk: string;
  queue: string | null;
  /** true: agents are online; false: nobody is; null: the desk cannot tell. */
  agentsOnline: boolean | null;
  uploads: { mediaTypes: string[]; maxBytes: number };
}

export interface StatusChange { conversationId: string; clientMessageId?: string; seq?: number; status: MessageStatus }

export interface CustomerEvents {
  /** Every log event exactly once, in seq order per conversation (resume-safe). */
  event: ParleyEvent;
  /** The events of kind 'message'. */
  message: MessageEvent;
  typing: TypingSignal;
  /** While a conversation waits: its place in the queue and/or the desk's wait estimate (see Availability). */
  availability: Availability;
  /** A new offer, or one that changed (acknowledgedAt set once acknowledged). */
  offer: Offer;
  /** One of my messages moved on: pending → sent → delivered → read, or failed. */
  status: StatusChange;
  /** An outgoing message changed (pending → sent / failed). */
  outbox: OutgoingMessage;
  /** Something about a conversation changed (queued, assigned, transferred, ended): refetch it. */
  conversation: { conversationId: string };
  connection: ConnectionState;
  error: ParleyApiError;
  /** A (new) session started: after a stored token was rejected, history and outbox start over. */
  session: { contact: Contact; renewed: boolean };
}

export interface AgentEvents {
  event: ParleyEvent;
  message: MessageEvent;
  typing: TypingSignal;
  status: StatusChange;
  outbox: OutgoingMessage;
  conversation: { conversationId: string };
  connection: ConnectionState;
  error: ParleyApiError;
}

// ---- errors --------------------------------------------------------------------------------------------

/**
 * Every failure the SDK reports. `code` is the hub's stable code (PARLEY_E_…), or PARLEY_E_NETWORK /
 * PARLEY_E_TIMEOUT (status 0, retryable) when the hub could not be reached. Messages never hold tokens.
 */
export class ParleyApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly retryable: boolean;
  readonly details?: unknown;

  constructor(code: string, message: string, status: number, retryable: boolean, details?: unknown) {
    super(message);
    this.name = 'ParleyApiError';
    this.code = code;
    this.status = status;
    this.retryable = retryable;
    if (details !== undefined) this.details = details;
  }

  /** True when the hub could not be reached at all (no answer, timeout): worth retrying later. */
  get isNetwork(): boolean {
    return this.code === 'PARLEY_E_NETWORK' || this.code === 'PARLEY_E_TIMEOUT';
  }

  toJSON(): { code: string; message: string; status: number; retryable: boolean; details?: unknown } {
    return { code: this.code, message: this.message, status: this.status, retryable: this.retryable, ...(this.details === undefined ? {} : { details: this.details }) };
  }
}

// ---- admin inputs --------------------------------------------------------------------------------------

export interface NewAgentInput { email: string; name: string; password: string; role?: AgentRole; capacity?: number; queues?: string[] }
export type AgentPatch = Partial<Omit<NewAgentInput, 'email'>> & { disabled?: boolean };
export interface NewQueueInput { name: string; assignment?: AssignmentMode }
export interface NewApiKeyInput { name: string; scopes: ApiKeyScope[] }
export type ContactRef = { contactId: string } | { identity: { channel: string; externalId: string } };
export type NewOfferInput = ContactRef & { type: OfferType; content: string; fromId?: string };
export type ProactiveInput = ContactRef & { text?: string; parts?: Part[]; queue?: string; from?: { name: string }; idempotencyKey?: string };
export interface ProactiveResult { conversation: Conversation; event: ParleyEvent; duplicate: boolean }
export interface Transcript { conversation: Conversation; contact: Contact | null; events: ParleyEvent[] }
export type AgentWithPresence = Agent & { online: boolean };
export interface DeliveryFilter { conversationId?: string; limit?: number }
