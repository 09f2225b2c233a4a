import { z } from 'zod';
import { ERRORS } from '../core/errors.js';
import type { DocumentedRoute } from './route.js';
import { escapeHtml } from './transcript-html.js';

// The OpenAPI 3.1 document, built from the same route declarations that validate requests.

function schemaOf(t: z.ZodType): unknown {
  try {
    return z.toJSONSchema(t, { io: 'input', unrepresentable: 'any' });
  } catch {
    return {};
  }
}

const security = (r: DocumentedRoute) => (r.auth === 'none' ? [] : [{ bearer: [] }]);
const authText = (r: DocumentedRoute) => (r.auth === 'none' ? 'public' : typeof r.auth === 'string' ? `${r.auth} token` : `API key with scope "${r.auth.scope}" (or an admin agent)`);

export function openApiDocument(routes: DocumentedRoute[], version: string, serverUrl: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const path = r.url.replace(/:(\w+)/g, '{$1}');
    const params = [...r.url.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    if (r.query) {
      const q = schemaOf(r.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {})) params.push({ name, in: 'query', required: Boolean(q.required?.includes(name)), schema: schema as { type: string } });
    }
    paths[path] ??= {};
    paths[path][r.method.toLowerCase()] = {
      summary: r.summary,
      description: `Auth: ${authText(r)}.`,
      tags: r.tags,
      security: security(r),
      ...(params.length ? { parameters: params } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(r.body) } } } } : {}),
      responses: {
        [String(r.status)]: { description: 'Success', content: { [r.produces ?? 'application/json']: {} } },
        default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Parley', version, description: 'Messaging switchboard: customer API (web channel), agent API (inbox desk), admin API and live stream.' },
    servers: [{ url: serverUrl }],
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
              properties: { code: { type: 'string', enum: Object.keys(ERRORS).map((k) => `PARLEY_E_${k}`) }, message: { type: 'string' }, retryable: { type: 'boolean' }, details: {} },
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
        return `<li><code class="m ${r.method}">${r.method}</code> <code>${escapeHtml(r.url)}</code> <small>${escapeHtml(authText(r))}</small><p>${escapeHtml(r.summary)}</p>${body}</li>`;
      })
      .join('');
    return `<h2>${escapeHtml(tag)}</h2><ul>${items}</ul>`;
  });
  const errors = Object.entries(ERRORS)
    .map(([k, v]) => `<tr><td><code>PARLEY_E_${k}</code></td><td>${v.status}</td><td>${v.retryable ? 'yes' : 'no'}</td><td>${escapeHtml(v.message)}</td></tr>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Parley API</title><style>
body{font:15px/1.5 system-ui,sans-serif;max-width:980px;margin:2rem auto;padding:0 1rem;color:#1d232a}li{list-style:none;margin:.8rem 0;border-bottom:1px solid #eee;padding-bottom:.5rem}
ul{padding:0}p{margin:.2rem 0}small{color:#6b7280}.m{display:inline-block;min-width:4.5em;font-weight:600}.GET{color:#0b63ce}.POST{color:#0f7b4f}.DELETE{color:#b42318}.PATCH,.PUT{color:#9a6700}
pre{background:#f6f8fa;padding:.6rem;overflow:auto;font-size:12px}table{border-collapse:collapse}td{border-bottom:1px solid #eee;padding:.2rem .6rem}</style></head>
<body><h1>Parley API</h1><p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. Live stream: <code>GET /v1/stream</code> as WebSocket or Server-Sent Events (see the README).</p>
${sections.join('')}<h2>Errors</h2><p>Every error is <code>{"error":{"code","message","retryable","details?"}}</code>.</p><table>${errors}</table></body></html>`;
}
