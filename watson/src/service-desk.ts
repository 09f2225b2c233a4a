import type {
  AdditionalDataToAgent,
  AgentAvailability,
  BusEventMessageItemCustom,
  BusEventReceive,
  BusEventSend,
  BusEventType,
  ChatInstance,
  EndChatInfo,
  ErrorType,
  FileUpload,
  MessageRequest,
  MessageResponse,
  ServiceDesk,
  ServiceDeskCallback,
  ServiceDeskFactoryParameters,
  StartChatOptions,
} from '@carbon/ai-chat';
import { CustomerClient, ParleyApiError, type AgentRef, type Availability, type Conversation, type ConnectionState, type OutgoingMessage, type ParleyEvent, type Part, type RouteAvailability } from '../../sdk/src/index.js';
import { handoverOf, Transcript, type WebChatState } from './handover.js';
import type { ParleyServiceDeskOptions } from './options.js';
import { inlineError, profileOf, REPLY_EVENT, toResponse } from './render.js';
import { acceptsFile, sessionStore } from './uploads.js';

// watsonx Assistant web chat (and @carbon/ai-chat) hands a customer to a human through a "service desk"
// object it drives (ServiceDesk) and a callback it gives us (ServiceDeskCallback). This one is a Parley
// customer on the `web` channel (sdk/): startChat opens a conversation that Parley's route table sends to
// whatever desk is configured (the inbox, Genesys, Connect, LivePerson), and the conversation's log comes
// back through the SDK's stream — in order, once, resumed after a reload or an outage — and is turned into
// callback calls. What the starter kit's adapters got wrong and this does not: sends are awaited and their
// failures reach web chat; typing(false) means stopped; the socket is one, resumed, and closed at the end;
// a second startChat does not leave an old listener behind; web chat's endChat after the agent ended is a
// no-op, not an error (seed-teardown §2.2a).

const DISCONNECTED = 2 as ErrorType.DISCONNECTED;
const USER_MESSAGE = 3 as ErrorType.USER_MESSAGE;

/** What survives a page reload (web chat keeps it in sessionStorage for us). */
interface Persisted {
  conversationId?: string;
  /** The highest seq already shown: after a reload, everything above it is new to web chat. */
  handled?: number;
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));
const gone = (e: unknown): boolean => e instanceof ParleyApiError && (e.status === 404 || e.status === 403 || e.code === 'PARLEY_E_CONVERSATION_ENDED');

export class ParleyServiceDesk implements ServiceDesk {
  private readonly callback: ServiceDeskCallback<Persisted>;
  private readonly transcript: Transcript;
  private readonly storage = sessionStore();
  private client: Promise<CustomerClient> | undefined;
  /** The running chat's conversation; undefined when no chat runs. */
  private conversationId: string | undefined;
  /** The agent web chat was last told joined (and has not left). */
  private agent: AgentRef | undefined;
  /** Highest seq of the running chat already turned into callbacks (the stream and replays may overlap). */
  private handled = 0;
  /** Highest seq of an agent's message: what userReadMessages marks read. */
  private lastFromDesk = 0;
  /** The web chat message id of each of my messages, by seq: a delivery failure names the message. */
  private readonly messageIds = new Map<number, string>();
  private outage: 'none' | 'error' | 'waiting' = 'none';
  private limits: RouteAvailability['uploads'] | undefined;
  private state: WebChatState = {};
  private readonly instance: ChatInstance | undefined;

  constructor(
    params: ServiceDeskFactoryParameters,
    private readonly options: ParleyServiceDeskOptions,
  ) {
    this.callback = params.callback as ServiceDeskCallback<Persisted>;
    this.transcript = new Transcript(this.storage, `${options.storageKey}:transcript`);
    this.instance = params.instance;
    // The bot conversation, for the agent: the customer's messages to the assistant and its answers.
    params.instance?.on?.([
      { type: 'send' as BusEventType.SEND, handler: (e) => this.transcript.customerSaid((e as BusEventSend).data) },
      { type: 'receive' as BusEventType.RECEIVE, handler: (e) => this.transcript.assistantSaid((e as BusEventReceive).data) },
      // A quick reply or button the agent sent, clicked.
      { type: 'messageItemCustom' as BusEventType.MESSAGE_ITEM_CUSTOM, handler: (e) => this.onChoice(e as BusEventMessageItemCustom) },
      // The chat window opened: what the agent wrote is on screen now.
      { type: 'view:change' as BusEventType.VIEW_CHANGE, handler: () => this.readIfSeen() },
    ]);
    globalThis.document?.addEventListener('visibilitychange', () => this.readIfSeen());
  }

