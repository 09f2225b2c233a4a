import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ParleyError } from '../../core/errors.js';
import { conversationById } from '../../hub/reads.js';
import { MAX_UNATTRIBUTED, PER_CONVERSATION } from '../../vendor/traffic.js';
import { IdParam } from '../inputs.js';
import { routesFor } from '../route.js';
import type { Services } from '../services.js';

// The vendor traffic the console's event inspector shows beside a conversation's events: the raw requests
// Parley sent to vendor APIs for it and the webhooks vendors sent about it, masked (credentials always, the
// customer's PII under the route's policy), newest first. Admins only: the bodies are raw vendor payloads.
// In memory on this node, the last few hundred per conversation (src/vendor/traffic.ts); live ones come as
// `vendor` frames to a stream watching the conversation.

const tags = ['admin'];

export function vendorTrafficRoutes(app: FastifyInstance, s: Services): void {
  const { hub } = s;
  const route = routesFor(app, s.authenticate);

  route(
    {
      method: 'GET',
      url: '/v1/admin/conversations/:id/vendor-traffic',
      operationId: 'listVendorTraffic',
      errors: ['CONVERSATION_NOT_FOUND'],
      summary:
        "A conversation's recent vendor traffic, newest first: requests sent to vendor APIs (direction out) and vendor webhooks received (in), with headers and body excerpts masked. Kept in memory on this node (lost on restart).",
      tags,
      auth: { scope: 'admin' },
      params: IdParam,
      query: z.object({ limit: z.coerce.number().int().min(1).max(PER_CONVERSATION).default(PER_CONVERSATION) }),
    },
    async ({ params, query }) => {
      const c = await conversationById(hub.db, params.id);
      if (!c) throw new ParleyError('CONVERSATION_NOT_FOUND');
      return { records: hub.traffic.recent(c.id, query.limit) };
    },
  );

  route(
    {
      method: 'GET',
      url: '/v1/admin/vendor-traffic/unattributed',
      operationId: 'listUnattributedVendorTraffic',
      summary:
        'Recent verified vendor webhooks that touched no conversation (a handshake, a status for an unknown message), newest first, masked; their bodies are not kept when any route has a PII policy. Webhooks that fail verification are never recorded.',
      tags,
      auth: { scope: 'admin' },
      query: z.object({ limit: z.coerce.number().int().min(1).max(MAX_UNATTRIBUTED).default(MAX_UNATTRIBUTED) }),
    },
    async ({ query }) => ({ records: hub.traffic.unattributed(query.limit) }),
  );
}
