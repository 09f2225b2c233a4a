import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ParleyError, type ErrorName } from '../core/errors.js';
import type { Principal, Scope } from './auth.js';
import { RateLimiter } from './rate-limit.js';

// One way to declare a route: method, path, who may call it, zod schemas for what comes in. The same
// declaration validates requests (422 with the zod issues), authenticates (401/403), and feeds the
// OpenAPI document, so /openapi.json describes exactly what the server enforces. The errors a route can
// answer are derived from the same declaration (auth → 401/403, input → 400/413/415/422, rateLimit → 429)
// plus the domain errors it names in `errors`.

/** `none`: public (a valid token is still read if given); `any`: any valid token; or a kind; or an admin scope. */
export type AuthRule = 'none' | 'any' | 'customer' | 'agent' | { scope: Scope };

export interface RouteSpec<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  /**
   * The operation's stable name in /openapi.json: generated clients use it as the method name, so never
   * rename one. camelCase, verb first (`sendMessage`, `listAgentConversations`), unique across the API.
   */
  operationId: string;
  summary: string;
  tags: string[];
  auth: AuthRule;
  body?: B;
  query?: Q;
  params?: P;
  /** Success status (default 200). */
  status?: number;
  bodyLimit?: number;
  /** Response content type when not JSON (documentation only). */
  produces?: string;
  /** Per client IP per minute, checked before anything else. */
  rateLimit?: number;
  /**
   * The domain errors the handler (and what it calls) can throw, e.g. CONVERSATION_NOT_FOUND, NOT_ASSIGNED.
   * The errors the rest of the spec implies are added by the OpenAPI builder and need not be listed:
   * auth → UNAUTHENTICATED/TOKEN_EXPIRED/TOKEN_REVOKED/FORBIDDEN/ACCOUNT_DISABLED; a body (any method but
   * GET) → BAD_JSON/PAYLOAD_TOO_LARGE/UNSUPPORTED_MEDIA_TYPE/VALIDATION; query or params → VALIDATION;
   * rateLimit → RATE_LIMITED; every route → INTERNAL.
   */
  errors?: readonly ErrorName[];
  /** The success response's shape (documentation only; optional). */
  response?: z.ZodType;
  /** Other non-error statuses the handler may choose, e.g. 200 for an idempotent replay of a 201 route (documentation only). */
  otherResponses?: Record<number, { description: string; schema?: z.ZodType }>;
}

export interface RouteInput<B, Q, P, A extends AuthRule> {
  req: FastifyRequest;
  reply: FastifyReply;
  body: B;
  query: Q;
  params: P;
  principal: A extends 'customer'
    ? Extract<Principal, { kind: 'customer' }>
    : A extends 'agent'
      ? Extract<Principal, { kind: 'agent' }>
      : A extends 'none'
        ? Principal | undefined
        : Principal;
}

/** What authentication reads of a request: a Fastify request, or the stream's upgrade before Fastify sees it. */
export type Credentials = Pick<FastifyRequest, 'headers' | 'query'>;

/** `queryToken`: also accept `?token=` (only the stream does: browsers cannot set headers on WebSocket/EventSource). */
export type Authenticator = (req: Credentials, rule: AuthRule, opts?: { queryToken?: boolean }) => Promise<Principal | undefined>;

// One limiter per Fastify instance, so servers in one process (tests) do not share counters.
const limiters = new WeakMap<FastifyInstance, RateLimiter>();

/** What /openapi.json and /docs know of a route. Routes not made with defineRoute are added with `document`. */
export interface DocumentedRoute {
  method: string;
  url: string;
  operationId: string;
  summary: string;
  tags: string[];
  auth: AuthRule;
  status: number;
  body?: z.ZodType;
  query?: z.ZodType;
  params?: z.ZodType;
  produces?: string;
  rateLimit?: number;
  /** Domain errors, as RouteSpec.errors. */
  errors?: readonly ErrorName[];
  response?: z.ZodType;
  /** Further non-error responses by status (e.g. /readyz's 503 "not ready"), documentation only. */
  otherResponses?: Record<number, { description: string; schema?: z.ZodType }>;
}

export const documented: DocumentedRoute[] = [];

export const OPERATION_ID = /^[a-z][A-Za-z0-9]+$/;

/**
 * Add a route to the API description. Declaring the same route again (another server in this process) is a
 * no-op; an operationId that is malformed or already names another route stops start-up, since generated
 * clients would otherwise get two methods of one name.
 */
