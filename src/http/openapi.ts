import { z } from 'zod';
import { ERRORS, type ErrorName } from '../core/errors.js';
import type { DocumentedRoute } from './route.js';
import { escapeHtml } from './transcript-html.js';

// The OpenAPI 3.1 document, built from the same route declarations that validate requests. Each operation
// has its operationId and, per HTTP status, the error codes it can answer: those its declaration implies
// (auth, input, rate limit) plus the domain errors it names. test/e2e/openapi.test.ts lints the result.

/** A zod schema as JSON Schema: as a request must be (`input`, defaults optional) or as a response is (`output`). */
function jsonSchemaOf(t: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  try {
    const { $schema: _dialect, ...schema } = z.toJSONSchema(t, { io, unrepresentable: 'any' }) as Record<string, unknown>;
    return schema;
  } catch {
    return {};
  }
}
const schemaOf = (t: z.ZodType) => jsonSchemaOf(t, 'input');
const outputSchemaOf = (t: z.ZodType) => jsonSchemaOf(t, 'output');

const ERROR_REF = '#/components/schemas/Error';
const CATALOGUE = Object.keys(ERRORS) as ErrorName[];
const code = (e: ErrorName) => `PARLEY_E_${e}` as const;

/** What any authenticated route can answer before its handler runs (src/http/guard.ts). */
const AUTH_ERRORS: readonly ErrorName[] = ['UNAUTHENTICATED', 'TOKEN_EXPIRED', 'TOKEN_REVOKED', 'FORBIDDEN', 'ACCOUNT_DISABLED'];
/** What Fastify's body parsing can answer on any method that carries a body (src/http/app.ts). */
const BODY_ERRORS: readonly ErrorName[] = ['BAD_JSON', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'VALIDATION'];

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad request',
  401: 'Not authenticated',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Invalid input',
  429: 'Rate limited',
  500: 'Internal error',
  502: 'Bad gateway',
  503: 'Unavailable',
  504: 'Gateway timeout',
};

/** Every error code a route can answer, in status order (then catalogue order). */
export function errorsOf(r: DocumentedRoute): ErrorName[] {
  const set = new Set<ErrorName>();
  const add = (list: readonly ErrorName[]) => list.forEach((e) => set.add(e));
  if (r.auth !== 'none') add(AUTH_ERRORS);
  if (r.method !== 'GET' && r.method !== 'HEAD') add(BODY_ERRORS);
  if (r.body || r.query || r.params) add(['VALIDATION']);
  if (r.rateLimit) add(['RATE_LIMITED']);
  add(r.errors ?? []);
  // While a node drains (shutdown), every route answers 503 UNAVAILABLE: retry, another node will answer.
  add(['INTERNAL', 'UNAVAILABLE']);
  return CATALOGUE.filter((e) => set.has(e)).sort((a, b) => ERRORS[a].status - ERRORS[b].status);
}

/** The same, grouped by HTTP status. */
export function errorsByStatus(r: DocumentedRoute): Map<number, ErrorName[]> {
  const out = new Map<number, ErrorName[]>();
  for (const e of errorsOf(r)) out.set(ERRORS[e].status, [...(out.get(ERRORS[e].status) ?? []), e]);
  return out;
}

function errorResponse(status: number, codes: ErrorName[]): Record<string, unknown> {
  const list = codes.map((e) => `\`${code(e)}\` (${ERRORS[e].message.replace(/\.$/, '')})`).join('; ');
  return {
    description: `${STATUS_TEXT[status] ?? 'Error'}: ${list}.`,
    ...(status === 429 ? { headers: { 'Retry-After': { description: 'Seconds until the window resets.', schema: { type: 'integer', minimum: 0 } } } } : {}),
    content: {
      'application/json': {
        // The catalogue's Error shape, with `code` narrowed to what this operation can answer at this status.
        schema: {
          allOf: [{ $ref: ERROR_REF }, { type: 'object', properties: { error: { type: 'object', properties: { code: { type: 'string', enum: codes.map(code) } } } } }],
        },
        examples: Object.fromEntries(
          codes.map((e) => [code(e), { summary: ERRORS[e].message, value: { error: { code: code(e), message: ERRORS[e].message, retryable: ERRORS[e].retryable } } }]),
        ),
      },
    },
  };
}

