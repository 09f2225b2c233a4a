import { createHash, createSecretKey, randomBytes, scrypt as scryptCb, timingSafeEqual, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { ParleyError } from '../core/errors.js';

// Who is calling. Customers hold a token scoped to one contact; agents hold a login token; servers hold
// scoped API keys. Admin agents may do everything an API key with the `admin` scope may.

export type Principal =
  | { kind: 'customer'; contactId: string; expMs?: number }
  // `role` is the agent's role now (read from its row at every use), never the one the token was issued with.
  | { kind: 'agent'; agentId: string; role: 'agent' | 'admin'; expMs?: number; epoch?: number }
  | { kind: 'apikey'; keyId: string; scopes: string[] };

/** What a valid token of ours says, before the agent's current row is consulted. */
export type TokenClaims = { kind: 'customer'; contactId: string; expMs: number } | { kind: 'agent'; agentId: string; epoch: number; expMs: number };

export const SCOPES = ['admin', 'agents:write', 'queues:write', 'keys:write', 'offers:write', 'messages:write', 'conversations:read', 'metrics:read'] as const;
export type Scope = (typeof SCOPES)[number];

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number, opts: { N: number; r: number; p: number }) => Promise<Buffer>;
const SCRYPT = { N: 16384, r: 8, p: 1 };

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 32, SCRYPT);
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scrypt(password, Buffer.from(salt, 'base64url'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return timingSafeEqual(actual, expected);
}

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** `pk_<id>_<secret>`: the id finds the row, the secret is compared by hash (never stored). */
export function newApiKey(): { id: string; secret: string; token: string; hash: string } {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(24).toString('base64url');
  const token = `pk_${id}_${secret}`;
  return { id, secret, token, hash: sha256(token) };
}

export function parseApiKey(token: string): { id: string } | undefined {
  const m = /^pk_([0-9a-f]{12})_[A-Za-z0-9_-]{20,}$/.exec(token);
  return m?.[1] ? { id: m[1] } : undefined;
}

const VERIFIED_CACHE_MAX = 10_000;

export interface IdentityClaims {
  sub: string;
  name?: string;
  email?: string;
}

export class Tokens {
  // KeyObjects, not raw bytes: jose would import raw bytes into a crypto key on every call (4–5% of a
  // request's CPU in the benchmarks).
  private readonly key: KeyObject;
  private readonly identityKey: KeyObject | undefined;
  private readonly identityKeys: ReturnType<typeof createRemoteJWKSet> | undefined;
  private readonly identityChecks: { issuer?: string; audience?: string };

  constructor(
    signingKey: string,
    identity: IdentityOptions,
    private readonly ttl: { customer: number; agent: number },
  ) {
    this.key = createSecretKey(Buffer.from(signingKey, 'utf8'));
    this.identityKey = identity.secret ? createSecretKey(Buffer.from(identity.secret, 'utf8')) : undefined;
    // jose keeps the key set: fetched on first use, kept IDENTITY_JWKS_CACHE_MS, fetched again for a kid it
    // does not know (a rotation) but at most once per cooldown, so unknown kids cannot make Parley hammer it.
    this.identityKeys = identity.jwksUrl ? createRemoteJWKSet(new URL(identity.jwksUrl), { cacheMaxAge: IDENTITY_JWKS_CACHE_MS, cooldownDuration: IDENTITY_JWKS_COOLDOWN_MS, timeoutDuration: 5_000 }) : undefined;
    this.identityChecks = { ...(identity.issuer ? { issuer: identity.issuer } : {}), ...(identity.audience ? { audience: identity.audience } : {}) };
  }

  customerToken(contactId: string): Promise<string> {
    return new SignJWT({ typ: 'customer' }).setProtectedHeader({ alg: 'HS256' }).setSubject(contactId).setIssuedAt().setExpirationTime(`${this.ttl.customer}s`).sign(this.key);
  }

  /** `epoch` is the agent's auth epoch: a password change bumps it and so retires every older token. */
  agentToken(agentId: string, epoch: number): Promise<string> {
    return new SignJWT({ typ: 'agent', ep: epoch }).setProtectedHeader({ alg: 'HS256' }).setSubject(agentId).setIssuedAt().setExpirationTime(`${this.ttl.agent}s`).sign(this.key);
  }

  get ttlSeconds(): { customer: number; agent: number } {
    return this.ttl;
  }

  /**
   * Clients send the same token with every request, and verifying costs a WebCrypto key and an HMAC each
   * time. Tokens that verified are remembered until they expire; the key is the whole signed string, so
   * only a byte-identical valid token can hit.
   */
  private readonly verified = new Map<string, TokenClaims>();

  /** Verify one of our own tokens. Only its signature and expiry: the caller checks the agent's row. */
  async verify(token: string): Promise<TokenClaims> {
    const hit = this.verified.get(token);
    if (hit) {
      if (hit.expMs > Date.now()) return hit;
      this.verified.delete(token);
      throw new ParleyError('TOKEN_EXPIRED');
    }
    try {
      const { payload } = await jwtVerify(token, this.key, { algorithms: ['HS256'], requiredClaims: ['exp', 'sub'] });
      const expMs = (payload.exp ?? 0) * 1000;
      let claims: TokenClaims;
      if (payload.typ === 'customer' && payload.sub) claims = { kind: 'customer', contactId: payload.sub, expMs };
      else if (payload.typ === 'agent' && payload.sub) claims = { kind: 'agent', agentId: payload.sub, epoch: typeof payload.ep === 'number' ? payload.ep : -1, expMs };
      else throw new ParleyError('UNAUTHENTICATED', 'Unknown token type.');
      // Bounded: a flood of distinct valid tokens evicts the oldest entries, it never grows the map.
      if (this.verified.size >= VERIFIED_CACHE_MAX) this.verified.delete(this.verified.keys().next().value as string);
      this.verified.set(token, claims);
      return claims;
    } catch (e) {
      throw asAuthError(e);
    }
  }

  /**
   * Verify an identity token signed by the business's backend: HS256 with PARLEY_IDENTITY_SECRET, or ES256/RS256
   * with a key of PARLEY_IDENTITY_JWKS_URL (by kid); `iss` and `aud` checked when configured. Each way a token
   * can be wrong is its own `details.reason` (identityRefusal), so a backend can tell what to fix.
   */
  async verifyIdentity(token: string): Promise<IdentityClaims> {
    if (!this.identityKey && !this.identityKeys) throw new ParleyError('FORBIDDEN', 'Identity tokens are not enabled (set PARLEY_IDENTITY_SECRET or PARLEY_IDENTITY_JWKS_URL).');
    try {
      let alg: unknown;
      try {
        alg = decodeProtectedHeader(token).alg;
      } catch {
        throw identityRefusal('malformed', 'The identity token is not a signed JWT.');
      }
      const common = { clockTolerance: 30, ...this.identityChecks };
      let payload: JWTPayload;
      if (alg === 'HS256' && this.identityKey) payload = (await jwtVerify(token, this.identityKey, { ...common, algorithms: ['HS256'] })).payload;
      else if ((alg === 'ES256' || alg === 'RS256') && this.identityKeys) payload = (await jwtVerify(token, this.identityKeys, { ...common, algorithms: ['ES256', 'RS256'] })).payload;
      else throw identityRefusal('algorithm', `Identity tokens here must be signed with ${[this.identityKey ? 'HS256' : '', this.identityKeys ? 'ES256 or RS256' : ''].filter(Boolean).join(', or ')} (this one: ${typeof alg === 'string' ? alg.slice(0, 20) : 'none'}).`);
      if (!payload.sub || typeof payload.sub !== 'string') throw identityRefusal('subject', 'The identity token has no subject (sub).');
      return {
        sub: payload.sub,
        ...(typeof payload.name === 'string' ? { name: payload.name } : {}),
        ...(typeof payload.email === 'string' ? { email: payload.email } : {}),
      };
    } catch (e) {
      throw asIdentityError(e);
    }
  }
}

export interface IdentityOptions {
  /** PARLEY_IDENTITY_SECRET: HS256. */
  secret?: string | undefined;
  /** PARLEY_IDENTITY_JWKS_URL: ES256/RS256 by kid. */
  jwksUrl?: string | undefined;
  issuer?: string | undefined;
  audience?: string | undefined;
}

const IDENTITY_JWKS_CACHE_MS = 10 * 60_000;
const IDENTITY_JWKS_COOLDOWN_MS = 5_000;

/** Why an identity token was refused: 401 UNAUTHENTICATED with a stable `details.reason`. */
function identityRefusal(reason: string, message: string): ParleyError {
  return new ParleyError('UNAUTHENTICATED', message, { details: { reason } });
}

function asIdentityError(e: unknown): ParleyError {
  if (e instanceof ParleyError) return e;
  if (e instanceof joseErrors.JWTExpired) return new ParleyError('TOKEN_EXPIRED', 'The identity token has expired.', { details: { reason: 'expired' } });
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    if (e.claim === 'iss') return identityRefusal('issuer', 'The identity token was issued by someone else (iss).');
    if (e.claim === 'aud') return identityRefusal('audience', 'The identity token is meant for another audience (aud).');
    if (e.claim === 'nbf' || e.claim === 'iat') return identityRefusal('not-yet-valid', 'The identity token is not valid yet (nbf/iat).');
    return identityRefusal('claims', `The identity token's ${e.claim} claim is not valid.`);
  }
  if (e instanceof joseErrors.JWSSignatureVerificationFailed) return identityRefusal('signature', 'The identity token signature does not match.');
  if (e instanceof joseErrors.JWKSNoMatchingKey || e instanceof joseErrors.JWKSMultipleMatchingKeys) return identityRefusal('unknown-key', "The identity token's key (kid) is not in the identity provider's key set.");
  if (e instanceof joseErrors.JWKSTimeout || e instanceof joseErrors.JWKSInvalid || (e instanceof joseErrors.JOSEError && e.code === 'ERR_JOSE_GENERIC') || (e instanceof Error && !(e instanceof joseErrors.JOSEError))) {
    return new ParleyError('UNAVAILABLE', "The identity provider's key set could not be fetched; try again.", { retryAfterMs: 5_000, details: { reason: 'keys-unavailable' } });
  }
  return identityRefusal('malformed', 'The identity token is not valid.');
}

