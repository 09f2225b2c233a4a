import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, metricsHeaders, startServer, type TestServer } from '../helpers/server.js';

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

    const r = await fetch(`${ts.url}/metrics`, { headers: metricsHeaders });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await r.text();
    expect(text).toMatch(/^parley_http_requests_total\{method="POST",route="\/v1\/conversations\/:id\/messages",status="201"\} 1$/m);
    expect(text).toMatch(/^parley_http_requests_total\{method="POST",route="\/v1\/sessions",status="201"\} \d+$/m);
    expect(text).toMatch(/^parley_events_appended_total\{kind="message"\} 1$/m);
    expect(text).toMatch(/^parley_events_appended_total\{kind="conversation\.queued"\} 1$/m);
    expect(text).toContain('# TYPE parley_http_request_duration_seconds histogram');
  });

  it('/metrics is closed to anyone without the metrics token or a metrics:read key', async () => {
    const anon = await ts.api.get('/metrics');
    expect(anon.status).toBe(401);
    expect(anon.body.error.code).toBe('PARLEY_E_UNAUTHENTICATED');
    const wrong = await ts.api.req('GET', '/metrics', { headers: { authorization: 'Bearer test-metrics-token-0123456780' } });
    expect(wrong.status).toBe(401);
    const cust = await ts.api.customer();
    expect((await ts.api.get('/metrics', cust.token)).status).toBe(403);
    const plain = await agent(ts);
    expect((await ts.api.get('/metrics', plain.token)).status).toBe(403);
    const admin = await agent(ts, { role: 'admin' });
    const key = await ts.api.req('POST', '/v1/admin/api-keys', { token: admin.token, body: { name: 'prometheus', scopes: ['metrics:read'] } });
    expect(key.status).toBe(201);
    const byKey = await ts.api.get('/metrics', key.body.apiKey.key);
    expect(byKey.status).toBe(200);
    expect(byKey.body).toContain('parley_http_requests_total');
    const otherKey = await ts.api.req('POST', '/v1/admin/api-keys', { token: admin.token, body: { name: 'offers', scopes: ['offers:write'] } });
    expect((await ts.api.get('/metrics', otherKey.body.apiKey.key)).status).toBe(403);
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
