import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { docsHtml, openApiDocument } from '../openapi.js';
import { documented } from '../route.js';
import type { Services } from '../services.js';

// Operations: liveness, readiness, Prometheus metrics, the API description.

export function opsRoutes(app: FastifyInstance, s: Services, version: string): void {
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

  app.get('/metrics', async (_req, reply) => {
    const pending = await s.hub.db.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 'pending').executeTakeFirst();
    s.metrics.deliveriesPending.set(Number(pending?.n ?? 0));
    return reply.header('content-type', s.metrics.registry.contentType).send(await s.metrics.registry.metrics());
  });

  app.get('/openapi.json', async () => openApiDocument(documented, version, s.config.publicUrl));
  app.get('/docs', async (_req, reply) => reply.header('content-type', 'text/html; charset=utf-8').send(docsHtml(documented)));
}
