import { VendorDesk } from '../../vendor/vendor-desk.js';
import { ConnectClient } from '@aws-sdk/client-connect';
import { ConnectParticipantClient } from '@aws-sdk/client-connectparticipant';
import type { FastifyBaseLogger } from 'fastify';
import type { Capabilities, DeliveryJob, DeliveryOutcome, SignalJob } from '../../core/adapter.js';
import { ParleyError } from '../../core/errors.js';
import type { Contact, Conversation, StoredEvent } from '../../core/model.js';
import type { AdapterRuntime } from '../../switchboard/types.js';
import { Started } from '../../switchboard/started.js';
import { adapterType } from '../../switchboard/types.js';
import type { Webhook } from '../../switchboard/webhooks.js';
import { RateBudget } from '../../vendor/rate-budget.js';
import { traceAwsClient } from '../../vendor/aws-traffic.js';
import { awsErrorName, AwsCaller } from './aws-call.js';
import { ConnectApi, EVENT_TYPES } from './outbound.js';
import { ATTACHMENT_MAX_BYTES, ATTACHMENT_TYPES, toOutgoing } from './parts.js';
import { StreamItem } from './payloads.js';
import { Sealer } from './sealed.js';
import { Sessions, type ContactRecord, type ConnectionRecord } from './sessions.js';
import { connectEndpoints, ConnectSettings } from './settings.js';
import { connectWebhook, reportItem } from './webhook.js';

// The `connect` desk: Amazon Connect chat, with message streaming to SNS instead of a socket per customer
// (vendor-protocols §3). Customer → Connect goes through deliver() (the outbox, in seq order, retried) and
// signal() (typing); Connect → customer comes in on the SNS endpoint (webhook.ts). Everything Connect
// reports reaches the log through DeskReports.
//
// The chat of a conversation is made on its first delivery: StartChatContact (ClientToken derived from the
// conversation, so a retried start returns the same contact), StartContactStreaming to the topic,
// CreateParticipantConnection with ConnectParticipant. Its tokens are kept sealed (sessions.ts). A connection
// token is renewed `refreshBeforeMs` before it expires, and again whenever Connect refuses it; when the
// participant token is refused too, the chat is over at Connect (the agent side ended it and the chat.ended
// notification has not arrived, or never will), and the conversation's next message starts a new contact.
//
// What the desk `wants` from the log, and why:
// - customer messages: what the agent must see (texts split to Connect's 1,024 characters, media as
//   attachments where Connect takes the type);
// - the customer's receipts: Connect has delivered and read events for the agent's messages, so the agent's
//   ticks move when the customer's side confirms them;
// - conversation.ended not from the desk: the customer participant is disconnected, so the agent's side ends.
// Never its own agents' messages or joins (they came from Connect: fan-out skips the leg events came in on).

/** Kinds in the external id map besides those of sessions.ts. */
export const REF = { message: 'message', delivered: 'receipt-delivered', read: 'receipt-read', sns: 'sns' } as const;

export class ConnectDesk extends VendorDesk {
  readonly capabilities: Capabilities = { typing: true, receipts: true, parts: ['text', 'media'], maxMediaBytes: ATTACHMENT_MAX_BYTES };
  readonly api: ConnectApi;
  readonly sessions: Sessions;
  readonly webhooks: readonly Webhook[];
  readonly callBudgetMs: number;
  private readonly clients: { connect: ConnectClient; participant: ConnectParticipantClient };
  private readonly sealer: Started<Sealer>;
  /**
   * Contacts whose streaming this process just started and whose transcript has not been read yet: what
   * Connect posted before the stream was on (a flow's greeting, a fast agent) only shows up there.
   */
  private readonly unread = new Set<string>();

