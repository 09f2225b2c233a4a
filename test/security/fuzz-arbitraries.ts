import fc from 'fast-check';
import { VENDOR_DESKS } from './fuzz-server.js';
import { PRINCIPALS, type PoolName, type PrincipalName, type World } from './fuzz-world.js';

// fast-check arbitraries for the fuzz suite: a small JSON Schema → arbitrary converter (the schemas come
// from the running server's /openapi.json), mutations that turn valid inputs into malformed ones, and
// whole HTTP requests (method, path, query, headers, body, caller) and stream frames.

// ---- JSON Schema → arbitrary ------------------------------------------------------------------------------

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
  nullable?: boolean;
}

/** Property name → real values from the fixture world (ids the handlers will find). */
export type Hints = Record<string, fc.Arbitrary<unknown>>;

/** Strings that have broken parsers, databases and templates before. */
export const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uFEFF',
  '\u202Etxt.exe',
  '\uD800',
  '\uDFFF\uD800',
  '𝕏💥👩‍👩‍👧‍👦',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǫ̗̻̙̈́',
  '\r\n\r\n',
  '\t',
  "'; DROP TABLE agents; --",
  '" OR 1=1 --',
  '%s%s%n',
  '${process.exit()}',
  '{{constructor.constructor("return process")()}}',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '__proto__',
  'constructor',
  'toString',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '0x10',
  '[]',
  '{}',
  'default',
  'pk_000000000000_aaaaaaaaaaaaaaaaaaaaaaaa',
];

const WEIRD_VALUES: unknown[] = [null, true, false, 0, -1, 1.5, -0, 1e308, -1e308, 2 ** 53 + 2, '', '0', 'true', [], {}, [null], { '': '' }, [[[]]], '\u0000'];

