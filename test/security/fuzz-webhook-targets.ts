import { createHmac, randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { NASTY_STRINGS } from './fuzz-arbitraries.js';
import { VENDOR_CHANNELS, VENDOR_DESKS, type FuzzServer, type VendorChannel, type VendorDesk } from './fuzz-server.js';
import { livePersonTarget } from './fuzz-liveperson.js';
import { messengerTarget, whatsappTarget } from './fuzz-meta.js';
import { snsConfirmations, snsScheme, type SnsMeta } from './fuzz-sns.js';
import { agentReply, FORGED_REFUSAL, genesysTarget, phoneNumber, SIGNATURE_REFUSAL, storedFromPhone, type Content, type Payload, type SignatureScheme, type Signed, type WebhookScene, type WebhookTarget } from './fuzz-webhooks.js';

// The webhook targets besides Genesys (fuzz-webhooks.ts): Twilio SMS (a header over the configured URL and
// the form parameters), the two Amazon SNS endpoints — the Connect desk's chat stream and the aws-sms
// channel — whose signature is inside the body (fuzz-sns.ts), Meta's Messenger and WhatsApp channels
// (fuzz-meta.ts: the POST of events and the GET handshake) and the LivePerson desk (fuzz-liveperson.ts).
// Every URL a payload names is local: a closed port, the fuzz server itself or the SNS certificate host;
// nothing reaches a vendor.

/** Vendor ids that repeat (retries) or are odd (within the vendor's own length limit). */
const idArb = (fresh: fc.Arbitrary<string>, reused: () => string[], maxLength: number) =>
  fc.oneof(
    { weight: 6, arbitrary: fresh },
    { weight: 2, arbitrary: fc.nat().map((i) => reused()[i % Math.max(1, reused().length)] ?? 'reused') },
    { weight: 1, arbitrary: fc.constantFrom(...NASTY_STRINGS.filter((s) => s.length > 0 && s.length <= maxLength), 'i'.repeat(maxLength)) },
  );
const remember = (scene: WebhookScene, id: unknown) => {
  if (typeof id === 'string' && scene.messageIds.length < 50 && !scene.messageIds.includes(id)) scene.messageIds.push(id);
};
const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
const sidArb = (prefix: string) => hex(32).map((h) => `${prefix}${h}`);

/** Texts a customer sends: ordinary, nasty, keywords and their look-alikes, long ones. */
const smsText = fc.oneof(
  { weight: 6, arbitrary: fc.string({ maxLength: 160 }) },
  { weight: 2, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 2, arbitrary: fc.constantFrom('STOP', 'stop', ' Stop ', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'START', 'UNSTOP', 'YES', 'HELP', 'INFO', 'STOP please', 'stop!', 'ARRET', 'OPT-OUT') },
  { weight: 1, arbitrary: fc.constantFrom(1600, 10_000, 10_001).map((n) => 'S'.repeat(n)) },
);

/** A customer's phone: one of the scene's, one of a small pool (so conversations do not pile up), or not a phone. */
function phoneArb(scene: WebhookScene): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...scene.phones) },
    { weight: 2, arbitrary: fc.nat({ max: 9 }).map((i) => phoneNumber(scene.target.name, 100 + i)) },
    { weight: 1, arbitrary: fc.constantFrom('whatsapp:+15550100001', '+0123', '15550100001', '+1555010000100000', 'client:alice', ...NASTY_STRINGS.slice(0, 10).filter((s) => s.length > 0)) },
  );
}

/** A fresh phone for a duplicate burst (a collision with an earlier burst's is harmless: stored once per phone). */
const freshPhone = (scene: WebhookScene) => phoneNumber(scene.target.name, 1000 + Math.floor(Math.random() * 9000));

// ---- Twilio SMS (src/channels/twilio-sms/webhook.ts) --------------------------------------------------------------

type Params = Record<string, string | string[]>;

/** X-Twilio-Signature as Twilio computes it (written from Twilio's helper, not imported from src/). */
function twilioSign(token: string, url: string, params: Params): string {
  let data = url;
  for (const k of Object.keys(params).sort()) {
    const v = params[k]!;
    for (const x of typeof v === 'string' ? [v] : [...new Set(v)].sort()) data += k + x;
  }
  return createHmac('sha1', token).update(Buffer.from(data, 'utf8')).digest('base64');
}