  constructor(
    id: string,
    readonly settings: ConnectSettings,
    readonly log: FastifyBaseLogger,
  ) {
    super(id);
    this.sealer = new Started(`${id} desk`);
    this.callBudgetMs = settings.totalTimeoutMs;
    const name = `connect:${id}`;
    const endpoints = connectEndpoints(settings);
    // The SDK's own retries are off: AwsCaller retries with Parley's rules. No credentials given: the SDK's
    // default provider chain (environment, profile, web identity, container or instance role).
    const common = {
      region: settings.region,
      maxAttempts: 1,
      requestHandler: { requestTimeout: settings.attemptTimeoutMs, connectionTimeout: Math.min(settings.attemptTimeoutMs, 3_000) },
      ...(settings.credentials ? { credentials: settings.credentials } : {}),
    };
    this.clients = {
      connect: new ConnectClient({ ...common, ...(endpoints.connect ? { endpoint: endpoints.connect } : {}) }),
      participant: new ConnectParticipantClient({ ...common, ...(endpoints.participant ? { endpoint: endpoints.participant } : {}) }),
    };
    // The event inspector's vendor traffic (src/vendor/aws-traffic.ts): every call, masked.
    traceAwsClient(this.clients.connect, name);
    traceAwsClient(this.clients.participant, name);
    const caller = new AwsCaller({ name, attemptTimeoutMs: settings.attemptTimeoutMs, totalTimeoutMs: settings.totalTimeoutMs, log });
    const burst = settings.connectBurst;
    this.api = new ConnectApi({
      ...this.clients,
      caller,
      connectBudget: new RateBudget({ name, limit: burst, windowMs: Math.ceil((burst / settings.connectRequestsPerSecond) * 1000) }),
      participantBudget: new RateBudget({ name: `${name}:participant`, limit: settings.participantRequestsPerSecond, windowMs: 1000 }),
      instanceId: settings.instanceId,
      contactFlowId: settings.contactFlowId,
      topicArn: settings.topicArn,
    });
    this.sessions = new Sessions(
      () => this.reports,
      () => this.sealer.get(),
    );
    this.webhooks = [connectWebhook(this)];
  }

  override start(runtime: AdapterRuntime): void {
    void super.start(runtime);
    this.sealer.set(new Sealer(runtime.config.tokenSigningKey, this.id));
  }

  override stop(): void {
    this.clients.connect.destroy();
    this.clients.participant.destroy();
  }

  // Not the channel's delivery failures: Connect has no way to tell its agent (no failed receipt).
  override wants(e: Pick<StoredEvent, 'kind' | 'author' | 'origin'>): boolean {
    if (e.kind === 'message' || e.kind === 'receipt') return e.origin === 'channel';
    return e.kind === 'conversation.ended' && e.origin !== 'desk';
  }

  async deliver(job: DeliveryJob, signal: AbortSignal): Promise<DeliveryOutcome> {
    const { event, conversation } = job;
    switch (event.kind) {
      case 'message':
        return this.deliverMessage(job, event, signal);
      case 'receipt':
        await this.confirmAgentMessages(conversation, event.receipt, event.through, signal);
        return { status: 'sent' };
      case 'conversation.ended':
        await this.disconnectCustomer(conversation, signal);
        return { status: 'sent' };
      default:
        return { status: 'sent' };
    }
  }

  private async deliverMessage(job: DeliveryJob, event: Extract<StoredEvent, { kind: 'message' }>, signal: AbortSignal): Promise<DeliveryOutcome> {
    const { conversation } = job;
    const out = toOutgoing(event.parts);
    if (!out.texts.length && !out.media.length) throw new ParleyError('DELIVERY_REJECTED', 'Nothing in this message can be sent to Amazon Connect.');
    const ids: string[] = [];
    // The first text of a conversation's first message goes as the chat's InitialMessage.
    const { record } = await this.ensureChat(conversation, job.contact, { initialMessage: out.texts[0], eventId: event.id }, signal);
    // Connected at once (ConnectParticipant), even when the InitialMessage was all there was to send: that
    // is what lets the contact flow go on with the customer present.
    await this.connection(conversation, job.contact, signal, false);
    const texts = record.initialEventId === event.id ? out.texts.slice(1) : out.texts;
    for (const [i, text] of texts.entries()) {
      // One ClientToken per piece, from the event id: a resend of this delivery is dropped by Connect.
      const id = await this.withConnection(conversation, job.contact, (token) => this.api.sendMessage(token, { contentType: 'text/plain', content: text, clientToken: `${event.id}:${i}`, signal }), signal);
      ids.push(id);
      await this.reports.link(REF.message, id, event.id);
    }
    for (const [i, media] of out.media.entries()) {
      const sent = await this.sendMedia(conversation, job.contact, media, `${event.id}:m${i}`, signal);
      if (sent) ids.push(sent);
    }
    return { status: 'sent', ...(ids[0] ? { externalId: ids[0] } : {}) };
  }

