import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ParleyError } from '../../core/errors.js';
import { conversationsForAgent, eventsAfter, failedSeqs } from '../../hub/reads.js';
import { verifyPassword } from '../../http/auth.js';
import { AfterQuery, IdParam, ReadUpTo, SendMessage, Typing } from '../../http/inputs.js';
import { presentConversation, presentEvent, statusOf } from '../../http/present.js';
import { routesFor } from '../../http/route.js';
import type { Services } from '../../http/services.js';
import { toAgent, toContact, toQueue } from '../../store/rows.js';
import type { AgentActions } from './actions.js';

// The agent API of the built-in `inbox` desk, under /v1/agent.

const tags = ['agent'];

export function inboxRoutes(app: FastifyInstance, s: Services, actions: AgentActions): void {
  const route = routesFor(app, s.authenticate);
  const { hub } = s;

  route(
    {
      method: 'POST',
      url: '/v1/agent/login',
      operationId: 'agentLogin',
      errors: ['BAD_CREDENTIALS', 'ACCOUNT_DISABLED'],
      rateLimit: s.config.rateLimitAuth,
      summary: 'Log in with e-mail and password; returns an agent token.',
      tags,
      auth: 'none',
      body: z.object({ email: z.string().min(1).max(320), password: z.string().min(1).max(1000) }),
    },
    async ({ body }) => {
      const row = await hub.db.selectFrom('agents').selectAll().where('email', '=', body.email.toLowerCase()).executeTakeFirst();
      // Same answer and similar time whether the e-mail exists or not.
      const ok = row ? await verifyPassword(body.password, row.password_hash) : await verifyPassword(body.password, DUMMY_HASH).then(() => false);
      if (!row || !ok) throw new ParleyError('BAD_CREDENTIALS');
      // Only after the password matched: a locked account's state is not told to someone guessing.
      if (row.disabled_at !== null) throw new ParleyError('ACCOUNT_DISABLED');
      const agent = await actions.me({ kind: 'agent', agentId: row.id, role: row.role === 'admin' ? 'admin' : 'agent' });
      return { token: await s.tokens.agentToken(agent.id, Number(row.auth_epoch)), expiresIn: s.tokens.ttlSeconds.agent, agent };
    },
  );

  route({ method: 'GET', url: '/v1/agent/me', operationId: 'getAgentMe', summary: 'The logged-in agent.', tags, auth: 'agent' }, async ({ principal }) => ({ agent: await actions.me(principal) }));

  route(
    { method: 'POST', url: '/v1/agent/status', operationId: 'setAgentStatus', summary: 'Set availability: available agents receive round-robin chats.', tags, auth: 'agent', body: z.object({ status: z.enum(['available', 'away', 'offline']) }) },
    async ({ principal, body }) => {
      await hub.db.updateTable('agents').set({ status: body.status }).where('id', '=', principal.agentId).execute();
      if (body.status === 'available') void hub.agentAvailable(principal.agentId);
      return { agent: await actions.me(principal) };
    },
  );

  route({ method: 'GET', url: '/v1/agent/agents', operationId: 'listTransferAgents', summary: 'Agents (transfer targets).', tags, auth: 'agent' }, async () => {
    const rows = await hub.db.selectFrom('agents').selectAll().orderBy('name').execute();
    const links = await hub.db.selectFrom('agent_queues').selectAll().execute();
    return {
      agents: rows.map((r) => ({
        ...toAgent(r, links.filter((l) => l.agent_id === r.id).map((l) => l.queue_id)),
        online: hub.presence.isOnline(r.id),
      })),
    };
  });

  route({ method: 'GET', url: '/v1/agent/queues', operationId: 'listTransferQueues', summary: 'Queues (transfer targets).', tags, auth: 'agent' }, async () => {
    const rows = await hub.db.selectFrom('queues').selectAll().orderBy('name').execute();
    return { queues: rows.map(toQueue) };
  });

  route(
    {
      method: 'GET',
      url: '/v1/agent/conversations',
      operationId: 'listAgentConversations',
      summary: 'Conversations: `queued` (waiting in my queues), `mine` (assigned to me), or `all` open ones I can see.',
      tags,
      auth: 'agent',
      query: z.object({ scope: z.enum(['queued', 'mine', 'all']).default('all') }),
    },
    async ({ principal, query }) => {
      const list = await conversationsForAgent(hub.db, principal.agentId, query.scope, principal.role === 'admin');
      const contactIds = [...new Set(list.map((c) => c.contactId))];
      const contacts = contactIds.length ? (await hub.db.selectFrom('contacts').selectAll().where('id', 'in', contactIds).execute()).map(toContact) : [];
      const out = [];
      for (const c of list) {
        out.push(presentConversation(c, { contact: contacts.find((x) => x.id === c.contactId) ?? null, queuePosition: (await hub.tx((tx) => tx.waitingPosition(c))) || null }));
      }
      return { conversations: out };
    },
  );

  route({ method: 'GET', url: '/v1/agent/conversations/:id', operationId: 'getAgentConversation', errors: ['CONVERSATION_NOT_FOUND'], summary: 'One conversation with its customer, identities and handed-over context.', tags, auth: 'agent', params: IdParam }, async ({ principal, params }) => {
    const { conversation: c } = await actions.visible(principal, params.id);
    const contact = await hub.tx((tx) => tx.getContact(c.contactId));
    const identities = await hub.db.selectFrom('identities').select(['channel', 'external_id']).where('contact_id', '=', c.contactId).execute();
    return {
      conversation: presentConversation(c, {
        contact: contact ?? null,
        identities: identities.filter((i) => i.channel !== 'anon').map((i) => ({ channel: i.channel, externalId: i.external_id })),
      }),
    };
  });

  route(
    { method: 'GET', url: '/v1/agent/conversations/:id/events', operationId: 'listAgentConversationEvents', errors: ['CONVERSATION_NOT_FOUND'], summary: 'Events after a seq, in order.', tags, auth: 'agent', params: IdParam, query: AfterQuery },
    async ({ principal, params, query }) => {
      const { conversation: c } = await actions.visible(principal, params.id);
      const [events, failed] = await Promise.all([eventsAfter(hub.db, c.id, query.after, query.limit), failedSeqs(hub.db, c.id, 'channel')]);
      return { events: events.map((e) => presentEvent(e, s.signer, statusOf(e, c, 'desk', failed))), lastSeq: c.lastSeq };
    },
  );

  route({ method: 'POST', url: '/v1/agent/conversations/:id/accept', operationId: 'acceptConversation', errors: ['CONVERSATION_NOT_FOUND', 'CONVERSATION_ENDED', 'INVALID_PHASE', 'AGENT_AT_CAPACITY'], summary: 'Take a waiting conversation.', tags, auth: 'agent', params: IdParam }, async ({ principal, params }) => {
    const r = await actions.accept(principal, params.id);
    return { conversation: presentConversation(r.conversation) };
  });

  route(
    { method: 'POST', url: '/v1/agent/conversations/:id/messages', operationId: 'sendAgentMessage', errors: ['CONVERSATION_NOT_FOUND', 'CONVERSATION_ENDED', 'NOT_ASSIGNED', 'IDEMPOTENCY_MISMATCH', 'MEDIA_NOT_FOUND', 'CONFLICT'], otherResponses: { 200: { description: 'A retry with the same key: the first result again, nothing new written.' } }, summary: 'Reply (same parts as customers). clientMessageId makes retries safe.', tags, auth: 'agent', status: 201, params: IdParam, body: SendMessage },
    async ({ principal, params, body, reply }) => {
      const r = await actions.send(principal, params.id, body);
      if (r.duplicate) reply.code(200);
      const e = r.events[0];
      if (!e) throw new ParleyError('INTERNAL');
      return { event: presentEvent(e, s.signer, statusOf(e, r.conversation, 'desk')), duplicate: Boolean(r.duplicate) };
    },
  );

  route({ method: 'POST', url: '/v1/agent/conversations/:id/typing', operationId: 'setAgentTyping', errors: ['CONVERSATION_NOT_FOUND', 'CONVERSATION_ENDED', 'NOT_ASSIGNED'], summary: 'Tell the customer the agent is (not) typing.', tags, auth: 'agent', params: IdParam, body: Typing }, async ({ principal, params, body }) => {
    await actions.typing(principal, params.id, body.typing);
    return { ok: true };
  });

  route({ method: 'POST', url: '/v1/agent/conversations/:id/read', operationId: 'markAgentRead', errors: ['CONVERSATION_NOT_FOUND', 'CONVERSATION_ENDED', 'NOT_ASSIGNED'], summary: 'Mark everything through seq as read.', tags, auth: 'agent', params: IdParam, body: ReadUpTo }, async ({ principal, params, body }) => {
    const r = await actions.receipt(principal, params.id, 'read', body.seq);
    return { conversation: presentConversation(r.conversation) };
  });

  route(
    {
      method: 'POST',
      url: '/v1/agent/conversations/:id/transfer',
      operationId: 'transferConversation',
      errors: ['CONVERSATION_NOT_FOUND', 'NOT_ASSIGNED', 'AGENT_NOT_FOUND', 'QUEUE_NOT_FOUND', 'CONVERSATION_ENDED', 'INVALID_PHASE', 'AGENT_AT_CAPACITY'],
      summary: 'Transfer to another agent (joins at once) or to a queue (waits there).',
      tags,
      auth: 'agent',
      params: IdParam,
      body: z.object({ toAgentId: z.string().min(1).optional(), toQueueId: z.string().min(1).optional(), note: z.string().max(2000).optional() }).refine((v) => Boolean(v.toAgentId) !== Boolean(v.toQueueId), {
        message: 'give exactly one of toAgentId and toQueueId',
      }),
    },
    async ({ principal, params, body }) => {
      const r = await actions.transfer(principal, params.id, body);
      return { conversation: presentConversation(r.conversation) };
    },
  );

  route({ method: 'POST', url: '/v1/agent/conversations/:id/end', operationId: 'endAgentConversation', errors: ['CONVERSATION_NOT_FOUND', 'NOT_ASSIGNED'], summary: 'End the conversation.', tags, auth: 'agent', params: IdParam }, async ({ principal, params }) => {
    const r = await actions.end(principal, params.id);
    return { conversation: presentConversation(r.conversation) };
  });
}

// A real scrypt hash of a random string, so a login for an unknown e-mail costs the same as a real one.
const DUMMY_HASH = 'scrypt$16384$8$1$8fQ0r3HfVvC1mY3j5c7Hqg$R0c0l0ZKcS6wQnI3qvZfJm8o0yV9dL6E7s2k1n4p3aU';
