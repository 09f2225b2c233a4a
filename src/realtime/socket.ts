import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { isParleyError, ParleyError } from '../core/errors.js';
import type { Principal } from '../http/auth.js';
import type { Services } from '../http/services.js';
import { handOver } from '../http/upgrade.js';
import { Corks } from './cork.js';
import { Heartbeat, type Beating } from './heartbeat.js';
import { StreamSession, type OutFrame, type SessionTransport, type Viewer } from './session.js';
import { atTime } from './timer.js';

// The WebSocket side of GET /v1/stream, once the request is admitted (routes.ts). An idle stream should
// cost little more than its socket, so what every stream needs is shared: one ws server, one heartbeat
// timer (heartbeat.ts), one error listener; a stream holds its session, its viewer and three small listeners,
// and nothing of the HTTP request it came from.

const WS_MAX_BUFFER = 8 * 1024 * 1024;
const HEARTBEAT_MS = 25_000;

/** A request allowed to open a stream: who holds it, and where each conversation resumes. */
export interface Admitted {
  principal: Principal;
  cursors: Record<string, number>;
}

/** One inbound frame of a stream (routes.ts): act on it, answer on `stream` with an ack, pong or error frame. */
export type FrameHandler = (stream: SocketStream, text: string) => Promise<void>;

/** WebSocket close codes for ended authority: 4401 (sign in again) and 4403 (not allowed any more). */
export const closeCodeOf = (e: ParleyError): number => (e.status === 403 ? 4403 : 4401);

export class SocketStreams {
  readonly heartbeat = new Heartbeat<SocketStream>(HEARTBEAT_MS);
  private readonly wss: WebSocketServer;
  /**
   * A client that breaks the WebSocket protocol (a frame that is not UTF-8, one over maxPayload) is the
   * client's fault: ws has already closed it with the right code (1007, 1009). Not an error of ours.
   */
  private readonly onProtocolError: (this: WebSocket, error: Error) => void;
  private closing = false;
  /** A tick's frames to one socket go out in one write (cork.ts). */
  readonly corks = new Corks();

  constructor(
    readonly s: Services,
    private readonly viewerOf: (p: Principal) => Promise<Viewer>,
    readonly handleFrame: FrameHandler,
  ) {
    // The streams are tracked by the heartbeat; ws's own client set would add a listener per socket.
    this.wss = new WebSocketServer({ noServer: true, clientTracking: false, maxPayload: s.config.bodyLimit });
    const log = s.log;
    this.onProtocolError = function (error) {
      log.info({ code: (error as NodeJS.ErrnoException).code }, 'stream socket closed for a protocol error');
      this.terminate();
    };
  }

  /** Switch an admitted request's socket to a WebSocket (ws answers a malformed handshake itself) and start its stream. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, admitted: Admitted): void {
    handOver(socket);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.open(ws, socket, admitted).catch((err: unknown) => {
        this.s.log.error({ err }, 'a stream could not start');
        ws.terminate();
      });
    });
  }

  private async open(ws: WebSocket, socket: Duplex, { principal, cursors }: Admitted): Promise<void> {
    ws.on('error', this.onProtocolError);
    let viewer: Viewer;
    try {
      viewer = await this.viewerOf(principal);
    } catch (e) {
      ws.close(isParleyError(e) && e.status === 403 ? 4403 : 4401, isParleyError(e) ? e.code : 'error');
      return;
    }
    // The client left while its agent row was read: there is no stream to start (nor to close later).
    if (ws.readyState !== ws.OPEN) return;
    // Shutdown began meanwhile and closed the streams it knew of: this one closes the same way.
    if (this.closing) return ws.close();
    const expMs = principal.kind !== 'apikey' && principal.expMs ? principal.expMs : undefined;
    await new SocketStream(this, ws, socket, viewer, expMs, cursors).session.start();
  }

  /** Shutdown: close every stream (clients reconnect elsewhere); ws answers any handshake still under way with a 503. */
  closeAll(): void {
    this.closing = true;
    for (const stream of this.heartbeat.all()) stream.ws.close();
    this.wss.close();
  }
}

/** One open WebSocket stream: its session's transport, and a member of the heartbeat. */
export class SocketStream implements SessionTransport, Beating {
  readonly session: StreamSession;
  /** Answered the last ping; a socket that has not by the next beat is cut off. */
  private alive = true;
  /** Set only in the last beats before the token expires: a timer per stream for a month-long token would be waste. */
  private expiry: { cancel(): void } | undefined;
  private readonly slot: number;

  constructor(
    private readonly streams: SocketStreams,
    readonly ws: WebSocket,
    /** ws's own socket, corked around a tick's frames (cork.ts). */
    private readonly socket: Duplex,
    /** Who opened the stream, as admitted (frames act as them; the session re-checks an agent's authority). */
    readonly viewer: Viewer,
    private readonly expMs: number | undefined,
    cursors: Record<string, number>,
  ) {
    const { s } = streams;
    this.session = new StreamSession(s.hub, s.signer, viewer, this, cursors);
    s.metrics.streamSessions.inc({ kind: viewer.kind, transport: 'ws' });
    this.slot = streams.heartbeat.join(this);
    this.armExpiry(Date.now());
    ws.on('pong', () => {
      this.alive = true;
    });
    ws.on('close', () => this.closed());
    ws.on('message', (data) => {
      void streams.handleFrame(this, data.toString()).catch(() => undefined);
    });
  }

  send(frame: OutFrame, written?: () => void): void {
    const ws = this.ws;
    if (ws.readyState !== ws.OPEN) return;
    // A client that stops reading is cut off rather than buffered forever; it resumes on reconnect.
    if (ws.bufferedAmount > WS_MAX_BUFFER) {
      ws.close(4008, 'too slow');
      return;
    }
    this.streams.corks.cork(this.socket);
    ws.send(JSON.stringify(frame), (err) => {
      if (!err) written?.();
    });
  }

  end(error: ParleyError): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(closeCodeOf(error), error.code);
  }

  beat(now: number): void {
    if (!this.alive) {
      this.ws.terminate();
      return;
    }
    this.alive = false;
    this.ws.ping();
    this.armExpiry(now);
  }

  /** The stream ends when its token expires: armed once the expiry is within two beats, so never missed. */
  private armExpiry(now: number): void {
    if (this.expMs === undefined || this.expiry || this.expMs - now > 2 * HEARTBEAT_MS) return;
    this.expiry = atTime(this.expMs, () => this.end(new ParleyError('TOKEN_EXPIRED')));
  }

  private closed(): void {
    this.streams.heartbeat.leave(this, this.slot);
    this.expiry?.cancel();
    this.session.close();
    this.streams.s.metrics.streamSessions.dec({ kind: this.viewer.kind, transport: 'ws' });
  }
}
