import {
  deskAgentJoined,
  deskAgentLeft,
  deskTransferStarted,
  endConversation,
  postMessage,
  receiptFor,
  type CommandResult,
} from '../core/commands.js';
import { ParleyError } from '../core/errors.js';
import type { AgentRef, Author, Conversation } from '../core/model.js';
import type { Part } from '../core/parts.js';
import { externalIds } from './external-ids.js';
import type { Hub } from './hub.js';
import { conversationById, currentParticipant, eventsAfter } from './reads.js';

// The desk → Parley half of the adapter seam: what a vendor desk adapter calls when its vendor reports
// something (a webhook, a notification). One object per adapter instance, so every report is scoped to it:
//
// - idempotency: each stored report carries the vendor's own id as its key in the instance's scope
//   (`desk:<instance>`), so a report the vendor repeats (Genesys retries a webhook up to 5 times) is stored
//   once;
// - identity: a vendor agent is `<instance>:<vendor agent id>`. Vendor agents are not Parley agent rows:
//   the conversation's agentId stays null, so inbox agents never see a vendor-desk conversation (access.ts:
//   nothing assigned to them, no inbox queue) and only admins do;
// - ids: the external id map (Tx.linkExternal / findByExternal) ties the vendor's conversation, customer
//   and message ids to Parley's, durably, so a webhook after a restart finds its conversation;
// - live signals (typing, availability) are published, never stored.

/** A vendor's agent as the vendor names it. */
export interface VendorAgent {
  id: string;
  name: string;
}

export type DeskReports = ReturnType<typeof deskReports>;

