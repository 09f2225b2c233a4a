import { ParleyError } from './errors.js';
import type { Contact, Conversation, Delivery, Leg, Signal, StoredEvent } from './model.js';
import type { Part } from './parts.js';

// The two adapter interfaces. A channel adapter is where customers are (web, SMS, Messenger, …); a desk
// adapter is where agents are (inbox, Genesys, Connect, LivePerson). Both deliver events from the log to
// their side and, through their webhook routes, ingest what their side sends. HTTP wiring lives with each
// adapter's folder; this file only says what every adapter must provide.

export interface Capabilities {
  typing: boolean;
  receipts: boolean;
  /** Part types the destination renders natively; others are sent as text (partsToText). */
  parts: Part['type'][];
  maxMediaBytes?: number;
  /** Hours after the customer's last message during which free-form replies are allowed (WhatsApp: 24). */
  replyWindowHours?: number;
}

export interface DeliveryJob {
  delivery: Delivery;
  event: StoredEvent;
  conversation: Conversation;
  contact: Contact | undefined;
}

export interface DeliveryOutcome {
  /** The destination's id for what we sent (vendor message id), kept for receipts and support. */
  externalId?: string;
  /** `delivered` when the destination confirms receipt synchronously; `sent` otherwise. */
  status: 'sent' | 'delivered';
}

export interface LegAdapter {
  readonly id: string;
  readonly side: Leg;
  readonly capabilities: Capabilities;
  /**
   * The destination reads the log itself (the built-in web channel and inbox desk: their clients fetch and
   * stream events). Storing the event is then the whole delivery: its rows start as `sent` and the
   * dispatcher never touches them; delivered and read still come from the clients' receipts.
   */
  readonly readsLog?: boolean;
  /**
   * Longest one deliver() may take with the adapter's own retries (a vendor call's total timeout). Start-up
   * refuses a PARLEY_DELIVERY_TIMEOUT_MS that is not longer: the dispatcher would abort calls the adapter is
   * still retrying, and count a slow success as a failure.
   */
  readonly callBudgetMs?: number;
  /** Which events need a delivery row for this leg. */
  wants(event: Pick<StoredEvent, 'kind' | 'author' | 'origin'>): boolean;
  /**
   * Deliver one event. Resolve with the outcome, or throw a ParleyError: DELIVERY_UNAVAILABLE / _TIMEOUT
   * (retryable, optionally with retryAfterMs) or DELIVERY_REJECTED (final). `signal` aborts at the timeout.
   */
  deliver(job: DeliveryJob, signal: AbortSignal): Promise<DeliveryOutcome>;
  /**
   * Live signals from the other side that are never stored (typing; queue position and wait estimates for
   * channels). Best effort: not retried, and a failure is only logged. Adapters whose clients read the
   * stream themselves (readsLog) leave this out.
   */
  signal?(job: SignalJob): Promise<void>;
}

export interface SignalJob {
  signal: Signal;
  conversation: Conversation;
}

export interface ChannelAdapter extends LegAdapter {
  readonly side: 'channel';
}

export interface DeskAdapter extends LegAdapter {
  readonly side: 'desk';
  /**
   * Business-started (proactive) messages, for a vendor desk that can send one without a customer message
   * first (Genesys's agentless API; later Connect's StartOutboundChatContact, LivePerson's proactive API).
   * Why a seam of its own: a proactive message is stored as the desk side's own (origin `desk`, author
   * `business`), so fan-out would never send it to the desk, and `deliver()` sends customer messages — a
   * different vendor call with different limits. Without it, a desk that does not read the log cannot take
   * proactive messages (PROACTIVE_UNSUPPORTED). The built-in inbox reads the log and needs none.
   */
  readonly proactive?: ProactiveSender;
  /**
   * Whether any agent could answer a conversation opened now in `queue` (the queue the route table picked:
   * an inbox queue's name or id, a vendor queue, or null when the route names none): true, false, or null
   * when the desk cannot tell. Why it exists: a customer's client asks before it opens a conversation
   * (`GET /v1/availability`, behind watsonx web chat's `areAnyAgentsOnline()`), to offer a form or opening
   * hours instead of a chat nobody answers. Read only, creates nothing; a vendor desk answers from a cache so
   * page loads do not spend the rate budget its messages need. Absent = unknown (null); a throw is logged and
   * answered as null too, so it never fails the customer's request.
   */
  agentsOnline?(queue: string | null): Promise<boolean | null>;
}

export interface ProactiveSender {
  /**
   * Refuse, before anything is stored, what the vendor would refuse for certain: throw MESSAGE_TOO_LONG or
   * PROACTIVE_UNSUPPORTED (content the vendor's proactive API cannot carry), with a message naming the limit.
   */
  check(parts: Part[]): void;
  /**
   * Send one proactive message: called by the dispatcher for the delivery row fan-out gave this desk (through
   * the outbox, in the lane's seq order, retried, at least once). Same contract as `deliver()`; link the
   * vendor's message and conversation ids, so its webhooks thread to the same Parley conversation.
   */
  send(job: DeliveryJob, signal: AbortSignal): Promise<DeliveryOutcome>;
}

/** The adapter's proactive sender, if it is a desk that has one. */
export const proactiveOf = (a: LegAdapter): ProactiveSender | undefined => (a.side === 'desk' ? (a as DeskAdapter).proactive : undefined);

/**
 * Hand one delivery to its adapter. A row on the leg its event came from can only be a proactive message
 * (fan-out makes no other): it goes to the desk's proactive sender, everything else to `deliver()`.
 */
export function deliverJob(adapter: LegAdapter, job: DeliveryJob, signal: AbortSignal): Promise<DeliveryOutcome> {
  if (job.event.origin !== job.delivery.leg) return adapter.deliver(job, signal);
  const proactive = proactiveOf(adapter);
  if (!proactive) return Promise.reject(new ParleyError('DELIVERY_REJECTED', `The ${adapter.id} desk no longer sends proactive messages.`));
  return proactive.send(job, signal);
}
