import { errorFromJson, networkError } from './http.js';
import type { Availability, ConnectionState, Offer, ParleyApiError, ParleyEvent, TypingSignal, WebSocketConstructor, WebSocketLike } from './types.js';

// The live stream: one WebSocket to /v1/stream, reopened with exponential backoff and jitter whenever it
// drops. Each attempt asks the client for a fresh URL, so it carries the cursors the client holds at that
// moment and the hub replays exactly what was missed. The stream counts as 'open' only once the hub says
// `ready` (the replay is done); a socket that closes before that may have been refused for its token, which
// a browser cannot see (the handshake status is hidden), so the client is asked to check.

export type InFrame =
  | { type: 'event'; event: ParleyEvent }
  | ({ type: 'typing' } & TypingSignal)
  | ({ type: 'availability' } & Availability)
  | { type: 'offer'; offer: Offer }
  | { type: 'ready'; cursors: Record<string, number> }
  /** This stream may no longer read the conversation (taken by another agent, transferred away, ended in a queue). */
  | { type: 'revoked'; conversationId: string }
  | { type: 'ack'; ref: string; duplicate?: boolean; event?: ParleyEvent | null }
  | { type: 'error'; ref?: string; error: { code: string; message: string; retryable: boolean; details?: unknown } }
  | { type: 'pong'; ref?: string };

export interface StreamHooks {
  /** The URL for the next attempt (token and current cursors included). */
  url(): string;
  onFrame(frame: InFrame): void;
  onState(state: ConnectionState): void;
  /** The socket closed before it was ready: 'stop' if the token is to blame (the client handles it). */
  onRefused(closeCode: number): Promise<'retry' | 'stop'>;
}

export interface StreamConfig {
  minMs: number;
  maxMs: number;
  timeoutMs: number;
  /** How often to prove the connection is alive; a silent one (a laptop that slept) is replaced. */
  pingMs: number;
}

type Waiter = { resolve(f: InFrame): void; reject(e: ParleyApiError): void; timer: ReturnType<typeof setTimeout> };

export class Stream {
  state: ConnectionState = 'closed';
  private ws: WebSocketLike | undefined;
  private ready = false;
  private stopped = true;
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private lastFrameAt = 0;
  private readonly waiting = new Map<string, Waiter>();
  private readonly onOnline = (): void => {
    if (!this.stopped && this.state === 'offline') this.reconnect();
  };

  constructor(
    private readonly WS: WebSocketConstructor,
    private readonly hooks: StreamHooks,
    private readonly cfg: StreamConfig,
  ) {}

  get isReady(): boolean {
    return this.ready;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    // Browsers say when the network comes back: no need to wait out the backoff then.
    (globalThis as { addEventListener?: (t: string, f: () => void) => void }).addEventListener?.('online', this.onOnline);
    this.open();
  }

  /** Drop the current socket (if any) and connect again now, with the backoff reset. */
  reconnect(): void {
    if (this.stopped) return;
    this.detach();
    this.failWaiting();
    this.attempt = 0;
    this.open();
  }

  close(): void {
    this.stopped = true;
    (globalThis as { removeEventListener?: (t: string, f: () => void) => void }).removeEventListener?.('online', this.onOnline);
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.detach();
    this.failWaiting();
    this.setState('closed');
  }

  /** Send a frame if the stream is ready; false if not (the caller falls back to REST or waits). */
  send(frame: Record<string, unknown>): boolean {
    if (!this.ready || !this.ws) return false;
    try {
      this.ws.send(JSON.stringify(frame));
      return true;
    } catch {
      return false;
    }
  }

