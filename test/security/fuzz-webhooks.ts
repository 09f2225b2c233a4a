import { createHmac, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { applyMutation, contentTypeArb, mutationArb, NASTY_STRINGS, rawBodyArb, type FuzzRequest } from './fuzz-arbitraries.js';
import { isErrorShape, type HttpResult, type Problem } from './fuzz-harness.js';
import { VENDOR_DESKS, type FuzzServer, type VendorChannel, type VendorDesk } from './fuzz-server.js';
import type { World } from './fuzz-world.js';
import { hasNul, urlHasNul } from '../../src/core/json.js';

// Fuzz targets for the vendor webhooks (/webhooks/<type>/<instance>, docs/security.md "Vendor webhooks").
// They are not in /openapi.json, so each one is an entry of WEBHOOK_TARGETS (fuzz-webhook-targets.ts): its
// path, how the vendor signs, how it refuses a forgery, arbitraries for every payload type the vendor sends,
// and — where it can tell — how a duplicate is found stored once. Everything else is shared: forged and
// unsigned requests, signed but malformed bodies, other methods and paths, and concurrent duplicates. A new
// vendor adds its instance to VENDOR_DESKS or VENDOR_CHANNELS (fuzz-server.ts) and a target.
//
// What each case must get back (besides the suite's usual checks: no 5xx, no error log line, no stderr,
// every 4xx in the catalogue's error shape, no secret in a log line):
// - signed and well-formed: 2xx — or 503 PARLEY_E_UNAVAILABLE when it needs something a retry may fix (an
//   attachment at an http URL, an SNS SubscribeURL that did not answer): the adapter's cue for the vendor
//   to retry;
// - unsigned or forged: the target's refusal (401 PARLEY_E_WEBHOOK_SIGNATURE; SNS: 403 PARLEY_E_WEBHOOK_FORGED);
// - signed but malformed: 2xx (ignored) or a 4xx;
// - another method or path: 404.

// ---- Signatures -------------------------------------------------------------------------------------------------

export type Headers = Record<string, string | string[]>;

/**
 * What a scheme signs: a payload (its body, and `meta` the scheme reads: Twilio's query, SNS's envelope
 * facts), or bytes that are no payload at all (signed as far as the scheme can sign anything).
 */
export type Content = { payload: Payload } | { raw: string | Uint8Array };

/** A request as the vendor (or a forger) sends it: the body, its headers, and a query signed with the URL. */
export interface Signed {
  body: string | Uint8Array;
  headers: Headers;
  /** Appended to the webhook's path (Twilio signs the URL with the query Parley gave its status callbacks). */
  query?: string;
  label: string;
}

/**
 * How a vendor signs a webhook: the whole request for a content. A header over the raw bytes (Genesys,
 * `headerScheme`), a header over the URL and the form parameters (Twilio), or a signature inside the body
 * (Amazon SNS, fuzz-sns.ts).
 */
export interface SignatureScheme {
  /** The request the vendor sends. */
  sign(c: Content): Signed;
  /** Other genuine spellings the vendor's verifier accepts (encodings, signature versions, layouts). */
  genuine(p: Payload): fc.Arbitrary<Signed>;
  /** Requests that must not verify: unsigned, another secret or key, changed after signing, broken formats. */
  forged(c: Content): fc.Arbitrary<Signed>;
}

/** A scheme that signs fixed bytes with headers: the headers for some raw bytes, and variants that must (not) verify. */
export interface HeaderScheme {
  sign(raw: Buffer): Headers;
  /** Other spellings of a genuine signature the vendor's verifier accepts (encoding variants, prefix case). */
  genuine(raw: Buffer): fc.Arbitrary<{ headers: Headers; label: string }>;
  /** Header sets that must not verify for these bytes: none, another secret, other bytes, broken formats. */
  forged(raw: Buffer): fc.Arbitrary<{ headers: Headers; label: string }>;
}

const bytes = (b: string | Uint8Array) => (typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b));

