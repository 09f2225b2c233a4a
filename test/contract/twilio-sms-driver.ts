import { twilioScene, type TwilioScene } from '../channels/twilio-sms/helpers.js';
import type { ChannelCustomer, ChannelDriver, Received, Sent } from './channel-contract.js';
import { faultRule, PhoneCustomer, phoneNumbers, smsDriver } from './kit.js';

// The channel driver of the `twilio-sms` channel for the channel contract, against the Twilio emulator,
// whose control API plays each customer's phone: texting (and MMS) the number, Twilio delivering a webhook
// again, and what the phone received. Faults are armed on the Messages API, the path agent messages take;
// an undeliverable message is the carrier's: the phone unreachable, reported by a status callback
// (`undelivered`, 30003). The customer ends by texting STOP (Twilio's opt-out). SMS has no typing, reads,
// joins, queue positions or quick replies (a quick reply goes out as numbered text).

const MESSAGES = '/2010-04-01/Accounts/*/Messages.json';

/** A fresh phone number per customer (one phone is one contact). */
const nextPhone = phoneNumbers('+1555');

export function twilioSmsDriver(): ChannelDriver {
  return smsDriver({
    name: 'twilio-sms',
    media: true,
    scene: (env) => twilioScene({ env }),
    customer: (scene) => new SmsCustomer(scene, nextPhone()),
    fault: (f) => faultRule(f, MESSAGES, 'POST'),
    async undeliverable(scene, customer) {
      const r = await scene.control('POST', `/twilio/phones/${encodeURIComponent(customer.phone)}/undeliverable`, {});
      if (r.status !== 204) throw new Error(`could not make the phone unreachable: ${r.status}`);
    },
  });
}

class SmsCustomer extends PhoneCustomer implements ChannelCustomer {
  constructor(
    private readonly scene: TwilioScene,
    phone: string,
  ) {
    super(phone);
  }

  protected text(body: string | undefined, media?: { contentType: string; bytes: Buffer }[]): Promise<string> {
    return this.scene.text(this.phone, body, media);
  }

  protected conversationOf(sid: string): Promise<string> {
    return this.scene.conversationOf(sid);
  }

  async resend(sent: Sent): Promise<void> {
    const r = await this.scene.control('POST', `/twilio/messages/${sent.id}/redeliver`);
    if (r.status !== 201) throw new Error(`redeliver failed: ${r.status}`);
    // Let it land: the contract reads the log right after.
    await this.scene.emu.webhooksIdle();
  }

  sendMedia(bytes: Buffer, mime: string): Promise<Sent> {
    return this.sent(this.text(undefined, [{ contentType: mime, bytes }]));
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
}