function formOf(params: Params): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of typeof v === 'string' ? [v] : v) q.append(k, x);
  return q.toString();
}

function paramsOf(body: string): Params {
  // No prototype: a field may be called __proto__.
  const out = Object.create(null) as Params;
  for (const [k, v] of new URLSearchParams(body)) {
    const had = out[k];
    out[k] = had === undefined ? v : typeof had === 'string' ? [had, v] : [...had, v];
  }
  return out;
}

/** Bytes that are no payload as a form body: a mutated payload (JSON) becomes its fields; anything else stays as it is. */
function rawForm(raw: string | Uint8Array): string {
  const text = typeof raw === 'string' ? raw : Buffer.from(raw).toString('utf8');
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return formOf(Object.fromEntries(Object.entries(v).map(([k, x]) => [k, Array.isArray(x) ? x.map((y) => (typeof y === 'string' ? y : JSON.stringify(y) ?? '')) : typeof x === 'string' ? x : (JSON.stringify(x) ?? '')])));
    }
  } catch {
    /* not JSON: a form body of whatever it is */
  }
  return text;
}

export function twilioScheme(o: { url: string; publicUrl: () => string; token: () => string }): SignatureScheme {
  const form = { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'TwilioProxy/1.1' };
  const parts = (c: Content) => {
    const body = 'payload' in c ? formOf(c.payload.body as Params) : rawForm(c.raw);
    const query = 'payload' in c && typeof c.payload.meta?.query === 'string' ? c.payload.meta.query : undefined;
    return { body, query, url: query ? `${o.url}?${query}` : o.url };
  };
  const req = (body: string, signature: string | string[] | undefined, query: string | undefined, label: string, extra: Record<string, string> = {}): Signed => ({
    body,
    headers: { ...form, ...(signature !== undefined ? { 'x-twilio-signature': signature } : {}), 'i-twilio-idempotency-token': randomUUID(), ...extra },
    ...(query ? { query } : {}),
    label,
  });
  return {
    sign: (c) => {
      const p = parts(c);
      return req(p.body, twilioSign(o.token(), p.url, paramsOf(p.body)), p.query, 'signed');
    },
    genuine: (payload) => {
      const p = parts({ payload });
      const params = paramsOf(p.body);
      const variants: (() => Signed)[] = [
        () => req(p.body, twilioSign(o.token(), p.url, params), p.query, 'signed'),
        // Twilio may sign the URL with the default port (the helper tries both).
        () => req(p.body, twilioSign(o.token(), p.url.replace('.example/', '.example:443/'), params), p.query, 'signed, URL with :443'),
        // The order of the body's fields is not signed (names are sorted).
        () => req(formOf(Object.fromEntries(Object.entries(params).reverse())), twilioSign(o.token(), p.url, params), p.query, 'signed, fields in another order'),
        () => req(p.body, twilioSign(o.token(), p.url, params), p.query, 'signed, charset', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }),
        // HTTP strips the spaces around a header's value.
        () => req(p.body, ` ${twilioSign(o.token(), p.url, params)} `, p.query, 'signed, header padded'),
      ];
      return fc.oneof({ weight: 6, arbitrary: fc.constant(variants[0]!) }, { weight: 1, arbitrary: fc.constantFrom(...variants.slice(1)) }).map((f) => f());
    },
    forged: (c) => {
      const p = parts(c);
      const params = paramsOf(p.body);
      const good = () => twilioSign(o.token(), p.url, params);
      const added = `${p.body}${p.body ? '&' : ''}Forged=1`;
      const entries = [...new URLSearchParams(p.body)];
      // Removing or changing a field after signing; where that changes nothing signed (no field at all, or a
      // repeated one: Twilio signs each distinct value once), adding one is the change.
      const unchanged = (body: string) => twilioSign(o.token(), p.url, paramsOf(body)) === good();
      const orAdded = (body: string) => (entries.length && !unchanged(body) ? body : added);
      const removed = orAdded(new URLSearchParams(entries.slice(0, -1)).toString());
      const changed = orAdded(new URLSearchParams(entries.map(([k, v], i) => [k, i === 0 ? `${v}x` : v])).toString());
      const variants: (() => Signed)[] = [
        () => req(p.body, undefined, p.query, 'unsigned'),
        () => req(p.body, '', p.query, 'empty signature'),
        () => req(p.body, twilioSign('not-the-auth-token', p.url, params), p.query, 'another Auth Token'),
        () => req(p.body, twilioSign(o.token(), `${o.publicUrl()}/webhooks/twilio-sms/tw${p.query ? `?${p.query}` : ''}`, params), p.query, "another URL (the server's own, as a Host header would rebuild it)"),
        () => req(p.body, twilioSign(o.token(), p.url.replace('https://', 'http://'), params), p.query, 'another URL (http)'),
        () => req(p.body, twilioSign(o.token(), p.url.replace('/tw', '/tw/'), params), p.query, 'another URL (a trailing slash)'),
        () => req(p.body, twilioSign(o.token(), p.url.replace('.example/', '.example:8443/'), params), p.query, 'another URL (another port)'),
        () => req(added, good(), p.query, 'a field added after signing'),
        () => req(removed, good(), p.query, 'a field removed after signing'),
        () => req(changed, good(), p.query, 'a field changed after signing'),
        () => req(p.body, good(), p.query ? undefined : 'parleyEvent=ev_forged', p.query ? 'the signed query removed' : 'a query added after signing'),
        () => req(p.body, twilioSign(o.token(), `${o.url}?parleyEvent=ev_other`, params), p.query, 'signed for another query'),
        () => req(p.body, [good(), good()], p.query, 'header duplicated (same value)'),
        () => req(p.body, [twilioSign('not-the-auth-token', p.url, params), good()], p.query, 'header duplicated (forged first)'),
        () => req(p.body, `${good()}, ${good()}`, p.query, 'two signatures in one header'),
        () => req(p.body, createHmac('sha256', o.token()).update(p.url).digest('base64'), p.query, 'HMAC-SHA256'),
        () => req(p.body, Buffer.from(good(), 'base64').toString('hex'), p.query, 'hex'),
        () => req(p.body, good().replace(/=$/, ''), p.query, 'unpadded'),
        () => req(p.body, good().toLowerCase(), p.query, 'lower-cased'),
        () => req(p.body, twilioSign(o.token(), p.url, {}), p.query, 'signed over the URL alone'),
        () => ({ ...req(p.body, undefined, p.query, 'signature in another header'), headers: { ...form, 'x-twilio-signature-x': good() } }),
        () => ({ ...req(JSON.stringify(params), good(), p.query, 'the signed fields sent as JSON'), headers: { 'content-type': 'application/json', 'x-twilio-signature': good() } }),
      ];
      return fc.oneof(
        fc.constantFrom(...variants).map((f) => f()),
        fc.string({ unit: 'grapheme-ascii', minLength: 27, maxLength: 29 }).map((s) => req(p.body, s.replace(/[^\x20-\x7e]/g, 'A'), p.query, 'random signature')),
      );
    },
  };
}

