import { Ajv2020 } from 'ajv/dist/2020.js';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ERRORS, type ErrorName } from '../../src/core/errors.js';
import { defineRoute, type Authenticator, type RouteSpec } from '../../src/http/route.js';
import { agent, startServer, type TestServer } from '../helpers/server.js';

// Lints the API description a real server serves: OpenAPI 3.1 structure, operationIds, error responses
// (the catalogue's shape, codes that exist under the status they have), path parameters, and that the
// document and the routes Fastify serves are the same set. Ajv (Fastify's own validator) compiles every
// schema as JSON Schema 2020-12, the dialect of OpenAPI 3.1, and checks every example against its schema.

type Json = any;
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const PATH_ITEM_KEYS = new Set<string>([...HTTP_METHODS, 'summary', 'description', 'servers', 'parameters', '$ref']);
const OPERATION_KEYS = new Set(['tags', 'summary', 'description', 'externalDocs', 'operationId', 'parameters', 'requestBody', 'responses', 'callbacks', 'deprecated', 'security', 'servers']);
const MEDIA_TYPE = /^(\*|[\w.+-]+)\/(\*|[\w.+-]+)(\s*;.*)?$/;
const OPERATION_ID = /^[a-z][A-Za-z0-9]+$/;
const CODE = /^PARLEY_E_([A-Z_]+)$/;

interface Op {
  path: string;
  method: string;
  op: Json;
}

function operations(doc: Json): Op[] {
  const out: Op[] = [];
  for (const [path, item] of Object.entries<Json>(doc.paths ?? {})) {
    for (const method of HTTP_METHODS) if (item[method]) out.push({ path, method, op: item[method] });
  }
  return out;
}

/** Follow a local JSON pointer (`#/components/schemas/Error`). */
function resolve(doc: Json, ref: string): Json {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<Json>((node, key) => (node === undefined || node === null ? undefined : node[key]), doc);
}

function walk(node: Json, visit: (n: Json, where: string) => void, where = '#'): void {
  if (node === null || typeof node !== 'object') return;
  visit(node, where);
  for (const [k, v] of Object.entries(node)) walk(v, visit, `${where}/${k}`);
}

const refersTo = (schema: Json, ref: string): boolean => schema?.$ref === ref || (Array.isArray(schema?.allOf) && schema.allOf.some((s: Json) => s?.$ref === ref));

/** The codes an error response narrows `code` to (allOf [Error, {error.code.enum}]), or all of them. */
function codesOf(schema: Json): string[] | undefined {
  if (schema?.$ref === '#/components/schemas/Error') return Object.keys(ERRORS).map((k) => `PARLEY_E_${k}`);
  for (const part of schema?.allOf ?? []) {
    const e = part?.properties?.error?.properties?.code?.enum;
    if (Array.isArray(e)) return e;
  }
  return undefined;
}

