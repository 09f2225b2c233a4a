import { createHmac, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { applyMutation, contentTypeArb, mutationArb, NASTY_STRINGS, rawBodyArb, type FuzzRequest } from './fuzz-arbitraries.js';
import { isErrorShape, type HttpResult, type Problem } from './fuzz-harness.js';
import { VENDOR_DESKS, type FuzzServer, type VendorDesk } from './fuzz-server.js';
import type { World } from './fuzz-world.js';
import { hasNul, urlHasNul } from '../../src/core/json.js';

// Fuzz targets for the vendor webhooks (/webhooks/<type>/<instance>, docs/security.md "Vendor webhooks").
// They are not in /openapi.json, so each one is an entry of WEBHOOK_TARGETS: its path, how the vendor signs,
// and arbitraries for every payload type the vendor sends. Everything else is shared: forged and unsigned
// requests, signed but malformed bodies, other methods and paths, and concurrent duplicates. The next vendor
// (Connect SNS, Twilio, Messenger, LivePerson) adds a desk to VENDOR_DESKS (fuzz-server.ts) and an entry here.
//
// What each case must get back (besides the suite's usual checks: no 5xx, no error log line, no stderr,
// every 4xx in the catalogue's error shape, no secret in a log line):
// - signed and well-formed: 2xx — or 503 PARLEY_E_UNAVAILABLE when it links to an attachment at an http URL
//   (unreachable now: the adapter's cue for the vendor to retry);
// - unsigned or forged: 401 PARLEY_E_WEBHOOK_SIGNATURE;
// - signed but malformed: 2xx (ignored) or a 4xx;
// - another method or path: 404.

// ---- Signatures -------------------------------------------------------------------------------------------------

type Headers = Record<string, string | string[]>;

/** How a vendor signs a webhook: the headers for some raw bytes, and variants that must (not) verify. */
export interface SignatureScheme {
  sign(raw: Buffer): Headers;
  /** Other spellings of a genuine signature the vendor's verifier accepts (encoding variants, prefix case). */
  genuine(raw: Buffer): fc.Arbitrary<{ headers: Headers; label: string }>;
  /** Header sets that must not verify for these bytes: none, another secret, other bytes, broken formats. */
  forged(raw: Buffer): fc.Arbitrary<{ headers: Headers; label: string }>;
}

/** HMAC-SHA256 of the raw body in one header, `<prefix><digest>` (Genesys; Meta's X-Hub-Signature-256 with hex). */
export function hmacSha256Scheme(o: { header: string; prefix: string; encoding: 'base64' | 'hex'; secret: () => string }): SignatureScheme {
  const digest = (raw: Buffer | string, secret = o.secret(), encoding: 'base64' | 'hex' = o.encoding) => createHmac('sha256', secret).update(raw).digest(encoding);
  const h = (value: string | string[]): Headers => ({ [o.header]: value });
  return {
    sign: (raw) => h(o.prefix + digest(raw)),
    genuine: (raw) => {
      const d = digest(raw);
      const variants: { headers: Headers; label: string }[] = [
        { headers: h(o.prefix + d), label: 'signed' },
        { headers: h(o.prefix.toUpperCase() + d), label: 'signed, prefix upper-case' },
        { headers: h(` ${o.prefix}${d} `), label: 'signed, padded' },
        { headers: h(d), label: 'signed, no prefix' },
      ];
      if (o.encoding === 'base64') {
        variants.push({ headers: h(o.prefix + d.replace(/=+$/, '')), label: 'signed, unpadded base64' });
        variants.push({ headers: h(o.prefix + d.replace(/\+/g, '-').replace(/\//g, '_')), label: 'signed, url-safe base64' });
      }
      return fc.oneof({ weight: 6, arbitrary: fc.constant(variants[0]!) }, { weight: 1, arbitrary: fc.constantFrom(...variants.slice(1)) });
    },
    forged: (raw) => {
      const d = digest(raw);
      const other = o.encoding === 'base64' ? 'hex' : 'base64';
      return fc.oneof(
        fc.constantFrom<{ headers: Headers; label: string }>(
          { headers: {}, label: 'unsigned' },
          { headers: h(''), label: 'empty signature' },
          { headers: h(o.prefix), label: 'prefix only' },
          { headers: h(o.prefix + digest(raw, 'not-the-webhook-secret')), label: 'another secret' },
          { headers: h(o.prefix + digest(Buffer.concat([raw, Buffer.from(' ')]))), label: 'signature of other bytes' },
          { headers: h(o.prefix + digest(raw, o.secret(), other)), label: `right digest, ${other}` },
          { headers: h(`sha1=${d}`), label: 'wrong prefix' },
          { headers: h(`sha256:${d}`), label: 'wrong separator' },
          { headers: h(o.prefix + d.slice(0, -2)), label: 'truncated' },
          { headers: h(o.prefix + d + 'A'), label: 'one character more' },
          { headers: h(o.prefix + Buffer.from(d).toString('base64')), label: 'encoded twice' },
          { headers: h([o.prefix + d, o.prefix + d]), label: 'duplicated header (same value)' },
          { headers: h([o.prefix + digest(raw, 'not-the-webhook-secret'), o.prefix + d]), label: 'duplicated header (forged first)' },
          { headers: h(`${o.prefix}${d}, ${o.prefix}${d}`), label: 'two signatures in one header' },
          { headers: { [`${o.header}-x`]: o.prefix + d }, label: 'signature in another header' },
          { headers: { authorization: `Bearer ${d}` }, label: 'signature as a bearer token' },
        ),
        fc.string({ unit: 'grapheme-ascii', maxLength: 80 }).map((s) => ({ headers: h(o.prefix + s.replace(/[^\x20-\x7e]/g, '')), label: 'random signature' })),
      );
    },
  };
}

// ---- The scene: conversations on each vendor desk -------------------------------------------------------------

export interface SceneConversation {
  id: string;
  contactId: string;
  /** The customer's token: reads its events (the duplicate check). */
  token: string;
  /** The customer's message event ids (receipts name them). */
  events: string[];
  /** Vendor conversation ids already used for it. */
  vendorIds: string[];
  /** Events read up to this seq (the duplicate check reads only what is new). */
  seen: number;
}

export interface WebhookScene {
  server: FuzzServer;
  world: World;
  desk: VendorDesk;
  conversations: SceneConversation[];
  /** Vendor message ids already sent once: payloads reuse them (vendor retries). */
  messageIds: string[];
}

const SCENE_SIZE = 3;

async function openConversation(world: World, desk: VendorDesk, n: number): Promise<SceneConversation> {
  const s = await world.req('POST', '/v1/sessions');
  if (s.status !== 201) throw new Error(`webhook scene: POST /v1/sessions → ${s.status}`);
  const token = s.body.token as string;
  const c = await world.req('POST', '/v1/conversations', token, { entryPoint: VENDOR_DESKS[desk].entryPoint });
  if (c.status !== 201) throw new Error(`webhook scene: open a ${desk} conversation → ${c.status} ${JSON.stringify(c.body).slice(0, 300)}`);
  const id = c.body.conversation.id as string;
  if (c.body.conversation.desk !== undefined && c.body.conversation.desk !== desk) throw new Error(`webhook scene: the conversation went to ${c.body.conversation.desk}, not ${desk}`);
  const m = await world.req('POST', `/v1/conversations/${id}/messages`, token, { clientMessageId: `scene-${n}`, text: 'Hello from the webhook scene' });
  return { id, contactId: s.body.contact.id as string, token, events: m.status === 201 && m.body.event?.id ? [m.body.event.id as string] : [], vendorIds: [randomUUID()], seen: 0 };
}

/** Customers with an open conversation on `desk` (a route by entry point), for the payloads to name. */
export async function buildScene(server: FuzzServer, world: World, desk: VendorDesk): Promise<WebhookScene> {
  const conversations: SceneConversation[] = [];
  for (let i = 0; i < SCENE_SIZE; i++) conversations.push(await openConversation(world, desk, i));
  return { server, world, desk, conversations, messageIds: [] };
}

/** Reopen what ended (nothing in the webhook should end one, but the other suites may). */
export async function refreshScene(scene: WebhookScene): Promise<void> {
  for (const [i, c] of scene.conversations.entries()) {
    const r = await scene.world.req('GET', `/v1/conversations/${c.id}`, c.token);
    if (r.status === 200 && r.body.conversation?.phase !== 'ended') continue;
    scene.conversations[i] = await openConversation(scene.world, scene.desk, i);
  }
}

/** The messages stored in `c` since the last look, with their text. */
export async function newMessages(scene: WebhookScene, c: SceneConversation): Promise<{ id: string; text: string }[]> {
  const out: { id: string; text: string }[] = [];
  for (;;) {
    const r = await scene.world.req('GET', `/v1/conversations/${c.id}/events?after=${c.seen}&limit=1000`, c.token);
    if (r.status !== 200) throw new Error(`webhook scene: events of ${c.id} → ${r.status}`);
    const events = r.body.events as { id: string; seq: number; kind: string; parts?: { type: string; text?: string }[] }[];
    for (const e of events) {
      c.seen = Math.max(c.seen, e.seq);
      if (e.kind === 'message') out.push({ id: e.id, text: (e.parts ?? []).map((p) => p.text ?? '').join(' ') });
    }
    if (events.length < 1000) return out;
  }
}

// ---- Cases -----------------------------------------------------------------------------------------------------

export type WebhookExpect = 'accepted' | 'refused' | 'handled' | 'not-found';

export interface WebhookCase {
  target: string;
  req: FuzzRequest;
  expect: WebhookExpect;
  /** It links to an attachment at an http URL: 503 PARLEY_E_UNAVAILABLE (vendor, retry) is a right answer too. */
  mayRetry: boolean;
}

export interface Payload {
  body: unknown;
  labels: string[];
  mayRetry: boolean;
}

export interface WebhookTarget {
  /** `<type>/<instance>`: how reports and the summary name it. */
  name: string;
  desk: VendorDesk;
  method: 'GET' | 'POST';
  path: string;
  scheme: (server: FuzzServer) => SignatureScheme;
  /** Well-formed payloads of every type the vendor sends, about the scene's conversations or unknown ones. */
  payloads(scene: WebhookScene): fc.Arbitrary<Payload>;
  /** One agent text message with this vendor id and text, for `c`: the duplicate check stores it once. */
  message(scene: WebhookScene, c: SceneConversation, id: string, text: string): unknown;
}

const OTHER_METHODS = ['GET', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'PROPFIND'];

/** Paths next to a target's that no webhook serves. */
function strayPaths(t: WebhookTarget): string[] {
  const [, , type, instance] = t.path.split('/');
  return [
    `/webhooks/${type}/${instance}-x`,
    `/webhooks/${type}/${instance!.toUpperCase()}`,
    `/webhooks/${type}/unknown`,
    `/webhooks/${type}/inbox`,
    `/webhooks/${type}`,
    `/webhooks/${type}/${instance}/extra`,
    `/webhooks/unknown/${instance}`,
    `/webhooks/inbox/inbox`,
    `/webhooks/web/web`,
    `/webhooks/${type}/%2e%2e`,
    `/webhooks/${type}/${instance}%00`,
    `/webhooks/${type}/..%2f${instance}`,
    '/webhooks/',
    '/webhooks',
  ];
}

const request = (t: WebhookTarget, method: string, path: string, headers: Headers, body: string | Uint8Array | undefined, labels: string[]): FuzzRequest => ({
  op: `${t.method} ${t.path}`,
  as: 'vendor',
  method,
  path,
  headers,
  ...(body !== undefined ? { body } : {}),
  labels: [t.name, ...labels],
});

const bytes = (b: string | Uint8Array) => (typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b));

/** Every kind of request a webhook target gets, each with what it must answer. */
export function webhookCaseArb(t: WebhookTarget, scene: WebhookScene): fc.Arbitrary<WebhookCase> {
  const scheme = t.scheme(scene.server);
  const json = { 'content-type': 'application/json' };
  const mk = (req: FuzzRequest, expect: WebhookExpect, mayRetry = false): WebhookCase => ({ target: t.name, req, expect, mayRetry });
  const payloads = t.payloads(scene);
  // A malformed body: a mutated payload, bytes that are no JSON, nothing at all.
  // A mutated payload may still link to its attachments (mayRetry).
  const malformed = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(payloads, mutationArb).map(([p, m]) => ({ body: applyMutation(p.body, m) as string | Uint8Array, label: `mutated:${m.kind}`, mayRetry: p.mayRetry })) },
    { weight: 2, arbitrary: rawBodyArb.map((b) => ({ body: b, label: 'raw', mayRetry: false })) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...['', 'null', '[]', '{}', '{"id":"x"}', '{"id":"x","channel":{},"type":"Text"}'].map((body) => ({ body, label: `body ${JSON.stringify(body)}`, mayRetry: false }))),
    },
  );

  return fc.oneof(
    {
      weight: 10,
      arbitrary: payloads.chain((p) => {
        const raw = Buffer.from(JSON.stringify(p.body));
        return scheme.genuine(raw).map((s) => mk(request(t, t.method, t.path, { ...json, ...s.headers }, raw.toString('utf8'), [...p.labels, s.label]), 'accepted', p.mayRetry));
      }),
    },
    {
      // Signed over the exact bytes, but not a payload (or sent as another content type).
      weight: 4,
      arbitrary: fc.tuple(malformed, contentTypeArb).map(([m, ct]) => {
        const raw = bytes(m.body);
        return mk(request(t, t.method, t.path, { ...(ct !== undefined ? { 'content-type': ct } : {}), ...scheme.sign(raw) }, m.body, ['signed', m.label, `content-type ${JSON.stringify(ct)}`]), 'handled', m.mayRetry);
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(payloads, contentTypeArb).map(([p, ct]) => {
        const raw = JSON.stringify(p.body);
        return mk(request(t, t.method, t.path, { ...(ct !== undefined ? { 'content-type': ct } : {}), ...scheme.sign(bytes(raw)) }, raw, ['signed', ...p.labels, `content-type ${JSON.stringify(ct)}`]), 'handled', p.mayRetry);
      }),
    },
    {
      weight: 5,
      arbitrary: fc.oneof({ weight: 3, arbitrary: payloads.map((p) => ({ body: JSON.stringify(p.body) as string | Uint8Array, labels: p.labels })) }, { weight: 1, arbitrary: malformed.map((m) => ({ body: m.body, labels: [m.label] })) }).chain((b) =>
        scheme.forged(bytes(b.body)).map((f) => mk(request(t, t.method, t.path, { ...json, ...f.headers }, b.body, [f.label, ...b.labels]), 'refused')),
      ),
    },
    {
      // Another method on the webhook's path, signed or not: no route.
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom(...OTHER_METHODS), payloads, fc.boolean()).map(([method, p, signed]) => {
        const raw = JSON.stringify(p.body);
        const withBody = method !== 'GET' && method !== 'HEAD';
        return mk(request(t, method, t.path, { ...(withBody ? json : {}), ...(signed ? scheme.sign(bytes(raw)) : {}) }, withBody ? raw : undefined, [`method ${method}`, signed ? 'signed' : 'unsigned']), 'not-found');
      }),
    },
    {
      // A genuine, signed payload at a path no webhook serves: an unknown instance or type.
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom(...strayPaths(t)), payloads).map(([path, p]) => {
        const raw = JSON.stringify(p.body);
        return mk(request(t, t.method, path, { ...json, ...scheme.sign(bytes(raw)) }, raw, ['stray path', ...p.labels]), 'not-found');
      }),
    },
  );
}

/** Concurrent copies of one signed payload (a vendor retrying before the first answer): stored once. */
export interface DuplicateCase {
  target: string;
  conversation: number;
  id: string;
  /** In the stored message's text (which is the payload's own, however odd): how the check finds it. */
  marker: string;
  copies: number;
  req: FuzzRequest;
}

export function duplicateArb(t: WebhookTarget, scene: WebhookScene): fc.Arbitrary<DuplicateCase> {
  const scheme = t.scheme(scene.server);
  // Texts Parley stores (U+0000 is refused at the door: the duplicate check needs one stored message).
  const storable = (s: string) => s.trim() !== '' && !hasNul(s);
  const textArb = fc.oneof(fc.string({ minLength: 1, maxLength: 40 }).filter(storable), fc.constantFrom(...NASTY_STRINGS.filter(storable)));
  return fc.record({ conversation: fc.nat({ max: SCENE_SIZE - 1 }), text: textArb, n: fc.nat() }).map(({ conversation, text, n }) => {
    // A fresh id and a marker, so the one stored message can be found again among everything else.
    const id = randomUUID();
    const marker = `dup-${id.slice(0, 8)}`;
    const raw = JSON.stringify(t.message(scene, scene.conversations[conversation]!, id, `${marker} ${text}`));
    return {
      target: t.name,
      conversation,
      id,
      marker,
      copies: 5,
      req: request(t, t.method, t.path, { 'content-type': 'application/json', ...scheme.sign(bytes(raw)) }, raw, ['duplicate', `#${n % 1000}`]),
    };
  });
}

/** What a webhook answer must be, beyond the checks every answer gets (checkHttp). */
export function checkWebhook(c: WebhookCase, res: HttpResult, bodyLimit: number): Problem[] {
  if (res.status === 0) return [];
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    body = undefined;
  }
  const code = (body as { error?: { code?: string } } | undefined)?.error?.code;
  const got = `${res.status}${code ? ' ' + code : ''}`;
  const wrong = (what: string): Problem[] => [{ signature: `expect|${c.target}|${c.expect}|${got}`, kind: 'expectation', detail: `${what}; got ${got}: ${res.body.slice(0, 300)}` }];
  const retry = c.mayRetry && res.status === 503 && code === 'PARLEY_E_UNAVAILABLE';
  // Over the server's body limit nothing is read, the signature included: 413 (or 415 first, for a
  // content type nothing reads), whatever the rest.
  const size = c.req.body === undefined ? 0 : typeof c.req.body === 'string' ? Buffer.byteLength(c.req.body) : c.req.body.length;
  if (size > bodyLimit && c.expect !== 'not-found') return res.status === 413 || res.status === 415 ? [] : wrong(`a body over the limit (${size} bytes) must be refused unread (413)`);
  // U+0000 is refused at every door (src/core/json.ts): in a URL as 400, in a JSON string or key as 422, before
  // any route or signature check, whatever the case expected.
  if (urlHasNul(c.req.path) && res.status === 400 && code === 'PARLEY_E_BAD_REQUEST') return [];
  if (code === 'PARLEY_E_VALIDATION' && res.status === 422 && c.req.body !== undefined && bodyHasNul(c.req.body)) return [];
  switch (c.expect) {
    case 'accepted':
      return (res.status >= 200 && res.status < 300) || retry ? [] : wrong('a signed, well-formed payload must be accepted (2xx)');
    case 'refused':
      return res.status === 401 && code === 'PARLEY_E_WEBHOOK_SIGNATURE' ? [] : wrong('an unsigned or forged webhook must be 401 PARLEY_E_WEBHOOK_SIGNATURE');
    case 'handled':
      return (res.status >= 200 && res.status < 300) || (res.status >= 400 && res.status < 500 && isErrorShape(body)) || retry ? [] : wrong('a signed, malformed payload must be ignored (2xx) or refused (4xx)');
    case 'not-found':
      // HEAD has no body to carry the code; OPTIONS is CORS's (204) when it is not a browser's preflight.
      if (c.req.method === 'HEAD') return res.status === 404 ? [] : wrong('no webhook there');
      if (c.req.method === 'OPTIONS') return res.status === 204 || res.status === 404 ? [] : wrong('no webhook there');
      return res.status === 404 ? [] : wrong('no webhook there: 404');
  }
}

