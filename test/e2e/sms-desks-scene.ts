import { startAwsSmsEmulator, type AwsSmsEmulator } from '../../emulators/aws-sms/main.js';
import { startConnectEmulator, type ConnectEmulator } from '../../emulators/connect/main.js';
import { startGenesysEmulator, type GenesysEmulator } from '../../emulators/genesys/main.js';
import { startTwilioEmulator, type TwilioEmulator } from '../../emulators/twilio/main.js';
import { awsSmsChannelSettings, awsSmsPhones } from '../channels/aws-sms/helpers.js';
import { twilioChannelSettings } from '../channels/twilio-sms/helpers.js';
import { connectDeskSettings } from '../desks/connect/helpers.js';
import { genesysDeskSettings } from '../desks/genesys/helpers.js';
import { client } from '../emulators/helpers.js';
import { configuredParley, publicProxy } from '../helpers/scene.js';
import { until, type TestServer } from '../helpers/server.js';

// One Parley with an SMS channel instance `sms` (twilio-sms or aws-sms) and a vendor desk instance (`cc`:
// connect, or `gc`: genesys), the route sms → that desk, and each vendor's emulator in this process, wired
// the way a user wires them: Twilio's number webhook at Parley's public URL (a forwarding proxy here, since
// Twilio signs the URL it posts to and Parley's port is known only once it listens), the SNS subscriptions
// confirmed by Parley itself, Genesys's integration webhook at Parley. The same parts the per-adapter scenes
// (test/channels/*/helpers.ts, test/desks/*/helpers.ts) use, from test/helpers/scene.ts, composed across a
// channel and a desk.

type Control = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

export interface SmsDeskScene {
  ts: TestServer;
  twilio?: {
    emu: TwilioEmulator;
    control: Control;
    /** The phone texts the number; Twilio's MessageSid. */
    text(phone: string, body: string): Promise<string>;
    /** What the phone received from the number (not Twilio's own keyword answers), in order. */
    received(phone: string): Promise<any[]>;
  };
  aws?: {
    emu: AwsSmsEmulator;
    control: Control;
    text(phone: string, body: string): Promise<{ inboundMessageId: string; snsMessageId: string }>;
    received(phone: string): Promise<{ messageId: string; body: string }[]>;
  };
  connect?: { emu: ConnectEmulator; control: Control; topicArn: string };
  genesys?: { emu: GenesysEmulator; control: Control };
  /** The Parley conversation a Twilio message went to, once stored. */
  conversationOfTwilio(messageSid: string): Promise<string>;
  /** The Parley conversation an AWS inbound text went to, once stored. */
  conversationOfAws(inboundMessageId: string): Promise<string>;
  /**
   * Resolves once no emulator has a text, webhook or notification in flight and Parley has no delivery
   * pending (the AWS SMS carrier's delivery delay is not tracked: poll for what an AWS phone receives).
   */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export interface SmsDeskOptions {
  channel: 'twilio' | 'aws';
  desk: 'connect' | 'genesys';
  channelSettings?: Record<string, unknown>;
  deskSettings?: Record<string, unknown>;
  env?: Record<string, string>;
}

export async function smsDeskScene(opts: SmsDeskOptions): Promise<SmsDeskScene> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    return await build(opts, closers, close);
  } catch (e) {
    await close();
    throw e;
  }
}

