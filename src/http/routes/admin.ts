import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ParleyError } from '../../core/errors.js';
import { OFFER_TYPES, type Contact } from '../../core/model.js';
import { Part, partsOf } from '../../core/parts.js';
import { completeSetup, createAgent, createApiKey, createQueue, DEFAULT_QUEUE, updateAgent } from '../../hub/admin.js';
import { sendProactive } from '../../hub/proactive.js';
import { conversationById, eventsAfter } from '../../hub/reads.js';
import type { Tx } from '../../core/ports.js';
import { toAgent, toDelivery, toOffer, toQueue } from '../../store/rows.js';
import { newId, nowIso } from '../../store/tx.js';
import { holdsScopes, SCOPES, type Principal } from '../auth.js';
import { ContactRef, IdParam } from '../inputs.js';
import { presentConversation, presentEvent } from '../present.js';
import { routesFor } from '../route.js';
import type { Services } from '../services.js';
import { transcriptHtml } from '../transcript-html.js';

// The admin API: accounts, queues, API keys, offers, proactive messages, transcripts, deliveries.
// Callers are servers with a scoped API key, or admin agents.

const tags = ['admin'];

async function contactOf(tx: Tx, ref: ContactRef, create: boolean): Promise<Contact> {
  if ('contactId' in ref) {
    const c = await tx.getContact(ref.contactId);
    if (!c) throw new ParleyError('CONTACT_NOT_FOUND');
    return c;
  }
  const { channel, externalId } = ref.identity;
  if (!create) {
    const c = await tx.findContactByIdentity(channel, externalId);
    if (!c) throw new ParleyError('CONTACT_NOT_FOUND');
    return c;
  }
  return tx.ensureContactForIdentity(channel, externalId, { verified: false });
}

/** Admin-only actions inside a wider scope (agents:write may manage agents, not admins). */
function mustHold(p: Principal, what: string): void {
  if (!holdsScopes(p, ['admin'])) throw new ParleyError('FORBIDDEN', `Only an admin may ${what}.`);
}

