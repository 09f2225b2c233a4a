import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ParleyError } from '../../core/errors.js';
import { toCannedResponse } from '../../store/rows.js';
import { newId, nowIso } from '../../store/tx.js';
import { IdParam } from '../inputs.js';
import { routesFor } from '../route.js';
import type { Services } from '../services.js';

// Canned responses: admins keep the list, every agent reads it (the console offers them by shortcut).

const CannedInput = z.object({
  // Lower-case so "/Refund" and "/refund" cannot name two different answers.
  shortcut: z
    .string()
    .trim()
    .min(1)
    .max(50)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, 'letters, digits, "-" and "_" only')
    .transform((s) => s.toLowerCase()),
  text: z.string().trim().min(1).max(4000),
});

export function cannedRoutes(app: FastifyInstance, s: Services): void {
  const { hub } = s;
  const route = routesFor(app, s.authenticate);

  const list = async () => {
    const rows = await hub.db.selectFrom('canned_responses').selectAll().orderBy('shortcut').execute();
    return { cannedResponses: rows.map(toCannedResponse) };
  };

  route(
    { method: 'POST', url: '/v1/admin/canned-responses', operationId: 'createCannedResponse', errors: ['CONFLICT'], summary: 'Add a canned response (shortcut and text), shared by all agents.', tags: ['admin'], auth: { scope: 'admin' }, status: 201, body: CannedInput },
    async ({ body }) => {
      const row = { id: newId('cr'), shortcut: body.shortcut, text: body.text, created_at: nowIso() };
      // ON CONFLICT DO NOTHING rather than look-then-insert: two admins adding one shortcut at once get one
      // row and one 409, on both databases, with no unique-violation error to translate.
      const r = await hub.db.insertInto('canned_responses').values(row).onConflict((oc) => oc.column('shortcut').doNothing()).executeTakeFirst();
      if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) throw new ParleyError('CONFLICT', `A canned response with the shortcut "${body.shortcut}" exists.`);
      return { cannedResponse: toCannedResponse(row) };
    },
  );

  route({ method: 'GET', url: '/v1/admin/canned-responses', operationId: 'listCannedResponses', summary: 'List canned responses.', tags: ['admin'], auth: { scope: 'admin' } }, list);

  route({ method: 'DELETE', url: '/v1/admin/canned-responses/:id', operationId: 'deleteCannedResponse', errors: ['NOT_FOUND'], summary: 'Delete a canned response.', tags: ['admin'], auth: { scope: 'admin' }, params: IdParam }, async ({ params }) => {
    const r = await hub.db.deleteFrom('canned_responses').where('id', '=', params.id).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw new ParleyError('NOT_FOUND', 'No such canned response.');
    return { deleted: params.id };
  });

  route({ method: 'GET', url: '/v1/agent/canned-responses', operationId: 'listAgentCannedResponses', summary: 'Canned responses, by shortcut.', tags: ['agent'], auth: 'agent' }, list);
}