export function document(route: DocumentedRoute): void {
  if (!OPERATION_ID.test(route.operationId)) throw new Error(`Route ${route.method} ${route.url}: operationId "${route.operationId}" must be camelCase (${OPERATION_ID}).`);
  const same = documented.find((d) => d.method === route.method && d.url === route.url);
  if (same) {
    if (same.operationId !== route.operationId) throw new Error(`Route ${route.method} ${route.url} is documented twice, as "${same.operationId}" and "${route.operationId}".`);
    return;
  }
  const clash = documented.find((d) => d.operationId === route.operationId);
  if (clash) throw new Error(`Duplicate operationId "${route.operationId}": ${clash.method} ${clash.url} and ${route.method} ${route.url}.`);
  documented.push(route);
}

export function parseInput<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const r = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (!r.success) {
    throw new ParleyError('VALIDATION', `Invalid ${where}: ${r.error.issues.map((i) => `${i.path.join('.') || where} ${i.message}`).join('; ')}`, {
      details: r.error.issues.map((i) => ({ path: [where, ...i.path].join('.'), message: i.message })),
    });
  }
  return r.data;
}

export function defineRoute<B extends z.ZodType = z.ZodUnknown, Q extends z.ZodType = z.ZodUnknown, P extends z.ZodType = z.ZodUnknown, A extends AuthRule = AuthRule>(
  app: FastifyInstance,
  authenticate: Authenticator,
  spec: RouteSpec<B, Q, P> & { auth: A },
  handler: (input: RouteInput<z.output<B>, z.output<Q>, z.output<P>, A>) => Promise<unknown>,
): void {
  document({
    method: spec.method,
    url: spec.url,
    operationId: spec.operationId,
    summary: spec.summary,
    tags: spec.tags,
    auth: spec.auth,
    status: spec.status ?? 200,
    ...(spec.body ? { body: spec.body } : {}),
    ...(spec.query ? { query: spec.query } : {}),
    ...(spec.params ? { params: spec.params } : {}),
    ...(spec.produces ? { produces: spec.produces } : {}),
    ...(spec.rateLimit ? { rateLimit: spec.rateLimit } : {}),
    ...(spec.errors?.length ? { errors: spec.errors } : {}),
    ...(spec.response ? { response: spec.response } : {}),
    ...(spec.otherResponses ? { otherResponses: spec.otherResponses } : {}),
  });
  app.route({
    method: spec.method,
    url: spec.url,
    ...(spec.bodyLimit ? { bodyLimit: spec.bodyLimit } : {}),
    handler: async (req, reply) => {
      if (spec.rateLimit) {
        let limiter = limiters.get(app);
        if (!limiter) limiters.set(app, (limiter = new RateLimiter()));
        limiter.hit(`${req.ip}|${spec.method} ${spec.url}`, spec.rateLimit);
      }
      // Authenticate before looking at the input: an anonymous caller learns nothing about the shapes.
      const principal = await authenticate(req, spec.auth);
      const params = spec.params ? parseInput(spec.params, req.params, 'path') : req.params;
      const query = spec.query ? parseInput(spec.query, req.query, 'query') : req.query;
      const body = spec.body ? parseInput(spec.body, req.body, 'body') : req.body;
      // The spec's status is set before the handler runs, so a handler can still choose another one: an
      // idempotent replay of a 201 route answers 200 (setting it afterwards overwrote that choice).
      reply.code(spec.status ?? 200);
      const out = await handler({ req, reply, body, query, params, principal } as RouteInput<z.output<B>, z.output<Q>, z.output<P>, A>);
      // Handlers return their payload (a stream included); one that called reply.send() itself must have sent
      // it synchronously (a string or buffer), or Fastify would take the reply object for a second payload.
      if (reply.sent || out === reply) return reply;
      return out ?? {};
    },
  });
}

/** Binds defineRoute to an app and authenticator, keeping each route's types inferred from its spec. */
export function routesFor(app: FastifyInstance, authenticate: Authenticator) {
  return <B extends z.ZodType = z.ZodUnknown, Q extends z.ZodType = z.ZodUnknown, P extends z.ZodType = z.ZodUnknown, A extends AuthRule = AuthRule>(
    spec: RouteSpec<B, Q, P> & { auth: A },
    handler: (input: RouteInput<z.output<B>, z.output<Q>, z.output<P>, A>) => Promise<unknown>,
  ): void => defineRoute(app, authenticate, spec, handler);
}