export function twilioTarget(instance: VendorChannel): WebhookTarget {
  const settings = VENDOR_CHANNELS[instance].settings as { accountSid: string; from: string; webhookUrl: string; apiBaseUrl: string };
  const name = `twilio-sms/${instance}`;
  return {
    name,
    channel: instance,
    method: 'POST',
    path: `/webhooks/twilio-sms/${instance}`,
    refusal: SIGNATURE_REFUSAL,
    scheme: (server: FuzzServer) => twilioScheme({ url: settings.webhookUrl, publicUrl: () => server.url, token: () => server.webhookSecrets.tw }),

    // An agent's reply to the first scene customer: status callbacks name it by Parley's query (its event id).
    prepare: (scene) =>
      agentReply(scene, scene.phones[0]!, { body: { MessageSid: `SM${randomUUID().replace(/-/g, '')}`, AccountSid: settings.accountSid, From: scene.phones[0]!, To: settings.from, Body: 'Hello from the webhook scene', NumMedia: '0' }, labels: [], mayRetry: false }),

    duplicate(scene, _pick, id, text) {
      const phone = freshPhone(scene);
      const body = { MessageSid: `SM${id.replace(/-/g, '')}`, AccountSid: settings.accountSid, From: phone, To: settings.from, Body: text, NumMedia: '0', SmsStatus: 'received', ApiVersion: '2010-04-01' };
      return { payload: { body, labels: ['inbound'], mayRetry: false }, before: async () => undefined, stored: (marker) => storedFromPhone(scene, phone, marker) };
    },

    payloads(scene) {
      const messageSid = idArb(sidArb('SM'), () => scene.messageIds, 64);
      const account = fc.constantFrom(settings.accountSid, settings.accountSid, settings.accountSid, settings.accountSid, `AC${'0'.repeat(32)}`, '');
      const common = fc.record({
        AccountSid: account,
        From: phoneArb(scene),
        To: fc.constantFrom(settings.from, settings.from, '+15005550001', 'whatsapp:+15005550006'),
        ApiVersion: fc.constantFrom('2010-04-01'),
        FromCountry: fc.constantFrom('US', 'GB', ''),
        FromCity: fc.constantFrom('SEATTLE', '', 'Zürich'),
      });
      // MMS: where Twilio's media URLs point here — nowhere that answers with a file (a closed port standing in
      // for Twilio's API host, which gets the account's credentials), the fuzz server itself, schemes never fetched.
      const mediaUrl = fc.constantFrom(
        `${settings.apiBaseUrl}/2010-04-01/Accounts/${settings.accountSid}/Messages/MM0/Media/ME0`,
        'http://127.0.0.1:9/media/cat.jpg',
        'http://[::1]:9/x',
        'http://user:secret@127.0.0.1:9/x.png',
        'ftp://127.0.0.1/file',
        'file:///etc/passwd',
        'data:image/png;base64,iVBORw0KGgo=',
        'javascript:alert(1)',
        '',
        'not a url',
      );
      const media = fc.array(fc.record({ url: fc.oneof({ weight: 4, arbitrary: mediaUrl }, { weight: 1, arbitrary: fc.constantFrom('/healthz', '/no-such-file.png').map((p) => `${scene.server.url}${p}`) }), type: fc.constantFrom('image/jpeg', 'image/png', 'video/mp4', 'text/vcard', 'application/pdf', '', 'x/'.repeat(60)) }), { maxLength: 3 });
      const inbound = fc
        .record({
          sid: messageSid,
          common,
          Body: smsText,
          media,
          // Twilio's NumMedia always counts the files; other values are the mutations' business (malformed).
          OptOutType: fc.constantFrom(undefined, undefined, undefined, 'STOP', 'START', 'HELP', 'BOGUS'),
          service: fc.option(sidArb('MG'), { nil: undefined }),
        })
        .map(({ sid, common: c, Body, media: m, OptOutType, service }): Payload => {
          const body: Params = { MessageSid: sid, SmsSid: sid, SmsMessageSid: sid, ...c, Body, NumMedia: String(m.length), NumSegments: '1', SmsStatus: 'received' };
          m.forEach((x, i) => {
            body[`MediaUrl${i}`] = x.url;
            body[`MediaContentType${i}`] = x.type;
          });
          if (OptOutType) body.OptOutType = OptOutType;
          if (service) body.MessagingServiceSid = service;
          return { body, labels: [m.length ? `MMS (${m.length})` : 'SMS', OptOutType ? `OptOutType ${OptOutType}` : 'no OptOutType'], mayRetry: false };
        });
      // A status callback names the agent message it is about by Parley's own query (its event id) or by MessageSid.
      const parleyEvent = fc.oneof(
        fc.constant(undefined),
        fc.nat().map((i) => scene.agentEvents[i % Math.max(1, scene.agentEvents.length)] ?? 'ev_none'),
        fc.nat().map((i) => scene.agentEvents[i % Math.max(1, scene.agentEvents.length)] ?? 'ev_none'),
        fc.nat().map((i) => scene.world.pools.event[i % Math.max(1, scene.world.pools.event.length)] ?? 'ev_none'),
        fc.constantFrom('ev_does_not_exist', '', 'ev_\u0000', 'x'.repeat(300)),
      );
      const status = fc
        .record({
          sid: messageSid,
          common,
          MessageStatus: fc.constantFrom('queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'read', 'accepted', 'scheduled', 'canceled', 'partially_delivered', 'receiving', 'received', 'DELIVERED', 'bogus'),
          ErrorCode: fc.constantFrom(undefined, undefined, '30003', '30004', '30005', '30006', '30007', '30008', '21610', '11200', '63017', '', 'abc'),
          parleyEvent,
        })
        .map(({ sid, common: c, MessageStatus, ErrorCode, parleyEvent: ev }): Payload => {
          const body: Params = { MessageSid: sid, SmsSid: sid, ...c, From: settings.from, To: c.From, MessageStatus, SmsStatus: MessageStatus };
          if (ErrorCode !== undefined) body.ErrorCode = ErrorCode;
          return { body, ...(ev !== undefined ? { meta: { query: new URLSearchParams({ parleyEvent: ev }).toString() } } : {}), labels: ['status', MessageStatus, `ErrorCode ${String(ErrorCode)}`, ev === undefined ? 'by MessageSid' : 'by parleyEvent'], mayRetry: false };
        });
      return fc.oneof({ weight: 6, arbitrary: inbound }, { weight: 3, arbitrary: status }).map((p) => {
        remember(scene, (p.body as Params).MessageSid);
        return p;
      });
    },
  };
}

// ---- Amazon SNS targets -----------------------------------------------------------------------------------------

const subjectArb = fc.constantFrom<string | null | undefined>(undefined, undefined, undefined, null, 'Amazon Connect', '', 'ü'.repeat(10));
const attr = (v: string) => ({ Type: 'String', Value: v });

// ---- Amazon Connect chat stream (src/desks/connect/webhook.ts) -------------------------------------------------

const CONNECT_EVENTS = [
  'application/vnd.amazonaws.connect.event.participant.joined',
  'application/vnd.amazonaws.connect.event.participant.left',
  'application/vnd.amazonaws.connect.event.participant.invited',
  'application/vnd.amazonaws.connect.event.typing',
  'application/vnd.amazonaws.connect.event.transfer.succeeded',
  'application/vnd.amazonaws.connect.event.transfer.failed',
  'application/vnd.amazonaws.connect.event.chat.ended',
  'application/vnd.amazonaws.connect.event.message.delivered',
  'application/vnd.amazonaws.connect.event.message.read',
  'application/vnd.amazonaws.connect.event.message.metadata',
  'application/vnd.amazonaws.connect.event.connection.acknowledged',
  'application/vnd.amazonaws.connect.event.bogus',
  '',
];
const CONNECT_MESSAGE_TYPES = ['text/plain', 'text/markdown', 'application/json', 'application/vnd.amazonaws.connect.message.interactive', 'application/vnd.amazonaws.connect.message.interactive.response', 'text/html', ''];

export function connectTarget(instance: VendorDesk): WebhookTarget {
  const topicArn = (VENDOR_DESKS[instance].settings as { topicArn: string }).topicArn;
  const name = `connect/${instance}`;
  return {
    name,
    desk: instance,
    method: 'POST',
    path: `/webhooks/connect/${instance}`,
    refusal: FORGED_REFUSAL,
    scheme: (server) => snsScheme({ sns: () => server.sns, topicArns: [topicArn] }),
    // Answers only: a Connect contact is linked to a conversation only once StartChatContact succeeds, which
    // it never does against the fuzz server's closed vendor host, so nothing is stored to count. The burst
    // still races the SNS MessageId's "seen" mark (find, then link).
    duplicate(_scene, _pick, id, text) {
      const contact = randomUUID();
      const body = { AbsoluteTime: new Date().toISOString(), Id: id, Type: 'MESSAGE', ContentType: 'text/plain', Content: text, ParticipantId: randomUUID(), DisplayName: 'Agent Ann', ParticipantRole: 'AGENT', InitialContactId: contact, ContactId: contact };
      const meta: SnsMeta = { Type: 'Notification', TopicArn: topicArn, MessageAttributes: { MessageVisibility: attr('ALL'), InitialContactId: attr(contact) } };
      return { payload: { body, meta: meta as Record<string, unknown>, labels: ['MESSAGE'], mayRetry: false }, before: async () => undefined };
    },

    payloads(scene) {
      const contactIds: string[] = [];
      const contactId = fc.oneof(
        { weight: 3, arbitrary: fc.uuid() },
        { weight: 3, arbitrary: fc.nat().map((i) => contactIds[i % Math.max(1, contactIds.length)] ?? randomUUID()) },
        { weight: 1, arbitrary: fc.constantFrom(...NASTY_STRINGS.filter((s) => s.length > 0)) },
      );
      const id = idArb(fc.uuid(), () => scene.messageIds, 256);
      const participant = fc.record({
        ParticipantId: fc.option(fc.uuid(), { nil: undefined, freq: 8 }),
        ParticipantRole: fc.constantFrom('AGENT', 'AGENT', 'CUSTOMER', 'SYSTEM', 'SUPERVISOR', 'CUSTOM_BOT', 'bogus', undefined),
        DisplayName: fc.constantFrom('Agent Ann', 'SYSTEM_MESSAGE', 'BOT', '', '<b>x</b>', 'n'.repeat(300), undefined),
      });
      const routing = fc.record({ initial: contactId, contact: fc.option(contactId, { nil: undefined, freq: 4 }), initialMissing: fc.boolean() });
      const visibility = fc.constantFrom('ALL', 'ALL', 'CUSTOMER', 'AGENT', 'MANAGER', undefined, 'odd');
      const content = (type: string, ct: string): fc.Arbitrary<string | undefined> => {
        if (ct.endsWith('message.delivered') || ct.endsWith('message.read')) {
          return fc.oneof(fc.uuid().map((m) => JSON.stringify({ messageId: m })), fc.nat().map((i) => JSON.stringify({ messageId: scene.messageIds[i % Math.max(1, scene.messageIds.length)] ?? 'x' })), fc.constantFrom('{}', '{"messageId":1}', 'not json', undefined));
        }
        if (ct.endsWith('transfer.succeeded')) return fc.constantFrom(JSON.stringify({ queue: 'Billing' }), '{"queue":""}', '{}', undefined);
        if (type === 'EVENT') return fc.constantFrom(undefined, '', '{}');
        if (ct.includes('interactive')) return fc.constantFrom(JSON.stringify({ templateType: 'QuickReply', version: '1.0', data: { content: { title: 'Pick one', elements: [{ title: 'Yes' }, { title: 'No' }] } } }), '{"templateType":"ListPicker"}', '{', '');
        return fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom(...NASTY_STRINGS), fc.constantFrom('**bold** [link](javascript:alert(1))', 'T'.repeat(20_000)));
      };
      const item = fc
        .oneof(
          { weight: 4, arbitrary: fc.constantFrom(...CONNECT_MESSAGE_TYPES).map((ct) => ({ Type: 'MESSAGE', ContentType: ct })) },
          { weight: 4, arbitrary: fc.constantFrom(...CONNECT_EVENTS).map((ct) => ({ Type: 'EVENT', ContentType: ct })) },
          { weight: 1, arbitrary: fc.constantFrom({ Type: 'ATTACHMENT', ContentType: '' }) },
          { weight: 1, arbitrary: fc.constantFrom({ Type: 'bogus', ContentType: 'text/plain' }, { Type: 'message', ContentType: 'text/plain' }) },
        )
        .chain((k) =>
          fc.record({
            k: fc.constant(k),
            Id: id,
            Content: content(k.Type, k.ContentType),
            participant,
            routing,
            visibility,
            Subject: subjectArb,
            attachments: fc.array(
              fc.record({ AttachmentId: fc.oneof(fc.uuid(), fc.constant('')), AttachmentName: fc.constantFrom('a.pdf', '../../etc/passwd', '', undefined), ContentType: fc.constantFrom('application/pdf', 'image/png', 'text/html', undefined), Status: fc.constantFrom('APPROVED', 'APPROVED', 'REJECTED', 'IN_PROGRESS', undefined) }, { requiredKeys: ['AttachmentId'] }),
              { maxLength: k.Type === 'ATTACHMENT' ? 3 : 0 },
            ),
            oddAttributes: fc.boolean(),
          }),
        )
        .map(({ k, Id, Content, participant: pa, routing: r, visibility: v, Subject, attachments, oddAttributes }): Payload => {
          if (contactIds.length < 20) contactIds.push(r.initial);
          const body: Record<string, unknown> = { AbsoluteTime: new Date().toISOString(), Id, Type: k.Type, ContentType: k.ContentType, ...(Content !== undefined ? { Content } : {}), ...pa };
          if (!r.initialMissing) body.InitialContactId = r.initial;
          body.ContactId = r.contact ?? r.initial;
          if (k.Type === 'ATTACHMENT') body.Attachments = attachments;
          const attrs: Record<string, { Type: string; Value: string }> = { InitialContactId: attr(r.initial), Type: attr(k.Type), ContentType: attr(k.ContentType), AccountId: attr('123456789012'), InstanceId: attr('fuzz-instance') };
          if (v !== undefined) attrs.MessageVisibility = attr(v);
          if (typeof pa.ParticipantRole === 'string') attrs.ParticipantRole = attr(pa.ParticipantRole);
          const meta: SnsMeta = { Type: 'Notification', TopicArn: topicArn, Subject, MessageAttributes: oddAttributes ? ({ MessageVisibility: 'ALL', x: null } as unknown as SnsMeta['MessageAttributes']) : attrs };
          remember(scene, Id);
          // An approved attachment is fetched through Connect: not reachable now is SNS's cue to retry (503).
          return { body, meta: meta as Record<string, unknown>, labels: [k.Type, k.ContentType || 'no ContentType', `role ${String(pa.ParticipantRole)}`, `visibility ${String(v)}`], mayRetry: k.Type === 'ATTACHMENT' };
        });
      // A genuine notification that is not a transcript item (a test publish from the console).
      const other = fc.constantFrom<Payload>(
        { body: 'Hello from the SNS console', meta: { Type: 'Notification', TopicArn: topicArn }, labels: ['console publish'], mayRetry: false },
        { body: { default: 'x' }, meta: { Type: 'Notification', TopicArn: topicArn }, labels: ['not an item'], mayRetry: false },
      );
      return fc.oneof({ weight: 12, arbitrary: item }, { weight: 2, arbitrary: snsConfirmations(() => scene.server.sns, [topicArn]) }, { weight: 1, arbitrary: other });
    },
  };
}

