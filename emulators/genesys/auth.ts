// The login host (POST /oauth/token, client-credentials grant) and the guards of the API host:
// bearer token, per-token rate limit, JSON bodies. Genesys runs login.{env} and api.{env} as two
// hosts; the emulator serves both from one origin, which is what the SDK's gateway setting expects.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { HttpError, json, type Ctx, type Guard, type Route } from '../kit/index.js';
import type { Settings } from './config.js';
import { fail, rateLimited } from './errors.js';
import type { Store, Token } from './state.js';

// OAuth errors use the RFC 6749 shape, not Genesys's ErrorBody: the login host is a separate service.
const oauthError = (status: number, error: string, description: string): HttpError =>
  new HttpError(json(status, { error, description, error_description: description }));

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function clientFrom(ctx: Ctx, form: URLSearchParams): { id: string; secret: string } | undefined {
  const header = ctx.headers.authorization;
  if (header?.toLowerCase().startsWith('basic ')) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  }
  // RFC 6749 §2.3.1 also allows the credentials in the form body.
  const id = form.get('client_id');
  const secret = form.get('client_secret');
  return id && secret ? { id, secret } : undefined;
}

export function tokenRoute(store: Store, settings: Settings): Route {
  return {
    method: 'POST',
    path: '/oauth/token',
    handler: (ctx) => {
      const type = (ctx.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/x-www-form-urlencoded') {
        throw oauthError(400, 'invalid_request', 'content type must be application/x-www-form-urlencoded');
      }
      const form = new URLSearchParams(ctx.raw.toString('utf8'));
      const client = clientFrom(ctx, form);
      if (!client || !sameText(client.id, store.clientId) || !sameText(client.secret, store.clientSecret)) {
        throw oauthError(401, 'invalid_client', 'client not found');
      }
      const grant = form.get('grant_type');
      if (!grant) throw oauthError(400, 'invalid_request', 'grant_type is required');
      if (grant !== 'client_credentials') throw oauthError(400, 'unsupported_grant_type', `grant type ${grant} is not supported`);
      const token: Token = {
        token: randomBytes(48).toString('base64url'),
        clientId: client.id,
        expiresAt: Date.now() + settings.tokenTtlSeconds * 1000,
        recent: [],
      };
      store.tokens.set(token.token, token);
      return json(200, { access_token: token.token, token_type: 'bearer', expires_in: settings.tokenTtlSeconds });
    },
  };
}

/** 401 unless the request carries a live bearer token from /oauth/token. */
export function bearer(store: Store): Guard {
  return (ctx) => {
    const header = ctx.headers.authorization;
    if (!header || !/^bearer\s+\S/i.test(header)) {
      throw fail(401, 'authentication.required', 'No authentication bearer token specified in authorization header.');
    }
    const token = store.tokens.get(header.replace(/^bearer\s+/i, '').trim());
    if (!token) throw fail(401, 'bad.credentials', 'Invalid login credentials.');
    if (token.expiresAt <= Date.now()) {
      store.tokens.delete(token.token);
      throw fail(401, 'bad.credentials', 'Invalid login credentials.');
    }
    ctx.locals.token = token;
  };
}

/** Genesys's per-token budget (client.credentials.token.rate.per.minute): past it, 429 + Retry-After. */
export function rateLimit(settings: Settings): Guard {
  return (ctx) => {
    const token = ctx.locals.token as Token | undefined;
    if (!token) return;
    const nowMs = Date.now();
    token.recent = token.recent.filter((t) => t > nowMs - 60_000);
    if (token.recent.length >= settings.rateLimitPerMinute) {
      const retryAfter = Math.max(1, Math.ceil((token.recent[0]! + 60_000 - nowMs) / 1000));
      throw new HttpError(rateLimited(retryAfter, settings.rateLimitPerMinute));
    }
    token.recent.push(nowMs);
  };
}

/** Bodies of the API host are JSON; anything else is 415 before it is parsed. */
export const jsonBody: Guard = (ctx) => {
  if (!ctx.raw.length) return; // an absent body is the handler's to judge (some bodies are optional)
  const type = (ctx.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw fail(415, 'unsupported.media.type', `Unsupported content type "${type || '(none)'}"; send application/json.`);
  }
};

export function apiGuards(store: Store, settings: Settings, withBody = false): Guard[] {
  return withBody ? [bearer(store), rateLimit(settings), jsonBody] : [bearer(store), rateLimit(settings)];
}
