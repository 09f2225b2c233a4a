// The floor: the least a server in Parley's style can do for the same traffic. Bare Fastify +
// @fastify/websocket, the same wire protocol as Parley for what the benchmarks use, in-memory sessions,
// and ONE insert per message (store.js: better-sqlite3 with WAL and synchronous=NORMAL by default, FULL with
// FLOOR_SYNCHRONOUS=FULL, or PostgreSQL with FLOOR_DATABASE_URL). No ownership queries, no idempotency, no
// deliveries, no receipts, no bus. Parley's numbers divided by these are the ratios.
//
// Env: PORT, FLOOR_DATA_DIR, FLOOR_SYNCHRONOUS, FLOOR_DATABASE_URL. Run as a child process by the benchmarks.
import { randomUUID } from 'node:crypto';
import websocket from '@fastify/websocket';
import Fastify from 'fastify';
import { openStore } from './store.js';

const port = Number(process.env.PORT || 0);
const dataDir = process.env.FLOOR_DATA_DIR;

const store = await openStore(process.env, dataDir);

const tokens = new Map(); // token → { kind: 'customer', contactId } | { kind: 'agent', agentId }
const conversations = new Map(); // id → { id, contactId, agentId, lastSeq }
const agentSockets = new Map(); // agentId → socket
let rr = 0;

const bearer = (req) => {
  const h = req.headers.authorization;
  return typeof h === 'string' && h.startsWith('Bearer ') ? tokens.get(h.slice(7)) : undefined;
};

/**
 * Validate, store (one insert), and return the event, or an error code. `stored` is a promise to await
 * before answering when the store is asynchronous (PostgreSQL); the seq is taken before it, synchronously.
 */
function append(principal, conversationId, body) {
  if (!principal || principal.kind !== 'customer') return { error: 'UNAUTHENTICATED', status: 401 };
  if (typeof body !== 'object' || body === null) return { error: 'VALIDATION', status: 400 };
  const { clientMessageId, text } = body;
  if (typeof clientMessageId !== 'string' || !clientMessageId || clientMessageId.length > 100 || typeof text !== 'string' || !text || text.length > 10_000) {
    return { error: 'VALIDATION', status: 400 };
  }
  const c = conversations.get(conversationId);
  if (!c || c.contactId !== principal.contactId) return { error: 'CONVERSATION_NOT_FOUND', status: 404 };
  const event = {
    id: randomUUID(),
    conversationId,
    seq: c.lastSeq + 1,
    kind: 'message',
    author: { role: 'customer', id: principal.contactId },
    parts: [{ type: 'text', text }],
    clientMessageId,
    createdAt: new Date().toISOString(),
  };
  c.lastSeq = event.seq;
  const stored = store.insert([event.id, conversationId, event.seq, 'customer', principal.contactId, clientMessageId, JSON.stringify(event.parts), event.createdAt]);
  const fanOut = () => {
    const agentSocket = c.agentId ? agentSockets.get(c.agentId) : undefined;
    if (agentSocket && agentSocket.readyState === agentSocket.OPEN) agentSocket.send(JSON.stringify({ type: 'event', event }));
  };
  if (!stored) fanOut();
  return { event, stored: stored?.then(fanOut) };
}

const app = Fastify({ logger: false, bodyLimit: 256 * 1024 });
await app.register(websocket, { options: { maxPayload: 256 * 1024 } });

app.get('/healthz', async () => ({ ok: true }));
app.get('/readyz', async () => ({ ok: true, store: store.name }));

app.post('/v1/sessions', async (_req, reply) => {
  const contactId = `ct_${randomUUID()}`;
  const token = randomUUID();
  tokens.set(token, { kind: 'customer', contactId });
  return reply.code(201).send({ token, contact: { id: contactId } });
});

app.post('/v1/agent/login', async (req) => {
  const agentId = `ag_${String(req.body?.email ?? randomUUID())}`;
  const token = randomUUID();
  tokens.set(token, { kind: 'agent', agentId });
  return { token, agent: { id: agentId } };
});

app.post('/v1/conversations', async (req, reply) => {
  const p = bearer(req);
  if (!p || p.kind !== 'customer') return reply.code(401).send({ code: 'UNAUTHENTICATED' });
  const online = [...agentSockets.keys()];
  const agentId = online.length ? online[rr++ % online.length] : null;
  const c = { id: `cv_${randomUUID()}`, contactId: p.contactId, agentId, lastSeq: 0 };
  conversations.set(c.id, c);
  return reply.code(201).send({ conversation: { id: c.id, agentId, phase: agentId ? 'active' : 'queued', lastSeq: 0 } });
});

app.post('/v1/conversations/:id/messages', async (req, reply) => {
  const r = append(bearer(req), req.params.id, req.body);
  if (r.error) return reply.code(r.status).send({ code: r.error });
  if (r.stored) await r.stored;
  return reply.code(201).send({ event: r.event, duplicate: false });
});

app.get('/v1/stream', { websocket: true }, (socket, req) => {
  const p = tokens.get(req.query.token);
  if (!p) return socket.close(4401, 'unauthenticated');
  if (p.kind === 'agent') {
    agentSockets.set(p.agentId, socket);
    socket.on('close', () => {
      if (agentSockets.get(p.agentId) === socket) agentSockets.delete(p.agentId);
    });
  }
  socket.on('message', async (data) => {
    let frame;
    try {
      frame = JSON.parse(data.toString());
    } catch {
      return socket.send(JSON.stringify({ type: 'error', code: 'BAD_JSON' }));
    }
    if (frame?.type !== 'message' || typeof frame.conversationId !== 'string') return socket.send(JSON.stringify({ type: 'error', ref: frame?.ref, code: 'VALIDATION' }));
    const ref = frame.ref ?? frame.clientMessageId;
    try {
      const r = append(p, frame.conversationId, frame);
      if (r.error) return socket.send(JSON.stringify({ type: 'error', ref, code: r.error }));
      if (r.stored) await r.stored;
      socket.send(JSON.stringify({ type: 'ack', ref, duplicate: false, event: r.event }));
    } catch {
      socket.send(JSON.stringify({ type: 'error', ref, code: 'INTERNAL' }));
    }
  });
  socket.send(JSON.stringify({ type: 'ready', cursors: {} }));
});

const stop = () => {
  app
    .close()
    .then(() => store.close())
    .finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

await app.listen({ port, host: '127.0.0.1' });
