import { createHash, createHmac, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { applyMutation, enc, mutationArb, NASTY_STRINGS } from './fuzz-arbitraries.js';
import { VENDOR_CHANNELS, type FuzzServer, type VendorChannel } from './fuzz-server.js';
import { agentReply, FORGED_REFUSAL, phoneNumber, SIGNATURE_REFUSAL, storedFromPhone, type Content, type Headers, type Payload, type SignatureScheme, type Signed, type WebhookCase, type WebhookScene, type WebhookTarget } from './fuzz-webhooks.js';

// Fuzz targets for Meta's two channels (src/channels/messenger, src/channels/whatsapp; the shared rules in
// src/vendor/meta-webhook.ts): each instance has TWO routes at /webhooks/<type>/<instance>, the GET
// subscription handshake and the POST of events.
//
// - POST: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(App Secret, raw body)>` over the bytes as sent. Meta
//   serialises with non-ASCII as \uXXXX and `/` as `\/`, so the genuine bodies here are written that way
//   (and as plain JSON.stringify, pretty-printed…): whatever the bytes, the signature is over them. Meta
//   also sends the legacy `X-Hub-Signature: sha1=<hex>`, which alone opens nothing.
// - GET: `?hub.mode=subscribe&hub.verify_token=<token>&hub.challenge=<digits>` → 200 with exactly the
//   challenge as text/plain; anything else → 403 PARLEY_E_WEBHOOK_FORGED, never a 5xx, never a 200 that
//   echoes something for a wrong token.
//
// Payloads are written from Meta's documented shapes (vendor-protocols §5.3, §7), not from the adapters'
// zod schemas: batches of entries and items, every event type, another Page / WABA / phone number, ids
// repeated (retries) and odd. Malformed bodies (wrong types, missing fields, huge values) come from the
// shared mutations (fuzz-webhooks.ts). Media never leaves the machine: the Graph API is a closed port
// (WhatsApp media ids resolve there), Messenger attachment URLs are a closed port or the fuzz server itself.

// ---- Meta's signature ---------------------------------------------------------------------------------------------

/** JSON as Meta writes it: non-ASCII escaped as \uXXXX (lone surrogates included), `/` as `\/`. */
export function metaJson(v: unknown): string {
  return (JSON.stringify(v) ?? 'null').replace(/\//g, '\\/').replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const hmac = (alg: 'sha256' | 'sha1', key: string, body: Buffer, encoding: 'hex' | 'base64' = 'hex') => createHmac(alg, key).update(body).digest(encoding);
const buf = (b: string | Uint8Array) => (typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b));

/** Other JSON bytes for the same content (a re-serialisation), guaranteed to differ from `body`. */
function reserialised(body: string | Uint8Array): string {
  const text = buf(body).toString('utf8');
  try {
    const v = JSON.parse(text) as unknown;
    for (const alt of [JSON.stringify(v), JSON.stringify(v, null, 2), metaJson(v)]) if (alt !== undefined && alt !== text) return alt;
  } catch {
    // Not JSON, or nested too deep to write again: other bytes all the same.
  }
  return `${text}\n`;
}

export interface MetaKeys {
  /** The App Secrets Parley holds (the first signs; the second is the rotation's next). */
  secrets: () => readonly string[];
  /** Values a forger might key the HMAC with instead: the verify token, the App ID. */
  decoys: () => readonly string[];
}

/** Meta's webhook signature (Messenger, WhatsApp): the whole request for a payload, as Meta sends it. */
export function metaScheme(k: MetaKeys): SignatureScheme {
  const base = { 'content-type': 'application/json', 'user-agent': 'facebookexternalua' };
  const sha256 = (raw: Buffer, key = k.secrets()[0]!) => `sha256=${hmac('sha256', key, raw)}`;
  const sha1 = (raw: Buffer, key = k.secrets()[0]!) => `sha1=${hmac('sha1', key, raw)}`;
  /** Both headers, as Meta sends them. */
  const both = (raw: Buffer): Headers => ({ 'x-hub-signature': sha1(raw), 'x-hub-signature-256': sha256(raw) });
  const req = (body: string | Uint8Array, headers: Headers, label: string): Signed => ({ body, headers: { ...base, ...headers }, label });
  const bodyOf = (c: Content) => ('payload' in c ? metaJson(c.payload.body) : c.raw);
  return {
    sign: (c) => {
      const body = bodyOf(c);
      return req(body, both(buf(body)), 'signed');
    },
    genuine: (p) => {
      const meta = metaJson(p.body);
      const raw = buf(meta);
      const hex = hmac('sha256', k.secrets()[0]!, raw);
      const variants: (() => Signed)[] = [
        () => req(meta, both(raw), 'signed'),
        () => req(meta, { 'x-hub-signature-256': sha256(raw) }, 'signed, X-Hub-Signature-256 only'),
        () => req(meta, { 'x-hub-signature': sha1(raw, k.secrets()[1]!), 'x-hub-signature-256': sha256(raw, k.secrets()[1]!) }, 'signed with the next App Secret (rotation)'),
        () => req(meta, { 'x-hub-signature-256': `SHA256=${hex}` }, 'signed, prefix upper-case'),
        () => req(meta, { 'x-hub-signature-256': `sha256=${hex.toUpperCase()}` }, 'signed, hex upper-case'),
        () => req(meta, { 'x-hub-signature-256': ` sha256=${hex} ` }, 'signed, padded'),
        () => req(meta, { 'x-hub-signature-256': hex }, 'signed, no prefix'),
        () => req(meta, { ...both(raw), 'x-hub-signature': 'sha1=0000' }, 'signed, a broken legacy SHA-1 header beside it'),
        () => ({ ...req(meta, both(raw), 'signed, charset'), headers: { ...base, 'content-type': 'application/json; charset=utf-8', ...both(raw) } }),
        () => {
          const plain = JSON.stringify(p.body);
          return req(plain, both(buf(plain)), 'signed, plain JSON (unicode unescaped)');
        },
        () => {
          const pretty = JSON.stringify(p.body, null, 2);
          return req(pretty, both(buf(pretty)), 'signed, pretty-printed');
        },
      ];
      return fc.oneof({ weight: 8, arbitrary: fc.constant(variants[0]!) }, { weight: 4, arbitrary: fc.constantFrom(...variants.slice(1)) }).map((f) => f());
    },
    forged: (c) => {
      const body = bodyOf(c);
      const raw = buf(body);
      const hex = hmac('sha256', k.secrets()[0]!, raw);
      const other = reserialised(body);
      // The bytes changed after signing: one character more, or the first one changed.
      const changed = raw.length ? Buffer.concat([Buffer.from([raw[0]! ^ 1]), raw.subarray(1)]) : Buffer.from(' ');
      const variants: (() => Signed)[] = [
        () => ({ body, headers: base, label: 'unsigned' }),
        () => req(body, { 'x-hub-signature-256': '' }, 'empty signature'),
        () => req(body, { 'x-hub-signature-256': 'sha256=' }, 'prefix only'),
        () => req(body, { 'x-hub-signature': sha1(raw) }, 'the legacy SHA-1 header only (right)'),
        () => req(body, { 'x-hub-signature': sha1(raw), 'x-hub-signature-256': sha256(raw, 'not-the-app-secret') }, 'right SHA-1, forged SHA-256'),
        () => req(body, { 'x-hub-signature-256': `sha256=${hmac('sha1', k.secrets()[0]!, raw)}` }, 'an HMAC-SHA1 under the sha256= prefix'),
        () => req(body, { 'x-hub-signature-256': sha256(raw, 'not-the-app-secret') }, 'another App Secret'),
        () => req(body, { 'x-hub-signature-256': sha256(raw, '') }, 'an empty key'),
        ...k.decoys().map((d) => () => req(body, { 'x-hub-signature-256': sha256(raw, d) }, 'keyed with a public value (verify token, App ID)')),
        () => req(body, { 'x-hub-signature-256': `sha256=${createHash('sha256').update(raw).digest('hex')}` }, 'a plain SHA-256 of the body'),
        () => req(Buffer.concat([raw, Buffer.from(' ')]), both(raw), 'a byte added after signing'),
        () => req(changed, both(raw), 'a byte changed after signing'),
        () => req(body, both(Buffer.concat([raw, Buffer.from('\n')])), 'signature of other bytes'),
        () => req(body, { 'x-hub-signature-256': sha256(buf(other)) }, 'signature of the re-serialised JSON'),
        () => req(body, { 'x-hub-signature-256': `sha256=${hmac('sha256', k.secrets()[0]!, raw, 'base64')}` }, 'right digest in base64'),
        () => req(body, { 'x-hub-signature-256': `sha256=${hex.slice(0, -2)}` }, 'truncated'),
        () => req(body, { 'x-hub-signature-256': `sha256=${hex}0` }, 'one hex digit more'),
        () => req(body, { 'x-hub-signature-256': `sha256=${hex.slice(0, -1)}g` }, 'a non-hex digit'),
        () => req(body, { 'x-hub-signature-256': `sha256=${hex.slice(0, 32)}` }, 'half the digest'),
        () => req(body, { 'x-hub-signature-256': `sha256:${hex}` }, 'wrong separator'),
        () => req(body, { 'x-hub-signature-256': `sha1=${hex}` }, 'wrong prefix'),
        () => req(body, { 'x-hub-signature-256': `sha256=sha256=${hex}` }, 'prefix twice'),
        () => req(body, { 'x-hub-signature-256': [`sha256=${hex}`, `sha256=${hex}`] }, 'duplicated header (same value)'),
        () => req(body, { 'x-hub-signature-256': [sha256(raw, 'not-the-app-secret'), `sha256=${hex}`] }, 'duplicated header (forged first)'),
        () => req(body, { 'x-hub-signature-256': `sha256=${hex}, sha256=${hex}` }, 'two signatures in one header'),
        () => req(body, { 'x-hub-signature-256-x': `sha256=${hex}` }, 'signature in another header'),
        () => req(body, { authorization: `Bearer ${hex}` }, 'signature as a bearer token'),
        () => req(body, { 'x-hub-signature-256': `sha256=${Buffer.from(hex).toString('base64')}` }, 'encoded twice'),
      ];
      return fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...variants).map((f) => f()) },
        { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 80 }).map((s) => req(body, { 'x-hub-signature-256': `sha256=${s.replace(/[^\x20-\x7e]/g, '')}` }, 'random signature')) },
        { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }).map((s) => req(body, { 'x-hub-signature-256': `sha256=${s}` }, 'random hex digest')) },
      );
    },
  };
}

