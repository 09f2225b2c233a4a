import { placedContext } from '../adapters.js';
import { endConversation, openConversation, postMessage, receiptFor, type CommandResult } from '../core/commands.js';
import { ParleyError } from '../core/errors.js';
import type { Author, Conversation } from '../core/model.js';
import type { Part } from '../core/parts.js';
import { DEFAULT_QUEUE } from './admin.js';
import { externalIds } from './external-ids.js';
import type { Hub } from './hub.js';
import { conversationById } from './reads.js';

// The channel → Parley half of the adapter seam, the counterpart of desk reports (desk-reports.ts): what a
// vendor channel adapter (SMS, Messenger, WhatsApp) calls when its vendor reports something the customer
// did. One object per adapter instance, so every report is scoped to it:
//
// - identity: the customer is the vendor's user id in the adapter's identity namespace (`phone` for an E.164
//   number, so one phone is one contact on every SMS channel), a contact created at first contact;
// - conversations: a message goes to the customer's open conversation on this channel instance, or opens
//   one where the route table sends this channel (and entry point), as the web channel's first message does;
// - idempotency: each stored report carries the vendor's own id as its key in the instance's scope
//   (`channel:<instance>`), so a webhook the vendor retries is stored once — checked before anything is
//   opened, so a retry after the conversation ended does not open a new one;
// - ids: the external id map, as for desks (external-ids.ts);
// - live signals (the customer typing) are published, never stored.

export type ChannelReports = ReturnType<typeof channelReports>;

/** The customer as the vendor names them: an id in the adapter's identity namespace, and a display name if the vendor gives one. */
export interface VendorCustomer {
  id: string;
  name?: string | undefined;
}

export function channelReports(hub: Hub, instance: string, identity: string) {
  const source = `channel:${instance}`;
  const customer = (contactId: string): Author => ({ role: 'customer', id: contactId });

  /** A conversation of this channel instance (CONVERSATION_NOT_FOUND for another channel's). */
  async function conversation(id: string): Promise<Conversation> {
    const c = await conversationById(hub.db, id);
    if (!c || c.channel !== instance) throw new ParleyError('CONVERSATION_NOT_FOUND');
    return c;
  }

  return {
    instance,
    /** The instance's idempotency scope (`channel:<instance>`). */
    source,
    ...externalIds(hub, instance),
    conversation,

    /** The contact for a vendor customer id, created at first contact. */
    contact: (from: VendorCustomer): Promise<string> => hub.tx(async (tx) => (await tx.ensureContactForIdentity(identity, from.id, { name: from.name ?? null, verified: true })).id),

    /** When the customer last wrote to this channel instance (ISO), if ever: the start of Meta's reply windows. */
    heardAt: (contactId: string): Promise<string | undefined> => hub.tx((tx) => tx.clockOf(instance, contactId)),

    /** The customer's open conversation on this channel, if any (where an agent's reply to them goes). */
    openConversationOf: async (from: VendorCustomer): Promise<Conversation | undefined> =>
      hub.tx(async (tx) => {
        const contact = await tx.ensureContactForIdentity(identity, from.id, { name: from.name ?? null, verified: true });
        return tx.findOpenConversation(contact.id, instance);
      }),

    /**
     * A customer's message, stored once per vendor message id: in their open conversation on this channel,
     * or in a new one placed by the route table (`entryPoint` picks a route as the widget's does).
     */
    message: (r: {
      from: VendorCustomer;
      messageId: string;
      parts: Part[];
      entryPoint?: string | undefined;
      context?: Record<string, unknown> | undefined;
      /** When the customer wrote it (ISO, the vendor's clock): moves the reply window (vendor_clocks) forward. */
      heardAt?: string | undefined;
    }): Promise<CommandResult> =>
      hub.run(async (ctx) => {
        const key = `message:${r.messageId}`;
        const seen = await ctx.tx.findEventByKey(source, key);
        if (seen) {
          const c = await ctx.tx.getConversation(seen.conversationId);
          if (!c) throw new ParleyError('CONVERSATION_NOT_FOUND');
          return { conversation: c, events: [seen], duplicate: true };
        }
        const contact = await ctx.tx.ensureContactForIdentity(identity, r.from.id, { name: r.from.name ?? null, verified: true });
        if (r.heardAt) await ctx.tx.advanceClock(instance, contact.id, r.heardAt);
        const where = hub.adapters.placement(instance, { entryPoint: r.entryPoint, defaultQueue: DEFAULT_QUEUE });
        const opened = await openConversation(ctx, { contactId: contact.id, channel: instance, desk: where.desk, queueId: where.queueId, context: placedContext(r.context, where, hub.adapters.redactionFor({ channel: instance, context: where.context })) });
        const posted = await postMessage(ctx, {
          conversationId: opened.conversation.id,
          author: customer(contact.id),
          origin: 'channel',
          parts: r.parts,
          source,
          key,
          allowed: (c) => c.contactId === contact.id,
        });
        return { ...posted, events: [...opened.events, ...posted.events] };
      }),

    /**
     * The channel's verdict on one event it was sent to the customer (`eventId`: found through the vendor's
     * message id with `find('message', …)`): delivered/read move the customer's receipt counters; failed
     * fails that event's channel delivery and appends `delivery.failed`, which the agent sees.
     */
    receipt: async (r: { eventId: string; status: 'delivered' | 'read' | 'failed'; code?: string; reason?: string }): Promise<CommandResult | undefined> => {
      const event = await hub.tx((tx) => tx.getEvent(r.eventId));
      if (!event) return undefined;
      const c = await conversation(event.conversationId);
      return hub.run((ctx) =>
        receiptFor(ctx, {
          leg: 'channel',
          eventId: r.eventId,
          status: r.status,
          author: r.status === 'failed' ? { role: 'system' } : customer(c.contactId),
          ...(r.code !== undefined ? { code: r.code } : {}),
          ...(r.reason !== undefined ? { reason: r.reason } : {}),
        }),
      );
    },

    /**
     * The newest event this channel has sent the customer in a conversation (its delivery went out), for
     * vendors that report reads and deliveries as a watermark ("everything before this time") rather than
     * per message (Messenger): what is still in the outbox was not seen, whatever the watermark says.
     */
    lastSent: async (conversationId: string): Promise<string | undefined> => {
      const row = await hub.db
        .selectFrom('deliveries')
        .select('event_id')
        .where('conversation_id', '=', conversationId)
        .where('adapter', '=', instance)
        .where('status', 'in', ['sent', 'delivered', 'read'])
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row?.event_id;
    },

    /** The customer is typing (live, never stored); nothing when they have no open conversation here. */
    typing: async (r: { conversationId: string; typing: boolean }): Promise<void> => {
      const c = await conversation(r.conversationId);
      if (c.phase === 'ended') return;
      hub.publishSignal({ type: 'typing', conversationId: c.id, author: customer(c.contactId), typing: r.typing }, c);
    },

    /** The customer ended the conversation (an SMS STOP, a Messenger opt-out); ending an ended one writes nothing. */
    ended: (r: { conversationId: string; reason?: string | undefined }): Promise<CommandResult> =>
      hub.run(async (ctx) => {
        const c = await ctx.tx.getConversation(r.conversationId);
        if (!c || c.channel !== instance) throw new ParleyError('CONVERSATION_NOT_FOUND');
        if (c.phase === 'ended') return { conversation: c, events: [], duplicate: true };
        return endConversation(ctx, { conversationId: c.id, by: customer(c.contactId), origin: 'channel', reason: r.reason });
      }),
  };
}
