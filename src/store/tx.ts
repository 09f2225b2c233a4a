import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Conversation, Leg, StoredEvent } from '../core/model.js';
import type { Part } from '../core/parts.js';
import type { EventDraft, ExternalRef, NewConversation, RunInTx, Tx } from '../core/ports.js';
import type { Dialect } from './db.js';
import { GroupCommit } from './group-commit.js';
import type { SqliteHot } from './sqlite-hot.js';
import { eventBodyJson, toAgent, toContact, toConversation, toDelivery, toEvent, toQueue } from './rows.js';
import type { DB } from './schema.js';

export const newId = (prefix: string): string => `${prefix}_${randomUUID().replace(/-/g, '')}`;

/**
 * An id that sorts by creation time: 12 hex digits of the millisecond clock, then 80 random bits (from a
 * UUID, skipping its fixed version and variant digits), the same `prefix_` + 32 hex shape as newId. For the
 * append-only tables (events, deliveries): a random key puts every insert on a random leaf page of the
 * primary-key index (and of `deliveries (event_id, leg)`), and each such page is written to the WAL again at
 * every commit; time-ordered keys append at the index's right edge, so a batch of messages shares its pages.
 */
export const orderedId = (prefix: string): string => {
  const u = randomUUID().replace(/-/g, '');
  return `${prefix}_${Date.now().toString(16).padStart(12, '0')}${u.slice(0, 12)}${u.slice(13, 16)}${u.slice(17, 22)}`;
};
export const nowIso = (): string => new Date().toISOString();

const CONVERSATION_COLUMNS: Record<string, string> = {
  channel: 'channel',
  desk: 'desk',
  queueId: 'queue_id',
  agentId: 'agent_id',
  phase: 'phase',
  customerDeliveredSeq: 'customer_delivered_seq',
  customerReadSeq: 'customer_read_seq',
  deskDeliveredSeq: 'desk_delivered_seq',
  deskReadSeq: 'desk_read_seq',
  context: 'context',
  queuedAt: 'queued_at',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  endedAt: 'ended_at',
};

const DELIVERY_ORDER = ['pending', 'sent', 'delivered', 'read'];

/** The core's transaction port, over Kysely. */
export class KyselyTx implements Tx {
  constructor(
    private readonly db: Transaction<DB> | Kysely<DB>,
    private readonly dialect: Dialect,
    /** SQLite: the hot path's prepared statements, on the connection this transaction holds. */
    private readonly hot?: SqliteHot,
  ) {}

  now = nowIso;
  newId = newId;

  async getContact(id: string) {
    const r = await this.db.selectFrom('contacts').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toContact(r);
  }

  async findContactByIdentity(channel: string, externalId: string) {
    const r = await this.db
      .selectFrom('identities')
      .innerJoin('contacts', 'contacts.id', 'identities.contact_id')
      .selectAll('contacts')
      .where('identities.channel', '=', channel)
      .where('identities.external_id', '=', externalId)
      .executeTakeFirst();
    return r && toContact(r);
  }

  async ensureContactForIdentity(channel: string, externalId: string, profile: { name?: string | null | undefined; email?: string | null | undefined; verified: boolean }) {
    const found = await this.findContactByIdentity(channel, externalId);
    if (found) {
      // Verified identities refresh the profile from the latest claims. A contact first made unverified (an
      // admin wrote to this identity before its owner signed in) becomes verified once the owner proves it.
      if (profile.verified) {
        await this.db
          .updateTable('contacts')
          .set({ verified: 1, ...(profile.name !== undefined ? { name: profile.name } : {}), ...(profile.email !== undefined ? { email: profile.email } : {}) })
          .where('id', '=', found.id)
          .execute();
        return { ...found, verified: true, name: profile.name ?? found.name, email: profile.email ?? found.email };
      }
      return found;
    }
    const id = newId('ct');
    const now = nowIso();
    await this.db.insertInto('contacts').values({ id, name: profile.name ?? null, email: profile.email ?? null, verified: profile.verified ? 1 : 0, created_at: now }).execute();
    const inserted = await this.db
      .insertInto('identities')
      .values({ channel, external_id: externalId, contact_id: id, created_at: now })
      .onConflict((oc) => oc.columns(['channel', 'external_id']).doNothing())
      .returning('contact_id')
      .executeTakeFirst();
    if (!inserted) {
      // Lost a race to another first message from the same identity: use the winner's contact.
      await this.db.deleteFrom('contacts').where('id', '=', id).execute();
      const winner = await this.findContactByIdentity(channel, externalId);
      if (!winner) throw new Error('identity conflict without a winner');
      return winner;
    }
    return { id, name: profile.name ?? null, email: profile.email ?? null, verified: profile.verified, createdAt: now };
  }

