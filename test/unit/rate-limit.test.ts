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
