// The request/response vocabulary every emulator route speaks. Deliberately tiny: an emulator must
// answer exactly as its vendor does, so nothing here invents status codes or error bodies — the
// vendor layer decides those (see `VendorErrors` in server.ts).
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What a route handler sees. `raw` is the exact request body; `json()` parses it lazily. */
export interface Ctx {
  readonly req: IncomingMessage;
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly params: Record<string, string>;
  readonly headers: IncomingHttpHeaders;
  readonly raw: Buffer;
  /** Parsed JSON body; throws `BadJsonError` when the body is not JSON. */
  json(): unknown;
  /** The emulator's own base URL as the client reached it (for URLs we hand out). */
  readonly baseUrl: string;
  /** Free slot for guards to pass what they learned (e.g. the caller's token) to the handler. */
  locals: Record<string, unknown>;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** A JSON value (serialised with content-type application/json), a string, a Buffer, or nothing. */
  body?: unknown;
  /** Overrides the content type for string/Buffer bodies. */
  contentType?: string;
}

/** Thrown by handlers and guards; the server turns it into the reply as given. */
export class HttpError extends Error {
  constructor(readonly reply: Reply) {
    super(`HTTP ${reply.status}`);
  }
}

export class BadJsonError extends Error {}

export type Handler = (ctx: Ctx) => Reply | Promise<Reply>;
export type Guard = (ctx: Ctx) => void | Promise<void>;

export interface Route {
  method: string;
  /** `/a/:id/b`: `:name` matches one path segment; a trailing `*` matches the rest. */
  path: string;
  handler: Handler;
  /** Run in order before the handler (authentication, rate limits, content-type checks). */
  guards?: Guard[];
  /** Control and page routes are neither logged nor subject to fault injection. */
  internal?: boolean;
}

export const json = (status: number, body: unknown, headers?: Record<string, string>): Reply =>
  headers ? { status, body, headers } : { status, body };

export const noContent = (status = 204): Reply => ({ status });
