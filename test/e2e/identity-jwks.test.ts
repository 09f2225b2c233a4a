import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

// Identity tokens from an identity provider (issue 11 item 2): ES256 and RS256 tokens verified with the keys of
// PARLEY_IDENTITY_JWKS_URL (by kid), issuer and audience checked, a rotated key picked up, and each way a
// token can be wrong refused with its own reason, storing nothing. HS256 with PARLEY_IDENTITY_SECRET still
// works beside it. Nothing hands a token to an anonymous caller: Parley only verifies.

const ISS = 'https://login.shop.example/';
const AUD = 'parley';
const SECRET = 'identity-secret-of-the-shop-backend-0123456789';

let jwks: { keys: JWK[] } = { keys: [] };
let fetches = 0;
let down = false;
let provider: Server;
let ts: TestServer;

const es = await generateKeyPair('ES256');
const rs = await generateKeyPair('RS256');
const rotated = await generateKeyPair('ES256');
const stranger = await generateKeyPair('ES256');
const pub = async (k: CryptoKey, kid: string, alg: string) => ({ ...(await exportJWK(k)), kid, alg, use: 'sig' });

function sign(key: CryptoKey | Uint8Array, alg: string, kid: string | undefined, claims: Record<string, unknown> = {}, opts: { iss?: string; aud?: string; exp?: string; sub?: string | null } = {}) {
  const jwt = new SignJWT({ name: 'Ada Lovelace', email: 'ada@example.com', ...claims }).setProtectedHeader({ alg, ...(kid ? { kid } : {}) }).setIssuedAt().setIssuer(opts.iss ?? ISS).setAudience(opts.aud ?? AUD).setExpirationTime(opts.exp ?? '10m');
  if (opts.sub !== null) jwt.setSubject(opts.sub ?? 'user-42');
  return jwt.sign(key);
}

beforeAll(async () => {
  jwks = { keys: [await pub(es.publicKey, 'es-1', 'ES256'), await pub(rs.publicKey, 'rs-1', 'RS256')] };
  provider = createServer((_req, res) => {
    fetches++;
    if (down) return res.writeHead(503).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
  });
  await new Promise<void>((r) => provider.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(provider.address() as AddressInfo).port}/.well-known/jwks.json`;
  ts = await startServer({ env: { PARLEY_IDENTITY_JWKS_URL: url, PARLEY_IDENTITY_ISSUER: ISS, PARLEY_IDENTITY_AUDIENCE: AUD, PARLEY_IDENTITY_SECRET: SECRET } });
});
afterAll(async () => {
  await ts?.stop();
  provider?.closeAllConnections();
  await new Promise<void>((r) => provider?.close(() => r()));
});

const session = (identityToken: string) => ts.api.post('/v1/sessions', { identityToken });
const contacts = async () => Number((await ts.server.database.db.selectFrom('contacts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst())?.n);

describe('identity tokens from a JWKS', () => {
  it('ES256 and RS256 tokens of the provider open a verified session; the same subject is the same contact', async () => {
    const a = await session(await sign(es.privateKey, 'ES256', 'es-1'));
    expect(a.status).toBe(201);
    expect(a.body.contact).toMatchObject({ verified: true, name: 'Ada Lovelace', email: 'ada@example.com' });
    const b = await session(await sign(rs.privateKey, 'RS256', 'rs-1'));
    expect(b.status).toBe(201);
    expect(b.body.contact.id).toBe(a.body.contact.id);
    // The key set is cached: two tokens, one fetch.
    expect(fetches).toBe(1);
    // HS256 with the shared secret works beside it.
    const h = await session(await sign(new TextEncoder().encode(SECRET), 'HS256', undefined));
    expect(h.status).toBe(201);
    expect(h.body.contact.id).toBe(a.body.contact.id);
  });

  it('each way a token can be wrong is refused with its own reason, and nothing is stored', async () => {
    const before = await contacts();
    const cases: [string, Promise<string> | string, number, string, string][] = [
      ['another issuer', sign(es.privateKey, 'ES256', 'es-1', {}, { iss: 'https://evil.example/' }), 401, 'PARLEY_E_UNAUTHENTICATED', 'issuer'],
      ['another audience', sign(es.privateKey, 'ES256', 'es-1', {}, { aud: 'someone-else' }), 401, 'PARLEY_E_UNAUTHENTICATED', 'audience'],
      ['expired', sign(es.privateKey, 'ES256', 'es-1', {}, { exp: '-5m' }), 401, 'PARLEY_E_TOKEN_EXPIRED', 'expired'],
      ['signed by a stranger with a known kid', sign(stranger.privateKey, 'ES256', 'es-1'), 401, 'PARLEY_E_UNAUTHENTICATED', 'signature'],
      ['an unknown kid', sign(stranger.privateKey, 'ES256', 'who-knows'), 401, 'PARLEY_E_UNAUTHENTICATED', 'unknown-key'],
      ['no subject', sign(es.privateKey, 'ES256', 'es-1', {}, { sub: null }), 401, 'PARLEY_E_UNAUTHENTICATED', 'subject'],
      ['HS256 with the wrong secret', sign(new TextEncoder().encode('not-the-shop-secret-0123456789-abcdef'), 'HS256', undefined), 401, 'PARLEY_E_UNAUTHENTICATED', 'signature'],
      ['alg none', `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`, 401, 'PARLEY_E_UNAUTHENTICATED', 'algorithm'],
      ['not a JWT', 'garbage', 401, 'PARLEY_E_UNAUTHENTICATED', 'malformed'],
    ];
    for (const [what, token, status, code, reason] of cases) {
      const r = await session(await token);
      expect({ what, status: r.status, code: r.body.error?.code, reason: r.body.error?.details?.reason }).toEqual({ what, status, code, reason });
    }
    expect(await contacts()).toBe(before);
  });

  it('a rotated key is picked up: a token with a new kid is verified once the provider publishes it', async () => {
    jwks = { keys: [...jwks.keys, await pub(rotated.publicKey, 'es-2', 'ES256')] };
    // Parley fetches an unknown kid's set again at most once per cooldown (5 s): wait it out, then the new key works.
    await new Promise((r) => setTimeout(r, 5_200));
    const r = await session(await sign(rotated.privateKey, 'ES256', 'es-2'));
    expect(r.status).toBe(201);
  }, 15_000);

  it('the provider down when a key must be fetched: 503 with Retry-After, nothing stored', async () => {
    down = true;
    try {
      await new Promise((r) => setTimeout(r, 5_200));
      const before = await contacts();
      const r = await session(await sign(stranger.privateKey, 'ES256', 'es-9'));
      expect(r.status).toBe(503);
      expect(r.body.error).toMatchObject({ code: 'PARLEY_E_UNAVAILABLE', details: { reason: 'keys-unavailable' } });
      expect(r.headers.get('retry-after')).toBe('5');
      expect(await contacts()).toBe(before);
    } finally {
      down = false;
    }
  }, 15_000);
});