/** Every structural rule this API's document must keep. Returns the problems found, one line each. */
function lint(doc: Json): string[] {
  const problems: string[] = [];
  const bad = (where: string, what: string) => problems.push(`${where}: ${what}`);

  // --- the document ---
  if (typeof doc.openapi !== 'string' || !/^3\.1\.\d+$/.test(doc.openapi)) bad('openapi', `must be 3.1.x, is ${doc.openapi}`);
  if (typeof doc.info?.title !== 'string' || typeof doc.info?.version !== 'string') bad('info', 'needs title and version strings');
  if (doc.servers !== undefined && (!Array.isArray(doc.servers) || doc.servers.some((s: Json) => typeof s?.url !== 'string'))) bad('servers', 'each needs a url');
  if (typeof doc.paths !== 'object' || doc.paths === null) bad('paths', 'missing');
  for (const key of Object.keys(doc)) {
    if (!['openapi', 'info', 'jsonSchemaDialect', 'servers', 'paths', 'webhooks', 'components', 'security', 'tags', 'externalDocs'].includes(key) && !key.startsWith('x-')) bad(key, 'not an OpenAPI 3.1 root field');
  }
  const declaredTags = new Set<string>((doc.tags ?? []).map((t: Json) => t.name));
  const schemes = doc.components?.securitySchemes ?? {};
  for (const [name, s] of Object.entries<Json>(schemes)) {
    if (!['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect'].includes(s.type)) bad(`securitySchemes.${name}`, `bad type ${s.type}`);
    if (s.type === 'http' && typeof s.scheme !== 'string') bad(`securitySchemes.${name}`, 'http needs a scheme');
  }

  // --- every $ref resolves ---
  walk(doc, (n, where) => {
    if (typeof n.$ref === 'string' && resolve(doc, n.$ref) === undefined) bad(where, `$ref ${n.$ref} does not resolve`);
  });

  // --- paths ---
  const shapes = new Map<string, string>();
  for (const [path, item] of Object.entries<Json>(doc.paths ?? {})) {
    if (!path.startsWith('/')) bad(path, 'a path must start with /');
    if (path.includes(':')) bad(path, 'Fastify :param syntax; OpenAPI uses {param}');
    const shape = path.replace(/\{[^}]+\}/g, '{}');
    if (shapes.has(shape)) bad(path, `same hierarchy as ${shapes.get(shape)} with other parameter names`);
    shapes.set(shape, path);
    for (const key of Object.keys(item)) if (!PATH_ITEM_KEYS.has(key) && !key.startsWith('x-')) bad(path, `unknown path item field ${key}`);
  }

  // --- operations ---
  const ids = new Map<string, string>();
  for (const { path, method, op } of operations(doc)) {
    const at = `${method.toUpperCase()} ${path}`;
    for (const key of Object.keys(op)) if (!OPERATION_KEYS.has(key) && !key.startsWith('x-')) bad(at, `unknown operation field ${key}`);

    // operationId: present, camelCase, unique
    if (typeof op.operationId !== 'string' || !OPERATION_ID.test(op.operationId)) bad(at, `operationId ${JSON.stringify(op.operationId)} must match ${OPERATION_ID}`);
    else if (ids.has(op.operationId)) bad(at, `operationId ${op.operationId} is also used by ${ids.get(op.operationId)}`);
    else ids.set(op.operationId, at);
    if (typeof op.summary !== 'string' || !op.summary) bad(at, 'needs a summary');
    for (const t of op.tags ?? []) if (!declaredTags.has(t)) bad(at, `tag ${t} is not declared in the root tags`);

    // parameters: well-formed, no duplicates, path parameters exactly those of the template
    const params: Json[] = op.parameters ?? [];
    const seen = new Set<string>();
    for (const p of params) {
      if (typeof p.name !== 'string' || !['query', 'header', 'path', 'cookie'].includes(p.in)) bad(at, `bad parameter ${JSON.stringify(p)}`);
      if (seen.has(`${p.in}:${p.name}`)) bad(at, `parameter ${p.in} ${p.name} declared twice`);
      seen.add(`${p.in}:${p.name}`);
      if (p.in === 'path' && p.required !== true) bad(at, `path parameter ${p.name} must be required`);
      if ((p.schema === undefined) === (p.content === undefined)) bad(at, `parameter ${p.name} needs exactly one of schema and content`);
    }
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    const declaredPath = params.filter((p) => p.in === 'path').map((p) => p.name);
    for (const name of templated) if (!declaredPath.includes(name)) bad(at, `path parameter {${name}} is not declared`);
    for (const name of declaredPath) if (!templated.includes(name)) bad(at, `path parameter ${name} is not in the path`);

    // request body
    if (op.requestBody !== undefined) {
      const content = op.requestBody.content ?? {};
      if (!Object.keys(content).length) bad(at, 'requestBody needs content');
      for (const t of Object.keys(content)) if (!MEDIA_TYPE.test(t)) bad(at, `requestBody media type ${t}`);
    }

    // security: only declared schemes; an operation that needs a credential answers 401
    const security: Json[] = op.security ?? doc.security ?? [];
    for (const req of security) for (const name of Object.keys(req)) if (!schemes[name]) bad(at, `security scheme ${name} is not declared`);
    const secured = security.length > 0 && security.every((req) => Object.keys(req).length > 0);

    // responses
    const responses: Record<string, Json> = op.responses ?? {};
    if (!Object.keys(responses).length) bad(at, 'no responses');
    if (!Object.keys(responses).some((s) => /^2/.test(s) || s === '101')) bad(at, 'no success response');
    for (const [status, res] of Object.entries(responses)) {
      if (status !== 'default' && !/^[1-5](\d\d|XX)$/.test(status)) bad(at, `response key ${status}`);
      if (typeof res.description !== 'string') bad(`${at} ${status}`, 'needs a description');
      for (const t of Object.keys(res.content ?? {})) if (!MEDIA_TYPE.test(t)) bad(`${at} ${status}`, `media type ${t}`);
    }

    // error responses: the catalogue's shape, codes that exist, under the status the catalogue gives them
    const errorStatuses = Object.keys(responses).filter((s) => /^[45]\d\d$/.test(s));
    const usesError = (s: string) => refersTo(responses[s]?.content?.['application/json']?.schema, '#/components/schemas/Error');
    if (path.startsWith('/v1/') && !errorStatuses.some((s) => s.startsWith('4') && usesError(s))) bad(at, 'no 4xx response with the Error schema');
    if (!errorStatuses.some(usesError)) bad(at, 'no error response with the Error schema');
    if (!responses.default || !refersTo(responses.default.content?.['application/json']?.schema, '#/components/schemas/Error')) bad(at, 'default response must be the Error schema');
    for (const status of errorStatuses) {
      const json = responses[status].content?.['application/json'];
      // A route's own body under an error status (readiness's 503) sits beside the error in a oneOf.
      const schema = json?.schema?.oneOf?.find((o: Json) => refersTo(o, '#/components/schemas/Error')) ?? json?.schema;
      if (!refersTo(schema, '#/components/schemas/Error')) {
        bad(`${at} ${status}`, 'schema must be (or narrow) #/components/schemas/Error');
        continue;
      }
      const codes = codesOf(schema);
      if (!codes?.length) bad(`${at} ${status}`, 'lists no codes');
      for (const c of codes ?? []) {
        const name = CODE.exec(c)?.[1] as ErrorName | undefined;
        const entry = name ? ERRORS[name] : undefined;
        if (!entry) bad(`${at} ${status}`, `${c} is not in the catalogue`);
        else if (String(entry.status) !== status) bad(`${at} ${status}`, `${c} is a ${entry.status} in the catalogue`);
        if (!String(responses[status].description).includes(c)) bad(`${at} ${status}`, `description does not name ${c}`);
      }
      if (json.examples && JSON.stringify(Object.keys(json.examples).sort()) !== JSON.stringify([...(codes ?? [])].sort())) bad(`${at} ${status}`, 'examples and codes differ');
    }
    const codes401 = codesOf(responses['401']?.content?.['application/json']?.schema) ?? [];
    if (secured && !codes401.includes('PARLEY_E_UNAUTHENTICATED')) bad(at, 'secured but does not list 401 PARLEY_E_UNAUTHENTICATED');
    if (op.requestBody && !(codesOf(responses['422']?.content?.['application/json']?.schema) ?? []).includes('PARLEY_E_VALIDATION')) bad(at, 'has a body but does not list 422 PARLEY_E_VALIDATION');
    if (op.requestBody && !(codesOf(responses['400']?.content?.['application/json']?.schema) ?? []).includes('PARLEY_E_BAD_JSON')) bad(at, 'has a body but does not list 400 PARLEY_E_BAD_JSON');
  }
  return problems;
}

