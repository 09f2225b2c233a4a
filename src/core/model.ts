import { z } from 'zod';
import { Part } from './parts.js';

// The data Parley is about. Rows in the store map 1:1 onto these types; the HTTP layer shows them as JSON.

export const PHASES = ['bot', 'queued', 'active', 'transferring', 'ended'] as const;
export type Phase = (typeof PHASES)[number];

/** Which side of a conversation something comes from or goes to. */
export type Leg = 'channel' | 'desk';

export type Role = 'customer' | 'agent' | 'system' | 'bot' | 'business';

export const Author = z.object({
  role: z.enum(['customer', 'agent', 'system', 'bot', 'business']),
  id: z.string().optional(),
  name: z.string().optional(),
});
export type Author = z.infer<typeof Author>;

export interface Contact {
  id: string;
  name: string | null;
  email: string | null;
  verified: boolean;
  createdAt: string;
}

export interface Identity {
  contactId: string;
  /** Namespace of the id: `anon`, `web` (verified by the business's JWT), `email`, `sms`, … */
  channel: string;
  externalId: string;
}

export interface Conversation {
  id: string;
  contactId: string;
  channel: string;
  desk: string;
  queueId: string | null;
  agentId: string | null;
  phase: Phase;
  lastSeq: number;
  /** Highest seq the customer's side has been delivered / has read (drives the agent's ticks). */
  customerDeliveredSeq: number;
  customerReadSeq: number;
  /** Highest seq the desk side has been delivered / has read (drives the customer's ticks). */
  deskDeliveredSeq: number;
  deskReadSeq: number;
  context: Record<string, unknown>;
  /** When it started waiting in its queue (orders the queue); null when not waiting. */
  queuedAt: string | null;
  createdAt: string;
  updatedAt: string;
  endedAt: string | null;
}

// ---- events -------------------------------------------------------------------------------------------

export const AgentRef = z.object({ id: z.string(), name: z.string() });
export type AgentRef = z.infer<typeof AgentRef>;

export type EventBody =
  | {
      kind: 'message';
      parts: Part[];
      clientMessageId?: string;
      /**
       * Set when the route's PII policy masked something in this (customer) message: what, and how many of
       * each. The parts are the masked text; the original is kept apart (event_originals) or dropped.
       */
      redacted?: { kind: string; count: number }[];
    }
  | { kind: 'receipt'; receipt: 'delivered' | 'read'; through: number }
  | { kind: 'participant.joined'; participant: AgentRef }
  | { kind: 'participant.left'; participant: AgentRef; reason: 'transfer' | 'ended' }
  | {
      kind: 'transfer.started';
      from: AgentRef | null;
      to: { type: 'agent' | 'queue'; id: string; name: string };
      note?: string;
    }
  | { kind: 'conversation.queued'; queueId: string; queueName: string }
  | { kind: 'conversation.ended'; by: Role; reason?: string }
  // `failedSeq`, not `seq`: body fields share one object with the envelope, whose `seq` is this event's own
  // place in the log; a body `seq` overwrote it, so streams dropped the event as already seen.
  | { kind: 'delivery.failed'; failedSeq: number; leg: Leg; deliveryId: string; code: string; reason: string }
  | { kind: 'error'; code: string; message: string };

export type EventKind = EventBody['kind'];

/** An event as it is stored: one entry in a conversation's append-only log. */
export type StoredEvent = EventBody & {
  id: string;
  conversationId: string;
  seq: number;
  author: Author;
  /** The leg it came in on (`null` for events Parley itself makes). */
  origin: Leg | null;
  createdAt: string;
};

/** Ephemeral signals: fanned out live, never stored (typing, queue position and wait estimates). */
export type Signal =
  | { type: 'typing'; conversationId: string; author: Author; typing: boolean }
  | {
      type: 'availability';
      conversationId: string;
      /** Place in the queue (1 = next), when the desk knows it (vendor desks may report only a wait). */
      position?: number;
      queueId: string;
      /** The desk's estimate of the wait, seconds (vendor desks that report one). */
      waitSeconds?: number;
      /** Agents on queue now, when the desk reports it (0: nobody is there to answer). */
      agentsOnQueue?: number;
    };

// ---- deliveries -----------------------------------------------------------------------------------------

export const DELIVERY_STATUSES = ['pending', 'sent', 'delivered', 'read', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

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

// ---- offers, agents, queues ------------------------------------------------------------------------------

export const OFFER_TYPES = ['text', 'qrcode', 'link', 'image'] as const;
export type OfferType = (typeof OFFER_TYPES)[number];

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
  /** A disabled agent cannot log in, and its tokens and sockets stop working at once. */
  disabled: boolean;
  createdAt: string;
}

export type AssignmentMode = 'manual' | 'round_robin';

export interface Queue {
  id: string;
  name: string;
  assignment: AssignmentMode;
  createdAt: string;
}

/** A reply agents share and insert by its shortcut ("/refund" in the composer). */
export interface CannedResponse {
  id: string;
  shortcut: string;
  text: string;
  createdAt: string;
}
