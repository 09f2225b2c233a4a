import { INSTANCE, shown, whatsappScene } from '../channels/whatsapp/helpers.js';
import type { ChannelDriver, Received, Sent } from './channel-contract.js';
import { MetaCustomer, metaDriver } from './meta-driver.js';

// The channel driver of the `whatsapp` channel for the channel contract, against the Meta emulator's
// WhatsApp Cloud API, whose control API plays each customer's WhatsApp: writing, sending a photo, tapping a
// reply button or list row, reading, Meta delivering a webhook again, and what the user received. Faults are
// armed on the messages endpoint (`POST /v*/<phone-number-id>/messages`), the path agent messages take. An
// undeliverable message is the 24-hour window closed at Meta (the user's last message aged by 25 hours):
// Meta accepts the free-form send and reports it `failed` with 131047. WhatsApp reports no customer typing
// and has nothing to show of joins, the end or the queue; a customer cannot end a chat (they stop writing).
// What it shares with the Messenger driver is in meta-driver.ts.

const MESSAGES = '/v*/*/messages';

export function whatsappDriver(): ChannelDriver {
  return metaDriver({
    name: 'whatsapp',
    channel: INSTANCE,
    scene: (env) => whatsappScene({ env }),
    customer: (scene, waId) => new WhatsAppCustomer(scene, waId),
    faultPath: MESSAGES,
  });
}

class WhatsAppCustomer extends MetaCustomer {
  sendMedia(bytes: Buffer, mime: string): Promise<Sent> {
    return this.write({ media: { type: 'image', contentType: mime, base64: bytes.toString('base64') } });
  }

  async answer(choice: string): Promise<Sent> {
    const offered = ((await this.view()).received as any[]).filter((m) => m.interactive).reverse();
    for (const m of offered) {
      const i = m.interactive;
      if (i.type === 'button') {
        const b = i.buttons.find((x: any) => x.title === choice);
        if (b) return this.write({ buttonReply: { id: b.id, title: b.title } });
      } else {
        const r = i.sections.flatMap((x: any) => x.rows).find((x: any) => x.title === choice);
        if (r) return this.write({ listReply: { id: r.id, title: r.title } });
      }
    }
    throw new Error(`"${choice}" was never offered`);
  }

  async received(): Promise<Received[]> {
    // A message Meta accepted and then failed (131047) never reached the phone.
    const got = ((await this.view()).received as any[]).filter((m) => m.status !== 'failed');
    return got.map((m) => {
      const media = m.media as { contentType: string; url: string } | undefined;
      return {
        ...shown(m),
        ...(media?.url ? { media: { mime: media.contentType, bytes: async () => Buffer.from(await (await fetch(media.url)).arrayBuffer()) } } : {}),
      };
    });
  }

  async statusOf(sent: Sent): Promise<string | undefined> {
    return ((await this.view()).readByBusiness as string[]).includes(sent.id) ? 'read' : 'delivered';
  }
}