// ---- AWS End User Messaging SMS (src/channels/aws-sms/webhook.ts) ------------------------------------------------

const TEXT_EVENTS = [
  'TEXT_DELIVERED',
  'TEXT_SUCCESSFUL',
  'TEXT_PENDING',
  'TEXT_QUEUED',
  'TEXT_BLOCKED',
  'TEXT_CARRIER_BLOCKED',
  'TEXT_UNREACHABLE',
  'TEXT_CARRIER_UNREACHABLE',
  'TEXT_INVALID',
  'TEXT_INVALID_MESSAGE',
  'TEXT_SPAM',
  'TEXT_TTL_EXPIRED',
  'TEXT_OPTED_OUT',
  'TEXT_PROTECT_BLOCKED',
  'TEXT_UNKNOWN',
  'text_delivered',
  'DELIVERED',
];

export function awsSmsTarget(instance: VendorChannel): WebhookTarget {
  const settings = VENDOR_CHANNELS[instance].settings as { topicArn: string; eventsTopicArn: string; originationIdentity: string };
  const topics = [settings.topicArn, settings.eventsTopicArn];
  const name = `aws-sms/${instance}`;
  const inboundBody = (phone: string, id: string, text: string) => ({ originationNumber: phone, destinationNumber: settings.originationIdentity, messageKeyword: 'KEYWORD_123456789012', messageBody: text, inboundMessageId: id });
  return {
    name,
    channel: instance,
    method: 'POST',
    path: `/webhooks/aws-sms/${instance}`,
    refusal: FORGED_REFUSAL,
    scheme: (server) => snsScheme({ sns: () => server.sns, topicArns: topics }),

    duplicate(scene, _pick, id, text) {
      const phone = freshPhone(scene);
      return {
        payload: { body: inboundBody(phone, id, text), meta: { Type: 'Notification', TopicArn: settings.topicArn }, labels: ['inbound'], mayRetry: false },
        before: async () => undefined,
        stored: (marker) => storedFromPhone(scene, phone, marker),
      };
    },

    payloads(scene) {
      const id = idArb(fc.uuid(), () => scene.messageIds, 200);
      const inbound = fc
        .record({
          phone: phoneArb(scene),
          id,
          text: smsText,
          keyword: fc.constantFrom('KEYWORD_123456789012', 'STOP', 'stop', 'HELP', '', undefined),
          previous: fc.option(fc.constantFrom('wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', ''), { nil: undefined }),
          destination: fc.constantFrom(settings.originationIdentity, settings.originationIdentity, '+15005550199', ''),
          topic: fc.constantFrom(settings.topicArn, settings.topicArn, settings.topicArn, settings.eventsTopicArn),
          Subject: subjectArb,
        })
        .map(({ phone, id: mid, text, keyword, previous, destination, topic, Subject }): Payload => {
          remember(scene, mid);
          const body = { ...inboundBody(phone, mid, text), destinationNumber: destination, ...(keyword !== undefined ? { messageKeyword: keyword } : { messageKeyword: undefined }), ...(previous !== undefined ? { previousPublishedMessageId: previous } : {}) };
          return { body, meta: { Type: 'Notification', TopicArn: topic, Subject }, labels: ['inbound text', `keyword ${String(keyword)}`], mayRetry: false };
        });
      const event = fc
        .record({
          eventType: fc.constantFrom(...TEXT_EVENTS),
          isFinal: fc.constantFrom(true, false, undefined),
          messageId: id,
          messageStatus: fc.constantFrom('DELIVERED', 'SUCCESSFUL', 'BLOCKED', 'UNREACHABLE', undefined),
          messageStatusDescription: fc.constantFrom('Message has been accepted by phone', 'Blocked by carrier', '', undefined),
          phone: phoneArb(scene),
          topic: fc.constantFrom(settings.eventsTopicArn, settings.eventsTopicArn, settings.topicArn),
        })
        .map(({ phone, topic, ...e }): Payload => {
          const body = {
            eventType: e.eventType,
            eventVersion: '1.0',
            eventTimestamp: Date.now(),
            isFinal: e.isFinal,
            originationPhoneNumber: settings.originationIdentity,
            destinationPhoneNumber: phone,
            isoCountryCode: 'US',
            messageId: e.messageId,
            messageRequestTimestamp: Date.now() - 1000,
            messageEncoding: 'GSM',
            messageType: 'TRANSACTIONAL',
            messageStatus: e.messageStatus,
            messageStatusDescription: e.messageStatusDescription,
            totalMessageParts: 1,
            totalMessagePrice: 0.00581,
            configurationSetName: 'fuzz-events',
          };
          return { body, meta: { Type: 'Notification', TopicArn: topic }, labels: ['delivery event', e.eventType, `isFinal ${String(e.isFinal)}`], mayRetry: false };
        });
      const other = fc.constantFrom<Payload>(
        { body: 'Test publish from the console', meta: { Type: 'Notification', TopicArn: settings.topicArn }, labels: ['console publish'], mayRetry: false },
        { body: { originationNumber: '+15550100001' }, meta: { Type: 'Notification', TopicArn: settings.topicArn }, labels: ['partial text'], mayRetry: false },
        { body: { eventType: 'TEXT_DELIVERED' }, meta: { Type: 'Notification', TopicArn: settings.eventsTopicArn }, labels: ['partial event'], mayRetry: false },
      );
      return fc.oneof({ weight: 8, arbitrary: inbound }, { weight: 5, arbitrary: event }, { weight: 2, arbitrary: snsConfirmations(() => scene.server.sns, topics) }, { weight: 1, arbitrary: other });
    },
  };
}

/** Every webhook the fuzz server serves: one entry per vendor instance in VENDOR_DESKS and VENDOR_CHANNELS. */
export const WEBHOOK_TARGETS: Record<VendorDesk | VendorChannel, WebhookTarget> = {
  gc: genesysTarget('gc'),
  cx: connectTarget('cx'),
  lp: livePersonTarget('lp'),
  tw: twilioTarget('tw'),
  sms: awsSmsTarget('sms'),
  fb: messengerTarget('fb'),
  wa: whatsappTarget('wa'),
};
