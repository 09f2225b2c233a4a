// Everything that changes a chat contact, from either side: the customer (through the Participant Service
// with its tokens), the middleware's Connect API calls (start, streaming, stop), and the emulated agent
// (control API and agent page). Every transcript item is published to the contact's streams. Routing is
// simple: a chat waits in its queue (the contact flow's) until the emulated agent accepts it; no bot.
//
// Event content types are those of the admin guide's streaming page and the SDK's docs:
// application/vnd.amazonaws.connect.event.{participant.joined, participant.left, typing, transfer.succeeded,
// chat.ended, message.delivered, message.read}.
import { samplePng } from '../kit/index.js';
import type { Settings } from './config.js';
import type { Streaming } from './streaming.js';
import { currentAgent, id, now, token, type Attachment, type Chat, type Connection, type Item, type Participant, type Store, type Visibility } from './state.js';

export const EVENT = {
  joined: 'application/vnd.amazonaws.connect.event.participant.joined',
  left: 'application/vnd.amazonaws.connect.event.participant.left',
  typing: 'application/vnd.amazonaws.connect.event.typing',
  transferSucceeded: 'application/vnd.amazonaws.connect.event.transfer.succeeded',
  ended: 'application/vnd.amazonaws.connect.event.chat.ended',
  delivered: 'application/vnd.amazonaws.connect.event.message.delivered',
  read: 'application/vnd.amazonaws.connect.event.message.read',
} as const;

/** A refusal the caller maps to its own error shape (an AWS error for the APIs, JSON for control). */
export class DeskError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export interface DeskConfig {
  accountId: string;
  agents: { id: string; name: string }[];
  queues: { id: string; name: string }[];
  baseUrl: () => string;
}

export class Desk {
  private readonly png = samplePng();

  constructor(
    private readonly store: Store,
    private readonly settings: Settings,
    private readonly streaming: Streaming,
    readonly config: DeskConfig,
  ) {}

  // ---- Connect API ----

  startChat(input: {
    instanceId: string;
    contactFlowId: string;
    displayName: string;
    attributes: Record<string, string>;
    initialMessage?: { ContentType: string; Content: string };
    supportedContentTypes: string[];
  }): Chat {
    const contactId = id();
    const at = now();
    const customer: Participant = { id: id(), role: 'CUSTOMER', displayName: input.displayName, joinedAt: at };
    const chat: Chat = {
      initialContactId: contactId,
      contactId,
      contactIds: [contactId],
      instanceId: input.instanceId,
      contactFlowId: input.contactFlowId,
      attributes: input.attributes,
      supportedContentTypes: input.supportedContentTypes,
      customer,
      participantToken: token(),
      customerConnected: false,
      agents: [],
      queueId: this.config.queues[0]!.id,
      state: 'queued',
      items: [],
      streams: [],
      startedAt: at,
      clientTokens: new Map(),
    };
    this.store.chats.set(contactId, chat);
    this.store.participantTokens.set(chat.participantToken, { chatId: contactId, participantId: customer.id });
    if (input.initialMessage) this.add(chat, { Type: 'MESSAGE', ContentType: input.initialMessage.ContentType, Content: input.initialMessage.Content, ...this.by(customer) });
    return chat;
  }

  startStreaming(chat: Chat, topicArn: string): string {
    const existing = chat.streams.find((s) => s.topicArn === topicArn && s.active);
    if (existing) return existing.streamingId;
    // AWS: at most two streaming endpoints per chat (the sample's README, service quotas).
    if (chat.streams.filter((s) => s.active).length >= 2) throw new DeskError(429, 'LimitExceededException', 'The allowed limit for streaming endpoints on this contact was exceeded.');
    const stream = { streamingId: id(), topicArn, active: true };
    chat.streams.push(stream);
    return stream.streamingId;
  }

  stopStreaming(chat: Chat, streamingId: string): void {
    const s = chat.streams.find((x) => x.streamingId === streamingId);
    if (!s) throw new DeskError(404, 'ResourceNotFoundException', `Streaming ${streamingId} not found on contact ${chat.contactId}.`);
    s.active = false;
  }

  // ---- Participant Service (the customer) ----

  connect(chat: Chat, connectParticipant: boolean): Connection {
    if (chat.state === 'ended') throw new DeskError(403, 'AccessDeniedException', 'Participant is not connected to the chat (the chat has ended).');
    const conn: Connection = { token: token(), chatId: chat.initialContactId, participantId: chat.customer.id, expiresAt: Date.now() + this.settings.connectionTokenTtlSeconds * 1000 };
    this.store.connections.set(conn.token, conn);
    if (connectParticipant && !chat.customerConnected) {
      chat.customerConnected = true;
      this.add(chat, { Type: 'EVENT', ContentType: EVENT.joined, ...this.by(chat.customer) });
    }
    return conn;
  }