  getName = (): string => 'Parley';

  /** Hosted web chat tells integrations its session, user and locale (the handover context carries them). */
  updateState(state: WebChatState): void {
    this.state = { ...this.state, ...state };
  }

  // ---- the connection -----------------------------------------------------------------------------------

  private connection(): Promise<CustomerClient> {
    this.client ??= CustomerClient.connect({
      baseUrl: this.options.url,
      storage: this.storage,
      storageKey: this.options.storageKey,
      ...(this.options.identityToken ? { identityToken: this.options.identityToken } : {}),
    }).then(
      (c) => {
        this.listen(c);
        return c;
      },
      (e: unknown) => {
        this.client = undefined;
        throw e;
      },
    );
    return this.client;
  }

  private listen(c: CustomerClient): void {
    c.on('event', (e) => this.onEvent(e));
    c.on('typing', (t) => {
      if (t.conversationId === this.conversationId && t.author.role !== 'customer') void this.callback.agentTyping(t.typing);
    });
    c.on('availability', (a) => this.onAvailability(a));
    c.on('connection', (s) => this.onConnection(s));
    c.on('session', ({ renewed }) => {
      // The stored session was refused (expired, or the hub's keys changed): a new customer cannot see the
      // old conversation, so the chat is over for web chat too; say why rather than leave it hanging.
      if (!renewed || !this.conversationId) return;
      this.finish();
      void this.callback.sendMessageToUser(inlineError('Your session expired, so this chat ended.'));
      void this.callback.agentEndedChat();
    });
  }

  private async uploadLimits(c: CustomerClient): Promise<RouteAvailability['uploads'] | undefined> {
    if (this.limits) return this.limits;
    try {
      this.noteLimits((await c.availability(this.options.entryPoint)).uploads);
    } catch {
      // Unknown for now: the hub still checks every upload.
    }
    return this.limits;
  }

  private noteLimits(uploads: RouteAvailability['uploads']): void {
    const first = !this.limits;
    this.limits = uploads;
    if (first) this.callback.updateCapabilities({ allowFileUploads: uploads.mediaTypes.length > 0, allowMultipleFileUploads: true, allowedFileUploadTypes: uploads.mediaTypes.join(',') });
  }

  // ---- ServiceDesk --------------------------------------------------------------------------------------

  /** From the routed desk: agents online (true), nobody (false: web chat shows its "no agents" path) or unknown. */
  async areAnyAgentsOnline(_connectMessage: MessageResponse): Promise<boolean | null> {
    try {
      const c = await this.connection();
      const a = await c.availability(this.options.entryPoint);
      this.noteLimits(a.uploads);
      return a.agentsOnline;
    } catch {
      return null;
    }
  }

  async startChat(connectMessage: MessageResponse, _options?: StartChatOptions): Promise<void> {
    const c = await this.connection();
    this.finish();
    const { context, summary } = handoverOf(connectMessage, this.transcript.all, this.state, c.contact);
    const conversation = await c.openConversation({ ...(this.options.entryPoint ? { entryPoint: this.options.entryPoint } : {}), context });
    this.begin(conversation, 0);
    void this.uploadLimits(c);
    // What arrived before the conversation's id was known (a round-robin join can beat the HTTP answer);
    // from here on the stream's events are handled as they come.
    const held = c.history(conversation.id);
    for (const e of held) this.onEvent(e);
    // The handover goes first, once: a conversation that already holds a message of mine (the customer
    // came back to one still open) has had it.
    if (!held.some((e) => e.kind === 'message' && e.author.role === 'customer')) await this.settle(c, c.send(conversation.id, { text: summary }));
  }

  async reconnect(): Promise<boolean> {
    const saved = this.callback.persistedState() as Persisted | undefined;
    const id = saved?.conversationId;
    if (!id) return false;
    const c = await this.connection().catch(() => undefined);
    if (!c) return false;
    let conversation: Conversation | undefined;
    try {
      conversation = await c.conversation(id);
    } catch (e) {
      if (gone(e)) {
        this.forget();
        return false;
      }
      // Parley unreachable: trust what was saved; the stream resumes the chat when it is back.
    }
    if (conversation?.phase === 'ended') {
      this.forget();
      return false;
    }
    this.begin(conversation ?? ({ id } as Conversation), saved.handled ?? 0);
    if (conversation?.agent) this.agent = conversation.agent;
    void this.uploadLimits(c);
    // Whatever happened while the page was away (the agent answered, or ended), in order: what the stream
    // brought before the chat was known again, then whatever the client has not fetched yet.
    for (const e of c.history(id)) this.onEvent(e);
    void c.loadHistory(id).catch(() => undefined);
    return true;
  }