  async linkExternal(ref: ExternalRef, parleyId: string): Promise<string> {
    const inserted = await this.db
      .insertInto('external_refs')
      .values({ adapter: ref.adapter, kind: ref.kind, external_id: ref.externalId, parley_id: parleyId, created_at: nowIso() })
      .onConflict((oc) => oc.columns(['adapter', 'kind', 'external_id']).doNothing())
      .returning('parley_id')
      .executeTakeFirst();
    if (inserted) return inserted.parley_id;
    const existing = await this.findByExternal(ref);
    if (existing === undefined) throw new Error('external ref conflict without a row');
    return existing;
  }

  async findByExternal(ref: ExternalRef): Promise<string | undefined> {
    const r = await this.db.selectFrom('external_refs').select('parley_id').where('adapter', '=', ref.adapter).where('kind', '=', ref.kind).where('external_id', '=', ref.externalId).executeTakeFirst();
    return r?.parley_id;
  }

  async advanceClock(adapter: string, key: string, at: string): Promise<boolean> {
    // Equal counts as not stale: a repeat of the newest report is the adapter's to recognise by its content.
    const moved = await this.db
      .insertInto('vendor_clocks')
      .values({ adapter, key, at })
      .onConflict((oc) => oc.columns(['adapter', 'key']).doUpdateSet({ at: (eb) => eb.ref('excluded.at') }).where('vendor_clocks.at', '<=', (eb) => eb.ref('excluded.at')))
      .returning('at')
      .executeTakeFirst();
    return moved !== undefined;
  }

  async clockOf(adapter: string, key: string): Promise<string | undefined> {
    const r = await this.db.selectFrom('vendor_clocks').select('at').where('adapter', '=', adapter).where('key', '=', key).executeTakeFirst();
    return r?.at;
  }

  async externalOf(adapter: string, kind: string, parleyId: string): Promise<string | undefined> {
    const r = await this.db
      .selectFrom('external_refs')
      .select('external_id')
      .where('adapter', '=', adapter)
      .where('kind', '=', kind)
      .where('parley_id', '=', parleyId)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    return r?.external_id;
  }

  async getConversation(id: string, lock = false) {
    if (this.hot) {
      const row = this.hot.conversation(id);
      return row && toConversation(row);
    }
    let q = this.db.selectFrom('conversations').selectAll().where('id', '=', id);
    if (lock && this.dialect === 'postgres') q = q.forUpdate();
    const r = await q.executeTakeFirst();
    return r && toConversation(r);
  }

  async findOpenConversation(contactId: string, channel: string) {
    const r = await this.db.selectFrom('conversations').selectAll().where('open_key', '=', `${contactId}:${channel}`).executeTakeFirst();
    return r && toConversation(r);
  }

  async insertConversation(c: NewConversation) {
    const now = nowIso();
    const id = newId('cv');
    const r = await this.db
      .insertInto('conversations')
      .values({
        id,
        contact_id: c.contactId,
        channel: c.channel,
        desk: c.desk,
        queue_id: c.queueId,
        agent_id: null,
        phase: c.phase,
        last_seq: 0,
        open_key: `${c.contactId}:${c.channel}`,
        customer_delivered_seq: 0,
        customer_read_seq: 0,
        desk_delivered_seq: 0,
        desk_read_seq: 0,
        context: JSON.stringify(c.context),
        queued_at: c.phase === 'queued' ? now : null,
        created_at: now,
        updated_at: now,
        ended_at: null,
      })
      .onConflict((oc) => oc.column('open_key').doNothing())
      .returningAll()
      .executeTakeFirst();
    return r && toConversation(r);
  }

