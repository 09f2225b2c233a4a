import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ParleyError } from '../../src/core/errors.js';
import { RateBudget } from '../../src/vendor/rate-budget.js';

// The per-instance budget on fake timers: each test records when each acquire resolved.

const T0 = Date.parse('2025-01-01T00:00:00Z');
beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

/** Start `n` acquires now; returns the times (ms after T0) at which each was granted, once all are. */
async function grants(budget: RateBudget, n: number, runFor: number): Promise<number[]> {
  const at: number[] = [];
  const all = Array.from({ length: n }, (_, i) => budget.acquire().then(() => (at[i] = Date.now() - T0)));
  await vi.advanceTimersByTimeAsync(runFor);
  await Promise.all(all);
  return at;
}

describe('RateBudget', () => {
  it('lets `limit` requests through at once, then one more per freed slot', async () => {
    const budget = new RateBudget({ name: 'genesys:acme', limit: 3, windowMs: 1000 });
    expect(await grants(budget, 7, 3000)).toEqual([0, 0, 0, 1000, 1000, 1000, 2000]);
  });

  it('never allows more than the limit in any window, however requests arrive', async () => {
    const budget = new RateBudget({ limit: 5, windowMs: 1000 });
    const granted: number[] = [];
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 60; i++) {
      await vi.advanceTimersByTimeAsync(Math.floor(rnd() * 150));
      pending.push(budget.acquire().then(() => void granted.push(Date.now())));
    }
    await vi.advanceTimersByTimeAsync(20_000);
    await Promise.all(pending);
    expect(granted).toHaveLength(60);
    for (const t of granted) expect(granted.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(5);
  });

  it('serves waiters in the order they asked', async () => {
    const budget = new RateBudget({ limit: 1, windowMs: 100 });
    const order: number[] = [];
    const all = [0, 1, 2, 3].map((i) => budget.acquire().then(() => order.push(i)));
    await vi.advanceTimersByTimeAsync(500);
    await Promise.all(all);
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it('refuses, without taking a slot, a wait longer than the caller can afford: retryable with retryAfterMs', async () => {
    const budget = new RateBudget({ name: 'genesys:acme', limit: 1, windowMs: 60_000 });
    await budget.acquire();
    const e = await budget.acquire({ maxWaitMs: 5000 }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ParleyError);
    expect(e).toMatchObject({ code: 'PARLEY_E_DELIVERY_UNAVAILABLE', retryable: true, retryAfterMs: 60_000, details: { vendor: 'genesys:acme', reason: 'rate_budget' } });
    // The refused caller took nothing: the next slot is still at 60 s.
    expect(budget.nextSlot() - T0).toBe(60_000);
  });

  it('pauses every caller for a Retry-After, including those already waiting for a slot', async () => {
    const budget = new RateBudget({ limit: 1, windowMs: 100 });
    await budget.acquire(); // sent at 0
    const reserved = budget.acquire().then(() => Date.now() - T0); // holds the slot at 100
    await vi.advanceTimersByTimeAsync(50);
    budget.pause(3000); // a 429 at 50 says: not before 3050
    const later = budget.acquire().then(() => Date.now() - T0);
    await vi.advanceTimersByTimeAsync(5000);
    // Nobody goes during the pause, and after it the two still respect one per 100 ms.
    expect([await later, await reserved]).toEqual([3050, 3150]);
  });

  it('throws a retryable error when a pause outlasts what a waiting caller can afford', async () => {
    const budget = new RateBudget({ limit: 10, windowMs: 1000 });
    budget.pause(10_000);
    await expect(budget.acquire({ maxWaitMs: 2000 })).rejects.toMatchObject({ code: 'PARLEY_E_DELIVERY_UNAVAILABLE', retryAfterMs: 10_000 });
    expect(budget.pausedForMs()).toBe(10_000);
  });

  it('only lengthens a pause, never shortens it', () => {
    const budget = new RateBudget({ limit: 10, windowMs: 1000 });
    budget.pause(5000);
    budget.pause(1000);
    expect(budget.pausedForMs()).toBe(5000);
  });

  it('stops waiting when the caller aborts (DELIVERY_TIMEOUT)', async () => {
    const budget = new RateBudget({ limit: 1, windowMs: 60_000 });
    await budget.acquire();
    const ac = new AbortController();
    const waiting = budget.acquire({ signal: ac.signal });
    ac.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'PARLEY_E_DELIVERY_TIMEOUT' });
  });

  it('refuses a nonsensical budget with a CONFIG error', () => {
    expect(() => new RateBudget({ limit: 0, windowMs: 1000 })).toThrow(/limit/);
    expect(() => new RateBudget({ limit: 1.5, windowMs: 1000 })).toThrow(ParleyError);
    expect(() => new RateBudget({ limit: 1, windowMs: -1 })).toThrow(/windowMs/);
  });

  it('describes its state', async () => {
    const budget = new RateBudget({ name: 'genesys:acme', limit: 1, windowMs: 1000 });
    await budget.acquire();
    expect(JSON.parse(JSON.stringify(budget))).toEqual({ name: 'genesys:acme', limit: 1, windowMs: 1000, pausedForMs: 0, nextSlotInMs: 1000 });
  });
});
