import type { Kysely } from 'kysely';
import type { AgentRef, Conversation, Leg, StoredEvent } from '../core/model.js';
import { toConversation, toEvent } from '../store/rows.js';
import type { DB } from '../store/schema.js';

// Read-side queries shared by the HTTP routes and the stream sessions.

export async function eventsAfter(db: Kysely<DB>, conversationId: string, after: number, limit = 500): Promise<StoredEvent[]> {
  const rows = await db.selectFrom('events').selectAll().where('conversation_id', '=', conversationId).where('seq', '>', after).orderBy('seq').limit(limit).execute();
  return rows.map(toEvent);
}

/** The participant who joined last and has not left since (a vendor desk's agent now), if any. */
export async function currentParticipant(db: Kysely<DB>, conversationId: string): Promise<AgentRef | undefined> {
  const r = await db
    .selectFrom('events')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .where('kind', 'in', ['participant.joined', 'participant.left'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const e = r && toEvent(r);
  return e?.kind === 'participant.joined' ? e.participant : undefined;
}

export async function conversationById(db: Kysely<DB>, id: string): Promise<Conversation | undefined> {
  const r = await db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirst();
  return r && toConversation(r);
}

export async function conversationsOfContact(db: Kysely<DB>, contactId: string, openOnly = false): Promise<Conversation[]> {
  let q = db.selectFrom('conversations').selectAll().where('contact_id', '=', contactId);
  if (openOnly) q = q.where('phase', '!=', 'ended');
  const rows = await q.orderBy('created_at', 'desc').limit(100).execute();
  return rows.map(toConversation);
}

/** Conversations an agent works on or can pick up: assigned to them, or waiting in one of their queues. */
export async function conversationsForAgent(db: Kysely<DB>, agentId: string, scope: 'mine' | 'queued' | 'all', isAdmin: boolean): Promise<Conversation[]> {
  const queueIds = (await db.selectFrom('agent_queues').select('queue_id').where('agent_id', '=', agentId).execute()).map((r) => r.queue_id);
  let q = db.selectFrom('conversations').selectAll();
  if (scope === 'mine') q = q.where('agent_id', '=', agentId).where('phase', '!=', 'ended');
  else if (scope === 'queued') {
    q = q.where('phase', 'in', ['queued', 'transferring']);
    if (!isAdmin) q = q.where('queue_id', 'in', queueIds.length ? queueIds : ['']);
  } else {
    q = q.where('phase', '!=', 'ended');
    if (!isAdmin) q = q.where((eb) => eb.or([eb('agent_id', '=', agentId), eb.and([eb('phase', 'in', ['queued', 'transferring']), eb('queue_id', 'in', queueIds.length ? queueIds : [''])])]));
  }
  const rows = await q.orderBy('updated_at', 'desc').limit(500).execute();
  return rows.map(toConversation);
}

/** Seqs of messages whose delivery to `leg` has failed (to show "failed" to their sender). */
export async function failedSeqs(db: Kysely<DB>, conversationId: string, leg: Leg): Promise<Set<number>> {
  const rows = await db.selectFrom('deliveries').select('seq').where('conversation_id', '=', conversationId).where('leg', '=', leg).where('status', '=', 'failed').execute();
  return new Set(rows.map((r) => Number(r.seq)));
}
