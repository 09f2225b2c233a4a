import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parse as parseQuery } from 'fast-querystring';
import { z } from 'zod';
import type { CustomerActions } from '../channels/web/actions.js';
import type { AgentActions } from '../desks/inbox/actions.js';
import { isParleyError, ParleyError } from '../core/errors.js';
import { parseJson } from '../core/json.js';
import type { Principal } from '../http/auth.js';
import { SendMessage } from '../http/inputs.js';
import { presentEvent } from '../http/present.js';
import { documented, parseInput, type Credentials } from '../http/route.js';
import type { Services } from '../http/services.js';
import { upgradesOf } from '../http/upgrade.js';
import { StreamSession, type OutFrame, type SessionTransport, type Viewer } from './session.js';
import { SocketStreams, type Admitted, type SocketStream } from './socket.js';
import { atTime } from './timer.js';

// GET /v1/stream: a WebSocket (bidirectional: send, typing, read over the socket) or, for clients that
// cannot open one, Server-Sent Events (receive only; send with the REST API). Both resume from cursors.

const Cursors = z.record(z.string().max(100), z.number().int().min(0));

const InFrame = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ping'), ref: z.string().max(100).optional() }),
  z.object({ type: z.literal('message'), conversationId: z.string().min(1), ref: z.string().max(100).optional() }).passthrough(),
  z.object({ type: z.literal('typing'), conversationId: z.string().min(1), typing: z.boolean(), ref: z.string().max(100).optional() }),
  z.object({ type: z.literal('read'), conversationId: z.string().min(1), seq: z.number().int().min(1), ref: z.string().max(100).optional() }),
  // Admins: follow any conversation's raw events live (the console's event inspector).
  z.object({ type: z.literal('watch'), conversationId: z.string().min(1).max(100), after: z.number().int().min(0).optional(), ref: z.string().max(100).optional() }),
]);

/** Cursors come as ?cursors=<json>, or (SSE) in Last-Event-ID as "conv:seq,conv:seq". */
export function parseCursors(query: unknown, lastEventId: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  const raw = (query as { cursors?: unknown }).cursors;
  if (typeof raw === 'string' && raw.length) {
    const parsed = parseJson(raw, () => new ParleyError('VALIDATION', 'cursors must be a JSON object of conversation id → seq.'));
    Object.assign(out, parseInput(Cursors, parsed, 'cursors'));
  }
  if (lastEventId) {
    for (const pair of lastEventId.split(',')) {
      const [id, seq] = pair.split(':');
      const n = Number(seq);
      if (id && Number.isInteger(n) && n >= 0) out[id] = Math.max(out[id] ?? 0, n);
    }
  }
  return out;
}

