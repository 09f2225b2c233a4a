// The Genesys control API, /__control/genesys/…: play the agent (accept, type, reply with text, an
// image or a QR code, transfer, end), inspect conversations, change the integration and the live
// settings, expire tokens, set queue estimates and agents' on-queue state. JSON in, JSON out; the
// agent page is a client of exactly these routes.
import { z } from 'zod';
import { controlAction, controlBody, controlNotFound, vendorControlRoute, json, noContent, type ControlDoc, type Route } from '../kit/index.js';
import type { Settings } from './config.js';
import { DeskError, type Desk } from './desk.js';
import type { Notifications } from './notifications.js';
import { connectedAgent, customerParticipant, phaseOf, type Conversation, type Store } from './state.js';

export const GENESYS_CONTROL_DOCS: ControlDoc[] = [
  { method: 'GET', path: '/__control/genesys/conversations', does: 'conversations, newest first, with participants and messages' },
  { method: 'GET', path: '/__control/genesys/conversations/:id', does: 'one conversation' },
  { method: 'POST', path: '/__control/genesys/conversations/:id/accept', does: 'the agent takes a waiting conversation {agentId?}' },
  { method: 'POST', path: '/__control/genesys/conversations/:id/typing', does: 'the agent is typing (webhook Event/Typing)' },
  { method: 'POST', path: '/__control/genesys/conversations/:id/reply', does: 'the agent sends {text?, image?: true|{url,mime,filename}, qr?: "text"}' },
  { method: 'POST', path: '/__control/genesys/conversations/:id/transfer', does: 'to {queueId} (waits again) or {agentId}' },
  { method: 'POST', path: '/__control/genesys/conversations/:id/end', does: 'the agent ends the interaction (notifications report the disconnect)' },
  { method: 'GET', path: '/__control/genesys/settings', does: 'live settings' },
  { method: 'PATCH', path: '/__control/genesys/settings', does: '{tokenTtlSeconds, rateLimitPerMinute, webhook:{timeoutMs,delayMs,maxRetries}, inboundReceipts, heartbeatMs, maxInboundTextLength, secondsPerWaitingConversation}' },
  { method: 'GET', path: '/__control/genesys/integrations', does: 'Open Messaging integrations (with secrets)' },
  { method: 'PATCH', path: '/__control/genesys/integrations/:id', does: '{webhookUrl?, secret?, webhookHeaders?, name?}' },
  { method: 'POST', path: '/__control/genesys/tokens/expire', does: 'expire every issued token, or {token}' },
  { method: 'GET', path: '/__control/genesys/queues', does: 'queues with waiting conversations and estimates' },
  { method: 'PATCH', path: '/__control/genesys/queues/:id', does: '{estimatedWaitSeconds: number|null} (null: computed)' },
  { method: 'GET', path: '/__control/genesys/agents', does: 'agents with routing status' },
  { method: 'PATCH', path: '/__control/genesys/agents/:id', does: '{onQueue: boolean}' },
  { method: 'GET', path: '/__control/genesys/notifications', does: 'notification channels, topics, open sockets' },
  { method: 'GET', path: '/agent', does: 'the agent page (HTML)' },
];

const Reply = z.object({
  text: z.string().optional(),
  image: z.union([z.literal(true), z.object({ url: z.url().optional(), mime: z.string().optional(), filename: z.string().optional() })]).optional(),
  qr: z.string().min(1).optional(),
});
const SettingsPatch = z.object({
  tokenTtlSeconds: z.number().int().positive().optional(),
  rateLimitPerMinute: z.number().int().positive().optional(),
  webhook: z.object({ timeoutMs: z.number().int().positive(), delayMs: z.number().int().min(0), maxRetries: z.number().int().min(0) }).partial().optional(),
  inboundReceipts: z.boolean().optional(),
  heartbeatMs: z.number().int().positive().optional(),
  maxInboundTextLength: z.number().int().positive().optional(),
  secondsPerWaitingConversation: z.number().min(0).optional(),
});
const IntegrationPatch = z.object({
  webhookUrl: z.union([z.url(), z.literal('')]).optional(),
  secret: z.string().min(1).optional(),
  webhookHeaders: z.record(z.string(), z.string()).optional(),
  name: z.string().min(1).optional(),
});

export function conversationSummary(store: Store, c: Conversation): Record<string, unknown> {
  const agent = connectedAgent(c);
  const acd = c.participants.filter((p) => p.purpose === 'acd').at(-1);
  return {
    id: c.id,
    phase: phaseOf(c),
    integrationId: c.integrationId,
    customer: c.customer,
    customerParticipantId: customerParticipant(c)?.id,
    queue: acd?.queueId ? { id: acd.queueId, name: store.queues.get(acd.queueId)?.name } : null,
    agent: agent ? { id: agent.userId, name: agent.name, participantId: agent.id } : null,
    customerTyping: (c.customerTypingUntil ?? 0) > Date.now(),
    startTime: c.startTime,
    endTime: c.endTime ?? null,
    participants: c.participants,
    messages: c.messages,
  };
}

