import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ParleyError } from '../../core/errors.js';
import { matchesType } from '../../media/sniff.js';
import { newId, nowIso } from '../../store/tx.js';
import { IdParam } from '../inputs.js';
import { routesFor } from '../route.js';
import type { Services } from '../services.js';

// Uploads and signed reads. Registered in its own encapsulated plugin so the raw-body parser and the larger
// body limit apply to /v1/media only, not to the JSON API.

export async function mediaRoutes(app: FastifyInstance, s: Services): Promise<void> {
  const { config, hub } = s;
  const route = routesFor(app, s.authenticate);

  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: config.mediaMaxBytes }, (_req, body, done) => done(null, body));

  route(
    {
      method: 'POST',
      url: '/v1/media',
      operationId: 'uploadMedia',
      summary: 'Upload a file (raw body, its Content-Type header, optional ?name=). Returns an id to send as a media part.',
      tags: ['media'],
      auth: 'any',
      status: 201,
      bodyLimit: config.mediaMaxBytes,
      query: z.object({ name: z.string().max(255).optional() }),
    },
    async ({ req, query, principal }) => {
      if (principal.kind === 'apikey') throw new ParleyError('FORBIDDEN', 'Uploads are made by customers and agents.');
      const mime = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
      if (!config.mediaTypes.includes(mime)) {
        throw new ParleyError('UNSUPPORTED_MEDIA_TYPE', `Type "${mime || 'none'}" is not accepted. Accepted: ${config.mediaTypes.join(', ')}.`);
      }
      const body = req.body;
      if (!Buffer.isBuffer(body) || body.length === 0) throw new ParleyError('VALIDATION', 'The upload is empty.');
      if (!matchesType(mime, body)) throw new ParleyError('UNSUPPORTED_MEDIA_TYPE', `The file is not a valid ${mime}.`);
      const id = newId('md');
      await s.blobs.put(id, body);
      const owner = principal.kind === 'customer' ? `contact:${principal.contactId}` : `agent:${principal.agentId}`;
      const row = { id, owner, mime, size: body.length, sha256: createHash('sha256').update(body).digest('hex'), name: query.name ?? null, created_at: nowIso() };
      await hub.db.insertInto('media').values(row).execute();
      return { media: { id, mime, size: row.size, name: row.name, url: s.signer.url(id) } };
    },
  );

  route(
    {
      method: 'GET',
      url: '/v1/media/:id',
      operationId: 'getMedia',
      errors: ['FORBIDDEN', 'MEDIA_NOT_FOUND'],
      summary: 'Read a file through a signed URL (exp and sig come from the url field of a media part).',
      tags: ['media'],
      auth: 'none',
      params: IdParam,
      query: z.object({ exp: z.coerce.number().int(), sig: z.string().min(10).max(200) }),
      produces: '*/*',
    },
    async ({ params, query, reply }) => {
      const check = s.signer.check(params.id, query.exp, query.sig);
      if (check === 'bad') throw new ParleyError('FORBIDDEN', 'The media link is not valid.');
      if (check === 'expired') throw new ParleyError('FORBIDDEN', 'The media link has expired; fetch the event again for a fresh one.');
      const row = await hub.db.selectFrom('media').selectAll().where('id', '=', params.id).executeTakeFirst();
      const blob = row && (await s.blobs.get(row.id));
      if (!row || !blob) throw new ParleyError('MEDIA_NOT_FOUND');
      const inline = row.mime.startsWith('image/');
      const filename = (row.name ?? row.id).replace(/[^\w.-]+/g, '_');
      reply
        .header('content-type', row.mime)
        .header('content-length', String(blob.size))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, max-age=300')
        .header('content-disposition', `${inline ? 'inline' : 'attachment'}; filename="${filename}"`);
      // Returned, not reply.send(): a stream is still flowing when the handler resolves, and Fastify would
      // then try to send the handler's result as a second payload (FST_ERR_REP_INVALID_PAYLOAD_TYPE).
      return blob.stream;
    },
  );
}
