import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ParleyError } from '../../core/errors.js';
import { newId } from '../../store/tx.js';
import { conversationsOfContact, eventsAfter, failedSeqs } from '../../hub/reads.js';
import { AfterQuery, IdParam, ReadUpTo, SendMessage, Typing } from '../../http/inputs.js';
import { presentConversation, presentEvent, statusOf } from '../../http/present.js';
import { routesFor } from '../../http/route.js';
import type { Services } from '../../http/services.js';
import { toOffer } from '../../store/rows.js';
import type { CustomerActions } from './actions.js';

// The customer API of the built-in `web` channel: what the widget, the app and a business's own mobile
// app call. Every route is scoped to the contact in the token.

const tags = ['customer'];

/** GET /v1/availability: where a conversation opened now would go, whether anyone is there, what uploads are accepted. */
const Availability = z.object({
  desk: z.string().describe('the desk instance the route table picks'),
  queue: z.string().nullable().describe('its inbox queue (name or id) or the vendor queue the route names; null when it names none'),
  agentsOnline: z.boolean().nullable().describe('whether any agent there is online now; null: the desk cannot tell'),
  uploads: z.object({ mediaTypes: z.array(z.string()).describe('content types POST /v1/media accepts'), maxBytes: z.number().int().describe('largest upload, bytes') }),
});