/** Ajv for the document's schemas: `#/components/schemas/X` becomes a reference into one shared schema. */
function schemaChecker(doc: Json) {
  const ajv = new Ajv2020({ strict: true, validateFormats: false, allErrors: true });
  const base = 'https://parley.test/components';
  const rebase = (schema: Json) => JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${base}#/$defs/`));
  ajv.addSchema({ $id: base, $defs: rebase(doc.components?.schemas ?? {}) });
  // Many responses share one schema (same codes at the same status): compile each distinct one once.
  const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
  return (schema: Json) => {
    const text = JSON.stringify(rebase(schema));
    let validate = compiled.get(text);
    if (!validate) compiled.set(text, (validate = ajv.compile(JSON.parse(text))));
    return validate;
  };
}

/** Parse `printRoutes` (a radix tree: a child's path is its parent's plus its own segment) into method+url pairs. */
function servedRoutes(tree: string): { method: string; url: string }[] {
  const out: { method: string; url: string }[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^(.*?)(?:├── |└── )(\S+) \(([^)]+)\)$/.exec(line);
    if (!m) continue;
    const depth = Math.round((m[1] ?? '').length / 4);
    stack.length = depth;
    const url = (stack[depth - 1] ?? '') + m[2];
    stack[depth] = url;
    for (const method of (m[3] ?? '').split(',').map((x) => x.trim())) out.push({ method, url });
  }
  return out;
}