/** Percent-encode like encodeURIComponent, but also for lone surrogates (encodeURIComponent throws). */
export function enc(s: string): string {
  return [...Buffer.from(s, 'utf8')].map((b) => (/[A-Za-z0-9\-_.!~*'()]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`)).join('');
}

const clampNum = (n: number) => Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, n));

/** Lengths at the edges: the valid ones (min, max) and, separately, the first invalid ones (min-1, max+1). */
function boundaryLengths(min: number, max: number | undefined, valid: boolean): number[] {
  const out = valid ? [min, min + 1, ...(max !== undefined ? [max] : [])] : [...(min > 0 ? [min - 1] : []), ...(max !== undefined ? [max + 1] : [])];
  return out.length ? out : [min];
}

function stringArb(s: JsonSchema): fc.Arbitrary<string> {
  const min = s.minLength ?? 0;
  const max = s.maxLength;
  const softMax = Math.max(min, Math.min(max ?? 40, min + 40));
  let valid: fc.Arbitrary<string>;
  if (s.format === 'email') {
    const pat = s.pattern ? new RegExp(s.pattern) : /^[a-z]+@[a-z]+\.[a-z]{2,}$/;
    valid = fc.oneof(
      fc.stringMatching(pat, { size: 'xsmall' }).filter((x) => x.length <= (max ?? 320)),
      fc.constantFrom('dup@example.com', 'fuzz-agent@example.com', 'victim-1@example.com', 'ANN@EXAMPLE.COM', 'a@b.co'),
      fc.emailAddress(),
    );
  } else if (s.format === 'uri' || s.format === 'url') {
    valid = fc.oneof(
      { weight: 6, arbitrary: fc.webUrl({ size: 'small', validSchemes: ['http', 'https'] }) },
      { weight: 1, arbitrary: fc.constantFrom('javascript:alert(1)', 'data:text/html,<b>x</b>', 'http://127.0.0.1:1/', 'file:///etc/passwd', 'https://example.com/a b', '//evil.example/') },
    );
  } else if (s.pattern) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(s.pattern);
    } catch {
      re = undefined;
    }
    valid = re
      ? fc.stringMatching(re, { size: 'xsmall' }).filter((x) => x.length >= min && x.length <= (max ?? 10_000))
      : fc.string({ minLength: min, maxLength: softMax });
  } else {
    valid = fc.string({ minLength: min, maxLength: softMax, unit: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789 -_.') }, { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) }) });
  }
  return fc.oneof(
    { weight: 24, arbitrary: valid },
    { weight: 2, arbitrary: fc.constantFrom(...boundaryLengths(min, max, true)).map((n) => 'x'.repeat(n)) },
    { weight: 1, arbitrary: fc.constantFrom(...boundaryLengths(min, max, false)).map((n) => 'x'.repeat(n)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
    { weight: 1, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  );
}

function numberArb(s: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = clampNum(s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : -1_000_000));
  const max = clampNum(s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - 1 : 1_000_000));
  const valid = integer ? fc.integer({ min, max }) : fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
  const smallValid = integer ? fc.integer({ min: Math.max(min, -5), max: Math.min(max, 50) }) : valid;
  const edges = [min, max, min - 1, max + 1, 0, -1, 1, 1.5, -0, 1e308, 2 ** 53 + 2].filter((n) => Number.isFinite(n));
  return fc.oneof({ weight: 10, arbitrary: smallValid }, { weight: 4, arbitrary: valid }, { weight: 2, arbitrary: fc.constantFrom(...edges) });
}

export function schemaArb(s: JsonSchema | boolean | undefined, hints: Hints = {}, key = '', depth = 0): fc.Arbitrary<unknown> {
  if (s === undefined || s === true || (typeof s === 'object' && Object.keys(s).filter((k) => k !== '$schema' && k !== 'default' && k !== 'description').length === 0)) {
    // Anything at all (z.unknown()): small JSON, sometimes odd.
    return fc.oneof({ weight: 4, arbitrary: fc.jsonValue({ maxDepth: 2 }) }, { weight: 1, arbitrary: fc.constantFrom(...WEIRD_VALUES) });
  }
  if (s === false) return fc.constant(undefined);
  const hint = key ? hints[key] : undefined;
  const base = schemaArbNoHint(s, hints, depth);
  return hint ? fc.oneof({ weight: 3, arbitrary: hint }, { weight: 2, arbitrary: base }) : base;
}

function schemaArbNoHint(s: JsonSchema, hints: Hints, depth: number): fc.Arbitrary<unknown> {
  // Only recursive schemas get this deep (the API's deepest input is about 10 levels).
  if (depth > 14) return fc.constant(null);
  if (s.const !== undefined) return fc.oneof({ weight: 20, arbitrary: fc.constant(s.const) }, { weight: 1, arbitrary: fc.constantFrom(...WEIRD_VALUES) });
  if (s.enum?.length) return fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...s.enum) }, { weight: 1, arbitrary: fc.constantFrom('', 'ADMIN', 'unknown', String(s.enum[0]).toUpperCase(), ` ${String(s.enum[0])}`) });
  const alts = s.anyOf ?? s.oneOf;
  if (alts?.length) return fc.oneof(...alts.map((a) => schemaArb(a, hints, '', depth + 1)));
  if (s.allOf?.length) {
    const merged: JsonSchema = { type: 'object', properties: {}, required: [] };
    for (const a of s.allOf) {
      Object.assign(merged.properties!, a.properties ?? {});
      merged.required!.push(...(a.required ?? []));
    }
    return schemaArbNoHint(merged, hints, depth);
  }
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : s.properties ? ['object'] : s.items ? ['array'] : [];
  if (types.length > 1) return fc.oneof(...types.map((t) => schemaArbNoHint({ ...s, type: t }, hints, depth)));
  let arb: fc.Arbitrary<unknown>;
  switch (types[0]) {
    case 'string':
      arb = stringArb(s);
      break;
    case 'integer':
      arb = numberArb(s, true);
      break;
    case 'number':
      arb = numberArb(s, false);
      break;
    case 'boolean':
      arb = fc.boolean();
      break;
    case 'null':
      arb = fc.constant(null);
      break;
    case 'array': {
      const item = schemaArb(s.items ?? {}, hints, '', depth + 1);
      const min = s.minItems ?? 0;
      const max = s.maxItems;
      arb = fc.oneof(
        { weight: 16, arbitrary: fc.array(item, { minLength: min, maxLength: Math.max(min, Math.min(max ?? 4, min + 4)) }) },
        { weight: 1, arbitrary: max !== undefined ? fc.array(item, { minLength: max + 1, maxLength: max + 1 }) : fc.array(item, { minLength: 30, maxLength: 60 }) },
        { weight: 1, arbitrary: fc.constant([]) },
      );
      break;
    }
    case 'object': {
      const props = s.properties ?? {};
      const keys = Object.keys(props);
      const required = (s.required ?? []).filter((k) => keys.includes(k));
      const model = Object.fromEntries(keys.map((k) => [k, schemaArb(props[k], hints, k, depth + 1)]));
      // Often every property (optional ones too: handlers then see full inputs), else a random subset.
      let rec: fc.Arbitrary<Record<string, unknown>> = keys.length ? fc.oneof({ weight: 2, arbitrary: fc.record(model) }, { weight: 3, arbitrary: fc.record(model, { requiredKeys: required }) }) : fc.constant({});
      const extra = s.additionalProperties;
      if (extra !== undefined && extra !== false && !keys.length) {
        const keyArb = fc.oneof({ weight: 5, arbitrary: fc.string({ maxLength: 12 }) }, { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', '', 'x'.repeat(101), '\u0000') });
        rec = fc.dictionary(keyArb, schemaArb(extra, hints, '', depth + 1), { maxKeys: 5 });
      }
      arb = rec;
      break;
    }
    default:
      arb = fc.jsonValue({ maxDepth: 2 });
  }
  return s.nullable ? fc.oneof({ weight: 5, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(null) }) : arb;
}

// ---- Malformed bodies ---------------------------------------------------------------------------------------

const deepText = (depth: number, shape: 'array' | 'object') => (shape === 'array' ? '['.repeat(depth) + '1' + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth));

type Mutation =
  | { kind: 'drop'; at: number }
  | { kind: 'retype'; at: number; value: unknown }
  | { kind: 'extra'; at: number; key: string; value: unknown }
  | { kind: 'huge'; at: number; n: number }
  | { kind: 'deep'; at: number; depth: number; shape: 'array' | 'object' }
  | { kind: 'proto' }
  | { kind: 'dupKey'; at: number; value: unknown }
  | { kind: 'top'; text: string }
  | { kind: 'truncate'; cut: number };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('retype' as const), at: fc.nat(), value: fc.oneof(fc.constantFrom(...WEIRD_VALUES), fc.constantFrom(...NASTY_STRINGS), fc.jsonValue({ maxDepth: 2 })) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('extra' as const), at: fc.nat(), key: fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('role', 'admin', 'scopes', 'id', 'contactId', 'agentId', '__proto__', 'constructor', 'disabled', 'seq')), value: fc.oneof(fc.constantFrom(...WEIRD_VALUES), fc.constantFrom('admin', ['admin'])) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('huge' as const), at: fc.nat(), n: fc.constantFrom(10_001, 20_000, 100_000, 270_000) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('deep' as const), at: fc.nat(), depth: fc.constantFrom(64, 1_000, 10_000, 60_000), shape: fc.constantFrom('array' as const, 'object' as const) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'proto' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dupKey' as const), at: fc.nat(), value: fc.constantFrom(...WEIRD_VALUES) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('top' as const), text: fc.constantFrom('null', '[]', '"text"', '42', 'true', '[{}]', '{}', '-0', '1e999') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), cut: fc.nat() }) },
);

