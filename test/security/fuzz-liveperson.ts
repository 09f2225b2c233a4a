import { createHash, createHmac, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { applyMutation, mutationArb, NASTY_STRINGS } from './fuzz-arbitraries.js';
import { VENDOR_DESKS, type FuzzServer, type VendorDesk } from './fuzz-server.js';
import { newMessages, refreshScene, SIGNATURE_REFUSAL, type Content, type Headers, type Payload, type SceneConversation, type SignatureScheme, type Signed, type WebhookCase, type WebhookScene, type WebhookTarget } from './fuzz-webhooks.js';

// The fuzz target for the LivePerson desk's webhook (src/desks/liveperson/webhook.ts), POST
// /webhooks/liveperson/<instance>, written from LivePerson's documented shapes (vendor-protocols §4.5,
// seed-teardown §4.2), not from the adapter's zod schemas:
//
// - Signature: `x-liveperson-signature: sha1=<base64 HMAC-SHA1(client_secret, raw body)>` by default;
//   `sha256=` and hex are account options; while the secret is rotated either one signs. And
//   `x-liveperson-account-id` / `x-liveperson-client-id` name the account and the app: a right signature
//   with another account or app is refused too (401 PARLEY_E_WEBHOOK_SIGNATURE).
// - Payloads: `{kind:"notification", type, body:{sentTs?, changes:[…]}}` — ms.MessagingEventNotification
//   (ContentEvent text or hosted file, RichContentEvent, ChatStateEvent, AcceptStatusEvent; agents, bots,
//   managers, the consumer's own echoes; agent-only audiences; a post-conversation survey's dialog) and
//   cqm.ExConversationChangeNotification (an agent assigned, replaced, back in a skill's queue, CLOSE with
//   its closeReason, a POST_SURVEY dialog opened), several changes per notification, `(dialogId,
//   sequence)` repeated (LivePerson redelivers), conversations Parley never heard of, big batches.
// - The scene: LivePerson never answers here (its CSDS is a closed port), so the desk never opens a
//   LivePerson conversation for a scene customer; each scene conversation gets a LivePerson conversation id
//   linked in the external id map (`opened`, through FuzzServer.linkExternal), as the desk would have.
// - Anything that needs LivePerson (a hosted file's download URL, closing a survey dialog) cannot succeed:
//   503 PARLEY_E_UNAVAILABLE is then a right answer (LivePerson's cue to redeliver), never another 5xx.
//   File paths point nowhere: relative paths, a closed local port.

// ---- LivePerson's signature --------------------------------------------------------------------------------------

type Alg = 'sha1' | 'sha256';
const hmac = (alg: Alg | 'md5' | 'sha512', key: string, body: Buffer, encoding: 'hex' | 'base64' = 'base64') => createHmac(alg, key).update(body).digest(encoding);
const buf = (b: string | Uint8Array) => (typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b));

export interface LivePersonKeys {
  accountId: string;
  clientId: string;
  /** The app's client secrets (the first is current; the second the rotation's next). */
  secrets: () => readonly string[];
}