  async updateConversation(id: string, patch: Partial<Omit<Conversation, 'id' | 'contactId' | 'lastSeq'>>) {
    const set: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(patch)) {
      const col = CONVERSATION_COLUMNS[k];
      if (!col || v === undefined) continue;
      set[col] = k === 'context' ? JSON.stringify(v) : v;
    }
    if (patch.phase === 'ended') set.open_key = null;
    if (Object.keys(set).length === 0) return;
    if (this.hot) return this.hot.updateConversation(id, Object.keys(set), Object.values(set));
    await this.db.updateTable('conversations').set(set).where('id', '=', id).execute();
  }

  async waitingPosition(c: Conversation) {
    if (!c.queueId) return 0;
    const row = await this.db
      .selectFrom('conversations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('queue_id', '=', c.queueId)
      .where('phase', 'in', ['queued', 'transferring'])
      // Queue order is (queued_at, id): the id breaks ties between chats queued in the same millisecond,
      // the same order waitingConversations assigns in, so two customers never share a position.
      .where((eb) =>
        eb.or([
          eb('queued_at', '<', sql<string>`(select queued_at from conversations where id = ${c.id})`),
          eb.and([eb('queued_at', '=', sql<string>`(select queued_at from conversations where id = ${c.id})`), eb('id', '<=', c.id)]),
        ]),
      )
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  }

  async findEventByKey(source: string, key: string) {
    if (this.hot) {
      const row = this.hot.eventByKey(source, key);
      return row && toEvent(row);
    }
    const r = await this.db.selectFrom('events').selectAll().where('source', '=', source).where('idem_key', '=', key).executeTakeFirst();
    return r && toEvent(r);
  }

  async appendEvent(conversationId: string, draft: EventDraft): Promise<StoredEvent> {
    const seq = this.hot ? this.hot.bumpSeq(conversationId, nowIso()) : await this.bumpSeq(conversationId);
    if (seq === undefined) throw new Error(`appendEvent: no conversation ${conversationId}`);
    const row = {
      id: orderedId('ev'),
      conversation_id: conversationId,
      seq,
      kind: draft.body.kind,
      author: JSON.stringify(draft.author),
      origin: draft.origin,
      body: eventBodyJson(draft.body),
      source: draft.source ?? null,
      idem_key: draft.key ?? null,
      created_at: nowIso(),
    };
    if (this.hot) this.hot.insertEvent(row);
    else await this.db.insertInto('events').values(row).execute();
    return toEvent(row);
  }

  async keepOriginal(o: { eventId: string; conversationId: string; parts: Part[] }): Promise<void> {
    await this.db.insertInto('event_originals').values({ event_id: o.eventId, conversation_id: o.conversationId, parts: JSON.stringify(o.parts), created_at: nowIso() }).execute();
  }

  private async bumpSeq(conversationId: string): Promise<number | undefined> {
    const r = await this.db
      .updateTable('conversations')
      .set((eb) => ({ last_seq: eb('last_seq', '+', 1), updated_at: nowIso() }))
      .where('id', '=', conversationId)
      .returning('last_seq')
      .executeTakeFirst();
    return r ? Number(r.last_seq) : undefined;
  }

  async getEventBySeq(conversationId: string, seq: number) {
    const r = await this.db.selectFrom('events').selectAll().where('conversation_id', '=', conversationId).where('seq', '=', seq).executeTakeFirst();
    return r && toEvent(r);
  }

  async getEvent(id: string) {
    const r = await this.db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toEvent(r);
  }

  async findDelivery(eventId: string, leg: Leg) {
    const r = await this.db.selectFrom('deliveries').selectAll().where('event_id', '=', eventId).where('leg', '=', leg).executeTakeFirst();
    return r && toDelivery(r);
  }

  async insertDelivery(d: { conversationId: string; eventId: string; seq: number; leg: Leg; adapter: string; status?: 'pending' | 'sent' }) {
    const now = nowIso();
    const row = {
      id: orderedId('dl'),
      conversation_id: d.conversationId,
      event_id: d.eventId,
      seq: d.seq,
      leg: d.leg,
      adapter: d.adapter,
      status: d.status ?? 'pending',
      attempts: 0,
      next_attempt_at: Date.now(),
      external_id: null,
      last_error: null,
      created_at: now,
      updated_at: now,
    };
    if (this.hot) this.hot.insertDelivery(row);
    else await this.db.insertInto('deliveries').values(row).execute();
  }

  async markDeliveryFailed(deliveryId: string, attempts: number, error: string) {
    await this.db.updateTable('deliveries').set({ status: 'failed', attempts, last_error: error, updated_at: nowIso() }).where('id', '=', deliveryId).execute();
  }

  async advanceDeliveries(conversationId: string, leg: Leg, through: number, status: 'delivered' | 'read', after = 0) {
    if (this.hot) return this.hot.advanceDeliveries(conversationId, leg, after, through, status, nowIso());
    const earlier = DELIVERY_ORDER.slice(0, DELIVERY_ORDER.indexOf(status));
    await this.db
      .updateTable('deliveries')
      .set({ status, updated_at: nowIso() })
      .where('conversation_id', '=', conversationId)
      .where('leg', '=', leg)
      .where('seq', '>', after)
      .where('seq', '<=', through)
      .where('status', 'in', earlier)
      .execute();
  }

  async getQueue(id: string) {
    const r = await this.db.selectFrom('queues').selectAll().where((eb) => eb.or([eb('id', '=', id), eb('name', '=', id)])).executeTakeFirst();
    return r && toQueue(r);
  }

  async getAgent(id: string) {
    const r = await this.db.selectFrom('agents').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) return undefined;
    const qs = await this.db.selectFrom('agent_queues').select('queue_id').where('agent_id', '=', id).execute();
    return toAgent(r, qs.map((q) => q.queue_id));
  }

  async activeCount(agentId: string, lock = false) {
    // PostgreSQL runs transactions concurrently: without the row lock, two accepts for one agent both count
    // the same committed total and both pass the capacity check. (SQLite transactions are already serial.)
    if (lock && this.dialect === 'postgres') await this.db.selectFrom('agents').select('id').where('id', '=', agentId).forUpdate().execute();
    const r = await this.db
      .selectFrom('conversations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('agent_id', '=', agentId)
      .where('phase', '=', 'active')
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async roundRobinCandidates(queueId: string) {
    const rows = await this.db
      .selectFrom('agents')
      .innerJoin('agent_queues', 'agent_queues.agent_id', 'agents.id')
      .selectAll('agents')
      .where('agent_queues.queue_id', '=', queueId)
      .where('agents.status', '=', 'available')
      // NULL (never assigned) first on both databases, then the least recently assigned.
      .orderBy(sql`coalesce(agents.last_assigned_at, '')`)
      .orderBy('agents.id')
      .execute();
    return rows.map((r) => toAgent(r, [queueId]));
  }

  async waitingConversations(queueId: string, limit: number, desks: readonly string[]) {
    if (desks.length === 0) return [];
    const rows = await this.db
      .selectFrom('conversations')
      .selectAll()
      .where('queue_id', '=', queueId)
      .where('desk', 'in', desks)
      .where('phase', 'in', ['queued', 'transferring'])
      .orderBy('queued_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toConversation);
  }

  async markAssigned(agentId: string) {
    // Strictly increasing per call so two assignments in the same millisecond still rotate.
    await this.db.updateTable('agents').set({ last_assigned_at: `${nowIso()}#${process.hrtime.bigint().toString().padStart(20, '0')}` }).where('id', '=', agentId).execute();
  }
}

/**
 * Transactions. PostgreSQL: a unique-key race between two first writers (same idempotency key, same
 * identity) surfaces as 23505 in the loser; we retry the whole command (a few attempts), and it then finds
 * the winner.
 */
export function makeRunInTx(db: Kysely<DB>, dialect: Dialect, hot?: SqliteHot, onGroup?: (g: GroupCommit) => void): RunInTx {
  if (hot) {
    // SQLite: concurrent transactions share one COMMIT (group-commit.ts), each in its own savepoint.
    const group = new GroupCommit(db, hot, (trx) => new KyselyTx(trx, dialect, hot));
    onGroup?.(group);
    return (fn) => group.run(fn);
  }
  return async <T>(fn: (tx: Tx) => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await db.transaction().execute((trx) => fn(new KyselyTx(trx, dialect, hot)));
      } catch (e) {
        const code = (e as { code?: string }).code;
        const racy = code === '23505' || code === '40001' || code === '40P01' || code === 'SQLITE_BUSY';
        if (!racy || attempt >= 2) throw e;
      }
    }
  };
}
