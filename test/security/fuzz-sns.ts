import { createSign, randomUUID, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { selfSignedCertificate } from '../../emulators/kit/x509.js';
import type { Content, Payload, SignatureScheme, Signed } from './fuzz-webhooks.js';

// Amazon SNS for the fuzz suite's SNS targets (the Connect desk's chat stream, the aws-sms channel): a
// certificate host and a signer. SNS puts its signature INSIDE the JSON body — an envelope naming the topic,
// signed with RSA by the certificate at SigningCertURL — so the scheme makes the whole request from a payload
// (the envelope's Message and facts such as Type and SubscribeURL), and its forgeries change the envelope.
//
// The certificate host is a small local HTTP server started with the fuzz server (fuzz-server.ts) and given
// to both adapters as `snsTrustedHosts`, as an emulator's is. Nothing here reaches a real AWS host: genuine
// envelopes name only this server, forged ones may name AWS but then over http (never fetched) or with
// something else wrong that is checked before any fetch.

/** The certificate host: one key signs, another certificate stands for "someone else's". */
export interface SnsCertServer {
  /** host:port, for `snsTrustedHosts`. */
  host: string;
  /** http://host:port */
  url: string;
  /** SigningCertURL of the genuine certificate. */
  certUrl: string;
  /** A certificate on the trusted host whose key is not the signer's. */
  otherCertUrl: string;
  /** Sign a string to sign as SNS does (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA). */
  sign(stringToSign: string, version: '1' | '2', key?: 'ours' | 'other'): string;
  /** SubscribeURLs on the trusted host: answered 200, refused 404, 503, or the connection dropped. */
  subscribeUrls: { ok: string; gone: string; busy: string; unreachable: string };
  /** How often a certificate was fetched (the verifier should cache it). */
  fetches(): number;
  close(): Promise<void>;
}

export async function startSnsCertServer(): Promise<SnsCertServer> {
  const ours = selfSignedCertificate({ commonName: 'sns.fuzz.local' });
  const other = selfSignedCertificate({ commonName: 'sns.other.local' });
  let fetches = 0;
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const send = (status: number, body: string, type = 'text/plain') => {
      res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    if (req.method !== 'GET') return send(405, '');
    switch (path) {
      case '/sns/SimpleNotificationService-fuzz.pem':
        fetches++;
        return send(200, ours.certPem, 'application/x-x509-ca-cert');
      case '/sns/SimpleNotificationService-other.pem':
        fetches++;
        return send(200, other.certPem, 'application/x-x509-ca-cert');
      case '/sns/not-a-certificate.pem':
        return send(200, '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n', 'application/x-x509-ca-cert');
      case '/sns/confirm':
        return send(200, '<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>arn:aws:sns:us-east-1:123456789012:fuzz:1</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>', 'text/xml');
      case '/sns/busy':
        return send(503, '<ErrorResponse><Error><Code>Throttling</Code></Error></ErrorResponse>', 'text/xml');
      case '/sns/unreachable':
        req.socket.destroy();
        return;
      default:
        return send(404, 'not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  const url = `http://${host}`;
  const keys: Record<'ours' | 'other', KeyObject> = { ours: ours.privateKey, other: other.privateKey };
  return {
    host,
    url,
    certUrl: `${url}/sns/SimpleNotificationService-fuzz.pem`,
    otherCertUrl: `${url}/sns/SimpleNotificationService-other.pem`,
    sign: (s, version, key = 'ours') => createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256').update(s, 'utf8').sign(keys[key], 'base64'),
    subscribeUrls: {
      ok: `${url}/sns/confirm?Action=ConfirmSubscription`,
      gone: `${url}/sns/gone?Action=ConfirmSubscription`,
      busy: `${url}/sns/busy?Action=ConfirmSubscription`,
      unreachable: `${url}/sns/unreachable?Action=ConfirmSubscription`,
    },
    fetches: () => fetches,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// ---- The envelope -----------------------------------------------------------------------------------------------

export type SnsType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

/** The envelope facts a payload may choose (Payload.meta of an SNS target); the rest the scheme fills in. */
export interface SnsMeta {
  Type?: SnsType;
  /** One of the target's topics (default: its first). */
  TopicArn?: string;
  Subject?: string | null;
  SubscribeURL?: string;
  Token?: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

type Envelope = Record<string, unknown>;

/** AWS's string to sign, written here from the SNS guide (not imported from src/: a shared mistake would hide). */
function stringToSign(e: Envelope): string {
  const keys = e.Type === 'Notification' ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return keys
    .filter((k) => e[k] !== undefined && e[k] !== null)
    .map((k) => `${k}\n${String(e[k])}\n`)
    .join('');
}

const FORGED_ITEM = '{"Id":"forged","Type":"MESSAGE","ContentType":"text/plain","Content":"forged"}';

const messageText = (body: unknown): string => (typeof body === 'string' ? body : (JSON.stringify(body) ?? ''));

/** How a forgery changes a genuine envelope: before signing (the signature covers the change) or after. */
interface Forgery {
  label: string;
  before?: (e: Envelope) => void;
  after?: (e: Envelope) => void;
  key?: 'other';
  version?: '1' | '2';
  /** The body is something else entirely. */
  body?: (e: Envelope, signedBody: string) => string;
}

export function snsScheme(o: { sns: () => SnsCertServer; topicArns: readonly string[] }): SignatureScheme {
  const headers = (e: Envelope) => ({
    'content-type': 'text/plain; charset=UTF-8',
    'x-amz-sns-message-type': typeof e.Type === 'string' ? e.Type : 'Notification',
    'x-amz-sns-message-id': typeof e.MessageId === 'string' ? e.MessageId : 'none',
    'x-amz-sns-topic-arn': typeof e.TopicArn === 'string' ? e.TopicArn : 'none',
    'user-agent': 'Amazon Simple Notification Service Agent',
  });

  /** The genuine envelope of a content (unsigned yet): raw bytes become a Notification's Message. */
  function envelope(c: Content, version: '1' | '2'): Envelope {
    const sns = o.sns();
    const meta: SnsMeta = 'payload' in c ? ((c.payload.meta ?? {}) as SnsMeta) : {};
    const message = 'payload' in c ? messageText(c.payload.body) : typeof c.raw === 'string' ? c.raw : Buffer.from(c.raw).toString('utf8');
    const type = meta.Type ?? 'Notification';
    const e: Envelope = { Type: type, MessageId: randomUUID(), TopicArn: meta.TopicArn ?? o.topicArns[0]! };
    if (type === 'Notification') {
      if (meta.Subject !== undefined) e.Subject = meta.Subject;
    } else e.Token = meta.Token ?? randomUUID().replace(/-/g, '').repeat(4);
    e.Message = message;
    if (type !== 'Notification') e.SubscribeURL = meta.SubscribeURL ?? sns.subscribeUrls.ok;
    e.Timestamp = new Date().toISOString();
    e.SignatureVersion = version;
    e.SigningCertURL = sns.certUrl;
    if (type === 'Notification') e.UnsubscribeURL = `${sns.url}/sns/unsubscribe?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(`${String(e.TopicArn)}:fuzz`)}`;
    if (meta.MessageAttributes) e.MessageAttributes = meta.MessageAttributes;
    return e;
  }

  const signEnvelope = (e: Envelope, version: '1' | '2', key: 'ours' | 'other' = 'ours') => {
    e.Signature = o.sns().sign(stringToSign(e), version, key);
    return e;
  };

  const done = (e: Envelope, label: string, body = JSON.stringify(e)): Signed => ({ body, headers: headers(e), label });

  const build = (c: Content, f: Forgery): Signed => {
    const version = f.version ?? '2';
    const e = envelope(c, version);
    f.before?.(e);
    signEnvelope(e, version, f.key === 'other' ? 'other' : 'ours');
    const signed = JSON.stringify(e);
    f.after?.(e);
    return done(e, f.label, f.body ? f.body(e, signed) : JSON.stringify(e));
  };

  const drop = (k: string): Forgery => ({ label: `no ${k}`, after: (e) => delete e[k] });
  const forgeries: Forgery[] = [
    { label: 'unsigned (the message alone, as raw message delivery sends it)', body: (e) => String(e.Message) },
    { label: 'signed by another key', key: 'other' },
    // (Another key with its own certificate on the trusted host would be genuine: the host is what is trusted.)
    { label: 'signed by our key, naming another certificate on the trusted host', before: (e) => (e.SigningCertURL = o.sns().otherCertUrl) },
    { label: 'another topic (signed)', before: (e) => (e.TopicArn = 'arn:aws:sns:us-east-1:123456789012:not-our-topic') },
    { label: 'another account, same topic name (signed)', before: (e) => (e.TopicArn = String(e.TopicArn).replace('123456789012', '210987654321')) },
    { label: 'topic changed after signing', after: (e) => (e.TopicArn = 'arn:aws:sns:us-east-1:123456789012:not-our-topic') },
    { label: 'cert URL on an untrusted host', before: (e) => (e.SigningCertURL = 'http://127.0.0.1:9/sns/SimpleNotificationService-fuzz.pem') },
    { label: 'cert URL on an untrusted host (https)', before: (e) => (e.SigningCertURL = 'https://sns.us-east-1.amazonaws.com.fuzz.invalid/SimpleNotificationService-fuzz.pem') },
    { label: 'cert URL http on an AWS host', before: (e) => (e.SigningCertURL = 'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-fuzz.pem') },
    { label: 'cert URL with credentials', before: (e) => (e.SigningCertURL = String(e.SigningCertURL).replace('http://', 'http://user:pw@')) },
    { label: 'cert URL not a .pem', before: (e) => (e.SigningCertURL = String(e.SigningCertURL).replace(/\.pem$/, '.txt')) },
    { label: 'cert URL .pem only in the query', before: (e) => (e.SigningCertURL = `${String(e.SigningCertURL).replace(/\.pem$/, '')}?x=.pem`) },
    { label: 'cert URL not a certificate', before: (e) => (e.SigningCertURL = `${o.sns().url}/sns/not-a-certificate.pem`) },
    { label: 'cert URL not found', before: (e) => (e.SigningCertURL = `${o.sns().url}/sns/${randomUUID()}.pem`) },
    { label: 'cert URL unreachable', before: (e) => (e.SigningCertURL = `${o.sns().url}/sns/unreachable.pem`) },
    { label: 'cert URL not a URL', before: (e) => (e.SigningCertURL = 'SimpleNotificationService-fuzz.pem') },
    { label: 'tampered Message', after: (e) => (e.Message = `${String(e.Message)} `) },
    { label: 'Message replaced', after: (e) => (e.Message = e.Message === FORGED_ITEM ? `${FORGED_ITEM} ` : FORGED_ITEM) },
    { label: 'tampered MessageId', after: (e) => (e.MessageId = randomUUID()) },
    { label: 'tampered Timestamp', after: (e) => (e.Timestamp = new Date(Date.now() + 1000).toISOString()) },
    { label: 'tampered Subject or Token', after: (e) => (e.Type === 'Notification' ? (e.Subject = 'forged') : (e.Token = `${String(e.Token)}0`)) },
    { label: 'tampered SubscribeURL (Notification: Message)', after: (e) => (e.Type === 'Notification' ? (e.Message = `${String(e.Message)}x`) : (e.SubscribeURL = `${String(e.SubscribeURL)}&x=1`)) },
    { label: 'Type changed after signing', after: (e) => (e.Type = e.Type === 'Notification' ? 'SubscriptionConfirmation' : 'Notification') },
    { label: 'SignatureVersion 1 claimed, signed with 2', after: (e) => (e.SignatureVersion = '1') },
    { label: 'SignatureVersion 2 claimed, signed with 1', version: '1', after: (e) => (e.SignatureVersion = '2') },
    { label: 'SignatureVersion 3', after: (e) => (e.SignatureVersion = '3') },
    { label: 'SignatureVersion as a number', after: (e) => (e.SignatureVersion = 2) },
    { label: 'Signature not base64', after: (e) => (e.Signature = `${String(e.Signature).slice(0, -4)}!!!!`) },
    { label: 'Signature truncated', after: (e) => (e.Signature = String(e.Signature).slice(0, 100)) },
    { label: 'Signature of another message', after: (e) => (e.Signature = o.sns().sign('Message\nother\n', '2')) },
    { label: 'empty Signature', after: (e) => (e.Signature = '') },
    { label: 'Signature as an array', after: (e) => (e.Signature = [e.Signature]) },
    drop('Signature'),
    drop('SigningCertURL'),
    drop('SignatureVersion'),
    drop('TopicArn'),
    drop('MessageId'),
    drop('Timestamp'),
    drop('Type'),
    drop('Message'),
    { label: 'no Token or SubscribeURL', after: (e) => (e.Type === 'Notification' ? delete e.Message : (delete e.Token, delete e.SubscribeURL)) },
    { label: 'cert URL in the Lambda spelling too, untrusted', after: (e) => ((e.SigningCertUrl = 'http://127.0.0.1:9/x.pem'), delete e.SigningCertURL) },
    { label: 'the envelope twice', body: (_e, signed) => `[${signed},${signed}]` },
    { label: 'the envelope as a string', body: (_e, signed) => JSON.stringify(signed) },
    { label: 'the envelope, form-encoded', body: (e) => new URLSearchParams(Object.entries(e).map(([k, v]) => [k, String(v)])).toString() },
  ];

  return {
    sign: (c) => build(c, { label: 'signed' }),
    genuine: (p) =>
      fc
        .constantFrom<Forgery>(
          { label: 'signed (v2)' },
          { label: 'signed (v2)' },
          { label: 'signed (v1)', version: '1' },
          // AWS's own layout: `"Key" : value` with new lines (the verifier must not depend on ours).
          { label: 'signed (v2), AWS layout', body: (e) => `{\n${Object.entries(e).map(([k, v]) => `  ${JSON.stringify(k)} : ${JSON.stringify(v)}`).join(',\n')}\n}` },
          { label: 'signed (v1), Lambda spelling SigningCertUrl', version: '1', after: (e) => ((e.SigningCertUrl = e.SigningCertURL), delete e.SigningCertURL) },
          { label: 'signed (v2), Subject null', after: (e) => e.Type === 'Notification' && e.Subject === undefined && (e.Subject = null) },
          { label: 'signed (v2), unknown fields', after: (e) => (e.FuzzExtra = { a: [1, 2] }) },
        )
        .map((f) => build({ payload: p }, f)),
    forged: (c) => fc.constantFrom(...forgeries).map((f) => build(c, f)),
  };
}

/** SubscriptionConfirmation and UnsubscribeConfirmation payloads for an SNS target's topics. */
export function snsConfirmations(sns: () => SnsCertServer, topicArns: readonly string[]): fc.Arbitrary<Payload> {
  const topic = fc.constantFrom(...topicArns);
  // Where SubscribeURL points: the trusted host answering 200, 404 or 503 or dropping the connection, or a
  // host that is not trusted. Only the first confirms; the others must be refused or retried, never a 5xx
  // of Parley's own making (503 UNAVAILABLE asks SNS to send the confirmation again).
  const where = fc.constantFrom<{ url: () => string; label: string; ok: boolean }>(
    { url: () => sns().subscribeUrls.ok, label: 'SubscribeURL confirms', ok: true },
    { url: () => sns().subscribeUrls.gone, label: 'SubscribeURL 404', ok: false },
    { url: () => sns().subscribeUrls.busy, label: 'SubscribeURL 503', ok: false },
    { url: () => sns().subscribeUrls.unreachable, label: 'SubscribeURL unreachable', ok: false },
    { url: () => 'http://127.0.0.1:9/?Action=ConfirmSubscription&Token=x', label: 'SubscribeURL on an untrusted host', ok: false },
    { url: () => 'https://sns.us-east-1.amazonaws.com.fuzz.invalid/?Action=ConfirmSubscription', label: 'SubscribeURL on a look-alike host', ok: false },
    { url: () => 'http://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription', label: 'SubscribeURL http on an AWS host', ok: false },
    { url: () => 'not a url', label: 'SubscribeURL not a URL', ok: false },
  );
  const subscribe = fc.tuple(topic, where, fc.constantFrom('You have chosen to subscribe to the topic.\nTo confirm the subscription, visit the SubscribeURL included in this message.', '', '{}')).map(
    ([t, w, message]): Payload => ({ body: message, meta: { Type: 'SubscriptionConfirmation', TopicArn: t, SubscribeURL: w.url() } satisfies SnsMeta, labels: ['SubscriptionConfirmation', w.label], mayRetry: !w.ok }),
  );
  const unsubscribe = fc.tuple(topic, where).map(
    ([t, w]): Payload => ({ body: 'You have chosen to deactivate subscription.', meta: { Type: 'UnsubscribeConfirmation', TopicArn: t, SubscribeURL: w.url() } satisfies SnsMeta, labels: ['UnsubscribeConfirmation'], mayRetry: false }),
  );
  return fc.oneof({ weight: 3, arbitrary: subscribe }, { weight: 1, arbitrary: unsubscribe });
}
