import { awsSmsScene, type AwsSmsScene } from '../channels/aws-sms/helpers.js';
import type { ChannelCustomer, ChannelDriver, Received, Sent } from './channel-contract.js';
import { faultRule, PhoneCustomer, phoneNumbers, smsDriver } from './kit.js';

// The channel driver of the `aws-sms` channel for the channel contract, against the AWS End User Messaging
// SMS emulator, whose control API plays each customer's phone: texting the number (published to the
// two-way SNS topic Parley is subscribed to), SNS delivering a notification again, and what the phone
// received. Faults are armed on the SMS Voice v2 API (`POST /`), the path agent messages take; an
// undeliverable message is one AWS refuses: the phone opted out (ConflictException). The customer ends by
// texting STOP (AWS's opt-out). SMS has no typing, reads, joins, queue positions, media (End User Messaging
// SMS is text only here) or quick replies (sent as numbered text).

/** A fresh phone number per customer (one phone is one contact). */
const nextPhone = phoneNumbers('+1206');

export function awsSmsDriver(): ChannelDriver {
  return smsDriver({
    name: 'aws-sms',
    media: false,
    scene: (env) => awsSmsScene({ env }),
    customer: (scene) => new SmsCustomer(scene, nextPhone()),
    fault: (f) => faultRule(f, '/', 'POST'),
    async undeliverable(scene, customer) {
      const r = await scene.control('PATCH', `/aws-sms/phones/${encodeURIComponent(customer.phone)}`, { optedOut: true });
      if (r.status !== 200) throw new Error(`could not opt the phone out: ${r.status}`);
    },
  });
}

class SmsCustomer extends PhoneCustomer implements ChannelCustomer {
  /** inboundMessageId → the SNS MessageId that carried it (to have SNS deliver it again). */
  private readonly sns = new Map<string, string>();

  constructor(
    private readonly scene: AwsSmsScene,
    phone: string,
  ) {
    super(phone);
  }

  protected text(body: string): Promise<string> {
    return this.scene.text(this.phone, body).then((r) => {
      this.sns.set(r.inboundMessageId, r.snsMessageId);
      return r.inboundMessageId;
    });
  }

  protected conversationOf(inboundMessageId: string): Promise<string> {
    return this.scene.conversationOf(inboundMessageId);
  }

  async resend(sent: Sent): Promise<void> {
    const r = await this.scene.control('POST', '/aws-sms/redeliver', { snsMessageId: this.sns.get(sent.id) });
    if (r.status !== 202) throw new Error(`redeliver failed: ${r.status}`);
    // Let it land: the contract reads the log right after.
    await this.scene.emu.snsIdle();
  }

  async received(): Promise<Received[]> {
    return (await this.scene.received(this.phone)).map((t) => ({ text: t.body }));
  }
}