/** A header scheme over a JSON body: the payload's JSON is the signed bytes. */
export function headerScheme(h: HeaderScheme): SignatureScheme {
  const json = { 'content-type': 'application/json' };
  const raw = (c: Content): string | Uint8Array => ('payload' in c ? JSON.stringify(c.payload.body) : c.raw);
  return {
    sign: (c) => {
      const body = raw(c);
      return { body, headers: { ...json, ...h.sign(bytes(body)) }, label: 'signed' };
    },
    genuine: (p) => {
      const body = JSON.stringify(p.body);
      return h.genuine(bytes(body)).map((s) => ({ body, headers: { ...json, ...s.headers }, label: s.label }));
    },
    forged: (c) => {
      const body = raw(c);
      return h.forged(bytes(body)).map((s) => ({ body, headers: { ...json, ...s.headers }, label: s.label }));
    },
  };
}

/** HMAC-SHA256 of the raw body in one header, `<prefix><digest>` (Genesys; Meta's X-Hub-Signature-256 with hex). */
export function hmacSha256Scheme(o: { header: string; prefix: string; encoding: 'base64' | 'hex'; secret: () => string }): HeaderScheme {
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

// ---- The scene: conversations on each vendor desk, phone numbers on each vendor channel -------------------------

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
  target: WebhookTarget;
  /** Desk targets: web customers with an open conversation on the desk. */
  conversations: SceneConversation[];
  /** Channel targets: the customers' phone numbers (each message from one lands in its open conversation). */
  phones: string[];
  /** Vendor message ids already sent once: payloads reuse them (vendor retries). */
  messageIds: string[];
  /** Channel targets: conversations already looked at, by id → the phone number of their customer. */
  phoneOf: Map<string, string>;
  /** Agent messages to the scene's customers (prepared by the target): what receipts and status callbacks name. */
  agentEvents: string[];
}

export const SCENE_SIZE = 3;

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

/** A phone number no other target or scene uses (`+1 555 01xx xxxx`, a fictional range). */
export const phoneNumber = (target: string, n: number): string => `+155501${String([...target].reduce((a, ch) => a + ch.charCodeAt(0), 0) % 100).padStart(2, '0')}${String(n % 10_000).padStart(4, '0')}`;

/** Desk targets: customers with an open conversation on the desk (a route by entry point). Channel targets: phone numbers. */
export async function buildScene(server: FuzzServer, world: World, target: WebhookTarget): Promise<WebhookScene> {
  const scene: WebhookScene = { server, world, target, conversations: [], phones: [], messageIds: [], phoneOf: new Map(), agentEvents: [] };
  for (let i = 0; i < SCENE_SIZE; i++) {
    if (target.desk !== undefined) {
      const c = await openConversation(world, target.desk, i);
      await target.opened?.(scene, c);
      scene.conversations.push(c);
    } else scene.phones.push(phoneNumber(target.name, i));
  }
  await target.prepare?.(scene);
  return scene;
}

