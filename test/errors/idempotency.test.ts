import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../helpers/databases.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { countRows, expectError, storesNothing } from './support.js';

// A retried send (same clientMessageId) is harmless: one row, the same event back. Reusing a key for a
// different conversation is a client bug and says so.

describe.each(await dialects())('idempotent sends (%s)', (dialect) => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer({ dialect });
  });
  afterAll(async () => ts?.stop());

  async function fresh(): Promise<{ token: string; contactId: string; conv: string }> {
    const c = await ts.api.customer();
    const conv = (await ts.api.post('/v1/conversations', {}, c.token)).body.conversation.id as string;
    return { ...c, conv };
  }
  const messageRows = async (conv: string) =>
    Number((await ts.server.database.db.selectFrom('events').select((eb) => eb.fn.countAll().as('n')).where('conversation_id', '=', conv).where('kind', '=', 'message').executeTakeFirstOrThrow()).n);

  it('the same clientMessageId twice → 201, then 200 with duplicate:true and the same event; one row', async () => {
    const { token, conv } = await fresh();
    const path = `/v1/conversations/${conv}/messages`;
    const first = await ts.api.post(path, { clientMessageId: 'dup-1', text: 'hello' }, token);
    expect(first.status).toBe(201);
    expect(first.body.duplicate).toBe(false);
    const second = await storesNothing(ts, () => ts.api.post(path, { clientMessageId: 'dup-1', text: 'hello' }, token));
    expect(second.status).toBe(200);
    expect(second.body.duplicate).toBe(true);
    expect(second.body.event.id).toBe(first.body.event.id);
    expect(second.body.event.seq).toBe(first.body.event.seq);
    expect(await messageRows(conv)).toBe(1);
  });

  it('a retry with a different body still returns the first event (the key decides)', async () => {
    const { token, conv } = await fresh();
    const path = `/v1/conversations/${conv}/messages`;
    const first = await ts.api.post(path, { clientMessageId: 'dup-2', text: 'original' }, token);
    const again = await ts.api.post(path, { clientMessageId: 'dup-2', text: 'edited' }, token);
    expect(again.status).toBe(200);
    expect(again.body.event.parts).toEqual([{ type: 'text', text: 'original' }]);
    expect(again.body.event.id).toBe(first.body.event.id);
    expect(await messageRows(conv)).toBe(1);
  });

  it('concurrent retries of one send make one row', async () => {
    const { token, conv } = await fresh();
    const path = `/v1/conversations/${conv}/messages`;
    const all = await Promise.all(Array.from({ length: 6 }, () => ts.api.post(path, { clientMessageId: 'race-1', text: 'once' }, token)));
    expect(all.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
    expect(new Set(all.map((r) => r.body.event.id)).size).toBe(1);
    expect(await messageRows(conv)).toBe(1);
  });

  it('the same clientMessageId on a different conversation → 409 PARLEY_E_IDEMPOTENCY_MISMATCH', async () => {
    const { token, conv } = await fresh();
    expect((await ts.api.post(`/v1/conversations/${conv}/messages`, { clientMessageId: 'k-1', text: 'first chat' }, token)).status).toBe(201);
    expect((await ts.api.post(`/v1/conversations/${conv}/end`, undefined, token)).status).toBe(200);
    const next = await ts.api.post('/v1/conversations', {}, token);
    expect(next.status).toBe(201);
    const conv2 = next.body.conversation.id as string;
    expect(conv2).not.toBe(conv);
    const r = await storesNothing(ts, () => ts.api.post(`/v1/conversations/${conv2}/messages`, { clientMessageId: 'k-1', text: 'second chat' }, token));
    expectError(r, 409, 'PARLEY_E_IDEMPOTENCY_MISMATCH');
    expect(await messageRows(conv2)).toBe(0);
    // A fresh key on the new conversation is fine.
    expect((await ts.api.post(`/v1/conversations/${conv2}/messages`, { clientMessageId: 'k-2', text: 'second chat' }, token)).status).toBe(201);
  });

  it('a retry that arrives after the conversation ended still gets its original event, not an error', async () => {
    const { token, conv } = await fresh();
    const path = `/v1/conversations/${conv}/messages`;
    const first = await ts.api.post(path, { clientMessageId: 'late-1', text: 'bye' }, token);
    await ts.api.post(`/v1/conversations/${conv}/end`, undefined, token);
    const retry = await ts.api.post(path, { clientMessageId: 'late-1', text: 'bye' }, token);
    expect(retry.status).toBe(200);
    expect(retry.body.event.id).toBe(first.body.event.id);
    // But a new message to the ended conversation is refused and stores nothing.
    const r = await storesNothing(ts, () => ts.api.post(path, { clientMessageId: 'late-2', text: 'hello?' }, token));
    expectError(r, 409, 'PARLEY_E_CONVERSATION_ENDED');
  });

  it('two customers may use the same clientMessageId without colliding', async () => {
    const a = await fresh();
    const b = await fresh();
    const before = await countRows(ts);
    expect((await ts.api.post(`/v1/conversations/${a.conv}/messages`, { clientMessageId: 'shared', text: 'a' }, a.token)).status).toBe(201);
    expect((await ts.api.post(`/v1/conversations/${b.conv}/messages`, { clientMessageId: 'shared', text: 'b' }, b.token)).status).toBe(201);
    expect((await countRows(ts)).events).toBe(before.events + 2);
  });
});
