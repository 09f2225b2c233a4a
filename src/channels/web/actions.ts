import { placedContext } from '../../adapters.js';
import type { DeskAdapter } from '../../core/adapter.js';
import { endConversation, openConversation, postMessage, recordReceipt } from '../../core/commands.js';
import { ParleyError } from '../../core/errors.js';
import type { Author, Conversation } from '../../core/model.js';
import { partsOf } from '../../core/parts.js';
import { conversationById } from '../../hub/reads.js';
import type { SendMessage } from '../../http/inputs.js';
import type { Services } from '../../http/services.js';
import { resolveMediaParts } from '../../media/parts-in.js';

// What a customer can do, shared by the REST routes and the WebSocket stream so both paths have the same
// rules: ownership, idempotency, media checks.

export type CustomerActions = ReturnType<typeof customerActions>;

export function customerActions(s: Services, defaults: { channel: string; defaultQueue: string }) {
  const { hub } = s;
  const author = (contactId: string): Author => ({ role: 'customer', id: contactId });

  async function own(contactId: string, conversationId: string): Promise<Conversation> {
    const c = await conversationById(hub.db, conversationId);
    // Someone else's conversation looks exactly like a missing one: ids are not disclosed.
    if (!c || c.contactId !== contactId) throw new ParleyError('CONVERSATION_NOT_FOUND');
    return c;
  }

  return {
    own,
    /** Open (or return) the customer's conversation, on the desk and queue the route table picks. */
    open: (contactId: string, input: { queue?: string | undefined; entryPoint?: string | undefined; context?: Record<string, unknown> | undefined }) => {
      const where = hub.adapters.placement(defaults.channel, { entryPoint: input.entryPoint, queue: input.queue, defaultQueue: defaults.defaultQueue });
      const context = placedContext(input.context, where, hub.adapters.redactionFor({ channel: defaults.channel, context: where.context }));
      return hub.run((ctx) => openConversation(ctx, { contactId, channel: defaults.channel, desk: where.desk, queueId: where.queueId, context }));
    },

    /**
     * Where a conversation opened now would go — placed exactly as `open` places it (route table, entry point,
     * the default queue), nothing created — and whether the desk has anyone online to answer it
     * (DeskAdapter.agentsOnline): null when the desk cannot tell, or fails (logged; the customer still gets
     * an answer). `queue`: the inbox queue (name or id), else the route's vendor queue, else null.
     */
    async availability(entryPoint: string | undefined): Promise<{ desk: string; queue: string | null; agentsOnline: boolean | null }> {
      const where = hub.adapters.placement(defaults.channel, { entryPoint, defaultQueue: defaults.defaultQueue });
      const queue = typeof where.queueId === 'string' ? where.queueId : typeof where.context.deskQueue === 'string' ? where.context.deskQueue : null;
      const desk = hub.adapters.get('desk', where.desk) as DeskAdapter;
      let agentsOnline: boolean | null = null;
      try {
        const answer = desk.agentsOnline ? await desk.agentsOnline(queue) : null;
        agentsOnline = typeof answer === 'boolean' ? answer : null;
      } catch (err) {
        s.log.warn({ err, desk: where.desk }, 'a desk could not say whether agents are online');
      }
      return { desk: where.desk, queue, agentsOnline };
    },

    async send(contactId: string, conversationId: string, input: SendMessage) {
      const parts = await resolveMediaParts(hub.db, partsOf(input), `contact:${contactId}`);
      // Ownership is checked on the locked row inside the transaction (one read of the conversation, not two).
      // Alone: nothing but the message in this transaction, so on PostgreSQL it can be one statement.
      return hub.run(
        (ctx) =>
          postMessage(ctx, {
            conversationId,
            author: author(contactId),
            origin: 'channel',
            parts,
            source: `web:${contactId}`,
            key: input.clientMessageId,
            clientMessageId: input.clientMessageId,
            allowed: (c) => c.contactId === contactId,
          }),
        { alone: true },
      );
    },

    async typing(contactId: string, conversationId: string, typing: boolean) {
      const c = await own(contactId, conversationId);
      if (c.phase === 'ended') throw new ParleyError('CONVERSATION_ENDED');
      hub.publishSignal({ type: 'typing', conversationId, author: author(contactId), typing }, c);
    },

    async receipt(contactId: string, conversationId: string, receipt: 'read' | 'delivered', seq: number) {
      await own(contactId, conversationId);
      return hub.run((ctx) => recordReceipt(ctx, { conversationId, by: 'channel', author: author(contactId), receipt, through: seq }));
    },

    async end(contactId: string, conversationId: string) {
      await own(contactId, conversationId);
      return hub.run((ctx) => endConversation(ctx, { conversationId, by: author(contactId), origin: 'channel' }));
    },
  };
}
