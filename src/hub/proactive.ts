import { proactiveOf } from '../core/adapter.js';
import { openConversation, postMessage, type CommandResult } from '../core/commands.js';
import { ParleyError } from '../core/errors.js';
import type { Author, Contact } from '../core/model.js';
import type { Part } from '../core/parts.js';
import type { Tx } from '../core/ports.js';
import type { Hub } from './hub.js';

// A business-started (proactive) message: the business's server writes to a contact first. It opens where a
// customer's first message would (Adapters.placement: the route by channel and entry point), in the `bot`
// phase, and is stored like any message — the customer sees it in their stream and transcript at once.
//
// On the built-in inbox that is all: the inbox reads the log. A vendor desk has not seen it, so fan-out gives
// the desk leg a `pending` delivery row in the same transaction, and the dispatcher hands it to the desk's
// proactive sender (DeskAdapter.proactive: Genesys's agentless API). Why the outbox and not a vendor call in
// the request: the row is written with the message, atomically, so the message is neither lost (a crash, the
// vendor down: the row waits and is retried with backoff, then fails visibly as `delivery.failed`) nor sent
// for a retried request (the idempotency key returns the first event, which already has its one row), and it
// goes out in the lane's seq order, before a customer reply that follows it. The price: 201 means "stored
// and queued for the desk"; GET /v1/admin/deliveries?conversationId= shows whether the vendor took it.
//
// What the vendor would refuse for certain (Genesys: text only, 2000 characters) is refused first, by the
// desk's own `check`, inside the transaction: a coded 422 and nothing stored, not even a new contact.

export interface ProactiveInput {
  /** The contact, found or created inside the transaction (so a refused message creates none). */
  contact: (tx: Tx) => Promise<Contact>;
  channel: string;
  entryPoint?: string | undefined;
  /** An inbox queue; a vendor desk routes in its own queues and ignores it. */
  queue?: string | undefined;
  defaultQueue: string;
  parts: Part[];
  author: Author;
  /** Idempotency scope and key (`proactive:<caller>`, the request's key). */
  source: string;
  key: string;
}

export async function sendProactive(hub: Hub, input: ProactiveInput): Promise<CommandResult> {
  const where = hub.adapters.placement(input.channel, { entryPoint: input.entryPoint, queue: input.queue, defaultQueue: input.defaultQueue });
  const [, sent] = await hub.run(async (ctx) => {
    const contact = await input.contact(ctx.tx);
    // An open conversation (on whatever desk it is) takes the message; otherwise a new one opens on the route's.
    const opened = await openConversation(ctx, { contactId: contact.id, channel: input.channel, desk: where.desk, queueId: where.queueId, context: where.context, phase: 'bot' });
    const posted = await postMessage(ctx, {
      conversationId: opened.conversation.id,
      author: input.author,
      origin: 'desk',
      parts: input.parts,
      source: input.source,
      key: input.key,
    });
    // Checked after the append so a retry returns its first result; a throw rolls everything back.
    if (!posted.duplicate) deskTakes(hub, opened.conversation.desk, input.parts);
    return [opened, posted];
  });
  return sent;
}

/** Throws unless this desk can take a proactive message with these parts. */
function deskTakes(hub: Hub, deskId: string, parts: Part[]): void {
  const desk = hub.adapters.get('desk', deskId);
  if (desk.readsLog) return; // the inbox reads the log: storing the message is delivering it
  const proactive = proactiveOf(desk);
  if (!proactive) throw new ParleyError('PROACTIVE_UNSUPPORTED', `The ${desk.id} desk cannot send business-started messages.`, { details: { desk: desk.id } });
  proactive.check(parts);
}
