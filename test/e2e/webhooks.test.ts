import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Adapters } from '../../src/adapters.js';
import { webChannel } from '../../src/channels/web/adapter.js';
import type { DeskAdapter } from '../../src/core/adapter.js';
import { ParleyError } from '../../src/core/errors.js';
import type { Webhook, WebhookReceiver } from '../../src/switchboard/webhooks.js';
import { startServer, type TestServer } from '../helpers/server.js';

// The webhook plumbing every vendor adapter gets: /webhooks/<type>/<instance>, the raw body kept for the
// signature, verification before any parsing, 401 with a stable code (and nothing handled) on a bad
// signature, and one instance's secret never opening another instance's door.

const sign = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');

/** A vendor-like desk whose webhook is signed with HMAC-SHA256 (hex) in x-signature; records what it handled. */
function signedDesk(name: string, secret: string): DeskAdapter & WebhookReceiver & { handled: unknown[] } {
  const handled: unknown[] = [];
  const post: Webhook = {
    method: 'POST',
    verify: (req) => req.headers['x-signature'] === sign(secret, req.rawBody.toString('utf8')),
    handle: async (req) => {
      handled.push(req.json());
      return { status: 202, body: { ok: true } };
    },
  };
  const challenge: Webhook = {
    method: 'GET',
    verify: (req) => req.query['verify_token'] === secret,
    handle: async (req) => ({ body: req.query['challenge'] ?? '', contentType: 'text/plain' }),
  };
  return {
    id: name,
    side: 'desk',
    capabilities: { typing: false, receipts: false, parts: ['text'] },
    wants: () => false,
    deliver: () => Promise.resolve({ status: 'sent' }),
    webhooks: [post, challenge],
    handled,
  };
}

describe('vendor webhooks', () => {
  let ts: TestServer;
  const eu = signedDesk('vendor-eu', 'eu-secret');
  const us = signedDesk('vendor-us', 'us-secret');
  // An adapter that asks the vendor to retry (as the genesys desk does when an attachment is unreachable).
  const busy = signedDesk('vendor-busy', 'busy-secret');
  busy.webhooks[0]!.handle = () => Promise.reject(new ParleyError('UNAVAILABLE', 'The attachment could not be fetched yet.', { retryAfterMs: 1500 }));
  beforeAll(async () => {
    const adapters = new Adapters([webChannel], []);
    adapters.addDesk(eu, 'fakevendor');
    adapters.addDesk(us, 'fakevendor');
    adapters.addDesk(busy, 'fakevendor');
    ts = await startServer({ adapters, captureLogs: true });
  });
  afterAll(async () => ts?.stop());

  const post = (path: string, body: string, headers: Record<string, string>) => ts.api.req('POST', path, { raw: body, contentType: 'application/json', headers });

  it('a correctly signed request reaches its instance, with the exact bytes that were signed', async () => {
    // Spacing and key order matter to the signature: the raw body, not a re-serialised one, is checked.
    const body = '{ "b":1,  "a" : "ü" }';
    const r = await post('/webhooks/fakevendor/vendor-eu', body, { 'x-signature': sign('eu-secret', body) });
    expect(r.status).toBe(202);
    expect(eu.handled).toEqual([{ b: 1, a: 'ü' }]);
  });

  it('a forged, missing or other-instance signature gets 401 PARLEY_E_WEBHOOK_SIGNATURE and nothing is handled', async () => {
    const before = [eu.handled.length, us.handled.length];
    const body = '{"x":1}';
    const attempts: Record<string, string>[] = [{ 'x-signature': sign('wrong', body) }, {}, { 'x-signature': sign('us-secret', body) }];
    for (const headers of attempts) {
      const r = await post('/webhooks/fakevendor/vendor-eu', body, headers);
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('PARLEY_E_WEBHOOK_SIGNATURE');
    }
    expect([eu.handled.length, us.handled.length]).toEqual(before);
  });

  it('bad JSON is checked after the signature: signed garbage is a 400, unsigned garbage a 401', async () => {
    const garbage = '{not json';
    expect((await post('/webhooks/fakevendor/vendor-us', garbage, { 'x-signature': sign('us-secret', garbage) })).body.error.code).toBe('PARLEY_E_BAD_JSON');
    expect((await post('/webhooks/fakevendor/vendor-us', garbage, {})).status).toBe(401);
  });

  it('any content type is taken as raw bytes, GET verification challenges work, and unknown instances are 404', async () => {
    const r = await ts.api.req('POST', '/webhooks/fakevendor/vendor-us', { raw: '{"form":true}', contentType: 'application/x-www-form-urlencoded', headers: { 'x-signature': sign('us-secret', '{"form":true}') } });
    expect(r.status).toBe(202);
    const ok = await ts.api.get('/webhooks/fakevendor/vendor-us?verify_token=us-secret&challenge=12345');
    expect([ok.status, ok.body]).toEqual([200, 12345]);
    expect((await ts.api.get('/webhooks/fakevendor/vendor-us?verify_token=nope&challenge=1')).status).toBe(401);
    expect((await post('/webhooks/fakevendor/vendor-xx', '{}', {})).status).toBe(404);
    expect(ts.logs.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('a webhook asking the vendor to retry is a 503 UNAVAILABLE with Retry-After, logged as a warning, not an error', async () => {
    // Found by the fuzz suite: the app's error handler logged this deliberate 503 as an error line.
    const body = '{"id":"m1"}';
    const r = await post('/webhooks/fakevendor/vendor-busy', body, { 'x-signature': sign('busy-secret', body) });
    expect([r.status, r.body.error.code, r.body.error.retryable, r.headers.get('retry-after')]).toEqual([503, 'PARLEY_E_UNAVAILABLE', true, '2']);
    expect(ts.logs.filter((l) => l.level >= 50)).toEqual([]);
    expect(ts.logs.filter((l) => l.level === 40 && l.msg === 'webhook asks the vendor to retry')).toHaveLength(1);
  });
});