/** Whether a JSON body would decode to U+0000 somewhere (the `\u0000` escape; a raw NUL is not JSON). */
function bodyHasNul(body: string | Uint8Array): boolean {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  return text.includes('\\u0000') || hasNul(text);
}

/** The 5xx checkHttp reports that this case is allowed (the vendor-retry answer), so it is not a finding. */
export const allowedRetry = (c: WebhookCase, p: Problem): boolean => c.mayRetry && p.kind === 'status-5xx' && /\|503 PARLEY_E_UNAVAILABLE$/.test(p.signature);

// ---- Genesys Cloud (Open Messaging outbound webhook, src/desks/genesys/webhook.ts) ------------------------------

/** Text Genesys agents send, including what only looks like JSON and the blueprint's decorated QR message. */
const genesysText = fc.oneof(
  { weight: 6, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 2, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  {
    weight: 2,
    arbitrary: fc.oneof(fc.string({ minLength: 1, maxLength: 100 }), fc.constantFrom('', ' ', 'x'.repeat(2001))).map((t) => JSON.stringify({ gcDecoratedMessage: { gcMessageType: 'qrCode', gcMessageText: t } })),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '{"gcDecoratedMessage":{"gcMessageType":"other","gcMessageText":"x"}}',
      '{"gcDecoratedMessage":1}',
      '{"gcDecoratedMessage":{"gcMessageType":"qrCode"}}',
      '{"gcDecoratedMessage":{"gcMessageType":"qrCode","gcMessageText":"x"},"extra":[1,2]}',
      '{"gcDecoratedMessage"',
      '{"a":1}',
      '[1,2,3]',
      '"quoted"',
      'null',
      '{}',
      ' {"gcDecoratedMessage":{"gcMessageType":"qrCode","gcMessageText":"padded"}} ',
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(19_999, 20_000).map((n) => 'T'.repeat(n)) },
);

/** Ids: Genesys's are UUIDs; some repeat (retries), some are odd. */
const genesysId = (reused: () => string[]) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: fc.nat().map((i) => reused()[i % Math.max(1, reused().length)] ?? 'reused') },
    { weight: 1, arbitrary: fc.constantFrom(...NASTY_STRINGS.filter((s) => s.length > 0), 'i'.repeat(500)) },
  );

