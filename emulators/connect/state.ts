// The emulated Connect instance, in memory: chat contacts with their participants and transcript, the
// participant and connection tokens that authorise the Participant Service, attachments, and the
// ClientTokens already seen (idempotency). Plain data and lookups; what changes a chat lives in desk.ts.
import { randomBytes, randomUUID } from 'node:crypto';

export type Role = 'CUSTOMER' | 'AGENT' | 'SYSTEM';
export type Visibility = 'ALL' | 'CUSTOMER' | 'AGENT';
export type ItemType = 'MESSAGE' | 'EVENT' | 'ATTACHMENT';

export interface Participant {
  id: string;
  role: Role;
  displayName: string;
  /** The agent's user id (agents only). */
  agentId?: string;
  joinedAt: string;
  leftAt?: string;
}

export interface AttachmentRef {
  AttachmentId: string;
  AttachmentName: string;
  ContentType: string;
  Status: 'APPROVED' | 'REJECTED' | 'IN_PROGRESS';
}

/** A transcript item, as GetTranscript shows it and streaming publishes it. */
export interface Item {
  Id: string;
  AbsoluteTime: string;
  Type: ItemType;
  ContentType: string;
  Content?: string;
  ParticipantId?: string;
  DisplayName?: string;
  ParticipantRole?: Role;
  Attachments?: AttachmentRef[];
  ContactId: string;
  InitialContactId: string;
  /** Who may see it (the MessageVisibility attribute on the stream). */
  visibility: Visibility;
  /** Receipts the other side sent for this message. */
  receipts?: { delivered?: string; read?: string };
}

export interface Stream {
  streamingId: string;
  topicArn: string;
  active: boolean;
}

export type ChatState = 'queued' | 'connected' | 'ended';

export interface Chat {
  initialContactId: string;
  /** Changes on every transfer, as Connect's ContactId does. */
  contactId: string;
  contactIds: string[];
  instanceId: string;
  contactFlowId: string;
  attributes: Record<string, string>;
  supportedContentTypes: string[];
  customer: Participant;
  participantToken: string;
  /** Set once CreateParticipantConnection with ConnectParticipant true connected the customer. */
  customerConnected: boolean;
  agents: Participant[];
  queueId: string;
  state: ChatState;
  items: Item[];
  streams: Stream[];
  startedAt: string;
  endedAt?: string;
  customerTypingUntil?: number;
  /** ClientTokens of customer sends already done (idempotent per participant). */
  clientTokens: Map<string, unknown>;
}

export interface Connection {
  token: string;
  chatId: string;
  participantId: string;
  expiresAt: number;
}

export interface Attachment {
  id: string;
  chatId: string;
  participantId: string;
  name: string;
  contentType: string;
  size: number;
  status: 'IN_PROGRESS' | 'APPROVED';
  uploadKey: string;
  bytes?: Buffer;
}

export const now = (): string => new Date().toISOString();
export const token = (): string => randomBytes(48).toString('base64url');
export const id = (): string => randomUUID();

export const currentAgent = (c: Chat): Participant | undefined => c.agents.find((a) => !a.leftAt);

export class Store {
  readonly chats = new Map<string, Chat>();
  /** StartChatContact ClientToken → its first answer (and the contact it made). */
  readonly startTokens = new Map<string, { chatId: string; response: Record<string, string> }>();
  readonly participantTokens = new Map<string, { chatId: string; participantId: string }>();
  readonly connections = new Map<string, Connection>();
  readonly attachments = new Map<string, Attachment>();

  reset(): void {
    this.chats.clear();
    this.startTokens.clear();
    this.participantTokens.clear();
    this.connections.clear();
    this.attachments.clear();
  }

  /** The chat any of its contact ids (initial or after a transfer) names. */
  chatByContact(contactId: string): Chat | undefined {
    const direct = this.chats.get(contactId);
    if (direct) return direct;
    for (const c of this.chats.values()) if (c.contactIds.includes(contactId)) return c;
    return undefined;
  }

  newest(): Chat[] {
    return [...this.chats.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }
}
