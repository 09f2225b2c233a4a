import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { ParleyError } from '../core/errors.js';
import type { DB } from '../store/schema.js';
import { bearerOf, parseApiKey, sha256, type Principal, type Tokens } from './auth.js';
import type { AuthRule, Authenticator } from './route.js';

// Turns a request's bearer credential into a Principal and checks it against a route's rule.
// Order of checks: no credential → 401; bad or expired → 401; valid but wrong kind or scope → 403.

export function makeAuthenticator(tokens: Tokens, db: Kysely<DB>): Authenticator {
  async function resolve(token: string): Promise<Principal> {
    if (token.startsWith('pk_')) {
      const parsed = parseApiKey(token);
      if (!parsed) throw new ParleyError('UNAUTHENTICATED', 'The API key is malformed.');
      const row = await db.selectFrom('api_keys').selectAll().where('id', '=', parsed.id).executeTakeFirst();
      if (!row || row.revoked_at || row.hash !== sha256(token)) throw new ParleyError('UNAUTHENTICATED', 'The API key is not valid.');
      return { kind: 'apikey', keyId: row.id, scopes: JSON.parse(row.scopes) as string[] };
    }
    const p = await tokens.verify(token);
    if (p.kind === 'agent') {
      // A deleted agent's token stops working at once, not at expiry.
      const exists = await db.selectFrom('agents').select('id').where('id', '=', p.agentId).executeTakeFirst();
      if (!exists) throw new ParleyError('UNAUTHENTICATED', 'This agent no longer exists.');
    }
    return p;
  }

  return async (req: FastifyRequest, rule: AuthRule) => {
    const token = bearerOf(req.headers, req.query);
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
  if (p.kind === 'agent') return p.role === 'admin';
  if (p.kind === 'apikey') return p.scopes.includes('admin') || p.scopes.includes(scope);
  return false;
}