export function adminRoutes(app: FastifyInstance, s: Services): void {
  const { hub } = s;
  const route = routesFor(app, s.authenticate);

  const AgentFields = {
    name: z.string().min(1).max(200),
    password: z.string().min(8).max(1000),
    role: z.enum(['agent', 'admin']),
    capacity: z.number().int().min(1).max(1000),
    queues: z.array(z.string().min(1)).max(50),
  };
  const AgentInput = z.object({
    email: z.string().email().max(320),
    ...AgentFields,
    role: AgentFields.role.default('agent'),
    capacity: AgentFields.capacity.default(5),
    queues: AgentFields.queues.optional(),
  });
  // No defaults here: a PATCH changes only the fields it names (a default would silently reset the rest).
  const AgentPatchInput = z
    .object({ ...AgentFields, disabled: z.boolean() })
    .partial()
    .strict();

  route({ method: 'POST', url: '/v1/admin/agents', operationId: 'createAgent', errors: ['QUEUE_NOT_FOUND', 'CONFLICT'], summary: 'Create an agent. Creating an admin needs the admin scope.', tags, auth: { scope: 'agents:write' }, status: 201, body: AgentInput }, async ({ body, principal }) => {
    if (body.role === 'admin') mustHold(principal, 'create an admin');
    return { agent: await createAgent(hub.db, body) };
  });

  route(
    {
      method: 'PATCH',
      url: '/v1/admin/agents/:id',
      operationId: 'updateAgent',
      errors: ['AGENT_NOT_FOUND', 'QUEUE_NOT_FOUND', 'LAST_ADMIN', 'CONFLICT'],
      summary: "Change an agent's name, role, capacity, queues, password or disabled state; only the fields given. Promoting, or changing an admin, needs the admin scope. Role, disabled and password changes apply at once to the agent's tokens and open streams.",
      tags,
      auth: { scope: 'agents:write' },
      params: IdParam,
      body: AgentPatchInput,
    },
    async ({ params, body, principal }) => {
      const target = await hub.tx((tx) => tx.getAgent(params.id));
      if (!target) throw new ParleyError('AGENT_NOT_FOUND');
      if (body.role === 'admin' || target.role === 'admin') mustHold(principal, body.role === 'admin' ? 'make an admin' : 'change an admin');
      const { authorityChanged } = await updateAgent(hub.db, params.id, body, hub.dialect);
      if (authorityChanged) hub.authorityChanged(params.id);
      return { agent: await hub.tx((tx) => tx.getAgent(params.id)) };
    },
  );

  route({ method: 'GET', url: '/v1/admin/agents', operationId: 'listAgents', summary: 'List agents.', tags, auth: { scope: 'agents:write' } }, async () => {
    const rows = await hub.db.selectFrom('agents').selectAll().orderBy('created_at').execute();
    const links = await hub.db.selectFrom('agent_queues').selectAll().execute();
    return { agents: rows.map((r) => ({ ...toAgent(r, links.filter((l) => l.agent_id === r.id).map((l) => l.queue_id)), online: hub.presence.isOnline(r.id) })) };
  });

  route(
    {
      method: 'POST',
      url: '/v1/admin/queues',
      operationId: 'createQueue',
      errors: ['CONFLICT'],
      summary: 'Create a queue: `manual` (agents accept) or `round_robin` (assigned automatically).',
      tags,
      auth: { scope: 'queues:write' },
      status: 201,
      body: z.object({ name: z.string().min(1).max(100).regex(/^[A-Za-z0-9 _.-]+$/), assignment: z.enum(['manual', 'round_robin']).default('round_robin') }),
    },
    async ({ body }) => ({ queue: await createQueue(hub.db, body) }),
  );

  route({ method: 'GET', url: '/v1/admin/queues', operationId: 'listQueues', summary: 'List queues with how many wait in each.', tags, auth: { scope: 'queues:write' } }, async () => {
    const rows = await hub.db.selectFrom('queues').selectAll().orderBy('created_at').execute();
    const waiting = await hub.db.selectFrom('conversations').select(['queue_id', (eb) => eb.fn.countAll<number>().as('n')]).where('phase', 'in', ['queued', 'transferring']).groupBy('queue_id').execute();
    return { queues: rows.map((r) => ({ ...toQueue(r), waiting: Number(waiting.find((w) => w.queue_id === r.id)?.n ?? 0) })) };
  });

  route(
    {
      method: 'POST',
      url: '/v1/admin/api-keys',
      operationId: 'createApiKey',
      summary: 'Create an API key. The key is shown once, in this response.',
      tags,
      auth: { scope: 'keys:write' },
      status: 201,
      body: z.object({ name: z.string().min(1).max(100), scopes: z.array(z.enum(SCOPES)).min(1).max(SCOPES.length) }),
    },
    async ({ body, principal }) => {
      // A key can hand out only what it holds: a keys:write key cannot mint an admin key.
      if (!holdsScopes(principal, body.scopes)) throw new ParleyError('FORBIDDEN', `You can grant only scopes you hold; asked for ${body.scopes.join(', ')}.`);
      return { apiKey: await createApiKey(hub.db, { name: body.name, scopes: [...new Set(body.scopes)] }) };
    },
  );

  route({ method: 'GET', url: '/v1/admin/api-keys', operationId: 'listApiKeys', summary: 'List API keys (never the secrets).', tags, auth: { scope: 'keys:write' } }, async () => {
    const rows = await hub.db.selectFrom('api_keys').select(['id', 'name', 'scopes', 'created_at', 'revoked_at']).orderBy('created_at').execute();
    return { apiKeys: rows.map((r) => ({ id: r.id, name: r.name, scopes: JSON.parse(r.scopes) as string[], createdAt: r.created_at, revokedAt: r.revoked_at })) };
  });

  route({ method: 'DELETE', url: '/v1/admin/api-keys/:id', operationId: 'revokeApiKey', errors: ['NOT_FOUND'], summary: 'Revoke an API key.', tags, auth: { scope: 'keys:write' }, params: IdParam }, async ({ params }) => {
    const r = await hub.db.updateTable('api_keys').set({ revoked_at: nowIso() }).where('id', '=', params.id).where('revoked_at', 'is', null).executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) throw new ParleyError('NOT_FOUND', 'No such active API key.');
    return { revoked: params.id };
  });

  route(
    {
      method: 'POST',
      url: '/v1/offers',
      operationId: 'createOffer',
      errors: ['CONTACT_NOT_FOUND'],
      summary: 'Push an offer (text, QR code, link or image) to a contact, live.',
      tags,
      auth: { scope: 'offers:write' },
      status: 201,
      body: z.intersection(ContactRef, z.object({ type: z.enum(OFFER_TYPES), content: z.string().min(1).max(4000), fromId: z.string().max(200).optional() })),
    },
    async ({ body }) => {
      if ((body.type === 'link' || body.type === 'image') && !/^https?:\/\//i.test(body.content)) {
        throw new ParleyError('VALIDATION', `A ${body.type} offer needs an http(s) URL as content.`);
      }
      // Find the contact first, then insert outside that transaction: a hub.db query inside hub.tx waits for
      // the connection the transaction holds, and SQLite has only one, so the request would hang forever.
      const contact = await hub.tx((tx) => contactOf(tx, body, false));
      const row = { id: newId('of'), contact_id: contact.id, type: body.type, content: body.content, from_id: body.fromId ?? null, created_at: nowIso(), acknowledged_at: null };
      await hub.db.insertInto('offers').values(row).execute();
      const offer = toOffer(row);
      hub.publishOffer(offer);
      return { offer };
    },
  );

  route(
    {
      method: 'POST',
      url: '/v1/messages/proactive',
      operationId: 'sendProactiveMessage',
      errors: ['CONTACT_NOT_FOUND', 'QUEUE_NOT_FOUND', 'IDEMPOTENCY_MISMATCH', 'CONFLICT', 'MESSAGE_TOO_LONG', 'PROACTIVE_UNSUPPORTED'],
      otherResponses: { 200: { description: 'A retry with the same key: the first result again, nothing new written.' } },
      summary:
        "The business starts (or continues) a conversation with a contact, without an agent. It opens where the contact's first message would: the web channel's route, by `entryPoint` when given. " +
        'On the inbox a customer reply queues it (in `queue`, else the route\'s). On a vendor desk (Genesys: its agentless API) the message is also sent to the desk through the outbox, so a 201 means stored and queued; ' +
        'what the desk refuses for certain is refused first with 422 and nothing stored (Genesys: text only, `PROACTIVE_UNSUPPORTED`; at most 2000 characters, `MESSAGE_TOO_LONG`).',
      tags,
      auth: { scope: 'messages:write' },
      status: 201,
      body: z.intersection(
        ContactRef,
        z
          .object({
            text: z.string().min(1).max(10_000).optional(),
            parts: z.array(Part).min(1).max(20).optional(),
            queue: z.string().min(1).optional(),
            entryPoint: z.string().min(1).max(100).optional(),
            from: z.object({ name: z.string().min(1).max(200) }).optional(),
            idempotencyKey: z.string().min(1).max(200).optional(),
          })
          .refine((v) => v.text !== undefined || (v.parts?.length ?? 0) > 0, { message: 'text or parts is required', path: ['text'] }),
      ),
    },
    async ({ body, principal, reply }) => {
      if (body.parts?.some((p) => p.type === 'media')) throw new ParleyError('VALIDATION', 'Proactive messages cannot carry uploads yet; use a link.');
      const caller = principal?.kind === 'apikey' ? `key:${principal.keyId}` : principal?.kind === 'agent' ? `agent:${principal.agentId}` : 'anon';
      const sent = await sendProactive(hub, {
        contact: (tx) => contactOf(tx, body, true),
        // Proactive messages go out on the web channel the customer API serves, where a reply comes back.
        channel: hub.adapters.instancesOf('channel', 'web')[0] ?? 'web',
        entryPoint: body.entryPoint,
        queue: body.queue,
        defaultQueue: DEFAULT_QUEUE,
        parts: partsOf(body),
        author: { role: 'business', name: body.from?.name ?? 'Business' },
        source: `proactive:${caller}`,
        key: body.idempotencyKey ?? newId('pm'),
      });
      if (sent.duplicate) reply.code(200);
      const e = sent.events[0];
      if (!e) throw new ParleyError('INTERNAL');
      return { conversation: presentConversation(sent.conversation), event: presentEvent(e, s.signer), duplicate: Boolean(sent.duplicate) };
    },
  );

  route(
    {
      method: 'GET',
      url: '/v1/conversations/:id/transcript',
      operationId: 'getTranscript',
      errors: ['CONVERSATION_NOT_FOUND'],
      summary: 'The whole conversation, as JSON or (format=html or Accept: text/html) as a page for people.',
      tags,
      auth: { scope: 'conversations:read' },
      params: IdParam,
      query: z.object({ format: z.enum(['json', 'html']).optional() }),
      produces: 'application/json, text/html',
    },
    async ({ params, query, req, reply }) => {
      const c = await conversationById(hub.db, params.id);
      if (!c) throw new ParleyError('CONVERSATION_NOT_FOUND');
      const contact = await hub.tx((tx) => tx.getContact(c.contactId));
      const events = [];
      for (let after = 0; ; ) {
        const page = await eventsAfter(hub.db, c.id, after, 1000);
        events.push(...page);
        if (page.length < 1000) break;
        after = page[page.length - 1]?.seq ?? after;
      }
      const wantsHtml = query.format === 'html' || (query.format === undefined && (req.headers.accept ?? '').includes('text/html'));
      if (wantsHtml) {
        reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'");
        return reply.send(transcriptHtml(c, contact, events));
      }
      return { conversation: presentConversation(c), contact: contact ?? null, events: events.map((e) => presentEvent(e, s.signer)) };
    },
  );

  route(
    {
      method: 'GET',
      url: '/v1/admin/deliveries',
      operationId: 'listDeliveries',
      summary: 'Deliveries, newest first, filtered by status (e.g. failed) and/or conversation.',
      tags,
      auth: { scope: 'admin' },
      query: z.object({
        status: z.enum(['pending', 'sent', 'delivered', 'read', 'failed']).optional(),
        // The console's event inspector shows each event of one conversation with its deliveries.
        conversationId: z.string().min(1).max(100).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
    },
    async ({ query }) => {
      let q = hub.db.selectFrom('deliveries').selectAll();
      if (query.status) q = q.where('status', '=', query.status);
      if (query.conversationId) q = q.where('conversation_id', '=', query.conversationId);
      const rows = await q.orderBy('updated_at', 'desc').limit(query.limit).execute();
      return { deliveries: rows.map(toDelivery) };
    },
  );

  route({ method: 'POST', url: '/v1/admin/deliveries/:id/retry', operationId: 'retryDelivery', errors: ['NOT_FOUND'], summary: 'Put a failed delivery back in its lane.', tags, auth: { scope: 'admin' }, params: IdParam }, async ({ params }) => {
    const d = await s.dispatcher.retry(params.id);
    if (!d) throw new ParleyError('NOT_FOUND', 'No such delivery.');
    return { delivery: d };
  });

  route(
    {
      method: 'POST',
      url: '/v1/setup',
      operationId: 'completeSetup',
      errors: ['FORBIDDEN', 'SETUP_DONE', 'CONFLICT'],
      rateLimit: s.config.rateLimitAuth,
      summary: 'Create the first admin with the one-time setup code printed at first start.',
      tags,
      auth: 'none',
      status: 201,
      body: z.object({ code: z.string().min(10).max(200), email: z.string().email().max(320), name: z.string().min(1).max(200), password: z.string().min(8).max(1000) }),
    },
    async ({ body }) => {
      const agent = await completeSetup(hub.db, body.code, { email: body.email, name: body.name, password: body.password, capacity: 5 });
      return { agent, token: await s.tokens.agentToken(agent.id, 0) };
    },
  );

}
