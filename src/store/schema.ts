// Table shapes as Kysely sees them. Timestamps are ISO-8601 text and JSON is text, on both SQLite and
// PostgreSQL, so one set of queries and one set of tests serve both databases.

import type { Generated } from 'kysely';

export interface ContactsTable {
  id: string;
  name: string | null;
  email: string | null;
  verified: number;
  created_at: string;
}

export interface IdentitiesTable {
  channel: string;
  external_id: string;
  contact_id: string;
  created_at: string;
}

export interface QueuesTable {
  id: string;
  name: string;
  assignment: string;
  created_at: string;
}

export interface AgentsTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  role: string;
  status: string;
  capacity: number;
  last_assigned_at: string | null;
  created_at: string;
  disabled_at: Generated<string | null>;
  auth_epoch: Generated<number>;
}

export interface AgentQueuesTable {
  agent_id: string;
  queue_id: string;
}

export interface ConversationsTable {
  id: string;
  contact_id: string;
  channel: string;
  desk: string;
  queue_id: string | null;
  agent_id: string | null;
  phase: string;
  last_seq: number;
  /** `<contact>:<channel>` while the conversation is open, NULL once ended: the unique index on it is the
   *  barrier that makes two concurrent first messages from one customer land in one conversation. */
  open_key: string | null;
  customer_delivered_seq: number;
  customer_read_seq: number;
  desk_delivered_seq: number;
  desk_read_seq: number;
  context: string;
  queued_at: string | null;
  created_at: string;
  updated_at: string;
  ended_at: string | null;
}

export interface EventsTable {
  id: string;
  conversation_id: string;
  seq: number;
  kind: string;
  author: string;
  origin: string | null;
  body: string;
  source: string | null;
  idem_key: string | null;
  created_at: string;
}

export interface DeliveriesTable {
  id: string;
  conversation_id: string;
  event_id: string;
  seq: number;
  leg: string;
  adapter: string;
  status: string;
  attempts: number;
  next_attempt_at: number;
  external_id: string | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface OffersTable {
  id: string;
  contact_id: string;
  type: string;
  content: string;
  from_id: string | null;
  created_at: string;
  acknowledged_at: string | null;
}

export interface MediaTable {
  id: string;
  owner: string;
  mime: string;
  size: number;
  sha256: string;
  name: string | null;
  created_at: string;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  hash: string;
  scopes: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface CannedResponsesTable {
  id: string;
  shortcut: string;
  text: string;
  created_at: string;
}

export interface SettingsTable {
  key: string;
  value: string;
}

/** The newest vendor timestamp per (adapter instance, key) (migration 007): reply windows, state notifications. */
export interface VendorClocksTable {
  adapter: string;
  key: string;
  at: string;
}

/** A redacted customer message's unredacted parts, where the route's policy keeps them (migration 006). */
export interface EventOriginalsTable {
  event_id: string;
  conversation_id: string;
  /** JSON: the parts as the customer sent them. */
  parts: string;
  created_at: string;
}

export interface ExternalRefsTable {
  /** The adapter instance (`genesys-eu`), so two orgs' ids never collide. */
  adapter: string;
  /** What the id names: `conversation`, `message`, `participant`, … */
  kind: string;
  external_id: string;
  parley_id: string;
  created_at: string;
}

export interface DB {
  external_refs: ExternalRefsTable;
  event_originals: EventOriginalsTable;
  vendor_clocks: VendorClocksTable;
  contacts: ContactsTable;
  identities: IdentitiesTable;
  queues: QueuesTable;
  agents: AgentsTable;
  agent_queues: AgentQueuesTable;
  conversations: ConversationsTable;
  events: EventsTable;
  deliveries: DeliveriesTable;
  offers: OffersTable;
  media: MediaTable;
  api_keys: ApiKeysTable;
  settings: SettingsTable;
  canned_responses: CannedResponsesTable;
}
