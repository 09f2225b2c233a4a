import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import cors from '@fastify/cors';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import { ParleyError, isParleyError } from '../core/errors.js';
import { NUL_REFUSED, parseJson, urlHasNul } from '../core/json.js';
import { redactUrl } from '../core/redact.js';
import type { Config } from '../config.js';
import { isConstraintViolation } from '../store/constraint.js';
import { Upgrades } from './upgrade.js';

// The Fastify instance with Parley's cross-cutting rules: one error shape from the catalogue for every
// failure (including Fastify's own parse errors), JSON logs with no tokens in them, a CORS allowlist.

// Credentials in logged URLs: redactUrl (src/core/redact.ts), the same rule as the vendor client's.
export { redactUrl };

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
  // A unique key taken by a concurrent request, or a row a concurrent request removed: the caller's
  // conflict, never a 500.
  if (isConstraintViolation(err)) return new ParleyError('CONFLICT', 'A concurrent change conflicts with this request; read the current state and retry.');
  if (e.statusCode === 429) return new ParleyError('RATE_LIMITED');
  if (e.statusCode === 413) return new ParleyError('PAYLOAD_TOO_LARGE');
  if (e.statusCode === 415) return new ParleyError('UNSUPPORTED_MEDIA_TYPE');
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return new ParleyError('VALIDATION', e.message);
  return new ParleyError('INTERNAL', undefined, { cause: err });
}

/** `logStream`: where JSON log lines go (stdout by default; tests collect them to assert there are no errors). */
/**
 * Errors Node's HTTP parser finds before Fastify sees a request (bad framing, oversized headers, a slow
 * client), answered in the catalogue's shape like every other error, straight onto the socket.
 */
function clientErrorHandler(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const pe =
    err.code === 'HPE_HEADER_OVERFLOW' ? new ParleyError('HEADERS_TOO_LARGE') : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? new ParleyError('REQUEST_TIMEOUT') : new ParleyError('BAD_REQUEST');
  // A HEAD answer has no body (the client would read one as garbage); the parser kept the request's bytes.
  const raw = (err as { rawPacket?: unknown }).rawPacket;
  const body = Buffer.isBuffer(raw) && raw.subarray(0, 5).toString('latin1') === 'HEAD ' ? '' : JSON.stringify(pe.toJSON());
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${pe.status} ${STATUS_CODES[pe.status] ?? 'Error'}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}

/**
 * A WebSocket upgrade that gets a plain HTTP answer (404, a preflight's 204, a router 414) has a socket no
 * server will read again: close it once the answer is written, or it lingers in CLOSE-WAIT (found by the
 * fuzz suite).
 */
function closeAfterRefusedUpgrade(req: IncomingMessage, res: ServerResponse): void {
  if (!req.headers.upgrade) return;
  res.once('finish', () => req.socket.destroy());
}

export async function createApp(config: Config, opts: { logStream?: NodeJS.WritableStream } = {}): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: config.bodyLimit,
    forceCloseConnections: 'idle',
    // While closing, requests still arriving on kept-alive connections get the catalogue's 503 (the hook
    // below) instead of Fastify's own body.
    return503OnClosing: false,
    clientErrorHandler,
    // Router errors (a path that is not valid percent-encoding, a path parameter over maxParamLength) in the
    // catalogue's shape too.
    frameworkErrors: (err, req, reply) => {
      closeAfterRefusedUpgrade(req.raw, reply.raw);
      const pe = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? new ParleyError('URI_TOO_LONG') : new ParleyError('BAD_REQUEST', err.code === 'FST_ERR_BAD_URL' ? 'The URL is not valid percent-encoding.' : undefined);
      // A HEAD answer has no body: one here would be read by the client as garbage after the response.
      const r = (reply as unknown as FastifyReply).code(pe.status);
      void (req.method === 'HEAD' ? r.send() : r.send(pe.toJSON()));
    },
    // Forwarded headers are believed only from the operator's own proxies; otherwise any client could pick
    // its address per request and walk around the per-IP rate limits.
    trustProxy: config.trustProxy.length ? config.trustProxy : false,
    logger:
      config.logLevel === 'silent'
        ? false
        : {
            level: config.logLevel,
            ...(opts.logStream ? { stream: opts.logStream } : {}),
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
      done(null, parseJson(text, () => new ParleyError('BAD_JSON')));
    } catch (err) {
      done(err as ParleyError, undefined);
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

  // Before CORS (whose preflight answer ends the request early): see closeAfterRefusedUpgrade.
  app.addHook('onRequest', async (req, reply) => {
    const cfg = req.routeOptions.config as { websocket?: boolean } | undefined;
    if (cfg?.websocket !== true) closeAfterRefusedUpgrade(req.raw, reply.raw);
    // A path or query that decodes to U+0000 names nothing Parley has, and PostgreSQL cannot compare with it.
    if (urlHasNul(req.url)) {
      // Refused before the stream route could take the socket: close it after the answer, as above.
      if (cfg?.websocket === true) closeAfterRefusedUpgrade(req.raw, reply.raw);
      throw new ParleyError('BAD_REQUEST', NUL_REFUSED);
    }
  });

  const origins = config.corsOrigins;
  await app.register(cors, {
    origin: (origin, cb) => cb(null, !origin || origins.includes('*') || origins.includes(origin)),
    methods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'last-event-id'],
    maxAge: 600,
    // An OPTIONS without Origin is not a browser's preflight: answer it like any request (204), not with
    // the plugin's plain-text 400.
    strictPreflight: false,
  });
  // Node answers an unknown `Expect` header with a bare 417 unless someone listens: say why, in our shape.
  app.server.on('checkExpectation', (_req, res) => {
    const pe = new ParleyError('EXPECTATION_FAILED');
    const body = JSON.stringify(pe.toJSON());
    res.writeHead(pe.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' }).end(body);
  });
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    // Node closes idle kept-alive connections when the server closes, but one whose request was still in
    // flight then goes idle afterwards and would wait out the whole keep-alive (72 s) before close could
    // finish: from now on a connection that finishes its response is closed at once.
    app.server.keepAliveTimeout = 1;
  });
  // WebSocket upgrades (src/http/upgrade.ts): the stream takes its own; one these hooks would refuse before
  // any route is never taken early, so it gets the same answer as through Fastify.
  const upgrades = new Upgrades(app, (req) => closing || urlHasNul(req.url ?? ''));
  // Only routes that declare `config: { websocket: true }` (the stream) take a socket; an upgrade anywhere
  // else is refused before its route runs, as a plain HTTP 404.
  app.addHook('onRequest', async (req, reply) => {
    if (closing) {
      reply.header('connection', 'close');
      throw new ParleyError('UNAVAILABLE', 'Parley is shutting down; retry on another node or in a moment.', { retryAfterMs: 1000 });
    }
    if (!upgrades.pendingOf(req.raw)) return;
    const cfg = req.routeOptions.config as { websocket?: boolean } | undefined;
    if (cfg?.websocket === true) return;
    return reply.code(404).send(new ParleyError('ROUTE_NOT_FOUND', 'WebSocket connections are accepted only on /v1/stream.').toJSON());
  });
  return app;
}
