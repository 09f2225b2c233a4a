import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ParleyError } from '../../core/errors.js';
import { Part } from '../../core/parts.js';
import { presentParts } from '../present.js';
import { routesFor } from '../route.js';
import type { Services } from '../services.js';

// The unredacted text of a message a route's PII policy masked, where the policy keeps it
// (`original: "admins"`): admins only (an admin agent, or an API key with the admin scope), every read
// written to the log as an audit line. Agents see the masked event and its `redacted` marker, nothing more.

const OriginalParams = z.object({ id: z.string().min(1).max(100), eventId: z.string().min(1).max(100) });

export function originalRoutes(app: FastifyInstance, s: Services): void {
  const { hub } = s;
  const route = routesFor(app, s.authenticate);

  route(
    {
      method: 'GET',
      url: '/v1/conversations/:id/events/:eventId/original',
      operationId: 'getOriginalMessage',
      errors: ['NOT_FOUND'],
      summary:
        "A redacted customer message as it was sent, where the route's PII policy keeps originals (`original: \"admins\"`). 404 when the event was not redacted, or its original was dropped. Each read is logged.",
      tags: ['admin'],
      auth: { scope: 'admin' },
      params: OriginalParams,
    },
    async ({ params, principal, req }) => {
      const row = await hub.db.selectFrom('event_originals').selectAll().where('event_id', '=', params.eventId).where('conversation_id', '=', params.id).executeTakeFirst();
      if (!row) throw new ParleyError('NOT_FOUND', 'No original is kept for this event.');
      // The audit trail: who read which original, when (the log line's time). Never the text itself.
      const by = principal.kind === 'agent' ? { agentId: principal.agentId } : principal.kind === 'apikey' ? { apiKeyId: principal.keyId } : {};
      req.log.info({ audit: 'pii.original.read', conversationId: params.id, eventId: params.eventId, ...by }, 'original of a redacted message read');
      const parts = z.array(Part).parse(JSON.parse(row.parts));
      return { original: { eventId: row.event_id, conversationId: row.conversation_id, parts: presentParts(parts, s.signer), keptAt: row.created_at } };
    },
  );
}
