// Reading and ending conversations, and the Open Messaging integration admin API:
//   GET   /api/v2/conversations/messages/{conversationId}          (MessageConversation)
//   GET   /api/v2/conversations/{conversationId}                   (Conversation)
//   PATCH /api/v2/conversations/messages/{cid}/participants/{pid}  ({"state":"disconnected"}; SDK
//         patchConversationsMessageParticipant, MediaParticipantRequest)
//   POST  /api/v2/conversations/{conversationId}/disconnect
//   GET/POST/PATCH/DELETE /api/v2/conversations/messaging/integrations/open[/{integrationId}]
import { z } from 'zod';
import { json, noContent, type Route } from '../kit/index.js';
import { apiGuards } from './auth.js';
import type { Settings } from './config.js';
import type { Desk } from './desk.js';
import { badRequest, fail, notFound } from './errors.js';
import { viaDesk } from './inbound.js';
import { parseBody, ParticipantPatch } from './schemas.js';
import type { Integration, Store } from './state.js';
import { conversationView, messageConversationView } from './views.js';

const IntegrationRequest = z.object({
  name: z.string().min(1),
  outboundNotificationWebhookUrl: z.url(),
  outboundNotificationWebhookSignatureSecretToken: z.string().min(1),
  webhookHeaders: z.record(z.string(), z.string()).optional(),
});
const IntegrationUpdate = IntegrationRequest.partial().extend({ name: z.string().min(1) });

function integrationView(i: Integration): Record<string, unknown> {
  return {
    id: i.id,
    name: i.name,
    outboundNotificationWebhookUrl: i.outboundNotificationWebhookUrl,
    outboundNotificationWebhookSignatureSecretToken: i.outboundNotificationWebhookSignatureSecretToken,
    webhookHeaders: i.webhookHeaders,
    status: 'Active',
    createStatus: 'Completed',
    dateCreated: i.dateCreated,
    selfUri: `/api/v2/conversations/messaging/integrations/open/${i.id}`,
  };
}

export function conversationRoutes(store: Store, settings: Settings, desk: Desk): Route[] {
  const guards = apiGuards(store, settings);
  const bodyGuards = apiGuards(store, settings, true);
  const conversation = (id: string) => {
    const c = store.conversations.get(id);
    if (!c) throw notFound(`Conversation ${id} not found.`);
    return c;
  };
  const integration = (id: string): Integration => {
    const i = store.integrations.get(id);
    if (!i) throw notFound(`Open messaging integration ${id} not found.`);
    return i;
  };
  return [
    { method: 'GET', path: '/api/v2/conversations/messages/:conversationId', guards, handler: (ctx) => json(200, messageConversationView(conversation(ctx.params.conversationId!))) },
    { method: 'GET', path: '/api/v2/conversations/:conversationId', guards, handler: (ctx) => json(200, conversationView(conversation(ctx.params.conversationId!))) },
    {
      method: 'PATCH',
      path: '/api/v2/conversations/messages/:conversationId/participants/:participantId',
      guards: bodyGuards,
      handler: (ctx) => {
        const body = ctx.raw.length ? parseBody(ctx, ParticipantPatch) : {};
        if (body.state === undefined) return { status: 202 }; // nothing the emulator models changes
        if (body.state !== 'disconnected') throw fail(501, 'not.implemented', `The emulator only acts on state "disconnected", not "${body.state}".`);
        viaDesk(() => desk.disconnectParticipant(ctx.params.conversationId!, ctx.params.participantId!));
        return { status: 202 };
      },
    },
    {
      method: 'POST',
      path: '/api/v2/conversations/:conversationId/disconnect',
      guards,
      handler: (ctx) => {
        const c = conversation(ctx.params.conversationId!);
        const customer = c.participants.find((p) => p.purpose === 'customer');
        if (customer) viaDesk(() => desk.disconnectParticipant(c.id, customer.id));
        return { status: 202 };
      },
    },
    {
      method: 'GET',
      path: '/api/v2/conversations/messaging/integrations/open',
      guards,
      handler: () => {
        const entities = [...store.integrations.values()].map(integrationView);
        return json(200, { entities, pageSize: 25, pageNumber: 1, total: entities.length, pageCount: 1 });
      },
    },
    { method: 'GET', path: '/api/v2/conversations/messaging/integrations/open/:integrationId', guards, handler: (ctx) => json(200, integrationView(integration(ctx.params.integrationId!))) },
    {
      method: 'POST',
      path: '/api/v2/conversations/messaging/integrations/open',
      guards: bodyGuards,
      handler: (ctx) => {
        const body = parseBody(ctx, IntegrationRequest);
        const created = store.addIntegration({
          id: store.newIntegrationId(),
          name: body.name,
          outboundNotificationWebhookUrl: body.outboundNotificationWebhookUrl,
          outboundNotificationWebhookSignatureSecretToken: body.outboundNotificationWebhookSignatureSecretToken,
          webhookHeaders: body.webhookHeaders ?? {},
        });
        return json(200, integrationView(created));
      },
    },
    {
      method: 'PATCH',
      path: '/api/v2/conversations/messaging/integrations/open/:integrationId',
      guards: bodyGuards,
      handler: (ctx) => {
        const i = integration(ctx.params.integrationId!);
        const body = parseBody(ctx, IntegrationUpdate);
        i.name = body.name;
        if (body.outboundNotificationWebhookUrl !== undefined) i.outboundNotificationWebhookUrl = body.outboundNotificationWebhookUrl;
        if (body.outboundNotificationWebhookSignatureSecretToken !== undefined) i.outboundNotificationWebhookSignatureSecretToken = body.outboundNotificationWebhookSignatureSecretToken;
        if (body.webhookHeaders !== undefined) i.webhookHeaders = body.webhookHeaders;
        return json(200, integrationView(i));
      },
    },
    {
      method: 'DELETE',
      path: '/api/v2/conversations/messaging/integrations/open/:integrationId',
      guards,
      handler: (ctx) => {
        const i = integration(ctx.params.integrationId!);
        if ([...store.conversations.values()].some((c) => c.integrationId === i.id && !c.endTime)) {
          throw badRequest(`Integration ${i.id} has active conversations.`);
        }
        store.integrations.delete(i.id);
        return noContent();
      },
    },
  ];
}
