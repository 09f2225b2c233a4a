import { describe, expect, it } from 'vitest';
import { nextRetry, type RetryPolicy } from '../../src/core/retry.js';

const policy: RetryPolicy = { maxAttempts: 20, baseDelayMs: 100, maxDelayMs: 1000 };
const retryable = { retryable: true };
const top = () => 1; // upper end of the jitter window
const bottom = () => 0; // lower end

function delay(attempts: number, random: () => number, err: { retryable: boolean; retryAfterMs?: number } = retryable, p = policy): number {
  const d = nextRetry(p, attempts, err, random);
  if (!d.retry) throw new Error(`expected a retry after ${attempts} attempts`);
  return d.delayMs;
}

describe('delivery retry policy', () => {
  it('doubles the delay with each attempt, starting at the base delay', () => {
    expect([1, 2, 3, 4].map((n) => delay(n, top))).toEqual([100, 200, 400, 800]);
  });

  it('never waits longer than the cap', () => {
    expect(delay(5, top)).toBe(1000);
    expect(delay(19, top)).toBe(1000);
    expect(delay(19, bottom)).toBeLessThanOrEqual(1000);
  });

  it('keeps jitter within [half, all] of the exponential delay, never zero', () => {
    expect(delay(1, bottom)).toBe(50);
    expect(delay(3, bottom)).toBe(200);
    expect(delay(3, () => 0.5)).toBe(300);
    let seed = 7;
    const lcg = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let attempt = 1; attempt <= 8; attempt++) {
      const exp = Math.min(1000, 100 * 2 ** (attempt - 1));
      for (let i = 0; i < 200; i++) {
        const d = delay(attempt, lcg);
        expect(d).toBeGreaterThanOrEqual(exp / 2);
        expect(d).toBeLessThanOrEqual(exp);
      }
    }
  });

  it('spreads delays when given different random values', () => {
    const seen = new Set([0, 0.25, 0.5, 0.75, 0.99].map((r) => delay(4, () => r)));
    expect(seen.size).toBe(5);
  });

  it('uses Math.random by default and stays in bounds', () => {
    for (let i = 0; i < 100; i++) {
      const d = nextRetry(policy, 2, retryable);
      expect(d.retry).toBe(true);
      if (d.retry) {
        expect(d.delayMs).toBeGreaterThanOrEqual(100);
        expect(d.delayMs).toBeLessThanOrEqual(200);
      }
    }
  });

  it('waits at least as long as the destination asked (Retry-After), when that is longer than the backoff', () => {
    expect(delay(1, top, { retryable: true, retryAfterMs: 700 })).toBe(700);
  });

  it('never retries sooner than Retry-After, even beyond the backoff cap', () => {
    // A destination that says "come back in 5 s" must not be hit again after 1 s because of our cap.
    expect(delay(1, top, { retryable: true, retryAfterMs: 5000 })).toBeGreaterThanOrEqual(5000);
    expect(delay(10, bottom, { retryable: true, retryAfterMs: 3000 })).toBeGreaterThanOrEqual(3000);
  });

  it('keeps the backoff when Retry-After is shorter', () => {
    expect(delay(3, top, { retryable: true, retryAfterMs: 10 })).toBe(400);
  });

  it('does not retry a non-retryable error, even on the first attempt', () => {
    expect(nextRetry(policy, 1, { retryable: false })).toEqual({ retry: false });
    expect(nextRetry(policy, 1, { retryable: false, retryAfterMs: 100 })).toEqual({ retry: false });
  });

  it('stops after maxAttempts attempts', () => {
    const p = { ...policy, maxAttempts: 3 };
    expect(nextRetry(p, 1, retryable, top).retry).toBe(true);
    expect(nextRetry(p, 2, retryable, top).retry).toBe(true);
    expect(nextRetry(p, 3, retryable, top)).toEqual({ retry: false });
    expect(nextRetry(p, 4, retryable, top)).toEqual({ retry: false });
  });

  it('with maxAttempts 1 the first failure is final', () => {
    expect(nextRetry({ ...policy, maxAttempts: 1 }, 1, retryable)).toEqual({ retry: false });
  });

  it('returns whole milliseconds', () => {
    for (const r of [0.1, 0.333, 0.77]) expect(Number.isInteger(delay(2, () => r, retryable, { maxAttempts: 9, baseDelayMs: 7, maxDelayMs: 1000 }))).toBe(true);
  });
});