type Path = (string | number)[];
function pathsOf(v: unknown, prefix: Path = [], out: Path[] = []): Path[] {
  if (prefix.length) out.push(prefix);
  if (out.length > 200) return out;
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) pathsOf((v as Record<string, unknown>)[k], [...prefix, k], out);
  return out;
}
function setAt(root: unknown, path: Path, value: unknown, del = false): unknown {
  if (!path.length) return value;
  const parent = path.slice(0, -1).reduce<any>((o, k) => (o == null ? o : o[k]), root);
  const last = path[path.length - 1]!;
  if (parent == null || typeof parent !== 'object') return root;
  if (del) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else parent[last] = value;
  return root;
}
const objectsOf = (v: unknown): Path[] => [[], ...pathsOf(v)].filter((p) => {
  const o = p.reduce<any>((x, k) => (x == null ? x : x[k]), v);
  return o && typeof o === 'object' && !Array.isArray(o);
});

export function applyMutation(valid: unknown, m: Mutation): string {
  const v = structuredClone(valid) as unknown;
  const paths = pathsOf(v);
  const pick = (at: number) => paths[at % Math.max(1, paths.length)] ?? [];
  switch (m.kind) {
    case 'drop':
      return JSON.stringify(setAt(v, pick(m.at), undefined, true)) ?? '';
    case 'retype':
      return JSON.stringify(setAt(v, pick(m.at), m.value)) ?? 'null';
    case 'extra': {
      const objs = objectsOf(v);
      const target = objs[m.at % Math.max(1, objs.length)];
      if (!target) return JSON.stringify({ [m.key]: m.value });
      const o = target.reduce<any>((x, k) => x[k], v);
      Object.defineProperty(o, m.key, { value: m.value, enumerable: true, configurable: true, writable: true });
      return JSON.stringify(v);
    }
    case 'huge':
      return JSON.stringify(setAt(v, paths.length ? pick(m.at) : ['text'], 'A'.repeat(m.n)));
    case 'deep': {
      const marker = '"\u0001DEEP\u0001"';
      const text = JSON.stringify(setAt(v && typeof v === 'object' ? v : {}, paths.length ? pick(m.at) : ['context'], '\u0001DEEP\u0001'));
      return text.replace(marker, deepText(m.depth, m.shape));
    }
    case 'proto': {
      const inner = JSON.stringify(v && typeof v === 'object' && !Array.isArray(v) ? v : {}).slice(1);
      return `{"__proto__":{"role":"admin","scopes":["admin"],"polluted":true},"constructor":{"prototype":{"polluted":true}}${inner === '}' ? '}' : ',' + inner}`;
    }
    case 'dupKey': {
      const keys = v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : [];
      const k = keys[m.at % Math.max(1, keys.length)] ?? 'type';
      const inner = JSON.stringify(v && typeof v === 'object' && !Array.isArray(v) ? v : {}).slice(1);
      return `{${JSON.stringify(k)}:${JSON.stringify(m.value)}${inner === '}' ? '}' : ',' + inner}`;
    }
    case 'top':
      return m.text;
    case 'truncate': {
      const t = JSON.stringify(v) ?? '';
      return t.slice(0, m.cut % Math.max(1, t.length));
    }
  }
}

/** Bodies that are not JSON at all, or JSON that no route wants. */
export const rawBodyArb: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  fc.constantFrom('{', '[', '{"a":1,}', "{'a':1}", 'nul', 'undefined', 'NaN', '{"a":NaN}', '{"a":Infinity}', '\uFEFF{}', '{} {}', '// c\n{}', '{"a":"\\ud800"}', '{"a":"\\u0000"}', '   ', '\n', 'a=1&b=2', '<xml/>', '"\u0000"', '{"text":"a"'),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.uint8Array({ maxLength: 256 }),
  fc.constantFrom(300_000, 262_145).map((n) => `{"text":"${'B'.repeat(n)}"}`),
  fc.constantFrom(100_000, 130_000).map((n) => deepText(n, 'array')),
  fc.constantFrom(40_000).map((n) => deepText(n, 'object')),
);

export interface BodyPlan {
  body?: string | Uint8Array;
  contentType?: string | string[];
  labels: string[];
}

export const contentTypeArb: fc.Arbitrary<string | string[] | undefined> = fc.oneof(
  { weight: 24, arbitrary: fc.constant('application/json') },
  {
    weight: 4,
    arbitrary: fc.constantFrom<string | string[] | undefined>(
      undefined,
      'text/plain',
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'APPLICATION/JSON',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=----fz',
      'application/json-patch+json',
      'application/vnd.api+json',
      'image/png',
      '*/*',
      '',
      'application/json;;;',
      'application/json, text/plain',
      ['application/json', 'text/plain'],
      ['text/plain', 'application/json'],
    ),
  },
);