export function webRoutes(app: FastifyInstance, s: Services, actions: CustomerActions): void {
  const route = routesFor(app, s.authenticate);
  const { hub } = s;

  route(
    {
      method: 'POST',
      url: '/v1/sessions',
      operationId: 'createSession',
      errors: ['UNAUTHENTICATED', 'TOKEN_EXPIRED', 'FORBIDDEN', 'UNAVAILABLE'],
      rateLimit: s.config.rateLimitSessions,
      summary: "Start a customer session: anonymous, or verified with an identity token signed by your backend (HS256) or your identity provider (ES256/RS256, its JWKS); a refused token's details.reason says why.",
      tags,
      auth: 'none',
      status: 201,
      body: z.object({ identityToken: z.string().min(1).max(8192).optional() }).optional(),
    },
    async ({ body }) => {
      const contact = body?.identityToken
        ? await s.tokens.verifyIdentity(body.identityToken).then((claims) =>
            hub.tx((tx) => tx.ensureContactForIdentity('web', claims.sub, { name: claims.name ?? null, email: claims.email ?? null, verified: true })),
          )
        : await hub.tx((tx) => tx.ensureContactForIdentity('anon', newId('anon'), { verified: false }));
      return { token: await s.tokens.customerToken(contact.id), expiresIn: s.tokens.ttlSeconds.customer, contact };
    },
  );

  route({ method: 'GET', url: '/v1/me', operationId: 'getMe', errors: ['CONTACT_NOT_FOUND'], summary: 'The contact behind this token.', tags, auth: 'customer' }, async ({ principal }) => {
    const contact = await hub.tx((tx) => tx.getContact(principal.contactId));
    if (!contact) throw new ParleyError('CONTACT_NOT_FOUND');
    return { contact };
  });

  route(
    {
      method: 'PATCH',
      url: '/v1/me',
      operationId: 'updateMe',
      errors: ['CONTACT_NOT_FOUND'],
      summary: "Update the customer's profile (name, e-mail). Verified contacts keep the values from their identity token.",
      tags,
      auth: 'customer',
      body: z.object({ name: z.string().min(1).max(200).optional(), email: z.string().email().max(320).optional() }),
    },
    async ({ principal, body }) => {
      // Read, then update outside the transaction: a hub.db query inside hub.tx waits for the connection the
      // transaction holds, and SQLite has only one, so the request would hang forever.
      const c = await hub.tx((tx) => tx.getContact(principal.contactId));
      if (!c) throw new ParleyError('CONTACT_NOT_FOUND');
      if (c.verified) throw new ParleyError('FORBIDDEN', 'A verified profile comes from your identity token.');
      const set = { ...(body.name !== undefined ? { name: body.name } : {}), ...(body.email !== undefined ? { email: body.email } : {}) };
      // Nothing named, nothing to write (an UPDATE with an empty SET is a syntax error, not a no-op).
      if (Object.keys(set).length) await hub.db.updateTable('contacts').set(set).where('id', '=', c.id).execute();
      return { contact: { ...c, ...set } };
    },
  );

  route(
    {
      method: 'POST',
      url: '/v1/conversations',
      operationId: 'openConversation',
      errors: ['QUEUE_NOT_FOUND'],
      otherResponses: { 200: { description: 'The conversation already open on this channel.' } },
      summary:
        'Open a conversation (or return the one already open on this channel). The route table picks its desk and queue (by `entryPoint` when given); it waits there for an agent.',
      tags,
      auth: 'customer',
      status: 201,
      body: z
        .object({
          queue: z.string().min(1).max(100).optional(),
          entryPoint: z.string().min(1).max(100).optional(),
          context: z.record(z.string(), z.unknown()).optional(),
        })
        .optional(),
    },
    async ({ principal, body, reply }) => {
      const r = await actions.open(principal.contactId, { queue: body?.queue, entryPoint: body?.entryPoint, context: body?.context });
      if (!r.created) reply.code(200);
      const position = await hub.tx((tx) => tx.waitingPosition(r.conversation));
      return { conversation: presentConversation(r.conversation, { queuePosition: position || null }) };
    },
  );

  route(
    {
      method: 'GET',
      url: '/v1/availability',
      operationId: 'getAvailability',
      summary:
        "Before opening a conversation: the desk (and queue) the route table would pick for it (by `entryPoint` when given, as opening does), whether any agent there is online (`agentsOnline`: true, false, or null when the desk cannot tell), and what uploads are accepted. Creates nothing; backs watsonx web chat's `areAnyAgentsOnline()`.",
      tags,
      auth: 'customer',
      query: z.object({ entryPoint: z.string().min(1).max(100).optional() }),
      response: Availability,
    },
    async ({ query }) => ({
      ...(await actions.availability(query.entryPoint)),
      uploads: { mediaTypes: s.config.mediaTypes, maxBytes: s.config.mediaMaxBytes },
    }),
  );

  route({ method: 'GET', url: '/v1/conversations', operationId: 'listConversations', summary: "The customer's conversations, newest first.", tags, auth: 'customer' }, async ({ principal }) => {
    const list = await conversationsOfContact(hub.db, principal.contactId);
    return { conversations: list.map((c) => presentConversation(c)) };
  });

  route({ method: 'GET', url: '/v1/conversations/:id', operationId: 'getConversation', errors: ['CONVERSATION_NOT_FOUND'], summary: 'One conversation, with its queue position and agent.', tags, auth: 'customer', params: IdParam }, async ({ principal, params }) => {
    const c = await actions.own(principal.contactId, params.id);
    const [position, agent] = await hub.tx(async (tx) => [await tx.waitingPosition(c), c.agentId ? await tx.getAgent(c.agentId) : undefined] as const);
    return { conversation: presentConversation(c, { queuePosition: position || null, agent: agent ? { id: agent.id, name: agent.name } : null }) };
  });

  route(
    { method: 'GET', url: '/v1/conversations/:id/events', operationId: 'listConversationEvents', errors: ['CONVERSATION_NOT_FOUND'], summary: 'Events after a seq, in order (resume from the last seq you hold).', tags, auth: 'customer', params: IdParam, query: AfterQuery },
    async ({ principal, params, query }) => {
      const c = await actions.own(principal.contactId, params.id);
      const [events, failed] = await Promise.all([eventsAfter(hub.db, c.id, query.after, query.limit), failedSeqs(hub.db, c.id, 'desk')]);
      return { events: events.map((e) => presentEvent(e, s.signer, statusOf(e, c, 'channel', failed))), lastSeq: c.lastSeq };
    },
  );

  route(
    {
      method: 'POST',
      url: '/v1/conversations/:id/messages',
      operationId: 'sendMessage',
      errors: ['CONVERSATION_NOT_FOUND', 'CONVERSATION_ENDED', 'IDEMPOTENCY_MISMATCH', 'MEDIA_NOT_FOUND', 'CONFLICT'],
      otherResponses: { 200: { description: 'A retry with the same key: the first result again, nothing new written.' } },
      summary: 'Send a message. Retrying with the same clientMessageId returns the first event instead of a second one.',
      tags,
      auth: 'customer',
      status: 201,
      params: IdParam,
      body: SendMessage,
    },
    async ({ principal, params, body, reply }) => {
      const r = await actions.send(principal.contactId, params.id, body);
      if (r.duplicate) reply.code(200);
      const e = r.events[0];
      if (!e) throw new ParleyError('INTERNAL');
      return { event: presentEvent(e, s.signer, statusOf(e, r.conversation, 'channel')), duplicate: Boolean(r.duplicate) };
    },
  );

  route({ method: 'POST', url: '/v1/conversations/:id/typing', operationId: 'setTyping', errors: ['CONVERSATION_NOT_FOUND', 'CONVERSATION_ENDED'], summary: 'Tell the agent the customer is (not) typing. Not stored.', tags, auth: 'customer', params: IdParam, body: Typing }, async ({ principal, params, body }) => {
    await actions.typing(principal.contactId, params.id, body.typing);
    return { ok: true };
  });

  route({ method: 'POST', url: '/v1/conversations/:id/read', operationId: 'markRead', errors: ['CONVERSATION_NOT_FOUND'], summary: 'Mark everything through seq as read.', tags, auth: 'customer', params: IdParam, body: ReadUpTo }, async ({ principal, params, body }) => {
    const r = await actions.receipt(principal.contactId, params.id, 'read', body.seq);
    return { conversation: presentConversation(r.conversation) };
  });

  route({ method: 'POST', url: '/v1/conversations/:id/end', operationId: 'endConversation', errors: ['CONVERSATION_NOT_FOUND'], summary: 'End the conversation.', tags, auth: 'customer', params: IdParam }, async ({ principal, params }) => {
    const r = await actions.end(principal.contactId, params.id);
    return { conversation: presentConversation(r.conversation) };
  });

  route({ method: 'GET', url: '/v1/offers', operationId: 'listOffers', summary: "The customer's offers, newest first.", tags, auth: 'customer' }, async ({ principal }) => {
    const rows = await hub.db.selectFrom('offers').selectAll().where('contact_id', '=', principal.contactId).orderBy('created_at', 'desc').limit(200).execute();
    return { offers: rows.map(toOffer) };
  });

  route({ method: 'POST', url: '/v1/offers/:id/ack', operationId: 'acknowledgeOffer', errors: ['OFFER_NOT_FOUND'], summary: 'Acknowledge (dismiss) an offer. Repeating it is harmless.', tags, auth: 'customer', params: IdParam }, async ({ principal, params }) => {
    const now = new Date().toISOString();
    await hub.db.updateTable('offers').set({ acknowledged_at: now }).where('id', '=', params.id).where('contact_id', '=', principal.contactId).where('acknowledged_at', 'is', null).execute();
    const row = await hub.db.selectFrom('offers').selectAll().where('id', '=', params.id).where('contact_id', '=', principal.contactId).executeTakeFirst();
    if (!row) throw new ParleyError('OFFER_NOT_FOUND');
    const offer = toOffer(row);
    hub.publishOffer(offer);
    return { offer };
  });
}