async function build(opts: SmsDeskOptions, closers: (() => Promise<void>)[], close: () => Promise<void>): Promise<SmsDeskScene> {
  const env: Record<string, string> = { ...opts.env };
  let ts: TestServer | undefined;
  const proxy = await publicProxy(() => ts!.url);
  closers.push(() => proxy.close());

  // The channel.
  let sms: Record<string, unknown>;
  let twilio: SmsDeskScene['twilio'];
  let aws: SmsDeskScene['aws'];
  if (opts.channel === 'twilio') {
    const emu = await startTwilioEmulator({ port: 0, statusDelayMs: 20 });
    closers.push(() => emu.close());
    const webhookUrl = `${proxy.url}/webhooks/twilio-sms/sms`;
    const { control } = client(emu.url);
    await control('PATCH', '/twilio/settings', { webhookUrl });
    env.TEST_TWILIO_AUTH_TOKEN = emu.credentials.authToken;
    sms = twilioChannelSettings(emu, webhookUrl);
    twilio = {
      emu,
      control,
      async text(phone, body) {
        const r = await control('POST', `/twilio/phones/${encodeURIComponent(phone)}/messages`, { body });
        if (r.status !== 201) throw new Error(`the phone could not text: ${r.status} ${JSON.stringify(r.body)}`);
        return r.body.sid as string;
      },
      async received(phone) {
        return ((await control('GET', `/twilio/phones/${encodeURIComponent(phone)}/messages`)).body.received as any[]).filter((m) => !m.keywordReply);
      },
    };
  } else {
    const emu = await startAwsSmsEmulator({ port: 0, snsRetry: { delaysMs: [50, 100, 200], timeoutMs: 3000 }, carrierDelayMs: 20 });
    closers.push(() => emu.close());
    const c = emu.credentials;
    const { control } = client(emu.url);
    env.TEST_AWS_SMS_SECRET = c.secretAccessKey;
    sms = awsSmsChannelSettings(emu);
    aws = {
      emu,
      control,
      ...awsSmsPhones(control),
    };
  }
  Object.assign(sms, opts.channelSettings);

  // The desk.
  let deskName: string;
  let desk: Record<string, unknown>;
  let connect: SmsDeskScene['connect'];
  let genesys: SmsDeskScene['genesys'];
  if (opts.desk === 'connect') {
    const emu = await startConnectEmulator({ port: 0, snsRetry: { delaysMs: [50, 50, 50], timeoutMs: 2000 } });
    closers.push(() => emu.close());
    const topicArn = emu.credentials.topicArns[0]!;
    env.TEST_AWS_KEY_ID = emu.credentials.accessKeyId;
    env.TEST_AWS_SECRET = emu.credentials.secretAccessKey;
    deskName = 'cc';
    desk = connectDeskSettings(emu);
    connect = { emu, control: client(emu.url).control, topicArn };
  } else {
    const emu = await startGenesysEmulator({ port: 0, webhook: { timeoutMs: 2000, delayMs: 50, maxRetries: 5 }, heartbeatMs: 1000 });
    closers.push(() => emu.close());
    env.TEST_GENESYS_SECRET = emu.credentials.clientSecret;
    env.TEST_GENESYS_WEBHOOK_SECRET = emu.credentials.integrationSecret;
    deskName = 'gc';
    desk = genesysDeskSettings(emu);
    genesys = { emu, control: client(emu.url).control };
  }
  Object.assign(desk, opts.deskSettings);

  const parley = configuredParley(
    'parley-sms-desk-',
    {
      channels: { web: { type: 'web' }, sms },
      desks: { inbox: { type: 'inbox' }, [deskName]: desk },
      routes: [
        { channel: 'sms', desk: deskName },
        { channel: 'web', desk: 'inbox' },
      ],
    },
    env,
  );
  closers.push(() => Promise.resolve(parley.remove()));
  const started = await parley.start();
  ts = started;
  closers.push(() => started.stop());

  // What a user does in each vendor's console, now that Parley listens.
  if (aws) {
    const sub = await aws.control('POST', '/aws-sms/subscriptions', { endpoint: `${proxy.url}/webhooks/aws-sms/sms` });
    if (!sub.body?.twoWay?.length || !sub.body?.events?.length) throw new Error(`Parley did not confirm the SMS SNS subscriptions: ${JSON.stringify(sub.body)}`);
  }
  if (connect) {
    const endpoint = `${proxy.url}/webhooks/connect/cc`;
    const r = await connect.control('POST', `/connect/topics/${connect.topicArn.split(':').pop()!}/subscribe`, { endpoint });
    if (r.status !== 200) throw new Error(`subscribe failed: ${r.status} ${JSON.stringify(r.body)}`);
    const topic = connect.emu.streaming.topics.get(connect.topicArn)!;
    await until(() => topic.confirmed().includes(endpoint), 5000, 'the Connect SNS subscription confirmed');
  }
  if (genesys) {
    const set = await genesys.control('PATCH', `/genesys/integrations/${genesys.emu.credentials.integrationId}`, { webhookUrl: `${proxy.url}/webhooks/genesys/gc` });
    if (set.status !== 200) throw new Error(`could not point the integration at Parley: ${set.status} ${JSON.stringify(set.body)}`);
  }

  const hub = () => started.server.services.hub;
  const pending = async () => (await started.server.database.db.selectFrom('deliveries').select('id').where('status', '=', 'pending').execute()).length;
  const emulatorsIdle = async () => {
    // Twilio's carrier first: a text reaching the phone ends with a status callback.
    await twilio?.emu.carrier.idle();
    await twilio?.emu.webhooksIdle();
    await aws?.emu.snsIdle();
    await connect?.emu.streamsIdle();
    await genesys?.emu.webhooksIdle();
  };
  return {
    ts: started,
    ...(twilio ? { twilio } : {}),
    ...(aws ? { aws } : {}),
    ...(connect ? { connect } : {}),
    ...(genesys ? { genesys } : {}),
    conversationOfTwilio: (messageSid) =>
      until<string>(
        async () => {
          const eventId = await hub().tx((tx) => tx.findByExternal({ adapter: 'sms', kind: 'message', externalId: messageSid }));
          return (eventId ? (await hub().tx((tx) => tx.getEvent(eventId)))?.conversationId : undefined) as string;
        },
        8000,
        `the conversation of ${messageSid}`,
      ),
    conversationOfAws: async (inboundMessageId) =>
      (await until(async () => (await hub().tx((tx) => tx.findEventByKey('channel:sms', `message:${inboundMessageId}`)))?.conversationId, 8000, `the conversation of ${inboundMessageId}`))!,
    async idle() {
      // Each side may wake the other (a delivery makes a vendor call, which makes a webhook): settle until
      // both are quiet at once.
      await until(
        async () => {
          await emulatorsIdle();
          if ((await pending()) > 0) return false;
          await emulatorsIdle();
          return (await pending()) === 0;
        },
        10_000,
        'Parley and the emulators idle',
      );
    },
    stop: close,
  };
}
