import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fastAgent, makeQueue } from '../helpers/flows.js';
import { metricsHeaders, startServer, until, type TestServer } from '../helpers/server.js';

// Server-Sent Events on GET /v1/stream, for clients that cannot open a WebSocket. Each event frame
// carries an `id:` (the cursor of every conversation); a reconnect that sends it back as Last-Event-ID
// gets only what came after.

interface SseFrame {
  id?: string;
  event?: string;
  data: any;
}

/** A minimal EventSource over fetch: records frames and can wait for one. */
class SseClient {
  readonly frames: SseFrame[] = [];
  status = 0;
  contentType: string | null = null;
  private readonly abort = new AbortController();
  private waiters: { pred: (f: SseFrame) => boolean; resolve: (f: SseFrame) => void }[] = [];
  private done: Promise<void> = Promise.resolve();

  static async open(url: string, token: string, lastEventId?: string): Promise<SseClient> {
    const c = new SseClient();
    const res = await fetch(`${url}/v1/stream?token=${encodeURIComponent(token)}`, {
      headers: { accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
      signal: c.abort.signal,
    });
    c.status = res.status;
    c.contentType = res.headers.get('content-type');
    if (res.status !== 200 || !res.body) {
      await res.body?.cancel();
      return c;
    }
    c.done = c.read(res.body);
    await c.next((f) => f.event === 'ready');
    return c;
  }

  private async read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of body) {
        buf += decoder.decode(chunk, { stream: true });
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          const frame: Partial<SseFrame> = {};
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith('id: ')) frame.id = line.slice(4);
            else if (line.startsWith('event: ')) frame.event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (!data.length) continue; // retry: and keep-alive comments
          const f: SseFrame = { ...frame, data: JSON.parse(data.join('\n')) };
          this.frames.push(f);
          this.waiters = this.waiters.filter((w) => (w.pred(f) ? (w.resolve(f), false) : true));
        }
      }
    } catch {
      // aborted by close()
    }
  }

  next(pred: (f: SseFrame) => boolean, timeoutMs = 5000): Promise<SseFrame> {
    const found = this.frames.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out waiting for an SSE frame; got ${JSON.stringify(this.frames.slice(-5))}`)), timeoutMs);
      this.waiters.push({ pred, resolve: (f) => (clearTimeout(t), resolve(f)) });
    });
  }

  events(conversationId: string): any[] {
    return this.frames.filter((f) => f.event === 'event' && f.data.event.conversationId === conversationId).map((f) => f.data.event);
  }

  async close(): Promise<void> {
    this.abort.abort();
    await this.done;
  }
}

describe('Server-Sent Events stream', () => {
  let ts: TestServer;
  let queueName: string;
  const open: SseClient[] = [];
  const sse = async (token: string, lastEventId?: string) => {
    const c = await SseClient.open(ts.url, token, lastEventId);
    open.push(c);
    return c;
  };

  beforeAll(async () => {
    ts = await startServer();
    const admin = await fastAgent(ts, { role: 'admin', name: 'Admin' });
    // A manual queue with nobody in it: the chats here wait, so the only events are the ones tests make.
    queueName = (await makeQueue(ts, admin.token, 'manual')).name;
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });
  afterAll(async () => ts?.stop());

  const send = (token: string, conversationId: string, id: string, text: string) =>
    ts.api.post(`/v1/conversations/${conversationId}/messages`, { clientMessageId: id, text }, token);

  it('an SSE client with ?token= receives events as they are appended', async () => {
    const cust = await ts.api.customer();
    const stream = await sse(cust.token);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);

    const opened = await ts.api.post('/v1/conversations', { queue: queueName }, cust.token);
    const conversationId: string = opened.body.conversation.id;
    const queued = await stream.next((f) => f.event === 'event' && f.data.event.kind === 'conversation.queued');
    expect(queued.data.event.conversationId).toBe(conversationId);
    expect(queued.id).toBe(`${conversationId}:1`);
    // Non-event frames (queue position) come through too, without an id.
    const position = await stream.next((f) => f.event === 'availability');
    expect(position.id).toBeUndefined();
    expect(position.data).toMatchObject({ conversationId, position: 1 });

    await send(cust.token, conversationId, 'm-1', 'hello over SSE');
    const msg = await stream.next((f) => f.event === 'event' && f.data.event.clientMessageId === 'm-1');
    expect(msg.data.event).toMatchObject({ kind: 'message', seq: 2, parts: [{ type: 'text', text: 'hello over SSE' }], status: 'sent' });
    expect(msg.id).toBe(`${conversationId}:2`);
  });

  it('reconnecting with Last-Event-ID replays only what came after', async () => {
    const cust = await ts.api.customer();
    const conversationId: string = (await ts.api.post('/v1/conversations', { queue: queueName }, cust.token)).body.conversation.id;
    await send(cust.token, conversationId, 'm-1', 'first');
    await send(cust.token, conversationId, 'm-2', 'second');

    const first = await sse(cust.token);
    await first.next((f) => f.event === 'event' && f.data.event.clientMessageId === 'm-2');
    expect(first.events(conversationId).map((e) => e.seq)).toEqual([1, 2, 3]);
    const lastId = [...first.frames].reverse().find((f) => f.event === 'event')?.id as string;
    expect(lastId).toBe(`${conversationId}:3`);
    await first.close();

    // Written while the client was away.
    await send(cust.token, conversationId, 'm-3', 'third');
    await send(cust.token, conversationId, 'm-4', 'fourth');

    const again = await sse(cust.token, lastId);
    await again.next((f) => f.event === 'event' && f.data.event.clientMessageId === 'm-4');
    const replayed = again.events(conversationId);
    expect(replayed.map((e) => e.seq)).toEqual([4, 5]);
    expect(replayed.map((e) => e.parts[0].text)).toEqual(['third', 'fourth']);
    // And it stays live after the replay.
    await send(cust.token, conversationId, 'm-5', 'fifth');
    const live = await again.next((f) => f.event === 'event' && f.data.event.clientMessageId === 'm-5');
    expect(live.id).toBe(`${conversationId}:6`);
  });

  it('a Last-Event-ID holding several conversations resumes each from its own cursor', async () => {
    const cust = await ts.api.customer();
    const a: string = (await ts.api.post('/v1/conversations', { queue: queueName }, cust.token)).body.conversation.id;
    await send(cust.token, a, 'a-1', 'in a');
    await ts.api.post(`/v1/conversations/${a}/end`, undefined, cust.token);
    const b: string = (await ts.api.post('/v1/conversations', { queue: queueName }, cust.token)).body.conversation.id;
    await send(cust.token, b, 'b-1', 'in b');

    const again = await sse(cust.token, `${a}:2,${b}:1`);
    expect(again.events(a).map((e) => e.kind)).toEqual(['conversation.ended']);
    expect(again.events(b).map((e) => e.seq)).toEqual([2]);
  });

  it('a bad token gets 401 and no stream', async () => {
    const bad = await sse('not-a-token');
    expect(bad.status).toBe(401);
    const missing = await fetch(`${ts.url}/v1/stream`, { headers: { accept: 'text/event-stream' } });
    expect(missing.status).toBe(401);
    expect(((await missing.json()) as any).error.code).toBe('PARLEY_E_UNAUTHENTICATED');
  });

  it('closing an SSE client ends its session on the server', async () => {
    const gauge = async () => {
      const text = await (await fetch(`${ts.url}/metrics`, { headers: metricsHeaders })).text();
      const m = /parley_stream_sessions\{kind="customer",transport="sse"\} (\d+)/.exec(text);
      return Number(m?.[1] ?? 0);
    };
    // Earlier tests' clients were closed in afterEach; wait until the server has noticed all of them.
    await until(async () => (await gauge()) === 0, 3000, 'earlier SSE sessions to close');
    const c = await sse((await ts.api.customer()).token);
    expect(await gauge()).toBe(1);
    await c.close();
    await until(async () => (await gauge()) === 0, 3000, 'the SSE session to close');
  });
});
