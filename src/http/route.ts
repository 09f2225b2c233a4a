import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ParleyError } from '../core/errors.js';
import type { Principal, Scope } from './auth.js';
import { RateLimiter } from './rate-limit.js';

// One way to declare a route: method, path, who may call it, zod schemas for what comes in. The same
// declaration validates requests (422 with the zod issues), authenticates (401/403), and feeds the
// OpenAPI document, so /openapi.json describes exactly what the server enforces.

/** `none`: public (a valid token is still read if given); `any`: any valid token; or a kind; or an admin scope. */
export type AuthRule = 'none' | 'any' | 'customer' | 'agent' | { scope: Scope };

export interface RouteSpec<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType> {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
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

export type Authenticator = (req: FastifyRequest, rule: AuthRule) => Promise<Principal | undefined>;

// One limiter per Fastify instance, so servers in one process (tests) do not share counters.
const limiters = new WeakMap<FastifyInstance, RateLimiter>();

export interface DocumentedRoute {
  method: string;
  url: string;
  summary: string;
  tags: string[];
  auth: AuthRule;
  status: number;
  body?: z.ZodType;
  query?: z.ZodType;
  produces?: string;
}

export const documented: DocumentedRoute[] = [];

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
  if (!documented.some((d) => d.method === spec.method && d.url === spec.url)) {
    documented.push({
      method: spec.method,
      url: spec.url,
      summary: spec.summary,
      tags: spec.tags,
      auth: spec.auth,
      status: spec.status ?? 200,
      ...(spec.body ? { body: spec.body } : {}),
      ...(spec.query ? { query: spec.query } : {}),
      ...(spec.produces ? { produces: spec.produces } : {}),
    });
  }
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
      if (reply.sent) return reply;
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
