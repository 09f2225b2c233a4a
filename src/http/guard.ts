import type { Kysely } from 'kysely';
import { ParleyError } from '../core/errors.js';
import type { DB } from '../store/schema.js';
import { bearerOf, holdsScopes, parseApiKey, sha256, type Principal, type Tokens } from './auth.js';
import type { AuthRule, Authenticator, Credentials } from './route.js';

// Turns a request's bearer credential into a Principal and checks it against a route's rule.
// Order of checks: no credential → 401; bad, expired or revoked → 401; disabled account → 403; valid but
// wrong kind or scope → 403. An agent's authority (role, disabled, auth epoch) is read from its row on
// every request, so a demotion, a lock or a password change takes effect at once for tokens in the wild.

export interface AgentAuthority {
  role: 'agent' | 'admin';
  disabled: boolean;
  epoch: number;
}

/** The current authority of an agent, or undefined when the agent no longer exists. */
export async function agentAuthority(db: Kysely<DB>, agentId: string): Promise<AgentAuthority | undefined> {
  const row = await db.selectFrom('agents').select(['role', 'disabled_at', 'auth_epoch']).where('id', '=', agentId).executeTakeFirst();
  return row && { role: row.role === 'admin' ? 'admin' : 'agent', disabled: row.disabled_at !== null, epoch: Number(row.auth_epoch) };
}

/** Why an agent token no longer grants anything, or undefined while it still does. */
export function revocationOf(authority: AgentAuthority | undefined, tokenEpoch: number): ParleyError | undefined {
  if (!authority) return new ParleyError('UNAUTHENTICATED', 'This agent no longer exists.');
  if (authority.epoch !== tokenEpoch) return new ParleyError('TOKEN_REVOKED');
  if (authority.disabled) return new ParleyError('ACCOUNT_DISABLED');
  return undefined;
}

export function makeAuthenticator(tokens: Tokens, db: Kysely<DB>): Authenticator {
  async function resolve(token: string): Promise<Principal> {
    if (token.startsWith('pk_')) {
      const parsed = parseApiKey(token);
      if (!parsed) throw new ParleyError('UNAUTHENTICATED', 'The API key is malformed.');
      const row = await db.selectFrom('api_keys').selectAll().where('id', '=', parsed.id).executeTakeFirst();
      if (!row || row.revoked_at || row.hash !== sha256(token)) throw new ParleyError('UNAUTHENTICATED', 'The API key is not valid.');
      return { kind: 'apikey', keyId: row.id, scopes: JSON.parse(row.scopes) as string[] };
    }
    const claims = await tokens.verify(token);
    if (claims.kind === 'customer') return { kind: 'customer', contactId: claims.contactId, expMs: claims.expMs };
    const authority = await agentAuthority(db, claims.agentId);
    const revoked = revocationOf(authority, claims.epoch);
    if (revoked || !authority) throw revoked ?? new ParleyError('UNAUTHENTICATED');
    return { kind: 'agent', agentId: claims.agentId, role: authority.role, expMs: claims.expMs, epoch: claims.epoch };
  }

  return async (req: Credentials, rule: AuthRule, opts: { queryToken?: boolean } = {}) => {
    const token = bearerOf(req.headers, req.query, opts.queryToken === true);
    if (rule === 'none') {
      return token ? resolve(token).catch(() => undefined) : undefined;
    }
    if (!token) throw new ParleyError('UNAUTHENTICATED');
    const p = await resolve(token);
    if (rule === 'any') return p;
    if (rule === 'customer') {
      if (p.kind !== 'customer') throw new ParleyError('FORBIDDEN', 'This needs a customer token.');
      return p;
    }
    if (rule === 'agent') {
      if (p.kind !== 'agent') throw new ParleyError('FORBIDDEN', 'This needs an agent token.');
      return p;
    }
    if (!hasScope(p, rule.scope)) throw new ParleyError('FORBIDDEN', `This needs the "${rule.scope}" scope.`);
    return p;
  };
}

export function hasScope(p: Principal, scope: string): boolean {
  return holdsScopes(p, [scope]);
}
