import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';

// WebSocket upgrades. Node gives a request with `Connection: Upgrade` to the server's 'upgrade' event, never
// to Fastify. A route may claim the upgrades on its own path and take them before Fastify sees them: the
// stream does, because a Fastify request, reply and logger held for the life of each socket were most of
// what an idle stream cost. Every other upgrade, one the hooks would refuse before any route (`refusedEarly`)
// and one a taker gives back (a refusal) goes through Fastify's routes and hooks as a plain request, so it is
// answered like any request (a 404 off the stream, a 400 for U+0000, a 503 while closing, a 401 for a bad
// token), and its socket is closed once the answer is written.

/** An upgrade request Fastify is routing: its socket and the bytes the client sent after the headers. */
export interface PendingUpgrade {
  socket: Duplex;
  head: Buffer;
}

/** Takes an upgrade on a claimed path: switch protocols, or give the request to `Upgrades.answer`. */
export type UpgradeTaker = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

const perApp = new WeakMap<FastifyInstance, Upgrades>();

/** The upgrade handling of an app made by createApp. */
export function upgradesOf(app: FastifyInstance): Upgrades {
  const u = perApp.get(app);
  if (!u) throw new Error('This Fastify instance does not handle WebSocket upgrades (make it with createApp).');
  return u;
}

/**
 * Node removes its own socket error listener before the 'upgrade' event: until ws owns the socket or the
 * answer is written, an error (a client's reset) just closes it. One function for every socket.
 */
function destroyOnError(this: Duplex): void {
  this.destroy();
}

/** The socket goes to ws, which listens for its errors from here on (`handleUpgrade` adds its listener at once). */
export function handOver(socket: Duplex): void {
  socket.removeListener('error', destroyOnError);
}

export class Upgrades {
  private readonly pending = new WeakMap<IncomingMessage, PendingUpgrade>();
  private readonly takers = new Map<string, UpgradeTaker>();

  constructor(
    private readonly app: FastifyInstance,
    private readonly refusedEarly: (req: IncomingMessage) => boolean,
  ) {
    perApp.set(app, this);
    app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
  }

  /**
   * Take GET upgrades on `path` before Fastify: only that exact spelling, with or without a query. Any other
   * spelling Fastify routes to the same route (`/v1/%73tream`) still reaches it, through `answer`.
   */
  claim(path: string, take: UpgradeTaker): void {
    this.takers.set(path, take);
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', destroyOnError);
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const take = req.method === 'GET' && !this.refusedEarly(req) ? this.takers.get(q === -1 ? url : url.slice(0, q)) : undefined;
    if (take) take(req, socket, head);
    else this.answer(req, socket, head);
  }

  /**
   * Route an upgrade request through Fastify like a plain request. Its socket is closed once the answer is
   * written, unless the route takes it (`release`).
   */
  answer(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.pending.set(req, { socket, head });
    const res = new ServerResponse(req);
    try {
      res.assignSocket(socket as Socket);
      // Nothing reads this connection again once answered: close it, or it lingers in CLOSE-WAIT.
      res.once('finish', () => socket.destroy());
      this.app.routing(req, res);
    } catch (err) {
      this.app.log.warn({ err }, 'a WebSocket upgrade could not be routed');
      socket.destroy();
    }
  }

  /** The upgrade Fastify is routing as this request, if it is one. */
  pendingOf(req: IncomingMessage): PendingUpgrade | undefined {
    return this.pending.get(req);
  }

  /**
   * A route takes the upgrade Fastify routed to it: the response lets go of the socket, so the socket does not
   * keep the request, the response and what hangs off them alive for as long as it is open.
   */
  release(req: IncomingMessage, res: ServerResponse): PendingUpgrade | undefined {
    const up = this.pending.get(req);
    if (!up) return undefined;
    this.pending.delete(req);
    res.detachSocket(up.socket as Socket);
    return up;
  }
}