  /** A customer send, idempotent by ClientToken: the same token gets the first answer again. */
  once<T>(chat: Chat, clientToken: string | undefined, op: () => T): T {
    if (clientToken && chat.clientTokens.has(clientToken)) return chat.clientTokens.get(clientToken) as T;
    const out = op();
    if (clientToken) chat.clientTokens.set(clientToken, out);
    return out;
  }

  customerMessage(chat: Chat, contentType: string, content: string): Item {
    this.open(chat);
    chat.customerTypingUntil = undefined;
    return this.add(chat, { Type: 'MESSAGE', ContentType: contentType, Content: content, ...this.by(chat.customer) });
  }

  customerEvent(chat: Chat, contentType: string, content: string | undefined): Item {
    this.open(chat);
    if (contentType === EVENT.typing) chat.customerTypingUntil = Date.now() + 10_000;
    if (contentType === EVENT.delivered || contentType === EVENT.read) {
      const target = receiptTarget(chat, content);
      if (!target) throw new DeskError(400, 'ValidationException', 'Content must be {"messageId": "<Id of a message in this chat>"}.');
      target.receipts ??= {};
      if (contentType === EVENT.delivered) target.receipts.delivered ??= now();
      else {
        target.receipts.read ??= now();
        target.receipts.delivered ??= target.receipts.read;
      }
    }
    return this.add(chat, { Type: 'EVENT', ContentType: contentType, ...(content !== undefined ? { Content: content } : {}), ...this.by(chat.customer) });
  }

  customerAttachment(chat: Chat, a: Attachment): Item {
    this.open(chat);
    return this.add(chat, {
      Type: 'ATTACHMENT',
      ContentType: a.contentType,
      Attachments: [{ AttachmentId: a.id, AttachmentName: a.name, ContentType: a.contentType, Status: 'APPROVED' }],
      ...this.by(chat.customer),
    });
  }

  /** The customer leaves: participant.left, then the chat ends (the agent is disconnected with it). */
  customerDisconnect(chat: Chat): void {
    if (chat.state === 'ended') return;
    chat.customer.leftAt = now();
    this.add(chat, { Type: 'EVENT', ContentType: EVENT.left, ...this.by(chat.customer) });
    this.finish(chat);
  }

  // ---- the emulated agent ----

  accept(chatId: string, agentId?: string): Chat {
    const chat = this.get(chatId);
    if (chat.state !== 'queued') throw new DeskError(409, 'Conflict', `Contact ${chat.contactId} is not waiting in a queue (it is ${chat.state}).`);
    const agent = agentId ? this.config.agents.find((a) => a.id === agentId) : this.config.agents.find((a) => !chat.agents.some((p) => p.agentId === a.id)) ?? this.config.agents[0];
    if (!agent) throw new DeskError(404, 'NotFound', `No agent ${agentId ?? ''}.`);
    const p: Participant = { id: id(), role: 'AGENT', displayName: agent.name, agentId: agent.id, joinedAt: now() };
    chat.agents.push(p);
    chat.state = 'connected';
    this.add(chat, { Type: 'EVENT', ContentType: EVENT.joined, ...this.by(p) });
    return chat;
  }

  agentTyping(chatId: string): void {
    const chat = this.active(chatId);
    this.add(chat, { Type: 'EVENT', ContentType: EVENT.typing, ...this.by(currentAgent(chat)!) });
  }

  agentReply(chatId: string, r: { text: string; contentType?: string; visibility?: Visibility }): Item {
    const chat = this.active(chatId);
    const contentType = r.contentType ?? 'text/plain';
    if (!r.text || r.text.length > this.settings.maxTextLength) throw new DeskError(400, 'ValidationException', `A message is 1 to ${this.settings.maxTextLength} characters.`);
    return this.add(chat, { Type: 'MESSAGE', ContentType: contentType, Content: r.text, ...this.by(currentAgent(chat)!) }, r.visibility ?? 'ALL');
  }

  /** The agent sends a file (default: the emulator's sample PNG); the subscriber fetches it with GetAttachment. */
  agentFile(chatId: string, f: { name?: string; contentType?: string; bytes?: Buffer } = {}): Item {
    const chat = this.active(chatId);
    const agent = currentAgent(chat)!;
    const bytes = f.bytes ?? this.png;
    const a: Attachment = { id: id(), chatId: chat.initialContactId, participantId: agent.id, name: f.name ?? 'sample.png', contentType: f.contentType ?? 'image/png', size: bytes.length, status: 'APPROVED', uploadKey: token(), bytes };
    this.store.attachments.set(a.id, a);
    return this.add(chat, { Type: 'ATTACHMENT', ContentType: a.contentType, Attachments: [{ AttachmentId: a.id, AttachmentName: a.name, ContentType: a.contentType, Status: 'APPROVED' }], ...this.by(agent) });
  }