export function livePersonScheme(k: LivePersonKeys): SignatureScheme {
  const base = { 'content-type': 'application/json', 'user-agent': 'LivePerson-Webhooks' };
  const ids = { 'x-liveperson-account-id': k.accountId, 'x-liveperson-client-id': k.clientId };
  const sig = (raw: Buffer, alg: Alg = 'sha1', encoding: 'base64' | 'hex' = 'base64', key = k.secrets()[0]!) => `${alg}=${hmac(alg, key, raw, encoding)}`;
  const req = (body: string | Uint8Array, headers: Headers, label: string): Signed => ({ body, headers: { ...base, ...headers }, label });
  const signed = (body: string | Uint8Array, label: string, o: { alg?: Alg; encoding?: 'base64' | 'hex'; key?: string } = {}) => req(body, { ...ids, 'x-liveperson-signature': sig(buf(body), o.alg, o.encoding, o.key) }, label);
  const bodyOf = (c: Content) => ('payload' in c ? JSON.stringify(c.payload.body) : c.raw);
  return {
    sign: (c) => signed(bodyOf(c), 'signed'),
    genuine: (p) => {
      const body = JSON.stringify(p.body);
      const raw = buf(body);
      const variants: (() => Signed)[] = [
        () => signed(body, 'signed (sha1, base64)'),
        () => signed(body, 'signed sha256, base64', { alg: 'sha256' }),
        () => signed(body, 'signed sha1, hex', { encoding: 'hex' }),
        () => signed(body, 'signed sha256, hex', { alg: 'sha256', encoding: 'hex' }),
        () => signed(body, 'signed with the next client secret (rotation)', { key: k.secrets()[1]! }),
        () => signed(body, 'signed sha256, hex, with the next client secret', { alg: 'sha256', encoding: 'hex', key: k.secrets()[1]! }),
        () => req(body, { ...ids, 'x-liveperson-signature': sig(raw).replace(/^sha1/, 'SHA1') }, 'signed, prefix upper-case'),
        () => req(body, { 'x-liveperson-signature': ` ${sig(raw)} `, 'x-liveperson-account-id': ` ${k.accountId}`, 'x-liveperson-client-id': `${k.clientId} ` }, 'signed, headers padded'),
        () => ({ ...signed(body, 'signed, charset'), headers: { ...base, 'content-type': 'application/json; charset=utf-8', ...ids, 'x-liveperson-signature': sig(raw) } }),
        () => {
          const pretty = JSON.stringify(p.body, null, 2);
          return signed(pretty, 'signed, pretty-printed');
        },
        () => {
          // Non-ASCII escaped (as some serialisers write it): the signature is over the bytes, whatever they are.
          const escaped = body.replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
          return signed(escaped, 'signed, non-ASCII escaped');
        },
      ];
      return fc.oneof({ weight: 8, arbitrary: fc.constant(variants[0]!) }, { weight: 5, arbitrary: fc.constantFrom(...variants.slice(1)) }).map((f) => f());
    },
    forged: (c) => {
      const body = bodyOf(c);
      const raw = buf(body);
      const d = hmac('sha1', k.secrets()[0]!, raw);
      const withSig = (value: string | string[], label: string, extra: Headers = ids): Signed => req(body, { ...extra, 'x-liveperson-signature': value }, label);
      const changed = raw.length ? Buffer.concat([Buffer.from([raw[0]! ^ 1]), raw.subarray(1)]) : Buffer.from(' ');
      const variants: (() => Signed)[] = [
        () => req(body, ids, 'unsigned'),
        () => req(body, {}, 'unsigned, no account or client id'),
        () => withSig('', 'empty signature'),
        () => withSig('sha1=', 'prefix only'),
        () => withSig('=', 'only "="'),
        () => withSig(sig(raw, 'sha1', 'base64', 'not-the-client-secret'), 'another client secret'),
        () => withSig(sig(raw, 'sha256', 'hex', 'not-the-client-secret'), 'another client secret (sha256, hex)'),
        () => withSig(sig(raw, 'sha1', 'base64', k.clientId), 'keyed with the client id'),
        () => withSig(sig(raw, 'sha1', 'base64', k.accountId), 'keyed with the account id'),
        () => withSig(sig(raw, 'sha1', 'base64', ''), 'an empty key'),
        () => ({ ...signed(body, ''), body: Buffer.concat([raw, Buffer.from(' ')]), label: 'a byte added after signing' }),
        () => ({ ...signed(body, ''), body: changed, label: 'a byte changed after signing' }),
        () => withSig(sig(Buffer.concat([raw, Buffer.from('\n')])), 'signature of other bytes'),
        () => withSig(sig(buf(JSON.stringify({ kind: 'notification', type: 'ms.MessagingEventNotification', body: { changes: [] } }))), 'signature of another notification'),
        // The right signature, but not this account's or this app's headers.
        () => withSig(sig(raw), 'another account id', { ...ids, 'x-liveperson-account-id': '87654321' }),
        () => withSig(sig(raw), 'account id missing', { 'x-liveperson-client-id': k.clientId }),
        () => withSig(sig(raw), 'account id empty', { ...ids, 'x-liveperson-account-id': '' }),
        () => withSig(sig(raw), 'account id with a suffix', { ...ids, 'x-liveperson-account-id': `${k.accountId}0` }),
        () => withSig(sig(raw), 'account id twice', { ...ids, 'x-liveperson-account-id': [k.accountId, k.accountId] }),
        () => withSig(sig(raw), 'another client id', { ...ids, 'x-liveperson-client-id': 'someone-elses-app' }),
        () => withSig(sig(raw), 'client id missing', { 'x-liveperson-account-id': k.accountId }),
        () => withSig(sig(raw), 'client id upper-cased', { ...ids, 'x-liveperson-client-id': k.clientId.toUpperCase() }),
        () => withSig(sig(raw), 'client id twice', { ...ids, 'x-liveperson-client-id': [k.clientId, k.clientId] }),
        () => withSig(sig(raw), 'account and client id swapped', { 'x-liveperson-account-id': k.clientId, 'x-liveperson-client-id': k.accountId }),
        () => withSig(sig(raw), 'no id headers', {}),
        // Broken formats of the signature itself.
        () => withSig(`md5=${hmac('md5', k.secrets()[0]!, raw)}`, 'md5='),
        () => withSig(`sha512=${hmac('sha512', k.secrets()[0]!, raw)}`, 'sha512='),
        () => withSig(`sha256=${d}`, 'an HMAC-SHA1 under sha256='),
        () => withSig(`sha1=${hmac('sha256', k.secrets()[0]!, raw)}`, 'an HMAC-SHA256 under sha1='),
        () => withSig(d, 'no prefix (base64)'),
        () => withSig(hmac('sha1', k.secrets()[0]!, raw, 'hex'), 'no prefix (hex)'),
        () => withSig(`sha1:${d}`, 'wrong separator'),
        () => withSig(`sha1=sha1=${d}`, 'prefix twice'),
        () => withSig(`sha1=${d.slice(0, -2)}`, 'truncated'),
        () => withSig(`sha1=${d.slice(0, 10)}`, 'a tenth of the digest'),
        () => withSig(`sha1=${d}A`, 'one character more'),
        () => withSig(`sha1=${hmac('sha1', k.secrets()[0]!, raw, 'hex').toUpperCase()}`, 'hex upper-case'),
        () => withSig(`sha1=${Buffer.from(d).toString('base64')}`, 'encoded twice'),
        () => withSig(`sha1=${createHash('sha1').update(raw).digest('base64')}`, 'a plain SHA-1 of the body'),
        () => withSig(`sha1=${'A'.repeat(200)}`, 'a 200-character signature'),
        () => withSig([sig(raw), sig(raw)], 'duplicated header (same value)'),
        () => withSig([sig(raw, 'sha1', 'base64', 'not-the-client-secret'), sig(raw)], 'duplicated header (forged first)'),
        () => withSig(`${sig(raw)}, ${sig(raw)}`, 'two signatures in one header'),
        () => req(body, { ...ids, 'x-liveperson-signature-x': sig(raw) }, 'signature in another header'),
        () => req(body, { ...ids, 'x-hub-signature': sig(raw) }, "signature in Meta's header"),
        () => req(body, { ...ids, authorization: `Bearer ${d}` }, 'signature as a bearer token'),
      ];
      return fc.oneof(
        { weight: 10, arbitrary: fc.constantFrom(...variants).map((f) => f()) },
        { weight: 1, arbitrary: fc.tuple(fc.constantFrom('sha1=', 'sha256=', ''), fc.string({ unit: 'grapheme-ascii', maxLength: 80 })).map(([pre, s]) => withSig(pre + s.replace(/[^\x20-\x7e]/g, ''), 'random signature')) },
        { weight: 1, arbitrary: fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'), minLength: 27, maxLength: 27 }).map((s) => withSig(`sha1=${s}=`, 'random base64 digest')) },
      );
    },
  };
}

// ---- Payloads ----------------------------------------------------------------------------------------------------

/** Texts LivePerson agents send: ordinary, nasty, other scripts, JSON look-alikes, at and over its 10,000 limit. */
const textArb = fc.oneof(
  { weight: 6, arbitrary: fc.string({ maxLength: 200 }) },
  { weight: 2, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.constantFrom('Hello from the Agent', 'Hi Kim, how can I help?', 'Grüße 👋', 'مرحبا', '{"type":"text"}', '   ', '\n', '<b>bold</b>') },
  { weight: 1, arbitrary: fc.constantFrom(10_000, 10_001, 50_001).map((n) => 'T'.repeat(n)) },
);
const ROLES = ['ASSIGNED_AGENT', 'ASSIGNED_AGENT', 'ASSIGNED_AGENT', 'AGENT', 'MANAGER', 'READER', 'CONTROLLER', 'BOT', 'CONSUMER', 'CONSUMER', 'bogus', ''] as const;
const AGENTS = ['29c3019d-fe0b-5200-afe8-737abfeae4b4', '662eb2c6-0000-4000-8000-000000000001', 'agent-b', 'bot-1'];
/** Where LivePerson's files are: relative paths in its file store; a closed port; paths that escape. Never a real host. */
const RELATIVE_PATHS = ['/v1/AUTH_async-images/12345678/3c4b6f5e-photo.png', '/v1/AUTH_async-images/12345678/doc.pdf', '../../../../etc/passwd', '//127.0.0.1:9/x.png', 'http://127.0.0.1:9/x.png', 'file:///etc/passwd', '', '%2e%2e/%2e%2e/x', 'p'.repeat(2001)];

export function livePersonTarget(instance: VendorDesk): WebhookTarget {
  const settings = VENDOR_DESKS[instance].settings as unknown as { accountId: string; clientId: string };
  const name = `liveperson/${instance}`;
  const path = `/webhooks/liveperson/${instance}`;
  const schemeOf = (server: FuzzServer) => livePersonScheme({ accountId: settings.accountId, clientId: settings.clientId, secrets: () => server.liveperson.clientSecrets });
  /** The LivePerson conversation id of a scene conversation (its main dialog's id too). */
  const lpId = (c: SceneConversation) => c.vendorIds[0]!;
  const notification = (type: string, changes: unknown[], sentTs?: number) => ({ kind: 'notification', type, body: { ...(sentTs !== undefined ? { sentTs } : {}), changes } });
  const agentText = (conversationId: string, dialogId: string, sequence: number, text: string, role = 'ASSIGNED_AGENT') => ({
    sequence,
    originatorId: AGENTS[0],
    originatorMetadata: { id: AGENTS[0], role },
    serverTimestamp: Date.now(),
    event: { type: 'ContentEvent', message: text, contentType: 'text/plain' },
    conversationId,
    dialogId,
    messageAudience: 'ALL',
  });

  function build(scene: WebhookScene) {
    /** `dialogId:sequence` already sent (LivePerson redelivers them) and survey dialogs already announced. */
    const sent: { dialogId: string; conversationId: string; sequence: number }[] = [];
    const surveys: { dialogId: string; conversationId: string }[] = [];
    const conv = fc.nat().map((i) => scene.conversations[i % scene.conversations.length]!);
    /** Which conversation (and dialog) a change is about: a scene one, its survey, one Parley never heard of, odd ids. */
    const about = fc.oneof(
      { weight: 8, arbitrary: conv.map((c) => ({ conversationId: lpId(c) as string | undefined, dialogId: lpId(c), label: 'scene conversation' })) },
      { weight: 1, arbitrary: conv.map((c) => ({ conversationId: undefined as string | undefined, dialogId: lpId(c), label: 'scene conversation, no conversationId' })) },
      { weight: 1, arbitrary: fc.nat().map((i) => (surveys.length ? { ...surveys[i % surveys.length]!, label: 'survey dialog' } : { conversationId: randomUUID() as string | undefined, dialogId: randomUUID(), label: 'unknown survey dialog' })) },
      { weight: 2, arbitrary: fc.uuid().map((u) => ({ conversationId: u as string | undefined, dialogId: u, label: 'unknown conversation' })) },
      { weight: 1, arbitrary: fc.constantFrom(...NASTY_STRINGS.filter((s) => s.length > 0), 'c'.repeat(200), 'c'.repeat(201)).map((x) => ({ conversationId: x as string | undefined, dialogId: x, label: 'odd conversation id' })) },
    );
    const sequence = fc.oneof(
      { weight: 6, arbitrary: fc.nat({ max: 100_000 }) },
      { weight: 2, arbitrary: fc.constant(-1).map(() => undefined as number | undefined) },
      { weight: 1, arbitrary: fc.constantFrom(0, 2 ** 31, 2 ** 53 - 1, 1.5, -1) },
    );
    const originator = fc.record({ role: fc.constantFrom(...ROLES), id: fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...AGENTS) }, { weight: 1, arbitrary: fc.constantFrom(...NASTY_STRINGS.filter((s) => s.length > 0)) }), withMetadata: fc.oneof({ weight: 8, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }) });
    const audience = fc.constantFrom('ALL', 'ALL', 'ALL', 'ALL', undefined, 'AGENTS_AND_MANAGERS', 'AGENTS_ONLY', 'bogus');
    const hostedFile = fc
      .record({
        relativePath: fc.constantFrom(...RELATIVE_PATHS),
        fileType: fc.constantFrom('PNG', 'JPG', 'JPEG', 'GIF', 'PDF', 'EXE', 'png', ''),
        caption: fc.option(fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom(...NASTY_STRINGS)), { nil: undefined }),
        preview: fc.option(fc.constantFrom('data:image/png;base64,iVBORw0KGgo=', 'javascript:alert(1)', 'x'.repeat(5000)), { nil: undefined }),
      })
      .map((f) => Object.fromEntries(Object.entries(f).filter(([, v]) => v !== undefined)));
    /** Structured content as LivePerson agents send it (json-pollock): texts, buttons, images, nested layouts. */
    const element: fc.Arbitrary<unknown> = fc.letrec<{ el: unknown }>((tie) => ({
      el: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.record({ type: fc.constant('text'), text: textArb, tooltip: fc.string({ maxLength: 20 }) }, { requiredKeys: ['type', 'text'] }),
        fc.record({
          type: fc.constant('button'),
          title: fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom(...NASTY_STRINGS)),
          click: fc.record({ actions: fc.array(fc.oneof(fc.record({ type: fc.constant('link'), name: fc.string({ maxLength: 10 }), uri: fc.constantFrom('https://example.com/a', 'http://127.0.0.1:9/x', 'javascript:alert(1)', 'data:text/html,x', '') }), fc.record({ type: fc.constant('publishText'), text: fc.string({ maxLength: 30 }) }), fc.record({ type: fc.constantFrom('navigate', 'bogus'), lo: fc.double(), la: fc.double() })), { maxLength: 3 }) }, { requiredKeys: [] }),
        }),
        fc.record({ type: fc.constant('image'), url: fc.constantFrom('http://127.0.0.1:9/i.png', 'javascript:alert(1)'), caption: fc.string({ maxLength: 20 }) }),
        fc.record({ type: fc.constantFrom('vertical', 'horizontal', 'carousel'), elements: fc.array(tie('el'), { maxLength: 4 }) }),
        fc.constantFrom({ type: 'map', la: 1, lo: 2 }, { type: 'bogus' }, null, 'text', 42),
      ),
    })).el;
    const quickReplies = fc.option(
      fc.record({ type: fc.constant('quickReplies'), itemsPerRow: fc.constantFrom(8, 0, -1), replies: fc.array(fc.oneof(fc.record({ type: fc.constant('button'), tooltip: fc.string({ maxLength: 10 }), title: fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom(...NASTY_STRINGS)), click: fc.constant({ actions: [{ type: 'publishText', text: 'yes' }] }) }), fc.constantFrom(null, {}, 'x')), { maxLength: 15 }) }),
      { nil: undefined },
    );
    /** One event, with whether handling it may need LivePerson (a hosted file: its download URL). */
    const event = fc.oneof(
      { weight: 6, arbitrary: textArb.map((message) => ({ value: { type: 'ContentEvent', contentType: 'text/plain', message } as Record<string, unknown>, label: 'ContentEvent text', http: false })) },
      { weight: 2, arbitrary: hostedFile.map((message) => ({ value: { type: 'ContentEvent', contentType: 'hosted/file', message } as Record<string, unknown>, label: 'ContentEvent hosted/file', http: true })) },
      {
        weight: 1,
        arbitrary: fc.constantFrom<{ value: Record<string, unknown>; label: string; http: boolean }>(
          { value: { type: 'ContentEvent', contentType: 'hosted/file', message: 'not an object' }, label: 'hosted/file with a text', http: false },
          { value: { type: 'ContentEvent', contentType: 'text/plain', message: { relativePath: '/x' } }, label: 'text/plain with an object', http: true },
          { value: { type: 'ContentEvent', contentType: 'text/html', message: '<b>x</b>' }, label: 'ContentEvent text/html', http: false },
          { value: { type: 'ContentEvent', contentType: 'forms/secure-invitation', message: 'form' }, label: 'ContentEvent secure form', http: false },
          { value: { type: 'ContentEvent', contentType: 'text/plain' }, label: 'ContentEvent without message', http: false },
        ),
      },
      { weight: 3, arbitrary: fc.record({ content: element, quickReplies }).map(({ content, quickReplies: q }) => ({ value: { type: 'RichContentEvent', content, ...(q !== undefined ? { quickReplies: q } : {}) } as Record<string, unknown>, label: 'RichContentEvent', http: false })) },
      { weight: 3, arbitrary: fc.constantFrom('COMPOSING', 'PAUSE', 'ACTIVE', 'INACTIVE', 'GONE', 'bogus', '').map((chatState) => ({ value: { type: 'ChatStateEvent', chatState } as Record<string, unknown>, label: `ChatStateEvent ${chatState}`, http: false })) },
      {
        weight: 3,
        arbitrary: fc
          .record({ status: fc.constantFrom('ACCEPT', 'READ', 'ACCESS', 'NACK', 'ACTION', 'bogus'), sequenceList: fc.oneof(fc.array(fc.nat({ max: 100_000 }), { maxLength: 5 }), fc.constant(0).map(() => sent.slice(-5).map((s) => s.sequence)), fc.constantFrom([], [-1], [1.5], [2 ** 53 - 1])) })
          .map((e) => ({ value: { type: 'AcceptStatusEvent', ...e } as Record<string, unknown>, label: `AcceptStatusEvent ${e.status}`, http: false })),
      },
      { weight: 1, arbitrary: fc.constantFrom('bogus', 'contentEvent', '', 'x'.repeat(101)).map((type) => ({ value: { type, message: 'x' } as Record<string, unknown>, label: `event type ${JSON.stringify(type.slice(0, 12))}`, http: false })) },
    );
    const messagingChange = fc
      .record({ about, sequence, originator, audience, event, retry: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }) })
      .map(({ about: a, sequence: seq, originator: o, audience: au, event: e, retry }) => {
        // A redelivery: the same (dialogId, sequence) as one already sent.
        const again = retry && sent.length ? (sent[Math.floor(Math.abs(seq ?? 0)) % sent.length] ?? sent[0]!) : undefined;
        const where = again ? { conversationId: again.conversationId as string | undefined, dialogId: again.dialogId } : a;
        const sq = again ? again.sequence : seq;
        if (!again && sq !== undefined && Number.isInteger(sq) && sq >= 0 && where.conversationId !== undefined && sent.length < 200) sent.push({ dialogId: where.dialogId, conversationId: where.conversationId, sequence: sq });
        const noSequence = e.value.type === 'ChatStateEvent';
        const change: Record<string, unknown> = {
          ...(sq !== undefined && !noSequence ? { sequence: sq } : {}),
          originatorId: o.id,
          ...(o.withMetadata ? { originatorMetadata: { id: o.id, role: o.role } } : {}),
          serverTimestamp: Date.now(),
          event: e.value,
          ...(where.conversationId !== undefined ? { conversationId: where.conversationId } : {}),
          dialogId: where.dialogId,
          ...(au !== undefined ? { messageAudience: au } : {}),
        };
        return { change, labels: [e.label, `role ${o.role || 'none'}`, `audience ${String(au)}`, again ? 'redelivered' : a.label], http: e.http };
      });

    const sentTs = fc.oneof({ weight: 8, arbitrary: fc.constant(0).map(() => Date.now()) }, { weight: 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(1545398580042, 0, -1, 1.5, 8.64e15, 8.64e15 + 1, 1e20, -1e20, Number.MAX_SAFE_INTEGER, 1e308) });
    const participant = (role: string, id: string) => ({ id, role });
    /** The conversation's whole state, as cqm sends it. */
    const cqmChange = fc
      .record({
        about,
        kind: fc.constantFrom('assigned', 'assigned', 'transfer', 'queue', 'close', 'close', 'survey', 'bot', 'odd'),
        agent: fc.constantFrom(...AGENTS),
        closeReason: fc.constantFrom('AGENT', 'CONSUMER', 'SYSTEM', 'TIMEOUT', 'MANAGER', '', 'x'.repeat(100), undefined),
        skillId: fc.constantFrom('-1', '1234567', 1234567, '', undefined),
        type: fc.constantFrom('UPSERT', 'UPSERT', 'UPSERT', 'DELETE', undefined),
      })
      .map(({ about: a, kind, agent, closeReason, skillId, type }) => {
        const convId = a.conversationId ?? a.dialogId;
        const consumer = participant('CONSUMER', 'ade26082-0000-4000-8000-00000000c0c0');
        const main = { dialogId: convId, dialogType: 'MAIN', channelType: 'MESSAGING', state: kind === 'close' ? 'CLOSE' : 'OPEN', ...(kind === 'close' ? { closedBy: closeReason ?? 'AGENT' } : {}) };
        let participants: unknown[] = [consumer];
        let dialogs: unknown[] = [main];
        let state = 'OPEN';
        let extra: Record<string, unknown> = {};
        let http = false;
        switch (kind) {
          case 'assigned':
            participants = [consumer, participant('ASSIGNED_AGENT', agent)];
            break;
          case 'transfer':
            // The first agent replaced by another (LivePerson lists the one assigned now last).
            participants = [consumer, participant('AGENT', AGENTS[0]!), participant('ASSIGNED_AGENT', agent === AGENTS[0] ? AGENTS[1]! : agent)];
            break;
          case 'queue':
            participants = [consumer];
            break;
          case 'close':
            state = 'CLOSE';
            participants = [consumer, participant('ASSIGNED_AGENT', agent)];
            extra = { ...(closeReason !== undefined ? { closeReason } : {}), endTs: Date.now() };
            break;
          case 'survey': {
            // The main dialog closed, a post-conversation survey open (a bot runs it): skipped by default,
            // which closes it at LivePerson — unreachable here, so 503 may be the answer.
            const survey = randomUUID();
            if (a.conversationId !== undefined && surveys.length < 50) surveys.push({ dialogId: survey, conversationId: convId });
            dialogs = [{ ...main, state: 'CLOSE', closedBy: 'AGENT' }, { dialogId: survey, dialogType: 'POST_SURVEY', channelType: 'MESSAGING', state: 'OPEN' }];
            participants = [consumer, participant('CONTROLLER', 'bot-1')];
            http = true;
            break;
          }
          case 'bot':
            participants = [consumer, participant('CONTROLLER', 'bot-1'), participant('MANAGER', 'manager-1')];
            break;
          default:
            participants = [participant('ASSIGNED_AGENT', ''), participant('', 'x'), participant('ASSIGNED_AGENT', 'y'.repeat(200))];
            dialogs = [{ dialogId: convId }, { dialogId: randomUUID(), dialogType: 'POST_SURVEY', state: 'CLOSE' }];
            state = 'bogus';
        }
        const conversationDetails = { ...(skillId !== undefined ? { skillId } : {}), brandId: settings.accountId, state, stage: state, startTs: Date.now() - 60_000, ttr: { ttrType: 'PRIORITIZED', value: 600 }, participants, dialogs, ...extra };
        const change = { ...(type !== undefined ? { type } : {}), result: { convId, effectiveTTR: -1, conversationDetails } };
        return { change, labels: [`cqm ${kind}`, ...(kind === 'close' ? [`closeReason ${String(closeReason)}`] : []), a.label], http };
      });

    const batch = <T extends { change: unknown; labels: string[]; http: boolean }>(type: string, changes: fc.Arbitrary<T>, max: number) =>
      fc.record({ changes: fc.array(changes, { minLength: 1, maxLength: max }), sentTs }).map(({ changes: cs, sentTs: ts }): Payload => ({
        body: notification(type, cs.map((c) => c.change), ts),
        labels: [type.split('.')[0]!, `${cs.length} change(s)`, ...new Set(cs.flatMap((c) => c.labels))],
        mayRetry: cs.some((c) => c.http),
      }));
    /** Notifications Parley does not handle, and the handled ones spelt differently: acknowledged, ignored. */
    const other = fc.constantFrom<Payload>(
      { body: notification('ms.ExConversationChangeNotification', [{ result: { convId: 'x' } }]), labels: ['other type'], mayRetry: false },
      { body: notification('ms.MessagingEventNotification.ContentEvent', []), labels: ['type with the event suffix'], mayRetry: false },
      { body: notification('MS.MESSAGINGEVENTNOTIFICATION', []), labels: ['type upper-cased'], mayRetry: false },
      { body: { kind: 'resp', type: 'ms.MessagingEventNotification', body: { changes: [] } }, labels: ['kind resp'], mayRetry: false },
      { body: notification('ms.MessagingEventNotification', []), labels: ['no changes'], mayRetry: false },
      { body: notification('cqm.ExConversationChangeNotification', []), labels: ['no cqm changes'], mayRetry: false },
    );
    // Big batches within the body limit: many texts to the scene's conversations, many typing states, a receipt
    // naming many sequences, many state changes of conversations nobody knows.
    const big = fc.constantFrom(100, 400).chain((n) =>
      fc.constantFrom<() => Payload>(
        () => ({ body: notification('ms.MessagingEventNotification', Array.from({ length: n }, (_, i) => { const c = scene.conversations[i % scene.conversations.length]!; return agentText(lpId(c), lpId(c), 200_000 + Math.floor(Math.random() * 1e8), `batch ${i}`); })), labels: [`${n} texts`], mayRetry: false }),
        () => ({ body: notification('ms.MessagingEventNotification', Array.from({ length: n * 5 }, (_, i) => { const c = scene.conversations[i % scene.conversations.length]!; return { originatorMetadata: { id: AGENTS[0], role: 'ASSIGNED_AGENT' }, event: { type: 'ChatStateEvent', chatState: i % 2 ? 'COMPOSING' : 'ACTIVE' }, conversationId: lpId(c), dialogId: lpId(c) }; })), labels: [`${n * 5} typing states`], mayRetry: false }),
        () => { const c = scene.conversations[0]!; return { body: notification('ms.MessagingEventNotification', [{ sequence: 1, originatorMetadata: { id: AGENTS[0], role: 'ASSIGNED_AGENT' }, event: { type: 'AcceptStatusEvent', status: 'READ', sequenceList: Array.from({ length: n * 10 }, (_, i) => i) }, conversationId: lpId(c), dialogId: lpId(c) }]), labels: [`a READ of ${n * 10} sequences`], mayRetry: false }; },
        () => ({ body: notification('cqm.ExConversationChangeNotification', Array.from({ length: n }, () => { const id = randomUUID(); return { type: 'UPSERT', result: { convId: id, conversationDetails: { state: 'OPEN', participants: [{ id: AGENTS[0], role: 'ASSIGNED_AGENT' }], dialogs: [{ dialogId: id, dialogType: 'MAIN', state: 'OPEN' }] } } }; }), Date.now()), labels: [`${n} cqm changes of unknown conversations`], mayRetry: false }),
      ).map((f) => f()),
    );
    const payloads = fc.oneof(
      { weight: 12, arbitrary: batch('ms.MessagingEventNotification', messagingChange, 4) },
      { weight: 6, arbitrary: batch('cqm.ExConversationChangeNotification', cqmChange, 3) },
      { weight: 1, arbitrary: other },
      { weight: 1, arbitrary: big },
    );
    // One change of a notification with a field of the wrong type, missing, or an extra one, beside a
    // well-formed one: the notification must still be answered (the bad change skipped), never a 5xx.
    const wrongChange = fc.tuple(fc.oneof({ weight: 2, arbitrary: messagingChange.map((m) => ({ type: 'ms.MessagingEventNotification', ...m })) }, { weight: 1, arbitrary: cqmChange.map((m) => ({ type: 'cqm.ExConversationChangeNotification', ...m })) }), mutationArb, conv).map(([ch, m, c]) => {
      const good = ch.type === 'ms.MessagingEventNotification' ? JSON.stringify(agentText(lpId(c), lpId(c), 300_000 + Math.floor(Math.random() * 1e8), 'before the odd change')) : JSON.stringify({ type: 'UPSERT', result: { convId: randomUUID(), conversationDetails: { state: 'OPEN' } } });
      return { body: `{"kind":"notification","type":"${ch.type}","body":{"sentTs":${Date.now()},"changes":[${good},${applyMutation(ch.change, m)}]}}`, mutation: m, label: `${ch.labels[0]}, mutated:${m.kind}` };
    });
    return { payloads, wrongChange };
  }

  /** Mutations that leave the notification JSON (only the one change odd): it must be accepted, the change skipped. */
  const stillJson = (m: { kind: string }) => m.kind === 'drop' || m.kind === 'retype' || m.kind === 'extra' || m.kind === 'top' || m.kind === 'proto';

  return {
    name,
    desk: instance,
    method: 'POST',
    path,
    refusal: SIGNATURE_REFUSAL,
    scheme: schemeOf,

    // LivePerson is never reached here, so the desk never opened a LivePerson conversation for the scene's
    // customer: link one to it, as ensureConversation would have.
    opened: (scene, c) => scene.server.linkExternal(instance, 'conversation', lpId(c), c.id),

    extraCases: (scene) => ({
      weight: 3,
      arbitrary: build(scene).wrongChange.map(({ body, mutation, label }): WebhookCase => {
        const s = schemeOf(scene.server).sign({ raw: body });
        return {
          target: name,
          req: { op: `POST ${path}`, as: 'vendor', method: 'POST', path, headers: s.headers, body: s.body, labels: [name, 'signed', 'one change of the wrong shape', label] },
          expect: stillJson(mutation) ? 'accepted' : 'handled',
          refusal: SIGNATURE_REFUSAL,
          mayRetry: true,
        };
      }),
    }),

    // An agent's message LivePerson delivers several times at once: stored once, by (dialogId, sequence).
    // Sequences from 10^9 up, so no payload above ever used one. The burst's own LivePerson conversation id,
    // linked just before it to a scene conversation that is open then (a cqm CLOSE may have ended the one
    // picked when the payload was made).
    duplicate(scene, pick, id, text) {
      const lp = `dup-${id}`;
      const sequence = 1_000_000_000 + parseInt(id.replace(/-/g, '').slice(0, 12), 16);
      const body = notification('ms.MessagingEventNotification', [agentText(lp, lp, sequence, text)], Date.now());
      let c: SceneConversation | undefined;
      return {
        payload: { body, labels: ['ContentEvent text'], mayRetry: false },
        before: async () => {
          await refreshScene(scene);
          c = scene.conversations[pick % scene.conversations.length]!;
          await scene.server.linkExternal(instance, 'conversation', lp, c.id);
          await newMessages(scene, c);
        },
        stored: async (marker) => (await newMessages(scene, c!)).filter((m) => m.text.includes(marker)).length,
      };
    },

    payloads: (scene) => build(scene).payloads,
  };
}
