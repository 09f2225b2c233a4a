import { describe, expect, it } from 'vitest';
import { CustomerClient, MemoryStorage, type ParleyEvent, type WebSocketLike } from '../../sdk/src/index.js';
import { ConversationLog } from '../../sdk/src/log.js';
import { until } from '../helpers/server.js';

// The ordering rules without a hub: a scripted socket and fetch, so the exact frames are under control.

const ev = (seq: number, conversationId = 'cv_1'): ParleyEvent => ({
  id: `ev_${conversationId}_${seq}`,
  conversationId,
  seq,
  kind: 'message',
  parts: [{ type: 'text', text: `#${seq}` }],
  author: { role: 'agent', id: 'ag_1', name: 'Alice' },
  origin: 'desk',
  createdAt: new Date(1_700_000_000_000 + seq).toISOString(),
});

class ScriptedSocket implements WebSocketLike {
  static last: ScriptedSocket | undefined;
  static urls: string[] = [];
  readyState = 1;
  sent: unknown[] = [];
  onopen: WebSocketLike['onopen'] = null;
  onmessage: WebSocketLike['onmessage'] = null;
  onclose: WebSocketLike['onclose'] = null;
  onerror: WebSocketLike['onerror'] = null;
  constructor(readonly url: string) {
    ScriptedSocket.last = this;
    ScriptedSocket.urls.push(url);
    queueMicrotask(() => this.onopen?.({}));
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.readyState = 3;
  }
  frame(f: unknown): void {
    this.onmessage?.({ data: JSON.stringify(f) });
  }
  drop(code = 1006): void {
    this.readyState = 3;
    this.onclose?.({ code, reason: '' });
  }
}

describe('SDK ordering rules', () => {
  it('a conversation log accepts events once, in order, and holds back those that skip ahead', () => {
    const log = new ConversationLog('cv_1');
    expect(log.offer(ev(1)).map((e) => e.seq)).toEqual([1]);
    expect(log.offer(ev(1))).toEqual([]);
    expect(log.offer(ev(3))).toEqual([]);
    expect(log.hasGap).toBe(true);
    expect(log.offer(ev(2)).map((e) => e.seq)).toEqual([2, 3]);
    expect(log.hasGap).toBe(false);
    expect(log.cursor).toBe(3);
    // A stored snapshot with junk in it restores to the contiguous tail that ends at the cursor.
    const restored = ConversationLog.restore('cv_1', { ...log.snapshot(), events: [ev(3), ev(1), ev(2), ev(2)] });
    expect(restored?.events.map((e) => e.seq)).toEqual([2, 3]);
    expect(restored?.cursor).toBe(3);
  });

  it('a frame that skips ahead makes the client read the gap over REST; each event is emitted once, in order', async () => {
    const asked: string[] = [];
    const fetchStub: typeof fetch = async (input) => {
      const url = new URL(String(input));
      asked.push(url.pathname + url.search);
      const json = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
      if (url.pathname === '/v1/sessions') return new Response(JSON.stringify({ token: 'tok', contact: { id: 'ct_1', name: null, email: null, verified: false, createdAt: '' } }), { status: 201 });
      if (url.pathname === '/v1/conversations/cv_1/events') return json({ events: [ev(2), ev(3), ev(4)].filter((e) => e.seq > Number(url.searchParams.get('after'))), lastSeq: 4 });
      return new Response('{"error":{"code":"PARLEY_E_NOT_FOUND","message":"no","retryable":false}}', { status: 404 });
    };
    const connecting = CustomerClient.connect({ baseUrl: 'http://hub.test', fetch: fetchStub, WebSocket: ScriptedSocket, storage: new MemoryStorage(), reconnect: { minMs: 10, maxMs: 20 } });
    await until(() => ScriptedSocket.last, 2000, 'socket');
    ScriptedSocket.last!.frame({ type: 'ready', cursors: {} });
    const c = await connecting;
    expect(c.connectionState).toBe('open');
    const seen: number[] = [];
    c.on('event', (e) => seen.push(e.seq));

    const s = ScriptedSocket.last!;
    s.frame({ type: 'event', event: ev(1) });
    s.frame({ type: 'event', event: ev(3) }); // 2 is missing
    await until(() => seen.length === 4, 2000, 'gap filled');
    expect(asked).toContain('/v1/conversations/cv_1/events?after=1&limit=500');
    s.frame({ type: 'event', event: ev(2) }); // late duplicates change nothing
    s.frame({ type: 'event', event: ev(4) });
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(c.history('cv_1').map((e) => e.seq)).toEqual([1, 2, 3, 4]);

    // The socket drops: the next one asks to resume after seq 4, with the token in the query only.
    s.drop();
    expect(c.connectionState).toBe('offline');
    await until(() => ScriptedSocket.last !== s, 2000, 'reconnect');
    const url = new URL(ScriptedSocket.last!.url);
    expect(url.protocol).toBe('ws:');
    expect(JSON.parse(url.searchParams.get('cursors')!)).toEqual({ cv_1: 4 });
    c.close();
    expect(c.connectionState).toBe('closed');
  });
});
