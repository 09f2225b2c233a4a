import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordReceipt } from '../../src/core/commands.js';
import { dueHeads } from '../../src/delivery/dispatcher.js';
import { orderedId } from '../../src/store/tx.js';
import { dialects } from '../helpers/databases.js';
import { startServer, type TestServer } from '../helpers/server.js';

// What keeps a message's writes cheap (issue 7): event and delivery ids that sort by time, so inserts append
// at the right edge of their indexes; a due-deliveries index over pending rows only, which the deliveries of
// built-in legs (written as `sent`) never enter, and which the dispatcher's poll actually uses; receipts that
// move only the deliveries past the previous receipt.

describe('time-ordered ids', () => {
  it('keep the id shape (prefix, 32 hex digits), sort by creation time, and do not collide', async () => {
    const first = orderedId('ev');
    await new Promise((r) => setTimeout(r, 3));
    const ids = Array.from({ length: 20_000 }, () => orderedId('ev'));
    for (const id of [first, ...ids]) expect(id).toMatch(/^ev_[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
    // Every id made later sorts after one made milliseconds before.
    expect(ids.every((id) => id > first)).toBe(true);
    expect(Number.parseInt(first.slice(3, 15), 16)).toBeLessThanOrEqual(Date.now());
  });
});

describe.each(await dialects())('the write path of a message (%s)', (dialect) => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer({ dialect });
  });
  afterAll(async () => ts?.stop());

  it("stores events and deliveries under time-ordered ids; a built-in leg's delivery stays out of the due index", async () => {
    const cust = await ts.api.customer();
    const open = await ts.api.post('/v1/conversations', {}, cust.token);
    const conversationId = open.body.conversation.id as string;
    for (const text of ['one', 'two', 'three']) {
      const r = await ts.api.post(`/v1/conversations/${conversationId}/messages`, { text, clientMessageId: `k-${text}` }, cust.token);
      expect(r.status).toBe(201);
    }
    const db = ts.server.services.hub.db;
    const events = await db.selectFrom('events').select(['id', 'seq']).where('conversation_id', '=', conversationId).orderBy('seq').execute();
    expect(events.length).toBeGreaterThanOrEqual(4);
    expect([...events.map((e) => e.id)].sort()).toEqual(events.map((e) => e.id));
    const deliveries = await db.selectFrom('deliveries').select(['id', 'status', 'leg']).where('conversation_id', '=', conversationId).orderBy('seq').execute();
    expect(deliveries.length).toBeGreaterThanOrEqual(3);
    expect([...deliveries.map((d) => d.id)].sort()).toEqual(deliveries.map((d) => d.id));
    // web → inbox: the inbox reads the log itself, so nothing is pending and the partial index holds none of it.
    expect(deliveries.every((d) => d.status !== 'pending')).toBe(true);
    const definition =
      dialect === 'sqlite'
        ? await sql<{ def: string }>`select sql as def from sqlite_master where name = 'deliveries_due'`.execute(db)
        : await sql<{ def: string }>`select indexdef as def from pg_indexes where indexname = 'deliveries_due'`.execute(db);
    expect(definition.rows[0]?.def).toMatch(/where.*status.*=.*'pending'/i);
  });

  it('receipts move each delivery forward once, from the previous receipt on, and never back', async () => {
    const cust = await ts.api.customer();
    const open = await ts.api.post('/v1/conversations', {}, cust.token);
    const conversationId = open.body.conversation.id as string;
    for (let i = 1; i <= 5; i++) expect((await ts.api.post(`/v1/conversations/${conversationId}/messages`, { text: `m${i}`, clientMessageId: `r-${i}` }, cust.token)).status).toBe(201);
    const hub = ts.server.services.hub;
    const statuses = async () => {
      const rows = await hub.db.selectFrom('deliveries').innerJoin('events', 'events.id', 'deliveries.event_id').select(['events.seq', 'deliveries.status']).where('deliveries.conversation_id', '=', conversationId).where('events.kind', '=', 'message').orderBy('events.seq').execute();
      return rows.map((r) => r.status);
    };
    const seqs = (await hub.db.selectFrom('events').select('seq').where('conversation_id', '=', conversationId).where('kind', '=', 'message').orderBy('seq').execute()).map((r) => r.seq);
    const receipt = (receipt: 'delivered' | 'read', through: number) => hub.run((ctx) => recordReceipt(ctx, { conversationId, by: 'desk', author: { role: 'system' }, receipt, through }));
    expect(await statuses()).toEqual(['sent', 'sent', 'sent', 'sent', 'sent']);
    await receipt('delivered', seqs[1]!);
    expect(await statuses()).toEqual(['delivered', 'delivered', 'sent', 'sent', 'sent']);
    await receipt('read', seqs[0]!);
    expect(await statuses()).toEqual(['read', 'delivered', 'sent', 'sent', 'sent']);
    await receipt('delivered', seqs[3]!);
    expect(await statuses()).toEqual(['read', 'delivered', 'delivered', 'delivered', 'sent']);
    await receipt('read', seqs[4]!);
    expect(await statuses()).toEqual(['read', 'read', 'read', 'read', 'read']);
    // An older receipt changes nothing.
    await receipt('delivered', seqs[2]!);
    expect(await statuses()).toEqual(['read', 'read', 'read', 'read', 'read']);
  });

  it("the dispatcher's poll searches the partial index instead of scanning deliveries", async () => {
    const db = ts.server.services.hub.db;
    const q = dueHeads(db, Date.now()).compile();
    // Planned as the dispatcher runs it: with its parameters bound, not written into the text (PostgreSQL's
    // generic plan can use a partial index only when the query states status = 'pending' itself).
    if (dialect === 'sqlite') {
      const plan = await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${q.sql}`, [...q.parameters]));
      const lines = plan.rows.map((r) => r.detail);
      expect(lines.some((l) => /SEARCH d USING INDEX deliveries_due/.test(l))).toBe(true);
      expect(lines.some((l) => /^SCAN d\b/.test(l))).toBe(false);
    } else {
      // A generic plan (what a prepared statement gets after its first runs) knows no parameter values.
      const lines = await db.connection().execute(async (c) => {
        await sql`set plan_cache_mode = force_generic_plan`.execute(c);
        await sql`set enable_seqscan = off`.execute(c);
        await c.executeQuery(CompiledQuery.raw(`prepare due_heads as ${q.sql}`));
        const args = q.parameters.map((v) => (typeof v === 'string' ? `'${v}'` : String(v))).join(', ');
        const plan = await c.executeQuery<{ 'QUERY PLAN': string }>(CompiledQuery.raw(`explain execute due_heads(${args})`));
        await c.executeQuery(CompiledQuery.raw('deallocate due_heads'));
        await sql`reset plan_cache_mode`.execute(c);
        await sql`reset enable_seqscan`.execute(c);
        return plan.rows.map((r) => r['QUERY PLAN']);
      });
      expect(lines.some((l) => /deliveries_due on deliveries d\b/.test(l))).toBe(true);
    }
  });
});