  async endChat(_info: EndChatInfo<unknown>): Promise<void> {
    const id = this.conversationId;
    if (!id) return;
    this.finish();
    const c = await this.connection();
    try {
      await c.end(id);
    } catch (e) {
      if (!gone(e)) throw e;
    }
  }

  async sendMessageToAgent(message: MessageRequest, messageID: string, additionalData: AdditionalDataToAgent): Promise<void> {
    const id = this.running();
    const c = await this.connection();
    const parts: Part[] = [];
    let failure: unknown;
    for (const upload of additionalData?.filesToUpload ?? []) {
      try {
        const media = await c.upload(upload.file, upload.file.name);
        parts.push({ type: 'media', mediaId: media.id });
        void this.callback.setFileUploadStatus(upload.id);
      } catch (e) {
        failure ??= e;
        void this.callback.setFileUploadStatus(upload.id, true, messageOf(e));
      }
    }
    const text = message.input?.text ?? '';
    if (!text.trim() && parts.length === 0) {
      if (failure) throw failure;
      return;
    }
    const event = await this.settle(c, c.send(id, { ...(text.trim() ? { text } : {}), parts }));
    this.messageIds.set(event.seq, messageID);
  }

  async userTyping(isTyping: boolean): Promise<void> {
    if (!this.conversationId) return;
    (await this.connection()).typing(this.conversationId, isTyping);
  }

  async userReadMessages(): Promise<void> {
    if (!this.conversationId || this.lastFromDesk === 0) return;
    await (await this.connection()).markRead(this.conversationId, this.lastFromDesk);
  }

  /**
   * Web chat 1.9.1 never calls userReadMessages (it is documented as not implemented in the widget), so the
   * agent would never see "read": an agent message counts as read once it is on screen — the page visible and
   * the chat window open — and, if it arrived while not, as soon as they are.
   */
  private readIfSeen(): void {
    if (!this.conversationId || this.lastFromDesk === 0) return;
    if (globalThis.document && globalThis.document.visibilityState !== 'visible') return;
    try {
      if (this.instance?.getState?.().viewState?.mainWindow === false) return;
    } catch {
      // An older web chat without getState: the page being visible is all we can know.
    }
    this.userReadMessages().catch(() => undefined);
  }

  filesSelectedForUpload(uploads: FileUpload[]): void {
    void (async () => {
      const limits = await this.connection().then((c) => this.uploadLimits(c), () => this.limits);
      if (!limits) return;
      for (const u of uploads) {
        const problem = acceptsFile(limits, u.file);
        if (problem) void this.callback.setFileUploadStatus(u.id, true, problem);
      }
    })();
  }

  /** A choice from an agent's message: its title goes to the agent as the customer's answer. */
  private onChoice(e: BusEventMessageItemCustom): void {
    const text = e.messageItem?.custom_event_name === REPLY_EVENT ? e.messageItem.label : undefined;
    const id = this.conversationId;
    if (!text || !id) return;
    void this.connection()
      .then((c) => this.settle(c, c.send(id, { text })))
      .catch((err: unknown) => this.callback.sendMessageToUser(inlineError(`Your choice “${text}” did not reach the agent: ${messageOf(err)}`)));
  }

  // ---- the running chat ---------------------------------------------------------------------------------

  private running(): string {
    if (!this.conversationId) throw new ParleyApiError('PARLEY_E_CONVERSATION_ENDED', 'No chat with an agent is running.', 409, false);
    return this.conversationId;
  }

  private begin(c: Conversation, seen: number): void {
    this.conversationId = c.id;
    this.handled = seen;
    this.lastFromDesk = 0;
    this.agent = undefined;
    this.messageIds.clear();
    this.outage = 'none';
    this.callback.updatePersistedState({ conversationId: c.id, handled: seen }, false);
  }

  /** The chat is over for web chat (ended by either side, or replaced by a new one). */
  private finish(): void {
    this.conversationId = undefined;
    this.agent = undefined;
    this.forget();
  }

  private forget(): void {
    this.callback.updatePersistedState({}, false);
  }

