import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueue } from '../../src/hub/admin.js';
import { dialects } from '../helpers/databases.js';
import { agent, sleep, StreamClient, startServer, until, type TestServer } from '../helpers/server.js';

// Races that must not matter (ARCHITECTURE §4.2): whatever arrives at the same moment, the log ends up as
// if the requests had come one by one. On SQLite and on PostgreSQL, where transactions really overlap.

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe.each(await dialects())('concurrent writers (%s)', (dialect) => {
  let ts: TestServer;
  const streams: StreamClient[] = [];
  beforeAll(async () => {
    ts = await startServer({ dialect });
  });
  afterAll(async () => {
    for (const s of streams) await s.close().catch(() => undefined);
    await ts?.stop();
  });
  const db = () => ts.server.database.db;

  it('two first conversations opened at once by one customer become one conversation', async () => {
    const customers = await Promise.all(range(4).map(() => ts.api.customer()));
    await Promise.all(
      customers.map(async (c, i) => {
        // Two at once for most customers; one customer opens ten at once.
        const n = i === 0 ? 10 : 2;
        const answers = await Promise.all(range(n).map(() => ts.api.post('/v1/conversations', {}, c.token)));
        const ids = new Set(answers.map((a) => a.body.conversation?.id));
        expect(ids.size).toBe(1);
        expect(answers.map((a) => a.status).sort((a, b) => a - b)).toEqual([...range(n - 1).map(() => 200), 201]);
        const rows = await db().selectFrom('conversations').select('id').where('contact_id', '=', c.contactId).execute();
        expect(rows.map((r) => r.id)).toEqual([...ids]);
        const queued = await db().selectFrom('events').select('seq').where('conversation_id', '=', rows[0]!.id).where('kind', '=', 'conversation.queued').execute();
        expect(queued).toHaveLength(1);
      }),
    );
  });

  it('20 parallel sends with one clientMessageId store one event, and every answer names it', async () => {
    const c = await ts.api.customer();
    const conversationId = (await ts.api.post('/v1/conversations', {}, c.token)).body.conversation.id;
    const answers = await Promise.all(range(20).map(() => ts.api.post(`/v1/conversations/${conversationId}/messages`, { clientMessageId: 'same-one', text: 'hello once' }, c.token)));
    expect(answers.filter((a) => a.status >= 300).map((a) => `${a.status} ${JSON.stringify(a.body)}`)).toEqual([]);
    expect(new Set(answers.map((a) => a.body.event.id)).size).toBe(1);
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200 && a.body.duplicate === true)).toHaveLength(19);
    const stored = await db().selectFrom('events').select(['id', 'seq']).where('conversation_id', '=', conversationId).where('kind', '=', 'message').execute();
    expect(stored.map((e) => e.id)).toEqual([answers[0]!.body.event.id]);
    const deliveries = await db().selectFrom('deliveries').select('id').where('event_id', '=', stored[0]!.id).execute();
    expect(deliveries).toHaveLength(1);
    const seqs = (await db().selectFrom('events').select('seq').where('conversation_id', '=', conversationId).orderBy('seq').execute()).map((r) => Number(r.seq));
    expect(seqs).toEqual(range(seqs.length).map((i) => i + 1));
  });

  it('10 customers × 20 concurrent messages: every conversation stays gap-free with each message once', async () => {
    const customers = await Promise.all(
      range(10).map(async () => {
        const c = await ts.api.customer();
        const conversationId: string = (await ts.api.post('/v1/conversations', {}, c.token)).body.conversation.id;
        return { ...c, conversationId };
      }),
    );
    const answers = await Promise.all(
      customers.flatMap((c, i) => range(20).map((j) => ts.api.post(`/v1/conversations/${c.conversationId}/messages`, { clientMessageId: `c${i}-m${j}`, text: `m${j}` }, c.token))),
    );
    expect(answers.filter((a) => a.status !== 201).map((a) => `${a.status} ${JSON.stringify(a.body)}`)).toEqual([]);
    for (const [i, c] of customers.entries()) {
      const rows = await db().selectFrom('events').select(['seq', 'kind', 'idem_key']).where('conversation_id', '=', c.conversationId).orderBy('seq').execute();
      expect(rows.map((r) => Number(r.seq))).toEqual(range(rows.length).map((k) => k + 1));
      const keys = rows.filter((r) => r.kind === 'message').map((r) => r.idem_key);
      expect(keys).toHaveLength(20);
      expect([...keys].sort()).toEqual(range(20).map((j) => `c${i}-m${j}`).sort());
      const conv = await db().selectFrom('conversations').select('last_seq').where('id', '=', c.conversationId).executeTakeFirstOrThrow();
      expect(Number(conv.last_seq)).toBe(rows.length);
    }
    // Each acknowledgement names the seq its message holds.
    const bySeq = new Set(answers.map((a) => `${a.body.event.conversationId}:${a.body.event.seq}`));
    expect(bySeq.size).toBe(200);
  });

  it('one identity claimed by ten transactions at once becomes one contact', async () => {
    const count = async () => Number((await db().selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const externalId = `racer-${dialect}@example.com`;
    const results = await Promise.allSettled(
      range(10).map(() => ts.server.services.hub.tx((tx) => tx.ensureContactForIdentity('web', externalId, { name: 'Racer', email: externalId, verified: true }))),
    );
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    const ids = new Set(results.map((r) => (r as PromiseFulfilledResult<{ id: string }>).value.id));
    expect(ids.size).toBe(1);
    const identities = await db().selectFrom('identities').select('contact_id').where('channel', '=', 'web').where('external_id', '=', externalId).execute();
    expect(identities.map((i) => i.contact_id)).toEqual([...ids]);
    // The losers cleaned up after themselves: no orphan contacts.
    expect(await count()).toBe(before + 1);
  });

  it('round-robin with capacity 1: three agents take three of five customers, and a freed agent takes the next in line', async () => {
    const queue = await createQueue(db(), { name: `rr-${dialect}`, assignment: 'round_robin' });
    const agents = await Promise.all(range(3).map((i) => agent(ts, { name: `Agent ${i}`, capacity: 1, queues: [queue.name] })));
    for (const a of agents) streams.push(await StreamClient.open(ts.url, a.token));
    const customers = await Promise.all(range(5).map(() => ts.api.customer()));
    const opened = await Promise.all(customers.map((c) => ts.api.post('/v1/conversations', { queue: queue.id }, c.token)));
    expect(opened.map((o) => o.status)).toEqual(range(5).map(() => 201));
    const convIds: string[] = opened.map((o) => o.body.conversation.id);

    const state = async () => {
      const rows = await db().selectFrom('conversations').select(['id', 'phase', 'agent_id', 'queued_at']).where('id', 'in', convIds).execute();
      return { active: rows.filter((r) => r.phase === 'active'), queued: rows.filter((r) => r.phase === 'queued').sort((a, b) => String(a.queued_at).localeCompare(String(b.queued_at)) || a.id.localeCompare(b.id)) };
    };
    await until(async () => (await state()).active.length === 3, 5000, 'three assignments');
    await sleep(300); // and no fourth one sneaks in
    const s1 = await state();
    expect(s1.active).toHaveLength(3);
    expect(s1.queued).toHaveLength(2);
    expect(new Set(s1.active.map((r) => r.agent_id))).toEqual(new Set(agents.map((a) => a.id)));

    // The customers still waiting are told where they stand.
    const nextInLine = s1.queued[0]!;
    const owner = customers[convIds.indexOf(nextInLine.id)]!;
    expect((await ts.api.get(`/v1/conversations/${nextInLine.id}`, owner.token)).body.conversation.queuePosition).toBe(1);

    // One agent ends a chat: that agent, and nobody else, takes the customer who waited longest.
    const ending = s1.active[0]!;
    const freed = agents.find((a) => a.id === ending.agent_id)!;
    expect((await ts.api.post(`/v1/agent/conversations/${ending.id}/end`, undefined, freed.token)).status).toBe(200);
    await until(async () => (await state()).active.some((r) => r.id === nextInLine.id), 5000, 'the next customer to be assigned');
    await sleep(300);
    const s2 = await state();
    expect(s2.active.find((r) => r.id === nextInLine.id)?.agent_id).toBe(freed.id);
    expect(s2.active).toHaveLength(3);
    expect(s2.queued.map((r) => r.id)).toEqual([s1.queued[1]!.id]);
    const perAgent = s2.active.map((r) => r.agent_id).sort();
    expect(perAgent).toEqual(agents.map((a) => a.id).sort());
  });
});
