import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { z } from 'zod';
import { timingSafeEqual } from 'node:crypto';
import { bearerOf } from '../auth.js';
import { docsHtml, openApiDocument } from '../openapi.js';
import { document, documented } from '../route.js';
import type { Services } from '../services.js';

// Operations: liveness, readiness, Prometheus metrics, the API description.

const safeEqual = (a: Buffer, b: Buffer): boolean => a.length === b.length && timingSafeEqual(a, b);

const Readiness = z.object({ ok: z.boolean(), checks: z.record(z.string(), z.boolean()) });

export function opsRoutes(app: FastifyInstance, s: Services, version: string): void {
  // In /openapi.json with the API (not /openapi.json and /docs themselves: they describe it).
  const tags = ['ops'];
  document({ method: 'GET', url: '/healthz', operationId: 'checkHealth', summary: 'Liveness: the process is up and answering HTTP.', tags, auth: 'none', status: 200, response: z.object({ ok: z.literal(true) }) });
  document({
    method: 'GET',
    url: '/readyz',
    operationId: 'checkReadiness',
    summary: 'Readiness: the database answers, the dispatcher runs and the node is not draining. Take the node out of rotation on 503.',
    tags,
    auth: 'none',
    status: 200,
    response: Readiness,
    otherResponses: { 503: { description: 'Not ready: `checks` names what failed.', schema: Readiness } },
  });
  document({
    method: 'GET',
    url: '/metrics',
    operationId: 'getMetrics',
    summary: 'Prometheus metrics (text exposition format). Bearer: the PARLEY_METRICS_TOKEN value, or an API key with metrics:read.',
    tags,
    auth: { scope: 'metrics:read' },
    status: 200,
    produces: 'text/plain',
  });

  app.get('/healthz', async () => ({ ok: true }));

  app.get('/readyz', async (_req, reply) => {
    const checks: Record<string, boolean> = { draining: !s.draining(), dispatcher: s.dispatcher.isRunning, database: false };
    try {
      await sql`select 1`.execute(s.hub.db);
      checks.database = true;
    } catch {
      checks.database = false;
    }
    const ok = Object.values(checks).every(Boolean);
    return reply.code(ok ? 200 : 503).send({ ok, checks });
  });

  // Metrics name routes, queues and volumes: not for anyone who can reach the port. A scrape config sends
  // PARLEY_METRICS_TOKEN as a bearer token; an API key with metrics:read (or admin) works too.
  const metricsToken = s.config.metricsToken ? Buffer.from(s.config.metricsToken) : undefined;
  app.get('/metrics', async (req, reply) => {
    const bearer = bearerOf(req.headers, undefined);
    const isMetricsToken = metricsToken !== undefined && bearer !== undefined && safeEqual(Buffer.from(bearer), metricsToken);
    if (!isMetricsToken) await s.authenticate(req, { scope: 'metrics:read' });
    const pending = await s.hub.db.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', sql.lit('pending')).executeTakeFirst(); // a literal: the partial index (migration 005)
    s.metrics.deliveriesPending.set(Number(pending?.n ?? 0));
    return reply.header('content-type', s.metrics.registry.contentType).send(await s.metrics.registry.metrics());
  });

  // Built once per set of routes (converting every zod schema costs ~100 ms), not on every request: a public
  // route that cheap to ask and that dear to answer is a denial of service.
  let cached: { routes: number; json: string; html: string } | undefined;
  const docs = () => {
    if (cached?.routes !== documented.length) {
      cached = { routes: documented.length, json: JSON.stringify(openApiDocument(documented, version, s.config.publicUrl)), html: docsHtml(documented) };
    }
    return cached;
  };
  app.get('/openapi.json', async (_req, reply) => reply.header('content-type', 'application/json; charset=utf-8').send(docs().json));
  app.get('/docs', async (_req, reply) => reply.header('content-type', 'text/html; charset=utf-8').send(docs().html));
}