export function genesysControlRoutes(deps: { store: Store; settings: Settings; desk: Desk; notifications: Notifications }): Route[] {
  const { store, settings, desk, notifications } = deps;
  const r = vendorControlRoute('genesys');
  const act = <T>(op: () => T): T => controlAction(op, DeskError);
  const summary = (c: Conversation) => conversationSummary(store, c);

  return [
    r('GET', '/conversations', () =>
      json(200, { conversations: [...store.conversations.values()].sort((a, b) => b.startTime.localeCompare(a.startTime)).map(summary) }),
    ),
    r('GET', '/conversations/:id', (ctx) => json(200, summary(act(() => desk.get(ctx.params.id!))))),
    r('POST', '/conversations/:id/accept', (ctx) => {
      const body = controlBody(ctx, z.object({ agentId: z.string().optional() }));
      return json(200, summary(act(() => desk.accept(ctx.params.id!, body.agentId))));
    }),
    r('POST', '/conversations/:id/typing', (ctx) => {
      act(() => desk.agentTyping(ctx.params.id!));
      return noContent();
    }),
    r('POST', '/conversations/:id/reply', (ctx) => {
      const body = controlBody(ctx, Reply);
      const image = body.image === true ? {} : body.image;
      const message = act(() =>
        desk.agentReply(ctx.params.id!, {
          ...(body.text !== undefined ? { text: body.text } : {}),
          ...(image ? { image: { ...(image.url ? { url: image.url } : {}), ...(image.mime ? { mime: image.mime } : {}), ...(image.filename ? { filename: image.filename } : {}) } } : {}),
          ...(body.qr !== undefined ? { qr: body.qr } : {}),
        }),
      );
      return json(201, message);
    }),
    r('POST', '/conversations/:id/transfer', (ctx) => {
      const body = controlBody(ctx, z.object({ queueId: z.string().optional(), agentId: z.string().optional() }));
      const to = { ...(body.queueId ? { queueId: body.queueId } : {}), ...(body.agentId ? { agentId: body.agentId } : {}) };
      return json(200, summary(act(() => desk.transfer(ctx.params.id!, to))));
    }),
    r('POST', '/conversations/:id/end', (ctx) => json(200, summary(act(() => desk.agentEnd(ctx.params.id!))))),

    r('GET', '/settings', () => json(200, settings)),
    r('PATCH', '/settings', (ctx) => {
      const body = controlBody(ctx, SettingsPatch);
      const { webhook, ...rest } = body;
      for (const [k, v] of Object.entries(rest)) if (v !== undefined) (settings as unknown as Record<string, unknown>)[k] = v;
      if (webhook) for (const [k, v] of Object.entries(webhook)) if (v !== undefined) (settings.webhook as unknown as Record<string, number>)[k] = v;
      if (body.heartbeatMs !== undefined) notifications.restartHeartbeat();
      return json(200, settings);
    }),

    r('GET', '/integrations', () => json(200, { integrations: [...store.integrations.values()] })),
    r('PATCH', '/integrations/:id', (ctx) => {
      const integration = store.integrations.get(ctx.params.id!);
      if (!integration) throw controlNotFound('integration');
      const body = controlBody(ctx, IntegrationPatch);
      if (body.webhookUrl !== undefined) integration.outboundNotificationWebhookUrl = body.webhookUrl;
      if (body.secret !== undefined) integration.outboundNotificationWebhookSignatureSecretToken = body.secret;
      if (body.webhookHeaders !== undefined) integration.webhookHeaders = body.webhookHeaders;
      if (body.name !== undefined) integration.name = body.name;
      return json(200, integration);
    }),

    r('POST', '/tokens/expire', (ctx) => {
      const body = controlBody(ctx, z.object({ token: z.string().optional() }));
      let expired = 0;
      for (const t of store.tokens.values()) {
        if (body.token && t.token !== body.token) continue;
        t.expiresAt = 0;
        expired++;
      }
      return json(200, { expired });
    }),

    r('GET', '/queues', () =>
      json(200, {
        queues: [...store.queues.values()].map((q) => ({ ...q, waiting: store.waitingIn(q.id).map((c) => c.id), default: q.id === store.defaultQueueId })),
      }),
    ),
    r('PATCH', '/queues/:id', (ctx) => {
      const queue = store.queues.get(ctx.params.id!);
      if (!queue) throw controlNotFound('queue');
      const body = controlBody(ctx, z.object({ estimatedWaitSeconds: z.number().int().min(0).nullable() }));
      if (body.estimatedWaitSeconds === null) delete queue.estimatedWaitSeconds;
      else queue.estimatedWaitSeconds = body.estimatedWaitSeconds;
      return json(200, queue);
    }),

    r('GET', '/agents', () => json(200, { agents: [...store.agents.values()].map((a) => ({ ...a, routingStatus: store.routingStatus(a) })) })),
    r('PATCH', '/agents/:id', (ctx) => {
      const agent = store.agents.get(ctx.params.id!);
      if (!agent) throw controlNotFound('agent');
      agent.onQueue = controlBody(ctx, z.object({ onQueue: z.boolean() })).onQueue;
      return json(200, { ...agent, routingStatus: store.routingStatus(agent) });
    }),

    r('GET', '/notifications', () => json(200, { channels: notifications.list() })),
  ];
}
