// The HTTP server every emulator runs on: node:http plus a small router rather than Fastify, because
// an emulator must fail exactly like its vendor. A framework answers some requests itself (bad JSON,
// unknown content types, 404s, body limits) in its own shape; here every such answer comes from the
// vendor's `VendorErrors`, raw bytes are kept for signatures and logs, and a fault can hold a socket
// open or drop it mid-request — things a framework's reply object makes awkward.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { BadJsonError, HttpError, type Ctx, type Reply, type Route } from './http.js';
import { Router } from './router.js';
import type { Faults } from './faults.js';
import type { RequestLog } from './request-log.js';

/** How this vendor answers the requests no route answers. */
export interface VendorErrors {
  notFound(ctx: Ctx): Reply;
  methodNotAllowed(ctx: Ctx, allowed: string[]): Reply;
  badJson(ctx: Ctx): Reply;
  tooLarge(limit: number): Reply;
  internal(err: unknown): Reply;
  /** An injected 5xx/4xx (`error`) or 429 (`rateLimit`) in the vendor's error shape. */
  injected(status: number, retryAfterSeconds?: number): Reply;
}

export interface EmulatorServerOptions {
  routes: Route[];
  errors: VendorErrors;
  faults: Faults;
  requestLog: RequestLog;
  maxBodyBytes?: number;
  /** WebSocket upgrades (e.g. a notification channel). Unclaimed upgrades are refused. */
  onUpgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean;
  /** Adds vendor headers to every vendor reply (correlation ids and the like). */
  decorate?: (ctx: Ctx, reply: Reply) => void;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class EmulatorServer {
  readonly router = new Router();
  private readonly server: Server;
  private readonly hung = new Set<ServerResponse>();

  constructor(private readonly opts: EmulatorServerOptions) {
    this.router.add(...opts.routes);
    // A bug in a vendor's error hook must not take the process down; the client sees a dropped socket.
    this.server = createServer((req, res) => void this.handle(req, res).catch(() => res.destroy()));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!opts.onUpgrade?.(req, socket, head)) socket.destroy();
    });
  }

  async listen(port: number, host: string): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    return this.server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    for (const res of this.hung) res.destroy();
    this.hung.clear();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const method = (req.method ?? 'GET').toUpperCase();
    const match = this.router.match(method, url.pathname);
    const internal = match.kind === 'found' && match.route.internal === true;
    const limit = this.opts.maxBodyBytes ?? 1024 * 1024;

    let raw: Buffer;
    let tooLarge = false;
    try {
      ({ raw, tooLarge } = await readBody(req, limit));
    } catch {
      res.destroy();
      return;
    }
    let parsed: { value: unknown } | undefined;
    const ctx: Ctx = {
      req,
      method,
      path: url.pathname,
      query: url.searchParams,
      params: match.kind === 'found' ? match.params : {},
      headers: req.headers,
      raw,
      baseUrl: `http://${req.headers.host ?? 'localhost'}`,
      locals: {},
      json() {
        if (!parsed) {
          try {
            parsed = { value: JSON.parse(raw.toString('utf8')) };
          } catch {
            throw new BadJsonError('body is not JSON');
          }
        }
        return parsed.value;
      },
    };
    const entry = internal ? undefined : this.opts.requestLog.record({ method, path: url.pathname, query: url.searchParams, headers: req.headers, raw });

    let reply: Reply | undefined;
    if (!internal) {
      const fault = this.opts.faults.decide(method, url.pathname);
      if (entry && fault.kind !== 'none') entry.fault = fault.kind;
      if (fault.kind === 'reset') {
        res.destroy();
        return;
      }
      if (fault.kind === 'hang') {
        // Say nothing: the client's own timeout is what is under test.
        this.hung.add(res);
        res.on('close', () => this.hung.delete(res));
        if (fault.hangMs !== undefined) setTimeout(() => res.destroy(), fault.hangMs).unref();
        return;
      }
      if (fault.kind === 'delay') await sleep(fault.delayMs);
      if (fault.kind === 'error') reply = this.opts.errors.injected(fault.status);
      if (fault.kind === 'rateLimit') reply = this.opts.errors.injected(429, fault.retryAfterSeconds);
    }

    reply ??= tooLarge ? this.opts.errors.tooLarge(limit) : await this.dispatch(ctx, match);
    if (!internal) this.opts.decorate?.(ctx, reply);
    write(res, reply);
    if (entry) {
      entry.status = reply.status;
      entry.durationMs = Date.now() - started;
    }
  }

  private async dispatch(ctx: Ctx, match: ReturnType<Router['match']>): Promise<Reply> {
    const errors = this.opts.errors;
    if (match.kind === 'none') return errors.notFound(ctx);
    if (match.kind === 'wrong-method') return errors.methodNotAllowed(ctx, match.allowed);
    try {
      for (const guard of match.route.guards ?? []) await guard(ctx);
      return await match.route.handler(ctx);
    } catch (err) {
      if (err instanceof HttpError) return err.reply;
      if (err instanceof BadJsonError) return errors.badJson(ctx);
      return errors.internal(err);
    }
  }
}

async function readBody(req: IncomingMessage, limit: number): Promise<{ raw: Buffer; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) tooLarge = true;
    else chunks.push(chunk);
  }
  return { raw: Buffer.concat(chunks), tooLarge };
}

function write(res: ServerResponse, reply: Reply): void {
  if (res.destroyed) return;
  const headers: Record<string, string> = { ...reply.headers };
  let payload: Buffer | undefined;
  if (reply.body !== undefined) {
    if (Buffer.isBuffer(reply.body)) payload = reply.body;
    else if (typeof reply.body === 'string') payload = Buffer.from(reply.body, 'utf8');
    else {
      payload = Buffer.from(JSON.stringify(reply.body), 'utf8');
      headers['content-type'] ??= 'application/json';
    }
    if (reply.contentType) headers['content-type'] = reply.contentType;
    headers['content-length'] = String(payload.length);
  }
  res.writeHead(reply.status, headers);
  res.end(payload);
}
