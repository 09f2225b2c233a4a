// HTTP Basic authentication of the REST API (twilio.com/docs/usage/requests-to-twilio): the Account SID
// and Auth Token, or an API key SID (`SK…`) and its secret. Missing or wrong credentials: 401 with error
// 20003 "Authenticate". A request for another account's resources: 404 (20404), as Twilio answers it.
import { timingSafeEqual } from 'node:crypto';
import type { Ctx, Guard } from '../kit/index.js';
import { fail, notFound } from './errors.js';
import type { Store } from './state.js';

const same = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The credentials of a Basic header, if it is one. */
export function basicCredentials(header: string | undefined): { user: string; pass: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { user: decoded.slice(0, colon), pass: decoded.slice(colon + 1) };
}

export function authenticates(store: Store, header: string | undefined): boolean {
  const c = basicCredentials(header);
  if (!c) return false;
  return (same(c.user, store.accountSid) && same(c.pass, store.authToken)) || (same(c.user, store.apiKey.sid) && same(c.pass, store.apiKey.secret));
}

const unauthenticated = () => fail(401, 20003, 'Authenticate', { 'www-authenticate': 'Basic realm="Twilio API"' });

/** Guards every /2010-04-01/Accounts/:accountSid/… route. */
export function accountAuth(store: Store): Guard {
  return (ctx: Ctx) => {
    if (!authenticates(store, ctx.headers.authorization)) throw unauthenticated();
    if (ctx.params.accountSid !== store.accountSid) throw notFound(ctx.path);
  };
}