/** Reopen what ended (nothing in the webhook should end one, but the other suites may). */
export async function refreshScene(scene: WebhookScene): Promise<void> {
  const desk = scene.target.desk;
  if (desk === undefined) return; // a phone's next message opens a new conversation by itself
  for (const [i, c] of scene.conversations.entries()) {
    const r = await scene.world.req('GET', `/v1/conversations/${c.id}`, c.token);
    if (r.status === 200 && r.body.conversation?.phase !== 'ended') continue;
    const fresh = await openConversation(scene.world, desk, i);
    await scene.target.opened?.(scene, fresh);
    scene.conversations[i] = fresh;
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

/**
 * Channel targets: the conversations (open or not, among those the admin lists) of the customer with this
 * phone number on the target's channel, read through the agent API as an admin. `namespace`: the identity
 * the channel names its customers in (`phone`; Messenger: `messenger:<pageId>`, the id then a PSID).
 */
export async function conversationsOfPhone(scene: WebhookScene, phone: string, namespace = 'phone'): Promise<string[]> {
  const { world } = scene;
  const list = await world.req('GET', '/v1/agent/conversations?scope=all', world.tokens.admin);
  if (list.status !== 200) throw new Error(`webhook scene: list conversations → ${list.status}`);
  const out: string[] = [];
  for (const c of list.body.conversations as { id: string; channel: string }[]) {
    if (c.channel !== scene.target.channel) continue;
    let of = scene.phoneOf.get(c.id);
    if (of === undefined) {
      const r = await world.req('GET', `/v1/agent/conversations/${c.id}`, world.tokens.admin);
      if (r.status !== 200) continue;
      of = ((r.body.conversation.identities ?? []) as { channel: string; externalId: string }[]).find((i) => i.channel === namespace)?.externalId ?? '';
      scene.phoneOf.set(c.id, of);
    }
    if (of === phone) out.push(c.id);
  }
  return out;
}

/**
 * Channel targets: a customer texts in (the target's signed `payload`, sent as the vendor would), an admin
 * takes the conversation and replies; the reply's event id is kept in `scene.agentEvents`.
 */
export async function agentReply(scene: WebhookScene, phone: string, payload: Payload, namespace = 'phone'): Promise<void> {
  const { server, world, target } = scene;
  const s = target.scheme(server).sign({ payload });
  const r = await fetch(`${server.url}${target.path}${s.query ? `?${s.query}` : ''}`, { method: target.method, headers: Object.fromEntries(Object.entries(s.headers).map(([k, v]) => [k, String(v)])), body: typeof s.body === 'string' ? s.body : Buffer.from(s.body) });
  if (r.status >= 300) throw new Error(`webhook scene: ${target.name} inbound text → ${r.status} ${(await r.text()).slice(0, 300)}`);
  await r.arrayBuffer();
  const [id] = await conversationsOfPhone(scene, phone, namespace);
  if (!id) throw new Error(`webhook scene: no ${target.name} conversation for ${phone}`);
  const admin = world.tokens.admin;
  await world.req('POST', `/v1/agent/conversations/${id}/accept`, admin);
  const m = await world.req('POST', `/v1/agent/conversations/${id}/messages`, admin, { clientMessageId: `scene-reply-${randomUUID()}`, text: 'An agent reply from the webhook scene' });
  if (m.status !== 201) throw new Error(`webhook scene: agent reply on ${id} → ${m.status} ${JSON.stringify(m.body).slice(0, 300)}`);
  scene.agentEvents.push(m.body.event.id as string);
}

/** Channel targets: the stored messages containing `marker` in the conversations of `phone`. */
export async function storedFromPhone(scene: WebhookScene, phone: string, marker: string, namespace = 'phone'): Promise<number> {
  let n = 0;
  for (const id of await conversationsOfPhone(scene, phone, namespace)) {
    const r = await scene.world.req('GET', `/v1/agent/conversations/${id}/events?after=0&limit=1000`, scene.world.tokens.admin);
    if (r.status !== 200) throw new Error(`webhook scene: events of ${id} → ${r.status}`);
    for (const e of r.body.events as { kind: string; parts?: { text?: string }[] }[]) if (e.kind === 'message' && (e.parts ?? []).some((p) => p.text?.includes(marker))) n++;
  }
  return n;
}

// ---- Cases -----------------------------------------------------------------------------------------------------

export type WebhookExpect = 'accepted' | 'refused' | 'handled' | 'not-found' | 'echo';

/** How a target refuses an unsigned or forged request. */
export interface Refusal {
  status: 401 | 403;
  code: 'PARLEY_E_WEBHOOK_SIGNATURE' | 'PARLEY_E_WEBHOOK_FORGED';
}
export const SIGNATURE_REFUSAL: Refusal = { status: 401, code: 'PARLEY_E_WEBHOOK_SIGNATURE' };
export const FORGED_REFUSAL: Refusal = { status: 403, code: 'PARLEY_E_WEBHOOK_FORGED' };

export interface WebhookCase {
  target: string;
  req: FuzzRequest;
  expect: WebhookExpect;
  refusal: Refusal;
  /** It needs something a retry may fix (an http attachment, a SubscribeURL): 503 PARLEY_E_UNAVAILABLE is a right answer too. */
  mayRetry: boolean;
  /**
   * `echo` cases (a subscription handshake, Meta's GET): a 200 must have exactly `body` as its whole body, as
   * text/plain; `required`: it must be that 200; otherwise 403 PARLEY_E_WEBHOOK_FORGED is the other right
   * answer. Without `echo` the only right answer is that 403.
   */
  echo?: { body: string; required: boolean };
}

export interface Payload {
  body: unknown;
  /** What the scheme reads besides the body: Twilio's `query`, SNS's envelope facts (SnsMeta). */
  meta?: Record<string, unknown>;
  labels: string[];
  mayRetry: boolean;
}

/** One burst of duplicates: its payload, and how to count the stored messages containing a marker afterwards. */
export interface DuplicatePlan {
  payload: Payload;
  /** Before the burst (what is already stored is not counted). */
  before(): Promise<void>;
  /** Absent where nothing readable is stored (the burst must still be all 2xx). */
  stored?(marker: string): Promise<number>;
}

export interface WebhookTarget {
  /** `<type>/<instance>`: how reports and the summary name it. */
  name: string;
  /** The instance: a desk (its scene is web customers routed to it) or a channel (its scene is phone numbers). */
  desk?: VendorDesk;
  channel?: VendorChannel;
  method: 'GET' | 'POST';
  path: string;
  refusal: Refusal;
  scheme: (server: FuzzServer) => SignatureScheme;
  /** Well-formed payloads of every type the vendor sends, about the scene's conversations or unknown ones. */
  payloads(scene: WebhookScene): fc.Arbitrary<Payload>;
  /**
   * Desk targets: a scene conversation was just opened (the scene built, or one reopened after it ended). For
   * a desk that never reaches its vendor here, so never learns the vendor's id for it (LivePerson), this ties
   * `c.vendorIds[0]` to it as the desk would have.
   */
  opened?(scene: WebhookScene, c: SceneConversation): Promise<void>;
  /** Set the scene up further once built (a channel target: an agent's reply for status callbacks to name). */
  prepare?(scene: WebhookScene): Promise<void>;
  /**
   * One message with vendor id `id` whose stored text contains `text`, sent several times at once, must be
   * answered 2xx each time and stored once. Where the target cannot link a message to a conversation it can
   * read (a desk whose vendor session never opens against a closed vendor host), the plan has no `stored`.
   */
  duplicate?(scene: WebhookScene, pick: number, id: string, text: string): DuplicatePlan;
  /** Other methods routed at the same path (Meta's GET handshake): left out of the "no such route" cases. */
  alsoRouted?: readonly string[];
  /** Cases of the target's own besides the shared ones (Meta's GET handshake), with their weight. */
  extraCases?(scene: WebhookScene): { weight: number; arbitrary: fc.Arbitrary<WebhookCase> };
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

const request = (t: WebhookTarget, method: string, path: string, s: Pick<Signed, 'headers' | 'query'>, body: string | Uint8Array | undefined, labels: string[]): FuzzRequest => ({
  op: `${t.method} ${t.path}`,
  as: 'vendor',
  method,
  path: s.query ? `${path}?${s.query}` : path,
  headers: s.headers,
  ...(body !== undefined ? { body } : {}),
  labels: [t.name, ...labels],
});

/** The headers with another content type (none when `ct` is undefined). */
function withContentType(h: Headers, ct: string | string[] | undefined): Headers {
  const out = Object.fromEntries(Object.entries(h).filter(([k]) => k.toLowerCase() !== 'content-type'));
  return ct !== undefined ? { ...out, 'content-type': ct } : out;
}

/** Every kind of request a webhook target gets, each with what it must answer. */
export function webhookCaseArb(t: WebhookTarget, scene: WebhookScene): fc.Arbitrary<WebhookCase> {
  const scheme = t.scheme(scene.server);
  const mk = (req: FuzzRequest, expect: WebhookExpect, mayRetry = false): WebhookCase => ({ target: t.name, req, expect, refusal: t.refusal, mayRetry });
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

  // A method with a route of its own at the path (and HEAD, which Fastify answers with a GET route) is no stray.
  const otherMethods = OTHER_METHODS.filter((m) => !t.alsoRouted?.includes(m) && !(m === 'HEAD' && t.alsoRouted?.includes('GET')));
  return fc.oneof(
    ...(t.extraCases ? [t.extraCases(scene)] : []),
    {
      weight: 10,
      arbitrary: payloads.chain((p) => scheme.genuine(p).map((s) => mk(request(t, t.method, t.path, s, s.body, [...p.labels, s.label]), 'accepted', p.mayRetry))),
    },
    {
      // Signed as the vendor would sign it, but not a payload (or sent as another content type).
      weight: 4,
      arbitrary: fc.tuple(malformed, contentTypeArb, fc.boolean()).map(([m, ct, keepCt]) => {
        const s = scheme.sign({ raw: m.body });
        return mk(request(t, t.method, t.path, { ...s, headers: keepCt ? s.headers : withContentType(s.headers, ct) }, s.body, ['signed', m.label, keepCt ? 'its content type' : `content-type ${JSON.stringify(ct)}`]), 'handled', m.mayRetry);
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(payloads, contentTypeArb).map(([p, ct]) => {
        const s = scheme.sign({ payload: p });
        return mk(request(t, t.method, t.path, { ...s, headers: withContentType(s.headers, ct) }, s.body, ['signed', ...p.labels, `content-type ${JSON.stringify(ct)}`]), 'handled', p.mayRetry);
      }),
    },
    {
      weight: 5,
      arbitrary: fc
        .oneof({ weight: 3, arbitrary: payloads.map((p): { c: Content; labels: string[] } => ({ c: { payload: p }, labels: p.labels })) }, { weight: 1, arbitrary: malformed.map((m): { c: Content; labels: string[] } => ({ c: { raw: m.body }, labels: [m.label] })) })
        .chain((b) => scheme.forged(b.c).map((f) => mk(request(t, t.method, t.path, f, f.body, [f.label, ...b.labels]), 'refused'))),
    },
    {
      // Another method on the webhook's path, signed or not: no route.
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom(...otherMethods), payloads, fc.boolean()).map(([method, p, signed]) => {
        const s = scheme.sign({ payload: p });
        const withBody = method !== 'GET' && method !== 'HEAD';
        const headers = signed ? s.headers : Object.fromEntries(Object.entries(s.headers).filter(([k]) => k === 'content-type'));
        return mk(request(t, method, t.path, { ...s, headers: withBody ? headers : withContentType(headers, undefined) }, withBody ? s.body : undefined, [`method ${method}`, signed ? 'signed' : 'unsigned']), 'not-found');
      }),
    },
    {
      // A genuine, signed payload at a path no webhook serves: an unknown instance or type.
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom(...strayPaths(t)), payloads).map(([path, p]) => {
        const s = scheme.sign({ payload: p });
        return mk(request(t, t.method, path, s, s.body, ['stray path', ...p.labels]), 'not-found');
      }),
    },
  );
}

/** Concurrent copies of one signed payload (a vendor retrying before the first answer): stored once. */
export interface DuplicateCase {
  target: string;
  id: string;
  /** In the stored message's text (which is the payload's own, however odd): how the check finds it. */
  marker: string;
  copies: number;
  req: FuzzRequest;
  plan: DuplicatePlan;
}

/** Duplicate bursts for a target that can state where its messages are stored (undefined for the others). */
export function duplicateArb(t: WebhookTarget, scene: WebhookScene): fc.Arbitrary<DuplicateCase> | undefined {
  const duplicate = t.duplicate;
  if (!duplicate) return undefined;
  const scheme = t.scheme(scene.server);
  // Texts Parley stores (U+0000 is refused at the door: the duplicate check needs one stored message).
  const storable = (s: string) => s.trim() !== '' && !hasNul(s);
  const textArb = fc.oneof(fc.string({ minLength: 1, maxLength: 40 }).filter(storable), fc.constantFrom(...NASTY_STRINGS.filter(storable)));
  return fc.record({ pick: fc.nat({ max: SCENE_SIZE - 1 }), text: textArb, n: fc.nat() }).map(({ pick, text, n }) => {
    // A fresh id and a marker, so the one stored message can be found again among everything else.
    const id = randomUUID();
    const marker = `dup-${id.slice(0, 8)}`;
    const plan = duplicate.call(t, scene, pick, id, `${marker} ${text}`);
    const s = scheme.sign({ payload: plan.payload });
    return { target: t.name, id, marker, copies: 5, plan, req: request(t, t.method, t.path, s, s.body, ['duplicate', `#${n % 1000}`]) };
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
  // (HEAD's answer has no body to carry the code.)
  if (urlHasNul(c.req.path) && res.status === 400 && (code === 'PARLEY_E_BAD_REQUEST' || c.req.method === 'HEAD')) return [];
  if (code === 'PARLEY_E_VALIDATION' && res.status === 422 && c.req.body !== undefined && bodyHasNul(c.req.body)) return [];
  switch (c.expect) {
    case 'accepted':
      return (res.status >= 200 && res.status < 300) || retry ? [] : wrong('a signed, well-formed payload must be accepted (2xx)');
    case 'refused':
      return res.status === c.refusal.status && code === c.refusal.code ? [] : wrong(`an unsigned or forged webhook must be ${c.refusal.status} ${c.refusal.code}`);
    case 'handled':
      return (res.status >= 200 && res.status < 300) || (res.status >= 400 && res.status < 500 && isErrorShape(body)) || retry ? [] : wrong('a signed, malformed payload must be ignored (2xx) or refused (4xx)');
    case 'echo': {
      // HEAD: Fastify answers it with the GET route, without the body.
      const head = c.req.method === 'HEAD';
      // A request line over Node's header limit is refused before any route (431), or by the router (414).
      if ((res.status === 431 || res.status === 414) && c.req.path.length > 8_000) return [];
      if (res.status === 200) {
        if (!c.echo) return wrong('a handshake without the right verify token (or a sane challenge) must be 403 PARLEY_E_WEBHOOK_FORGED, never 200');
        if (head) return [];
        const ct = String(res.headers['content-type'] ?? '');
        if (res.body !== c.echo.body) return wrong(`a handshake must echo exactly the challenge ${JSON.stringify(c.echo.body.slice(0, 80))} (${c.echo.body.length} chars)`);
        return ct.startsWith('text/plain') ? [] : wrong(`the echoed challenge must be text/plain, not ${JSON.stringify(ct)}`);
      }
      if (res.status === 403 && (code === 'PARLEY_E_WEBHOOK_FORGED' || head)) return c.echo?.required ? wrong('a genuine handshake (the right token, a challenge as Meta sends it) must be answered 200 with the challenge') : [];
      return wrong(c.echo?.required ? 'a genuine handshake must be 200 with the challenge' : 'a handshake must be 200 with the exact challenge or 403 PARLEY_E_WEBHOOK_FORGED');
    }
    case 'not-found':
      // HEAD has no body to carry the code; OPTIONS is CORS's (204) when it is not a browser's preflight.
      if (c.req.method === 'HEAD') return res.status === 404 ? [] : wrong('no webhook there');
      if (c.req.method === 'OPTIONS') return res.status === 204 || res.status === 404 ? [] : wrong('no webhook there');
      return res.status === 404 ? [] : wrong('no webhook there: 404');
  }
}

/** Whether a body would decode to U+0000 somewhere (JSON's `\u0000` escape, also inside SNS's Message; a form's `%00`; a raw NUL). */
function bodyHasNul(body: string | Uint8Array): boolean {
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  return text.includes('\\u0000') || hasNul(text) || /%00/i.test(text);
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
    refusal: SIGNATURE_REFUSAL,
    scheme: (server) => headerScheme(hmacSha256Scheme({ header: 'x-hub-signature-256', prefix: 'sha256=', encoding: 'base64', secret: () => server.webhookSecrets.gc })),

    duplicate(scene, pick, id, text) {
      const c = scene.conversations[pick % scene.conversations.length]!;
      const body = {
        id,
        channel: { platform: 'Open', type: 'Private', messageId: id, to: { id: c.contactId, idType: 'Opaque' }, from: { id: 'agent-dup', idType: 'Opaque', nickname: 'Duplicate Dora' }, time: new Date().toISOString() },
        type: 'Text',
        text,
        direction: 'Outbound',
        originatingEntity: 'Human',
        conversationId: c.vendorIds[0],
      };
      return {
        payload: { body, labels: ['Text'], mayRetry: false },
        before: async () => void (await newMessages(scene, c)),
        stored: async (marker) => (await newMessages(scene, c)).filter((m) => m.text.includes(marker)).length,
      };
    },

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