  /** A customer's file as a Connect attachment; a type or size Connect refuses goes as a text naming the file. */
  private async sendMedia(c: Conversation, contact: Contact | undefined, media: Extract<StoredEvent, { kind: 'message' }>['parts'][number] & { type: 'media' }, clientToken: string, signal: AbortSignal): Promise<string | undefined> {
    const mime = media.mime ?? 'application/octet-stream';
    const name = media.name ?? 'attachment';
    const blob = ATTACHMENT_TYPES.has(mime) && (media.size ?? 0) <= ATTACHMENT_MAX_BYTES ? await this.rt.blobs.get(media.mediaId) : undefined;
    if (!blob) {
      const text = `[attachment: ${name}] ${this.rt.signer.url(media.mediaId)}`.slice(0, 1024);
      return this.withConnection(c, contact, (token) => this.api.sendMessage(token, { contentType: 'text/plain', content: text, clientToken, signal }), signal);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of blob.stream as AsyncIterable<Buffer>) chunks.push(chunk);
    const bytes = Buffer.concat(chunks);
    return this.withConnection(c, contact, (token) => this.api.attach(token, { name, contentType: mime, bytes, clientToken, signal }), signal);
  }

  /** Read and delivered events for the agent messages the customer's side now has (through `through`), each once per level. */
  private async confirmAgentMessages(c: Conversation, level: 'delivered' | 'read', through: number, signal: AbortSignal): Promise<void> {
    const contact = await this.sessions.contact(c.id);
    if (!contact) return;
    const kind = level === 'read' ? REF.read : REF.delivered;
    for await (const { eventId, vendorId: connectId } of this.reports.unconfirmedAgentMessages(c.id, through, { message: REF.message, receipt: kind })) {
      try {
        await this.withConnection(
          c,
          undefined,
          (token) => this.api.sendEvent(token, { contentType: level === 'read' ? EVENT_TYPES.read : EVENT_TYPES.delivered, content: JSON.stringify({ messageId: connectId }), clientToken: `${level}:${connectId}`, signal }),
          signal,
          { startNew: false },
        );
      } catch (e) {
        // The chat ended at Connect before Parley heard of it (its chat.ended is on its way): the agent is gone,
        // so there is nobody left to show the tick to. Not a failed delivery.
        if (awsErrorName(e) === 'AccessDeniedException') return;
        throw e;
      }
      await this.reports.link(kind, connectId, eventId);
    }
  }

  /** The customer (or Parley) ended: DisconnectParticipant, so the agent's side ends too. Already gone: done. */
  private async disconnectCustomer(c: Conversation, signal: AbortSignal): Promise<void> {
    if (!(await this.sessions.contact(c.id))) return; // Connect never heard of it
    try {
      await this.withConnection(c, undefined, (token) => this.api.disconnect(token, `end:${c.id}`, signal), signal, { startNew: false });
    } catch (e) {
      if (awsErrorName(e) === 'AccessDeniedException') return; // the chat had already ended at Connect
      throw e;
    }
  }

  async signal(job: SignalJob): Promise<void> {
    const { signal, conversation } = job;
    if (signal.type !== 'typing' || !signal.typing || conversation.phase === 'ended') return;
    const contact = await this.sessions.contact(conversation.id);
    if (!contact) return; // no chat yet: the first message makes one
    await this.withConnection(conversation, undefined, (token) => this.api.sendEvent(token, { contentType: EVENT_TYPES.typing, clientToken: `typing:${conversation.id}:${Date.now()}` }), undefined, { startNew: false });
  }

  /**
   * The conversation's chat, started if it has none (StartChatContact), and streaming to the topic. The record's `initialEventId` names the event whose first text went as the InitialMessage.
   */
  async ensureChat(c: Conversation, contact: Contact | undefined, first: { initialMessage?: string | undefined; eventId?: string }, signal?: AbortSignal, generation?: number): Promise<{ record: ContactRecord }> {
    return this.sessions.exclusive(c.id, async () => {
      let record = await this.sessions.contact(c.id);
      if (!record || (generation !== undefined && record.generation < generation)) {
        const next = generation ?? 0;
        const started = await this.api.startChat({
          clientToken: `parley:${c.id}:${next}`,
          displayName: (contact?.name ?? '').trim().slice(0, 256) || this.settings.customerName,
          attributes: this.attributesOf(c, contact),
          initialMessage: first.initialMessage,
          supportedContentTypes: this.settings.supportedContentTypes,
          chatDurationMinutes: this.settings.chatDurationMinutes,
          ...(signal ? { signal } : {}),
        });
        record = { ...started, generation: next, ...(first.initialMessage !== undefined && first.eventId ? { initialEventId: first.eventId } : {}) };
        await this.sessions.saveContact(c.id, record);
      }
      if (!(await this.sessions.streaming(record.contactId))) {
        const streamingId = await this.api.startStreaming(record.contactId, signal);
        await this.sessions.saveStreaming(record.contactId, streamingId);
        this.unread.add(record.contactId);
      }
      return { record };
    });
  }