// ---- The GET handshake -------------------------------------------------------------------------------------------

type Pair = [name: string, value: string];

/** Challenges: what Meta sends (digits), what Parley may echo, and what it must not echo blindly. */
const challengeArb: fc.Arbitrary<{ value: string; meta: boolean }> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 20 }).map((value) => ({ value, meta: true })) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...'ABCXYZabcxyz0189._-'), minLength: 1, maxLength: 200 }).map((value) => ({ value, meta: false })) },
  {
    weight: 3,
    arbitrary: fc
      .oneof(
        fc.constantFrom(...NASTY_STRINGS),
        fc.constantFrom('<script>alert(1)</script>', '<html><body>x</body></html>', 'a b', 'a+b', '1\r\nSet-Cookie: x=1', '%00', '%', '&', '=', '#', '?', 'ü', '１２３'),
        fc.string({ maxLength: 40 }),
        fc.string({ unit: 'binary', maxLength: 20 }),
        fc.constantFrom(201, 1_000, 7_000).map((n) => '9'.repeat(n)),
      )
      .map((value) => ({ value, meta: false })),
  },
  // Over Node's header limit (16 KB for the request line and headers): refused before any route.
  { weight: 1, arbitrary: fc.constantFrom(20_000).map((n) => ({ value: '7'.repeat(n), meta: false })) },
);

/** A query parameter's value as the server reads it (lone surrogates become U+FFFD once encoded). */
const asRead = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

/**
 * Handshake requests: Meta's, and every way to get the token, the mode or the challenge wrong, with odd
 * query strings (repeated parameters, other encodings, junk), each with what it may be answered.
 */
