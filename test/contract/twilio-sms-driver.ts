import { twilioScene, type TwilioScene } from '../channels/twilio-sms/helpers.js';
import type { ChannelCustomer, ChannelDriver, Received, Sent } from './channel-contract.js';
import type { VendorFault } from './kit.js';

// The channel driver of the `twilio-sms` channel for the channel contract, against the Twilio emulator,
// whose control API plays each customer's phone: texting (and MMS) the number, Twilio delivering a webhook
// again, and what the phone received. Faults are armed on the Messages API, the path agent messages take;
// an undeliverable message is the carrier's: the phone unreachable, reported by a status callback
// (`undelivered`, 30003). The customer ends by texting STOP (Twilio's opt-out). SMS has no typing, reads,
// joins, queue positions or quick replies (a quick reply goes out as numbered text).

const MESSAGES = '/2010-04-01/Accounts/*/Messages.json';

function faultRule(f: VendorFault) {
  switch (f.kind) {
    case 'rateLimit':
      return { path: MESSAGES, method: 'POST', kind: 'rateLimit', retryAfterSeconds: f.retryAfterSeconds };
    case 'error':
      return { path: MESSAGES, method: 'POST', kind: 'error', status: f.status };
    case 'timeout':
      // No answer at all: Twilio does not act on it, Parley's attempt timeout ends it.
      return { path: MESSAGES, method: 'POST', kind: 'hang' };
  }
}

let phones = 0;
/** A fresh phone number per customer (one phone is one contact). */
const nextPhone = () => `+1555${String(Date.now() % 1000).padStart(3, '0')}${String(++phones).padStart(4, '0')}`;

export function twilioSmsDriver(): ChannelDriver {
  let scene: TwilioScene | undefined;
  let env: Record<string, string> = {};
  const s = () => {
    if (!scene) throw new Error('the twilio-sms driver is not started');
    return scene;
  };

  const driver: ChannelDriver = {
    name: 'twilio-sms (emulator)',
    channel: 'sms',
    capabilities: {
      typing: { fromCustomer: false, toCustomer: false },
      agentMessageStatus: 'delivered',
      customerSeesRead: false,
      media: true,
      quickReplies: false,
      customerEnds: true,
      shows: { joined: false, ended: false, waiting: false },
      vendorFaults: true,
      undeliverable: 'refused',
    },
    get ts() {
      return s().ts;
    },
    async start(extra) {
      env = extra;
      scene = await twilioScene({ env });
    },
    async restart() {
      await s().restart();
    },
    async stop() {
      await scene?.stop();
    },
    async customer() {
      return new SmsCustomer(s(), nextPhone());
    },
    async fault(f, times) {
      const rule = (await s().control('POST', '/faults', { ...faultRule(f), ...(times !== undefined ? { times } : {}) })).body as { id: string };
      return {
        injected: async () => ((await s().control('GET', '/faults')).body.faults as { id: string; injected: number }[]).find((r) => r.id === rule.id)?.injected ?? 0,
      };
    },
    async clearFaults() {
      await s().control('DELETE', '/faults');
    },
    async undeliverable(customer) {
      const r = await s().control('POST', `/twilio/phones/${encodeURIComponent((customer as SmsCustomer).phone)}/undeliverable`, {});
      if (r.status !== 204) throw new Error(`could not make the phone unreachable: ${r.status}`);
    },
  };
  return driver;
}

class SmsCustomer implements ChannelCustomer {
  private first: Promise<string> | undefined;
  private opened: Promise<string> | undefined;

  constructor(
    private readonly scene: TwilioScene,
    readonly phone: string,
  ) {}

  conversationId(): Promise<string> {
    if (!this.first) throw new Error('the customer has not texted yet');
    this.opened ??= this.first.then((sid) => this.scene.conversationOf(sid));
    return this.opened;
  }

  async send(text: string): Promise<Sent> {
    const sid = this.scene.text(this.phone, text);
    this.first ??= sid;
    return { id: await sid };
  }

  async resend(sent: Sent): Promise<void> {
    const r = await this.scene.control('POST', `/twilio/messages/${sent.id}/redeliver`);
    if (r.status !== 201) throw new Error(`redeliver failed: ${r.status}`);
    // Let it land: the contract reads the log right after.
    await this.scene.emu.webhooksIdle();
  }

  async sendMedia(bytes: Buffer, mime: string): Promise<Sent> {
    const sid = this.scene.text(this.phone, undefined, [{ contentType: mime, bytes }]);
    this.first ??= sid;
    return { id: await sid };
  }

  async end(): Promise<void> {
    await this.scene.text(this.phone, 'STOP');
  }

  async received(): Promise<Received[]> {
    return (await this.scene.received(this.phone)).map((m) => {
      const media = m.media[0] as { contentType: string; url: string } | undefined;
      return {
        ...(m.body ? { text: m.body as string } : {}),
        ...(media ? { media: { mime: media.contentType, bytes: async () => Buffer.from(await (await fetch(media.url)).arrayBuffer()) } } : {}),
      };
    });
  }

  async close(): Promise<void> {}
}
