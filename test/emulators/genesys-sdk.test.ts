// The official Genesys SDK (purecloud-platform-client-v2), unchanged, works against the emulator.
// `setEnvironment` only builds https://login.{env} and https://api.{env} URLs, so the SDK is pointed
// at the emulator with its documented gateway setting, which replaces protocol, host and port for both
// the login and the API calls (src/purecloud-platform-client-v2/configuration.js, getConfUrl).
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startGenesysEmulator, type GenesysEmulator } from '../../emulators/genesys/main.js';
import { until, webhookReceiver } from './helpers.js';

// The SDK's index.d.ts declares its classes globally rather than exporting them, so the few calls used
// here are typed locally; the module itself is loaded as the SDK ships it (its CommonJS `main`).
interface ApiClient {
  setGateway(g: { host: string; protocol?: string; port?: number }): void;
  loginClientCredentialsGrant(id: string, secret: string): Promise<{ accessToken: string; tokenExpiryTime: number }>;
}
type Call = (...args: any[]) => Promise<any>;
interface Sdk {
  ApiClient: { instance: ApiClient };
  ConversationsApi: new () => Record<string, Call>;
  NotificationsApi: new () => Record<string, Call>;
  RoutingApi: new () => Record<string, Call>;
  AnalyticsApi: new () => Record<string, Call>;
}
const sdk = createRequire(import.meta.url)('purecloud-platform-client-v2') as Sdk;

let emu: GenesysEmulator;
let hook: Awaited<ReturnType<typeof webhookReceiver>>;

beforeAll(async () => {
  hook = await webhookReceiver();
  emu = await startGenesysEmulator({ port: 0, integration: { webhookUrl: hook.url }, webhook: { timeoutMs: 500, delayMs: 20, maxRetries: 2 } });
  const { hostname, port } = new URL(emu.url);
  sdk.ApiClient.instance.setGateway({ host: hostname, protocol: 'http', port: Number(port) });
  const auth = await sdk.ApiClient.instance.loginClientCredentialsGrant(emu.credentials.clientId, emu.credentials.clientSecret);
  expect(auth.accessToken).toEqual(expect.any(String));
});

afterAll(async () => {
  await emu.close();
  await hook.close();
});