export function handshakeCases(t: Pick<WebhookTarget, 'name' | 'path'>, verifyToken: () => string): fc.Arbitrary<WebhookCase> {
  const token = fc.oneof(
    { weight: 8, arbitrary: fc.constant({ value: () => verifyToken(), raw: false, right: true, label: 'right token' }) },
    { weight: 1, arbitrary: fc.constant({ value: () => verifyToken(), raw: true, right: true, label: 'right token, every byte percent-encoded' }) },
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        { value: () => verifyToken().toUpperCase(), label: 'token upper-cased' },
        { value: () => verifyToken().slice(0, -1), label: 'token without its last character' },
        { value: () => `${verifyToken()}x`, label: 'token with a character more' },
        { value: () => ` ${verifyToken()}`, label: 'token with a leading space' },
        { value: () => `${verifyToken()}\t`, label: 'token with a trailing tab' },
        { value: () => verifyToken().slice(0, 8), label: 'token prefix' },
        { value: () => '', label: 'empty token' },
        { value: () => 'fuzz-someone-elses-verify-token', label: 'another token' },
        { value: () => 'undefined', label: 'token "undefined"' },
      ).map((x) => ({ ...x, raw: false, right: false })),
    },
    { weight: 1, arbitrary: fc.constantFrom(...NASTY_STRINGS).map((s) => ({ value: () => s, raw: false, right: false, label: 'nasty token' })) },
  );
  const mode = fc.oneof(
    { weight: 8, arbitrary: fc.constant({ value: 'subscribe', right: true }) },
    { weight: 2, arbitrary: fc.constantFrom('SUBSCRIBE', 'Subscribe', 'unsubscribe', 'subscribe ', ' subscribe', '', 'subscribe\u0000', 'publish').map((value) => ({ value, right: false })) },
  );
  const junk = fc.array(
    fc.oneof(
      fc.tuple(fc.constantFrom('hub.lease_seconds', 'hub.topic', 'fields', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'hub', 'hub.', 'a[b]', '', 'x'.repeat(300)), fc.oneof(fc.constantFrom('1', '', '{}', 'subscribe'), fc.string({ maxLength: 10 }))),
      fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })),
    ),
    { maxLength: 4 },
  );
  /** Which hub parameters are left out, or sent twice (the same value or another). */
  const shape = fc.record({
    omit: fc.oneof({ weight: 10, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('hub.mode', 'hub.verify_token', 'hub.challenge') }),
    repeat: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.record({ name: fc.constantFrom('hub.mode', 'hub.verify_token', 'hub.challenge'), same: fc.boolean() }) }),
    /** How the query string is spelt around the pairs. */
    spelling: fc.oneof({ weight: 10, arbitrary: fc.constant('plain' as const) }, { weight: 1, arbitrary: fc.constantFrom('semicolons' as const, 'extra ampersands' as const, 'a key without "="' as const, 'names percent-encoded' as const, 'a malformed escape' as const, '1,000 junk parameters' as const) }),
  });
  return fc
    .record({ token, mode, challenge: challengeArb, junk, shape, order: fc.nat(), method: fc.oneof({ weight: 12, arbitrary: fc.constant('GET') }, { weight: 1, arbitrary: fc.constant('HEAD') }), withBody: fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }) })
    .map(({ token: tk, mode: md, challenge: ch, junk: jk, shape: sh, order, method, withBody }): WebhookCase => {
      const tokenValue = tk.value();
      const hub: { name: string; value: string; enc: string }[] = [
        { name: 'hub.mode', value: md.value, enc: enc(md.value) },
        { name: 'hub.verify_token', value: tokenValue, enc: tk.raw ? [...Buffer.from(tokenValue)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('') : enc(tokenValue) },
        { name: 'hub.challenge', value: ch.value, enc: enc(ch.value) },
      ].filter((p) => p.name !== sh.omit);
      const pairs: Pair[] = hub.map((p) => [p.name, p.enc]);
      if (sh.repeat && sh.repeat.name !== sh.omit) {
        const p = hub.find((x) => x.name === sh.repeat!.name)!;
        pairs.push([p.name, sh.repeat.same ? p.enc : enc(`${p.value}2`)]);
      }
      for (const [n, v] of jk) pairs.push([enc(n), enc(v)]);
      // Shuffle deterministically by `order`.
      const shuffled = pairs.map((p, i) => ({ p, k: (i * 7919 + order) % 104_729 })).sort((a, b) => a.k - b.k).map((x) => x.p);
      const nameOf = (n: string) => (sh.spelling === 'names percent-encoded' ? [...Buffer.from(n)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('') : n);
      let query = shuffled.map(([n, v]) => `${nameOf(n)}=${v}`).join(sh.spelling === 'semicolons' ? ';' : '&');
      if (sh.spelling === 'extra ampersands') query = `&&${query.split('&').join('&&')}&`;
      if (sh.spelling === 'a key without "="') query = `${query}&hub.mode&novalue`;
      if (sh.spelling === 'a malformed escape') query = `${query}&bad=%E0%A4%A&worse=%zz`;
      if (sh.spelling === '1,000 junk parameters') query = `${query}&${Array.from({ length: 1000 }, (_, i) => `p${i}=${i}`).join('&')}`;
      const path = `${t.path}?${query}`;
      // What it may be answered: 200 with the challenge only with Meta's mode and the right token, each once.
      // Meta's own request (digits, plainly spelt) must get it; odder ones may be refused.
      const allThere = sh.omit === undefined;
      const repeatedDiffers = sh.repeat !== undefined && !sh.repeat.same;
      const mayEcho = md.right && tk.right && allThere && !repeatedDiffers && sh.spelling !== 'semicolons';
      const mustEcho = mayEcho && ch.meta && sh.repeat === undefined && sh.spelling === 'plain' && !tk.raw && jk.every(([n]) => !n.startsWith('hub'));
      withBody = withBody && method === 'GET';
      const labels = [`handshake`, tk.label, md.right ? 'mode subscribe' : `mode ${JSON.stringify(md.value)}`, ch.meta ? 'digits challenge' : `odd challenge (${ch.value.length} chars)`, ...(sh.omit ? [`no ${sh.omit}`] : []), ...(sh.repeat ? [`${sh.repeat.name} twice (${sh.repeat.same ? 'same' : 'another'} value)`] : []), sh.spelling, ...(jk.length ? [`${jk.length} other parameter(s)`] : []), method, ...(withBody ? ['with a body'] : [])];
      return {
        target: t.name,
        req: { op: `GET ${t.path}`, as: 'vendor', method, path, headers: { 'user-agent': 'facebookplatform/1.0 (+http://developers.facebook.com)', ...(withBody ? { 'content-type': 'application/json' } : {}) }, ...(withBody ? { body: '{"object":"page"}' } : {}), labels: [t.name, ...labels] },
        expect: 'echo',
        refusal: FORGED_REFUSAL,
        mayRetry: false,
        ...(mayEcho ? { echo: { body: asRead(ch.value), required: mustEcho } } : {}),
      };
    });
}

/**
 * Signed batches with one item of the wrong shape (a field of the wrong type, missing, extra, huge): the
 * whole webhook must still be answered 2xx or 4xx, never a 5xx (the documented fields, one at a time, are
 * where a handler reads without a schema's help).
 */
function wrongItemCases(t: Pick<WebhookTarget, 'name' | 'path'>, scheme: SignatureScheme, bodies: fc.Arbitrary<{ body: string; label: string }>): fc.Arbitrary<WebhookCase> {
  return bodies.map(({ body, label }) => {
    const s = scheme.sign({ raw: body });
    return { target: t.name, req: { op: `POST ${t.path}`, as: 'vendor', method: 'POST', path: t.path, headers: s.headers, body: s.body, labels: [t.name, 'signed', 'one item of the wrong shape', label] }, expect: 'handled', refusal: SIGNATURE_REFUSAL, mayRetry: true };
  });
}

// ---- Shared pieces ------------------------------------------------------------------------------------------------

const remember = (scene: WebhookScene, id: unknown) => {
  if (typeof id === 'string' && scene.messageIds.length < 50 && !scene.messageIds.includes(id)) scene.messageIds.push(id);
};
const b64url = (n: number) => fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), minLength: n, maxLength: n });
/** Vendor ids: fresh, repeated (retries), odd. */
const idArb = (fresh: fc.Arbitrary<string>, reused: () => string[]) =>
  fc.oneof(
    { weight: 6, arbitrary: fresh },
    { weight: 2, arbitrary: fc.nat().map((i) => reused()[i % Math.max(1, reused().length)] ?? 'reused') },
    { weight: 1, arbitrary: fc.constantFrom(...NASTY_STRINGS.filter((s) => s.length > 0), 'i'.repeat(290)) },
  );
