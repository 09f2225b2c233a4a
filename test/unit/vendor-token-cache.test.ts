import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ParleyError } from '../../src/core/errors.js';
import { TokenCache, tokenSchedule, type FetchedToken } from '../../src/vendor/token-cache.js';

// The token cache runs on fake timers: "an hour later" is a clock advance, not a wait.

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2025-01-01T00:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A vendor token endpoint: each call issues tok-1, tok-2, … living `expiresInSec`; `gate` holds answers back. */
function endpoint(expiresInSec = 3600) {
  let n = 0;
  const calls: number[] = [];
  let gate: Promise<void> = Promise.resolve();
  let fail: Error | undefined;
  return {
    calls,
    hold() {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => release();
    },
    failWith(e: Error | undefined) {
      fail = e;
    },
    fetchToken: async (): Promise<FetchedToken> => {
      calls.push(Date.now());
      await gate;
      if (fail) throw fail;
      return { token: `tok-${++n}-secret`, expiresInSec };
    },
  };
}

const MIN = 60_000;

describe('TokenCache: one fetch, shared', () => {
  it('ten concurrent callers share one fetch and get the same token', async () => {
    const ep = endpoint();
    const release = ep.hold();
    const cache = new TokenCache({ name: 'genesys:acme', fetchToken: ep.fetchToken });
    const all = Promise.all(Array.from({ length: 10 }, () => cache.token()));
    release();
    expect(new Set(await all)).toEqual(new Set(['tok-1-secret']));
    expect(ep.calls).toHaveLength(1);
  });

  it('is never fetched per message: later calls are served from the cache', async () => {
    const ep = endpoint();
    const cache = new TokenCache({ name: 'genesys:acme', fetchToken: ep.fetchToken });
    for (let i = 0; i < 100; i++) {
      expect(await cache.header()).toBe('Bearer tok-1-secret');
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(cache.fetchCount).toBe(1);
  });
});

describe('TokenCache: refresh ahead of expiry', () => {
  it('refreshes an hour-long token at 80 % of its life, serving the old one meanwhile', async () => {
    const ep = endpoint(3600);
    const cache = new TokenCache({ name: 'genesys:acme', fetchToken: ep.fetchToken });
    expect(await cache.token()).toBe('tok-1-secret');
    await vi.advanceTimersByTimeAsync(48 * MIN - 1);
    expect(await cache.token()).toBe('tok-1-secret');
    expect(ep.calls).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(1);
    const release = ep.hold();
    // Due: this caller still gets the good token at once; the refresh runs behind it.
    expect(await cache.token()).toBe('tok-1-secret');
    expect(ep.calls).toHaveLength(2);
    expect(await cache.token()).toBe('tok-1-secret'); // and is not started twice
    expect(ep.calls).toHaveLength(2);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(await cache.token()).toBe('tok-2-secret');
  });

  it('refreshes 60 s before expiry when that comes before 80 %', async () => {
    expect(tokenSchedule(0, 200_000).refreshAt).toBe(140_000); // 80 % would be 160 s
    expect(tokenSchedule(0, 3_600_000).refreshAt).toBe(2_880_000); // 80 %: 48 min, before 59 min
  });

  it('never refreshes a short-lived token before half its life, so it is still reused', async () => {
    expect(tokenSchedule(0, 30_000).refreshAt).toBe(15_000);
    const ep = endpoint(30);
    const cache = new TokenCache({ name: 'genesys:acme', fetchToken: ep.fetchToken });
    for (let i = 0; i < 14; i++) {
      await cache.token();
      await vi.advanceTimersByTimeAsync(1000);
    }
    expect(ep.calls).toHaveLength(1);
  });

  it('waits for a new token instead of handing out one about to expire', async () => {
    const ep = endpoint(3600);
    const cache = new TokenCache({ name: 'genesys:acme', fetchToken: ep.fetchToken });
    await cache.token();
    await vi.advanceTimersByTimeAsync(3600_000 - 5_000); // 5 s left: it would expire in flight
    expect(await cache.token()).toBe('tok-2-secret');
  });

  it('counts the life from when the fetch started, not when it answered', async () => {
    const ep = endpoint(100);
    const release = ep.hold();
    const cache = new TokenCache({ name: 'genesys:acme', fetchToken: ep.fetchToken });
    const first = cache.token();
    await vi.advanceTimersByTimeAsync(20_000);
    release();
    await first;
    expect(cache.toJSON().expiresAt).toBe('2025-01-01T00:01:40.000Z');
  });

  it('keeps serving the current token when a background refresh fails', async () => {
    const ep = endpoint(3600);
    const cache = new TokenCache({ name: 'genesys:acme', fetchToken: ep.fetchToken });
    await cache.token();
    await vi.advanceTimersByTimeAsync(50 * MIN);
    ep.failWith(new Error('503'));
    expect(await cache.token()).toBe('tok-1-secret');
    await vi.advanceTimersByTimeAsync(0);
    expect(await cache.token()).toBe('tok-1-secret');
    ep.failWith(undefined);
    await vi.advanceTimersByTimeAsync(2000); // past the failure cooldown
    await cache.token();
    await vi.advanceTimersByTimeAsync(0);
    expect(await cache.token()).toBe('tok-2-secret');
  });
});

describe('TokenCache: invalidate after a 401', () => {
  it('fetches a new token on the next call', async () => {
    const ep = endpoint();
    const cache = new TokenCache({ name: 'genesys:acme', fetchToken: ep.fetchToken });
    const rejected = await cache.header();
    cache.invalidate(rejected);
    expect(await cache.header()).toBe('Bearer tok-2-secret');
  });

  it('ignores a late 401 for a token that was already replaced (one refresh per burst, not one per request)', async () => {
    const ep = endpoint();
    const cache = new TokenCache({ name: 'genesys:acme', fetchToken: ep.fetchToken });
    const old = await cache.header();
    cache.invalidate(old);
    await cache.header();
    for (let i = 0; i < 10; i++) cache.invalidate(old);
    expect(await cache.header()).toBe('Bearer tok-2-secret');
    expect(ep.calls).toHaveLength(2);
  });
});

describe('TokenCache: failures', () => {
  it('surfaces a failed fetch as a retryable DELIVERY_UNAVAILABLE with retryAfterMs', async () => {
    const ep = endpoint();
    ep.failWith(new Error('connect ECONNREFUSED'));
    const cache = new TokenCache({ name: 'genesys:acme', fetchToken: ep.fetchToken, failureCooldownMs: 1000 });
    const e = await cache.token().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ParleyError);
    expect(e).toMatchObject({ code: 'PARLEY_E_DELIVERY_UNAVAILABLE', retryable: true, retryAfterMs: 1000, details: { vendor: 'genesys:acme', reason: 'token' } });
  });

  it('does not keep the failure for long: within the cooldown callers get it without a fetch, after it they fetch again', async () => {
    const ep = endpoint();
    ep.failWith(new Error('down'));
    const cache = new TokenCache({ name: 'genesys:acme', fetchToken: ep.fetchToken, failureCooldownMs: 1000 });
    await expect(cache.token()).rejects.toMatchObject({ retryable: true });
    ep.failWith(undefined);
    await vi.advanceTimersByTimeAsync(400);
    await expect(cache.token()).rejects.toMatchObject({ retryAfterMs: 600 });
    expect(ep.calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(600);
    expect(await cache.token()).toBe('tok-1-secret');
    expect(ep.calls).toHaveLength(2);
  });

  it("keeps a token endpoint's own Retry-After, and stays retryable even when it refused our credentials", async () => {
    const throttled = new TokenCache({
      name: 'genesys:acme',
      fetchToken: () => Promise.reject(new ParleyError('DELIVERY_UNAVAILABLE', 'throttled', { retryAfterMs: 30_000 })),
    });
    await expect(throttled.token()).rejects.toMatchObject({ retryAfterMs: 30_000 });
    const refused = new TokenCache({ name: 'genesys:acme', fetchToken: () => Promise.reject(new ParleyError('DELIVERY_REJECTED', 'invalid_client')) });
    await expect(refused.token()).rejects.toMatchObject({ code: 'PARLEY_E_DELIVERY_UNAVAILABLE', retryable: true, details: { cause: 'PARLEY_E_DELIVERY_REJECTED' } });
  });

  it('refuses a malformed token answer without quoting it', async () => {
    const cache = new TokenCache({ name: 'genesys:acme', fetchToken: async () => ({ token: 'tok-secret-value', expiresInSec: -1 }) });
    const e = (await cache.token().catch((x: unknown) => x)) as ParleyError;
    expect(e).toMatchObject({ code: 'PARLEY_E_DELIVERY_UNAVAILABLE', details: { cause: 'malformed' } });
    expect(JSON.stringify([e.message, e.details])).not.toContain('tok-secret-value');
  });

  it('lets one caller stop waiting (its delivery timed out) without cancelling the fetch the others share', async () => {
    const ep = endpoint();
    const release = ep.hold();
    const cache = new TokenCache({ name: 'genesys:acme', fetchToken: ep.fetchToken });
    const ac = new AbortController();
    const impatient = cache.token(ac.signal);
    const patient = cache.token();
    ac.abort();
    await expect(impatient).rejects.toMatchObject({ code: 'PARLEY_E_DELIVERY_TIMEOUT' });
    release();
    expect(await patient).toBe('tok-1-secret');
    expect(ep.calls).toHaveLength(1);
  });

  it('gives the fetch a timeout signal of its own', async () => {
    let seen: AbortSignal | undefined;
    const cache = new TokenCache({
      name: 'genesys:acme',
      fetchTimeoutMs: 50,
      fetchToken: (signal) => {
        seen = signal;
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      },
    });
    vi.useRealTimers(); // AbortSignal.timeout runs on Node's own timers
    await expect(cache.token()).rejects.toMatchObject({ code: 'PARLEY_E_DELIVERY_UNAVAILABLE', details: { cause: 'timeout' } });
    expect(seen?.aborted).toBe(true);
  });
});

describe('TokenCache: never reveals the token', () => {
  it('shows state, not the secret, in JSON, inspect and string forms', async () => {
    const ep = endpoint();
    const cache = new TokenCache({ name: 'genesys:acme', fetchToken: ep.fetchToken });
    await cache.token();
    const shown = [JSON.stringify(cache), JSON.stringify({ adapter: { cache } }), inspect(cache, { depth: 10, showHidden: true }), String(cache), `${inspect({ cache })}`];
    for (const s of shown) expect(s).not.toContain('tok-1-secret');
    expect(cache.toJSON()).toMatchObject({ name: 'genesys:acme', hasToken: true, refreshing: false, failing: false });
  });
});
