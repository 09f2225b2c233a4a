// Every vendor-facing request the emulator received, so tests can assert on what the adapter sent
// ("exactly one inbound message, with this body") rather than only on what came back.
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface LoggedRequest {
  id: string;
  at: string;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** The body as UTF-8 text, cut at `maxBodyChars`. */
  body: string;
  /** The parsed body when it was JSON, else null. */
  json: unknown;
  status?: number;
  /** Set when a fault rule answered instead of the route. */
  fault?: string;
  durationMs?: number;
}

export interface RequestFilter {
  method?: string;
  /** Substring of the path, or a `/regex/` literal. */
  path?: string;
  /** Only entries logged after this id. */
  after?: string;
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

export class RequestLog {
  private entries: LoggedRequest[] = [];

  constructor(
    private readonly capacity = 2000,
    private readonly maxBodyChars = 64 * 1024,
  ) {}

  record(input: { method: string; path: string; query: URLSearchParams; headers: IncomingHttpHeaders; raw: Buffer }): LoggedRequest {
    const text = input.raw.toString('utf8');
    let parsed: unknown = null;
    if (text.length) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = null;
      }
    }
    const entry: LoggedRequest = {
      id: randomUUID(),
      at: new Date().toISOString(),
      method: input.method,
      path: input.path,
      query: Object.fromEntries(input.query),
      headers: flatHeaders(input.headers),
      body: text.length > this.maxBodyChars ? text.slice(0, this.maxBodyChars) : text,
      json: parsed,
    };
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
    return entry;
  }

  list(filter: RequestFilter = {}): LoggedRequest[] {
    let out = this.entries;
    if (filter.after) {
      const i = out.findIndex((e) => e.id === filter.after);
      if (i >= 0) out = out.slice(i + 1);
    }
    if (filter.method) out = out.filter((e) => e.method === filter.method!.toUpperCase());
    if (filter.path) {
      const p = filter.path;
      const re = p.length > 2 && p.startsWith('/') && p.endsWith('/') ? new RegExp(p.slice(1, -1)) : null;
      out = out.filter((e) => (re ? re.test(e.path) : e.path.includes(p)));
    }
    return [...out];
  }

  clear(): void {
    this.entries = [];
  }
}