/** Texts customers write: ordinary, nasty, emoji and other scripts, long ones (Messenger and WhatsApp allow long texts). */
const textArb = fc.oneof(
  { weight: 6, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 2, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.constantFrom('hello, world!', 'Grüße aus Zürich 👋', 'مرحبا', '你好', 'https://example.com/a/b?c=d', '\\u0041 is A', '\\', '"quoted"', 'line\nbreak') },
  { weight: 1, arbitrary: fc.constantFrom(2_000, 4_096, 10_001, 19_000).map((n) => 'T'.repeat(n)) },
);
/** Short texts (captions, place names: WhatsApp caps captions at 1,024 characters). */
const shortTextArb = fc.oneof({ weight: 6, arbitrary: fc.string({ maxLength: 100 }) }, { weight: 2, arbitrary: fc.constantFrom(...NASTY_STRINGS) }, { weight: 1, arbitrary: fc.constant('C'.repeat(1024)) });
/** Meta's clock: ms (Messenger), seconds as a string (WhatsApp), and odd values. */
const msArb = fc.oneof({ weight: 8, arbitrary: fc.constant(0).map(() => Date.now() - 1000) }, { weight: 1, arbitrary: fc.constantFrom(0, -1, 1458692752478, 1e15, 2 ** 53 - 1, 1.5, Math.floor(Date.now() / 1000)) });
/** Where Meta's files are: a closed port (Meta's CDN standing in), the fuzz server itself, schemes never fetched. */
const fileUrl = (server: FuzzServer) =>
  fc.constantFrom(
    { url: 'http://127.0.0.1:9/v/t39.1997-6/cat.png?_nc_cat=1&oh=00_x', http: true },
    { url: 'http://[::1]:9/x.mp4', http: true },
    { url: 'http://user:secret@127.0.0.1:9/x.png', http: true },
    { url: `${server.url}/healthz`, http: true },
    { url: `${server.url}/no-such-file.png`, http: true },
    { url: 'ftp://127.0.0.1/file', http: false },
    { url: 'file:///etc/passwd', http: false },
    { url: 'data:image/png;base64,iVBORw0KGgo=', http: false },
    { url: 'javascript:alert(1)', http: false },
    { url: '', http: false },
  );

// ---- Messenger (src/channels/messenger/webhook.ts) --------------------------------------------------------------

const ATTACHMENT_TYPES = ['image', 'audio', 'video', 'file', 'sticker', 'reel', 'ig_reel', 'post', 'ig_post', 'appointment_booking', 'fallback', 'location', 'template', 'bogus'];
const MEDIA = new Set(['image', 'audio', 'video', 'file', 'sticker']);

