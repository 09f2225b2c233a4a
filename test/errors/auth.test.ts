import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../helpers/databases.js';
import { agent, startServer, type TestServer } from '../helpers/server.js';
import { countRows, expectError, storesNothing } from './support.js';

// Who may call what: 401 when we cannot tell who you are, 403 when we can and you may not.

const IDENTITY_SECRET = 'test-identity-secret-that-is-long-enough-1234'; // what startServer configures
const enc = (s: string) => new TextEncoder().encode(s);
const nowS = () => Math.floor(Date.now() / 1000);

function customerJwt(key: string, sub: string, opts: { iat?: number; exp?: number; typ?: string } = {}): Promise<string> {
  return new SignJWT({ typ: opts.typ ?? 'customer' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setIssuedAt(opts.iat ?? nowS())
    .setExpirationTime(opts.exp ?? nowS() + 3600)
    .sign(enc(key));
}

/** Opens /v1/stream and reports the HTTP status of a refused upgrade (or 101 when it opened). */
function streamStatus(url: string, token?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const q = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/stream${q}`);
    ws.once('open', () => {
      ws.close();
      resolve({ status: 101, body: '' });
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', (e) => reject(e));
  });
}

describe.each(await dialects())('authentication and authorisation (%s)', (dialect) => {
  let ts: TestServer;
  let cust: { token: string; contactId: string };
  let conv: string;
  let agentToken: string;
  beforeAll(async () => {
    ts = await startServer({ dialect });
    cust = await ts.api.customer();
    conv = (await ts.api.post('/v1/conversations', {}, cust.token)).body.conversation.id;
    agentToken = (await agent(ts)).token;
  });
  afterAll(async () => ts?.stop());

  const sendWith = (token: string | undefined) =>
    ts.api.req('POST', `/v1/conversations/${conv}/messages`, { ...(token !== undefined ? { token } : {}), body: { clientMessageId: `m-${Math.random()}`, text: 'hi' } });

  it('no token → 401 PARLEY_E_UNAUTHENTICATED, and a send without one stores nothing', async () => {
    expectError(await ts.api.get('/v1/conversations'), 401, 'PARLEY_E_UNAUTHENTICATED');
    expectError(await ts.api.get('/v1/agent/me'), 401, 'PARLEY_E_UNAUTHENTICATED');
    expectError(await ts.api.get('/v1/admin/deliveries'), 401, 'PARLEY_E_UNAUTHENTICATED');
    expectError(await storesNothing(ts, () => sendWith(undefined)), 401, 'PARLEY_E_UNAUTHENTICATED');
  });

  it('a malformed Authorization header → 401', async () => {
    for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer', cust.token]) {
      expectError(await ts.api.req('GET', '/v1/conversations', { headers: { authorization } }), 401, 'PARLEY_E_UNAUTHENTICATED');
    }
  });

  it('a garbage token → 401 PARLEY_E_UNAUTHENTICATED', async () => {
    for (const t of ['garbage', 'a.b.c', 'pk_nothex_xxxxxxxxxxxxxxxxxxxxxxxx', 'pk_0123456789ab_AAAAAAAAAAAAAAAAAAAAAAAA']) {
      expectError(await ts.api.get('/v1/conversations', t), 401, 'PARLEY_E_UNAUTHENTICATED');
    }
    expectError(await storesNothing(ts, () => sendWith('garbage')), 401, 'PARLEY_E_UNAUTHENTICATED');
  });

  it('an expired token → 401 PARLEY_E_TOKEN_EXPIRED', async () => {
    const expired = await customerJwt(ts.config.tokenSigningKey, cust.contactId, { iat: nowS() - 7200, exp: nowS() - 60 });
    expectError(await ts.api.get('/v1/conversations', expired), 401, 'PARLEY_E_TOKEN_EXPIRED');
    expectError(await storesNothing(ts, () => sendWith(expired)), 401, 'PARLEY_E_TOKEN_EXPIRED');
    // Control: the same claims, not expired, are accepted — so it is the expiry that is refused.
    const fresh = await customerJwt(ts.config.tokenSigningKey, cust.contactId);
    expect((await ts.api.get('/v1/conversations', fresh)).status).toBe(200);
  });

  it('a token signed with another key → 401 PARLEY_E_UNAUTHENTICATED', async () => {
    const forged = await customerJwt('another-key-that-is-not-the-servers-0123456789', cust.contactId);
    expectError(await ts.api.get('/v1/conversations', forged), 401, 'PARLEY_E_UNAUTHENTICATED');
    expectError(await storesNothing(ts, () => sendWith(forged)), 401, 'PARLEY_E_UNAUTHENTICATED');
  });

  it('an unsigned (alg none) token or an unknown token type → 401', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ typ: 'customer', sub: cust.contactId, exp: nowS() + 60 })}.`;
    expectError(await ts.api.get('/v1/conversations', none), 401, 'PARLEY_E_UNAUTHENTICATED');
    const odd = await customerJwt(ts.config.tokenSigningKey, cust.contactId, { typ: 'service' });
    expectError(await ts.api.get('/v1/conversations', odd), 401, 'PARLEY_E_UNAUTHENTICATED');
  });

  it('a customer token on an agent or admin route → 403 PARLEY_E_FORBIDDEN', async () => {
    expectError(await ts.api.get('/v1/agent/me', cust.token), 403, 'PARLEY_E_FORBIDDEN');
    expectError(await ts.api.get('/v1/agent/conversations', cust.token), 403, 'PARLEY_E_FORBIDDEN');
    const r = await storesNothing(ts, () => ts.api.post(`/v1/agent/conversations/${conv}/messages`, { clientMessageId: 'x1', text: 'hi' }, cust.token));
    expectError(r, 403, 'PARLEY_E_FORBIDDEN');
    expectError(await ts.api.get('/v1/admin/deliveries', cust.token), 403, 'PARLEY_E_FORBIDDEN');
  });

  it('an agent token on a customer route → 403 PARLEY_E_FORBIDDEN', async () => {
    expectError(await ts.api.get('/v1/conversations', agentToken), 403, 'PARLEY_E_FORBIDDEN');
    expectError(await storesNothing(ts, () => sendWith(agentToken)), 403, 'PARLEY_E_FORBIDDEN');
    expectError(await storesNothing(ts, () => ts.api.post('/v1/conversations', {}, agentToken)), 403, 'PARLEY_E_FORBIDDEN');
  });

  it('a plain agent token on an admin route → 403', async () => {
    expectError(await ts.api.get('/v1/admin/deliveries', agentToken), 403, 'PARLEY_E_FORBIDDEN');
  });

  it('an identity token signed with the wrong secret → 401, and no contact is created', async () => {
    const wrong = await customerJwt('not-the-identity-secret-0123456789-abcdef', 'user-42');
    expectError(await storesNothing(ts, () => ts.api.post('/v1/sessions', { identityToken: wrong })), 401, 'PARLEY_E_UNAUTHENTICATED');
    const expired = await customerJwt(IDENTITY_SECRET, 'user-42', { iat: nowS() - 7200, exp: nowS() - 600 });
    expectError(await storesNothing(ts, () => ts.api.post('/v1/sessions', { identityToken: expired })), 401, 'PARLEY_E_TOKEN_EXPIRED');
    expectError(await storesNothing(ts, () => ts.api.post('/v1/sessions', { identityToken: 'garbage' })), 401, 'PARLEY_E_UNAUTHENTICATED');
    // Control: the right secret works and creates (only) the verified contact.
    const before = await countRows(ts);
    const ok = await ts.api.post('/v1/sessions', { identityToken: await customerJwt(IDENTITY_SECRET, 'user-42') });
    expect(ok.status).toBe(201);
    expect(ok.body.contact.verified).toBe(true);
    expect((await countRows(ts)).contacts).toBe(before.contacts + 1);
  });

  it('a stream with a bad or missing token is refused with HTTP 401 before the upgrade', async () => {
    for (const t of [undefined, 'garbage', await customerJwt('wrong-key-wrong-key-wrong-key-wrong-key', cust.contactId)]) {
      const r = await streamStatus(ts.url, t);
      expect(r.status).toBe(401);
      expect(JSON.parse(r.body).error.code).toBe('PARLEY_E_UNAUTHENTICATED');
    }
    const expired = await customerJwt(ts.config.tokenSigningKey, cust.contactId, { iat: nowS() - 7200, exp: nowS() - 60 });
    const r = await streamStatus(ts.url, expired);
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body).error.code).toBe('PARLEY_E_TOKEN_EXPIRED');
    // Control: a good token upgrades.
    expect((await streamStatus(ts.url, cust.token)).status).toBe(101);
  });
});

describe('identity tokens when PARLEY_IDENTITY_SECRET is unset', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer({ env: { PARLEY_IDENTITY_SECRET: '' } });
  });
  afterAll(async () => ts?.stop());

  it('are refused with 403 PARLEY_E_FORBIDDEN and create nothing; anonymous sessions still work', async () => {
    expect(ts.config.identitySecret).toBeUndefined();
    const token = await customerJwt(IDENTITY_SECRET, 'user-1');
    const r = await storesNothing(ts, () => ts.api.post('/v1/sessions', { identityToken: token }));
    expectError(r, 403, 'PARLEY_E_FORBIDDEN');
    expect(r.body.error.message).toContain('PARLEY_IDENTITY_SECRET');
    expect((await ts.api.post('/v1/sessions', {})).status).toBe(201);
  });
});
