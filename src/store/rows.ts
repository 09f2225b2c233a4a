import type { Selectable } from 'kysely';
import type { Agent, AgentRole, AgentStatus, AssignmentMode, Author, CannedResponse, Contact, Conversation, Delivery, DeliveryStatus, Leg, Offer, OfferType, Phase, Queue, StoredEvent } from '../core/model.js';
import type { AgentsTable, CannedResponsesTable, ContactsTable, ConversationsTable, DeliveriesTable, EventsTable, OffersTable, QueuesTable } from './schema.js';

// Row ⇄ model mapping, in one place so the JSON columns are parsed the same way everywhere.

export const toContact = (r: Selectable<ContactsTable>): Contact => ({
  id: r.id,
  name: r.name,
  email: r.email,
  verified: Boolean(r.verified),
  createdAt: r.created_at,
});

export const toConversation = (r: Selectable<ConversationsTable>): Conversation => ({
  id: r.id,
  contactId: r.contact_id,
  channel: r.channel,
  desk: r.desk,
  queueId: r.queue_id,
  agentId: r.agent_id,
  phase: r.phase as Phase,
  lastSeq: Number(r.last_seq),
  customerDeliveredSeq: Number(r.customer_delivered_seq),
  customerReadSeq: Number(r.customer_read_seq),
  deskDeliveredSeq: Number(r.desk_delivered_seq),
  deskReadSeq: Number(r.desk_read_seq),
  context: JSON.parse(r.context) as Record<string, unknown>,
  queuedAt: r.queued_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  endedAt: r.ended_at,
});

export const toEvent = (r: Selectable<EventsTable>): StoredEvent => {
  const envelope = {
    id: r.id,
    conversationId: r.conversation_id,
    seq: Number(r.seq),
    kind: r.kind,
    author: JSON.parse(r.author) as Author,
    origin: r.origin as Leg | null,
    createdAt: r.created_at,
  };
  // Envelope first (readable JSON), body, then the envelope again so a body field can never overwrite
  // the log's own id, seq or author (keys keep their first position, values the last write).
  return { ...envelope, ...(JSON.parse(r.body) as object), ...envelope } as StoredEvent;
};

/** The body column holds the kind-specific fields only; the envelope has its own columns. */
export function eventBodyJson(body: object): string {
  const { kind: _kind, ...rest } = body as { kind: string };
  return JSON.stringify(rest);
}

export const toDelivery = (r: Selectable<DeliveriesTable>): Delivery => ({
  id: r.id,
  conversationId: r.conversation_id,
  eventId: r.event_id,
  seq: Number(r.seq),
  leg: r.leg as Leg,
  adapter: r.adapter,
  status: r.status as DeliveryStatus,
  attempts: Number(r.attempts),
  nextAttemptAt: Number(r.next_attempt_at),
  externalId: r.external_id,
  lastError: r.last_error,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export const toQueue = (r: Selectable<QueuesTable>): Queue => ({
  id: r.id,
  name: r.name,
  assignment: r.assignment as AssignmentMode,
  createdAt: r.created_at,
});

export const toAgent = (r: Selectable<AgentsTable>, queueIds: string[]): Agent => ({
  id: r.id,
  email: r.email,
  name: r.name,
  role: r.role as AgentRole,
  status: r.status as AgentStatus,
  capacity: Number(r.capacity),
  queueIds,
  disabled: Boolean(r.disabled_at),
  createdAt: r.created_at,
});

export const toOffer = (r: Selectable<OffersTable>): Offer => ({
  id: r.id,
  contactId: r.contact_id,
  type: r.type as OfferType,
  content: r.content,
  fromId: r.from_id,
  createdAt: r.created_at,
  acknowledgedAt: r.acknowledged_at,
});

export const toCannedResponse = (r: Selectable<CannedResponsesTable>): CannedResponse => ({
  id: r.id,
  shortcut: r.shortcut,
  text: r.text,
  createdAt: r.created_at,
});