describe('the official purecloud-platform-client-v2 SDK against the emulator', () => {
  const conversations = () => new sdk.ConversationsApi();

  it('sends an inbound open message and gets the conversation id back', async () => {
    const res = await conversations().postConversationsMessageInboundOpenMessage!(
      emu.credentials.integrationId,
      { channel: { from: { id: 'sdk-customer', idType: 'Opaque', nickname: 'SDK' }, time: new Date().toISOString(), messageId: 'sdk-1' }, text: 'Hello via the SDK' },
      { prefetchConversationId: true },
    );
    expect(res).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{32}$/), type: 'Text', text: 'Hello via the SDK', conversationId: expect.any(String) });
    const conv = await conversations().getConversationsMessage!(res.conversationId);
    expect(conv.participants.map((p: { purpose: string }) => p.purpose)).toEqual(['customer', 'acd']);
  });

  it('gets Genesys-style errors back as the SDK rejection', async () => {
    await expect(
      conversations().postConversationsMessageInboundOpenMessage!(emu.credentials.integrationId, { channel: { from: { id: 'x', idType: 'Nope' }, time: 'later' }, text: 'x' }),
    ).rejects.toMatchObject({ status: 400, code: 'bad.request' });
  });

  it('sends typing events, receipts and agentless messages', async () => {
    const res = await conversations().postConversationsMessageInboundOpenMessage!(
      emu.credentials.integrationId,
      { channel: { from: { id: 'sdk-customer-2', idType: 'Opaque' }, time: new Date().toISOString() }, text: 'hi' },
      { prefetchConversationId: true },
    );
    await conversations().postConversationsMessageInboundOpenEvent!(emu.credentials.integrationId, {
      channel: { from: { id: 'sdk-customer-2', idType: 'Opaque' }, time: new Date().toISOString() },
      events: [{ eventType: 'Typing', typing: { type: 'On', duration: 3000 } }],
    });
    emu.desk.accept(res.conversationId);
    const reply = emu.desk.agentReply(res.conversationId, { text: 'agent here' });
    const receipt = await conversations().postConversationsMessageInboundOpenReceipt!(emu.credentials.integrationId, {
      id: reply.id,
      channel: { to: { id: 'sdk-customer-2', idType: 'Opaque' }, time: new Date().toISOString() },
      status: 'Delivered',
      isFinalReceipt: true,
    });
    expect(receipt).toMatchObject({ id: reply.id, status: 'Delivered' });
    const agentless = await conversations().postConversationsMessagesAgentless!({
      fromAddress: emu.credentials.integrationId,
      toAddress: 'sdk-proactive',
      toAddressMessengerType: 'open',
      textBody: 'Your parcel ships today',
    });
    expect(agentless).toMatchObject({ id: expect.any(String), conversationId: expect.any(String), messengerType: 'open' });
    await until(() => hook.received.find((r) => r.json.id === agentless.id), 'the agentless webhook');
  });

  it('creates a notification channel, subscribes, and disconnects a participant', async () => {
    const notifications = new sdk.NotificationsApi();
    const channel = await notifications.postNotificationsChannels!();
    const topic = `v2.routing.queues.${emu.credentials.defaultQueueId}.conversations.messages`;
    await notifications.putNotificationsChannelSubscriptions!(channel.id, [{ id: topic }]);
    const frames: any[] = [];
    const ws = new WebSocket(channel.connectUri);
    ws.on('message', (d) => frames.push(JSON.parse(String(d))));
    await new Promise((r) => ws.once('open', r));

    const res = await conversations().postConversationsMessageInboundOpenMessage!(
      emu.credentials.integrationId,
      { channel: { from: { id: 'sdk-customer-3', idType: 'Opaque' }, time: new Date().toISOString() }, text: 'bye soon' },
      { prefetchConversationId: true },
    );
    const conv = await conversations().getConversationsMessage!(res.conversationId);
    const customerP = conv.participants.find((p: { purpose: string }) => p.purpose === 'customer');
    await conversations().patchConversationsMessageParticipant!(res.conversationId, customerP.id, { body: { state: 'disconnected' } });
    await until(
      () => frames.find((f) => f.topicName === topic && f.eventBody.participants.some((p: any) => p.purpose === 'customer' && p.state === 'disconnected')),
      'the disconnect notification',
    );
    ws.close();
  });

  it('queries queue observations and the estimated wait time', async () => {
    await conversations().postConversationsMessageInboundOpenMessage!(emu.credentials.integrationId, {
      channel: { from: { id: 'sdk-waiting', idType: 'Opaque' }, time: new Date().toISOString() },
      text: 'waiting',
    });
    const q = emu.credentials.defaultQueueId;
    const obs = await new sdk.RoutingApi().postAnalyticsQueuesObservationsQuery!({
      filter: { type: 'or', predicates: [{ dimension: 'queueId', value: q }] },
      metrics: ['oWaiting', 'oOnQueueUsers'],
    });
    expect(obs.results[0].data.find((d: { metric: string }) => d.metric === 'oWaiting').stats.count).toBeGreaterThanOrEqual(1);
    const same = await new sdk.AnalyticsApi().postAnalyticsQueuesObservationsQuery!({ filter: { type: 'and', predicates: [{ dimension: 'queueId', value: q }] }, metrics: ['oWaiting'] });
    expect(same.results[0].group.queueId).toBe(q);
    const ewt = await new sdk.RoutingApi().getRoutingQueueEstimatedwaittime!(q);
    expect(ewt.results[0]).toMatchObject({ formula: 'BEST', estimatedWaitTimeSeconds: expect.any(Number) });
  });
});