describe('the OpenAPI document', () => {
  let ts: TestServer;
  let doc: Json;
  beforeAll(async () => {
    ts = await startServer();
    const r = await ts.api.get('/openapi.json');
    expect(r.status).toBe(200);
    doc = r.body;
  });
  afterAll(async () => ts?.stop());

  it('passes the lint: 3.1 structure, operationIds, error responses, path parameters', () => {
    expect(lint(doc)).toEqual([]);
  });

  it('the lint catches what it is meant to catch', () => {
    const broken = structuredClone(doc);
    const send = broken.paths['/v1/conversations/{id}/messages'].post;
    send.operationId = 'getMe';
    send.parameters = [];
    send.responses['404'].content['application/json'].schema.allOf[1].properties.error.properties.code.enum.push('PARLEY_E_CONVERSATION_ENDED', 'PARLEY_E_NO_SUCH_CODE');
    delete broken.paths['/v1/me'].get.responses['401'];
    const problems = lint(broken).join('\n');
    expect(problems).toContain('operationId getMe is also used by');
    expect(problems).toContain('path parameter {id} is not declared');
    expect(problems).toContain('PARLEY_E_CONVERSATION_ENDED is a 409 in the catalogue');
    expect(problems).toContain('PARLEY_E_NO_SUCH_CODE is not in the catalogue');
    expect(problems).toMatch(/GET \/v1\/me: secured but does not list 401/);
  });

  it('every schema compiles as JSON Schema 2020-12 and every example matches its schema', () => {
    const compile = schemaChecker(doc);
    let examples = 0;
    walk(doc.paths, (node, where) => {
      if (node.schema && typeof node.schema === 'object') {
        let validate;
        try {
          validate = compile(node.schema);
        } catch (e) {
          throw new Error(`${where}: ${(e as Error).message}`);
        }
        for (const [name, ex] of Object.entries<Json>(node.examples ?? {})) {
          examples++;
          expect(validate(ex.value), `${where} example ${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
        }
      }
    });
    expect(examples).toBeGreaterThan(50);
  });

  it('documents exactly the routes Fastify serves under /v1, and the ops routes', () => {
    const served = servedRoutes(ts.server.app.printRoutes({ commonPrefix: false }))
      .filter((r) => r.url.startsWith('/v1/') && r.method !== 'HEAD' && r.method !== 'OPTIONS')
      .map((r) => `${r.method} ${r.url.replace(/:(\w+)/g, '{$1}')}`);
    const inDoc = operations(doc).map((o) => `${o.method.toUpperCase()} ${o.path}`);
    expect(served.length).toBeGreaterThan(40);
    expect(served.filter((r) => !inDoc.includes(r))).toEqual([]);
    // And the other way: nothing documented that the server does not serve.
    for (const { method, path } of operations(doc)) {
      expect(ts.server.app.hasRoute({ method: method.toUpperCase() as 'GET', url: path.replace(/\{(\w+)\}/g, ':$1') }), `${method} ${path}`).toBe(true);
    }
    expect(inDoc).toEqual(expect.arrayContaining(['GET /healthz', 'GET /readyz', 'GET /metrics']));
  });

  it('names the operations clients are generated from', () => {
    const ids = Object.fromEntries(operations(doc).map((o) => [`${o.method.toUpperCase()} ${o.path}`, o.op.operationId]));
    expect(ids).toMatchObject({
      'POST /v1/sessions': 'createSession',
      'GET /v1/me': 'getMe',
      'PATCH /v1/me': 'updateMe',
      'POST /v1/conversations': 'openConversation',
      'GET /v1/conversations': 'listConversations',
      'POST /v1/conversations/{id}/messages': 'sendMessage',
      'POST /v1/agent/login': 'agentLogin',
      'POST /v1/agent/conversations/{id}/accept': 'acceptConversation',
      'POST /v1/agent/conversations/{id}/messages': 'sendAgentMessage',
      'POST /v1/admin/agents': 'createAgent',
      'PATCH /v1/admin/agents/{id}': 'updateAgent',
      'POST /v1/admin/api-keys': 'createApiKey',
      'DELETE /v1/admin/api-keys/{id}': 'revokeApiKey',
      'GET /v1/stream': 'openStream',
      'GET /healthz': 'checkHealth',
    });
  });

  it('lists the domain errors the handlers throw, by status', () => {
    const codes = (path: string, method: string, status: number) => codesOf(doc.paths[path][method].responses[String(status)]?.content['application/json'].schema) ?? [];
    expect(codes('/v1/conversations/{id}/messages', 'post', 404)).toEqual(expect.arrayContaining(['PARLEY_E_CONVERSATION_NOT_FOUND', 'PARLEY_E_MEDIA_NOT_FOUND']));
    expect(codes('/v1/conversations/{id}/messages', 'post', 409)).toEqual(expect.arrayContaining(['PARLEY_E_CONVERSATION_ENDED', 'PARLEY_E_IDEMPOTENCY_MISMATCH']));
    expect(codes('/v1/agent/conversations/{id}/messages', 'post', 409)).toEqual(expect.arrayContaining(['PARLEY_E_NOT_ASSIGNED', 'PARLEY_E_CONVERSATION_ENDED']));
    expect(codes('/v1/agent/conversations/{id}/accept', 'post', 409)).toContain('PARLEY_E_AGENT_AT_CAPACITY');
    expect(codes('/v1/admin/agents/{id}', 'patch', 409)).toContain('PARLEY_E_LAST_ADMIN');
    expect(codes('/v1/admin/agents/{id}', 'patch', 404)).toEqual(expect.arrayContaining(['PARLEY_E_AGENT_NOT_FOUND', 'PARLEY_E_QUEUE_NOT_FOUND']));
    expect(codes('/v1/agent/login', 'post', 401)).toEqual(['PARLEY_E_BAD_CREDENTIALS']);
    expect(codes('/v1/agent/login', 'post', 429)).toEqual(['PARLEY_E_RATE_LIMITED']);
    expect(codes('/v1/setup', 'post', 409)).toContain('PARLEY_E_SETUP_DONE');
    expect(codes('/v1/agent/me', 'get', 401)).toEqual(['PARLEY_E_UNAUTHENTICATED', 'PARLEY_E_TOKEN_EXPIRED', 'PARLEY_E_TOKEN_REVOKED']);
    expect(codes('/v1/agent/me', 'get', 403)).toEqual(expect.arrayContaining(['PARLEY_E_FORBIDDEN', 'PARLEY_E_ACCOUNT_DISABLED']));
    // Public routes do not pretend to need a token.
    expect(doc.paths['/v1/agent/login'].post.security).toEqual([]);
    expect(codes('/v1/agent/login', 'post', 403)).toEqual(['PARLEY_E_ACCOUNT_DISABLED']);
    expect(doc.paths['/v1/sessions'].post.security).toEqual([]);
    expect(doc.paths['/v1/conversations'].post.requestBody.required).toBe(false);
    expect(doc.paths['/v1/agent/login'].post.responses['429'].headers).toHaveProperty('Retry-After');
  });

  it('real error answers match the schema of the status they come with', async () => {
    const compile = schemaChecker(doc);
    const check = async (path: string, method: 'get' | 'post', res: { status: number; body: unknown }) => {
      const schema = doc.paths[path][method].responses[String(res.status)]?.content['application/json'].schema;
      expect(schema, `${method} ${path} documents ${res.status}`).toBeDefined();
      const validate = compile(schema);
      expect(validate(res.body), `${method} ${path} ${res.status}: ${JSON.stringify(res.body)} ${JSON.stringify(validate.errors)}`).toBe(true);
    };
    const cust = await ts.api.customer();
    const ag = await agent(ts);
    await check('/v1/me', 'get', await ts.api.get('/v1/me'));
    await check('/v1/me', 'get', await ts.api.get('/v1/me', ag.token));
    await check('/v1/conversations/{id}', 'get', await ts.api.get('/v1/conversations/nope', cust.token));
    await check('/v1/conversations/{id}/messages', 'post', await ts.api.req('POST', '/v1/conversations/nope/messages', { token: cust.token, raw: '{"bad json' }));
    await check('/v1/conversations/{id}/messages', 'post', await ts.api.post('/v1/conversations/nope/messages', { text: 'no id' }, cust.token));
    await check('/v1/conversations/{id}/messages', 'post', await ts.api.post('/v1/conversations/nope/messages', { clientMessageId: 'c1', text: 'hi' }, cust.token));
    await check('/v1/agent/login', 'post', await ts.api.post('/v1/agent/login', { email: ag.email, password: 'wrong-password' }));
    await check('/v1/agent/conversations/{id}/accept', 'post', await ts.api.post('/v1/agent/conversations/nope/accept', undefined, ag.token));
  });

  it('/docs shows each operationId and its error codes', async () => {
    const html = await (await fetch(`${ts.url}/docs`)).text();
    const item = /<li id="op-sendAgentMessage">(.*?)<\/li>/s.exec(html)?.[1] ?? '';
    expect(item).toContain('/v1/agent/conversations/:id/messages');
    expect(item).toContain('sendAgentMessage');
    expect(item).toMatch(/<dt>409<\/dt><dd>.*PARLEY_E_NOT_ASSIGNED/);
    expect(item).toContain('PARLEY_E_UNAUTHENTICATED');
    for (const { op } of operations(doc)) expect(html).toContain(`id="op-${op.operationId}"`);
  });

  it('refuses at start-up an operationId that is taken or malformed', () => {
    const app = Fastify();
    const auth: Authenticator = async () => undefined;
    const spec = (operationId: string): RouteSpec<z.ZodUnknown, z.ZodUnknown, z.ZodUnknown> & { auth: 'none' } => ({ method: 'GET', url: '/v1/elsewhere', operationId, summary: 'x', tags: ['customer'], auth: 'none' });
    // getMe is GET /v1/me's: a second route of that name would be a second client method of that name.
    expect(() => defineRoute(app, auth, spec('getMe'), async () => ({}))).toThrow(/Duplicate operationId "getMe"/);
    expect(() => defineRoute(app, auth, spec('Get-Elsewhere'), async () => ({}))).toThrow(/must be camelCase/);
    // And the same route declared again under another name (a copy-paste slip) is refused too.
    expect(() => defineRoute(app, auth, { ...spec('getMeAgain'), url: '/v1/me' }, async () => ({}))).toThrow(/documented twice/);
  });
});

// Compile-time: a route without an operationId does not type-check (tsc -p tsconfig.test.json).
export function _routeWithoutOperationId(spec: RouteSpec<z.ZodUnknown, z.ZodUnknown, z.ZodUnknown>): RouteSpec<z.ZodUnknown, z.ZodUnknown, z.ZodUnknown> {
  // @ts-expect-error operationId is required
  const missing: RouteSpec<z.ZodUnknown, z.ZodUnknown, z.ZodUnknown> = { method: 'GET', url: '/v1/x', summary: 'x', tags: [], auth: 'none' };
  return missing ?? spec;
}