export function streamRoutes(app: FastifyInstance, s: Services, customer: CustomerActions, agent: AgentActions): void {
  async function viewerOf(p: Principal): Promise<Viewer> {
    if (p.kind === 'customer') return { kind: 'customer', contactId: p.contactId };
    if (p.kind === 'agent') return { kind: 'agent', agent: await agent.me(p), tokenEpoch: p.epoch ?? 0 };
    throw new ParleyError('FORBIDDEN', 'Streams are for customer and agent tokens.');
  }

  /** Who may open a stream, and from where it resumes: one rule for SSE and both ways a WebSocket comes in. */
  async function admit(req: Credentials): Promise<Admitted> {
    const p = await s.authenticate(req, 'any', { queryToken: true });
    if (!p) throw new ParleyError('UNAUTHENTICATED');
    // Refused before any upgrade: an API key gets a plain 403, not a socket that is opened and closed.
    if (p.kind === 'apikey') throw new ParleyError('FORBIDDEN', 'Streams are for customer and agent tokens.');
    const lastEventId = req.headers['last-event-id'];
    return { principal: p, cursors: parseCursors(req.query, typeof lastEventId === 'string' ? lastEventId : undefined) };
  }

  const sockets = new SocketStreams(s, viewerOf, handleFrame);

  // Hijacked SSE responses are invisible to Fastify's close; end them ourselves so shutdown finishes. Open
  // WebSockets are closed too, as they were never Fastify's either.
  const openSse = new Set<import('node:http').ServerResponse>();
  app.addHook('preClose', async () => {
    for (const r of openSse) r.end();
    sockets.closeAll();
  });

  const principals = new WeakMap<FastifyRequest, Admitted>();

  // A WebSocket on /v1/stream is admitted here, before Fastify sees the request (src/http/upgrade.ts): an idle
  // socket then holds no Fastify request, reply or logger. The query is parsed by Fastify's own parser, so
  // the token and cursors read the same either way. A refusal goes on through Fastify, which answers it like
  // any refused request (the preValidation below throws it): a plain 401/403/422 and no socket.
  const upgrades = upgradesOf(app);
  const refused = new WeakMap<IncomingMessage, unknown>();
  async function takeUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    let admitted: Admitted;
    try {
      admitted = await admit({ headers: req.headers, query: q === -1 ? {} : parseQuery(url.slice(q + 1)) });
    } catch (err) {
      refused.set(req, err);
      upgrades.answer(req, socket, head);
      return;
    }
    sockets.accept(req, socket, head, admitted);
  }
  upgrades.claim('/v1/stream', (req, socket, head) => {
    takeUpgrade(req, socket, head).catch((err: unknown) => {
      s.log.warn({ err }, 'a stream upgrade failed');
      socket.destroy();
    });
  });

  if (!documented.some((d) => d.url === '/v1/stream')) {
    documented.push({
      method: 'GET',
      url: '/v1/stream',
      operationId: 'openStream',
      otherResponses: { 101: { description: 'Switching Protocols: sent with Upgrade: websocket, the stream is a WebSocket of JSON frames both ways.' } },
      summary:
        'Live events, typing, queue position and offers. WebSocket (send message/typing/read frames too; admins may send {"type":"watch","conversationId"} to follow any conversation) or, with Accept: text/event-stream, Server-Sent Events. Resume with ?cursors={"<conversationId>":<lastSeq>} or Last-Event-ID.',
      tags: ['stream'],
      auth: 'any',
      status: 200,
      query: z.object({ token: z.string().optional(), cursors: z.string().optional() }),
      produces: 'text/event-stream',
    });
  }

  app.route({
    method: 'GET',
    url: '/v1/stream',
    // Marks the one route that takes WebSocket upgrades (src/http/app.ts refuses them everywhere else).
    config: { websocket: true },
    // No HEAD twin: a HEAD would open a live session whose response never ends (found by the fuzz suite).
    exposeHeadRoute: false,
    // Authenticate before the upgrade, so a bad token gets a plain 401 and no socket.
    preValidation: async (req) => {
      // Already refused when the upgrade came in: answer that, without asking again.
      if (refused.has(req.raw)) throw refused.get(req.raw);
      principals.set(req, await admit(req));
    },
    handler: async (req, reply) => {
      const { principal, cursors } = principals.get(req) ?? { principal: undefined, cursors: {} };
      if (!principal) throw new ParleyError('UNAUTHENTICATED');
      // A WebSocket whose path Fastify routed here in another spelling (`/v1/%73tream`): the same stream.
      const upgrade = upgrades.release(req.raw, reply.raw);
      if (upgrade) {
        reply.hijack();
        sockets.accept(req.raw, upgrade.socket, upgrade.head, { principal, cursors });
        return;
      }
      const viewer = await viewerOf(principal);
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        ...corsHeaders(req, s),
      });
      raw.write('retry: 2000\n\n');
      openSse.add(raw);
      let session: StreamSession | undefined = undefined;
      const transport: SessionTransport = {
        send(frame: OutFrame, written?: () => void) {
          if (raw.writableEnded) return;
          const id = frame.type === 'event' && session ? `id: ${session.cursorString()}\n` : '';
          sockets.corks.cork(raw);
          raw.write(`${id}event: ${frame.type}\ndata: ${JSON.stringify(frame)}\n\n`, (err) => {
            if (!err) written?.();
          });
        },
        // EventSource reconnects by itself; the error frame tells the client why, and its reconnect with the
        // same token then gets the 401/403 that stops it.
        end(error: ParleyError) {
          if (raw.writableEnded) return;
          raw.end(`event: error\ndata: ${JSON.stringify({ type: 'error', ...error.toJSON() })}\n\n`);
        },
      };
      session = new StreamSession(s.hub, s.signer, viewer, transport, cursors);
      const kind = viewer.kind;
      s.metrics.streamSessions.inc({ kind, transport: 'sse' });
      const beat = setInterval(() => raw.write(': keep-alive\n\n'), 15_000);
      const expiry = principal.kind !== 'apikey' && principal.expMs ? atTime(principal.expMs, () => transport.end(new ParleyError('TOKEN_EXPIRED'))) : undefined;
      let finished = false;
      const done = () => {
        if (finished) return;
        finished = true;
        openSse.delete(raw);
        clearInterval(beat);
        expiry?.cancel();
        session?.close();
        s.metrics.streamSessions.dec({ kind, transport: 'sse' });
      };
      // The client went away, or the server ended the stream (authority ended, token expired).
      req.raw.on('close', done);
      raw.on('finish', done);
      await session.start();
    },
  });

  /** One inbound WebSocket frame: act as the stream's holder, answer with an ack, a pong or an error frame. */
  async function handleFrame(stream: SocketStream, text: string): Promise<void> {
    let ref: string | undefined;
    try {
      const json = parseJson(text, () => new ParleyError('BAD_JSON', 'A frame must be one JSON object.'));
      const frame = parseInput(InFrame, json, 'frame');
      ref = frame.ref;
      const v = stream.viewer;
      if (frame.type === 'ping') return stream.send({ type: 'pong', ref });
      if (frame.type === 'message') {
        const input = parseInput(SendMessage, json, 'frame');
        ref ??= input.clientMessageId;
        const r = v.kind === 'customer' ? await customer.send(v.contactId, frame.conversationId, input) : await agent.send({ kind: 'agent', agentId: v.agent.id, role: v.agent.role }, frame.conversationId, input);
        const e = r.events[0];
        return stream.send({ type: 'ack', ref, duplicate: Boolean(r.duplicate), event: e ? presentEvent(e, s.signer, 'sent') : null });
      }
      if (frame.type === 'watch') {
        // The role is read again, not taken from the connect-time snapshot: a demoted admin stops here.
        const me = v.kind === 'agent' ? await agent.me({ kind: 'agent', agentId: v.agent.id, role: v.agent.role }) : undefined;
        if (me?.role !== 'admin') throw new ParleyError('FORBIDDEN', 'Only admins may watch a conversation.');
        await stream.session.watch(frame.conversationId, frame.after);
        if (ref) stream.send({ type: 'ack', ref });
        return;
      }
      if (frame.type === 'typing') {
        if (v.kind === 'customer') await customer.typing(v.contactId, frame.conversationId, frame.typing);
        else await agent.typing({ kind: 'agent', agentId: v.agent.id, role: v.agent.role }, frame.conversationId, frame.typing);
        return;
      }
      if (v.kind === 'customer') await customer.receipt(v.contactId, frame.conversationId, 'read', frame.seq);
      else await agent.receipt({ kind: 'agent', agentId: v.agent.id, role: v.agent.role }, frame.conversationId, 'read', frame.seq);
      if (ref) stream.send({ type: 'ack', ref });
    } catch (e) {
      const err = isParleyError(e) ? e : new ParleyError('INTERNAL');
      stream.send({ type: 'error', ref, ...err.toJSON() });
    }
  }
}

/** SSE bypasses Fastify's reply (hijacked), so CORS headers are set by hand from the same allowlist. */
function corsHeaders(req: FastifyRequest, s: Services): Record<string, string> {
  const origin = req.headers.origin;
  if (!origin) return {};
  const allowed = s.config.corsOrigins.includes('*') || s.config.corsOrigins.includes(origin);
  return allowed ? { 'access-control-allow-origin': origin, vary: 'Origin' } : {};
}
