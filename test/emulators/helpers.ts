// Shared by the emulator tests: a webhook receiver that answers from a script, a small API client
// for the emulator, and a poller.
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  json: Record<string, any>;
  at: number;
}

/** A stand-in for the middleware's webhook: records every POST, answers from `respond(...)`. */
export async function webhookReceiver() {
  const received: Received[] = [];
  let script: (number | 'hang')[] = [];
  const hung: ServerResponse[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: req.headers, raw, json: JSON.parse(raw || '{}'), at: Date.now() });
      const next = script.shift() ?? 200;
      if (next === 'hang') {
        hung.push(res);
        return;
      }
      res.writeHead(next, { 'content-type': 'text/plain' }).end(String(next));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhook`,
    received,
    /** The next answers, in order; afterwards 200. */
    respond(...answers: (number | 'hang')[]) {
      script = answers;
    },
    ofType(type: string): Received[] {
      return received.filter((r) => r.json.type === type);
    },
    async close() {
      for (const res of hung) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Res {
  status: number;
  headers: Headers;
  body: any;
}

/** A thin HTTP client for one emulator. */
export function client(baseUrl: string) {
  const request = async (method: string, path: string, opts: { body?: unknown; token?: string; headers?: Record<string, string>; raw?: string } = {}): Promise<Res> => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    let body: string | undefined = opts.raw;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(baseUrl + path, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON */
    }
    return { status: res.status, headers: res.headers, body: parsed };
  };
  return {
    request,
    async token(id: string, secret: string): Promise<string> {
      const res = await fetch(`${baseUrl}/oauth/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      if (res.status !== 200) throw new Error(`token: ${res.status}`);
      return ((await res.json()) as { access_token: string }).access_token;
    },
    control: (method: string, path: string, body?: unknown) => request(method, `/__control${path}`, body === undefined ? {} : { body }),
  };
}
