import { afterAll, beforeAll } from 'vitest';
import { startAwsSmsEmulator, type AwsSmsEmulator } from '../../emulators/aws-sms/main.js';
import { startConnectEmulator, type ConnectEmulator } from '../../emulators/connect/main.js';
import { startGenesysEmulator, type GenesysEmulator } from '../../emulators/genesys/main.js';
import { startLivePersonEmulator, type LivePersonEmulator } from '../../emulators/liveperson/main.js';
import { startMetaEmulator, type MetaEmulator } from '../../emulators/meta/main.js';
import { startTwilioEmulator, type TwilioEmulator } from '../../emulators/twilio/main.js';
import { awsSmsChannelSettings, awsSmsConversationOf, awsSmsPhones } from '../channels/aws-sms/helpers.js';
import { twilioChannelSettings, twilioPhones } from '../channels/twilio-sms/helpers.js';
import { metaUsers, subscribe } from '../channels/meta-scene.js';
import { whatsappChannelSettings, whatsappSecrets } from '../channels/whatsapp/helpers.js';
import { connectDeskSettings } from '../desks/connect/helpers.js';
import { genesysDeskSettings } from '../desks/genesys/helpers.js';
import { livePersonDeskSettings } from '../desks/liveperson/helpers.js';
import { client } from '../emulators/helpers.js';
import { fastAgent } from '../helpers/flows.js';
import { configuredParley, conversationOfExternal, publicProxy, type Control } from '../helpers/scene.js';
import { until, type TestServer } from '../helpers/server.js';