  /** Wait until the hub stored my message (the SDK retries it until then) or refused it for good. */
  private settle(c: CustomerClient, out: OutgoingMessage): Promise<ParleyEvent> {
    return new Promise((resolve, reject) => {
      const off = c.on('outbox', (o) => {
        if (o.clientMessageId !== out.clientMessageId) return;
        if (o.status === 'failed') {
          off();
          c.discard(o.clientMessageId);
          reject(o.error ?? new ParleyApiError('PARLEY_E_DELIVERY', 'The message was not accepted.', 0, false));
        } else if (o.event) {
          off();
          resolve(o.event);
        }
      });
    });
  }

  private onEvent(e: ParleyEvent): void {
    if (e.conversationId !== this.conversationId || e.seq <= this.handled) return;
    this.handled = e.seq;
    this.callback.updatePersistedState({ conversationId: e.conversationId, handled: e.seq }, false);
    const cb = this.callback;
    switch (e.kind) {
      case 'message': {
        if (e.author.role === 'customer') return;
        this.lastFromDesk = e.seq;
        void cb.agentTyping(false);
        const response = toResponse(e.id, e.parts, this.options.url);
        if (response) void cb.sendMessageToUser(response, e.author.id ?? this.agent?.id).then(() => this.readIfSeen());
        return;
      }
      case 'participant.joined':
        this.agent = e.participant;
        this.clearOutage();
        void cb.agentJoined(profileOf(e.participant));
        return;
      case 'transfer.started':
        void cb.beginTransferToAnotherAgent(e.to.type === 'agent' ? profileOf({ id: e.to.id, name: e.to.name }) : undefined);
        return;
      case 'participant.left':
        // The transfer's first agent leaving (the sequence web chat's service desk guide gives: begin the
        // transfer, the first agent leaves, the next one joins). An agent leaving because the chat ended is
        // told by conversation.ended, which follows, with the agent's name still known to web chat.
        if (e.reason === 'transfer') {
          if (this.agent?.id === e.participant.id) this.agent = undefined;
          void cb.agentLeftChat();
        }
        return;
      case 'conversation.ended':
        this.finish();
        void cb.agentEndedChat();
        return;
      case 'receipt':
        if (e.origin === 'desk' && e.receipt === 'read') void cb.agentReadMessages();
        return;
      case 'delivery.failed': {
        const messageID = e.leg === 'desk' ? this.messageIds.get(e.failedSeq) : undefined;
        if (messageID) void cb.setErrorStatus({ type: USER_MESSAGE, messageID, logInfo: `${e.code}: ${e.reason}` });
        else if (e.leg === 'desk') void cb.sendMessageToUser(inlineError(`A message did not reach the agent: ${e.reason}`));
        return;
      }
      default:
        return;
    }
  }

  private onAvailability(a: Availability): void {
    if (a.conversationId !== this.conversationId || this.agent) return;
    const update: AgentAvailability = {};
    if (a.waitSeconds !== undefined) update.estimatedWaitTime = Math.max(1, Math.ceil(a.waitSeconds / 60));
    if (a.position !== undefined) update.positionInQueue = a.position;
    if (a.agentsOnQueue === 0) update.message = 'No agents are available right now. Stay here: an agent will answer as soon as one is.';
    if (Object.keys(update).length) void this.callback.updateAgentAvailability(update);
  }

  /**
   * Parley out of reach. With an agent in the chat, web chat's DISCONNECTED status says so and is lifted when
   * the stream is back (it resumes where it stopped, so nothing is lost). While still waiting for an agent,
   * web chat would take DISCONNECTED as "could not connect" and end the chat, although the conversation
   * lives on in Parley — so the customer is told in the waiting banner instead.
   */
  private onConnection(s: ConnectionState): void {
    if (!this.conversationId) return;
    if (s === 'offline' && this.outage === 'none') {
      if (this.agent) {
        this.outage = 'error';
        void this.callback.setErrorStatus({ type: DISCONNECTED, isDisconnected: true, logInfo: 'Parley is out of reach; reconnecting.' });
      } else {
        this.outage = 'waiting';
        void this.callback.updateAgentAvailability({ message: 'The connection was lost. Reconnecting…' });
      }
    } else if (s === 'open') {
      this.clearOutage();
    }
  }

  private clearOutage(): void {
    if (this.outage === 'error') void this.callback.setErrorStatus({ type: DISCONNECTED, isDisconnected: false });
    else if (this.outage === 'waiting' && !this.agent) void this.callback.updateAgentAvailability({ message: 'Connected again. Waiting for an agent…' });
    this.outage = 'none';
  }
}

