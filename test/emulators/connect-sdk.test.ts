// The official AWS SDK clients (@aws-sdk/client-connect, @aws-sdk/client-connectparticipant), unchanged,
// work against the emulator: `endpoint` points both at it, static credentials sign the Connect calls
// (SigV4, checked), the participant calls carry their tokens in X-Amz-Bearer. A bad signature is refused
// as AWS refuses it.
import { ConnectClient, StartChatContactCommand, StartContactStreamingCommand, StopContactCommand, StopContactStreamingCommand } from '@aws-sdk/client-connect';
import {
  CompleteAttachmentUploadCommand,
  ConnectParticipantClient,
  CreateParticipantConnectionCommand,
  DisconnectParticipantCommand,
  GetAttachmentCommand,
  GetTranscriptCommand,
  type GetTranscriptCommandOutput,
  SendEventCommand,
  SendMessageCommand,
  StartAttachmentUploadCommand,
} from '@aws-sdk/client-connectparticipant';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startConnectEmulator, type ConnectEmulator } from '../../emulators/connect/main.js';

let emu: ConnectEmulator;
let connect: ConnectClient;
let participant: ConnectParticipantClient;

beforeAll(async () => {
  emu = await startConnectEmulator({ port: 0 });
  const c = emu.credentials;
  const common = { region: c.region, endpoint: emu.url, maxAttempts: 1 };
  connect = new ConnectClient({ ...common, credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey } });
  // The Participant Service is authorised by its tokens; the SDK still signs, so it needs some credentials.
  participant = new ConnectParticipantClient({ ...common, credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } });
});

afterAll(async () => {
  connect?.destroy();
  participant?.destroy();
  await emu?.close();
});

const start = (extra: Record<string, unknown> = {}) =>
  connect.send(
    new StartChatContactCommand({
      InstanceId: emu.credentials.instanceId,
      ContactFlowId: emu.credentials.contactFlowId,
      ParticipantDetails: { DisplayName: 'Jane' },
      Attributes: { channel: 'web', contactId: 'c-1' },
      InitialMessage: { ContentType: 'text/plain', Content: 'Hi, I need help' },
      SupportedMessagingContentTypes: ['text/plain', 'text/markdown'],
      ...extra,
    }),
  );