  /** The agent has read everything the customer sent: one message.read event per customer message not yet read. */
  agentRead(chatId: string): number {
    const chat = this.active(chatId);
    const agent = currentAgent(chat)!;
    let n = 0;
    for (const item of [...chat.items]) {
      if (item.ParticipantRole !== 'CUSTOMER' || (item.Type !== 'MESSAGE' && item.Type !== 'ATTACHMENT') || item.receipts?.read) continue;
      item.receipts = { ...item.receipts, read: now() };
      this.add(chat, { Type: 'EVENT', ContentType: EVENT.read, Content: JSON.stringify({ messageId: item.Id }), ...this.by(agent) });
      n++;
    }
    return n;
  }

  /** To another queue: the agent leaves, the transfer succeeds with a new ContactId, the chat waits again. */
  transfer(chatId: string, queueId?: string): Chat {
    const chat = this.active(chatId);
    const queue = queueId ? this.config.queues.find((q) => q.id === queueId) : this.config.queues.find((q) => q.id !== chat.queueId);
    if (!queue) throw new DeskError(404, 'NotFound', `No queue ${queueId ?? ''}.`);
    const agent = currentAgent(chat)!;
    agent.leftAt = now();
    this.add(chat, { Type: 'EVENT', ContentType: EVENT.left, ...this.by(agent) });
    chat.contactId = id();
    chat.contactIds.push(chat.contactId);
    chat.queueId = queue.id;
    chat.state = 'queued';
    this.add(chat, { Type: 'EVENT', ContentType: EVENT.transferSucceeded, ParticipantRole: 'SYSTEM', DisplayName: 'SYSTEM_MESSAGE', Content: JSON.stringify({ queue: queue.name }) });
    return chat;
  }

  /** The agent disconnects: participant.left, then chat.ended (nobody is left to answer the customer). */
  agentEnd(chatId: string): Chat {
    const chat = this.get(chatId);
    if (chat.state === 'ended') throw new DeskError(409, 'Conflict', `Contact ${chat.contactId} has already ended.`);
    const agent = currentAgent(chat);
    if (agent) {
      agent.leftAt = now();
      this.add(chat, { Type: 'EVENT', ContentType: EVENT.left, ...this.by(agent) });
    }
    this.finish(chat);
    return chat;
  }

  /** StopContact (Connect API) or the agent's end: chat.ended, and every token of it stops working. */
  finish(chat: Chat): void {
    if (chat.state === 'ended') return;
    for (const a of chat.agents) a.leftAt ??= now();
    chat.state = 'ended';
    chat.endedAt = now();
    chat.customerTypingUntil = undefined;
    this.add(chat, { Type: 'EVENT', ContentType: EVENT.ended, ParticipantRole: 'SYSTEM', DisplayName: 'SYSTEM_MESSAGE' });
  }

  // ---- helpers ----

  get(chatId: string): Chat {
    const chat = this.store.chatByContact(chatId);
    if (!chat) throw new DeskError(404, 'ResourceNotFoundException', `Contact ${chatId} not found.`);
    return chat;
  }

  private active(chatId: string): Chat {
    const chat = this.get(chatId);
    if (chat.state !== 'connected' || !currentAgent(chat)) throw new DeskError(409, 'Conflict', `No agent is connected to contact ${chat.contactId} (it is ${chat.state}); accept it first.`);
    return chat;
  }

  private open(chat: Chat): void {
    if (chat.state === 'ended') throw new DeskError(403, 'AccessDeniedException', 'Participant is not connected to the chat (the chat has ended).');
  }

  private by(p: Participant): Pick<Item, 'ParticipantId' | 'DisplayName' | 'ParticipantRole'> {
    return { ParticipantId: p.id, DisplayName: p.displayName, ParticipantRole: p.role };
  }

  private add(chat: Chat, fields: Omit<Item, 'Id' | 'AbsoluteTime' | 'ContactId' | 'InitialContactId' | 'visibility'>, visibility: Visibility = 'ALL'): Item {
    const item: Item = { Id: id(), AbsoluteTime: now(), ...fields, ContactId: chat.contactId, InitialContactId: chat.initialContactId, visibility };
    chat.items.push(item);
    this.streaming.publish(chat, item, this.config.accountId);
    return item;
  }
}

function receiptTarget(chat: Chat, content: string | undefined): Item | undefined {
  try {
    const messageId = (JSON.parse(content ?? '') as { messageId?: unknown }).messageId;
    return typeof messageId === 'string' ? chat.items.find((i) => i.Id === messageId && i.Type !== 'EVENT') : undefined;
  } catch {
    return undefined;
  }
}