export function messengerTarget(instance: VendorChannel): WebhookTarget {
  const settings = VENDOR_CHANNELS[instance].settings as { pageId: string; appId: string };
  const name = `messenger/${instance}`;
  const path = `/webhooks/messenger/${instance}`;
  const namespace = `messenger:${settings.pageId}`;
  const psidOf = (phone: string) => phone.replace(/\D/g, '');
  const envelope = (entries: unknown[]) => ({ object: 'page', entry: entries });
  const textItem = (psid: string, mid: string, text: string) => ({ sender: { id: psid }, recipient: { id: settings.pageId }, timestamp: Date.now(), message: { mid, text } });
  const metaSchemeOf = (server: FuzzServer) => metaScheme({ secrets: () => server.meta.appSecrets, decoys: () => [server.meta.verifyTokens.fb, settings.appId] });
  function build(scene: WebhookScene) {
    const psid = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...scene.phones.map(psidOf)) },
      { weight: 2, arbitrary: fc.nat({ max: 9 }).map((i) => psidOf(phoneNumber(name, 100 + i))) },
      { weight: 1, arbitrary: fc.constantFrom(settings.pageId, '0', '-1', '1'.repeat(100), ...NASTY_STRINGS.filter((s) => s.length > 0 && s.length <= 100)) },
    );
    const mid = idArb(b64url(40).map((s) => `m_${s}`), () => scene.messageIds);
    const recipient = fc.constantFrom(settings.pageId, settings.pageId, settings.pageId, '999888777666555');
    const attachment = fc.record({ type: fc.constantFrom(...ATTACHMENT_TYPES), u: fileUrl(scene.server), title: fc.option(fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom(...NASTY_STRINGS)), { nil: undefined }) }).map(({ type, u, title }) => {
      if (type === 'location') return { value: { type, title: title ?? 'Pinned location', url: 'http://127.0.0.1:9/l.php?u=maps', payload: { coordinates: { lat: 47.37, long: 8.54 } } }, http: false };
      if (type === 'sticker') return { value: { type, payload: { url: u.url, sticker_id: 369239263222822 } }, http: u.http };
      if (type === 'template') return { value: { type, payload: { template_type: 'generic', elements: [{ title: title ?? 'x' }] } }, http: false };
      if (type === 'fallback') return { value: { type, title, url: u.url, payload: { url: u.url, title } }, http: false };
      if (!MEDIA.has(type)) return { value: { type, payload: { url: u.url, title, reel_video_id: 123 } }, http: false };
      return { value: { type, payload: { url: u.url } }, http: u.http };
    });
    const base = fc.record({ sender: psid, recipient, timestamp: msArb });
    const item = fc.oneof(
      // message: text, a quick-reply tap, a reply to another message, attachments (several, with a caption-less text)
      {
        weight: 8,
        arbitrary: fc
          .record({
            b: base,
            mid,
            text: fc.option(textArb, { nil: undefined, freq: 4 }),
            quick: fc.option(fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('<DEVELOPER_DEFINED_PAYLOAD>', '')), { nil: undefined, freq: 4 }),
            replyTo: fc.option(mid, { nil: undefined, freq: 4 }),
            attachments: fc.array(attachment, { maxLength: 3 }),
          })
          .map(({ b, mid: m, text, quick, replyTo, attachments }) => {
            remember(scene, m);
            const message: Record<string, unknown> = { mid: m };
            if (text !== undefined) message.text = text;
            if (quick !== undefined) message.quick_reply = { payload: quick };
            if (replyTo !== undefined) message.reply_to = { mid: replyTo, is_self_reply: false };
            if (attachments.length) message.attachments = attachments.map((a) => a.value);
            return { item: { sender: { id: b.sender }, recipient: { id: b.recipient }, timestamp: b.timestamp, message }, label: attachments.length ? `message with ${attachments.length} attachment(s)` : quick !== undefined ? 'quick reply' : 'text', http: attachments.some((a) => a.http) };
          }),
      },
      // the Page's own sends echoed (ours or another app's)
      {
        weight: 2,
        arbitrary: fc.record({ b: base, mid, text: textArb, app: fc.constantFrom(Number(settings.appId), settings.appId, 263902037430900, undefined) }).map(({ b, mid: m, text, app }) => ({
          item: { sender: { id: settings.pageId }, recipient: { id: b.sender }, timestamp: b.timestamp, message: { mid: m, is_echo: true, ...(app !== undefined ? { app_id: app } : {}), metadata: 'parley', text } },
          label: 'echo',
          http: false,
        })),
      },
      // postbacks (with or without mid and referral, as older ones came)
      {
        weight: 3,
        arbitrary: fc
          .record({ b: base, mid: fc.option(mid, { nil: undefined, freq: 3 }), title: fc.option(fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('Get Started', '', ...NASTY_STRINGS)), { nil: undefined, freq: 4 }), payload: fc.option(fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('USER-DEFINED-PAYLOAD', '{"a":1}')), { nil: undefined, freq: 4 }), referral: fc.boolean() })
          .map(({ b, mid: m, title, payload, referral }) => ({
            item: { sender: { id: b.sender }, recipient: { id: b.recipient }, timestamp: b.timestamp, postback: { ...(m !== undefined ? { mid: m } : {}), ...(title !== undefined ? { title } : {}), ...(payload !== undefined ? { payload } : {}), ...(referral ? { referral: { ref: 'ad-42', source: 'SHORT-URL', type: 'OPEN_THREAD' } } : {}) } },
            label: 'postback',
            http: false,
          })),
      },
      // deliveries (by mids, some of them ours, or by watermark alone) and reads
      {
        weight: 3,
        arbitrary: fc
          .record({ b: base, mids: fc.option(fc.array(mid, { maxLength: 5 }), { nil: undefined }), watermark: msArb })
          .map(({ b, mids, watermark }) => ({ item: { sender: { id: b.sender }, recipient: { id: b.recipient }, delivery: { ...(mids !== undefined ? { mids } : {}), watermark } }, label: mids === undefined ? 'delivery by watermark' : 'delivery by mids', http: false })),
      },
      { weight: 3, arbitrary: fc.record({ b: base, watermark: msArb }).map(({ b, watermark }) => ({ item: { sender: { id: b.sender }, recipient: { id: b.recipient }, timestamp: b.timestamp, read: { watermark } }, label: 'read', http: false })) },
      // reactions, edits, referrals, opt-ins (a checkbox plugin's: no sender, a user_ref), handovers
      {
        weight: 2,
        arbitrary: fc.record({ b: base, mid, kind: fc.constantFrom('reaction', 'unreact', 'edit', 'referral', 'optin', 'optin-user-ref', 'handover'), text: textArb }).map(({ b, mid: m, kind, text }) => {
          const head = { sender: { id: b.sender }, recipient: { id: b.recipient }, timestamp: b.timestamp };
          switch (kind) {
            case 'reaction':
              return { item: { ...head, reaction: { mid: m, action: 'react', reaction: 'love', emoji: '\u2764\uFE0F' } }, label: 'reaction', http: false };
            case 'unreact':
              return { item: { ...head, reaction: { mid: m, action: 'unreact', reaction: 'love' } }, label: 'unreact', http: false };
            case 'edit':
              return { item: { ...head, message_edit: { mid: m, text, num_edit: 1 } }, label: 'message_edit', http: false };
            case 'referral':
              return { item: { ...head, referral: { ref: 'ad-42', source: 'ADS', type: 'OPEN_THREAD', ad_id: '6045246247433' } }, label: 'referral', http: false };
            case 'optin':
              return { item: { ...head, optin: { type: 'notification_messages', payload: 'x', notification_messages_token: 'abc', token_expiry_timestamp: 1e12 } }, label: 'optin', http: false };
            case 'optin-user-ref':
              return { item: { recipient: { id: b.recipient }, timestamp: b.timestamp, optin: { ref: 'PASS_THROUGH_PARAM', user_ref: 'UNIQUE_REF_PARAM' } }, label: 'optin (checkbox plugin: no sender)', http: false };
            default:
              return { item: { ...head, pass_thread_control: { new_owner_app_id: '123456789', metadata: 'handover' } }, label: 'handover', http: false };
          }
        }),
      },
    );
    const entry = fc
      .record({
        page: fc.constantFrom(settings.pageId, settings.pageId, settings.pageId, settings.pageId, '999888777666555'),
        items: fc.array(item, { minLength: 1, maxLength: 4 }),
        standby: fc.oneof({ weight: 8, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      })
      .map(({ page, items, standby }) => ({ value: { id: page, time: Date.now(), [standby ? 'standby' : 'messaging']: items.map((i) => i.item) }, labels: items.map((i) => i.label), http: page === settings.pageId && !standby && items.some((i) => i.http), standby }));
    const batch = fc.record({ entries: fc.array(entry, { minLength: 1, maxLength: 3 }), object: fc.constantFrom('page', 'page', 'page', 'page', 'page', 'page', 'instagram', 'user', 'whatsapp_business_account') }).map(({ entries, object }): Payload => ({
      body: { object, entry: entries.map((e) => e.value) },
      labels: [object, `${entries.length} entr(y/ies)`, ...new Set(entries.flatMap((e) => e.labels))],
      mayRetry: object === 'page' && entries.some((e) => e.http),
    }));
    // Big batches within the body limit: many reads, one delivery listing many mids, many texts.
    const big = fc.constantFrom(200, 1000).chain((n) =>
      fc.constantFrom<Payload>(
        { body: envelope([{ id: settings.pageId, time: Date.now(), messaging: Array.from({ length: n }, (_, i) => ({ sender: { id: psidOf(scene.phones[i % scene.phones.length]!) }, recipient: { id: settings.pageId }, timestamp: Date.now(), read: { watermark: Date.now() } })) }]), labels: [`${n} reads`], mayRetry: false },
        { body: envelope([{ id: settings.pageId, time: Date.now(), messaging: [{ sender: { id: psidOf(scene.phones[0]!) }, recipient: { id: settings.pageId }, delivery: { mids: Array.from({ length: n }, (_, i) => `m_big_${i}`), watermark: Date.now() } }] }]), labels: [`a delivery of ${n} mids`], mayRetry: false },
        { body: envelope(Array.from({ length: Math.min(n, 200) }, (_, i) => ({ id: i % 2 ? settings.pageId : '999888777666555', time: Date.now(), messaging: [textItem(psidOf(scene.phones[i % scene.phones.length]!), `m_big_${randomUUID()}`, `batch ${i}`)] }))), labels: [`${Math.min(n, 200)} entries`], mayRetry: false },
      ),
    );
    // One item of a batch with a field of the wrong type, missing, or an extra one; the rest of the batch well-formed.
    const wrongItem = fc.tuple(item, mutationArb, fc.constantFrom(...scene.phones.map(psidOf))).map(([i, m, p]) => ({
      body: `{"object":"page","entry":[{"id":"${settings.pageId}","time":${Date.now()},"messaging":[${metaJson(textItem(p, `m_${randomUUID()}`, 'before'))},${applyMutation(i.item, m)}]}]}`,
      label: `${i.label}, mutated:${m.kind}`,
    }));
    return { payloads: fc.oneof({ weight: 20, arbitrary: batch }, { weight: 1, arbitrary: big }), wrongItem };
  }
  return {
    name,
    channel: instance,
    method: 'POST',
    path,
    refusal: SIGNATURE_REFUSAL,
    alsoRouted: ['GET'],
    scheme: metaSchemeOf,
    extraCases: (scene) => ({
      weight: 7,
      arbitrary: fc.oneof(
        { weight: 4, arbitrary: handshakeCases({ name, path }, () => scene.server.meta.verifyTokens.fb) },
        { weight: 3, arbitrary: wrongItemCases({ name, path }, metaSchemeOf(scene.server), build(scene).wrongItem) },
      ),
    }),

    // A customer writes in and an agent replies: deliveries and reads have an agent message to be about.
    prepare: (scene) =>
      agentReply(scene, psidOf(scene.phones[0]!), { body: envelope([{ id: settings.pageId, time: Date.now(), messaging: [textItem(psidOf(scene.phones[0]!), `m_${randomUUID()}`, 'Hello from the webhook scene')] }]), labels: [], mayRetry: false }, namespace),

    duplicate(scene, _pick, id, text) {
      const psid = String(Date.now()).slice(-6) + String(Math.floor(Math.random() * 1e6)).padStart(6, '0');
      const body = envelope([{ id: settings.pageId, time: Date.now(), messaging: [textItem(psid, `m_${id}`, text)] }]);
      return { payload: { body, labels: ['message'], mayRetry: false }, before: async () => undefined, stored: (marker) => storedFromPhone(scene, psid, marker, namespace) };
    },

    payloads: (scene) => build(scene).payloads,
  };
}

