import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueue } from '../../src/hub/admin.js';
import { agent, sleep, StreamClient, startServer, until, type TestServer } from '../helpers/server.js';

// A dropped stream loses nothing (ARCHITECTURE §4.5): a client whose connection dies mid-burst comes back
// with the last seq it holds and gets exactly what it missed, in order, once. For WebSocket (cursors in
// the query) and Server-Sent Events (Last-Event-ID), as a customer and as an agent.

/** One stream under test, over either transport, reduced to what the resume rule talks about. */
interface Resumable {
  events(conversationId: string): any[];
  /** Kill the connection abruptly (no close handshake). */
  drop(): void;
  close(): Promise<void>;
}

class WsStream implements Resumable {
  private constructor(readonly client: StreamClient) {}
  static async open(url: string, token: string, cursors?: Record<string, number>): Promise<WsStream> {
    const c = await StreamClient.open(url, token, cursors);
    c.ws.on('error', () => undefined);
    return new WsStream(c);
  }
  events(conversationId: string) {
    return this.client.events(conversationId);
  }
  drop() {
    this.client.ws.terminate();
  }
  close() {
    return this.client.close();
  }
}

/** A minimal EventSource over fetch, so the test controls Last-Event-ID and can cut the connection. */
class SseStream implements Resumable {
  readonly frames: { id: string | undefined; event: string; data: any }[] = [];
  lastId: string | undefined;
  private readonly ac = new AbortController();
  private done: Promise<void> = Promise.resolve();

  static async open(url: string, token: string, lastEventId?: string): Promise<SseStream> {
    const s = new SseStream();
    const res = await fetch(`${url}/v1/stream`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${token}`, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
      signal: s.ac.signal,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const body = res.body;
    if (!body) throw new Error('no body');
    s.done = s.read(body);
    await until(() => s.frames.some((f) => f.event === 'ready'), 5000, 'the SSE ready frame');
    return s;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += decoder.decode(value, { stream: true });
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          let id: string | undefined;
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) id = line.slice(4);
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (!data.length) continue; // retry: and keep-alive comments
          if (id !== undefined) this.lastId = id;
          this.frames.push({ id, event, data: JSON.parse(data.join('\n')) });
        }
      }
    } catch {
      // aborted: the connection is gone, like a browser tab losing its network
    }
  }

  events(conversationId: string) {
    return this.frames.filter((f) => f.event === 'event' && f.data.event.conversationId === conversationId).map((f) => f.data.event);
  }
  drop() {
    this.ac.abort();
  }
  async close() {
    this.ac.abort();
    await this.done;
  }
}

const seqsOf = (events: any[]) => events.map((e) => e.seq as number);
const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);

describe('a dropped stream resumes from its cursor and loses nothing', () => {
  let ts: TestServer;
  const open: Resumable[] = [];
  beforeAll(async () => {
    ts = await startServer({ dialect: 'sqlite' });
  });
  afterAll(async () => {
    for (const s of open) await s.close().catch(() => undefined);
    await ts?.stop();
  });

  const lastSeq = async (conversationId: string) =>
    Number((await ts.server.database.db.selectFrom('conversations').select('last_seq').where('id', '=', conversationId).executeTakeFirstOrThrow()).last_seq);

  /** Wait until the stream holds the whole log and the log has stopped growing (receipts trail messages). */
  async function settled(s: Resumable, conversationId: string): Promise<number> {
    return until(
      async () => {
        const last = await lastSeq(conversationId);
        if (s.events(conversationId).at(-1)?.seq !== last) return 0;
        await sleep(250);
        const again = await lastSeq(conversationId);
        return again === last && s.events(conversationId).at(-1)?.seq === last ? last : 0;
      },
      8000,
      'the resumed stream to hold the whole log',
    );
  }

  const cases = [
    { transport: 'ws', viewer: 'customer' },
    { transport: 'ws', viewer: 'agent' },
    { transport: 'sse', viewer: 'customer' },
    { transport: 'sse', viewer: 'agent' },
  ] as const;

  it.each(cases)('$transport, $viewer: 20 messages with a drop in the middle, 20 more while down, then exactly the missing ones', async ({ transport, viewer }) => {
    // A queue of its own, so this agent's stream holds only this test's conversation.
    const queue = await createQueue(ts.server.database.db, { name: `resume-${transport}-${viewer}`, assignment: 'round_robin' });
    const ag = await agent(ts, { name: 'Rita', queues: [queue.name] });
    const cust = await ts.api.customer();
    const token = viewer === 'customer' ? cust.token : ag.token;

    const connect = async (cursor?: { conversationId: string; seq: number; lastEventId?: string | undefined }): Promise<Resumable> => {
      const s =
        transport === 'ws'
          ? await WsStream.open(ts.url, token, cursor ? { [cursor.conversationId]: cursor.seq } : undefined)
          : await SseStream.open(ts.url, token, cursor?.lastEventId);
      open.push(s);
      return s;
    };

    // The agent must be online to be assigned: their stream is either the one under test or a helper.
    let stream: Resumable | undefined = viewer === 'agent' ? await connect() : undefined;
    if (viewer === 'customer') open.push(await WsStream.open(ts.url, ag.token));
    const opened = await ts.api.post('/v1/conversations', { queue: queue.id }, cust.token);
    expect(opened.status).toBe(201);
    const conversationId: string = opened.body.conversation.id;
    await until(async () => (await ts.api.get(`/v1/conversations/${conversationId}`, cust.token)).body.conversation.phase === 'active', 5000, 'assignment');
    stream ??= await connect();
    const first = stream;

    // The other side writes; the viewer's connection dies after the 10th of the first 20.
    const send = (i: number) =>
      viewer === 'customer'
        ? ts.api.post(`/v1/agent/conversations/${conversationId}/messages`, { clientMessageId: `m-${i}`, text: `reply ${i}` }, ag.token)
        : ts.api.post(`/v1/conversations/${conversationId}/messages`, { clientMessageId: `m-${i}`, text: `question ${i}` }, cust.token);
    const ids = range(0, 39).map((i) => `m-${i}`);
    for (let i = 0; i < 20; i++) {
      expect((await send(i)).status).toBe(201);
      if (i === 9) first.drop();
    }
    for (let i = 20; i < 40; i++) expect((await send(i)).status).toBe(201);

    // What the dead connection held: a gap-free prefix of the log.
    const before = first.events(conversationId);
    const lastSeen = before.at(-1)?.seq as number;
    expect(seqsOf(before)).toEqual(range(1, lastSeen));
    const lastEventId = first instanceof SseStream ? first.lastId : undefined;
    if (first instanceof SseStream) expect(lastEventId).toBe(`${conversationId}:${lastSeen}`);

    const resumed = await connect({ conversationId, seq: lastSeen, lastEventId });
    const last = await settled(resumed, conversationId);
    const after = resumed.events(conversationId);
    // Exactly the missing events: everything after the cursor, in order, each once (a receipt committed
    // after the log settled may trail; it must then follow in order too).
    expect(seqsOf(after)).toEqual(range(lastSeen + 1, Math.max(last, after.at(-1)?.seq ?? 0)));
    // Between the two connections every message arrived exactly once.
    const messages = [...before, ...after].filter((e) => e.kind === 'message').map((e) => e.clientMessageId);
    expect(messages).toEqual(ids);
    // The drop really was mid-burst: some messages came before it and some only after the resume.
    expect(before.some((e) => e.kind === 'message')).toBe(true);
    expect(after.filter((e) => e.kind === 'message').length).toBeGreaterThanOrEqual(20);
  });
});
