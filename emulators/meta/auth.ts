// Graph API access tokens: the `access_token` query parameter (or form field) or `Authorization: Bearer`,
// compared in constant time. The Messenger Send API takes the Page access token; the WhatsApp Cloud API a
// system-user (or user) access token. A missing or wrong token: code 190 (OAuthException).
import { timingSafeEqual } from 'node:crypto';
import type { Ctx } from '../kit/index.js';
import { badToken, fail } from './errors.js';

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export function tokenOf(ctx: Ctx): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.headers.authorization ?? '')?.[1];
  return bearer ?? ctx.query.get('access_token') ?? undefined;
}

/** Throws Graph's 190 unless the request carries `expected`. Messenger answers 400, WhatsApp 401 (its error table). */
export function requireToken(ctx: Ctx, expected: string, status: number): void {
  const token = tokenOf(ctx);
  if (token === undefined) throw fail({ status, code: 190, message: 'An access token is required to request this resource.' });
  if (!same(token, expected)) throw badToken(status);
}

/** `/v{major}.{minor}`: any Graph version; anything else is not a Graph path. */
export function requireVersion(ctx: Ctx): void {
  if (!/^v\d+\.\d+$/.test(ctx.params.version ?? '')) throw fail({ code: 2500, message: `Unknown path components: ${ctx.path}` });
}

export function has(o: unknown, key: string): boolean {
  return typeof o === 'object' && o !== null && key in o;
}
