import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ParleyError } from '../../src/core/errors.js';
import { VendorHttp, type AttemptReport, type VendorHttpOptions, type VendorLogger } from '../../src/vendor/http-client.js';
import { vendorPath } from '../../src/vendor/path.js';
import { RateBudget } from '../../src/vendor/rate-budget.js';
import { parseRetryAfter } from '../../src/vendor/retry-after.js';
import { TokenCache } from '../../src/vendor/token-cache.js';

// The vendor client against a real HTTP server on a local port, scripted per test: each request gets the
// next handler in the script (the last one repeats), and the server records what it was sent and when.

interface Hit {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}
type Step = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function vendor(...script: Step[]): Promise<{ url: string; hits: Hit[] }> {
  const hits: Hit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      hits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, at: performance.now() });
      const step = script[Math.min(hits.length, script.length) - 1];
      if (step) step(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}): Step =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
const hangUp: Step = (req) => req.socket.destroy();
const neverAnswer: Step = () => {};

function client(baseUrl: string, opts: Partial<VendorHttpOptions> = {}): VendorHttp {
  // Short delays keep the suite fast; the rules are the same at production sizes.
  return new VendorHttp({ name: 'acme:test', baseUrl, baseDelayMs: 20, maxDelayMs: 100, attemptTimeoutMs: 2000, totalTimeoutMs: 5000, ...opts });
}

async function failure(p: Promise<unknown>): Promise<ParleyError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ParleyError) return e;
    throw e;
  }
  throw new Error('expected the call to fail');
}

async function closedPort(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe('VendorHttp: success and retries', () => {
  it('sends JSON and returns the parsed JSON answer', async () => {
    const v = await vendor(json(201, { id: 'm-1' }));
    const res = await client(v.url, { headers: { 'x-org': 'o1' } }).post('/messages', { text: 'hi' }, { idempotent: true });
    expect(res).toMatchObject({ status: 201, body: { id: 'm-1' }, attempts: 1 });
    expect(v.hits[0]).toMatchObject({ method: 'POST', url: '/messages', body: '{"text":"hi"}' });
    expect(v.hits[0]?.headers).toMatchObject({ 'content-type': 'application/json', accept: 'application/json', 'x-org': 'o1' });
  });

  it('keeps the base URL path and adds the query', async () => {
    const v = await vendor(json(200, []));
    await client(`${v.url}/api/v2/`).get('/users', { query: { page: 2, q: 'a b', skip: undefined } });
    expect(v.hits[0]?.url).toBe('/api/v2/users?page=2&q=a+b');
  });

  it('retries a 500 and succeeds on the next attempt', async () => {
    const v = await vendor(json(500, { error: 'boom' }), json(200, { ok: true }));
    const res = await client(v.url).get('/things');
    expect(res).toMatchObject({ status: 200, body: { ok: true }, attempts: 2 });
    expect(v.hits).toHaveLength(2);
  });

  it('honours Retry-After on a 429: the next attempt waits at least as long as the header says', async () => {
    const v = await vendor(json(429, { error: 'slow down' }, { 'retry-after': '1' }), json(200, { ok: true }));
    const res = await client(v.url).get('/things');
    expect(res.status).toBe(200);
    const [first, second] = v.hits;
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1000);
  });

  it('retries a GET whose connection the vendor dropped', async () => {
    const v = await vendor(hangUp, json(200, { ok: true }));
    const res = await client(v.url).get('/things');
    expect(res).toMatchObject({ status: 200, attempts: 2 });
  });

  it('retries an idempotent POST on 5xx, timeouts and dropped connections', async () => {
    const v = await vendor(json(502, {}), hangUp, json(200, { id: 'm-1' }));
    const res = await client(v.url, { maxAttempts: 4 }).post('/messages', { id: 'delivery-1' }, { idempotent: true });
    expect(res).toMatchObject({ status: 200, attempts: 3 });
    expect(v.hits.map((h) => h.body)).toEqual(Array(3).fill('{"id":"delivery-1"}'));
  });

  it('gives up after maxAttempts and throws the last failure, still retryable for the dispatcher', async () => {
    const v = await vendor(json(503, { error: 'down' }));
    const e = await failure(client(v.url, { maxAttempts: 3 }).get('/things'));
    expect(e).toMatchObject({ code: 'PARLEY_E_DELIVERY_UNAVAILABLE', retryable: true, details: { status: 503, vendor: 'acme:test' } });
    expect(v.hits).toHaveLength(3);
  });

  it('reports each attempt to the metrics hook', async () => {
    const reports: AttemptReport[] = [];
    const v = await vendor(json(500, {}), json(200, {}));
    await client(v.url, { onAttempt: (r) => reports.push(r) }).get('/things', { operation: 'listThings' });
    expect(reports.map((r) => [r.attempt, r.outcome, r.retrying, r.operation])).toEqual([
      [1, 500, true, 'listThings'],
      [2, 200, false, 'listThings'],
    ]);
    expect(reports.every((r) => r.durationMs >= 0 && r.vendor === 'acme:test' && r.method === 'GET')).toBe(true);
  });
});

