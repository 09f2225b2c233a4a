import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/http/rate-limit.js';
import { startServer, type TestServer } from '../helpers/server.js';

describe('rate limiting', () => {
  it('allows max hits per window, then refuses with a retry time, then allows again', () => {
    const l = new RateLimiter(1000);
    for (let i = 0; i < 3; i++) l.hit('ip', 3, 10_000);
    expect(() => l.hit('ip', 3, 10_100)).toThrowError(expect.objectContaining({ code: 'PARLEY_E_RATE_LIMITED', retryAfterMs: 900 }) as Error);
    expect(() => l.hit('other-ip', 3, 10_100)).not.toThrow();
    expect(() => l.hit('ip', 3, 11_000)).not.toThrow();
  });

  it('stays bounded under a flood of distinct keys, evicting the oldest windows', () => {
    const l = new RateLimiter(60_000, 1000);
    for (let i = 0; i < 10_000; i++) l.hit(`ip-${i}`, 5, 1_000 + i);
    expect(l.size).toBeLessThanOrEqual(1000);
    // The newest keys are still counted.
    for (let i = 0; i < 4; i++) l.hit('ip-9999', 5, 20_000);
    expect(() => l.hit('ip-9999', 5, 20_001)).toThrowError(expect.objectContaining({ code: 'PARLEY_E_RATE_LIMITED' }) as Error);
  });

  describe('forwarded addresses', () => {
    /** Login attempts, one after another, each claiming the X-Forwarded-For address `forwardedFor(i)`. */
    async function logins(ts: TestServer, n: number, forwardedFor: (i: number) => string): Promise<number[]> {
      const statuses = [];
      for (let i = 0; i < n; i++) {
        const r = await ts.api.req('POST', '/v1/agent/login', { body: { email: 'x@example.com', password: 'guess' }, headers: { 'x-forwarded-for': forwardedFor(i) } });
        statuses.push(r.status);
      }
      return statuses;
    }

    it('are ignored by default: a new X-Forwarded-For per request does not escape the limit', async () => {
      const ts = await startServer({ env: { PARLEY_RATE_LIMIT_AUTH: '3' } });
      try {
        expect(await logins(ts, 5, (i) => `203.0.113.${i + 1}`)).toEqual([401, 401, 401, 429, 429]);
      } finally {
        await ts.stop();
      }
    });

    it('are believed from a configured proxy (PARLEY_TRUST_PROXY), each client counted on its own', async () => {
      const ts = await startServer({ env: { PARLEY_RATE_LIMIT_AUTH: '3', PARLEY_TRUST_PROXY: '127.0.0.1' } });
      try {
        expect(await logins(ts, 5, (i) => `203.0.113.${i + 1}`)).toEqual([401, 401, 401, 401, 401]);
        expect(await logins(ts, 4, () => '198.51.100.7')).toEqual([401, 401, 401, 429]);
      } finally {
        await ts.stop();
      }
    });
  });

  describe('on the login route', () => {
    let ts: TestServer;
    beforeAll(async () => {
      ts = await startServer({ env: { PARLEY_RATE_LIMIT_AUTH: '3' } });
    });
    afterAll(async () => ts?.stop());

    it('password guessing from one address is cut off with 429 and Retry-After', async () => {
      const tries = [];
      for (let i = 0; i < 4; i++) tries.push(await ts.api.post('/v1/agent/login', { email: 'x@example.com', password: `guess-${i}` }));
      expect(tries.slice(0, 3).map((r) => r.status)).toEqual([401, 401, 401]);
      expect(tries[3]?.status).toBe(429);
      expect(tries[3]?.body.error.code).toBe('PARLEY_E_RATE_LIMITED');
      expect(Number(tries[3]?.headers.get('retry-after'))).toBeGreaterThan(0);
    });
  });
});
