// The Connect control API, /__control/connect/…: play the agent (accept, type, reply, send a file, read,
// transfer, end), inspect contacts, subscribe endpoints to the streaming topics (what a user does in the SNS
// console), have SNS deliver a notification again, expire connection tokens, change live settings. JSON in,
// JSON out; the agent page is a client of exactly these routes.
import { z } from 'zod';
import { controlAction, controlBody, controlNotFound, vendorControlRoute, json, noContent, type ControlDoc, type Route } from '../kit/index.js';
import type { Settings } from './config.js';
import { DeskError, type Desk } from './desk.js';
import { currentAgent, type Chat, type Store } from './state.js';
import { Streaming } from './streaming.js';

export const CONNECT_CONTROL_DOCS: ControlDoc[] = [
  { method: 'GET', path: '/__control/connect/contacts', does: 'chat contacts, newest first, with participants and transcript' },
  { method: 'GET', path: '/__control/connect/contacts/:id', does: 'one contact (initial or current contact id)' },
  { method: 'POST', path: '/__control/connect/contacts/:id/accept', does: 'an agent takes the waiting chat {agentId?}' },
  { method: 'POST', path: '/__control/connect/contacts/:id/typing', does: 'the agent is typing' },
  { method: 'POST', path: '/__control/connect/contacts/:id/reply', does: 'the agent sends {text, contentType?: text/plain|text/markdown, visibility?: ALL|AGENT|CUSTOMER}' },
  { method: 'POST', path: '/__control/connect/contacts/:id/file', does: 'the agent sends a file {name?, contentType?, base64?} (default: a PNG)' },
  { method: 'POST', path: '/__control/connect/contacts/:id/read', does: 'the agent reads every customer message (message.read events)' },
  { method: 'POST', path: '/__control/connect/contacts/:id/transfer', does: 'to {queueId?} (the other queue by default); the chat waits again with a new ContactId' },
  { method: 'POST', path: '/__control/connect/contacts/:id/end', does: 'the agent disconnects; the chat ends' },
  { method: 'GET', path: '/__control/connect/topics', does: 'SNS topics with confirmed subscriptions and deliveries' },
  { method: 'POST', path: '/__control/connect/topics/:name/subscribe', does: 'subscribe {endpoint} (sends a signed SubscriptionConfirmation)' },
  { method: 'POST', path: '/__control/connect/topics/:name/redeliver', does: 'SNS delivers {messageId} again, byte for byte' },
  { method: 'POST', path: '/__control/connect/tokens/expire', does: 'expire every connection token, or {token}' },
  { method: 'GET', path: '/__control/connect/settings', does: 'live settings' },
  { method: 'PATCH', path: '/__control/connect/settings', does: '{connectionTokenTtlSeconds?, maxTextLength?}' },
  { method: 'GET', path: '/agent', does: 'the agent page (HTML)' },
];

export function contactSummary(c: Chat, queues: { id: string; name: string }[]): Record<string, unknown> {
  const agent = currentAgent(c);
  return {
    initialContactId: c.initialContactId,
    contactId: c.contactId,
    contactIds: c.contactIds,
    state: c.state,
    customer: c.customer,
    customerConnected: c.customerConnected,
    customerTyping: (c.customerTypingUntil ?? 0) > Date.now(),
    attributes: c.attributes,
    supportedContentTypes: c.supportedContentTypes,
    queue: queues.find((q) => q.id === c.queueId) ?? null,
    agent: agent ? { id: agent.agentId, name: agent.displayName, participantId: agent.id } : null,
    agents: c.agents,
    streams: c.streams,
    startedAt: c.startedAt,
    endedAt: c.endedAt ?? null,
    items: c.items,
  };
}

const ReplyBody = z.object({ text: z.string().min(1), contentType: z.enum(['text/plain', 'text/markdown']).optional(), visibility: z.enum(['ALL', 'AGENT', 'CUSTOMER']).optional() });
const FileBody = z.object({ name: z.string().min(1).max(256).optional(), contentType: z.string().min(1).optional(), base64: z.string().optional() });