describe('VendorHttp: what is not retried', () => {
  it('does not resend a POST that is not marked idempotent after a 500 (the vendor may have acted on it)', async () => {
    const v = await vendor(json(500, { error: 'boom' }), json(200, {}));
    const e = await failure(client(v.url).post('/messages', { text: 'hi' }));
    expect(e).toMatchObject({ code: 'PARLEY_E_DELIVERY_UNAVAILABLE', retryable: true, details: { status: 500 } });
    expect(v.hits).toHaveLength(1);
  });

  it('does not resend a non-idempotent POST whose connection dropped mid-request', async () => {
    const v = await vendor(hangUp, json(200, {}));
    const e = await failure(client(v.url).post('/messages', { text: 'hi' }));
    expect(e).toMatchObject({ code: 'PARLEY_E_DELIVERY_UNAVAILABLE', retryable: true, details: { reason: 'network', code: 'UND_ERR_SOCKET' } });
    expect(v.hits).toHaveLength(1);
  });

  it('does resend a non-idempotent POST when the failure proves it was not processed (429, 408, refused connection)', async () => {
    const v = await vendor(json(429, {}), json(408, {}), json(201, { id: 'm-1' }));
    const res = await client(v.url, { maxAttempts: 3 }).post('/messages', { text: 'hi' });
    expect(res).toMatchObject({ status: 201, attempts: 3 });

    const reports: AttemptReport[] = [];
    const e = await failure(client(await closedPort(), { maxAttempts: 3, onAttempt: (r) => reports.push(r) }).post('/messages', { text: 'hi' }));
    expect(e).toMatchObject({ code: 'PARLEY_E_DELIVERY_UNAVAILABLE', retryable: true, details: { reason: 'network', code: 'ECONNREFUSED' } });
    expect(reports.map((r) => r.outcome)).toEqual(['network', 'network', 'network']);
  });

  it('maps a 400 to a final DELIVERY_REJECTED at once, with the status and a credential-free excerpt of the body', async () => {
    const v = await vendor(json(400, { message: 'text too long', code: 'bad.request', client_secret: 'leaked-secret-value' }));
    const e = await failure(client(v.url).get('/things', { operation: 'getThings' }));
    expect(e).toMatchObject({ code: 'PARLEY_E_DELIVERY_REJECTED', retryable: false });
    expect(e.details).toEqual({
      vendor: 'acme:test',
      operation: 'getThings',
      status: 400,
      body: '{"message":"text too long","code":"bad.request","client_secret":"[redacted]"}',
    });
    expect(v.hits).toHaveLength(1);
  });

  it('treats 403, 404, 422, 501 and 409 as final', async () => {
    for (const status of [403, 404, 422, 501, 409]) {
      const v = await vendor(json(status, {}));
      const e = await failure(client(v.url).get('/things'));
      expect([status, e.code, e.retryable]).toEqual([status, 'PARLEY_E_DELIVERY_REJECTED', false]);
      expect(v.hits).toHaveLength(1);
    }
  });

  it('returns a status the request accepts instead of throwing (a vendor whose 409 means "already have it")', async () => {
    const v = await vendor(json(409, { error: 'duplicate' }));
    const res = await client(v.url).post('/messages', { id: 'd-1' }, { idempotent: true, accept: [409] });
    expect(res).toMatchObject({ status: 409, body: { error: 'duplicate' } });
  });

  it('does not follow redirects: credentials stay on the vendor origin and a redirect is a wrong base URL', async () => {
    const elsewhere = await vendor(json(200, {}));
    const v = await vendor((_req, res) => {
      res.writeHead(302, { location: `${elsewhere.url}/steal` });
      res.end();
    });
    const e = await failure(client(v.url, { auth: { header: async () => 'Bearer secret-token-1', invalidate: () => {} } }).get('/things'));
    expect(e).toMatchObject({ code: 'PARLEY_E_DELIVERY_REJECTED', details: { status: 302 } });
    expect(elsewhere.hits).toHaveLength(0);
  });

  it('refuses paths that would leave the base URL, and vendorPath keeps ids inside one segment', async () => {
    const v = await vendor(json(200, {}));
    const c = client(`${v.url}/api/v2`);
    for (const path of ['https://evil.example/x', '//evil.example/x', '../../admin', '/x/../../../admin', 'users/%2e%2e/%2e%2e/%2e%2e/admin']) {
      expect(await failure(c.get(path))).toMatchObject({ code: 'PARLEY_E_DELIVERY_REJECTED', details: { reason: 'path' } });
    }
    await c.get(vendorPath`/conversations/${'../../admin?x=1'}/messages`);
    expect(v.hits.map((h) => h.url)).toEqual(['/api/v2/conversations/%2E%2E%2F%2E%2E%2Fadmin%3Fx%3D1/messages']);
  });

  it('validates a successful body against the schema; a mismatch is retryable and not resent here', async () => {
    const Sent = z.object({ id: z.string() });
    const v = await vendor(json(200, { id: 'm-1' }), (_req, res) => res.end('<html>proxy</html>'));
    const ok = await client(v.url).post('/messages', {}, { idempotent: true, schema: Sent });
    expect(ok.body.id).toBe('m-1');
    const e = await failure(client(v.url).post('/messages', {}, { idempotent: true, schema: Sent }));
    expect(e).toMatchObject({ code: 'PARLEY_E_DELIVERY_UNAVAILABLE', retryable: true, details: { status: 200, issues: [{ path: '', code: 'invalid_type' }] } });
    expect(v.hits).toHaveLength(2);
  });
});