export function deskReports(hub: Hub, instance: string) {
  const source = `desk:${instance}`;
  const agentRef = (a: VendorAgent): AgentRef => ({ id: `${instance}:${a.id}`, name: a.name });
  const agentAuthor = (a: VendorAgent | undefined, role: 'agent' | 'bot' = 'agent'): Author =>
    a ? { role, id: `${instance}:${a.id}`, name: a.name } : { role };

  async function conversation(id: string): Promise<Conversation> {
    const c = await conversationById(hub.db, id);
    if (!c || c.desk !== instance) throw new ParleyError('CONVERSATION_NOT_FOUND');
    return c;
  }

  return {
    instance,
    /** The instance's idempotency scope (`desk:<instance>`). */
    source,
    agentRef,

    /** find / link / externalOf: the instance's part of the external id map (`conversation`, `customer`, `message`, …). */
    ...externalIds(hub, instance),
    /** A conversation of this desk instance (CONVERSATION_NOT_FOUND for another desk's). */
    conversation,

    /**
     * The agent messages (desk-side message events) up to seq `through` that the vendor knows by an id
     * (`kinds.message` in the external id map) and has no receipt for yet (`kinds.receipt`, keyed by that
     * vendor id), oldest first: what a desk tells its vendor when the customer's side reports a receipt, each
     * once. The caller links `kinds.receipt` once the vendor took it. Only the 200 events before `through`.
     */
    async *unconfirmedAgentMessages(conversationId: string, through: number, kinds: { message: string; receipt: string }): AsyncGenerator<{ eventId: string; vendorId: string }> {
      const ids = externalIds(hub, instance);
      const events = await eventsAfter(hub.db, conversationId, Math.max(0, through - 200), 200);
      for (const e of events) {
        if (e.seq > through || e.kind !== 'message' || e.origin !== 'desk') continue;
        const vendorId = await ids.externalOf(kinds.message, e.id);
        if (!vendorId || (await ids.find(kinds.receipt, vendorId))) continue;
        yield { eventId: e.id, vendorId };
      }
    },

    /**
     * The vendor agent who joined last and has not left (as `agentJoined` recorded them), if any. Vendors
     * whose message webhooks name only the integration (Genesys Open Messaging) credit messages and typing
     * to this agent, so the customer sees the name that joined, not the integration's.
     */
    currentAgent: async (conversationId: string): Promise<VendorAgent | undefined> => {
      const p = await currentParticipant(hub.db, conversationId);
      const prefix = `${instance}:`;
      return p?.id.startsWith(prefix) ? { id: p.id.slice(prefix.length), name: p.name } : undefined;
    },

    /**
     * Whether a vendor report of the whole state of `key` stamped `at` (ms, the vendor's clock) is not older
     * than the newest one applied, moving the clock if so (vendor_clocks): a redelivered old state is stale.
     */
    current: (key: string, at: number): Promise<boolean> => hub.tx((tx) => tx.advanceClock(instance, key, new Date(at).toISOString())),

    /** An agent's (or the vendor's bot's) message, stored once per vendor message id. */
    message: (r: { conversationId: string; messageId: string; agent?: VendorAgent | undefined; role?: 'agent' | 'bot'; parts: Part[] }): Promise<CommandResult> =>
      hub.run(
        (ctx) =>
          postMessage(ctx, {
            conversationId: r.conversationId,
            author: agentAuthor(r.agent, r.role),
            origin: 'desk',
            parts: r.parts,
            source,
            key: `message:${r.messageId}`,
            allowed: (c) => c.desk === instance,
          }),
        { alone: true },
      ),

    /** A vendor agent joined (a waiting conversation becomes active). `key`: the vendor's id for the join. */
    agentJoined: (r: { conversationId: string; agent: VendorAgent; key: string }): Promise<CommandResult> =>
      hub.run((ctx) => deskAgentJoined(ctx, { conversationId: r.conversationId, source, key: `joined:${r.key}`, participant: agentRef(r.agent) })),

    agentLeft: (r: { conversationId: string; agent: VendorAgent; reason: 'transfer' | 'ended'; key: string }): Promise<CommandResult> =>
      hub.run((ctx) => deskAgentLeft(ctx, { conversationId: r.conversationId, source, key: `left:${r.key}`, participant: agentRef(r.agent), reason: r.reason })),

    transferStarted: (r: { conversationId: string; from?: VendorAgent | undefined; to: { type: 'agent' | 'queue'; id: string; name: string }; key: string }): Promise<CommandResult> =>
      hub.run((ctx) =>
        // An agent target gets the same instance-scoped id as its join will, so a client can tell it is them.
        deskTransferStarted(ctx, { conversationId: r.conversationId, source, key: `transfer:${r.key}`, from: r.from ? agentRef(r.from) : null, to: r.to.type === 'agent' ? { ...r.to, id: agentRef(r.to).id } : r.to }),
      ),

    /**
     * The desk ended the conversation (its agent closed it). With the agent known, `participant.left` comes
     * first. Ending an ended conversation writes nothing, so a repeated report is harmless.
     */
    ended: (r: { conversationId: string; agent?: VendorAgent | undefined; reason?: string; key: string }): Promise<CommandResult[]> =>
      hub.run(async (ctx) => {
        const out: CommandResult[] = [];
        const c = await ctx.tx.getConversation(r.conversationId);
        if (!c || c.desk !== instance) throw new ParleyError('CONVERSATION_NOT_FOUND');
        if (c.phase === 'ended') return [{ conversation: c, events: [], duplicate: true }];
        if (r.agent) out.push(await deskAgentLeft(ctx, { conversationId: r.conversationId, source, key: `left:${r.key}`, participant: agentRef(r.agent), reason: 'ended' }));
        out.push(await endConversation(ctx, { conversationId: r.conversationId, by: r.agent ? agentAuthor(r.agent) : { role: 'system' }, origin: 'desk', reason: r.reason }));
        return out;
      }),

    /**
     * The desk's receipt for a customer message it was sent (`eventId`: the Parley event, found through the
     * vendor's message id with `find('message', …)`). delivered/read move the customer's ticks; failed makes
     * the message's delivery fail and appends `delivery.failed`, which the customer sees.
     */
    receipt: async (r: { eventId: string; status: 'delivered' | 'read' | 'failed'; code?: string; reason?: string }): Promise<CommandResult | undefined> => {
      const event = await hub.tx((tx) => tx.getEvent(r.eventId));
      if (!event) return undefined;
      await conversation(event.conversationId);
      return hub.run((ctx) =>
        receiptFor(ctx, {
          leg: 'desk',
          eventId: r.eventId,
          status: r.status,
          author: { role: 'system' },
          ...(r.code !== undefined ? { code: r.code } : {}),
          ...(r.reason !== undefined ? { reason: r.reason } : {}),
        }),
      );
    },

    /** A vendor agent is typing (live, never stored). */
    typing: async (r: { conversationId: string; agent?: VendorAgent | undefined; typing: boolean }): Promise<void> => {
      const c = await conversation(r.conversationId);
      if (c.phase === 'ended') return;
      hub.publishSignal({ type: 'typing', conversationId: c.id, author: agentAuthor(r.agent), typing: r.typing }, c);
    },

    /** Queue facts while the customer waits (live, never stored): estimated wait, agents on queue, place. */
    availability: async (r: { conversationId: string; queueId: string; position?: number; waitSeconds?: number; agentsOnQueue?: number }): Promise<void> => {
      const c = await conversation(r.conversationId);
      if (c.phase !== 'queued' && c.phase !== 'transferring') return;
      hub.publishSignal(
        {
          type: 'availability',
          conversationId: c.id,
          queueId: r.queueId,
          ...(r.position !== undefined ? { position: r.position } : {}),
          ...(r.waitSeconds !== undefined ? { waitSeconds: r.waitSeconds } : {}),
          ...(r.agentsOnQueue !== undefined ? { agentsOnQueue: r.agentsOnQueue } : {}),
        },
        c,
      );
    },
  };
}
