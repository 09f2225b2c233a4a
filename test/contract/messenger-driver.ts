import { messengerScene } from '../channels/messenger/helpers.js';
import type { ChannelDriver, Received, Sent } from './channel-contract.js';
import { MetaCustomer, metaDriver } from './meta-driver.js';

// The channel driver of the `messenger` channel for the channel contract, against the Meta emulator, whose
// control API plays each customer's Messenger app: sending (texts, images, quick-reply taps), Meta delivering
// a webhook again, reading, and what the app received (texts, quick replies, files, typing, "seen"). Faults
// are armed on the Send API, the path agent messages take. An undeliverable message is one outside the
// 24-hour window: the driver ages the customer at Meta, which then refuses the reply (10/2018278). The
// customer cannot end a conversation from Messenger, and Messenger shows no joins, ends or queue places.
// What it shares with the WhatsApp driver is in meta-driver.ts.

const SEND_API = '/v*/me/messages';

export function messengerDriver(): ChannelDriver {
  return metaDriver({
    name: 'messenger',
    channel: 'messenger',
    scene: (env) => messengerScene({ env }),
    customer: (scene, psid) => new MessengerCustomer(scene, psid),
    faultPath: SEND_API,
  });
}

class MessengerCustomer extends MetaCustomer {
  sendMedia(bytes: Buffer, mime: string): Promise<Sent> {
    return this.write({ attachments: [{ type: 'image', contentType: mime, base64: bytes.toString('base64') }] });
  }

  async answer(choice: string): Promise<Sent> {
    const offered = (await this.view()).received.flatMap((m: any) => m.quickReplies ?? []) as { title: string; payload: string }[];
    const reply = offered.findLast((q) => q.title === choice);
    if (!reply) throw new Error(`"${choice}" was not offered`);
    return this.write({ quickReply: reply });
  }

  async received(): Promise<Received[]> {
    return ((await this.view()).received as any[]).map((m) => ({
      ...(m.text !== undefined ? { text: m.text as string } : {}),
      ...(m.quickReplies ? { choices: (m.quickReplies as { title: string }[]).map((q) => q.title) } : {}),
      ...(m.attachment ? { media: { mime: m.attachment.contentType as string, bytes: async () => Buffer.from(await (await fetch(m.attachment.url)).arrayBuffer()) } } : {}),
    }));
  }

  async statusOf(sent: Sent): Promise<string | undefined> {
    const view = await this.view();
    const mine = (view.sent as { mid: string; timestamp: number }[]).find((m) => m.mid === sent.id);
    if (!mine) return undefined;
    return view.seenWatermark !== null && view.seenWatermark >= mine.timestamp ? 'read' : 'sent';
  }
}