const security = (r: DocumentedRoute) => (r.auth === 'none' ? [] : [{ bearer: [] }]);
const authText = (r: DocumentedRoute) => (r.auth === 'none' ? 'public' : typeof r.auth === 'string' ? `${r.auth} token` : `API key with scope "${r.auth.scope}" (or an admin agent)`);
/** `produces` may name several types ("application/json, text/html"): one content entry each. */
const mediaTypes = (r: DocumentedRoute) => (r.produces ?? 'application/json').split(',').map((t) => t.trim()).filter(Boolean);

export const TAGS: Record<string, string> = {
  customer: 'The customer API of the web channel: what the widget, the app and your own mobile app call, with a customer token.',
  agent: 'The agent API of the built-in inbox desk, with an agent token.',
  admin: 'Accounts, queues, API keys, offers, proactive messages, transcripts, deliveries: API keys with scopes, or admin agents.',
  media: 'Uploads, and reads through signed URLs.',
  stream: 'The live stream (WebSocket or Server-Sent Events).',
  ops: 'Liveness, readiness and metrics, for operators and orchestrators.',
};

function operation(r: DocumentedRoute): Record<string, unknown> {
  const params: Record<string, unknown>[] = [...r.url.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  if (r.query) {
    const q = schemaOf(r.query) as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, schema] of Object.entries(q.properties ?? {})) params.push({ name, in: 'query', required: Boolean(q.required?.includes(name)), schema });
  }
  const success = { description: 'Success', content: Object.fromEntries(mediaTypes(r).map((t) => [t, r.response ? { schema: outputSchemaOf(r.response) } : {}])) };
  const responses: Record<string, unknown> = { [String(r.status)]: success };
  for (const [status, extra] of Object.entries(r.otherResponses ?? {})) {
    // 1xx (the stream's 101 Switching Protocols) has no body.
    const content = Number(status) < 200 ? undefined : Object.fromEntries(mediaTypes(r).map((t) => [t, extra.schema ? { schema: outputSchemaOf(extra.schema) } : {}]));
    responses[status] = { description: extra.description, ...(content ? { content } : {}) };
  }
  for (const [status, codes] of errorsByStatus(r)) {
    const err = errorResponse(status, codes) as { description: string; content: Record<string, { schema?: unknown }> };
    const own = responses[String(status)] as { description: string; content?: Record<string, { schema?: unknown }> } | undefined;
    // A route's own answer under an error status (readiness's 503 names the failed checks) stays, beside the error.
    responses[String(status)] = own
      ? { ...err, description: `${own.description} Or: ${err.description}`, content: { 'application/json': { schema: { oneOf: [own.content?.['application/json']?.schema ?? {}, err.content['application/json']?.schema ?? {}] } } } }
      : err;
  }
  // Anything else (e.g. a code added to the catalogue later) still has the catalogue's shape.
  responses.default = { description: 'Any other error, in the catalogue\'s shape.', content: { 'application/json': { schema: { $ref: ERROR_REF } } } };
  return {
    operationId: r.operationId,
    summary: r.summary,
    description: `Auth: ${authText(r)}.`,
    tags: r.tags,
    security: security(r),
    ...(params.length ? { parameters: params } : {}),
    ...(r.body ? { requestBody: { required: !r.body.safeParse(undefined).success, content: { 'application/json': { schema: schemaOf(r.body) } } } } : {}),
    responses,
  };
}

