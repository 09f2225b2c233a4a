import { agentMayRead } from '../../core/access.js';
import { accept, endConversation, postMessage, recordReceipt, transfer, type TransferTarget } from '../../core/commands.js';
import { ParleyError } from '../../core/errors.js';
import type { Agent, Author, Conversation } from '../../core/model.js';
import { partsOf } from '../../core/parts.js';
import { conversationById } from '../../hub/reads.js';
import type { Principal } from '../../http/auth.js';
import type { SendMessage } from '../../http/inputs.js';
import type { Services } from '../../http/services.js';
import { resolveMediaParts } from '../../media/parts-in.js';

// What an agent can do, shared by the REST routes and the agent stream.

export type AgentPrincipal = Extract<Principal, { kind: 'agent' }>;
export type AgentActions = ReturnType<typeof agentActions>;

export function agentActions(s: Services) {
  const { hub } = s;

  async function me(p: AgentPrincipal): Promise<Agent> {
    const a = await hub.tx((tx) => tx.getAgent(p.agentId));
    if (!a) throw new ParleyError('UNAUTHENTICATED', 'This agent no longer exists.');
    return a;
  }
  const author = (a: Agent): Author => ({ role: 'agent', id: a.id, name: a.name });

  /** An agent may see conversations assigned to them or waiting in their queues; admins see all. */
  async function visible(p: AgentPrincipal, conversationId: string): Promise<{ agent: Agent; conversation: Conversation }> {
    const [agent, c] = await Promise.all([me(p), conversationById(hub.db, conversationId)]);
    if (!c || !agentMayRead(agent, c)) throw new ParleyError('CONVERSATION_NOT_FOUND');
    return { agent, conversation: c };
  }

  /** Writing into a conversation needs it to be yours. */
  async function assigned(p: AgentPrincipal, conversationId: string): Promise<{ agent: Agent; conversation: Conversation }> {
    const v = await visible(p, conversationId);
    if (v.conversation.phase === 'ended') throw new ParleyError('CONVERSATION_ENDED');
    if (v.conversation.agentId !== v.agent.id) throw new ParleyError('NOT_ASSIGNED');
    return v;
  }

  /**
   * A conversation routed to a vendor desk (Genesys, …) is that vendor's agents' to take: an admin may read
   * it, but taking or transferring it here would split it between two desks.
   */
  function onInbox(c: Conversation): void {
    if (hub.adapters.typeOf('desk', c.desk) !== 'inbox') throw new ParleyError('INVALID_PHASE', `The conversation is handled by the ${c.desk} desk.`, { details: { desk: c.desk } });
  }

  return {
    me,
    visible,

    async accept(p: AgentPrincipal, conversationId: string) {
      const { agent, conversation } = await visible(p, conversationId);
      onInbox(conversation);
      return hub.run((ctx) => accept(ctx, { conversationId, agent: { id: agent.id, name: agent.name }, capacity: agent.capacity }));
    },

    async send(p: AgentPrincipal, conversationId: string, input: SendMessage) {
      const { agent } = await assigned(p, conversationId);
      const parts = await resolveMediaParts(hub.db, partsOf(input), `agent:${agent.id}`);
      return hub.run(
        (ctx) => postMessage(ctx, { conversationId, author: author(agent), origin: 'desk', parts, source: `inbox:${agent.id}`, key: input.clientMessageId, clientMessageId: input.clientMessageId }),
        { alone: true },
      );
    },

    async typing(p: AgentPrincipal, conversationId: string, typing: boolean) {
      const { agent, conversation } = await assigned(p, conversationId);
      hub.publishSignal({ type: 'typing', conversationId, author: author(agent), typing }, conversation);
    },

    async receipt(p: AgentPrincipal, conversationId: string, receipt: 'read' | 'delivered', seq: number) {
      const { agent } = await assigned(p, conversationId);
      return hub.run((ctx) => recordReceipt(ctx, { conversationId, by: 'desk', author: author(agent), receipt, through: seq }));
    },

    async transfer(p: AgentPrincipal, conversationId: string, input: { toAgentId?: string | undefined; toQueueId?: string | undefined; note?: string | undefined }) {
      const { agent, conversation } = await visible(p, conversationId);
      if (conversation.agentId !== agent.id && agent.role !== 'admin') throw new ParleyError('NOT_ASSIGNED');
      onInbox(conversation);
      let to: TransferTarget;
      if (input.toAgentId) {
        const target = await hub.tx((tx) => tx.getAgent(input.toAgentId as string));
        if (!target) throw new ParleyError('AGENT_NOT_FOUND');
        to = { type: 'agent', agent: { id: target.id, name: target.name }, capacity: target.capacity };
      } else if (input.toQueueId) {
        to = { type: 'queue', queueId: input.toQueueId };
      } else {
        throw new ParleyError('VALIDATION', 'Give toAgentId or toQueueId.');
      }
      return hub.run((ctx) => transfer(ctx, { conversationId, by: { id: agent.id, name: agent.name }, to, note: input.note }));
    },

    async end(p: AgentPrincipal, conversationId: string) {
      const { agent, conversation } = await visible(p, conversationId);
      if (conversation.agentId !== agent.id && agent.role !== 'admin') throw new ParleyError('NOT_ASSIGNED');
      // An admin ending a vendor desk's conversation ends it from Parley's side (origin null), so both legs are
      // told: the customer, and the vendor desk (Genesys disconnects its customer participant). On the inbox it
      // comes from the desk leg itself, which reads the log and needs no delivery.
      const origin = hub.adapters.typeOf('desk', conversation.desk) === 'inbox' ? 'desk' : null;
      return hub.run((ctx) => endConversation(ctx, { conversationId, by: author(agent), origin }));
    },
  };
}
