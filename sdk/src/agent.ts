import { BaseClient } from './base.js';
import type { Http } from './http.js';
import {
  ParleyApiError,
  type Agent,
  type AgentEvents,
  type AgentPatch,
  type AgentWithPresence,
  type ApiKey,
  type CannedResponse,
  type ClientOptions,
  type Conversation,
  type Delivery,
  type DeliveryFilter,
  type DeliveryStatus,
  type NewAgentInput,
  type NewApiKeyInput,
  type NewOfferInput,
  type NewQueueInput,
  type Offer,
  type ProactiveInput,
  type ProactiveResult,
  type Queue,
  type Transcript,
} from './types.js';

// The agent side: the console of the built-in inbox, and admin tools (admin agents may call the admin API
// with their own token). Unlike a customer, an agent whose token is rejected cannot get a new one without
// a password: the client reports the error, goes to 'closed', and forgets the stored token.

interface SavedSession {
  token: string;
  agent: Agent;
}

export interface AdminApi {
  agents(): Promise<AgentWithPresence[]>;
  createAgent(input: NewAgentInput): Promise<Agent>;
  updateAgent(id: string, patch: AgentPatch): Promise<Agent>;
  queues(): Promise<Queue[]>;
  createQueue(input: NewQueueInput): Promise<Queue>;
  apiKeys(): Promise<ApiKey[]>;
  /** The answer holds the secret `key`, shown this once. */
  createApiKey(input: NewApiKeyInput): Promise<ApiKey & { key: string }>;
  revokeApiKey(id: string): Promise<void>;
  sendOffer(input: NewOfferInput): Promise<Offer>;
  proactive(input: ProactiveInput): Promise<ProactiveResult>;
  /** Newest first; filter by status and/or one conversation (limit ≤ 500, default 100). */
  deliveries(status?: DeliveryStatus, filter?: DeliveryFilter): Promise<Delivery[]>;
  retryDelivery(id: string): Promise<Delivery>;
  transcript(conversationId: string): Promise<Transcript>;
  transcriptHtml(conversationId: string): Promise<string>;
  cannedResponses(): Promise<CannedResponse[]>;
  /** The shortcut is stored lower-case. */
  createCannedResponse(input: { shortcut: string; text: string }): Promise<CannedResponse>;
  deleteCannedResponse(id: string): Promise<void>;
}

export class AgentClient extends BaseClient {
  agent!: Agent;
  /** The admin API (admin agents only; others get PARLEY_E_FORBIDDEN). */
  readonly admin: AdminApi;

  private constructor(opts: ClientOptions) {
    super(opts, { role: 'agent', leg: 'desk', prefix: '/v1/agent' });
    this.admin = adminApi(this.http);
  }

  /** Log in with e-mail and password, then open the stream. The token is kept in storage (see resume). */
  static async login(opts: ClientOptions & { email: string; password: string }): Promise<AgentClient> {
    const c = new AgentClient(opts);
    try {
      const r = await c.http.request<{ token: string; agent: Agent }>('POST', '/v1/agent/login', { anonymous: true, body: { email: opts.email, password: opts.password } });
      c.adopt(r.token, r.agent);
      await c.startStream();
    } catch (e) {
      c.close();
      throw e;
    }
    return c;
  }

  /** Use a token from an earlier login; rejects with PARLEY_E_UNAUTHENTICATED / TOKEN_EXPIRED if it is dead. */
  static async connect(opts: ClientOptions & { token: string }): Promise<AgentClient> {
    const c = new AgentClient(opts);
    try {
      const r = await c.http.request<{ agent: Agent }>('GET', '/v1/agent/me', { token: opts.token });
      c.adopt(opts.token, r.agent);
      await c.startStream();
    } catch (e) {
      c.close();
      throw e;
    }
    return c;
  }

  /** Connect with the token stored by an earlier login, or null when there is none or it is no longer valid. */
  static async resume(opts: ClientOptions): Promise<AgentClient | null> {
    const probe = new AgentClient(opts);
    const saved = probe.store.get<SavedSession>('session');
    probe.close();
    if (!saved?.token) return null;
    try {
      return await AgentClient.connect({ ...opts, token: saved.token });
    } catch (e) {
      if (e instanceof ParleyApiError && (e.status === 401 || e.status === 403)) {
        probe.store.remove('session');
        return null;
      }
      throw e;
    }
  }

  on<K extends keyof AgentEvents>(type: K, fn: (p: AgentEvents[K]) => void): () => void {
    // AgentEvents is CustomerEvents without the customer-only keys, with the same payloads.
    return this.emitter.on(type, fn as (p: unknown) => void);
  }

  private adopt(token: string, agent: Agent): void {
    const saved = this.store.get<SavedSession>('session');
    if (saved && saved.agent?.id !== agent.id) this.clearCache();
    this.tokenValue = token;
    this.agent = agent;
    this.store.set('session', { token, agent } satisfies SavedSession);
  }

  protected unauthorized(err: ParleyApiError): Promise<void> {
    if (!this.closed) {
      this.store.remove('session');
      this.emitter.emit('error', err);
      this.close();
    }
    return Promise.resolve();
  }

  protected async checkToken(): Promise<'retry' | 'stop'> {
    try {
      await this.http.request('GET', '/v1/agent/me', { token: this.tokenValue });
      return 'retry';
    } catch (e) {
      if (!(e instanceof ParleyApiError) || (e.status !== 401 && e.status !== 403)) return 'retry';
      await this.unauthorized(e);
      return 'stop';
    }
  }

