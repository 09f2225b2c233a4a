import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

// Operations endpoints: liveness, readiness, Prometheus metrics, and the API description.

describe('operations endpoints', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer();
  });
  afterAll(async () => ts?.stop());

  it('/healthz and /readyz answer 200 on a running server', async () => {
    const health = await ts.api.get('/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ ok: true });
    const ready = await ts.api.get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ ok: true, checks: { dispatcher: true, database: true } });
  });

  it('/metrics counts HTTP requests by route and appended events by kind', async () => {
    const cust = await ts.api.customer();
    const open = await ts.api.post('/v1/conversations', {}, cust.token);
    await ts.api.post(`/v1/conversations/${open.body.conversation.id}/messages`, { clientMessageId: 'm-1', text: 'count me' }, cust.token);

    const r = await fetch(`${ts.url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await r.text();
    expect(text).toMatch(/^parley_http_requests_total\{method="POST",route="\/v1\/conversations\/:id\/messages",status="201"\} 1$/m);
    expect(text).toMatch(/^parley_http_requests_total\{method="POST",route="\/v1\/sessions",status="201"\} \d+$/m);
    expect(text).toMatch(/^parley_events_appended_total\{kind="message"\} 1$/m);
    expect(text).toMatch(/^parley_events_appended_total\{kind="conversation\.queued"\} 1$/m);
    expect(text).toContain('# TYPE parley_http_request_duration_seconds histogram');
  });

  it('/openapi.json is an OpenAPI 3.1 document that lists the message route', async () => {
    const r = await ts.api.get('/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toBe('3.1.0');
    expect(r.body.info).toMatchObject({ title: 'Parley' });
    const send = r.body.paths['/v1/conversations/{id}/messages']?.post;
    expect(send).toBeDefined();
    expect(send.parameters).toContainEqual({ name: 'id', in: 'path', required: true, schema: { type: 'string' } });
    expect(send.requestBody.content['application/json'].schema.properties).toHaveProperty('clientMessageId');
    expect(send.responses).toHaveProperty('201');
    expect(r.body.components.schemas.Error.properties.error.properties.code.enum).toContain('PARLEY_E_CONVERSATION_ENDED');
    // Every documented path uses {param} templates, never Fastify's :param.
    expect(Object.keys(r.body.paths).filter((p) => p.includes(':'))).toEqual([]);
  });

  it('/docs is an HTML page describing the routes and the error codes', async () => {
    const r = await fetch(`${ts.url}/docs`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await r.text();
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('/v1/conversations/:id/messages');
    expect(html).toContain('PARLEY_E_PAYLOAD_TOO_LARGE');
  });

  it('an unknown route answers 404 with the standard error shape', async () => {
    const r = await ts.api.get('/v1/nope');
    expect(r.status).toBe(404);
    expect(r.body.error).toMatchObject({ code: 'PARLEY_E_ROUTE_NOT_FOUND', retryable: false });
  });
});
