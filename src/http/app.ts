import cors from '@fastify/cors';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { ParleyError, isParleyError } from '../core/errors.js';
import type { Config } from '../config.js';

// The Fastify instance with Parley's cross-cutting rules: one error shape from the catalogue for every
// failure (including Fastify's own parse errors), JSON logs with no tokens in them, a CORS allowlist.

/** Remove credentials from a URL before it is logged (stream tokens and media signatures ride in queries). */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:token|sig|code)=)[^&]*/gi, '$1[redacted]');
}

export function toParleyError(err: unknown): ParleyError {
  if (isParleyError(err)) return err;
  const e = err as Partial<FastifyError> & { statusCode?: number };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ParleyError('PAYLOAD_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ParleyError('UNSUPPORTED_MEDIA_TYPE', 'Send JSON with Content-Type: application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ParleyError('BAD_JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ParleyError('VALIDATION', 'The Content-Length does not match the body.');
    default:
      break;
  }
  if (err instanceof SyntaxError) return new ParleyError('BAD_JSON');
  if (e.statusCode === 429) return new ParleyError('RATE_LIMITED');
  if (e.statusCode === 413) return new ParleyError('PAYLOAD_TOO_LARGE');
  if (e.statusCode === 415) return new ParleyError('UNSUPPORTED_MEDIA_TYPE');
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return new ParleyError('VALIDATION', e.message);
  return new ParleyError('INTERNAL', undefined, { cause: err });
}

export async function createApp(config: Config): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: config.bodyLimit,
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    trustProxy: true,
    logger:
      config.logLevel === 'silent'
        ? false
        : {
            level: config.logLevel,
            redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token', '*.identityToken', '*.secret'], censor: '[redacted]' },
            serializers: {
              req: (req: { method: string; url: string; ip?: string; id?: string }) => ({ method: req.method, url: redactUrl(req.url), ip: req.ip, id: req.id }),
            },
          },
  });

  // JSON bodies: an empty body counts as "no body" (so POST /end needs none), anything else must parse.
  app.removeContentTypeParser('application/json');
  // The API speaks JSON only. Fastify's built-in text/plain parser would hand routes a string (a 422 that
  // hides the real mistake, and a string where /v1/media expects bytes); without it such bodies get 415.
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text) as unknown);
    } catch {
      done(new ParleyError('BAD_JSON'), undefined);
    }
  });

  app.setErrorHandler((err, req, reply) => {
    const pe = toParleyError(err);
    if (pe.status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ code: pe.code }, 'request rejected');
    if (pe.retryAfterMs) reply.header('retry-after', String(Math.ceil(pe.retryAfterMs / 1000)));
    return reply.code(pe.status).send(pe.toJSON());
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send(new ParleyError('ROUTE_NOT_FOUND', `No route ${req.method} ${redactUrl(req.url.split('?')[0] ?? '')}.`).toJSON()));

  const origins = config.corsOrigins;
  await app.register(cors, {
    origin: (origin, cb) => cb(null, !origin || origins.includes('*') || origins.includes(origin)),
    methods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'last-event-id'],
    maxAge: 600,
  });
  await app.register(websocket, { options: { maxPayload: config.bodyLimit } });
  return app;
}
