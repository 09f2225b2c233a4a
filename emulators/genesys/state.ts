// The emulated org, in memory: OAuth client and tokens, the Open Messaging integration(s), queues and
// agents, and message conversations with their participants and messages. Plain data and lookups
// only; what *changes* a conversation lives in desk.ts, so side effects (webhooks, notifications)
// happen in one place.
import { randomBytes, randomUUID } from 'node:crypto';
import { DEFAULTS, type AgentOptions, type GenesysEmulatorOptions, type QueueOptions } from './config.js';

export type IdType = 'Email' | 'Phone' | 'Opaque';

export interface Integration {
  id: string;
  name: string;
  outboundNotificationWebhookUrl: string;
  outboundNotificationWebhookSignatureSecretToken: string;
  webhookHeaders: Record<string, string>;
  dateCreated: string;
}

export interface Token {
  token: string;
  clientId: string;
  expiresAt: number;
  /** Request times within the last minute, for the per-token rate limit. */
  recent: number[];
}

export type RoutingStatus = 'IDLE' | 'INTERACTING' | 'NOT_RESPONDING' | 'COMMUNICATING' | 'OFF_QUEUE';

export interface Agent {
  id: string;
  name: string;
  queueIds: string[];
  onQueue: boolean;
}

export interface Queue {
  id: string;
  name: string;
  /** A fixed estimated wait; absent means "computed from the conversations waiting". */
  estimatedWaitSeconds?: number;
}

export type Purpose = 'customer' | 'acd' | 'agent' | 'workflow';
export type ParticipantState = 'alerting' | 'connected' | 'disconnected';

export interface Participant {
  id: string;
  /** The id of this participant's message media ("communication"), as the Conversation API shows it. */
  communicationId: string;
  purpose: Purpose;
  state: ParticipantState;
  direction: 'inbound' | 'outbound';
  name: string;
  address?: string;
  userId?: string;
  queueId?: string;
  startTime: string;
  connectedTime?: string;
  endTime?: string;
  disconnectType?: string;
}

export interface Customer {
  id: string;
  idType: IdType;
  nickname?: string;
  firstName?: string;
  lastName?: string;
}

export type MessageStatus = 'received' | 'queued' | 'sent' | 'delivered' | 'failed';

export interface StoredMessage {
  /** Genesys's id: the webhook payload `id`, and the `id` a receipt must reference. */
  id: string;
  direction: 'inbound' | 'outbound';
  /** Who wrote it. */
  by: 'customer' | 'agent' | 'agentless' | 'system';
  type: 'Text' | 'Structured';
  text?: string;
  content?: unknown[];
  /** The middleware's `channel.messageId` for inbound messages. */
  providerMessageId?: string;
  at: string;
  status: MessageStatus;
  /** Reasons from a Failed receipt, or why the webhook gave up. */
  reasons?: { code?: string; message: string }[];
  agentId?: string;
}

export interface Conversation {
  id: string;
  integrationId: string;
  customer: Customer;
  participants: Participant[];
  messages: StoredMessage[];
  startTime: string;
  endTime?: string;
  /** Until when the customer counts as typing (from an inbound Typing event). */
  customerTypingUntil?: number;
  /** Ever-touched queues, so queue topics also hear about the end of the conversation. */
  queueIds: string[];
}

export type Phase = 'waiting' | 'active' | 'agentless' | 'ended';

export const now = (): string => new Date().toISOString();
/** Genesys message ids are 32 hex characters. */
export const messageId = (): string => randomBytes(16).toString('hex');

export function phaseOf(c: Conversation): Phase {
  if (c.endTime) return 'ended';
  if (c.participants.some((p) => p.purpose === 'agent' && p.state === 'connected')) return 'active';
  if (c.participants.some((p) => p.purpose === 'acd' && p.state === 'connected')) return 'waiting';
  return 'agentless';
}

