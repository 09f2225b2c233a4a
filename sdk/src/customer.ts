import { BaseClient } from './base.js';
import type { InFrame } from './stream.js';
import { ParleyApiError, type ClientOptions, type Contact, type Conversation, type CustomerEvents, type Offer, type RouteAvailability } from './types.js';

// The customer side: what the widget, the customer app and a business's own mobile app use. A session is
// anonymous (POST /v1/sessions {}) or verified (with an identity token signed by the business's backend).
// The token is kept in storage, so a reload is the same customer with the same history; when the hub no
// longer accepts it (expired, or the hub's secret changed) the client starts a new session by itself.

interface SavedSession {
  token: string;
  contact: Contact;
}

export type CustomerConnectOptions = ClientOptions & {
  /** A JWT from the business's backend: start (or resume) a verified session for that identity. */
  identityToken?: string;
  /** Use this customer token rather than the stored one. */
  token?: string;
};

export class CustomerClient extends BaseClient {
  contact!: Contact;
  private readonly identityToken: string | undefined;
  private renewing: Promise<void> | undefined;
  private readonly offerSeen = new Map<string, string | null>();

  private constructor(opts: CustomerConnectOptions) {
    super(opts, { role: 'customer', leg: 'channel', prefix: '/v1' });
    this.identityToken = opts.identityToken;
  }

  /**
   * Reuse the stored token (unless an identity token is given, or the hub rejects the stored one with 401),
   * else start a new session; then open the stream. Resolves once the stream is ready or has failed once
   * (it keeps reconnecting by itself). Offline with a stored session, it starts from what is stored.
   */
  static async connect(opts: CustomerConnectOptions): Promise<CustomerClient> {
    const c = new CustomerClient(opts);
    try {
      await c.begin(opts.token);
      await c.startStream();
    } catch (e) {
      c.close();
      throw e;
    }
    return c;
  }

  on<K extends keyof CustomerEvents>(type: K, fn: (p: CustomerEvents[K]) => void): () => void {
    return this.emitter.on(type, fn);
  }

  private async begin(explicitToken: string | undefined): Promise<void> {
    const saved = this.store.get<SavedSession>('session');
    const candidate = explicitToken ?? saved?.token;
    if (!this.identityToken && candidate) {
      try {
        const r = await this.http.request<{ contact: Contact }>('GET', '/v1/me', { token: candidate });
        this.adopt(candidate, r.contact, false);
        return;
      } catch (e) {
        if (!(e instanceof ParleyApiError)) throw e;
        const offline = e.isNetwork && saved && saved.token === candidate;
        if (offline) {
          this.adopt(candidate, saved.contact, false);
          return;
        }
        if (e.status !== 401) throw e;
      }
    }
    await this.newSession(candidate !== undefined);
  }

  private async newSession(renewed: boolean): Promise<void> {
    const r = await this.http.request<{ token: string; contact: Contact }>('POST', '/v1/sessions', {
      anonymous: true,
      body: this.identityToken ? { identityToken: this.identityToken } : {},
    });
    this.adopt(r.token, r.contact, renewed);
  }

  private adopt(token: string, contact: Contact, renewed: boolean): void {
    const saved = this.store.get<SavedSession>('session');
    // History and outbox belong to a contact: a different one starts from nothing.
    if (saved?.contact?.id !== contact.id && (saved || this.logs.size || this.outboxQueue.size)) this.clearCache();
    this.tokenValue = token;
    this.contact = contact;
    this.store.set('session', { token, contact } satisfies SavedSession);
    if (this.live) this.emitter.emit('session', { contact, renewed });
  }

  /** The token was rejected while running: start a new session and reconnect with it. */
  protected unauthorized(): Promise<void> {
    this.renewing ??= (async () => {
      try {
        await this.newSession(true);
        this.stream.reconnect();
        void this.flush();
      } catch (e) {
        const err = e instanceof ParleyApiError ? e : new ParleyApiError('PARLEY_E_UNAUTHENTICATED', 'The session ended.', 401, false);
        this.emitter.emit('error', err);
        // Unreachable hub: the stream keeps trying and checks the token again. Refused: give up.
        if (!err.isNetwork) this.stream.close();
      } finally {
        this.renewing = undefined;
      }
    })();
    return this.renewing;
  }

