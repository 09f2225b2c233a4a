// The AWS End User Messaging SMS emulator against its documented rules, driven by the official SDK client
// (@aws-sdk/client-pinpoint-sms-voice-v2) unchanged, with an `endpoint` override and static credentials:
// SigV4 required, SendTextMessage validated as AWS validates it, texts from a handset published to the
// two-way SNS topic in the documented payload, delivery events to the events topic, SNS signatures that
// Parley's verifier accepts.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { banner, startAwsSmsEmulator, type AwsSmsEmulator } from '../../emulators/aws-sms/main.js';
import { signSigV4 } from '../../emulators/kit/sigv4.js';
import { SnsVerifier, type SnsMessage } from '../../src/vendor/sns.js';
import { until } from './helpers.js';

let emu: AwsSmsEmulator;
let client: PinpointSMSVoiceV2Client;
let verifier: SnsVerifier;
const got: SnsMessage[] = [];
let endpoint = '';
let server: ReturnType<typeof createServer>;
const PHONE = '+14255550182';

beforeAll(async () => {
  emu = await startAwsSmsEmulator({ port: 0, snsRetry: { delaysMs: [20, 20, 20], timeoutMs: 1000 }, carrierDelayMs: 10 });
  const c = emu.credentials;
  client = new PinpointSMSVoiceV2Client({ region: c.region, endpoint: emu.url, credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey }, maxAttempts: 1 });
  verifier = new SnsVerifier({ topicArns: [c.topicArn, c.eventsTopicArn], trustedHosts: [new URL(emu.url).host] });
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (ch: Buffer) => chunks.push(ch));
    req.on('end', () => {
      void (async () => {
        const m = await verifier.verify(Buffer.concat(chunks));
        if (!m) return void res.writeHead(403).end();
        if (m.Type === 'SubscriptionConfirmation') await verifier.confirm(m);
        else got.push(m);
        res.writeHead(200).end();
      })();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/aws-sms/sms`;
});

afterAll(async () => {
  client?.destroy();
  await emu?.close();
  server?.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

beforeEach(async () => {
  await fetch(`${emu.url}/__control/reset`, { method: 'POST' });
  got.length = 0;
});

const control = (path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST') =>
  fetch(`${emu.url}/__control/aws-sms${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

const send = (input: Partial<ConstructorParameters<typeof SendTextMessageCommand>[0]>) =>
  client.send(new SendTextMessageCommand({ DestinationPhoneNumber: PHONE, OriginationIdentity: emu.credentials.phoneNumber, MessageBody: 'hello', ...input }));

describe('start-up', () => {
  it('prints where everything is, and the control API lists its routes', async () => {
    const lines = banner(emu).join('\n');
    for (const v of [emu.url, emu.credentials.accessKeyId, emu.credentials.secretAccessKey, emu.credentials.phoneNumber, emu.credentials.topicArn, new URL(emu.url).host]) expect(lines).toContain(v);
    const docs = (await (await fetch(`${emu.url}/__control`)).json()) as any;
    expect(JSON.stringify(docs)).toContain('/__control/aws-sms/phones/:number/texts');
  });
});

describe('SendTextMessage through the official SDK', () => {
  it('sends a text the handset receives, by number, id or ARN', async () => {
    const out = await send({ MessageBody: 'Your agent replied: hi' });
    expect(out.MessageId).toMatch(/^[0-9a-f-]{36}$/);
    await send({ OriginationIdentity: emu.store.number.phoneNumberId, MessageBody: 'by id' });
    await send({ OriginationIdentity: emu.store.number.phoneNumberArn, MessageBody: 'by arn' });
    const texts = (await control(`/phones/${encodeURIComponent(PHONE)}/texts`)).body.texts;
    expect(texts.map((t: any) => t.body)).toEqual(['Your agent replied: hi', 'by id', 'by arn']);
    expect(texts[0]).toMatchObject({ messageId: out.MessageId, from: emu.credentials.phoneNumber, to: PHONE });
  });

  it('validates as AWS does', async () => {
    await expect(send({ DestinationPhoneNumber: '4255550182' })).rejects.toMatchObject({ name: 'ValidationException', Reason: 'INVALID_PARAMETER' });
    await expect(send({ DestinationPhoneNumber: '+0123' })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(send({ MessageBody: 'x'.repeat(1601) })).rejects.toMatchObject({ name: 'ValidationException', Reason: 'FIELD_VALIDATION_FAILED' });
    await expect(send({ MessageBody: '' })).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(send({ OriginationIdentity: '+19995550000' })).rejects.toMatchObject({ name: 'ResourceNotFoundException', ResourceType: 'phone-number' });
    await expect(send({ ConfigurationSetName: 'nope' })).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await control(`/phones/${encodeURIComponent(PHONE)}`, { optedOut: true }, 'PATCH');
    await expect(send({})).rejects.toMatchObject({ name: 'ConflictException', Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT' });
    expect((await control(`/phones/${encodeURIComponent(PHONE)}/texts`)).body.texts).toEqual([]);
  });

  it('refuses a request without a valid SigV4 signature', async () => {
    const bad = new PinpointSMSVoiceV2Client({ region: emu.credentials.region, endpoint: emu.url, credentials: { accessKeyId: emu.credentials.accessKeyId, secretAccessKey: 'wrong' }, maxAttempts: 1 });
    await expect(bad.send(new SendTextMessageCommand({ DestinationPhoneNumber: PHONE, MessageBody: 'x' }))).rejects.toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
    bad.destroy();
    const unknown = new PinpointSMSVoiceV2Client({ region: emu.credentials.region, endpoint: emu.url, credentials: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' }, maxAttempts: 1 });
    await expect(unknown.send(new SendTextMessageCommand({ DestinationPhoneNumber: PHONE, MessageBody: 'x' }))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    unknown.destroy();
    const body = JSON.stringify({ DestinationPhoneNumber: PHONE, MessageBody: 'x' });
    const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'PinpointSMSVoiceV2.SendTextMessage' };
    const unsigned = await fetch(emu.url, { method: 'POST', headers, body });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    // Signed for another region, or with the body changed after signing.
    const host = new URL(emu.url).host;
    const c = emu.credentials;
    const other = signSigV4({ method: 'POST', url: '/', host, headers, body }, { ...c, region: 'eu-west-1', service: 'sms-voice' });
    expect((await fetch(emu.url, { method: 'POST', headers: other, body })).status).toBe(403);
    const signed = signSigV4({ method: 'POST', url: '/', host, headers, body }, { ...c, service: 'sms-voice' });
    expect((await fetch(emu.url, { method: 'POST', headers: signed, body: body.replace('"x"', '"y"') })).status).toBe(403);
    expect((await fetch(emu.url, { method: 'POST', headers: signed, body })).status).toBe(200);
    expect(emu.store.received.length).toBe(1);
  });

  it('answers an unknown operation and a fault the SDK way', async () => {
    const host = new URL(emu.url).host;
    const headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'PinpointSMSVoiceV2.Nope' };
    const signed = signSigV4({ method: 'POST', url: '/', host, headers, body: '{}' }, { ...emu.credentials, service: 'sms-voice' });
    const res = await fetch(emu.url, { method: 'POST', headers: signed, body: '{}' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).__type).toBe('UnknownOperationException');
    await fetch(`${emu.url}/__control/faults`, { method: 'POST', body: JSON.stringify({ path: '/', kind: 'error', status: 500, times: 1 }), headers: { 'content-type': 'application/json' } });
    await expect(send({})).rejects.toMatchObject({ name: 'InternalServerException', $fault: 'server' });
    await fetch(`${emu.url}/__control/faults`, { method: 'POST', body: JSON.stringify({ path: '/', kind: 'rateLimit', times: 1 }), headers: { 'content-type': 'application/json' } });
    await expect(send({})).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});

describe('two-way SMS and events through SNS', () => {
  it('publishes a handset’s text to the two-way topic in the documented payload, verified by Parley’s verifier', async () => {
    const sub = await control('/subscriptions', { endpoint });
    expect(sub.body).toEqual({ twoWay: [endpoint], events: [endpoint] });
    const { body } = await control(`/phones/${encodeURIComponent(PHONE)}/texts`, { body: 'Where is my order?' });
    await until(() => got.length === 1, 'the inbound text');
    const m = got[0]!;
    expect(m).toMatchObject({ Type: 'Notification', TopicArn: emu.credentials.topicArn, MessageId: body.snsMessageId });
    expect(JSON.parse(m.Message)).toEqual({
      originationNumber: PHONE,
      destinationNumber: emu.credentials.phoneNumber,
      messageKeyword: 'KEYWORD_123456789012',
      messageBody: 'Where is my order?',
      inboundMessageId: body.inboundMessageId,
    });
    // A reply threads to the last text the handset received.
    const out = await send({});
    await control(`/phones/${encodeURIComponent(PHONE)}/texts`, { body: 'thanks' });
    await until(() => got.length === 2, 'the second text');
    expect(JSON.parse(got[1]!.Message)).toMatchObject({ previousPublishedMessageId: out.MessageId, messageBody: 'thanks' });
  });

  it('STOP opts the handset out (and is still published)', async () => {
    await control('/subscriptions', { endpoint, topic: 'two-way' });
    await control(`/phones/${encodeURIComponent(PHONE)}/texts`, { body: 'stop' });
    await until(() => got.length === 1, 'the STOP');
    expect(JSON.parse(got[0]!.Message)).toMatchObject({ messageKeyword: 'STOP', messageBody: 'stop' });
    await expect(send({})).rejects.toMatchObject({ name: 'ConflictException' });
  });

  it('publishes TEXT_SUCCESSFUL and TEXT_DELIVERED events for sends with the configuration set, TEXT_UNREACHABLE for a dead handset', async () => {
    await control('/subscriptions', { endpoint, topic: 'events' });
    await send({ MessageBody: 'no events' });
    const out = await send({ ConfigurationSetName: emu.credentials.configurationSetName, Context: { parleyEventId: 'e1' } });
    await until(() => got.length === 2, 'two events');
    const events = got.map((g) => JSON.parse(g.Message));
    expect(events.map((e) => e.eventType)).toEqual(['TEXT_SUCCESSFUL', 'TEXT_DELIVERED']);
    expect(events[1]).toMatchObject({ messageId: out.MessageId, isFinal: true, messageStatus: 'DELIVERED', destinationPhoneNumber: PHONE, context: { parleyEventId: 'e1' } });
    expect(got.every((g) => g.TopicArn === emu.credentials.eventsTopicArn)).toBe(true);
    await control(`/phones/${encodeURIComponent(PHONE)}`, { unreachable: true }, 'PATCH');
    const dead = await send({ ConfigurationSetName: emu.credentials.configurationSetName });
    await until(() => got.length === 3, 'the failure event');
    expect(JSON.parse(got[2]!.Message)).toMatchObject({ eventType: 'TEXT_UNREACHABLE', isFinal: true, messageId: dead.MessageId });
  });

  it('redelivers a published message byte for byte, as an SNS retry', async () => {
    await control('/subscriptions', { endpoint, topic: 'two-way' });
    const { body } = await control(`/phones/${encodeURIComponent(PHONE)}/texts`, { body: 'again' });
    await until(() => got.length === 1, 'the text');
    await control('/redeliver', { snsMessageId: body.snsMessageId });
    await until(() => got.length === 2, 'the redelivery');
    expect(got[1]).toEqual(got[0]);
  });
});
