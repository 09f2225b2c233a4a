import { createSign, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { selfSignedCertificate } from '../../emulators/kit/x509.js';
import { SnsVerifier, snsStringToSign, type SnsMessage } from '../../src/vendor/sns.js';

// The verifier against messages signed here with a locally generated key, served through a stub fetch, so
// every rule is checked without a network: the signature per version, the topic, the certificate URL.

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:parley-sms';
const CERT_URL = 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem';
const { privateKey, certPem } = selfSignedCertificate({ commonName: 'sns.amazonaws.com' });

function sign(m: Omit<SnsMessage, 'Signature'>): SnsMessage {
  const algorithm = m.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256';
  const Signature = createSign(algorithm).update(snsStringToSign({ ...m, Signature: '' }), 'utf8').sign(privateKey, 'base64');
  return { ...m, Signature };
}

function notification(over: Partial<SnsMessage> = {}): SnsMessage {
  return sign({
    Type: 'Notification',
    MessageId: 'b1f6a3e2-0000-4000-8000-000000000001',
    TopicArn: TOPIC,
    Subject: 'hello',
    Message: '{"messageBody":"hi"}',
    Timestamp: '2026-12-01T10:00:00.000Z',
    SignatureVersion: '2',
    SigningCertURL: CERT_URL,
    UnsubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=x',
    ...over,
  });
}

function confirmation(type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation' = 'SubscriptionConfirmation', over: Partial<SnsMessage> = {}): SnsMessage {
  return sign({
    Type: type,
    MessageId: 'b1f6a3e2-0000-4000-8000-000000000002',
    TopicArn: TOPIC,
    Token: 'tok-123',
    Message: 'You have chosen to subscribe to the topic.',
    SubscribeURL: 'https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=tok-123',
    Timestamp: '2026-12-01T10:00:00.000Z',
    SignatureVersion: '1',
    SigningCertURL: CERT_URL,
    ...over,
  });
}

function setup(opts: { trustedHosts?: string[]; status?: number; delayMs?: number } = {}) {
  const calls: string[] = [];
  const fetchStub = (async (input: string | URL | Request) => {
    const url = String(input instanceof Request ? input.url : input);
    calls.push(url);
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs));
    if (url.includes('ConfirmSubscription')) return new Response('<ConfirmSubscriptionResponse/>', { status: opts.status ?? 200 });
    if (url.endsWith('.pem')) return new Response(certPem, { status: opts.status ?? 200 });
    return new Response('not found', { status: 404 });
  }) as typeof fetch;
  const verifier = new SnsVerifier({ topicArns: [TOPIC], ...(opts.trustedHosts ? { trustedHosts: opts.trustedHosts } : {}), fetch: fetchStub });
  return { verifier, calls };
}

const body = (m: unknown) => Buffer.from(JSON.stringify(m));