export function genesysTarget(instance: VendorDesk): WebhookTarget {
  const name = `genesys/${instance}`;
  const path = `/webhooks/genesys/${instance}`;
  return {
    name,
    desk: instance,
    method: 'POST',
    path,
    scheme: (server) => hmacSha256Scheme({ header: 'x-hub-signature-256', prefix: 'sha256=', encoding: 'base64', secret: () => server.webhookSecrets[instance] }),

    message: (_scene, c, id, text) => ({
      id,
      channel: { platform: 'Open', type: 'Private', messageId: id, to: { id: c.contactId, idType: 'Opaque' }, from: { id: 'agent-dup', idType: 'Opaque', nickname: 'Duplicate Dora' }, time: new Date().toISOString() },
      type: 'Text',
      text,
      direction: 'Outbound',
      originatingEntity: 'Human',
      conversationId: c.vendorIds[0],
    }),

    payloads(scene) {
      const conv = fc.nat().map((i) => scene.conversations[i % scene.conversations.length]!);
      const id = genesysId(() => scene.messageIds);
      // Who it is about: a scene customer with that conversation's Genesys id (or none, or a new one: the
      // first payload links it), an inbox customer, or nobody known. A scene conversation's own Genesys id
      // is never sent with another customer, so the duplicate check knows where its message lands.
      const about = fc.oneof(
        {
          weight: 6,
          arbitrary: fc.tuple(conv, fc.constantFrom('own', 'own', 'none', 'new')).map(([c, g]) => ({ to: { id: c.contactId, idType: 'Opaque' } as Record<string, unknown>, gcId: g === 'own' ? c.vendorIds[0] : g === 'new' ? randomUUID() : undefined })),
        },
        { weight: 1, arbitrary: fc.nat().map((i) => ({ to: { id: scene.world.pools.contact[i % Math.max(1, scene.world.pools.contact.length)] ?? 'ct_none' }, gcId: randomUUID() as string | undefined })) },
        { weight: 1, arbitrary: fc.tuple(fc.oneof(fc.uuid(), fc.constantFrom(...NASTY_STRINGS.filter((s) => s.length > 0))), fc.option(fc.uuid(), { nil: undefined })).map(([x, gcId]) => ({ to: { id: x, idType: 'Email' }, gcId })) },
      );
      const from = fc.record({ id: fc.oneof(fc.uuid(), fc.constantFrom('agent-1', 'bot')), idType: fc.constant('Opaque'), nickname: fc.oneof(fc.constantFrom('Gina', '', '<b>Agent</b>', 'n'.repeat(500)), fc.string({ maxLength: 20 })) }, { requiredKeys: ['id'] });
      /** `channel` and `conversationId`, the part every payload type shares. */
      const envelope = fc.record({ about, from, time: fc.constantFrom(new Date().toISOString(), 'yesterday', '') }).map(({ about: a, ...c }) => ({
        channel: { platform: 'Open', type: 'Private', to: a.to, ...c } as Record<string, unknown>,
        ...(a.gcId !== undefined ? { conversationId: a.gcId } : {}),
      }));
      // Where attachments live: a closed port, Parley itself (found or not), schemes Parley never fetches.
      const url = fc.constantFrom(
        { url: 'http://127.0.0.1:9/file.png', http: true },
        { url: 'http://localhost:9/a%20b.pdf', http: true },
        { url: 'http://[::1]:9/x', http: true },
        { url: `${scene.server.url}/healthz`, http: true },
        { url: `${scene.server.url}/no-such-file.png`, http: true },
        { url: `${scene.server.url}/v1/media/md_nope?exp=1&sig=x`, http: true },
        { url: 'http://user:secret@127.0.0.1:9/', http: true },
        { url: 'ftp://127.0.0.1/file', http: false },
        { url: 'file:///etc/passwd', http: false },
        { url: 'data:text/plain;base64,aGk=', http: false },
        { url: 'javascript:alert(1)', http: false },
        { url: `mailto:x@example.com`, http: false },
      );
      const attachment = fc
        .record(
          {
            u: url,
            mediaType: fc.constantFrom('Image', 'Video', 'File', 'Audio', 'Bogus'),
            mime: fc.constantFrom('image/png', 'image/svg+xml', 'text/html', 'application/pdf', '', 'x/'.repeat(50)),
            filename: fc.oneof(fc.constantFrom('a.png', '../../etc/passwd', '', 'f'.repeat(500)), fc.string({ maxLength: 20 })),
            text: fc.string({ maxLength: 40 }),
            id: fc.uuid(),
          },
          { requiredKeys: ['u'] },
        )
        .map(({ u, ...a }) => ({ value: { contentType: 'Attachment', attachment: { url: u.url, ...a } }, http: u.http }));
      const choice = fc.record({ text: fc.oneof(fc.constantFrom('Yes', 'No', ''), fc.string({ maxLength: 30 })), payload: fc.string({ maxLength: 30 }) }, { requiredKeys: ['text'] });
      const structuredItem = fc.oneof(
        choice.map((q) => ({ contentType: 'QuickReply', quickReply: q })),
        choice.map((b) => ({ contentType: 'ButtonResponse', buttonResponse: b })),
        fc
          .record(
            { title: fc.string({ maxLength: 40 }), description: fc.string({ maxLength: 80 }), actions: fc.array(fc.record({ type: fc.constantFrom('Link', 'Postback', 'Bogus'), text: fc.string({ maxLength: 20 }), url: fc.constantFrom('https://example.com', 'javascript:alert(1)'), payload: fc.string({ maxLength: 20 }) }, { requiredKeys: [] }), { maxLength: 4 }) },
            { requiredKeys: [] },
          )
          .map((card) => ({ contentType: 'Card', card })),
        fc.constant({ contentType: 'Unknown', whatever: { x: 1 } }),
      );
      const message = (type: 'Text' | 'Structured') =>
        fc
          .record({
            id,
            env: envelope,
            text: fc.option(genesysText, { nil: undefined, freq: type === 'Text' ? 8 : 2 }),
            attachments: fc.array(attachment, { maxLength: type === 'Text' ? 2 : 1 }),
            structured: fc.array(structuredItem, { maxLength: type === 'Structured' ? 5 : 1 }),
            direction: fc.constantFrom('Outbound', 'Outbound', 'Outbound', 'Inbound', undefined),
            originatingEntity: fc.constantFrom('Human', 'Human', 'Bot', 'Unknown', undefined),
          })
          .map(({ attachments, structured, env, ...m }): Payload => {
            const content = [...attachments.map((a) => a.value), ...structured];
            const body = { ...m, ...env, type, ...(content.length ? { content } : {}) };
            return { body, labels: [type, `${attachments.length} attachment(s)`, `${structured.length} structured`], mayRetry: attachments.some((a) => a.http) };
          });
      const typing = fc
        .record({
          id,
          env: envelope,
          events: fc.array(
            fc.oneof(
              fc.record({ eventType: fc.constant('Typing'), typing: fc.record({ type: fc.constantFrom('On', 'Off', 'Bogus'), duration: fc.oneof(fc.constant(5000), fc.integer()) }, { requiredKeys: [] }) }, { requiredKeys: ['eventType'] }),
              fc.record({ eventType: fc.constantFrom('Presence', 'Bogus', '') }),
            ),
            { maxLength: 3 },
          ),
        })
        .map(({ env, ...e }): Payload => ({ body: { ...e, ...env, type: 'Event', direction: 'Outbound' }, labels: ['Event', e.events.map((x) => x.eventType).join('+') || 'no events'], mayRetry: false }));
      // A receipt for a customer message: found by Genesys's id (unknown here) or by the Parley event id it echoes.
      const messageId = fc.oneof(
        conv.map((c) => c.events[0] ?? 'ev_none'),
        fc.nat().map((i) => scene.world.pools.event[i % Math.max(1, scene.world.pools.event.length)] ?? 'ev_none'),
        fc.uuid(),
        fc.constantFrom(...NASTY_STRINGS),
      );
      const receipt = fc
        .record({
          id,
          messageId,
          env: envelope,
          status: fc.constantFrom('Sent', 'Delivered', 'Failed', 'Published', 'Removed', 'Read', 'Bogus', undefined),
          reasons: fc.option(fc.array(fc.record({ code: fc.constantFrom('MessageExpired', 'GeneralError', ''), message: fc.string({ maxLength: 60 }) }, { requiredKeys: [] }), { maxLength: 2 }), { nil: undefined }),
          isFinalReceipt: fc.option(fc.boolean(), { nil: undefined }),
        })
        .map(({ messageId: mid, env, ...r }): Payload => ({ body: { ...r, ...env, channel: { ...env.channel, messageId: mid }, type: 'Receipt', direction: 'Outbound' }, labels: ['Receipt', String(r.status)], mayRetry: false }));
      // Types Parley does not handle (acknowledged and ignored), and the handled ones spelt differently.
      const other = fc
        .record({ id, env: envelope, type: fc.constantFrom('Unknown', 'text', 'TEXT', 'receipt', 'Event ', 'x'.repeat(50)), text: fc.option(genesysText, { nil: undefined }) })
        .map(({ env, ...o }): Payload => ({ body: { ...o, ...env }, labels: ['type', o.type], mayRetry: false }));
      return fc
        .oneof({ weight: 5, arbitrary: message('Text') }, { weight: 2, arbitrary: message('Structured') }, { weight: 2, arbitrary: typing }, { weight: 3, arbitrary: receipt }, { weight: 1, arbitrary: other })
        .map((p) => {
          // Remember the ids sent, so later payloads can repeat them like a vendor retry.
          const pid = (p.body as { id?: unknown }).id;
          if (typeof pid === 'string' && scene.messageIds.length < 50 && !scene.messageIds.includes(pid)) scene.messageIds.push(pid);
          return p;
        });
    },
  };
}

/** Every webhook the fuzz server serves: one entry per vendor desk instance in VENDOR_DESKS. */
export const WEBHOOK_TARGETS: Record<VendorDesk, WebhookTarget> = {
  gc: genesysTarget('gc'),
};
