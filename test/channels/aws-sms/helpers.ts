import { startAwsSmsEmulator, type AwsSmsEmulator, type AwsSmsEmulatorOptions } from '../../../emulators/aws-sms/main.js';
import { client } from '../../emulators/helpers.js';
import { proxiedParley, proxiedScene, type ChannelScene, type ChannelSceneOptions, type Control } from '../../helpers/scene.js';
import { until, type TestServer } from '../../helpers/server.js';

// A Parley server with an `aws-sms` channel instance (`sms`) pointed at an in-process AWS End User Messaging
// SMS emulator, routed to the inbox desk. SNS reaches Parley as in production: through a public URL in front
// of it (a forwarding proxy, standing still across Parley restarts) that is subscribed to the emulator's
// two-way and events topics; Parley confirms the subscriptions itself. The emulator plays the customer's phone.

export interface AwsSmsScene extends ChannelScene<AwsSmsEmulator> {
  /** The phone texts the number; the inbound message id and the SNS MessageId. */
  text(phone: string, body: string): Promise<{ inboundMessageId: string; snsMessageId: string }>;
  /** What the phone received from the number, in order. */
  received(phone: string): Promise<{ messageId: string; body: string }[]>;
}

export type SceneOptions = ChannelSceneOptions<AwsSmsEmulatorOptions>;

export async function awsSmsScene(opts: SceneOptions = {}): Promise<AwsSmsScene> {
  const emu = await startAwsSmsEmulator({ port: 0, snsRetry: { delaysMs: [50, 100, 200], timeoutMs: 3000 }, carrierDelayMs: 20, ...opts.emulator });
  const parley = await proxiedParley('aws-sms');
  const { webhookUrl } = parley;
  const c = emu.credentials;
  await parley.start(
    {
      channels: {
        web: { type: 'web' },
        sms: {
          ...awsSmsChannelSettings(emu),
          ...opts.channel,
        },
      },
      desks: { inbox: { type: 'inbox' } },
    },
    { TEST_AWS_SMS_SECRET: c.secretAccessKey, ...opts.env },
  );
  const { control } = client(emu.url);
  const sub = await control('POST', '/aws-sms/subscriptions', { endpoint: webhookUrl });
  if (sub.body?.twoWay?.[0] !== webhookUrl || sub.body?.events?.[0] !== webhookUrl) throw new Error(`Parley did not confirm the SNS subscriptions: ${JSON.stringify(sub.body)}`);
  return proxiedScene<AwsSmsScene>(parley, emu, {
    control,
    ...awsSmsPhones(control),
    conversationOf: (inboundMessageId) => awsSmsConversationOf(() => parley.ts, inboundMessageId),
  });
}

/** An `aws-sms` channel's settings for an AWS SMS emulator (secret from TEST_AWS_SMS_SECRET), with test timeouts. */
export function awsSmsChannelSettings(emu: { url: string; credentials: { region: string; phoneNumber: string; topicArn: string; eventsTopicArn: string; configurationSetName: string; accessKeyId: string } }): Record<string, unknown> {
  const c = emu.credentials;
  return {
    type: 'aws-sms',
    region: c.region,
    endpoint: emu.url,
    originationIdentity: c.phoneNumber,
    topicArn: c.topicArn,
    eventsTopicArn: c.eventsTopicArn,
    configurationSetName: c.configurationSetName,
    snsTrustedHosts: [new URL(emu.url).host],
    accessKeyId: c.accessKeyId,
    secretAccessKey: { env: 'TEST_AWS_SMS_SECRET' },
    attemptTimeoutMs: 1000,
    totalTimeoutMs: 2500,
  };
}

/** Play handsets through the AWS SMS emulator's control API: text the number, read what a phone received. */
export function awsSmsPhones(control: Control) {
  return {
    async text(phone: string, body: string) {
      const r = await control('POST', `/aws-sms/phones/${encodeURIComponent(phone)}/texts`, { body });
      if (r.status !== 200) throw new Error(`the phone could not text: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body as { inboundMessageId: string; snsMessageId: string };
    },
    async received(phone: string) {
      return (await control('GET', `/aws-sms/phones/${encodeURIComponent(phone)}/texts`)).body.texts as { messageId: string; body: string }[];
    },
  };
}

/** The Parley conversation an inbound text (by its inbound message id) went to on the `sms` instance, once stored. */
export async function awsSmsConversationOf(ts: () => TestServer, inboundMessageId: string): Promise<string> {
  const found = await until(async () => (await ts().server.services.hub.tx((tx) => tx.findEventByKey('channel:sms', `message:${inboundMessageId}`)))?.conversationId, 8000, `the conversation of ${inboundMessageId}`);
  return found!;
}
