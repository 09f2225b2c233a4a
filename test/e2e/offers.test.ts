import { describe, expect, it } from 'vitest';
import { identityToken, makeApiKey, adminServer } from '../helpers/flows.js';

// Offers: push-only notifications from the business to one contact, live on its stream, listed, and
// replayed on reconnect until the customer acknowledges them.

describe('offers', () => {
  const env = adminServer();

  const offerFrame = (id: string) => (f: any) => f.type === 'offer' && f.offer.id === id;

  it("an offer sent by contact id arrives live on the customer's stream and is listed", async () => {
    const cust = await env.ts.api.customer();
    const stream = await env.streams.connect(env.ts, cust.token);

    const r = await env.ts.api.post('/v1/offers', { contactId: cust.contactId, type: 'text', content: '20% off today', fromId: 'spring-sale' }, env.adminToken);
    expect(r.status).toBe(201);
    expect(r.body.offer).toMatchObject({ contactId: cust.contactId, type: 'text', content: '20% off today', fromId: 'spring-sale', acknowledgedAt: null });

    const live = await stream.next(offerFrame(r.body.offer.id));
    expect(live.offer).toEqual(r.body.offer);
    const list = await env.ts.api.get('/v1/offers', cust.token);
    expect(list.status).toBe(200);
    expect(list.body.offers).toEqual([r.body.offer]);
  });

  it('an offer sent by web identity reaches the customer who signed in with that identity, and no one else', async () => {
    const sub = `user-${Math.random().toString(36).slice(2, 8)}`;
    const cust = await env.ts.api.customer(await identityToken(sub, { name: 'Jo Doe', email: 'jo@example.com' }));
    const stream = await env.streams.connect(env.ts, cust.token);
    const bystander = await env.ts.api.customer();
    const bystanderStream = await env.streams.connect(env.ts, bystander.token);

    const r = await env.ts.api.post('/v1/offers', { identity: { channel: 'web', externalId: sub }, type: 'qrcode', content: 'TICKET-8841' }, env.adminToken);
    expect(r.status).toBe(201);
    expect(r.body.offer.contactId).toBe(cust.contactId);
    await stream.next(offerFrame(r.body.offer.id));

    // The same identity signing in again (another device) is the same contact and sees the offer.
    const sameAgain = await env.ts.api.customer(await identityToken(sub));
    expect(sameAgain.contactId).toBe(cust.contactId);
    expect((await env.ts.api.get('/v1/offers', sameAgain.token)).body.offers.map((o: any) => o.id)).toEqual([r.body.offer.id]);

    expect((await env.ts.api.get('/v1/offers', bystander.token)).body.offers).toEqual([]);
    expect(bystanderStream.frames.some((f) => f.type === 'offer')).toBe(false);
  });

  it('an unacknowledged offer is replayed when the stream reconnects; an acknowledged one is not', async () => {
    const cust = await env.ts.api.customer();
    const first = await env.ts.api.post('/v1/offers', { contactId: cust.contactId, type: 'text', content: 'first' }, env.adminToken);
    const second = await env.ts.api.post('/v1/offers', { contactId: cust.contactId, type: 'link', content: 'https://example.com/deal' }, env.adminToken);

    // Sent while the customer was offline: delivered on connect.
    const s1 = await env.streams.connect(env.ts, cust.token);
    expect(s1.frames.filter((f) => f.type === 'offer').map((f) => f.offer.id)).toEqual([first.body.offer.id, second.body.offer.id]);

    const ack = await env.ts.api.post(`/v1/offers/${first.body.offer.id}/ack`, undefined, cust.token);
    expect(ack.status).toBe(200);
    expect(typeof ack.body.offer.acknowledgedAt).toBe('string');
    // Other open tabs learn of the acknowledgement.
    const seen = await s1.next((f) => f.type === 'offer' && f.offer.id === first.body.offer.id && f.offer.acknowledgedAt);
    expect(seen.offer.acknowledgedAt).toBe(ack.body.offer.acknowledgedAt);
    // Acknowledging again is harmless and keeps the first time.
    const again = await env.ts.api.post(`/v1/offers/${first.body.offer.id}/ack`, undefined, cust.token);
    expect(again.status).toBe(200);
    expect(again.body.offer.acknowledgedAt).toBe(ack.body.offer.acknowledgedAt);
    await s1.close();

    const s2 = await env.streams.connect(env.ts, cust.token);
    expect(s2.frames.filter((f) => f.type === 'offer').map((f) => f.offer.id)).toEqual([second.body.offer.id]);
    // Still listed, with its acknowledgement.
    const list = await env.ts.api.get('/v1/offers', cust.token);
    const byId = Object.fromEntries(list.body.offers.map((o: any) => [o.id, o]));
    expect(byId[first.body.offer.id].acknowledgedAt).toBe(ack.body.offer.acknowledgedAt);
    expect(byId[second.body.offer.id].acknowledgedAt).toBeNull();
  });

  it('link and image offers need an http(s) URL', async () => {
    const cust = await env.ts.api.customer();
    for (const [type, content] of [
      ['link', 'javascript:alert(1)'],
      ['link', 'example.com/no-scheme'],
      ['image', 'data:image/png;base64,AAAA'],
      ['image', 'ftp://example.com/a.png'],
    ] as const) {
      const r = await env.ts.api.post('/v1/offers', { contactId: cust.contactId, type, content }, env.adminToken);
      expect(r.status, `${type} ${content}`).toBe(422);
      expect(r.body.error.code).toBe('PARLEY_E_VALIDATION');
    }
    expect((await env.ts.api.get('/v1/offers', cust.token)).body.offers).toEqual([]);

    const link = await env.ts.api.post('/v1/offers', { contactId: cust.contactId, type: 'link', content: 'https://example.com/deal' }, env.adminToken);
    const image = await env.ts.api.post('/v1/offers', { contactId: cust.contactId, type: 'image', content: 'http://cdn.example.com/banner.png' }, env.adminToken);
    expect([link.status, image.status]).toEqual([201, 201]);
    // Text and QR offers carry any text.
    const qr = await env.ts.api.post('/v1/offers', { contactId: cust.contactId, type: 'qrcode', content: 'not a url' }, env.adminToken);
    expect(qr.status).toBe(201);
  });

  it("a customer cannot see or acknowledge someone else's offer", async () => {
    const owner = await env.ts.api.customer();
    const other = await env.ts.api.customer();
    const r = await env.ts.api.post('/v1/offers', { contactId: owner.contactId, type: 'text', content: 'for owner only' }, env.adminToken);
    const steal = await env.ts.api.post(`/v1/offers/${r.body.offer.id}/ack`, undefined, other.token);
    expect(steal.status).toBe(404);
    expect(steal.body.error.code).toBe('PARLEY_E_OFFER_NOT_FOUND');
    expect((await env.ts.api.get('/v1/offers', owner.token)).body.offers[0].acknowledgedAt).toBeNull();
    expect((await env.ts.api.get('/v1/offers', other.token)).body.offers).toEqual([]);
  });

  it('sending offers needs the offers:write scope, and the contact must exist', async () => {
    const cust = await env.ts.api.customer();
    const asCustomer = await env.ts.api.post('/v1/offers', { contactId: cust.contactId, type: 'text', content: 'self-promo' }, cust.token);
    expect(asCustomer.status).toBe(403);
    expect(asCustomer.body.error.code).toBe('PARLEY_E_FORBIDDEN');
    const wrongScope = await env.ts.api.post('/v1/offers', { contactId: cust.contactId, type: 'text', content: 'x' }, await makeApiKey(env.ts, env.adminToken, ['messages:write']));
    expect(wrongScope.status).toBe(403);
    const anonymous = await env.ts.api.post('/v1/offers', { contactId: cust.contactId, type: 'text', content: 'x' });
    expect(anonymous.status).toBe(401);

    const key = await makeApiKey(env.ts, env.adminToken, ['offers:write']);
    expect((await env.ts.api.post('/v1/offers', { contactId: cust.contactId, type: 'text', content: 'by key' }, key)).status).toBe(201);
    const nobody = await env.ts.api.post('/v1/offers', { identity: { channel: 'web', externalId: 'never-seen' }, type: 'text', content: 'x' }, key);
    expect(nobody.status).toBe(404);
    expect(nobody.body.error.code).toBe('PARLEY_E_CONTACT_NOT_FOUND');
    const badId = await env.ts.api.post('/v1/offers', { contactId: 'ct_nope', type: 'text', content: 'x' }, key);
    expect(badId.status).toBe(404);
  });
});
