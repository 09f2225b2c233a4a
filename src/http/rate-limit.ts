import { ParleyError } from '../core/errors.js';

// A fixed-window counter per key (client IP + route), in memory. Enough to stop password guessing and
// session floods from one address on one node; several nodes would keep these counters in Redis.

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  /** `maxKeys` bounds memory: a flood from many addresses evicts the oldest windows, it never grows the map. */
  constructor(
    private readonly windowMs = 60_000,
    private readonly maxKeys = 50_000,
  ) {}

  get size(): number {
    return this.windows.size;
  }

  /** Count one hit; throws RATE_LIMITED (with Retry-After) past `max` hits in the window. */
  hit(key: string, max: number, now = Date.now()): void {
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      w = { start: now, count: 0 };
      // Re-inserted at the end, so the map's order is oldest window first.
      this.windows.delete(key);
      this.windows.set(key, w);
      if (this.windows.size > this.maxKeys) this.sweep(now);
    }
    w.count++;
    if (w.count > max) {
      throw new ParleyError('RATE_LIMITED', `Too many requests; try again in ${Math.ceil((w.start + this.windowMs - now) / 1000)} s.`, { retryAfterMs: w.start + this.windowMs - now });
    }
  }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
    // Still full of live windows: drop the oldest tenth in one go (amortised, not one per hit).
    if (this.windows.size > this.maxKeys) {
      let drop = this.windows.size - Math.floor(this.maxKeys * 0.9);
      for (const k of this.windows.keys()) {
        if (drop-- <= 0) break;
        this.windows.delete(k);
      }
    }
  }
}