function asAuthError(e: unknown): ParleyError {
  if (e instanceof ParleyError) return e;
  if (e instanceof joseErrors.JWTExpired) return new ParleyError('TOKEN_EXPIRED');
  return new ParleyError('UNAUTHENTICATED', 'The token is not valid.');
}

/**
 * The bearer credential of a request: `Authorization: Bearer …`. `?token=` only where the caller allows it:
 * the stream, because a browser's WebSocket and EventSource cannot send headers. Anywhere else a token in
 * a URL would end up in proxies' logs and browser history, so it is not even looked at.
 */
export function bearerOf(headers: Record<string, string | string[] | undefined>, query: unknown, allowQueryToken = false): string | undefined {
  const h = headers.authorization;
  const value = Array.isArray(h) ? h[0] : h;
  if (value) {
    const m = /^Bearer\s+(.+)$/i.exec(value.trim());
    return m?.[1];
  }
  if (!allowQueryToken) return undefined;
  const q = (query as { token?: unknown } | undefined)?.token;
  return typeof q === 'string' && q.length > 0 ? q : undefined;
}

/** Whether a caller holds every one of these scopes (an admin agent, or a key with `admin`, holds all). */
export function holdsScopes(p: Principal, scopes: readonly string[]): boolean {
  if (p.kind === 'agent') return p.role === 'admin';
  if (p.kind === 'apikey') return p.scopes.includes('admin') || scopes.every((s) => p.scopes.includes(s));
  return false;
}