describe('the official AWS SDK clients against the Connect emulator', () => {
  it('StartChatContact starts a chat with attributes, display name and initial message; a repeated ClientToken returns the same contact', async () => {
    const first = await start({ ClientToken: 'parley-conv-1' });
    expect(first).toMatchObject({ ContactId: expect.any(String), ParticipantId: expect.any(String), ParticipantToken: expect.any(String) });
    const again = await start({ ClientToken: 'parley-conv-1' });
    expect(again.ContactId).toBe(first.ContactId);
    expect(emu.store.chats.size).toBe(1);
    const chat = emu.store.chats.get(first.ContactId!)!;
    expect(chat.attributes).toEqual({ channel: 'web', contactId: 'c-1' });
    expect(chat.customer.displayName).toBe('Jane');
    expect(chat.items[0]).toMatchObject({ Type: 'MESSAGE', Content: 'Hi, I need help', ParticipantRole: 'CUSTOMER' });
    // Another request under the same token is refused, not merged.
    await expect(start({ ClientToken: 'parley-conv-1', ParticipantDetails: { DisplayName: 'Someone else' } })).rejects.toMatchObject({ name: 'IdempotencyException' });
  });

  it('validates as AWS does: unknown instance, content types without text/plain', async () => {
    await expect(start({ InstanceId: 'nope' })).rejects.toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
    await expect(start({ SupportedMessagingContentTypes: ['text/markdown'] })).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(start({ ChatDurationInMinutes: 10 })).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('a request whose signature does not match is refused (403 InvalidSignatureException); an unknown key too', async () => {
    const forged = new ConnectClient({ region: emu.credentials.region, endpoint: emu.url, maxAttempts: 1, credentials: { accessKeyId: emu.credentials.accessKeyId, secretAccessKey: 'wrong-secret' } });
    await expect(forged.send(new StartChatContactCommand({ InstanceId: emu.credentials.instanceId, ContactFlowId: emu.credentials.contactFlowId, ParticipantDetails: { DisplayName: 'x' } }))).rejects.toMatchObject({
      name: 'InvalidSignatureException',
      $metadata: { httpStatusCode: 403 },
    });
    forged.destroy();
    const stranger = new ConnectClient({ region: emu.credentials.region, endpoint: emu.url, maxAttempts: 1, credentials: { accessKeyId: 'AKIASTRANGER', secretAccessKey: 'x' } });
    await expect(stranger.send(new StopContactCommand({ InstanceId: emu.credentials.instanceId, ContactId: 'x' }))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    stranger.destroy();
    const res = await fetch(`${emu.url}/contact/chat`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
  });

  it('streams to the SNS topic, connects the participant, sends messages and events, reads the transcript, disconnects', async () => {
    const chat = await start();
    const topicArn = emu.credentials.topicArns[0]!;
    const streaming = await connect.send(new StartContactStreamingCommand({ InstanceId: emu.credentials.instanceId, ContactId: chat.ContactId!, ChatStreamingConfiguration: { StreamingEndpointArn: topicArn }, ClientToken: 's-1' }));
    expect(streaming.StreamingId).toEqual(expect.any(String));
    await expect(
      connect.send(new StartContactStreamingCommand({ InstanceId: emu.credentials.instanceId, ContactId: chat.ContactId!, ChatStreamingConfiguration: { StreamingEndpointArn: `${topicArn}.fifo` }, ClientToken: 's-2' })),
    ).rejects.toMatchObject({ name: 'InvalidRequestException' });

    const conn = await participant.send(new CreateParticipantConnectionCommand({ ParticipantToken: chat.ParticipantToken!, Type: ['CONNECTION_CREDENTIALS'], ConnectParticipant: true }));
    const token = conn.ConnectionCredentials!.ConnectionToken!;
    expect(Date.parse(conn.ConnectionCredentials!.Expiry!)).toBeGreaterThan(Date.now() + 23 * 3600_000);

    const sent = await participant.send(new SendMessageCommand({ ConnectionToken: token, ContentType: 'text/plain', Content: 'Where is my parcel?', ClientToken: 'm-1' }));
    const resent = await participant.send(new SendMessageCommand({ ConnectionToken: token, ContentType: 'text/plain', Content: 'Where is my parcel?', ClientToken: 'm-1' }));
    expect(resent.Id).toBe(sent.Id);
    await expect(participant.send(new SendMessageCommand({ ConnectionToken: token, ContentType: 'text/plain', Content: 'x'.repeat(1025) }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(participant.send(new SendMessageCommand({ ConnectionToken: token, ContentType: 'image/png', Content: 'x' }))).rejects.toMatchObject({ name: 'ValidationException' });
    await participant.send(new SendEventCommand({ ConnectionToken: token, ContentType: 'application/vnd.amazonaws.connect.event.typing' }));
    await expect(participant.send(new SendEventCommand({ ConnectionToken: token, ContentType: 'application/vnd.amazonaws.connect.event.nope' }))).rejects.toMatchObject({ name: 'ValidationException' });

    const transcript = await participant.send(new GetTranscriptCommand({ ConnectionToken: token, MaxResults: 100, SortOrder: 'ASCENDING' }));
    expect(transcript.InitialContactId).toBe(chat.ContactId);
    expect(transcript.Transcript!.filter((i) => i.Type === 'MESSAGE').map((i) => i.Content)).toEqual(['Hi, I need help', 'Where is my parcel?']);

    await connect.send(new StopContactStreamingCommand({ InstanceId: emu.credentials.instanceId, ContactId: chat.ContactId!, StreamingId: streaming.StreamingId! }));
    await participant.send(new DisconnectParticipantCommand({ ConnectionToken: token, ClientToken: 'd-1' }));
    expect(emu.store.chats.get(chat.ContactId!)!.state).toBe('ended');
    // After the end, the tokens open nothing.
    await expect(participant.send(new SendMessageCommand({ ConnectionToken: token, ContentType: 'text/plain', Content: 'hello?' }))).rejects.toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 403 } });
    await expect(participant.send(new CreateParticipantConnectionCommand({ ParticipantToken: chat.ParticipantToken!, Type: ['CONNECTION_CREDENTIALS'] }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('GetTranscript: items posted before streaming are there but were never published; pages by MaxResults and NextToken, both directions and orders', async () => {
    const chat = await start();
    const id = chat.ContactId!;
    // Before StartContactStreaming: the agent takes the chat and writes, and an AGENT-only note.
    emu.desk.accept(id);
    const early = emu.desk.agentReply(id, { text: 'early 1' });
    emu.desk.agentReply(id, { text: 'internal', visibility: 'AGENT' });
    const topic = emu.streaming.topics.get(emu.credentials.topicArns[0]!)!;
    const before = topic.deliveries().length;
    await connect.send(new StartContactStreamingCommand({ InstanceId: emu.credentials.instanceId, ContactId: id, ChatStreamingConfiguration: { StreamingEndpointArn: emu.credentials.topicArns[0]! }, ClientToken: 's-early' }));
    const conn = await participant.send(new CreateParticipantConnectionCommand({ ParticipantToken: chat.ParticipantToken!, Type: ['CONNECTION_CREDENTIALS'], ConnectParticipant: true }));
    const token = conn.ConnectionCredentials!.ConnectionToken!;
    for (const text of ['late 1', 'late 2']) emu.desk.agentReply(id, { text });
    await emu.streamsIdle();
    // Streaming publishes from when it starts: nothing of the early reply went to the topic.
    expect(topic.deliveries().slice(before).some((d) => d.body.includes('early 1'))).toBe(false);

    const texts = (items: { Type?: string; Content?: string }[] | undefined) => (items ?? []).filter((i) => i.Type === 'MESSAGE').map((i) => i.Content);
    // Defaults: BACKWARD from the newest, DESCENDING; AGENT-only items are not the customer's to see.
    const all = await participant.send(new GetTranscriptCommand({ ConnectionToken: token, MaxResults: 100 }));
    expect(all.InitialContactId).toBe(id);
    expect(texts(all.Transcript)).toEqual(['late 2', 'late 1', 'early 1', 'Hi, I need help']);
    expect(all.NextToken).toBeUndefined();
    expect(all.Transcript!.find((i) => i.Content === 'early 1')).toMatchObject({ Id: early.Id, ParticipantRole: 'AGENT' });

    // Page by page, BACKWARD, each page ASCENDING: the pages come newest first.
    const pages: string[][] = [];
    let next: string | undefined;
    do {
      const page = await participant.send(new GetTranscriptCommand({ ConnectionToken: token, MaxResults: 1, SortOrder: 'ASCENDING', ...(next ? { NextToken: next } : {}) }));
      expect(page.Transcript!.length).toBeLessThanOrEqual(1);
      pages.push(texts(page.Transcript) as string[]);
      next = page.NextToken;
    } while (next);
    expect(pages.flat()).toEqual(['late 2', 'late 1', 'early 1', 'Hi, I need help']);

    // FORWARD from a StartPosition, two at a time, ASCENDING: the chat's order from that item on.
    const forward: string[] = [];
    next = undefined;
    let first = true;
    do {
      const page: GetTranscriptCommandOutput = await participant.send(
        new GetTranscriptCommand({ ConnectionToken: token, MaxResults: 2, ScanDirection: 'FORWARD', SortOrder: 'ASCENDING', ...(next ? { NextToken: next } : { StartPosition: { Id: early.Id! } }) }),
      );
      if (first) expect(page.Transcript![0]!.Id).toBe(early.Id);
      first = false;
      forward.push(...(texts(page.Transcript) as string[]));
      next = page.NextToken;
    } while (next);
    expect(forward).toEqual(['early 1', 'late 1', 'late 2']);

    await expect(participant.send(new GetTranscriptCommand({ ConnectionToken: token, MaxResults: 101 }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(participant.send(new GetTranscriptCommand({ ConnectionToken: token, NextToken: 'not-ours' }))).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(participant.send(new GetTranscriptCommand({ ConnectionToken: 'nope' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('an expired connection token is 403 AccessDeniedException; a new connection from the participant token works', async () => {
    const chat = await start();
    const first = await participant.send(new CreateParticipantConnectionCommand({ ParticipantToken: chat.ParticipantToken!, Type: ['CONNECTION_CREDENTIALS'], ConnectParticipant: true }));
    const expire = await fetch(`${emu.url}/__control/connect/tokens/expire`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: first.ConnectionCredentials!.ConnectionToken }) });
    expect(expire.status).toBe(200);
    await expect(participant.send(new SendMessageCommand({ ConnectionToken: first.ConnectionCredentials!.ConnectionToken!, ContentType: 'text/plain', Content: 'late' }))).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const second = await participant.send(new CreateParticipantConnectionCommand({ ParticipantToken: chat.ParticipantToken!, Type: ['CONNECTION_CREDENTIALS'], ConnectParticipant: true }));
    await participant.send(new SendMessageCommand({ ConnectionToken: second.ConnectionCredentials!.ConnectionToken!, ContentType: 'text/plain', Content: 'again' }));
  });

  it('attachments: start, upload to the URL, complete, and fetch back with GetAttachment', async () => {
    const chat = await start();
    const conn = await participant.send(new CreateParticipantConnectionCommand({ ParticipantToken: chat.ParticipantToken!, Type: ['CONNECTION_CREDENTIALS'], ConnectParticipant: true }));
    const token = conn.ConnectionCredentials!.ConnectionToken!;
    const bytes = Buffer.from('a small receipt');
    await expect(
      participant.send(new StartAttachmentUploadCommand({ ConnectionToken: token, ContentType: 'application/x-msdownload', AttachmentSizeInBytes: 3, AttachmentName: 'x.exe', ClientToken: 'u-0' })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    const up = await participant.send(new StartAttachmentUploadCommand({ ConnectionToken: token, ContentType: 'text/plain', AttachmentSizeInBytes: bytes.length, AttachmentName: 'receipt.txt', ClientToken: 'u-1' }));
    const put = await fetch(up.UploadMetadata!.Url!, { method: 'PUT', headers: up.UploadMetadata!.HeadersToInclude as Record<string, string>, body: bytes });
    expect(put.status).toBe(200);
    await participant.send(new CompleteAttachmentUploadCommand({ ConnectionToken: token, AttachmentIds: [up.AttachmentId!], ClientToken: 'c-1' }));
    const got = await participant.send(new GetAttachmentCommand({ ConnectionToken: token, AttachmentId: up.AttachmentId! }));
    expect(got.AttachmentSizeInBytes).toBe(bytes.length);
    expect(Buffer.from(await (await fetch(got.Url!)).arrayBuffer()).toString()).toBe('a small receipt');
  });

  it('an armed throttle answers 429 ThrottlingException', async () => {
    await fetch(`${emu.url}/__control/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ path: '/contact/chat', kind: 'rateLimit', times: 1 }) });
    await expect(start()).rejects.toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
    await expect(start()).resolves.toMatchObject({ ContactId: expect.any(String) });
  });
});