export function bodyArb(schema: JsonSchema | undefined, hints: Hints): fc.Arbitrary<BodyPlan> {
  if (!schema) {
    return fc.oneof(
      { weight: 14, arbitrary: fc.constant<BodyPlan>({ labels: [] }) },
      { weight: 1, arbitrary: fc.tuple(fc.jsonValue({ maxDepth: 2 }), contentTypeArb).map(([v, ct]): BodyPlan => ({ body: JSON.stringify(v), ...(ct !== undefined ? { contentType: ct } : {}), labels: ['unexpected-body'] })) },
      { weight: 1, arbitrary: fc.tuple(rawBodyArb, contentTypeArb).map(([b, ct]): BodyPlan => ({ body: b, ...(ct !== undefined ? { contentType: ct } : {}), labels: ['unexpected-raw-body'] })) },
    );
  }
  const valid = schemaArb(schema, hints);
  return fc.oneof(
    { weight: 10, arbitrary: fc.tuple(valid, contentTypeArb).map(([v, ct]): BodyPlan => ({ body: JSON.stringify(v) ?? '', ...(ct !== undefined ? { contentType: ct } : {}), labels: ['schema'] })) },
    { weight: 6, arbitrary: fc.tuple(valid, mutationArb, contentTypeArb).map(([v, m, ct]): BodyPlan => ({ body: applyMutation(v, m), ...(ct !== undefined ? { contentType: ct } : {}), labels: [`mutated:${m.kind}`] })) },
    { weight: 2, arbitrary: fc.tuple(rawBodyArb, contentTypeArb).map(([b, ct]): BodyPlan => ({ body: b, ...(ct !== undefined ? { contentType: ct } : {}), labels: ['raw'] })) },
    { weight: 1, arbitrary: fc.constant<BodyPlan>({ labels: ['no-body'] }) },
    { weight: 1, arbitrary: fc.constant<BodyPlan>({ body: '', contentType: 'application/json', labels: ['empty-body'] }) },
  );
}

// ---- Operations -------------------------------------------------------------------------------------------

export type AuthKind = 'public' | 'customer' | 'agent' | 'any' | `scope:${string}`;

export interface QueryParam {
  name: string;
  required: boolean;
  schema: JsonSchema;
}

export interface Operation {
  method: string;
  /** OpenAPI path template, e.g. /v1/conversations/{id}/events. */
  template: string;
  auth: AuthKind;
  body?: JsonSchema;
  query: QueryParam[];
  params: string[];
  /** Not described by a JSON body: uploads, signed reads, the stream, pages. */
  special?: 'upload' | 'media' | 'stream' | 'metrics';
}

export function authOf(op: { security?: unknown[]; description?: string }): AuthKind {
  const d = op.description ?? '';
  const scope = /scope "([^"]+)"/.exec(d)?.[1];
  if (scope) return `scope:${scope}`;
  if (/customer token/.test(d)) return 'customer';
  if (/agent token/.test(d)) return 'agent';
  if (/any token/.test(d)) return 'any';
  if (/public/.test(d) || (Array.isArray(op.security) && op.security.length === 0)) return 'public';
  return 'any';
}

export function operationsFrom(doc: { paths: Record<string, Record<string, any>> }): Operation[] {
  const ops: Operation[] = [];
  for (const [template, methods] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(methods)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(m)) continue;
      const params = (op.parameters ?? []) as { name: string; in: string; required?: boolean; schema?: JsonSchema }[];
      const body = op.requestBody?.content?.['application/json']?.schema as JsonSchema | undefined;
      const special = template === '/v1/media' && m === 'post' ? 'upload' : template === '/v1/media/{id}' ? 'media' : template === '/v1/stream' ? 'stream' : undefined;
      ops.push({
        method: m.toUpperCase(),
        template,
        auth: authOf(op),
        ...(body ? { body } : {}),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, required: Boolean(p.required), schema: p.schema ?? {} })),
        params: params.filter((p) => p.in === 'path').map((p) => p.name),
        ...(special ? { special } : {}),
      });
    }
  }
  // Routes outside the API description: operations, pages and the browser apps' static files.
  const extra: [string, string, AuthKind, Operation['special']?][] = [
    ['GET', '/healthz', 'public'],
    ['GET', '/readyz', 'public'],
    ['GET', '/metrics', 'scope:metrics:read', 'metrics'],
    ['GET', '/openapi.json', 'public'],
    ['GET', '/docs', 'public'],
    ['GET', '/', 'public'],
    ['GET', '/setup', 'public'],
  ];
  for (const [method, template, auth, special] of extra) {
    if (!ops.some((o) => o.method === method && o.template === template)) ops.push({ method, template, auth, query: [], params: [], ...(special ? { special } : {}) });
  }
  return ops;
}

// ---- Requests ----------------------------------------------------------------------------------------------

export interface FuzzRequest {
  /** "METHOD /template" of the operation it was made from. */
  op: string;
  /** The caller: a fixture principal's name, or "custom". */
  as: string;
  method: string;
  /** Path and query exactly as sent (the request line's target). */
  path: string;
  headers: Record<string, string | string[]>;
  body?: string | Uint8Array;
  /** Send the body with Transfer-Encoding: chunked. */
  chunked?: boolean;
  /** A WebSocket upgrade request. */
  upgrade?: boolean;
  /** The only credential is a valid token in the query, on a route that must not read it there. */
  queryTokenOnly?: boolean;
  /** Raw bytes for the socket (a protocol-level malformed request); everything else is ignored. */
  raw?: string;
  labels: string[];
}

function poolForTemplate(template: string): PoolName {
  if (template.startsWith('/v1/offers/')) return 'offer';
  if (template.startsWith('/v1/admin/agents/')) return 'victimAgent';
  if (template.startsWith('/v1/admin/api-keys/')) return 'victimKey';
  if (template.startsWith('/v1/admin/canned-responses/')) return 'canned';
  if (template.startsWith('/v1/admin/deliveries/')) return 'delivery';
  if (template.startsWith('/v1/media/')) return 'media';
  return 'conversation';
}

/** A value from one of the world's pools, read when the value is generated (pools change as the run goes). */
export function poolArb(w: World, pool: PoolName | 'any', except: PoolName[] = []): fc.Arbitrary<string> {
  return fc.nat().map((i) => {
    const all = pool === 'any' ? Object.entries(w.pools).flatMap(([k, v]) => (except.includes(k as PoolName) ? [] : v)) : w.pools[pool];
    return all.length ? all[i % all.length]! : 'none';
  });
}

