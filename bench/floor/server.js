// The floor: the least a server in Parley's style can do for the same traffic. Bare Fastify +
// @fastify/websocket, the same wire protocol as Parley for what the benchmarks use, in-memory sessions,
// and ONE better-sqlite3 insert (WAL, synchronous=NORMAL) per message. No ownership queries, no
// idempotency, no deliveries, no receipts, no bus. Parley's numbers divided by these are the ratios.
//
// Env: PORT, FLOOR_DATA_DIR. Run as a child process by the benchmarks.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import websocket from '@fastify/websocket';
import SQLite from 'better-sqlite3';
import Fastify from 'fastify';

const port = Number(process.env.PORT || 0);
const dataDir = process.env.FLOOR_DATA_DIR;
if (!dataDir) throw new Error('FLOOR_DATA_DIR is required');

const db = new SQLite(join(dataDir, 'floor.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`CREATE TABLE IF NOT EXISTS events (
  id TEXT PRIMARY KEY,
  conversation_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  author_role TEXT NOT NULL,
  author_id TEXT NOT NULL,
  client_message_id TEXT,
  parts TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (conversation_id, seq)
)`);
const insert = db.prepare(
  'INSERT INTO events (id, conversation_id, seq, author_role, author_id, client_message_id, parts, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
);

const tokens = new Map(); // token → { kind: 'customer', contactId } | { kind: 'agent', agentId }
const conversations = new Map(); // id → { id, contactId, agentId, lastSeq }
const agentSockets = new Map(); // agentId → socket
let rr = 0;

const bearer = (req) => {
  const h = req.headers.authorization;
  return typeof h === 'string' && h.startsWith('Bearer ') ? tokens.get(h.slice(7)) : undefined;
};

/** Validate, store (one insert), and return the event, or an error code. */
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
  insert.run(event.id, conversationId, event.seq, 'customer', principal.contactId, clientMessageId, JSON.stringify(event.parts), event.createdAt);
  c.lastSeq = event.seq;
  const agentSocket = c.agentId ? agentSockets.get(c.agentId) : undefined;
  if (agentSocket && agentSocket.readyState === agentSocket.OPEN) agentSocket.send(JSON.stringify({ type: 'event', event }));
  return { event };
}

const app = Fastify({ logger: false, bodyLimit: 256 * 1024 });
await app.register(websocket, { options: { maxPayload: 256 * 1024 } });

app.get('/healthz', async () => ({ ok: true }));

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
  socket.on('message', (data) => {
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
      socket.send(JSON.stringify({ type: 'ack', ref, duplicate: false, event: r.event }));
    } catch {
      socket.send(JSON.stringify({ type: 'error', ref, code: 'INTERNAL' }));
    }
  });
  socket.send(JSON.stringify({ type: 'ready', cursors: {} }));
});

const stop = () => {
  app.close().finally(() => {
    db.close();
    process.exit(0);
  });
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

await app.listen({ port, host: '127.0.0.1' });