describe('SnsVerifier', () => {
  it('the test certificate is a real X.509 certificate for the signing key', () => {
    const x = new X509Certificate(certPem);
    expect(x.checkPrivateKey(privateKey)).toBe(true);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.subject).toContain('CN=sns.amazonaws.com');
  });

  it('accepts a valid SignatureVersion 2 notification (Buffer or string)', async () => {
    const { verifier } = setup();
    const m = notification();
    expect(await verifier.verify(body(m))).toEqual(m);
    expect(await verifier.verify(JSON.stringify(m))).toEqual(m);
  });

  it('accepts a valid SignatureVersion 1 notification, and one without a Subject', async () => {
    const { verifier } = setup();
    expect(await verifier.verify(body(notification({ SignatureVersion: '1' })))).toBeDefined();
    const { Subject: _omit, ...noSubject } = notification();
    const resigned = sign({ ...noSubject });
    expect(await verifier.verify(body(resigned))).toBeDefined();
    expect(await verifier.verify(body({ ...resigned, Subject: null }))).toBeDefined();
  });

  it('accepts subscription and unsubscribe confirmations (Token and SubscribeURL signed)', async () => {
    const { verifier } = setup();
    expect((await verifier.verify(body(confirmation())))?.Type).toBe('SubscriptionConfirmation');
    expect((await verifier.verify(body(confirmation('UnsubscribeConfirmation'))))?.Type).toBe('UnsubscribeConfirmation');
    // The token is signed: swapping it breaks the signature.
    expect(await verifier.verify(body({ ...confirmation(), Token: 'other' }))).toBeUndefined();
  });

  it('accepts the Lambda spelling SigningCertUrl', async () => {
    const { verifier } = setup();
    const { SigningCertURL, ...m } = notification();
    expect(await verifier.verify(body({ ...m, SigningCertUrl: SigningCertURL }))).toBeDefined();
  });

  it('rejects a tampered message, subject, id or timestamp', async () => {
    const { verifier } = setup();
    const m = notification();
    for (const over of [{ Message: '{"messageBody":"pay me"}' }, { Subject: 'x' }, { MessageId: 'other' }, { Timestamp: '2026-12-01T10:00:01.000Z' }]) {
      expect(await verifier.verify(body({ ...m, ...over }))).toBeUndefined();
    }
    // Version 1 signature presented as version 2.
    expect(await verifier.verify(body({ ...notification({ SignatureVersion: '1' }), SignatureVersion: '2' }))).toBeUndefined();
  });

  it('rejects a genuine signature for a topic the endpoint does not accept, without fetching', async () => {
    const { verifier, calls } = setup();
    expect(await verifier.verify(body(notification({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:other' })))).toBeUndefined();
    expect(calls).toEqual([]);
  });

  it('rejects certificate URLs off AWS SNS hosts, over http, without .pem in the path, with credentials or ports', async () => {
    const { verifier, calls } = setup();
    for (const url of [
      'https://evil.example.com/SimpleNotificationService-abc.pem',
      'https://sns.us-east-1.amazonaws.com.evil.example/cert.pem',
      'https://s3.amazonaws.com/cert.pem',
      'http://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem',
      'https://sns.us-east-1.amazonaws.com/cert?x=.pem',
      'https://user:pw@sns.us-east-1.amazonaws.com/cert.pem',
      'https://sns.us-east-1.amazonaws.com:8443/cert.pem',
      'not a url',
    ]) {
      expect(await verifier.verify(body(notification({ SigningCertURL: url }))), url).toBeUndefined();
    }
    expect(calls).toEqual([]);
  });

  it('accepts the China partition host', async () => {
    const { verifier } = setup();
    expect(await verifier.verify(body(notification({ SigningCertURL: 'https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem' })))).toBeDefined();
  });

  it('trusts an emulator host over http only when configured', async () => {
    const url = 'http://127.0.0.1:4599/__sns/parley-sms/cert.pem';
    expect(await setup().verifier.verify(body(notification({ SigningCertURL: url })))).toBeUndefined();
    expect(await setup({ trustedHosts: ['127.0.0.1:4599'] }).verifier.verify(body(notification({ SigningCertURL: url })))).toBeDefined();
    expect(await setup({ trustedHosts: ['127.0.0.1:4600'] }).verifier.verify(body(notification({ SigningCertURL: url })))).toBeUndefined();
  });

  it('rejects bad base64, bad JSON, unknown Type, unknown version, missing fields', async () => {
    const { verifier } = setup();
    const m = notification();
    expect(await verifier.verify(body({ ...m, Signature: '***' + m.Signature.slice(3) }))).toBeUndefined();
    expect(await verifier.verify(body({ ...m, Signature: '' }))).toBeUndefined();
    expect(await verifier.verify('{"Type":')).toBeUndefined();
    expect(await verifier.verify(Buffer.from([0xff, 0xfe, 0x00]))).toBeUndefined();
    expect(await verifier.verify('[]')).toBeUndefined();
    expect(await verifier.verify('null')).toBeUndefined();
    expect(await verifier.verify(body({ ...m, Type: 'Other' }))).toBeUndefined();
    expect(await verifier.verify(body({ ...m, SignatureVersion: '3' }))).toBeUndefined();
    expect(await verifier.verify(body({ ...m, SignatureVersion: 2 }))).toBeUndefined();
    const { MessageId: _id, ...noId } = m;
    expect(await verifier.verify(body(noId))).toBeUndefined();
    const { Token: _t, ...noToken } = confirmation();
    expect(await verifier.verify(body(noToken))).toBeUndefined();
  });

  it('fetches the certificate once for many messages, concurrent ones included', async () => {
    const { verifier, calls } = setup({ delayMs: 20 });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => verifier.verify(body(notification({ MessageId: `m-${i}` })))));
    expect(results.every(Boolean)).toBe(true);
    await verifier.verify(body(notification({ MessageId: 'later' })));
    expect(calls).toEqual([CERT_URL]);
  });

  it('does not cache a failed certificate fetch', async () => {
    const { verifier, calls } = setup({ status: 500 });
    expect(await verifier.verify(body(notification()))).toBeUndefined();
    expect(await verifier.verify(body(notification()))).toBeUndefined();
    expect(calls.length).toBe(2);
  });

  it('rejects a certificate that does not match the signing key', async () => {
    const other = selfSignedCertificate({ commonName: 'other', bits: 1024 });
    const fetchStub = (async () => new Response(other.certPem)) as unknown as typeof fetch;
    const verifier = new SnsVerifier({ topicArns: [TOPIC], fetch: fetchStub });
    expect(await verifier.verify(body(notification()))).toBeUndefined();
  });

  describe('confirm', () => {
    it('GETs the SubscribeURL of a verified confirmation', async () => {
      const { verifier, calls } = setup();
      const m = (await verifier.verify(body(confirmation())))!;
      await verifier.confirm(m);
      expect(calls).toContain(m.SubscribeURL);
    });

    it('refuses a SubscribeURL off the trusted hosts, and a notification', async () => {
      const { verifier, calls } = setup();
      await expect(verifier.confirm({ ...confirmation(), SubscribeURL: 'https://evil.example.com/?Action=ConfirmSubscription' })).rejects.toMatchObject({ code: 'PARLEY_E_WEBHOOK_FORGED' });
      await expect(verifier.confirm({ ...confirmation(), SubscribeURL: 'http://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription' })).rejects.toMatchObject({ code: 'PARLEY_E_WEBHOOK_FORGED' });
      await expect(verifier.confirm({ ...confirmation(), TopicArn: 'arn:aws:sns:us-east-1:1:other' })).rejects.toMatchObject({ code: 'PARLEY_E_WEBHOOK_FORGED' });
      await expect(verifier.confirm(notification())).rejects.toMatchObject({ code: 'PARLEY_E_VALIDATION' });
      expect(calls).toEqual([]);
    });

    it('classifies SNS refusals: 4xx final, 5xx retryable', async () => {
      await expect(setup({ status: 403 }).verifier.confirm(confirmation())).rejects.toMatchObject({ code: 'PARLEY_E_DELIVERY_REJECTED', retryable: false });
      await expect(setup({ status: 503 }).verifier.confirm(confirmation())).rejects.toMatchObject({ code: 'PARLEY_E_DELIVERY_UNAVAILABLE', retryable: true });
    });

    it('times out', async () => {
      const fetchStub = ((_url: unknown, init?: RequestInit) =>
        new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)))) as typeof fetch;
      const verifier = new SnsVerifier({ topicArns: [TOPIC], timeoutMs: 50, fetch: fetchStub });
      await expect(verifier.confirm(confirmation())).rejects.toMatchObject({ code: 'PARLEY_E_DELIVERY_TIMEOUT', retryable: true });
    });
  });
});
