// Everything that changes a message conversation, from either side: the customer (through the inbound
// API), the emulated agent (through the control API and the agent page) and the middleware's
// disconnect (PATCH participant). Each change tells the notification channels; agent actions also go
// out on the webhook. Routing is deliberately simple: a new conversation waits in the default queue
// until the emulated agent accepts it — there is no flow, no bot and no automatic assignment.
import { randomUUID } from 'node:crypto';
import type { Settings } from './config.js';
import type { Outbound } from './outbound.js';
import {
  connectedAgent,
  customerParticipant,
  messageId,
  now,
  phaseOf,
  type Conversation,
  type Customer,
  type Integration,
  type Participant,
  type Store,
  type StoredMessage,
} from './state.js';

/** A refusal the caller maps to its own error shape (Genesys 400 for the API, JSON for control). */
export class DeskError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface AgentReply {
  text?: string;
  /** An image attachment; `url` defaults to the emulator's built-in PNG. */
  image?: { url?: string; mime?: string; filename?: string };
  /** A `gcDecoratedMessage` QR code carrying this text (the ionic blueprint's convention). */
  qr?: string;
}

export class Desk {
  constructor(
    private readonly store: Store,
    private readonly settings: Settings,
    private readonly outbound: Outbound,
    private readonly changed: (c: Conversation) => void,
    private readonly baseUrl: () => string,
  ) {}

  // ---- customer side (inbound API) ----

  customerMessage(
    integration: Integration,
    from: Customer,
    input: { text?: string; content?: unknown[]; providerMessageId?: string; type?: StoredMessage['type'] },
  ): { conversation: Conversation; message: StoredMessage } {
    const conversation = this.store.activeConversationFor(integration.id, from.id) ?? this.open(integration, from);
    Object.assign(conversation.customer, from);
    const message: StoredMessage = {
      id: messageId(),
      direction: 'inbound',
      by: 'customer',
      type: input.type ?? 'Text',
      ...(input.text !== undefined ? { text: input.text } : {}),
      ...(input.content?.length ? { content: input.content } : {}),
      ...(input.providerMessageId ? { providerMessageId: input.providerMessageId } : {}),
      at: now(),
      status: 'received',
    };
    conversation.messages.push(message);
    conversation.customerTypingUntil = undefined;
    this.changed(conversation);
    if (this.settings.inboundReceipts) this.outbound.inboundReceipt(conversation, message);
    return { conversation, message };
  }

  customerTyping(integration: Integration, customerId: string, durationMs: number): Conversation | undefined {
    const conversation = this.store.activeConversationFor(integration.id, customerId);
    if (conversation) conversation.customerTypingUntil = Date.now() + durationMs;
    return conversation;
  }

  /** The middleware reports what became of an agent message (Delivered or Failed). */
  receipt(integration: Integration, id: string, status: 'Delivered' | 'Failed', reasons?: StoredMessage['reasons']): StoredMessage {
    const found = this.store.findMessage(integration.id, id);
    if (!found || found.message.direction !== 'outbound') {
      throw new DeskError(400, `No outbound message ${id} on integration ${integration.id}; a receipt's id must be the id of a message Genesys sent.`);
    }
    const { message } = found;
    if (status === 'Failed') {
      message.status = 'failed';
      if (reasons?.length) message.reasons = reasons;
    } else if (message.status !== 'failed') message.status = 'delivered';
    return message;
  }

  // ---- agentless (API) ----

  agentless(integration: Integration, toAddress: string, text: string, useExisting: boolean): { conversation: Conversation; message: StoredMessage } {
    const active = this.store.activeConversationFor(integration.id, toAddress);
    if (active && !useExisting) {
      throw new DeskError(400, `An active conversation with ${toAddress} exists; set useExistingActiveConversation to send into it.`);
    }
    const conversation = active ?? this.open(integration, { id: toAddress, idType: 'Opaque' }, { queue: false });
    const message = this.outboundMessage(conversation, { by: 'agentless', text });
    if (!active) {
      // Fire and forget: the agentless conversation ends once its message is out; a reply from the
      // customer starts a new, routed conversation.
      this.finish(conversation, 'client', 'peer');
    }
    this.changed(conversation);
    return { conversation, message };
  }

