import { describe, expect, it } from 'vitest';
import { eventBodyJson, toEvent } from '../../src/store/rows.js';

// Events are stored as an envelope (own columns) plus a kind-specific JSON body; reading one back must
// never let a body field stand in for the envelope's seq, id or author.

const row = (body: object, over: Partial<Parameters<typeof toEvent>[0]> = {}) => ({
  id: 'ev_1',
  conversation_id: 'cv_1',
  seq: 7,
  kind: 'delivery.failed',
  author: JSON.stringify({ role: 'system' }),
  origin: null,
  body: eventBodyJson(body),
  source: null,
  idem_key: null,
  created_at: '2030-01-01T00:00:00.000Z',
  ...over,
});

describe('stored event mapping', () => {
  it('round-trips a delivery.failed event, keeping its own seq apart from the failed one', () => {
    const e = toEvent(row({ kind: 'delivery.failed', failedSeq: 3, leg: 'desk', deliveryId: 'dl_1', code: 'PARLEY_E_DELIVERY_REJECTED', reason: 'no' }));
    expect(e).toEqual({
      id: 'ev_1',
      conversationId: 'cv_1',
      seq: 7,
      kind: 'delivery.failed',
      author: { role: 'system' },
      origin: null,
      createdAt: '2030-01-01T00:00:00.000Z',
      failedSeq: 3,
      leg: 'desk',
      deliveryId: 'dl_1',
      code: 'PARLEY_E_DELIVERY_REJECTED',
      reason: 'no',
    });
  });

  it('the envelope wins over any body field of the same name', () => {
    const e = toEvent(row({ kind: 'error', seq: 1, id: 'ev_fake', conversationId: 'cv_other', author: { role: 'agent' }, code: 'x', message: 'y' }));
    expect(e).toMatchObject({ id: 'ev_1', conversationId: 'cv_1', seq: 7, kind: 'delivery.failed', author: { role: 'system' } });
  });

  it('the body column never stores the kind (it has its own column)', () => {
    expect(JSON.parse(eventBodyJson({ kind: 'message', parts: [] }))).toEqual({ parts: [] });
  });
});
