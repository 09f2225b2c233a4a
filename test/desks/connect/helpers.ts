import { startConnectEmulator, type ConnectEmulator, type ConnectEmulatorOptions } from '../../../emulators/connect/main.js';
import { client } from '../../emulators/helpers.js';
import { configuredParley } from '../../helpers/scene.js';
import { until, type TestServer } from '../../helpers/server.js';

// A Parley server whose `web` channel routes to a `connect` desk instance (`cc`) pointed at an in-process
// Amazon Connect emulator. Parley's SNS endpoint is subscribed to the emulator's streaming topic the way a
// user subscribes it in the SNS console: the emulator posts a signed SubscriptionConfirmation and Parley
// confirms it. The emulator plays the agent through its control API.

export interface ConnectScene {
  ts: TestServer;
  emu: ConnectEmulator;
  topicArn: string;
  control(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** The emulator's chat for a Parley conversation (by the parleyConversationId contact attribute), newest first. */
  contactOf(conversationId: string): Promise<any | undefined>;
  /** Subscribes this Parley's webhook to the topic and waits until the subscription is confirmed. */
  subscribe(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function connectScene(opts: { emulator?: ConnectEmulatorOptions; desk?: Record<string, unknown>; env?: Record<string, string> } = {}): Promise<ConnectScene> {
  const emu = await startConnectEmulator({ port: 0, snsRetry: { delaysMs: [50, 50, 50], timeoutMs: 2000 }, ...opts.emulator });
  const topicArn = emu.credentials.topicArns[0]!;
  const parley = configuredParley(
    'parley-connect-',
    {
      channels: { web: { type: 'web' } },
      desks: {
        inbox: { type: 'inbox' },
        cc: { ...connectDeskSettings(emu), ...opts.desk },
      },
      routes: [{ channel: 'web', desk: 'cc' }],
    },
    { TEST_AWS_KEY_ID: emu.credentials.accessKeyId, TEST_AWS_SECRET: emu.credentials.secretAccessKey, ...opts.env },
  );
  const { control } = client(emu.url);
  const topicName = topicArn.split(':').pop()!;
  const scene: ConnectScene = {
    ts: await parley.start(),
    emu,
    topicArn,
    control,
    async contactOf(conversationId: string) {
      const list = (await control('GET', '/connect/contacts')).body.contacts as any[];
      return list.find((c) => c.attributes?.parleyConversationId === conversationId);
    },
    async subscribe() {
      const endpoint = `${scene.ts.url}/webhooks/connect/cc`;
      const r = await control('POST', `/connect/topics/${topicName}/subscribe`, { endpoint });
      if (r.status !== 200) throw new Error(`subscribe failed: ${r.status} ${JSON.stringify(r.body)}`);
      await until(() => emu.streaming.topics.get(topicArn)!.confirmed().includes(endpoint), 5000, 'the SNS subscription confirmed');
    },
    async restart() {
      await scene.ts.stop();
      scene.ts = await parley.start();
      await scene.subscribe();
    },
    async stop() {
      await scene.ts.stop();
      await emu.close();
      parley.remove();
    },
  };
  await scene.subscribe();
  return scene;
}

/** A `connect` desk's settings for a Connect emulator (keys from TEST_AWS_KEY_ID / TEST_AWS_SECRET), with test timeouts. */
export function connectDeskSettings(emu: { url: string; credentials: { region: string; instanceId: string; contactFlowId: string; topicArns: string[] } }): Record<string, unknown> {
  return {
    type: 'connect',
    region: emu.credentials.region,
    endpoint: emu.url,
    instanceId: emu.credentials.instanceId,
    contactFlowId: emu.credentials.contactFlowId,
    topicArn: emu.credentials.topicArns[0]!,
    snsTrustedHosts: [new URL(emu.url).host],
    credentials: { accessKeyId: { env: 'TEST_AWS_KEY_ID' }, secretAccessKey: { env: 'TEST_AWS_SECRET' } },
    attemptTimeoutMs: 1000,
    totalTimeoutMs: 2500,
    connectRequestsPerSecond: 100,
    connectBurst: 100,
  };
}
