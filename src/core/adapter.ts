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
}