export const ODD_IDS = [
  '..',
  '.',
  '%2e%2e',
  '%2E%2E%2F%2E%2E',
  '..%2f..%2fetc%2fpasswd',
  '%00',
  'x%00y',
  '%zz',
  '%',
  '%%',
  '%u0041',
  '%c0%ae%c0%ae',
  '%ff%fe',
  '%ed%a0%80',
  '%E2%80%AE',
  'null',
  'undefined',
  '0',
  '-1',
  'NaN',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  '%20',
  '+',
  '*',
  "'",
  '"',
  '<script>',
  ';',
  '$1',
  '{id}',
  ':id',
  '~',
  '\\',
  '%5c',
  '%2F',
  'a/b',
  'a?b=1',
  'a#b',
  '\xe9\xff',
  'conv_' + 'x'.repeat(95),
  'conv_' + 'x'.repeat(96),
];

export function idArb(w: World, pool: PoolName): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 10, arbitrary: poolArb(w, pool).map(enc) },
    // Ids of other kinds; not the fixture agents' own ids where an agent is changed (they would lose their tokens).
    { weight: 2, arbitrary: poolArb(w, 'any', pool === 'victimAgent' ? ['agent'] : []).map(enc) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).map(enc) },
    { weight: 3, arbitrary: fc.constantFrom(...ODD_IDS) },
    { weight: 1, arbitrary: fc.constantFrom(101, 1000, 6000).map((n) => 'a'.repeat(n)) },
  );
}

/** Bytes outside what may appear in a request target are percent-encoded; latin1 bytes are sent raw. */
export function sanitizePath(p: string): string {
  return p.replace(/[^\x21-\xff]/g, (c) => enc(c));
}
const sanitizeHeader = (v: string) => v.replace(/[^\t\x20-\x7e\x80-\xff]/g, '');

const garbageTokenArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'grapheme-ascii', maxLength: 80 }),
  fc.constantFrom('null', 'undefined', 'Bearer', 'eyJ', 'a.b.c', 'eyJhbGciOiJIUzI1NiJ9.e30.', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'pk_', 'pk_000000000000_' + 'a'.repeat(24), 'pk_' + 'f'.repeat(12) + '_' + '-'.repeat(30), '..', '\u00e9\u00ff'),
  fc.constantFrom(9_000, 20_000).map((n) => 'A'.repeat(n)),
);

interface AuthPlan {
  name: PrincipalName | 'garbage';
  style: 'bearer' | 'lower' | 'raw' | 'basic' | 'spaces' | 'empty' | 'query' | 'query-encoded' | 'dup-bad-first' | 'dup-good-first' | 'tab';
  garbage: string;
}

function rightPrincipals(auth: AuthKind): PrincipalName[] {
  switch (auth) {
    case 'public':
      return ['anonymous', 'customer', 'agent'];
    case 'customer':
      return ['customer', 'customer2', 'verified'];
    case 'agent':
      return ['agent', 'admin'];
    case 'any':
      return ['customer', 'agent', 'admin', 'apikey'];
    default:
      return auth === 'scope:metrics:read' ? ['metricsToken', 'apikeyMetrics', 'apikey'] : ['admin', 'apikey', ...(auth === 'scope:offers:write' || auth === 'scope:conversations:read' ? (['apikeyLimited'] as PrincipalName[]) : [])];
  }
}

function authArb(auth: AuthKind): fc.Arbitrary<AuthPlan> {
  return fc.record({
    name: fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom(...rightPrincipals(auth)) },
      { weight: 5, arbitrary: fc.constantFrom(...PRINCIPALS) },
      { weight: 1, arbitrary: fc.constant('garbage' as const) },
    ),
    style: fc.oneof(
      { weight: 30, arbitrary: fc.constant('bearer' as const) },
      { weight: 4, arbitrary: fc.constantFrom('lower' as const, 'raw' as const, 'basic' as const, 'spaces' as const, 'empty' as const, 'query' as const, 'query-encoded' as const, 'dup-bad-first' as const, 'dup-good-first' as const, 'tab' as const) },
    ),
    garbage: garbageTokenArb,
  });
}

const extraHeadersArb: fc.Arbitrary<Record<string, string | string[]>> = fc.oneof(
  { weight: 12, arbitrary: fc.constant({}) },
  {
    weight: 3,
    arbitrary: fc.dictionary(
      fc.constantFrom('x-forwarded-for', 'x-real-ip', 'forwarded', 'origin', 'accept', 'last-event-id', 'range', 'if-none-match', 'if-modified-since', 'accept-encoding', 'content-encoding', 'x-http-method-override', 'cookie', 'expect', 'connection', 'referer', 'user-agent', 'x-request-id', 'accept-language', 'te'),
      fc.oneof(
        fc.constantFrom('1.2.3.4', '1.2.3.4, 10.0.0.1', 'unknown', 'for=1.2.3.4;proto=https', 'https://evil.example', 'null', 'text/html', 'text/event-stream', '*/*', 'application/xml', 'bytes=0-10', 'bytes=-1', 'bytes=999999999-', 'bytes=5-1', 'bytes=a-b', '*', 'gzip, br', 'gzip', 'DELETE', '100-continue', 'close', 'keep-alive', 'trailers', 'a:1,b:x,,:', '\u00e9'),
        fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
      ),
      { maxKeys: 3 },
    ),
  },
);

const queryValueArb = (p: QueryParam, hints: Hints): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 8, arbitrary: schemaArb(p.schema, hints, p.name).map((v) => enc(typeof v === 'string' ? v : JSON.stringify(v) ?? '')) },
    { weight: 2, arbitrary: fc.constantFrom('-1', '1e400', 'NaN', '0x10', '%201', '1.5', '', '%zz', '%', '[]', '9007199254740993', '-0', 'true', '%00', '\xff') },
  );

