import { z } from 'zod';
import type { VendorHttp } from '../../vendor/http-client.js';
import { vendorPath } from '../../vendor/path.js';
import { InboundAccepted, MessageConversation } from './payloads.js';
import type { InboundContent } from './parts.js';

// Parley → Genesys: the Open Messaging inbound endpoints (vendor-protocols §1.3) and the few other calls
// the desk makes (disconnect, agentless, queue figures). Every call goes through the instance's VendorHttp:
// its token (401 → refresh once), its rate budget, retries with Retry-After, errors in the dispatcher's
// vocabulary.
//
// Inbound sends are not marked idempotent: Genesys documents no de-duplication of `channel.messageId`, so
// VendorHttp resends one only when Genesys provably did not act (429, a refused connection); anything
// else goes back to the dispatcher, whose at-least-once resend carries the same messageId (the Parley
// event id), so a rare duplicate is at least recognisable on Genesys's side.

/** The customer as Genesys knows them: `channel.from` (OpenMessagingFromRecipient). */
export interface GenesysCustomer {
  id: string;
  nickname?: string | undefined;
}

const from = (c: GenesysCustomer) => ({ id: c.id, idType: 'Opaque', ...(c.nickname ? { nickname: c.nickname } : {}) });

export class GenesysApi {
  constructor(
    private readonly http: VendorHttp,
    private readonly integrationId: string,
  ) {}

  private inbound(kind: string): string {
    return vendorPath`/api/v2/conversations/messages/${this.integrationId}/inbound/open/` + kind;
  }

  /** A customer's text and attachments; returns Genesys's message id and conversation id. */
  async message(r: { customer: GenesysCustomer; messageId: string; time: string; content: InboundContent; signal?: AbortSignal }): Promise<{ id: string; conversationId?: string | undefined }> {
    const res = await this.http.request({
      method: 'POST',
      path: this.inbound('message'),
      query: { prefetchConversationId: true },
      json: { channel: { messageId: r.messageId, time: r.time, from: from(r.customer) }, ...r.content },
      schema: InboundAccepted,
      operation: 'inboundMessage',
      ...(r.signal ? { signal: r.signal } : {}),
    });
    return { id: res.body.id, conversationId: res.body.conversationId };
  }

  /** A quick-reply or button answer (OpenInboundStructuredResponseMessage). */
  async structuredResponse(r: {
    customer: GenesysCustomer;
    messageId: string;
    time: string;
    originatingMessageId: string;
    button: { type: 'QuickReply' | 'Button'; text: string; payload: string };
    signal?: AbortSignal;
  }): Promise<{ id: string; conversationId?: string | undefined }> {
    const res = await this.http.request({
      method: 'POST',
      path: this.inbound('structured/response'),
      json: { channel: { messageId: r.messageId, time: r.time, from: from(r.customer) }, buttonResponse: r.button, originatingMessageId: r.originatingMessageId },
      schema: InboundAccepted,
      operation: 'inboundStructuredResponse',
      ...(r.signal ? { signal: r.signal } : {}),
    });
    return { id: res.body.id, conversationId: res.body.conversationId };
  }

  /** The customer is typing (Genesys knows only "On", with a duration). */
  async typing(r: { customer: GenesysCustomer; durationMs?: number; signal?: AbortSignal }): Promise<void> {
    await this.http.request({
      method: 'POST',
      path: this.inbound('event'),
      json: { channel: { from: from(r.customer), time: new Date().toISOString() }, events: [{ eventType: 'Typing', typing: { type: 'On', duration: r.durationMs ?? 5000 } }] },
      operation: 'inboundEvent',
      ...(r.signal ? { signal: r.signal } : {}),
    });
  }

  /** The customer's channel confirmed (Delivered) or gave up on (Failed) an agent message. */
  async receipt(r: { customerId: string; genesysMessageId: string; status: 'Delivered' | 'Failed'; reason?: { code: string; message: string }; signal?: AbortSignal }): Promise<void> {
    await this.http.request({
      method: 'POST',
      path: this.inbound('receipt'),
      json: {
        id: r.genesysMessageId,
        channel: { to: { id: r.customerId, idType: 'Opaque' }, time: new Date().toISOString() },
        status: r.status,
        isFinalReceipt: true,
        ...(r.reason ? { reasons: [r.reason] } : {}),
      },
      // A receipt repeated is harmless: the status is the same.
      idempotent: true,
      operation: 'inboundReceipt',
      ...(r.signal ? { signal: r.signal } : {}),
    });
  }

  async conversation(conversationId: string, signal?: AbortSignal): Promise<MessageConversation> {
    const res = await this.http.get(vendorPath`/api/v2/conversations/messages/${conversationId}`, { schema: MessageConversation, operation: 'getMessageConversation', ...(signal ? { signal } : {}) });
    return res.body;
  }

