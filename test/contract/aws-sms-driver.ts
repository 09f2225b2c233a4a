import { awsSmsScene, type AwsSmsScene } from '../channels/aws-sms/helpers.js';
import type { ChannelCustomer, ChannelDriver, Received, Sent } from './channel-contract.js';
import type { VendorFault } from './kit.js';

// The channel driver of the `aws-sms` channel for the channel contract, against the AWS End User Messaging
// SMS emulator, whose control API plays each customer's phone: texting the number (published to the
// two-way SNS topic Parley is subscribed to), SNS delivering a notification again, and what the phone
// received. Faults are armed on the SMS Voice v2 API (`POST /`), the path agent messages take; an
// undeliverable message is one AWS refuses: the phone opted out (ConflictException). The customer ends by
// texting STOP (AWS's opt-out). SMS has no typing, reads, joins, queue positions, media (End User Messaging
// SMS is text only here) or quick replies (sent as numbered text).

function faultRule(f: VendorFault) {
  switch (f.kind) {
    case 'rateLimit':
      return { path: '/', method: 'POST', kind: 'rateLimit', retryAfterSeconds: f.retryAfterSeconds };
    case 'error':
      return { path: '/', method: 'POST', kind: 'error', status: f.status };
    case 'timeout':
      // No answer at all: AWS does not act on it, Parley's attempt timeout ends it.
      return { path: '/', method: 'POST', kind: 'hang' };
  }
}

let phones = 0;
/** A fresh phone number per customer (one phone is one contact). */
const nextPhone = () => `+1206${String(Date.now() % 1000).padStart(3, '0')}${String(++phones).padStart(4, '0')}`;

export function awsSmsDriver(): ChannelDriver {
  let scene: AwsSmsScene | undefined;
  const s = () => {
    if (!scene) throw new Error('the aws-sms driver is not started');
    return scene;
  };

  const driver: ChannelDriver = {
    name: 'aws-sms (emulator)',
    channel: 'sms',
    capabilities: {
      typing: { fromCustomer: false, toCustomer: false },
      agentMessageStatus: 'delivered',
      customerSeesRead: false,
      media: false,
      quickReplies: false,
      customerEnds: true,
      shows: { joined: false, ended: false, waiting: false },
      vendorFaults: true,
      undeliverable: 'refused',
    },
    get ts() {
      return s().ts;
    },
    async start(env) {
      scene = await awsSmsScene({ env });
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
      const r = await s().control('PATCH', `/aws-sms/phones/${encodeURIComponent((customer as SmsCustomer).phone)}`, { optedOut: true });
      if (r.status !== 200) throw new Error(`could not opt the phone out: ${r.status}`);
    },
  };
  return driver;
}

class SmsCustomer implements ChannelCustomer {
  private first: Promise<string> | undefined;
  private opened: Promise<string> | undefined;
  /** inboundMessageId → the SNS MessageId that carried it (to have SNS deliver it again). */
  private readonly sns = new Map<string, string>();

  constructor(
    private readonly scene: AwsSmsScene,
    readonly phone: string,
  ) {}

  conversationId(): Promise<string> {
    if (!this.first) throw new Error('the customer has not texted yet');
    this.opened ??= this.first.then((id) => this.scene.conversationOf(id));
    return this.opened;
  }

  async send(text: string): Promise<Sent> {
    const sent = this.scene.text(this.phone, text).then((r) => {
      this.sns.set(r.inboundMessageId, r.snsMessageId);
      return r.inboundMessageId;
    });
    this.first ??= sent;
    return { id: await sent };
  }

  async resend(sent: Sent): Promise<void> {
    const r = await this.scene.control('POST', '/aws-sms/redeliver', { snsMessageId: this.sns.get(sent.id) });
    if (r.status !== 202) throw new Error(`redeliver failed: ${r.status}`);
    // Let it land: the contract reads the log right after.
    await this.scene.emu.snsIdle();
  }

  async end(): Promise<void> {
    await this.scene.text(this.phone, 'STOP');
  }

  async received(): Promise<Received[]> {
    return (await this.scene.received(this.phone)).map((t) => ({ text: t.body }));
  }

  async close(): Promise<void> {}
}
