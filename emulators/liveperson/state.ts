// The in-memory brand: the app installation's tokens, consumers (one per ext_consumer_id), conversations with
// their participants, dialogs and per-dialog sequence counters, and the hosted files (Swift objects).
import { randomUUID } from 'node:crypto';
import { DEFAULTS, type AgentOptions, type LivePersonEmulatorOptions, type SkillOptions } from './config.js';

export type Role = 'CONSUMER' | 'ASSIGNED_AGENT' | 'MANAGER' | 'READER' | 'CONTROLLER';
export type MessageStatus = 'SENT' | 'ACCEPT' | 'READ';
export type Audience = 'ALL' | 'AGENTS_AND_MANAGERS';

export interface IssuedToken {
  jti: string;
  kind: 'app' | 'consumer';
  accountId: string;
  expiresAt: number;
  consumerId?: string;
}

export interface Consumer {
  id: string;
  extConsumerId: string;
  accountId: string;
}

export interface Participant {
  id: string;
  role: Role;
  name?: string;
}

export interface Dialog {
  dialogId: string;
  dialogType: 'MAIN' | 'POST_SURVEY';
  state: 'OPEN' | 'CLOSE';
  creationTs: number;
  endTs?: number;
  closedBy?: string;
  closedCause?: string;
  /** The dialog's sequence counter: every message event of either side takes the next one. */
  nextSequence: number;
}

export interface Message {
  dialogId: string;
  sequence: number;
  originator: { id: string; role: Role };
  type: 'ContentEvent' | 'RichContentEvent';
  contentType: string;
  message: unknown;
  audience: Audience;
  status: MessageStatus;
  at: number;
}

export interface Conversation {
  id: string;
  consumerId: string;
  extConsumerId: string;
  skillId: string;
  state: 'OPEN' | 'CLOSE';
  stage: 'OPEN' | 'CLOSE';
  closeReason?: 'AGENT' | 'CONSUMER' | 'SYSTEM';
  /** Who closed the MAIN dialog when a survey followed: the conversation's closeReason once the survey ends. */
  pendingCloseReason?: 'AGENT' | 'SYSTEM';
  startTs: number;
  endTs?: number;
  ttrType: string;
  participants: Participant[];
  dialogs: Dialog[];
  messages: Message[];
  chatState: { consumer: string | null; agent: string | null };
  profile: unknown;
  context: unknown;
  campaignInfo: unknown;
  surveyTimer?: NodeJS.Timeout;
}

export interface StoredFile {
  relativePath: string;
  fileType: string;
  contentType: string;
  announcedSize: number;
  bytes?: Buffer;
  /** The consumer who asked for the upload URL, or null for an agent's file. */
  ownerConsumerId: string | null;
  conversationId?: string;
}

export class Store {
  readonly accountId: string;
  readonly clientId: string;
  readonly skills: SkillOptions[];
  readonly agents: AgentOptions[];
  readonly surveyBot = { id: 'c0c0c0c0-5a5a-4b4b-8c8c-000000005b07', name: 'Survey Bot' };
  readonly tokens = new Map<string, IssuedToken>();
  readonly consumers = new Map<string, Consumer>(); // by ext_consumer_id
  conversations: Conversation[] = [];
  files = new Map<string, StoredFile>();
  /** Timestamps of recent CONVERSATION/SEND requests, for the per-minute limit. */
  recent: number[] = [];

  constructor(opts: LivePersonEmulatorOptions) {
    this.accountId = opts.accountId ?? DEFAULTS.accountId;
    this.clientId = opts.clientId ?? DEFAULTS.clientId;
    this.skills = opts.skills ?? DEFAULTS.skills;
    this.agents = opts.agents ?? DEFAULTS.agents;
  }

  consumerFor(extConsumerId: string): Consumer {
    let c = this.consumers.get(extConsumerId);
    if (!c) {
      c = { id: randomUUID(), extConsumerId, accountId: this.accountId };
      this.consumers.set(extConsumerId, c);
    }
    return c;
  }

  consumerById(id: string): Consumer | undefined {
    for (const c of this.consumers.values()) if (c.id === id) return c;
    return undefined;
  }

  conversation(id: string): Conversation | undefined {
    return this.conversations.find((c) => c.id === id);
  }

  /** The conversation holding this dialog (the MAIN dialog's id is the conversation id). */
  byDialog(dialogId: string): { conversation: Conversation; dialog: Dialog } | undefined {
    for (const conversation of this.conversations) {
      const dialog = conversation.dialogs.find((d) => d.dialogId === dialogId);
      if (dialog) return { conversation, dialog };
    }
    return undefined;
  }

  openConversationOf(consumerId: string): Conversation | undefined {
    return this.conversations.find((c) => c.consumerId === consumerId && c.state === 'OPEN');
  }

  newest(): Conversation[] {
    return [...this.conversations].sort((a, b) => b.startTs - a.startTs);
  }

  /** Back to the start: conversations and files go; consumers and issued tokens stay (they are credentials). */
  reset(): void {
    for (const c of this.conversations) clearTimeout(c.surveyTimer);
    this.conversations = [];
    this.files = new Map();
    this.recent = [];
  }
}

export const mainDialog = (c: Conversation): Dialog => c.dialogs.find((d) => d.dialogType === 'MAIN')!;
export const openSurvey = (c: Conversation): Dialog | undefined => c.dialogs.find((d) => d.dialogType === 'POST_SURVEY' && d.state === 'OPEN');
export const assignedAgent = (c: Conversation): Participant | undefined => c.participants.find((p) => p.role === 'ASSIGNED_AGENT');