export const connectedAgent = (c: Conversation): Participant | undefined =>
  c.participants.find((p) => p.purpose === 'agent' && p.state === 'connected');

export const customerParticipant = (c: Conversation): Participant | undefined => c.participants.find((p) => p.purpose === 'customer');

export class Store {
  clientId: string;
  clientSecret: string;
  readonly integrations = new Map<string, Integration>();
  readonly tokens = new Map<string, Token>();
  readonly queues = new Map<string, Queue>();
  readonly agents = new Map<string, Agent>();
  readonly conversations = new Map<string, Conversation>();
  readonly defaultQueueId: string;

  constructor(private readonly opts: GenesysEmulatorOptions) {
    this.clientId = opts.clientId ?? DEFAULTS.clientId;
    this.clientSecret = opts.clientSecret ?? DEFAULTS.clientSecret;
    const queues: QueueOptions[] = opts.queues ?? DEFAULTS.queues;
    if (!queues.length) throw new Error('the Genesys emulator needs at least one queue');
    this.defaultQueueId = queues[0]!.id;
    this.seed();
  }

  /** Back to the org at start; credentials and the integration's identity stay. */
  reset(): void {
    this.integrations.clear();
    this.tokens.clear();
    this.queues.clear();
    this.agents.clear();
    this.conversations.clear();
    this.seed();
  }

  private seed(): void {
    const i = this.opts.integration ?? {};
    this.addIntegration({
      id: i.id ?? DEFAULTS.integration.id,
      name: i.name ?? DEFAULTS.integration.name,
      outboundNotificationWebhookUrl: i.webhookUrl ?? '',
      outboundNotificationWebhookSignatureSecretToken: i.secret ?? DEFAULTS.integration.secret,
      webhookHeaders: i.webhookHeaders ?? {},
    });
    for (const q of this.opts.queues ?? DEFAULTS.queues) this.queues.set(q.id, { id: q.id, name: q.name });
    const agents: AgentOptions[] = this.opts.agents ?? DEFAULTS.agents;
    for (const a of agents) this.agents.set(a.id, { id: a.id, name: a.name, queueIds: [...a.queueIds], onQueue: a.onQueue ?? true });
  }

  addIntegration(input: Omit<Integration, 'dateCreated'>): Integration {
    const integration: Integration = { ...input, dateCreated: now() };
    this.integrations.set(integration.id, integration);
    return integration;
  }

  newIntegrationId(): string {
    return randomUUID();
  }

  /** The conversation a customer of this integration is in right now, if any. */
  activeConversationFor(integrationId: string, customerId: string): Conversation | undefined {
    for (const c of this.conversations.values()) {
      if (c.integrationId === integrationId && c.customer.id === customerId && !c.endTime) return c;
    }
    return undefined;
  }

  findMessage(integrationId: string, id: string): { conversation: Conversation; message: StoredMessage } | undefined {
    for (const conversation of this.conversations.values()) {
      if (conversation.integrationId !== integrationId) continue;
      const message = conversation.messages.find((m) => m.id === id);
      if (message) return { conversation, message };
    }
    return undefined;
  }

  routingStatus(agent: Agent): RoutingStatus {
    if (!agent.onQueue) return 'OFF_QUEUE';
    for (const c of this.conversations.values()) {
      if (c.participants.some((p) => p.purpose === 'agent' && p.state === 'connected' && p.userId === agent.id)) return 'INTERACTING';
    }
    return 'IDLE';
  }

  /** Conversations waiting in a queue, longest-waiting first (by when they entered this queue). */
  waitingIn(queueId: string): Conversation[] {
    const entered = (c: Conversation): string =>
      c.participants.find((p) => p.purpose === 'acd' && p.state === 'connected' && p.queueId === queueId)?.startTime ?? '';
    return [...this.conversations.values()]
      .filter((c) => phaseOf(c) === 'waiting' && entered(c) !== '')
      .sort((a, b) => entered(a).localeCompare(entered(b)));
  }
}