  protected async checkToken(): Promise<'retry' | 'stop'> {
    try {
      await this.http.request('GET', '/v1/me', { token: this.tokenValue });
      return 'retry';
    } catch (e) {
      if (!(e instanceof ParleyApiError) || (e.status !== 401 && e.status !== 403)) return 'retry';
      // The 401 hook may already be renewing; this waits for the same renewal (which reconnects).
      await this.unauthorized();
      return 'stop';
    }
  }

  protected override onOtherFrame(f: InFrame): void {
    if (f.type === 'availability') {
      // Only the fields the hub sent: an absent one is unknown (a vendor desk gives no position), not zero.
      const { type: _type, ...availability } = f;
      this.emitter.emit('availability', availability);
    }
    else if (f.type === 'offer') this.noteOffer(f.offer);
  }

  /** An offer is announced once per state (new, then acknowledged), whichever way the news came. */
  private noteOffer(o: Offer): void {
    if (this.offerSeen.has(o.id) && this.offerSeen.get(o.id) === o.acknowledgedAt) return;
    this.offerSeen.set(o.id, o.acknowledgedAt);
    this.emitter.emit('offer', o);
  }

  // ---- conversations --------------------------------------------------------------------------------

  /** The newest conversation that has not ended (with queue position and agent), or null. */
  async currentConversation(): Promise<Conversation | null> {
    const open = (await this.conversations()).find((c) => c.phase !== 'ended');
    return open ? this.conversation(open.id) : null;
  }

  /**
   * Open a conversation, or get the one already open. It waits for an agent on the desk and queue the
   * hub's route table picks: by `entryPoint` when given (a route for it, else the channel's default route);
   * `queue` chooses among the built-in inbox's queues.
   */
  async openConversation(opts: { queue?: string; entryPoint?: string; context?: Record<string, unknown> } = {}): Promise<Conversation> {
    const r = await this.http.request<{ conversation: Conversation }>('POST', '/v1/conversations', { body: opts });
    return this.noteConversation(r.conversation);
  }

  /**
   * Before opening a conversation: the desk and queue the route table would pick (by `entryPoint`), whether
   * any agents are online there (`null`: the desk cannot tell), and what uploads the hub accepts.
   */
  async availability(entryPoint?: string): Promise<RouteAvailability> {
    return this.http.request<RouteAvailability>('GET', '/v1/availability', { query: { entryPoint } });
  }

  /** My conversations, newest first. */
  async conversations(): Promise<Conversation[]> {
    const r = await this.http.request<{ conversations: Conversation[] }>('GET', '/v1/conversations');
    return r.conversations.map((c) => this.noteConversation(c));
  }

  /** One conversation, with its queue position and agent. */
  async conversation(id: string): Promise<Conversation> {
    const r = await this.http.request<{ conversation: Conversation }>('GET', `/v1/conversations/${encodeURIComponent(id)}`);
    return this.noteConversation(r.conversation);
  }

  // ---- offers and profile ---------------------------------------------------------------------------

  /** Offers pushed to me, newest first. */
  async offers(): Promise<Offer[]> {
    const r = await this.http.request<{ offers: Offer[] }>('GET', '/v1/offers');
    return r.offers;
  }

  /** Acknowledge (dismiss) an offer. */
  async ackOffer(id: string): Promise<Offer> {
    const r = await this.http.request<{ offer: Offer }>('POST', `/v1/offers/${encodeURIComponent(id)}/ack`);
    this.noteOffer(r.offer);
    return r.offer;
  }

  /** Set my name and e-mail (anonymous customers only: a verified profile comes from the identity token). */
  async updateProfile(p: { name?: string; email?: string }): Promise<Contact> {
    const r = await this.http.request<{ contact: Contact }>('PATCH', '/v1/me', { body: p });
    this.contact = r.contact;
    this.store.set('session', { token: this.tokenValue, contact: r.contact } satisfies SavedSession);
    return r.contact;
  }

  /** Close, and forget the session, history and outbox stored for it (a "sign out" of the widget). */
  forget(): void {
    this.close();
    this.clearCache();
    this.store.remove('session');
  }
}