// ---- WhatsApp (src/channels/whatsapp/webhook.ts) ----------------------------------------------------------------

const WA_MEDIA = ['image', 'audio', 'video', 'document', 'sticker'] as const;

export function whatsappTarget(instance: VendorChannel): WebhookTarget {
  const settings = VENDOR_CHANNELS[instance].settings as { phoneNumberId: string; wabaId: string; appId: string };
  const name = `whatsapp/${instance}`;
  const path = `/webhooks/whatsapp/${instance}`;
  const waIdOf = (phone: string) => phone.replace(/\D/g, '');
  const metadata = { display_phone_number: '15550783881', phone_number_id: settings.phoneNumberId };
  const envelope = (value: Record<string, unknown>, waba = settings.wabaId, field = 'messages') => ({ object: 'whatsapp_business_account', entry: [{ id: waba, changes: [{ field, value: { messaging_product: 'whatsapp', metadata, ...value } }] }] });
  const textMessage = (from: string, id: string, body: string) => ({ from, id, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body } });
  const metaSchemeOf = (server: FuzzServer) => metaScheme({ secrets: () => [server.meta.appSecrets[0]], decoys: () => [server.meta.verifyTokens.wa, settings.appId] });
  function build(scene: WebhookScene) {
    const from = fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...scene.phones.map(waIdOf)) },
      { weight: 2, arbitrary: fc.nat({ max: 9 }).map((i) => waIdOf(phoneNumber(name, 100 + i))) },
      { weight: 1, arbitrary: fc.constantFrom('15550783881', '0', '+16505551234', '1'.repeat(50), ...NASTY_STRINGS.filter((s) => s.length > 0 && s.length <= 50)) },
    );
    const wamid = idArb(b64url(48).map((s) => `wamid.${s}`), () => scene.messageIds);
    const mediaId = fc.oneof({ weight: 6, arbitrary: fc.bigInt({ min: 10n ** 14n, max: 10n ** 16n }).map(String) }, { weight: 1, arbitrary: fc.constantFrom('../../me', '?x=1', '%2e%2e', 'a/b', 'http://127.0.0.1:9/x', ' ', ...NASTY_STRINGS.filter((s) => s.length > 0)) });
    const caption = fc.option(shortTextArb, { nil: undefined, freq: 3 });
    const content = fc.oneof(
      { weight: 6, arbitrary: textArb.map((body) => ({ type: 'text', fields: { text: { body } }, http: false })) },
      {
        weight: 4,
        arbitrary: fc
          .record({ kind: fc.constantFrom(...WA_MEDIA), id: mediaId, caption, filename: fc.option(fc.constantFrom('invoice.pdf', '../../etc/passwd', 'a'.repeat(300), '<b>.pdf'), { nil: undefined }), mime: fc.constantFrom('image/jpeg', 'audio/ogg; codecs=opus', 'video/mp4', 'application/pdf', 'image/webp', 'text/html', '') })
          .map(({ kind, id, caption: c, filename, mime }) => ({ type: kind, fields: { [kind]: { id, mime_type: mime, sha256: 'bXlzaGEyNTY=', ...(c !== undefined && kind !== 'audio' && kind !== 'sticker' ? { caption: c } : {}), ...(kind === 'document' && filename !== undefined ? { filename } : {}), ...(kind === 'audio' ? { voice: true } : {}), ...(kind === 'sticker' ? { animated: false } : {}) } }, http: true })),
      },
      {
        weight: 2,
        arbitrary: fc
          .record({ lat: fc.oneof(fc.double({ min: -90, max: 90, noNaN: true }), fc.constantFrom(91, -181, 0)), lng: fc.oneof(fc.double({ min: -180, max: 180, noNaN: true }), fc.constantFrom(181, 1e308)), name: fc.option(shortTextArb, { nil: undefined }), address: fc.option(shortTextArb, { nil: undefined }) })
          .map(({ lat, lng, name: n, address }) => ({ type: 'location', fields: { location: { latitude: lat, longitude: lng, ...(n !== undefined ? { name: n } : {}), ...(address !== undefined ? { address } : {}), url: 'http://127.0.0.1:9/maps' } }, http: false })),
      },
      {
        weight: 2,
        arbitrary: fc
          .array(
            fc.record(
              {
                name: fc.record({ formatted_name: fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom(...NASTY_STRINGS)), first_name: fc.string({ maxLength: 10 }), last_name: fc.string({ maxLength: 10 }) }, { requiredKeys: ['formatted_name'] }),
                phones: fc.array(fc.record({ phone: fc.constantFrom('+1 (650) 555-1234', '', '+41 44 668 18 00'), wa_id: fc.constantFrom('16505551234', ''), type: fc.constantFrom('CELL', 'WORK', 'HOME') }, { requiredKeys: ['phone'] }), { maxLength: 3 }),
                emails: fc.array(fc.record({ email: fc.constantFrom('a@example.com', '<x>'), type: fc.constantFrom('WORK', 'HOME') }), { maxLength: 2 }),
                org: fc.record({ company: fc.string({ maxLength: 20 }), title: fc.string({ maxLength: 20 }) }, { requiredKeys: [] }),
                urls: fc.array(fc.record({ url: fc.constantFrom('https://example.com', 'javascript:alert(1)'), type: fc.constant('WORK') }), { maxLength: 2 }),
                birthday: fc.constantFrom('2000-01-01', ''),
              },
              { requiredKeys: ['name'] },
            ),
            { minLength: 1, maxLength: 3 },
          )
          .map((contacts) => ({ type: 'contacts', fields: { contacts }, http: false })),
      },
      {
        weight: 3,
        arbitrary: fc
          .record({ kind: fc.constantFrom('button_reply', 'list_reply', 'nfm_reply'), id: fc.string({ maxLength: 20 }), title: fc.option(fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom(...NASTY_STRINGS)), { nil: undefined, freq: 5 }), description: fc.option(fc.string({ maxLength: 30 }), { nil: undefined }) })
          .map(({ kind, id, title, description }) => ({
            type: 'interactive',
            fields: { interactive: kind === 'nfm_reply' ? { type: kind, nfm_reply: { name: 'flow', body: 'Sent', response_json: '{"a":1}' } } : { type: kind, [kind]: { id, ...(title !== undefined ? { title } : {}), ...(kind === 'list_reply' && description !== undefined ? { description } : {}) } } },
            http: false,
          })),
      },
      { weight: 1, arbitrary: fc.record({ text: fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('Yes', '')), payload: fc.string({ maxLength: 20 }) }).map((button) => ({ type: 'button', fields: { button }, http: false })) },
      {
        weight: 2,
        arbitrary: fc
          .record({ of: fc.oneof(wamid, fc.constant('').map(() => scene.messageIds[0] ?? 'wamid.none')), emoji: fc.constantFrom('\uD83D\uDC4D', '\u2764\uFE0F', '', '👩‍👩‍👧‍👦', 'x'.repeat(10), '\uD800') })
          .map(({ of, emoji }) => ({ type: 'reaction', fields: { reaction: { message_id: of, emoji } }, http: false })),
      },
      { weight: 1, arbitrary: fc.constantFrom(0, 1, 3).map((n) => ({ type: 'order', fields: { order: { catalog_id: '123', text: 'order', product_items: Array.from({ length: n }, (_, i) => ({ product_retailer_id: `sku-${i}`, quantity: '1', item_price: '9.99', currency: 'USD' })) } }, http: false })) },
      { weight: 1, arbitrary: fc.constantFrom({ type: 'system', fields: { system: { body: 'User changed number', new_wa_id: '16505559999', type: 'user_changed_number' } }, http: false }) },
      { weight: 1, arbitrary: fc.constantFrom({ type: 'unsupported', fields: { errors: [{ code: 131051, title: 'Message type unknown', message: 'Message type unknown', error_data: { details: 'Message type is currently not supported.' } }] }, http: false }, { type: 'ephemeral', fields: {}, http: false }, { type: 'bogus', fields: {}, http: false }) },
    );
    const message = fc
      .record({ from, id: wamid, timestamp: fc.oneof({ weight: 8, arbitrary: fc.constant(0).map(() => String(Math.floor(Date.now() / 1000))) }, { weight: 1, arbitrary: fc.constantFrom('0', '-1', '99999999999999999999', 'abc', '') }), content, context: fc.option(fc.record({ from: fc.constant('15550783881'), id: wamid }), { nil: undefined, freq: 5 }), referral: fc.boolean() })
      .map(({ from: f, id, timestamp, content: c, context, referral }) => {
        remember(scene, id);
        return { value: { from: f, id, timestamp, type: c.type, ...c.fields, ...(context ? { context } : {}), ...(referral ? { referral: { source_url: 'https://fb.me/x', source_type: 'ad', source_id: '1', headline: 'Ad' } } : {}) }, label: c.type, http: c.http };
      });
    const status = fc
      .record({
        id: fc.oneof({ weight: 3, arbitrary: wamid }, { weight: 1, arbitrary: fc.constant('').map(() => `wamid.${randomUUID()}`) }),
        status: fc.constantFrom('sent', 'delivered', 'read', 'failed', 'deleted', 'warning', 'bogus'),
        recipient: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...scene.phones.map(waIdOf)) }, { weight: 1, arbitrary: fc.constantFrom('16505550000', '') }),
        callback: fc.option(fc.oneof(fc.constant('').map(() => scene.agentEvents[0] ?? 'ev_none'), fc.nat().map((i) => scene.world.pools.event[i % Math.max(1, scene.world.pools.event.length)] ?? 'ev_none'), fc.constantFrom('campaign-42', 'ev_00000000000000000000', ...NASTY_STRINGS.filter((s) => s.length > 0))), { nil: undefined, freq: 3 }),
        errorCode: fc.constantFrom(131047, 131026, 131049, 130472, 131000, 0, -1, 2 ** 31),
      })
      .map(({ id, status: st, recipient, callback, errorCode }) => ({
        value: {
          id,
          status: st,
          timestamp: String(Math.floor(Date.now() / 1000)),
          recipient_id: recipient,
          ...(callback !== undefined ? { biz_opaque_callback_data: callback } : {}),
          ...(st === 'failed' ? { errors: [{ code: errorCode, title: 'Re-engagement message', message: 'Re-engagement message', error_data: { details: 'Message failed to send because more than 24 hours have passed.' }, href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/' }] } : {}),
          ...(st === 'sent' || st === 'delivered' ? { conversation: { id: 'CONVERSATION_ID', expiration_timestamp: '1750000000', origin: { type: 'service' } }, pricing: { billable: true, pricing_model: 'PMP', category: 'service' } } : {}),
        },
        label: `status ${st}`,
      }));
    const value = fc
      .record({
        messages: fc.array(message, { maxLength: 3 }),
        statuses: fc.array(status, { maxLength: 2 }),
        names: fc.constantFrom('Sheena Nelson', '', '<b>x</b>', '𝕏💥', 'n'.repeat(300)),
        phoneNumberId: fc.constantFrom(settings.phoneNumberId, settings.phoneNumberId, settings.phoneNumberId, settings.phoneNumberId, '106540352242999'),
      })
      .map(({ messages, statuses, names, phoneNumberId }) => ({
        value: {
          messaging_product: 'whatsapp',
          metadata: { ...metadata, phone_number_id: phoneNumberId },
          ...(messages.length ? { contacts: [...new Set(messages.map((m) => m.value.from))].map((wa) => ({ profile: { name: names }, wa_id: wa })), messages: messages.map((m) => m.value) } : {}),
          ...(statuses.length ? { statuses: statuses.map((s) => s.value) } : {}),
        },
        labels: [...messages.map((m) => m.label), ...statuses.map((s) => s.label), ...(phoneNumberId === settings.phoneNumberId ? [] : ['another number'])],
        http: phoneNumberId === settings.phoneNumberId && messages.some((m) => m.http),
      }));
    const change = fc.oneof(
      { weight: 10, arbitrary: value.map((v) => ({ value: { field: 'messages', value: v.value }, labels: v.labels, http: v.http })) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          { value: { field: 'message_template_status_update', value: { event: 'APPROVED', message_template_id: 1, message_template_name: 'x', message_template_language: 'en_US', reason: null } }, labels: ['template status'], http: false },
          { value: { field: 'account_update', value: { phone_number: '15550783881', event: 'VERIFIED_ACCOUNT' } }, labels: ['account update'], http: false },
          { value: { field: 'messages', value: { messaging_product: 'whatsapp', metadata, errors: [{ code: 131000, title: 'Something went wrong' }] } }, labels: ['value errors'], http: false },
        ),
      },
    );
    const entry = fc
      .record({ waba: fc.constantFrom(settings.wabaId, settings.wabaId, settings.wabaId, settings.wabaId, '102290129340000'), changes: fc.array(change, { minLength: 1, maxLength: 3 }) })
      .map(({ waba, changes }) => ({ value: { id: waba, changes: changes.map((c) => c.value) }, labels: [...(waba === settings.wabaId ? [] : ['another WABA']), ...changes.flatMap((c) => c.labels)], http: waba === settings.wabaId && changes.some((c) => c.http) }));
    const batch = fc.record({ entries: fc.array(entry, { minLength: 1, maxLength: 3 }), object: fc.constantFrom('whatsapp_business_account', 'whatsapp_business_account', 'whatsapp_business_account', 'whatsapp_business_account', 'whatsapp_business_account', 'page', 'instagram') }).map(({ entries, object }): Payload => ({
      body: { object, entry: entries.map((e) => e.value) },
      labels: [object, `${entries.length} entr(y/ies)`, ...new Set(entries.flatMap((e) => e.labels))],
      mayRetry: object === 'whatsapp_business_account' && entries.some((e) => e.http),
    }));
    // Big batches within the body limit: many texts from the scene's numbers, many statuses of unknown wamids.
    const big = fc.constantFrom(100, 1000).chain((n) =>
      fc.constantFrom<Payload>(
        { body: envelope({ messages: Array.from({ length: n }, (_, i) => textMessage(waIdOf(scene.phones[i % scene.phones.length]!), `wamid.big.${randomUUID()}`, `batch ${i}`)) }), labels: [`${n} texts`], mayRetry: false },
        { body: envelope({ statuses: Array.from({ length: n }, (_, i) => ({ id: `wamid.big.${i}`, status: 'delivered', timestamp: '1750000000', recipient_id: '16505550000' })) }), labels: [`${n} statuses (unknown recipient)`], mayRetry: false },
        // Statuses of messages another tool sent on the number, to a customer Parley knows: Meta waits for the answer.
        { body: envelope({ statuses: Array.from({ length: 6 }, (_, i) => ({ id: `wamid.other-tool.${randomUUID()}.${i}`, status: 'delivered', timestamp: '1750000000', recipient_id: waIdOf(scene.phones[0]!) })) }), labels: ['6 statuses of unknown wamids to a known customer'], mayRetry: false },
      ),
    );
    // One message or status with a field of the wrong type, missing, or an extra one, beside a well-formed message.
    const wrongItem = fc.tuple(fc.oneof({ weight: 3, arbitrary: message.map((m) => ({ key: 'messages', item: m.value as unknown, label: m.label })) }, { weight: 1, arbitrary: status.map((x) => ({ key: 'statuses', item: x.value as unknown, label: x.label })) }), mutationArb, fc.constantFrom(...scene.phones.map(waIdOf))).map(([i, m, from]) => {
      const good = metaJson(textMessage(from, `wamid.${randomUUID()}`, 'before'));
      const list = i.key === 'messages' ? `[${good},${applyMutation(i.item, m)}]` : `[${applyMutation(i.item, m)}]`;
      return {
        body: `{"object":"whatsapp_business_account","entry":[{"id":"${settings.wabaId}","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":${JSON.stringify(metadata)},${i.key === 'statuses' ? `"messages":[${good}],` : ''}"${i.key}":${list}}}]}]}`,
        label: `${i.label}, mutated:${m.kind}`,
      };
    });
    return { payloads: fc.oneof({ weight: 20, arbitrary: batch }, { weight: 1, arbitrary: big }), wrongItem };
  }
  return {
    name,
    channel: instance,
    method: 'POST',
    path,
    refusal: SIGNATURE_REFUSAL,
    alsoRouted: ['GET'],
    scheme: metaSchemeOf,
    extraCases: (scene) => ({
      weight: 7,
      arbitrary: fc.oneof(
        { weight: 4, arbitrary: handshakeCases({ name, path }, () => scene.server.meta.verifyTokens.wa) },
        { weight: 3, arbitrary: wrongItemCases({ name, path }, metaSchemeOf(scene.server), build(scene).wrongItem) },
      ),
    }),

    prepare: (scene) =>
      agentReply(scene, scene.phones[0]!, {
        body: envelope({ contacts: [{ profile: { name: 'Scene Customer' }, wa_id: waIdOf(scene.phones[0]!) }], messages: [textMessage(waIdOf(scene.phones[0]!), `wamid.${randomUUID()}`, 'Hello from the webhook scene')] }),
        labels: [],
        mayRetry: false,
      }),

    duplicate(scene, _pick, id, text) {
      const phone = phoneNumber(name, 1000 + Math.floor(Math.random() * 9000));
      const body = envelope({ contacts: [{ profile: { name: 'Dup' }, wa_id: waIdOf(phone) }], messages: [textMessage(waIdOf(phone), `wamid.${id}`, text)] });
      return { payload: { body, labels: ['text'], mayRetry: false }, before: async () => undefined, stored: (marker) => storedFromPhone(scene, phone, marker) };
    },

    payloads: (scene) => build(scene).payloads,
  };
}