/** The query string of an operation: its own parameters (valid or not) and odd extras. */
function queryArb(op: Operation, hints: Hints): fc.Arbitrary<{ parts: string[]; sig: 'valid' | 'expired' | 'none' }> {
  // Required parameters are left out now and then; optional ones half of the time.
  const own = op.query.filter((p) => p.name !== 'token').map((p) => fc.option(queryValueArb(p, hints).map((v) => `${enc(p.name)}=${v}`), { freq: p.required ? 12 : 2, nil: undefined }));
  const extras = fc.oneof(
    { weight: 10, arbitrary: fc.constant<string[]>([]) },
    {
      weight: 2,
      arbitrary: fc.array(
        fc.oneof(
          fc.constantFrom('a[b]=1', '__proto__[x]=1', 'constructor[prototype][x]=1', '%zz=1', 'x=%zz', '=', '&', '&&', 'x', 'x=1&x=2', 'after=1&after=2', 'limit=1&limit=x', '%00=%00', 'cursors=%7B%22a%22%3A1%7D', 'cursors=%7B', 'cursors=' + enc(JSON.stringify({ ['x'.repeat(101)]: 1 }))),
          fc.tuple(fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 20 })).map(([k, v]) => `${enc(k)}=${enc(v)}`),
        ),
        { maxLength: 3 },
      ),
    },
  );
  return fc.record({ own: fc.tuple(...own), extras, sig: op.special === 'media' ? fc.constantFrom('valid' as const, 'valid' as const, 'valid' as const, 'expired' as const, 'none' as const) : fc.constant('none' as const) }).map(({ own: o, extras: e, sig }) => ({ parts: [...(o.filter(Boolean) as string[]), ...e], sig }));
}

/** Property names in bodies whose values should often be real ids. */
export function bodyHints(w: World): Hints {
  const ids = (pool: PoolName) => poolArb(w, pool);
  return {
    contactId: ids('contact'),
    toAgentId: ids('agent'),
    toQueueId: ids('queue'),
    mediaId: ids('media'),
    conversationId: ids('conversation'),
    queue: fc.oneof(ids('queueName'), ids('queue')),
    queues: fc.array(fc.oneof(ids('queueName'), ids('queue')), { maxLength: 3 }),
    clientMessageId: fc.constantFrom('c1', 'c2', 'dup'),
    idempotencyKey: fc.constantFrom('k1', 'fz-1'),
    identityToken: fc.nat().map((i) => w.identityTokens[i % Math.max(1, w.identityTokens.length)] ?? 'x'),
    email: fc.constantFrom('fuzz-agent@example.com', 'fuzz-admin@example.com', 'dup@example.com', 'FUZZ-AGENT@EXAMPLE.COM'),
    password: fc.constantFrom('fuzz-agent-password', 'password123'),
    externalId: fc.constantFrom('fuzz-proactive-1', 'fuzz-user-1'),
    channel: fc.constantFrom('web', 'anon', 'sms'),
    shortcut: fc.constantFrom('fz-hello', 'fz-bye'),
    seq: fc.constantFrom(1, 2, 3, 1000),
    after: fc.constantFrom(0, 1, 2),
    // Routed entry points reach the vendor desks (GET /v1/availability asks them; opening goes there); an unknown one falls back to the inbox.
    entryPoint: fc.constantFrom(...Object.values(VENDOR_DESKS).map((d) => d.entryPoint), 'fuzz-no-such-entry'),
  };
}

function buildRequest(op: Operation, w: World, r: { auth: AuthPlan; ids: string[]; query: { parts: string[]; sig: 'valid' | 'expired' | 'none' }; body: BodyPlan; method: string; extra: Record<string, string | string[]>; chunked: boolean; upgrade: boolean }): FuzzRequest {
  let i = 0;
  let path = op.template.replace(/\{[^}]+\}/g, () => r.ids[i++] ?? 'x');
  let parts = [...r.query.parts];
  if (op.special === 'media' && r.query.sig !== 'none') {
    parts = parts.filter((p) => !/^(exp|sig)=/.test(p));
    let id: string;
    try {
      id = decodeURIComponent(r.ids[0] ?? '');
    } catch {
      id = r.ids[0] ?? '';
    }
    parts.unshift(w.mediaQuery(id, r.query.sig === 'valid' ? 600 : -600));
  }
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(r.extra)) headers[k] = Array.isArray(v) ? v.map(sanitizeHeader) : sanitizeHeader(v);
  const token = r.auth.name === 'garbage' ? r.auth.garbage : w.tokens[r.auth.name];
  if (token !== undefined) {
    const t = sanitizeHeader(token);
    switch (r.auth.style) {
      case 'bearer':
        headers.authorization = `Bearer ${t}`;
        break;
      case 'lower':
        headers.authorization = `bearer ${t}`;
        break;
      case 'raw':
        headers.authorization = t;
        break;
      case 'basic':
        headers.authorization = `Basic ${Buffer.from(`${t}:x`).toString('base64')}`;
        break;
      case 'spaces':
        headers.authorization = `  Bearer    ${t}   `;
        break;
      case 'tab':
        headers.authorization = `Bearer\t${t}`;
        break;
      case 'empty':
        headers.authorization = 'Bearer ';
        break;
      case 'query':
        parts.push(`token=${enc(t)}`);
        break;
      case 'query-encoded':
        parts.push(`%74oken=${enc(t)}`);
        break;
      case 'dup-bad-first':
        headers.authorization = [`Bearer ${sanitizeHeader(r.auth.garbage).slice(0, 200)}`, `Bearer ${t}`];
        break;
      case 'dup-good-first':
        headers.authorization = [`Bearer ${t}`, `Bearer ${sanitizeHeader(r.auth.garbage).slice(0, 200)}`];
        break;
    }
  }
  if (r.body.body !== undefined && r.body.contentType !== undefined) headers['content-type'] = r.body.contentType;
  if (r.upgrade) {
    headers.connection = 'Upgrade';
    headers.upgrade = 'websocket';
    headers['sec-websocket-version'] = '13';
    headers['sec-websocket-key'] = 'dGhlIHNhbXBsZSBub25jZQ==';
  }
  if (parts.length) path += `?${parts.join('&')}`;
  return {
    op: `${op.method} ${op.template}`,
    as: r.auth.name,
    method: r.method,
    path: sanitizePath(path),
    headers,
    ...(r.body.body !== undefined ? { body: r.body.body } : {}),
    ...(r.chunked && r.body.body !== undefined ? { chunked: true } : {}),
    ...(r.upgrade ? { upgrade: true } : {}),
    // (Only with the operation's own method: a CORS preflight answers OPTIONS without looking at credentials.)
    ...((r.auth.style === 'query' || r.auth.style === 'query-encoded') && r.auth.name !== 'garbage' && token !== undefined && r.method === op.method && op.auth !== 'public' && op.special !== 'stream' && op.special !== 'metrics' ? { queryTokenOnly: true } : {}),
    labels: [...r.body.labels, ...(r.auth.style !== 'bearer' ? [`auth:${r.auth.style}`] : []), ...(r.method !== op.method ? ['other-method'] : [])],
  };
}