describe('VendorHttp: time', () => {
  it('times out a vendor that never answers, retries, then throws a retryable DELIVERY_TIMEOUT', async () => {
    const v = await vendor(neverAnswer);
    const started = performance.now();
    const e = await failure(client(v.url, { attemptTimeoutMs: 150, maxAttempts: 2 }).get('/things'));
    expect(e).toMatchObject({ code: 'PARLEY_E_DELIVERY_TIMEOUT', retryable: true, details: { reason: 'timeout' } });
    expect(v.hits).toHaveLength(2);
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('stops when the wait would overrun the total time cap, and tells the dispatcher how long to wait', async () => {
    const v = await vendor(json(503, { error: 'maintenance' }, { 'retry-after': '30' }));
    const started = performance.now();
    const e = await failure(client(v.url, { totalTimeoutMs: 1000 }).get('/things'));
    expect(performance.now() - started).toBeLessThan(900);
    expect(e).toMatchObject({ code: 'PARLEY_E_DELIVERY_UNAVAILABLE', retryable: true });
    expect(e.retryAfterMs).toBeGreaterThanOrEqual(29_000);
    expect(v.hits).toHaveLength(1);
  });

  it('hands its own backoff to the dispatcher as retryAfterMs when that backoff does not fit', async () => {
    const v = await vendor(json(500, {}));
    const e = await failure(client(v.url, { totalTimeoutMs: 600, baseDelayMs: 800, maxDelayMs: 800 }).get('/things'));
    expect(e).toMatchObject({ code: 'PARLEY_E_DELIVERY_UNAVAILABLE', retryable: true });
    expect(e.retryAfterMs).toBeGreaterThanOrEqual(400); // the jittered step, within [half, all] of 800
    expect(v.hits).toHaveLength(1);
  });

  it('stops at once when the caller (the dispatcher timeout) aborts, even mid-request', async () => {
    const v = await vendor(neverAnswer);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const started = performance.now();
    const e = await failure(client(v.url).get('/things', { signal: ac.signal }));
    expect(e).toMatchObject({ code: 'PARLEY_E_DELIVERY_TIMEOUT', details: { reason: 'aborted' } });
    expect(performance.now() - started).toBeLessThan(1000);
    expect(v.hits).toHaveLength(1);
  });

  it('stops at once when the caller aborts during a backoff wait', async () => {
    const v = await vendor(json(503, {}, { 'retry-after': '3' }));
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const started = performance.now();
    const e = await failure(client(v.url, { totalTimeoutMs: 10_000 }).get('/things', { signal: ac.signal }));
    expect(e.code).toBe('PARLEY_E_DELIVERY_TIMEOUT');
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

describe('VendorHttp: rate budget', () => {
  it('spaces requests to the instance budget: no more than the limit in any window', async () => {
    const v = await vendor(json(200, {}));
    const budget = new RateBudget({ name: 'acme:test', limit: 2, windowMs: 300 });
    // When the client sent each request (the moment the budget governs), from its debug log.
    const sentAt: number[] = [];
    const log: VendorLogger = { debug: (_obj, msg) => void (msg === 'vendor request' && sentAt.push(performance.now())) };
    const c = client(v.url, { budget, log });
    await Promise.all(Array.from({ length: 5 }, () => c.get('/things')));
    const rel = sentAt.map((t) => t - sentAt[0]!);
    // Times are taken from the first request's log line, which a loaded machine writes a few ms after the
    // budget opened its window; and a timer may fire a millisecond early. So each later window is checked
    // with 5 ms of slack: far less than the 300 ms a budget that let a request through early would show.
    // The second fits in the first window: not held back by the budget (which would make it ≥ 295), however
    // slow a loaded machine is to send it.
    expect(rel[1]).toBeLessThan(250);
    expect(rel[2]).toBeGreaterThanOrEqual(295);
    expect(rel[3]).toBeGreaterThanOrEqual(295);
    expect(rel[4]).toBeGreaterThanOrEqual(595);
    // And the vendor saw the same shape (looser: connection set-up differs per request).
    const seen = v.hits.map((h) => h.at - v.hits[0]!.at);
    expect(seen[2]).toBeGreaterThanOrEqual(250);
    expect(seen[4]).toBeGreaterThanOrEqual(550);
  });

  it('throws a retryable error with retryAfterMs, without sending, when the next slot is past the time cap', async () => {
    const v = await vendor(json(200, {}));
    const budget = new RateBudget({ name: 'acme:test', limit: 1, windowMs: 60_000 });
    const c = client(v.url, { budget, totalTimeoutMs: 1000 });
    await c.get('/things');
    const e = await failure(c.get('/things'));
    expect(e).toMatchObject({ code: 'PARLEY_E_DELIVERY_UNAVAILABLE', retryable: true, details: { reason: 'rate_budget' } });
    expect(e.retryAfterMs).toBeGreaterThan(58_000);
    expect(v.hits).toHaveLength(1);
  });

  it("pauses every caller of the instance for a 429's Retry-After", async () => {
    const v = await vendor((req, res) => (req.url === '/a' && v.hits.length === 1 ? json(429, {}, { 'retry-after': '1' })(req, res, '') : json(200, {})(req, res, '')));
    const budget = new RateBudget({ name: 'acme:test', limit: 100, windowMs: 1000 });
    const c = client(v.url, { budget });
    const a = c.get('/a');
    await new Promise((r) => setTimeout(r, 100)); // the 429 has been seen
    await Promise.all([a, c.get('/b')]);
    const first = v.hits[0]!.at;
    const b = v.hits.find((h) => h.url === '/b')!;
    expect(b.at - first).toBeGreaterThanOrEqual(995);
  });
});

describe('VendorHttp: credentials', () => {
  function tokenServerCache(tokens: string[]) {
    let i = 0;
    return new TokenCache({ name: 'acme:test', fetchToken: async () => ({ token: tokens[Math.min(i++, tokens.length - 1)]!, expiresInSec: 3600 }) });
  }

  it('on a 401, refreshes the token once and resends with the new one', async () => {
    const v = await vendor((req, res) => json(req.headers.authorization === 'Bearer tok-fresh-2' ? 200 : 401, {})(req, res, ''));
    const tokens = tokenServerCache(['tok-stale-1', 'tok-fresh-2']);
    const res = await client(v.url, { auth: tokens }).post('/messages', { text: 'hi' }); // not idempotent: a 401 was not acted on
    expect(res.status).toBe(200);
    expect(v.hits.map((h) => h.headers.authorization)).toEqual(['Bearer tok-stale-1', 'Bearer tok-fresh-2']);
    expect(tokens.fetchCount).toBe(2);
  });

  it('maps a second 401 to DELIVERY_REJECTED: the credentials themselves are refused', async () => {
    const v = await vendor(json(401, { error: 'invalid_token' }));
    const tokens = tokenServerCache(['tok-a-1', 'tok-b-2', 'tok-c-3']);
    const e = await failure(client(v.url, { auth: tokens }).get('/things'));
    expect(e).toMatchObject({ code: 'PARLEY_E_DELIVERY_REJECTED', retryable: false, details: { status: 401 } });
    expect(v.hits).toHaveLength(2);
    expect(tokens.fetchCount).toBe(2);
  });

  it('a 401 without an auth provider is final at once', async () => {
    const v = await vendor(json(401, {}));
    expect(await failure(client(v.url).get('/things'))).toMatchObject({ code: 'PARLEY_E_DELIVERY_REJECTED', details: { status: 401 } });
    expect(v.hits).toHaveLength(1);
  });

  it('a token endpoint that is down is a retryable failure, and the request is not sent', async () => {
    const v = await vendor(json(200, {}));
    const tokens = new TokenCache({ name: 'acme:test', fetchToken: () => Promise.reject(new Error('ECONNREFUSED')) });
    const e = await failure(client(v.url, { auth: tokens }).get('/things'));
    expect(e).toMatchObject({ code: 'PARLEY_E_DELIVERY_UNAVAILABLE', retryable: true, details: { reason: 'token' } });
    expect(v.hits).toHaveLength(0);
  });

  it('logs requests and responses without the token, the client secret or the credentials echoed back', async () => {
    const lines: Record<string, unknown>[] = [];
    const log: VendorLogger = { debug: (obj, msg) => lines.push({ ...obj, msg }) };
    const api = await vendor(
      // A vendor that quotes our Authorization header back in an error body, then accepts.
      (req, res) => json(500, { error: `bad header ${String(req.headers.authorization)}`, echo: req.headers.authorization })(req, res, ''),
      (req, res) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`upstream said: token ${String(req.headers.authorization).slice(7)} rejected`);
      },
      json(200, { ok: true }),
    );
    const oauth = await vendor(json(200, { access_token: 'tok-supersecret-123', token_type: 'bearer', expires_in: 86400 }));
    const tokenHttp = client(oauth.url, { log, logBodies: true });
    const tokens = new TokenCache({
      name: 'acme:test',
      fetchToken: async (signal) => {
        const res = await tokenHttp.request({
          path: '/oauth/token',
          form: { grant_type: 'client_credentials', client_id: 'cid', client_secret: 'shh-client-secret-456' },
          headers: { authorization: `Basic ${Buffer.from('cid:shh-client-secret-456').toString('base64')}` },
          signal,
          schema: z.object({ access_token: z.string(), expires_in: z.number() }),
        });
        return { token: res.body.access_token, expiresInSec: res.body.expires_in };
      },
    });
    const res = await client(api.url, { auth: tokens, log, logBodies: true, maxAttempts: 3 }).post('/messages', { text: 'hi' }, { idempotent: true });
    expect(res.status).toBe(200);

    const logged = JSON.stringify(lines);
    expect(lines.filter((l) => l.msg === 'vendor request')).toHaveLength(4);
    expect(logged).toContain('[redacted]');
    for (const secret of ['tok-supersecret-123', 'shh-client-secret-456', Buffer.from('cid:shh-client-secret-456').toString('base64')]) {
      expect(logged).not.toContain(secret);
    }
    // The same holds for what a failure carries to the dispatcher (stored in last_error, shown to operators).
    const api2 = await vendor((req, res) => json(400, { error: `refused ${String(req.headers.authorization)}` })(req, res, ''));
    const e = await failure(client(api2.url, { auth: tokens }).get('/things'));
    expect(JSON.stringify([e.message, e.details, e.toJSON()])).not.toContain('tok-supersecret-123');
  });

  it('accepts a pino logger as its logger', () => {
    const log: VendorLogger = pino({ level: 'silent' });
    expect(() => client('http://127.0.0.1:9', { log })).not.toThrow();
  });
});

describe('VendorHttp: options', () => {
  it('refuses a base URL that is not http(s), and non-positive limits', () => {
    expect(() => client('ftp://example.com')).toThrow(/baseUrl/);
    expect(() => client('http://example.com', { maxAttempts: 0 })).toThrow(/maxAttempts/);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('0', now)).toBe(0);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
  });
  it('treats a date in the past as no wait, and caps absurd waits at an hour', () => {
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('999999999', now)).toBe(3_600_000);
  });
  it('ignores what it cannot read', () => {
    for (const v of [null, undefined, '', ' ', '-5', '1.5', 'soon', 'NaN']) expect(parseRetryAfter(v, now)).toBeUndefined();
  });
});