  /** Log out: close, and forget the stored token, history and outbox. */
  logout(): void {
    this.close();
    this.clearCache();
    this.store.remove('session');
  }

  // ---- conversations --------------------------------------------------------------------------------

  /** `queued` (waiting in my queues), `mine` (assigned to me) or `all` open ones I can see. */
  async conversations(scope: 'queued' | 'mine' | 'all' = 'all'): Promise<Conversation[]> {
    const r = await this.http.request<{ conversations: Conversation[] }>('GET', '/v1/agent/conversations', { query: { scope } });
    return r.conversations.map((c) => this.noteConversation(c));
  }

  /** One conversation with its customer, identities and handed-over context. */
  async conversation(id: string): Promise<Conversation> {
    const r = await this.http.request<{ conversation: Conversation }>('GET', `/v1/agent/conversations/${encodeURIComponent(id)}`);
    return this.noteConversation(r.conversation);
  }

  /** Take a waiting conversation. */
  async accept(id: string): Promise<Conversation> {
    const r = await this.http.request<{ conversation: Conversation }>('POST', `/v1/agent/conversations/${encodeURIComponent(id)}/accept`);
    return this.noteConversation(r.conversation);
  }

  /** Hand over to another agent (joins at once) or to a queue (waits there). */
  async transfer(id: string, to: { toAgentId: string } | { toQueueId: string }, note?: string): Promise<Conversation> {
    const r = await this.http.request<{ conversation: Conversation }>('POST', `/v1/agent/conversations/${encodeURIComponent(id)}/transfer`, {
      body: { ...to, ...(note ? { note } : {}) },
    });
    return this.noteConversation(r.conversation);
  }

  /** available (gets round-robin chats), away or offline. */
  async setStatus(status: 'available' | 'away' | 'offline'): Promise<Agent> {
    const r = await this.http.request<{ agent: Agent }>('POST', '/v1/agent/status', { body: { status } });
    this.agent = r.agent;
    this.store.set('session', { token: this.tokenValue, agent: r.agent } satisfies SavedSession);
    return r.agent;
  }

  /** All agents with whether they are online (transfer targets). */
  async agents(): Promise<AgentWithPresence[]> {
    return (await this.http.request<{ agents: AgentWithPresence[] }>('GET', '/v1/agent/agents')).agents;
  }

  /** Canned responses, by shortcut (insert them into replies). */
  async cannedResponses(): Promise<CannedResponse[]> {
    return (await this.http.request<{ cannedResponses: CannedResponse[] }>('GET', '/v1/agent/canned-responses')).cannedResponses;
  }

  /** All queues (transfer targets). */
  async queues(): Promise<Queue[]> {
    return (await this.http.request<{ queues: Queue[] }>('GET', '/v1/agent/queues')).queues;
  }
}

function adminApi(http: Http): AdminApi {
  const id = encodeURIComponent;
  return {
    agents: async () => (await http.request<{ agents: AgentWithPresence[] }>('GET', '/v1/admin/agents')).agents,
    createAgent: async (input) => (await http.request<{ agent: Agent }>('POST', '/v1/admin/agents', { body: input })).agent,
    updateAgent: async (agentId, patch) => (await http.request<{ agent: Agent }>('PATCH', `/v1/admin/agents/${id(agentId)}`, { body: patch })).agent,
    queues: async () => (await http.request<{ queues: Queue[] }>('GET', '/v1/admin/queues')).queues,
    createQueue: async (input) => (await http.request<{ queue: Queue }>('POST', '/v1/admin/queues', { body: input })).queue,
    apiKeys: async () => (await http.request<{ apiKeys: ApiKey[] }>('GET', '/v1/admin/api-keys')).apiKeys,
    createApiKey: async (input) => (await http.request<{ apiKey: ApiKey & { key: string } }>('POST', '/v1/admin/api-keys', { body: input })).apiKey,
    revokeApiKey: async (keyId) => {
      await http.request('DELETE', `/v1/admin/api-keys/${id(keyId)}`);
    },
    sendOffer: async (input) => (await http.request<{ offer: Offer }>('POST', '/v1/offers', { body: input })).offer,
    proactive: (input) => http.request<ProactiveResult>('POST', '/v1/messages/proactive', { body: input }),
    deliveries: async (status, filter = {}) =>
      (await http.request<{ deliveries: Delivery[] }>('GET', '/v1/admin/deliveries', { query: { status, conversationId: filter.conversationId, limit: filter.limit } })).deliveries,
    retryDelivery: async (deliveryId) => (await http.request<{ delivery: Delivery }>('POST', `/v1/admin/deliveries/${id(deliveryId)}/retry`)).delivery,
    transcript: (conversationId) => http.request<Transcript>('GET', `/v1/conversations/${id(conversationId)}/transcript`, { query: { format: 'json' } }),
    transcriptHtml: (conversationId) => http.request<string>('GET', `/v1/conversations/${id(conversationId)}/transcript`, { query: { format: 'html' }, text: true }),
    cannedResponses: async () => (await http.request<{ cannedResponses: CannedResponse[] }>('GET', '/v1/admin/canned-responses')).cannedResponses,
    createCannedResponse: async (input) => (await http.request<{ cannedResponse: CannedResponse }>('POST', '/v1/admin/canned-responses', { body: input })).cannedResponse,
    deleteCannedResponse: async (cannedId) => {
      await http.request('DELETE', `/v1/admin/canned-responses/${id(cannedId)}`);
    },
  };
}