const MAGIC: Record<string, number[]> = {
  'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  'image/jpeg': [0xff, 0xd8, 0xff, 0xe0],
  'image/gif': [...Buffer.from('GIF89a')],
  'image/webp': [...Buffer.from('RIFF'), 0, 0, 0, 0, ...Buffer.from('WEBP')],
  'application/pdf': [...Buffer.from('%PDF-1.4\n')],
};

/** Upload bodies: a real file signature with its type, mismatched types, empty and oversized bodies. */
const uploadBodyArb: fc.Arbitrary<BodyPlan> = fc
  .record({
    kind: fc.constantFrom(...Object.keys(MAGIC)),
    declared: fc.oneof({ weight: 6, arbitrary: fc.constant<string | undefined>(undefined) }, { weight: 3, arbitrary: fc.constantFrom<string | undefined>('image/png', 'image/svg+xml', 'text/html', 'application/json', 'application/octet-stream', 'IMAGE/PNG', 'image/png; charset=utf-8', '', 'image/jpeg, image/png') }),
    tail: fc.uint8Array({ maxLength: 512 }),
    size: fc.oneof({ weight: 12, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constantFrom(-1, 1_048_577, 2_000_000) }),
  })
  .map(({ kind, declared, tail, size }): BodyPlan => {
    const head = MAGIC[kind]!;
    const bytes = size === -1 ? new Uint8Array(0) : size > 0 ? new Uint8Array(size).fill(1) : new Uint8Array([...head, ...tail]);
    if (size > 0) bytes.set(head);
    const ct = declared === undefined ? kind : declared;
    return { body: bytes, ...(ct !== '' ? { contentType: ct } : {}), labels: [`upload:${kind}${declared !== undefined ? `-as-${declared}` : ''}${size ? `-size${size}` : ''}`] };
  });

/** One arbitrary per operation. */
export function operationArb(op: Operation, w: World, hints: Hints): fc.Arbitrary<FuzzRequest> {
  const pool = poolForTemplate(op.template);
  const body = op.special === 'upload' ? fc.oneof({ weight: 6, arbitrary: uploadBodyArb }, { weight: 1, arbitrary: bodyArb(undefined, hints) }) : bodyArb(op.body, hints);
  const otherMethod = fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS');
  return fc
    .record({
      auth: authArb(op.auth),
      // An event id (a redacted message's original) from the event pool; every other id from the route's own.
      ids: fc.tuple(...op.params.map((name) => idArb(w, name === 'eventId' ? 'event' : pool))),
      query: queryArb(op, hints),
      body,
      method: fc.oneof({ weight: 30, arbitrary: fc.constant(op.method) }, { weight: 1, arbitrary: otherMethod }),
      extra: extraHeadersArb,
      chunked: fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      upgrade: op.special === 'stream' ? fc.boolean() : fc.oneof({ weight: 40, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    })
    .map((r) => buildRequest(op, w, r));
}

const STATIC_PATHS = [
  '/console',
  '/console/',
  '/app/',
  '/demo/',
  '/widget.js',
  '/widget.js.map',
  '/favicon.ico',
  '/assets/',
  '/assets/x.js',
  '/../../etc/passwd',
  '/console/../../package.json',
  '/assets/%2e%2e/%2e%2e/package.json',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/console/..%2f..%2fsrc%2fserver.ts',
  '/widget.js%00.png',
  '/app/%ff',
  '/console/%zz',
  '//etc/passwd',
  '/./console/',
  '/console/index.html/..',
  '/console/index.html',
  '/app/index.html%00',
  '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
  '/demo/..\\..\\package.json',
  '/v1',
  '/v1/',
  '/v1//sessions',
  '/v1/sessions/',
  '/V1/SESSIONS',
  '/v1/conversations/',
  '/v1/admin',
  '/v1/stream/x',
  '/openapi.json/..',
  '/healthz?x',
  '/setup?code=' + 'a'.repeat(300),
  '/docs%3F',
  '*',
];

/** Paths that are not operations: static files, traversal attempts, random paths, other methods. */
export function strayRequestArb(w: World): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      path: fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...STATIC_PATHS) },
        { weight: 2, arbitrary: fc.array(fc.string({ unit: 'binary', maxLength: 12 }).map(enc), { minLength: 1, maxLength: 4 }).map((segs) => '/' + segs.join('/')) },
        { weight: 1, arbitrary: fc.array(fc.constantFrom(...ODD_IDS), { minLength: 1, maxLength: 3 }).map((segs) => '/v1/' + segs.join('/')) },
        { weight: 1, arbitrary: fc.constantFrom(3000, 9000).map((n) => '/' + 'p'.repeat(n)) },
      ),
      method: fc.constantFrom('GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'PROPFIND', 'TRACE'),
      auth: authArb('any'),
      extra: extraHeadersArb,
      body: bodyArb(undefined, {}),
      upgrade: fc.oneof({ weight: 10, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    })
    .map((r) => {
      // Stray paths are pages, files or nothing at all: treated as public (a query token there proves nothing).
      const op: Operation = { method: r.method, template: r.path, auth: 'public', query: [], params: [] };
      const req = buildRequest(op, w, { auth: r.auth, ids: [], query: { parts: [], sig: 'none' }, body: r.body, method: r.method, extra: r.extra, chunked: false, upgrade: r.upgrade });
      return { ...req, op: 'stray', labels: [...req.labels, 'stray'] };
    });
}