  /** Disconnect one participant (MediaParticipantRequest `state: disconnected`). 404/409: already gone. */
  async disconnect(conversationId: string, participantId: string, signal?: AbortSignal): Promise<void> {
    await this.http.request({
      method: 'PATCH',
      path: vendorPath`/api/v2/conversations/messages/${conversationId}/participants/${participantId}`,
      json: { state: 'disconnected' },
      idempotent: true,
      accept: [404, 409],
      operation: 'disconnectParticipant',
      ...(signal ? { signal } : {}),
    });
  }

  /** Agentless outbound text (§1.4). */
  async agentless(r: { toAddress: string; textBody: string; useExistingActiveConversation?: boolean; signal?: AbortSignal }): Promise<{ id: string; conversationId?: string | undefined }> {
    const res = await this.http.request({
      method: 'POST',
      path: '/api/v2/conversations/messages/agentless',
      json: { fromAddress: this.integrationId, toAddress: r.toAddress, toAddressMessengerType: 'open', textBody: r.textBody, useExistingActiveConversation: r.useExistingActiveConversation ?? true },
      schema: InboundAccepted,
      operation: 'agentless',
      ...(r.signal ? { signal: r.signal } : {}),
    });
    return { id: res.body.id, conversationId: res.body.conversationId };
  }

  /** Agents on queue now (oOnQueueUsers) for one queue, from the queue observation query. */
  async onQueueAgents(queueId: string, signal?: AbortSignal): Promise<number | undefined> {
    const res = await this.http.request({
      method: 'POST',
      path: '/api/v2/analytics/queues/observations/query',
      json: { filter: { type: 'or', predicates: [{ dimension: 'queueId', value: queueId }] }, metrics: ['oOnQueueUsers'] },
      // A query reads; repeating it is harmless.
      idempotent: true,
      schema: ObservationResult,
      operation: 'queueObservations',
      ...(signal ? { signal } : {}),
    });
    let total: number | undefined;
    for (const r of res.body.results ?? []) {
      for (const d of r.data ?? []) {
        if (d.metric !== 'oOnQueueUsers') continue;
        // Qualifiers split on-queue users by routing status (IDLE, INTERACTING, …): all of them are on queue.
        total = (total ?? 0) + (d.stats?.count ?? 0);
      }
    }
    return total;
  }

  /** Genesys's estimate of the wait in a queue, seconds (for one conversation when its id is known). */
  async estimatedWait(queueId: string, conversationId?: string, signal?: AbortSignal): Promise<number | undefined> {
    const res = await this.http.get(vendorPath`/api/v2/routing/queues/${queueId}/estimatedwaittime`, {
      ...(conversationId ? { query: { conversationId } } : {}),
      schema: EstimatedWait,
      operation: 'estimatedWaitTime',
      ...(signal ? { signal } : {}),
    });
    const first = res.body.results?.find((r) => typeof r.estimatedWaitTimeSeconds === 'number');
    return first?.estimatedWaitTimeSeconds;
  }

  /** Every queue of the org (routing queues, paged; at most 10 pages of 100). */
  async queueIds(signal?: AbortSignal): Promise<string[]> {
    const ids: string[] = [];
    for (let page = 1; page <= 10; page++) {
      const res = await this.http.get('/api/v2/routing/queues', { query: { pageSize: 100, pageNumber: page }, schema: QueuePage, operation: 'listQueues', ...(signal ? { signal } : {}) });
      ids.push(...res.body.entities.map((q) => q.id));
      if (res.body.entities.length < 100 || (res.body.pageCount !== undefined && page >= res.body.pageCount)) break;
    }
    return ids;
  }

  // ---- Notifications API (end detection) ----

  async createChannel(signal?: AbortSignal): Promise<{ id: string; connectUri: string }> {
    const res = await this.http.request({ method: 'POST', path: '/api/v2/notifications/channels', json: {}, schema: NotificationChannel, operation: 'createNotificationChannel', ...(signal ? { signal } : {}) });
    return res.body;
  }

  async subscribe(channelId: string, topics: string[], signal?: AbortSignal): Promise<void> {
    await this.http.request({
      method: 'PUT',
      path: vendorPath`/api/v2/notifications/channels/${channelId}/subscriptions`,
      json: topics.map((id) => ({ id })),
      idempotent: true,
      operation: 'subscribeNotifications',
      ...(signal ? { signal } : {}),
    });
  }
}

const ObservationResult = z
  .object({
    results: z
      .array(
        z
          .object({
            data: z.array(z.object({ metric: z.string(), qualifier: z.string().optional(), stats: z.object({ count: z.number().optional() }).loose().optional() }).loose()).optional(),
          })
          .loose(),
      )
      .optional(),
  })
  .loose();

const EstimatedWait = z.object({ results: z.array(z.object({ estimatedWaitTimeSeconds: z.number().optional() }).loose()).optional() }).loose();

const NotificationChannel = z.object({ id: z.string().min(1), connectUri: z.string().min(1) }).loose();

const QueuePage = z.object({ entities: z.array(z.object({ id: z.string() }).loose()).default([]), pageCount: z.number().optional() }).loose();
