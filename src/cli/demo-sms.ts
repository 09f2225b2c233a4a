import { ParleyError } from '../core/errors.js';
import { control, listening, type DemoPart, type PartContext } from './demo-parts.js';
import { loadEmulator } from './emulators.js';

// `parley demo --sms`: a phone answered in Amazon Connect, in the demo's Parley: the Twilio emulator (its
// phone page texts the number as a customer's phone) and the Amazon Connect emulator (its agent page plays
// the agent), a `twilio-sms` channel `sms` on the emulated number and a `connect` desk `connect`, and the
// route sms → connect. Wired as a user wires the real ones: the number's webhook is Parley's
// /webhooks/twilio-sms/sms (Twilio signs that URL with the Auth Token the channel holds), and Parley's
// /webhooks/connect/connect is subscribed to the streaming topic, Parley confirming the subscription itself.

/** The channel instance texts arrive on, and the desk they go to. */
export const DEMO_SMS_CHANNEL = 'sms';
export const DEMO_SMS_DESK = 'connect';

/** What `--sms` uses of the Twilio emulator: a structural view, because src/ may not import emulators/. */
export interface DemoTwilioEmulator {
  url: string;
  credentials: { accountSid: string; authToken: string; number: string };
  close(): Promise<void>;
}
export type StartDemoTwilio = (opts: { port: number; host: string; webhookUrl: string }) => Promise<DemoTwilioEmulator>;

/** What `--sms` uses of the Amazon Connect emulator. */
export interface DemoConnectEmulator {
  url: string;
  credentials: { region: string; accessKeyId: string; secretAccessKey: string; instanceId: string; contactFlowId: string; topicArns: string[] };
  close(): Promise<void>;
}
export type StartDemoConnect = (opts: { port: number; host: string }) => Promise<DemoConnectEmulator>;

/** The SMS part of a demo started with `sms`. */
export interface DemoSms {
  twilio: DemoTwilioEmulator;
  connect: DemoConnectEmulator;
  /** The Twilio emulator's phone page: text the number as the customer there. */
  phoneUrl: string;
  /** The Connect emulator's agent page: play the Amazon Connect agent there. */
  agentUrl: string;
}

export interface SmsPartOptions {
  twilioPort: number;
  connectPort: number;
  startTwilio?: StartDemoTwilio | undefined;
  startConnect?: StartDemoConnect | undefined;
}

const startBuiltTwilio: StartDemoTwilio = async ({ port, host, webhookUrl }) => {
  const mod = await loadEmulator<{ startTwilioEmulator(o: { port: number; host: string; webhookUrl: string }): Promise<DemoTwilioEmulator> }>('twilio');
  return mod.startTwilioEmulator({ port, host, webhookUrl });
};

const startBuiltConnect: StartDemoConnect = async ({ port, host }) => {
  const mod = await loadEmulator<{ startConnectEmulator(o: { port: number; host: string }): Promise<DemoConnectEmulator> }>('connect');
  return mod.startConnectEmulator({ port, host });
};

export async function smsPart(ctx: PartContext, opts: SmsPartOptions): Promise<DemoPart & { sms: DemoSms }> {
  const webhookUrl = `${ctx.local}/webhooks/twilio-sms/${DEMO_SMS_CHANNEL}`;
  const twilio = await listening(() => (opts.startTwilio ?? startBuiltTwilio)({ port: opts.twilioPort, host: ctx.host, webhookUrl }), opts.twilioPort, '--twilio-port');
  let connect: DemoConnectEmulator;
  try {
    connect = await listening(() => (opts.startConnect ?? startBuiltConnect)({ port: opts.connectPort, host: ctx.host }), opts.connectPort, '--connect-port');
  } catch (e) {
    await twilio.close();
    throw e;
  }
  const t = twilio.credentials;
  const cc = connect.credentials;
  const topic = cc.topicArns[0]!;
  const sms: DemoSms = { twilio, connect, phoneUrl: `${twilio.url}/phone`, agentUrl: `${connect.url}/agent` };
  return {
    sms,
    channels: { [DEMO_SMS_CHANNEL]: { type: 'twilio-sms', accountSid: t.accountSid, authToken: t.authToken, from: t.number, webhookUrl, apiBaseUrl: twilio.url } },
    desks: {
      [DEMO_SMS_DESK]: {
        type: 'connect',
        region: cc.region,
        endpoint: connect.url,
        instanceId: cc.instanceId,
        contactFlowId: cc.contactFlowId,
        topicArn: topic,
        // The emulator signs SNS messages with a local certificate it serves itself.
        snsTrustedHosts: [new URL(connect.url).host],
        credentials: { accessKeyId: cc.accessKeyId, secretAccessKey: cc.secretAccessKey },
      },
    },
    routes: [{ channel: DEMO_SMS_CHANNEL, desk: DEMO_SMS_DESK }],
    // Subscribes Parley's SNS endpoint to the streaming topic (what a user does in the SNS console); the
    // emulator answers once Parley confirmed the subscription.
    async connected() {
      const r = await control(connect.url, `/connect/topics/${encodeURIComponent(topic.split(':').pop()!)}/subscribe`, { endpoint: `${ctx.local}/webhooks/connect/${DEMO_SMS_DESK}` });
      if (r.status !== 200 || r.body.confirmed !== true) throw new ParleyError('CONFIG', `Parley did not confirm the Amazon Connect emulator's SNS subscription (${r.status}).`);
    },
    links: [`  Phone     ${sms.phoneUrl}   text ${t.number} here as the customer's phone`, `  Connect   ${sms.agentUrl}   play the Amazon Connect agent here`],
    about: [
      `    Texts to ${t.number} arrive on channel "${DEMO_SMS_CHANNEL}" (twilio-sms) and go to desk "${DEMO_SMS_DESK}" (Amazon Connect).`,
      `  Twilio emulator on ${twilio.url}  (webhook ${webhookUrl}; control API ${twilio.url}/__control)`,
      `  Amazon Connect emulator on ${connect.url}  (streaming to ${ctx.local}/webhooks/connect/${DEMO_SMS_DESK}; control API ${connect.url}/__control)`,
    ],
    async close() {
      try {
        await connect.close();
      } finally {
        await twilio.close();
      }
    },
  };
}