  /** Contact attributes the contact flow can route on (strings only, as Connect requires). */
  private attributesOf(c: Conversation, contact: Contact | undefined): Record<string, string> {
    const ctx = c.context;
    const attrs: Record<string, string | undefined> = {
      parleyConversationId: c.id,
      parleyContactId: c.contactId,
      parleyChannel: c.channel,
      customerName: contact?.name ?? undefined,
      customerEmail: contact?.email ?? undefined,
      customerVerified: contact ? String(contact.verified) : undefined,
      entryPoint: typeof ctx.entryPoint === 'string' ? ctx.entryPoint : undefined,
      deskQueue: typeof ctx.deskQueue === 'string' ? ctx.deskQueue : undefined,
    };
    return Object.fromEntries(Object.entries(attrs).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].length > 0));
  }

  /**
   * Runs a Participant Service call with a live connection token: renewed ahead of expiry, and once more when
   * Connect refuses it (403). When the participant token is refused as well, the chat is over at Connect:
   * with `startNew` (customer messages) a new contact is started and the call made there; otherwise the
   * refusal stands.
   */
  async withConnection<T>(c: Conversation, contact: Contact | undefined, call: (token: string) => Promise<T>, signal?: AbortSignal, opts: { startNew?: boolean } = {}): Promise<T> {
    const conn = await this.connection(c, contact, signal, false);
    try {
      return await call(conn.token);
    } catch (e) {
      if (awsErrorName(e) !== 'AccessDeniedException') throw e;
    }
    let fresh: ConnectionRecord;
    try {
      fresh = await this.connection(c, contact, signal, true);
    } catch (e) {
      if (awsErrorName(e) !== 'AccessDeniedException' || opts.startNew === false) throw e;
      const old = await this.sessions.contact(c.id);
      this.log.info({ desk: this.id, conversationId: c.id }, 'the Amazon Connect chat has ended; starting a new contact');
      await this.ensureChat(c, contact, {}, signal, (old?.generation ?? 0) + 1);
      fresh = await this.connection(c, contact, signal, false);
    }
    return call(fresh.token);
  }

  /** The current connection, made or renewed when missing, near expiry, or `renew`. */
  private async connection(c: Conversation, contact: Contact | undefined, signal: AbortSignal | undefined, renew: boolean): Promise<ConnectionRecord> {
    const conn = await this.sessions.exclusive(`${c.id}:connection`, async () => {
      const record = (await this.sessions.contact(c.id)) ?? (await this.ensureChat(c, contact, {}, signal)).record;
      const current = await this.sessions.connection(c.id, record.contactId);
      if (current && !renew && current.expiresAt - Date.now() > this.settings.refreshBeforeMs) return current;
      const made = await this.api.connectParticipant(record.participantToken, signal);
      const next: ConnectionRecord = { contactId: record.contactId, token: made.token, expiresAt: made.expiresAt };
      await this.sessions.saveConnection(c.id, next);
      return next;
    });
    // Outside the lock: reporting an agent's file fetches it through this same connection.
    if (this.unread.delete(conn.contactId)) await this.readMissed(c, conn, signal);
    return conn;
  }

  /**
   * Once per chat start: the transcript, reported like stream items (same keys, so what the stream brings too
   * is stored once). Best effort — the stream goes on either way, so a failure is a warning, not a failed delivery.
   */
  private async readMissed(c: Conversation, conn: ConnectionRecord, signal: AbortSignal | undefined): Promise<void> {
    try {
      const items = await this.api.transcript(conn.token, signal);
      for (const raw of items) {
        const item = StreamItem.safeParse({ ...raw, InitialContactId: conn.contactId });
        // GetTranscript with the customer's connection shows only what the customer may see.
        if (item.success) await reportItem(this, item.data, 'CUSTOMER', 'transcript');
      }
    } catch (e) {
      this.log.warn({ desk: this.id, conversationId: c.id, err: e }, 'reading the Amazon Connect transcript failed; messages sent before streaming started may be missing');
    }
  }
}

export const connectType = adapterType({
  type: 'connect',
  side: 'desk',
  settings: ConnectSettings,
  create: ({ name, settings }, deps) => new ConnectDesk(name, settings, deps.log),
});