/** Requests that are broken at the HTTP level (sent on a raw socket). */
export const rawRequestArb: fc.Arbitrary<FuzzRequest> = fc
  .constantFrom(
    'GET /v1/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    'GET /v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\r\nAuthorization: Bearer b\r\nConnection: close\r\n\r\n',
    'GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: x\r\nConnection: close\r\n\r\n',
    'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\nConnection: close\r\n\r\n',
    'GET /healthz HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n',
    'GET  /healthz  HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    'FOO /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    'GET /healthz\r\n\r\n',
    'POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{}',
    'POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\nConnection: close\r\n\r\n',
    'POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\nConnection: close\r\n\r\n',
    'POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n',
    'POST /v1/sessions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
    'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ' + 'a'.repeat(20_000) + '\r\nConnection: close\r\n\r\n',
    'GET /' + 'a'.repeat(20_000) + ' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Nul: a\u0000b\r\nConnection: close\r\n\r\n',
    'GET /v1/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: x\r\n\r\n',
    'GET /v1/stream HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 99\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
    '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03',
    'GET /healthz HTTP/1.1\nHost: x\nConnection: close\n\n',
  )
  .map((raw) => ({ op: 'raw', as: 'custom', method: raw.split(' ')[0] ?? '?', path: raw.split(' ')[1] ?? '', headers: {}, raw, labels: ['raw-http'] }));

// ---- Stream frames -----------------------------------------------------------------------------------------

export interface FrameCase {
  as: 'customer' | 'agent' | 'admin';
  data: string | Uint8Array;
  binary: boolean;
  labels: string[];
}

/** The inbound frames of GET /v1/stream (src/realtime/routes.ts), as JSON Schema. */
export function frameSchemas(sendMessage: JsonSchema | undefined): JsonSchema[] {
  const ref = { type: 'string', maxLength: 100 };
  const conv = { type: 'string', minLength: 1 };
  return [
    { type: 'object', properties: { type: { const: 'ping' }, ref }, required: ['type'] },
    { type: 'object', properties: { ...(sendMessage?.properties ?? {}), type: { const: 'message' }, conversationId: conv, ref }, required: ['type', 'conversationId', ...(sendMessage?.required ?? ['clientMessageId'])] },
    { type: 'object', properties: { type: { const: 'typing' }, conversationId: conv, typing: { type: 'boolean' }, ref }, required: ['type', 'conversationId', 'typing'] },
    { type: 'object', properties: { type: { const: 'read' }, conversationId: conv, seq: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER }, ref }, required: ['type', 'conversationId', 'seq'] },
    { type: 'object', properties: { type: { const: 'watch' }, conversationId: { type: 'string', minLength: 1, maxLength: 100 }, after: { type: 'integer', minimum: 0 }, ref }, required: ['type', 'conversationId'] },
  ];
}

export function frameArb(schemas: JsonSchema[], hints: Hints): fc.Arbitrary<FrameCase> {
  const shaped = fc.oneof(...schemas.map((s) => schemaArb(s, hints)));
  const frameHints: Hints = { ...hints, ref: fc.oneof(fc.string({ maxLength: 8 }).map((s) => `r-${s}`), fc.constantFrom(undefined, 5, null, 'x'.repeat(101))) };
  const shapedWithRef = fc.oneof(...schemas.map((s) => schemaArb(s, frameHints)));
  const data = fc.oneof(
    { weight: 10, arbitrary: shapedWithRef.map((v) => ({ data: JSON.stringify(v) ?? '', binary: false, labels: ['schema'] })) },
    { weight: 6, arbitrary: fc.tuple(shaped, mutationArb).map(([v, m]) => ({ data: applyMutation(v, m), binary: false, labels: [`mutated:${m.kind}`] })) },
    { weight: 2, arbitrary: rawBodyArb.map((b) => ({ data: b, binary: typeof b !== 'string', labels: ['raw'] })) },
    // Not UTF-8 in a text frame: a protocol error, the server must close with 1007 (and nothing worse).
    { weight: 1, arbitrary: fc.constantFrom(new Uint8Array([0xff, 0xfe, 0x7b]), new Uint8Array([0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x7d])).map((b) => ({ data: b, binary: false, labels: ['invalid-utf8-text'] })) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 128 }).map((b) => ({ data: b, binary: true, labels: ['binary'] })) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => ({ data: JSON.stringify(v) ?? 'null', binary: false, labels: ['json'] })) },
    { weight: 1, arbitrary: fc.constantFrom('{"type":"__proto__"}', '{"type":"constructor"}', '{"type":"toString","ref":"r"}', '{"type":"message","conversationId":{"$gt":""},"clientMessageId":"x","text":"x"}', '{"type":"ping","ref":"\\ud800"}', '').map((d) => ({ data: d, binary: false, labels: ['odd'] })) },
  );
  return fc.record({ as: fc.constantFrom('customer' as const, 'agent' as const, 'admin' as const), frame: data }).map(({ as, frame }) => ({ as, ...frame }));
}