// One Parley with a vendor channel instance (`sms`: twilio-sms or aws-sms; `wa`: whatsapp) and a vendor desk
// instance (`cc`: connect, `gc`: genesys, or `lp`: liveperson), the route from the channel to that desk (with the route
// settings a test gives, e.g. a redaction policy), and each vendor's emulator in this process, wired the way
// a user wires them: Twilio's number webhook at Parley's public URL (a forwarding proxy here, since Twilio
// signs the URL it posts to and Parley's port is known only once it listens), the SNS subscriptions confirmed
// by Parley itself, the WhatsApp webhook subscribed through Meta's GET handshake, Genesys's integration
// webhook at Parley. The same parts the per-adapter scenes
// (test/channels/*/helpers.ts, test/desks/*/helpers.ts) use, from test/helpers/scene.ts, composed across a
// channel and a desk.

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
  whatsapp?: {
    emu: MetaEmulator;
    control: Control;
    /** A new WhatsApp user; their wa_id. */
    user(name?: string): Promise<string>;
    /** The user writes `{text}` (or any control-API message body); the wamid. */
    write(waId: string, body: Record<string, unknown>): Promise<string>;
    /** What the user received from the business, in order. */
    received(waId: string): Promise<any[]>;
  };
  connect?: { emu: ConnectEmulator; control: Control; topicArn: string };
  genesys?: { emu: GenesysEmulator; control: Control };
  liveperson?: { emu: LivePersonEmulator; control: Control };
  /** The Parley conversation a Twilio message went to, once stored. */
  conversationOfTwilio(messageSid: string): Promise<string>;
  /** The Parley conversation a WhatsApp message (wamid) went to, once stored. */
  conversationOfWhatsApp(wamid: string): Promise<string>;
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
  channel: 'twilio' | 'aws' | 'whatsapp';
  desk: 'connect' | 'genesys' | 'liveperson';
  channelSettings?: Record<string, unknown>;
  deskSettings?: Record<string, unknown>;
  /** Over the channel → desk route (e.g. `redact`). */
  routeSettings?: Record<string, unknown>;
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
  const instance = opts.channel === 'whatsapp' ? 'wa' : 'sms';
  let sms: Record<string, unknown>;
  let twilio: SmsDeskScene['twilio'];
  let aws: SmsDeskScene['aws'];
  let whatsapp: SmsDeskScene['whatsapp'];
  if (opts.channel === 'whatsapp') {
    const emu = await startMetaEmulator({ port: 0, deliveryDelayMs: 20, webhook: { timeoutMs: 3000, retries: 3, delayMs: 100 } });
    closers.push(() => emu.close());
    const { control } = client(emu.url);
    Object.assign(env, whatsappSecrets(emu));
    sms = whatsappChannelSettings(emu);
    const { user, write, view } = metaUsers(control, 'whatsapp');
    whatsapp = { emu, control, user, write, received: async (waId) => (await view(waId)).received as any[] };
  } else if (opts.channel === 'twilio') {
    const emu = await startTwilioEmulator({ port: 0, statusDelayMs: 20 });
    closers.push(() => emu.close());
    const webhookUrl = `${proxy.url}/webhooks/twilio-sms/${instance}`;
    const { control } = client(emu.url);
    await control('PATCH', '/twilio/settings', { webhookUrl });
    env.TEST_TWILIO_AUTH_TOKEN = emu.credentials.authToken;
    sms = twilioChannelSettings(emu, webhookUrl);
    twilio = { emu, control, ...twilioPhones(control) };
  } else {
    const emu = await startAwsSmsEmulator({ port: 0, snsRetry: { delaysMs: [50, 100, 200], timeoutMs: 3000 }, carrierDelayMs: 20 });
    closers.push(() => emu.close());
    const c = emu.credentials;
    const { control } = client(emu.url);
    env.TEST_AWS_SMS_SECRET = c.secretAccessKey;
    sms = awsSmsChannelSettings(emu);
    aws = { emu, control, ...awsSmsPhones(control) };
  }
  Object.assign(sms, opts.channelSettings);

  // The desk.
  let deskName: string;
  let desk: Record<string, unknown>;
  let connect: SmsDeskScene['connect'];
  let genesys: SmsDeskScene['genesys'];
  let liveperson: SmsDeskScene['liveperson'];
  if (opts.desk === 'liveperson') {
    const emu = await startLivePersonEmulator({ port: 0, retryScale: 0.01, webhookTimeoutMs: 3000 });
    closers.push(() => emu.close());
    env.TEST_LP_SECRET = emu.credentials.clientSecret;
    deskName = 'lp';
    desk = livePersonDeskSettings(emu);
    liveperson = { emu, control: client(emu.url).control };
  } else if (opts.desk === 'connect') {
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
      channels: { web: { type: 'web' }, [instance]: sms },
      desks: { inbox: { type: 'inbox' }, [deskName]: desk },
      routes: [
        { channel: instance, desk: deskName, ...opts.routeSettings },
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
  if (whatsapp) await subscribe(whatsapp.control, 'whatsapp', `${proxy.url}/webhooks/whatsapp/${instance}`);
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
  if (liveperson) {
    const set = await liveperson.control('PATCH', '/liveperson/settings', { webhookUrl: `${proxy.url}/webhooks/liveperson/lp` });
    if (set.status !== 200) throw new Error(`could not point the LivePerson app's webhooks at Parley: ${set.status} ${JSON.stringify(set.body)}`);
  }
  if (genesys) {
    const set = await genesys.control('PATCH', `/genesys/integrations/${genesys.emu.credentials.integrationId}`, { webhookUrl: `${proxy.url}/webhooks/genesys/gc` });
    if (set.status !== 200) throw new Error(`could not point the integration at Parley: ${set.status} ${JSON.stringify(set.body)}`);
  }

  const pending = async () => (await started.server.database.db.selectFrom('deliveries').select('id').where('status', '=', 'pending').execute()).length;
  const emulatorsIdle = async () => {
    // Twilio's carrier first: a text reaching the phone ends with a status callback.
    await twilio?.emu.carrier.idle();
    await twilio?.emu.webhooksIdle();
    await aws?.emu.snsIdle();
    await whatsapp?.emu.webhooksIdle();
    await connect?.emu.streamsIdle();
    await genesys?.emu.webhooksIdle();
    await liveperson?.emu.webhooksIdle();
  };
  return {
    ts: started,
    ...(twilio ? { twilio } : {}),
    ...(aws ? { aws } : {}),
    ...(whatsapp ? { whatsapp } : {}),
    ...(connect ? { connect } : {}),
    ...(genesys ? { genesys } : {}),
    ...(liveperson ? { liveperson } : {}),
    conversationOfTwilio: (messageSid) => conversationOfExternal(() => started, 'sms', messageSid),
    conversationOfWhatsApp: (wamid) => conversationOfExternal(() => started, instance, wamid),
    conversationOfAws: (inboundMessageId) => awsSmsConversationOf(() => started, inboundMessageId),
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

/** The scene of a describe block: started with `opts` before its cases, stopped after them; read at each call. */
export function describeScene(opts: SmsDeskOptions): () => SmsDeskScene {
  let scene: SmsDeskScene | undefined;
  beforeAll(async () => {
    scene = await smsDeskScene(opts);
  });
  afterAll(async () => scene?.stop());
  return () => {
    if (!scene) throw new Error('the scene is not started');
    return scene;
  };
}

/**
 * The Parley side of a scene (read at each call: the scene starts in beforeAll), read as an admin made at the
 * first call (vendor-desk conversations have no inbox agent): a conversation and its events.
 */
export function parleyView(scene: () => SmsDeskScene) {
  let admin: { token: string } | undefined;
  const token = async () => (admin ??= await fastAgent(scene().ts, { name: 'Admin', role: 'admin' })).token;
  return {
    events: async (id: string) => (await scene().ts.api.get(`/v1/agent/conversations/${id}/events`, await token())).body.events as any[],
    conversation: async (id: string) => (await scene().ts.api.get(`/v1/agent/conversations/${id}`, await token())).body.conversation as any,
  };
}

/** The Genesys agent of a scene with the genesys desk (read at each call: the scene starts in beforeAll), through the emulator's control API. */
export function genesysAgent(scene: () => SmsDeskScene) {
  const genesys = (method: string, path: string, body?: unknown) => scene().genesys!.control(method, `/genesys${path}`, body);
  const gc = async (id: string) => (await genesys('GET', `/conversations/${id}`)).body;
  const inbound = async (id: string) => ((await gc(id)).messages as any[]).filter((m) => m.direction === 'inbound');
  /** The open Genesys conversation of a Parley contact (its id as the Open Messaging customer id), once there. */
  const conversationFor = (contactId: string) =>
    until(async () => ((await genesys('GET', '/conversations')).body.conversations as any[]).find((c) => c.customer?.id === contactId && c.phase !== 'ended'), 8000, 'the Genesys conversation');
  return { genesys, gc, inbound, conversationFor };
}

/** The Connect agent of a scene with the connect desk (read at each call: the scene starts in beforeAll), through the emulator's control API. */
export function connectAgent(scene: () => SmsDeskScene) {
  const connect = (method: string, path: string, body?: unknown) => scene().connect!.control(method, `/connect${path}`, body);
  const contact = async (id: string) => (await connect('GET', `/contacts/${id}`)).body;
  const contactsOf = async (conversationId: string) => ((await connect('GET', '/contacts')).body.contacts as any[]).filter((c) => c.attributes?.parleyConversationId === conversationId);
  const customerTexts = async (id: string) => ((await contact(id)).items as any[]).filter((i) => i.ParticipantRole === 'CUSTOMER' && i.Type === 'MESSAGE').map((i) => i.Content as string);
  return { connect, contact, contactsOf, customerTexts };
}