export function connectControlRoutes(deps: { store: Store; settings: Settings; desk: Desk; streaming: Streaming }): Route[] {
  const { store, settings, desk, streaming } = deps;
  const queues = desk.config.queues;
  const r = vendorControlRoute('connect');
  const act = <T>(op: () => T): T => controlAction(op, DeskError);
  const summary = (c: Chat) => contactSummary(c, queues);
  const topicByName = (name: string) => {
    const topic = streaming.topics.get(streaming.arnOf(name));
    if (!topic) throw controlNotFound('topic');
    return topic;
  };
  return [
    r('GET', '/contacts', () => json(200, { contacts: store.newest().map(summary) })),
    r('GET', '/contacts/:id', (ctx) => json(200, summary(act(() => desk.get(ctx.params.id!))))),
    r('POST', '/contacts/:id/accept', (ctx) => {
      const b = controlBody(ctx, z.object({ agentId: z.string().optional() }));
      return json(200, summary(act(() => desk.accept(ctx.params.id!, b.agentId))));
    }),
    r('POST', '/contacts/:id/typing', (ctx) => {
      act(() => desk.agentTyping(ctx.params.id!));
      return noContent();
    }),
    r('POST', '/contacts/:id/reply', (ctx) => {
      const b = controlBody(ctx, ReplyBody);
      return json(201, Streaming.payload(act(() => desk.agentReply(ctx.params.id!, { text: b.text, ...(b.contentType ? { contentType: b.contentType } : {}), ...(b.visibility ? { visibility: b.visibility } : {}) }))));
    }),
    r('POST', '/contacts/:id/file', (ctx) => {
      const b = controlBody(ctx, FileBody);
      const file = { ...(b.name ? { name: b.name } : {}), ...(b.contentType ? { contentType: b.contentType } : {}), ...(b.base64 ? { bytes: Buffer.from(b.base64, 'base64') } : {}) };
      return json(201, Streaming.payload(act(() => desk.agentFile(ctx.params.id!, file))));
    }),
    r('POST', '/contacts/:id/read', (ctx) => json(200, { read: act(() => desk.agentRead(ctx.params.id!)) })),
    r('POST', '/contacts/:id/transfer', (ctx) => {
      const b = controlBody(ctx, z.object({ queueId: z.string().optional() }));
      return json(200, summary(act(() => desk.transfer(ctx.params.id!, b.queueId))));
    }),
    r('POST', '/contacts/:id/end', (ctx) => json(200, summary(act(() => desk.agentEnd(ctx.params.id!))))),

    r('GET', '/topics', () =>
      json(200, {
        topics: [...streaming.topics.values()].map((t) => ({ topicArn: t.topicArn, name: t.name, confirmed: t.confirmed(), certFetches: t.certFetches, deliveries: t.deliveries() })),
      }),
    ),
    r('POST', '/topics/:name/subscribe', async (ctx) => {
      const b = controlBody(ctx, z.object({ endpoint: z.url() }));
      const topic = topicByName(ctx.params.name!);
      await topic.subscribe(b.endpoint);
      return json(200, { topicArn: topic.topicArn, confirmed: topic.confirmed().includes(b.endpoint) });
    }),
    r('POST', '/topics/:name/redeliver', (ctx) => {
      const b = controlBody(ctx, z.object({ messageId: z.string().min(1) }));
      topicByName(ctx.params.name!).redeliver(b.messageId);
      return noContent(202);
    }),

    r('POST', '/tokens/expire', (ctx) => {
      const b = controlBody(ctx, z.object({ token: z.string().optional() }));
      let expired = 0;
      for (const c of store.connections.values()) {
        if (b.token && c.token !== b.token) continue;
        c.expiresAt = 0;
        expired++;
      }
      return json(200, { expired });
    }),
    r('GET', '/settings', () => json(200, settings)),
    r('PATCH', '/settings', (ctx) => {
      const b = controlBody(ctx, z.object({ connectionTokenTtlSeconds: z.number().int().positive().optional(), maxTextLength: z.number().int().positive().optional() }));
      if (b.connectionTokenTtlSeconds !== undefined) settings.connectionTokenTtlSeconds = b.connectionTokenTtlSeconds;
      if (b.maxTextLength !== undefined) settings.maxTextLength = b.maxTextLength;
      return json(200, settings);
    }),
  ];
}