  // ---- the emulated agent (control API, agent page) ----

  accept(conversationId: string, agentId?: string): Conversation {
    const c = this.get(conversationId);
    if (phaseOf(c) !== 'waiting') throw new DeskError(409, `Conversation ${c.id} is not waiting in a queue (it is ${phaseOf(c)}).`);
    const acd = c.participants.find((p) => p.purpose === 'acd' && p.state === 'connected')!;
    const agent = this.pickAgent(acd.queueId!, agentId);
    this.disconnect(acd, 'transfer');
    this.join(c, agent.id, agent.name);
    this.changed(c);
    return c;
  }

  agentTyping(conversationId: string): void {
    const c = this.activeOrThrow(conversationId);
    this.outbound.typing(c);
  }

  agentReply(conversationId: string, reply: AgentReply): StoredMessage {
    const c = this.activeOrThrow(conversationId);
    const agent = connectedAgent(c)!;
    let text = reply.text;
    if (reply.qr !== undefined) text = JSON.stringify({ gcDecoratedMessage: { gcMessageType: 'qrCode', gcMessageText: reply.qr } });
    const content = reply.image
      ? [
          {
            contentType: 'Attachment',
            attachment: {
              id: randomUUID(),
              mediaType: 'Image',
              url: reply.image.url ?? `${this.baseUrl()}/downloads/sample.png`,
              mime: reply.image.mime ?? 'image/png',
              filename: reply.image.filename ?? 'sample.png',
            },
          },
        ]
      : undefined;
    if (text === undefined && !content) throw new DeskError(400, 'A reply needs text, an image or a QR code.');
    if (text !== undefined && text.length > 4000) throw new DeskError(400, 'Open Messaging agent messages are limited to 4000 characters.');
    const message = this.outboundMessage(c, { by: 'agent', agentId: agent.userId!, ...(text !== undefined ? { text } : {}), ...(content ? { content } : {}) });
    this.changed(c);
    return message;
  }

  transfer(conversationId: string, to: { queueId?: string; agentId?: string }): Conversation {
    const c = this.activeOrThrow(conversationId);
    const current = connectedAgent(c)!;
    if (to.agentId) {
      const agent = this.store.agents.get(to.agentId);
      if (!agent) throw new DeskError(404, `No agent ${to.agentId}.`);
      if (agent.id === current.userId) throw new DeskError(409, 'The conversation is already with that agent.');
      this.disconnect(current, 'transfer');
      this.join(c, agent.id, agent.name);
    } else {
      const queueId = to.queueId ?? this.store.defaultQueueId;
      if (!this.store.queues.has(queueId)) throw new DeskError(404, `No queue ${queueId}.`);
      this.disconnect(current, 'transfer');
      this.enqueue(c, queueId);
    }
    this.changed(c);
    return c;
  }

  /** The agent ends the interaction: the agent leaves, and with it the customer's leg ends. */
  agentEnd(conversationId: string): Conversation {
    const c = this.get(conversationId);
    if (c.endTime) throw new DeskError(409, `Conversation ${c.id} has already ended.`);
    this.finish(c, 'peer', 'client');
    this.changed(c);
    return c;
  }

  // ---- the middleware (PATCH participant) ----

  disconnectParticipant(conversationId: string, participantId: string): void {
    const c = this.store.conversations.get(conversationId);
    if (!c) throw new DeskError(404, `Conversation ${conversationId} not found.`);
    const p = c.participants.find((x) => x.id === participantId);
    if (!p) throw new DeskError(404, `Participant ${participantId} not found in conversation ${conversationId}.`);
    if (p.state === 'disconnected') return;
    if (p.purpose === 'customer') this.finish(c, 'client', 'peer');
    else {
      this.disconnect(p, 'client');
      // Without an agent or a queue the customer's leg has nowhere to go.
      if (phaseOf(c) === 'agentless') this.finish(c, 'peer', 'peer');
    }
    this.changed(c);
  }