export function openApiDocument(routes: DocumentedRoute[], version: string, serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:(\w+)/g, '{$1}');
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = operation(r);
  }
  const used = new Set(routes.flatMap((r) => r.tags));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Parley',
      version,
      description:
        'Messaging switchboard: customer API (web channel), agent API (inbox desk), admin API and live stream. Every error is `{"error":{"code":"PARLEY_E_…","message","retryable","details?"}}`; each operation lists the codes it can answer, by status.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: serverUrl }],
    tags: [...used].map((name) => ({ name, ...(TAGS[name] ? { description: TAGS[name] } : {}) })),
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Customer token, agent token, or API key (pk_…).' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message', 'retryable'],
              properties: {
                code: { type: 'string', enum: CATALOGUE.map(code), description: 'Stable: branch on this, not on the message.' },
                message: { type: 'string', description: 'For people; may change.' },
                retryable: { type: 'boolean', description: 'Whether the same request may succeed later.' },
                details: { description: 'Extra facts, e.g. the invalid fields of a VALIDATION error.' },
              },
            },
          },
        },
      },
    },
  };
}

/** A readable docs page, rendered on the server so it works with no CDN and no JavaScript. */
export function docsHtml(routes: DocumentedRoute[]): string {
  const byTag = new Map<string, DocumentedRoute[]>();
  for (const r of routes) for (const t of r.tags) byTag.set(t, [...(byTag.get(t) ?? []), r]);
  const sections = [...byTag].map(([tag, list]) => {
    const items = list
      .map((r) => {
        const body = r.body ? `<details><summary>body</summary><pre>${escapeHtml(JSON.stringify(schemaOf(r.body), null, 2))}</pre></details>` : '';
        const errors = [...errorsByStatus(r)]
          .map(([status, codes]) => `<dt>${status}</dt><dd>${codes.map((e) => `<a href="#${code(e)}"><code>${code(e)}</code></a>`).join(' ')}</dd>`)
          .join('');
        return (
          `<li id="op-${escapeHtml(r.operationId)}"><code class="m ${r.method}">${r.method}</code> <code>${escapeHtml(r.url)}</code> <code class="op">${escapeHtml(r.operationId)}</code> ` +
          `<small>${escapeHtml(authText(r))} · ${r.status}</small><p>${escapeHtml(r.summary)}</p>${body}<dl class="errs">${errors}</dl></li>`
        );
      })
      .join('');
    return `<h2>${escapeHtml(tag)}</h2>${TAGS[tag] ? `<p>${escapeHtml(TAGS[tag])}</p>` : ''}<ul>${items}</ul>`;
  });
  const errors = Object.entries(ERRORS)
    .map(([k, v]) => `<tr id="PARLEY_E_${k}"><td><code>PARLEY_E_${k}</code></td><td>${v.status}</td><td>${v.retryable ? 'yes' : 'no'}</td><td>${escapeHtml(v.message)}</td></tr>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Parley API</title><style>
body{font:15px/1.5 system-ui,sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem;color:#1d232a}li{list-style:none;margin:.8rem 0;border-bottom:1px solid #eee;padding-bottom:.5rem}
ul{padding:0}p{margin:.2rem 0}small{color:#6b7280}.m{display:inline-block;min-width:4.5em;font-weight:600}.GET{color:#0b63ce}.POST{color:#0f7b4f}.DELETE{color:#b42318}.PATCH,.PUT{color:#9a6700}
.op{color:#6b21a8}.errs{display:grid;grid-template-columns:3em 1fr;gap:0 .5rem;margin:.3rem 0;font-size:12px}.errs dt{color:#b42318;font-weight:600}.errs dd{margin:0}.errs a{color:inherit}
pre{background:#f6f8fa;padding:.6rem;overflow:auto;font-size:12px}table{border-collapse:collapse}td{border-bottom:1px solid #eee;padding:.2rem .6rem}</style></head>
<body><h1>Parley API</h1><p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. Live stream: <code>GET /v1/stream</code> as WebSocket or Server-Sent Events (see the README).
Each route shows its method, path, <span class="op">operationId</span> (the method name in generated clients), who may call it, its success status, and the error codes it can answer by status.</p>
${sections.join('')}<h2>Errors</h2><p>Every error is <code>{"error":{"code","message","retryable","details?"}}</code>.</p><table>${errors}</table></body></html>`;
}
