// The Amazon Connect emulator on its own: what chat streaming publishes (signed SNS envelopes carrying
// transcript items and their message attributes), the subscription handshake, SNS retries, the agent's
// actions through the control API, and the checks on its APIs that the SDK test does not reach.
import { createVerify, X509Certificate } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { signSigV4 } from '../../emulators/kit/sigv4.js';
import { startConnectEmulator, type ConnectEmulator } from '../../emulators/connect/main.js';
import { client, webhookReceiver } from './helpers.js';

let emu: ConnectEmulator;
let hook: Awaited<ReturnType<typeof webhookReceiver>>;
let api: ReturnType<typeof client>;

beforeAll(async () => {
  hook = await webhookReceiver();
  emu = await startConnectEmulator({ port: 0, snsRetry: { delaysMs: [20, 20], timeoutMs: 500 } });
  api = client(emu.url);
  const topic = emu.credentials.topicArns[0]!.split(':').pop()!;
  await api.control('POST', `/connect/topics/${topic}/subscribe`, { endpoint: hook.url });
  const confirmation = hook.received.find((r) => r.json.Type === 'SubscriptionConfirmation')!;
  expect((await fetch(confirmation.json.SubscribeURL)).status).toBe(200);
});

afterEach(() => {
  hook.received.length = 0;
  hook.respond();
});

afterAll(async () => {
  await emu.close();
  await hook.close();
});

/** A Connect API call signed as the SDK signs it. */
async function connectCall(method: string, path: string, body: unknown) {
  const raw = JSON.stringify(body);
  const c = emu.credentials;
  const headers = signSigV4({ method, url: path, host: new URL(emu.url).host, headers: { 'content-type': 'application/json' }, body: raw }, { ...c, service: 'connect' });
  const { host: _h, ...send } = headers;
  return api.request(method, path, { raw, headers: send });
}

async function startedChat(name = 'Jane') {
  const c = emu.credentials;
  const start = await connectCall('PUT', '/contact/chat', { InstanceId: c.instanceId, ContactFlowId: c.contactFlowId, ParticipantDetails: { DisplayName: name } });
  expect(start.status).toBe(200);
  const stream = await connectCall('POST', '/contact/start-streaming', { InstanceId: c.instanceId, ContactId: start.body.ContactId, ChatStreamingConfiguration: { StreamingEndpointArn: c.topicArns[0] }, ClientToken: 'x' });
  expect(stream.status).toBe(200);
  const conn = await api.request('POST', '/participant/connection', { body: { Type: ['CONNECTION_CREDENTIALS'], ConnectParticipant: true }, headers: { 'x-amz-bearer': start.body.ParticipantToken } });
  expect(conn.status).toBe(200);
  return { contactId: start.body.ContactId as string, token: conn.body.ConnectionCredentials.ConnectionToken as string };
}

const notifications = () => hook.received.filter((r) => r.json.Type === 'Notification');
const items = () => notifications().map((r) => ({ ...JSON.parse(r.json.Message), attrs: r.json.MessageAttributes }));

