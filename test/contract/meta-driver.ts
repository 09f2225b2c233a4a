import type { MetaScene } from '../channels/meta-scene.js';
import type { ChannelCustomer, ChannelDriver, Received, Sent } from './channel-contract.js';
import { EmulatedCustomer, emulatorDriver, faultRule } from './kit.js';

// What the channel drivers of Meta's two channels share (messenger-driver.ts, whatsapp-driver.ts), against
// the Meta emulator, whose control API plays each customer's app: writing, Meta delivering a webhook again,
// reading, and what the app shows (received, typing). Faults are armed on the Graph API path agent messages
// take. An undeliverable message is one outside the 24-hour window: the driver ages the customer at Meta
// (their last message 25 hours old), which then refuses the reply. Neither app reports customer typing nor
// shows joins, ends or queue places, and a customer cannot end a conversation (they stop writing).

export function metaDriver<C extends MetaCustomer>(o: { name: string; channel: string; scene: (env: Record<string, string>) => Promise<MetaScene>; customer: (scene: MetaScene, userId: string) => C; faultPath: string }): ChannelDriver {
  return emulatorDriver({
    name: o.name,
    channel: o.channel,
    capabilities: {
      typing: { fromCustomer: false, toCustomer: true },
      agentMessageStatus: 'read',
      customerSeesRead: true,
      media: true,
      quickReplies: true,
      customerEnds: false,
      shows: { joined: false, ended: false, waiting: false },
      vendorFaults: true,
      undeliverable: 'replyWindow',
    },
    scene: o.scene,
    customer: async (scene) => o.customer(scene, await scene.user()),
    fault: (f) => faultRule(f, o.faultPath, 'POST'),
    async undeliverable(scene, customer) {
      const r = await scene.control('POST', `/meta/${scene.app}/users/${customer.userId}/age`, { hours: 25 });
      if (r.status !== 204) throw new Error(`could not age the customer: ${r.status}`);
    },
  });
}

/** A customer of one of Meta's apps, played through the emulator: what is the same on Messenger and WhatsApp. */
export abstract class MetaCustomer extends EmulatedCustomer implements ChannelCustomer {
  constructor(
    protected readonly scene: MetaScene,
    /** Their id at Meta (Messenger's PSID, WhatsApp's wa_id). */
    readonly userId: string,
  ) {
    super();
  }

  abstract sendMedia(bytes: Buffer, mime: string): Promise<Sent>;
  abstract answer(choice: string): Promise<Sent>;
  abstract received(): Promise<Received[]>;
  abstract statusOf(sent: Sent): Promise<string | undefined>;

  protected conversationOf(id: string): Promise<string> {
    return this.scene.conversationOf(id);
  }

  /** The user writes a control-API message body; what a send answers. */
  protected write(body: Record<string, unknown>): Promise<Sent> {
    return this.sent(this.scene.write(this.userId, body));
  }

  /** The user as the emulator shows them. */
  protected view(): Promise<any> {
    return this.scene.view(this.userId);
  }

  send(text: string): Promise<Sent> {
    return this.write({ text });
  }

  async resend(sent: Sent): Promise<void> {
    const r = await this.scene.control('POST', `/meta/messages/${encodeURIComponent(sent.id)}/redeliver`);
    if (r.status !== 201) throw new Error(`redeliver failed: ${r.status}`);
    // Let it land: the contract reads the log right after.
    await this.scene.idle();
  }

  async read(): Promise<void> {
    const r = await this.scene.control('POST', `/meta/${this.scene.app}/users/${this.userId}/read`);
    if (r.status !== 201) throw new Error(`read failed: ${r.status}`);
  }

  async seesAgentTyping(): Promise<boolean> {
    return (await this.view()).typing === true;
  }
}
