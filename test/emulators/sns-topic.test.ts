// The emulator kit's SNS topic against Parley's verifier: what one signs the other accepts, a tampered body is
// refused, the subscription handshake works over real HTTP, and deliveries retry as SNS's policy says.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { json, SnsTopic, startEmulator, type RunningEmulator } from '../../emulators/kit/index.js';
import { SnsVerifier, type SnsMessage } from '../../src/vendor/sns.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:parley-test';

interface Got {
  headers: IncomingHttpHeaders;
  raw: string;
  verified: SnsMessage | undefined;
}

async function setup(opts: { signatureVersion?: '1' | '2'; answers?: number[] } = {}) {
  let topic!: SnsTopic;
  const emulator: RunningEmulator<null> = await startEmulator('sns-test', {
    retryPolicy: () => ({ timeoutMs: 500, delaysMs: [], retryOn: () => false }),
    vendor: (kit) => {
      topic = new SnsTopic({ topicArn: TOPIC, baseUrl: () => kit.baseUrl, ...(opts.signatureVersion ? { signatureVersion: opts.signatureVersion } : {}), retry: { delaysMs: [30, 30, 30], timeoutMs: 500 } });
      const notFound = () => json(404, { message: 'not found' });
      return {
        routes: topic.routes(),
        errors: { notFound, methodNotAllowed: notFound, badJson: notFound, tooLarge: notFound, internal: () => json(500, {}), injected: (s) => json(s, {}) },
        credentials: null,
        summary: () => ({}),
        controlDocs: [],
        reset: () => topic.reset(),
        close: () => topic.close(),
      };
    },
  });
  const verifier = new SnsVerifier({ topicArns: [TOPIC], trustedHosts: [new URL(emulator.url).host] });
  const got: Got[] = [];
  const answers = [...(opts.answers ?? [])];
  // A minimal subscriber: verify, confirm subscriptions, answer from the script (default 200).
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const raw = Buffer.concat(chunks);
        const verified = await verifier.verify(raw);
        got.push({ headers: req.headers, raw: raw.toString('utf8'), verified });
        if (verified?.Type === 'SubscriptionConfirmation') await verifier.confirm(verified);
        res.writeHead(verified ? (answers.shift() ?? 200) : 403).end();
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/sns`;
  const close = async () => {
    await emulator.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  };
  return { topic, emulator, verifier, got, endpoint, close };
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

describe('SnsTopic', () => {
  it.each(['1', '2'] as const)('subscribes, confirms and publishes notifications the verifier accepts (SignatureVersion %s)', async (version) => {
    const s = await setup({ signatureVersion: version });
    cleanup = s.close;
    await s.topic.subscribe(s.endpoint);
    expect(s.topic.confirmed()).toEqual([s.endpoint]);
    const confirmation = s.got[0]!;
    expect(confirmation.verified?.Type).toBe('SubscriptionConfirmation');
    expect(confirmation.headers['x-amz-sns-message-type']).toBe('SubscriptionConfirmation');
    expect(confirmation.headers['x-amz-sns-subscription-arn']).toBeUndefined();

    const id = await s.topic.publish('{"messageBody":"hello"}', { subject: 'inbound' });
    await s.topic.idle();
    const n = s.got[1]!;
    expect(n.verified).toMatchObject({ Type: 'Notification', MessageId: id, Message: '{"messageBody":"hello"}', Subject: 'inbound', SignatureVersion: version, TopicArn: TOPIC });
    expect(n.headers).toMatchObject({
      'content-type': 'text/plain; charset=UTF-8',
      'x-amz-sns-message-type': 'Notification',
      'x-amz-sns-message-id': id,
      'x-amz-sns-topic-arn': TOPIC,
    });
    expect(String(n.headers['x-amz-sns-subscription-arn'])).toMatch(new RegExp(`^${TOPIC}:`));
    // AWS's layout, which a body parser must take as JSON under text/plain.
    expect(n.raw).toMatch(/^\{\n {2}"Type" : "Notification",\n/);
  });

  it('a notification without a subject verifies; a tampered one does not', async () => {
    const s = await setup();
    cleanup = s.close;
    await s.topic.subscribe(s.endpoint);
    await s.topic.publish('plain');
    await s.topic.idle();
    const raw = s.got.at(-1)!.raw;
    expect(await s.verifier.verify(raw)).toMatchObject({ Message: 'plain' });
    expect(JSON.parse(raw)).not.toHaveProperty('Subject');
    expect(await s.verifier.verify(raw.replace('"plain"', '"tampered"'))).toBeUndefined();
    const other = new SnsVerifier({ topicArns: [TOPIC] }); // the emulator's host not trusted
    expect(await other.verify(raw)).toBeUndefined();
  });

  it('serves the certificate once to a caching verifier', async () => {
    const s = await setup();
    cleanup = s.close;
    await s.topic.subscribe(s.endpoint);
    for (let i = 0; i < 5; i++) await s.topic.publish(`m${i}`);
    await s.topic.idle();
    expect(s.got.filter((g) => g.verified).length).toBe(6);
    expect(s.topic.certFetches).toBe(1);
  });

  it('does not publish to an unconfirmed subscription, and an unknown token is refused', async () => {
    const s = await setup();
    cleanup = s.close;
    const res = await fetch(`${s.emulator.url}${s.topic.prefix}/confirm?Action=ConfirmSubscription&TopicArn=${TOPIC}&Token=nope`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('<Code>InvalidParameter</Code>');
    await s.topic.publish('nobody');
    await s.topic.idle();
    expect(s.got).toEqual([]);
  });

  it('retries a failed delivery with the same bytes and MessageId, and can redeliver', async () => {
    const s = await setup({ answers: [200, 500, 503] });
    cleanup = s.close;
    await s.topic.subscribe(s.endpoint);
    const id = await s.topic.publish('retry me');
    await s.topic.idle();
    const tries = s.got.filter((g) => g.verified?.MessageId === id);
    expect(tries.length).toBe(3);
    expect(new Set(tries.map((t) => t.raw)).size).toBe(1);
    s.topic.redeliver(id);
    await s.topic.idle();
    expect(s.got.filter((g) => g.verified?.MessageId === id).length).toBe(4);
  });

  it('gives up after the policy\'s retries', async () => {
    const s = await setup({ answers: [200, 500, 500, 500, 500, 500] });
    cleanup = s.close;
    await s.topic.subscribe(s.endpoint);
    const id = await s.topic.publish('lost');
    await s.topic.idle();
    expect(s.got.filter((g) => g.verified?.MessageId === id).length).toBe(4); // 1 + 3 retries
    expect(s.topic.deliveries().find((d) => d.key === id)?.state).toBe('failed');
  });

  it('unsubscribes through the UnsubscribeURL and sends a verifiable UnsubscribeConfirmation', async () => {
    const s = await setup();
    cleanup = s.close;
    await s.topic.subscribe(s.endpoint);
    await s.topic.publish('x');
    await s.topic.idle();
    const n = s.got.at(-1)!.verified!;
    const res = await fetch(n.UnsubscribeURL!);
    expect(res.status).toBe(200);
    await s.topic.idle();
    expect(s.topic.confirmed()).toEqual([]);
    expect(s.got.at(-1)!.verified).toMatchObject({ Type: 'UnsubscribeConfirmation', TopicArn: TOPIC });
  });
});