describe('Connect emulator: chat streaming to SNS', () => {
  it('publishes each transcript item as a signed SNS notification with Connect’s message attributes', async () => {
    const { contactId, token } = await startedChat();
    await api.request('POST', '/participant/message', { body: { ContentType: 'text/plain', Content: 'hello' }, headers: { 'x-amz-bearer': token } });
    await emu.desk.accept(contactId);
    emu.desk.agentReply(contactId, { text: 'Hi, Casey here' });
    await emu.streamsIdle();
    const got = items();
    expect(got.map((i) => [i.Type, i.ContentType, i.ParticipantRole])).toEqual([
      ['EVENT', 'application/vnd.amazonaws.connect.event.participant.joined', 'CUSTOMER'],
      ['MESSAGE', 'text/plain', 'CUSTOMER'],
      ['EVENT', 'application/vnd.amazonaws.connect.event.participant.joined', 'AGENT'],
      ['MESSAGE', 'text/plain', 'AGENT'],
    ]);
    const reply = got[3]!;
    expect(reply).toMatchObject({ Content: 'Hi, Casey here', DisplayName: 'Casey Agent', InitialContactId: contactId, ContactId: contactId, Id: expect.any(String), AbsoluteTime: expect.any(String) });
    expect(reply.attrs).toEqual({
      InitialContactId: { Type: 'String', Value: contactId },
      MessageVisibility: { Type: 'String', Value: 'ALL' },
      Type: { Type: 'String', Value: 'MESSAGE' },
      AccountId: { Type: 'String', Value: '123456789012' },
      ContentType: { Type: 'String', Value: 'text/plain' },
      InstanceId: { Type: 'String', Value: emu.credentials.instanceId },
      ContactId: { Type: 'String', Value: contactId },
      ParticipantRole: { Type: 'String', Value: 'AGENT' },
    });
    // The envelope verifies with the certificate at SigningCertURL, over AWS's string to sign.
    const env = notifications()[3]!.json;
    expect(hook.received.at(-1)!.headers['x-amz-sns-message-type']).toBe('Notification');
    const cert = new X509Certificate(Buffer.from(await (await fetch(env.SigningCertURL)).arrayBuffer()));
    const s = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'].filter((k) => env[k] !== undefined).map((k) => `${k}\n${env[k]}\n`).join('');
    expect(createVerify(env.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256').update(s).verify(cert.publicKey, env.Signature, 'base64')).toBe(true);
  });

  it('an agent-only message is published with MessageVisibility AGENT; typing, read receipts, a file', async () => {
    const { contactId, token } = await startedChat();
    const sent = await api.request('POST', '/participant/message', { body: { ContentType: 'text/plain', Content: 'question' }, headers: { 'x-amz-bearer': token } });
    emu.desk.accept(contactId);
    emu.desk.agentReply(contactId, { text: 'note to self', visibility: 'AGENT' });
    emu.desk.agentTyping(contactId);
    expect(emu.desk.agentRead(contactId)).toBe(1);
    emu.desk.agentFile(contactId);
    await emu.streamsIdle();
    const got = items();
    expect(got.find((i) => i.Content === 'note to self')!.attrs.MessageVisibility.Value).toBe('AGENT');
    expect(got.some((i) => i.ContentType === 'application/vnd.amazonaws.connect.event.typing' && i.ParticipantRole === 'AGENT')).toBe(true);
    const read = got.find((i) => i.ContentType === 'application/vnd.amazonaws.connect.event.message.read')!;
    expect(JSON.parse(read.Content)).toEqual({ messageId: sent.body.Id });
    const file = got.find((i) => i.Type === 'ATTACHMENT')!;
    expect(file.Attachments[0]).toMatchObject({ AttachmentName: 'sample.png', ContentType: 'image/png', Status: 'APPROVED' });
  });

  it('a transfer: the agent leaves, transfer.succeeded under a new ContactId, the chat waits; an end is chat.ended', async () => {
    const { contactId } = await startedChat();
    emu.desk.accept(contactId);
    const after = emu.desk.transfer(contactId);
    expect(after.contactId).not.toBe(contactId);
    expect(after.state).toBe('queued');
    emu.desk.accept(contactId);
    emu.desk.agentEnd(contactId);
    await emu.streamsIdle();
    const kinds = items().map((i) => `${i.ContentType.replace('application/vnd.amazonaws.connect.event.', '')}:${i.ParticipantRole}:${i.ContactId === contactId ? 'first' : 'second'}`);
    expect(kinds).toEqual([
      'participant.joined:CUSTOMER:first',
      'participant.joined:AGENT:first',
      'participant.left:AGENT:first',
      'transfer.succeeded:SYSTEM:second',
      'participant.joined:AGENT:second',
      'participant.left:AGENT:second',
      'chat.ended:SYSTEM:second',
    ]);
    expect(items().every((i) => i.InitialContactId === contactId)).toBe(true);
  });

  it('SNS retries a notification the endpoint failed, with the same MessageId and bytes', async () => {
    const { contactId } = await startedChat();
    emu.desk.accept(contactId);
    await emu.streamsIdle();
    hook.received.length = 0;
    hook.respond(500, 503);
    emu.desk.agentReply(contactId, { text: 'retried' });
    await emu.streamsIdle();
    const tries = notifications().filter((r) => r.raw.includes('retried'));
    expect(tries).toHaveLength(3);
    expect(new Set(tries.map((t) => t.raw)).size).toBe(1);
  });

  it('StartContactStreaming refuses a FIFO topic and a topic Connect may not publish to', async () => {
    const c = emu.credentials;
    const start = await connectCall('PUT', '/contact/chat', { InstanceId: c.instanceId, ContactFlowId: c.contactFlowId, ParticipantDetails: { DisplayName: 'x' } });
    const bad = (arn: string) => connectCall('POST', '/contact/start-streaming', { InstanceId: c.instanceId, ContactId: start.body.ContactId, ChatStreamingConfiguration: { StreamingEndpointArn: arn }, ClientToken: arn });
    expect((await bad(`${c.topicArns[0]}.fifo`)).headers.get('x-amzn-errortype')).toBe('InvalidRequestException');
    expect((await bad('arn:aws:sns:us-east-1:123456789012:not-mine')).headers.get('x-amzn-errortype')).toBe('InvalidRequestException');
    expect((await bad('not-an-arn')).headers.get('x-amzn-errortype')).toBe('InvalidParameterException');
  });

  it('the Participant Service refuses a missing or unknown token, and StopContact ends the chat', async () => {
    const { contactId, token } = await startedChat();
    expect((await api.request('POST', '/participant/message', { body: { ContentType: 'text/plain', Content: 'x' } })).status).toBe(400);
    const unknown = await api.request('POST', '/participant/message', { body: { ContentType: 'text/plain', Content: 'x' }, headers: { 'x-amz-bearer': 'nope' } });
    expect(unknown.status).toBe(403);
    expect(unknown.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
    const stop = await connectCall('POST', '/contact/stop', { InstanceId: emu.credentials.instanceId, ContactId: contactId });
    expect(stop.status).toBe(200);
    expect((await api.request('POST', '/participant/event', { body: { ContentType: 'application/vnd.amazonaws.connect.event.typing' }, headers: { 'x-amz-bearer': token } })).status).toBe(403);
  });

  it('the control API plays the agent and refuses what the state does not allow; the agent page is served', async () => {
    const { contactId } = await startedChat('Pat');
    const path = `/connect/contacts/${contactId}`;
    expect((await api.control('POST', `${path}/reply`, { text: 'too early' })).status).toBe(409);
    expect((await api.control('POST', `${path}/accept`, {})).body.agent.name).toBe('Casey Agent');
    expect((await api.control('POST', `${path}/reply`, {})).status).toBe(400);
    expect((await api.control('POST', `${path}/reply`, { text: 'x'.repeat(1025) })).status).toBe(400);
    expect((await api.control('POST', `${path}/transfer`, {})).body.queue.name).toBe('Billing');
    expect((await api.control('POST', `${path}/end`, {})).body.state).toBe('ended');
    expect((await api.control('POST', `${path}/end`, {})).status).toBe(409);
    const page = await fetch(`${emu.url}/agent`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('/__control/connect');
    const info = (await api.control('GET', '')).body;
    expect(info.control.some((d: any) => d.path.startsWith('/__control/connect/'))).toBe(true);
  });
});