  /** Send a frame with a `ref` and wait for the hub's ack (or error) with that ref. */
  request(frame: Record<string, unknown> & { ref: string }): Promise<InFrame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(frame.ref);
        reject(networkError(true));
      }, this.cfg.timeoutMs);
      this.waiting.get(frame.ref)?.reject(networkError());
      this.waiting.set(frame.ref, { resolve, reject, timer });
      if (!this.send(frame)) {
        clearTimeout(timer);
        this.waiting.delete(frame.ref);
        reject(networkError());
      }
    });
  }

  private open(): void {
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.setState('connecting');
    let ws: WebSocketLike;
    try {
      ws = new this.WS(this.hooks.url());
    } catch {
      this.lost(1006);
      return;
    }
    this.ws = ws;
    this.ready = false;
    ws.onopen = () => undefined;
    ws.onerror = () => undefined; // a close always follows; that is where it is handled
    ws.onclose = (ev) => {
      if (this.ws === ws) this.lost(ev.code);
    };
    ws.onmessage = (ev) => {
      if (this.ws !== ws) return;
      this.lastFrameAt = Date.now();
      let frame: InFrame;
      try {
        frame = JSON.parse(typeof ev.data === 'string' ? ev.data : String(ev.data)) as InFrame;
      } catch {
        return;
      }
      this.handle(frame);
    };
  }

  private handle(frame: InFrame): void {
    if (frame.type === 'ready') {
      this.ready = true;
      this.attempt = 0;
      this.startPings();
      this.setState('open');
    }
    if ((frame.type === 'ack' || frame.type === 'error' || frame.type === 'pong') && frame.ref !== undefined) {
      const w = this.waiting.get(frame.ref);
      if (w) {
        this.waiting.delete(frame.ref);
        clearTimeout(w.timer);
        if (frame.type === 'error') w.reject(errorFromJson(frame.error));
        else w.resolve(frame);
        return;
      }
    }
    this.hooks.onFrame(frame);
  }

  private lost(code: number): void {
    const wasReady = this.ready;
    this.detach();
    this.failWaiting();
    if (this.stopped) return;
    this.setState('offline');
    if (wasReady && code !== 4401 && code !== 4403) {
      this.schedule();
      return;
    }
    void this.hooks.onRefused(code).then(
      (verdict) => {
        if (verdict === 'retry' && !this.stopped && this.ws === undefined) this.schedule();
      },
      () => this.schedule(),
    );
  }

  private schedule(): void {
    if (this.stopped || this.retryTimer !== undefined) return;
    const base = Math.min(this.cfg.maxMs, this.cfg.minMs * 2 ** Math.min(this.attempt, 20));
    this.attempt++;
    // Jitter spreads the reconnects of many clients after a hub restart.
    const delay = base / 2 + Math.random() * (base / 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopped && this.ws === undefined) this.open();
    }, delay);
  }

  private startPings(): void {
    if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
    this.lastFrameAt = Date.now();
    this.pingTimer = setInterval(() => {
      if (!this.ready) return;
      if (Date.now() - this.lastFrameAt > this.cfg.pingMs + this.cfg.timeoutMs) {
        this.lost(1006);
        return;
      }
      this.send({ type: 'ping' });
    }, this.cfg.pingMs);
  }

  private detach(): void {
    if (this.pingTimer !== undefined) clearInterval(this.pingTimer);
    this.pingTimer = undefined;
    const ws = this.ws;
    this.ws = undefined;
    this.ready = false;
    if (!ws) return;
    ws.onopen = null;
    ws.onmessage = null;
    ws.onclose = null;
    // Keep an error handler: the `ws` package emits 'error' when a connecting socket is closed, and an
    // EventEmitter with no 'error' listener throws.
    ws.onerror = () => undefined;
    try {
      ws.close(1000, 'bye');
    } catch {
      /* already closed */
    }
  }

  private failWaiting(): void {
    for (const [ref, w] of this.waiting) {
      clearTimeout(w.timer);
      this.waiting.delete(ref);
      w.reject(networkError());
    }
  }

  private setState(s: ConnectionState): void {
    if (this.state === s) return;
    this.state = s;
    this.hooks.onState(s);
  }
}
