import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, nowIso } from '../../src/store/tx.js';
import { startServer, until, type TestServer } from '../helpers/server.js';

// A delivery whose adapter is no longer configured (removed from the config while rows were pending)
// backs off and finally fails visibly, instead of spinning the dispatcher.

describe('a delivery for an adapter that is not configured', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer({ env: { PARLEY_DELIVERY_MAX_ATTEMPTS: '3', PARLEY_DELIVERY_BASE_DELAY_MS: '50', PARLEY_DELIVERY_MAX_DELAY_MS: '100' } });
  });
  afterAll(async () => ts?.stop());

  it('is retried with backoff, then marked failed with a delivery.failed event the customer sees', async () => {
    const cust = await ts.api.customer();
    const conv = (await ts.api.post('/v1/conversations', {}, cust.token)).body.conversation;
    const sent = (await ts.api.post(`/v1/conversations/${conv.id}/messages`, { clientMessageId: 'm1', text: 'hello' }, cust.token)).body.event;
    const db = ts.server.database.db;
    const id = newId('dl');
    await db
      .insertInto('deliveries')
      .values({ id, conversation_id: conv.id, event_id: sent.id, seq: sent.seq, leg: 'channel', adapter: 'vanished', status: 'pending', attempts: 0, next_attempt_at: Date.now(), external_id: null, last_error: null, created_at: nowIso(), updated_at: nowIso() })
      .execute();
    ts.server.services.dispatcher.wake();
    const row = await until(async () => {
      const r = await db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      return r.status === 'failed' ? r : undefined;
    }, 5000, 'the delivery to fail');
    if (!row) throw new Error('unreachable: until() returned no row');
    expect(Number(row.attempts)).toBe(3);
    expect(row.last_error).toMatch(/PARLEY_E_DELIVERY_UNAVAILABLE: No channel adapter "vanished"/);
    const events = (await ts.api.get(`/v1/conversations/${conv.id}/events`, cust.token)).body.events;
    expect(events.find((e: { kind: string }) => e.kind === 'delivery.failed')).toMatchObject({ failedSeq: sent.seq, leg: 'channel', deliveryId: id, code: 'PARLEY_E_DELIVERY_UNAVAILABLE' });
  });
});