  // ---- helpers ----

  get(conversationId: string): Conversation {
    const c = this.store.conversations.get(conversationId);
    if (!c) throw new DeskError(404, `Conversation ${conversationId} not found.`);
    return c;
  }

  private activeOrThrow(conversationId: string): Conversation {
    const c = this.get(conversationId);
    if (phaseOf(c) !== 'active') throw new DeskError(409, `No agent is connected to conversation ${c.id} (it is ${phaseOf(c)}); accept it first.`);
    return c;
  }

  private open(integration: Integration, customer: Customer, opts: { queue: boolean } = { queue: true }): Conversation {
    const at = now();
    const c: Conversation = {
      id: randomUUID(),
      integrationId: integration.id,
      customer: { ...customer },
      participants: [
        this.participant({
          purpose: 'customer',
          name: customer.nickname ?? customer.id,
          address: customer.id,
          direction: opts.queue ? 'inbound' : 'outbound',
          at,
        }),
      ],
      messages: [],
      startTime: at,
      queueIds: [],
    };
    this.store.conversations.set(c.id, c);
    if (opts.queue) this.enqueue(c, this.store.defaultQueueId);
    return c;
  }

  private enqueue(c: Conversation, queueId: string): void {
    const queue = this.store.queues.get(queueId)!;
    c.participants.push(this.participant({ purpose: 'acd', name: queue.name, queueId, direction: 'inbound', at: now() }));
    if (!c.queueIds.includes(queueId)) c.queueIds.push(queueId);
  }

  private join(c: Conversation, agentId: string, name: string): void {
    c.participants.push(this.participant({ purpose: 'agent', name, userId: agentId, direction: 'inbound', at: now() }));
  }

  private participant(input: { purpose: Participant['purpose']; name: string; direction: Participant['direction']; at: string; address?: string; userId?: string; queueId?: string }): Participant {
    const { at, ...rest } = input;
    return { id: randomUUID(), communicationId: randomUUID(), state: 'connected', startTime: at, connectedTime: at, ...rest };
  }

  private disconnect(p: Participant, disconnectType: string): void {
    if (p.state === 'disconnected') return;
    p.state = 'disconnected';
    p.endTime = now();
    p.disconnectType = disconnectType;
  }

  /** Ends the conversation: the customer's leg with `customerType`, everyone else's with `othersType`. */
  private finish(c: Conversation, customerType: string, othersType: string): void {
    for (const p of c.participants) this.disconnect(p, p.purpose === 'customer' ? customerType : othersType);
    c.endTime = now();
    c.customerTypingUntil = undefined;
  }

  private pickAgent(queueId: string, agentId?: string): { id: string; name: string } {
    if (agentId) {
      const agent = this.store.agents.get(agentId);
      if (!agent) throw new DeskError(404, `No agent ${agentId}.`);
      return agent;
    }
    const agent = [...this.store.agents.values()].find((a) => a.queueIds.includes(queueId)) ?? [...this.store.agents.values()][0];
    if (!agent) throw new DeskError(409, 'The emulated org has no agents.');
    return agent;
  }

  private outboundMessage(c: Conversation, input: { by: 'agent' | 'agentless'; agentId?: string; text?: string; content?: unknown[] }): StoredMessage {
    const message: StoredMessage = {
      id: messageId(),
      direction: 'outbound',
      by: input.by,
      type: 'Text',
      ...(input.text !== undefined ? { text: input.text } : {}),
      ...(input.content ? { content: input.content } : {}),
      ...(input.agentId ? { agentId: input.agentId } : {}),
      at: now(),
      status: 'queued',
    };
    c.messages.push(message);
    this.outbound.message(c, message);
    return message;
  }

  /** For views: the customer participant's id (what PATCH …/participants/{id} disconnects). */
  customerParticipantId(c: Conversation): string | undefined {
    return customerParticipant(c)?.id;
  }
}
