import { z } from 'zod';
import { ParleyError } from '../core/errors.js';
import { sleep } from './wait.js';

// A per-instance request budget: at most `limit` requests in any `windowMs` (Genesys Cloud: 300 a minute
// per token). Every request through a VendorHttp that shares this budget reserves a slot first.
//
// Why a sliding log of slot times rather than a refilling token bucket: a bucket that holds `limit` tokens
// and refills `limit` per window lets up to twice the limit through within one window (a full bucket spent,
// then a window's refill), which is exactly when a vendor throttles. Remembering the last `limit` slots
// guarantees the vendor's rule however it draws its windows, for the cost of `limit` numbers.
//
// Slots are handed out in call order (first come, first served) and reserved at once, so concurrent callers
// never compute the same free slot. A caller that gives up after reserving (its delivery timed out) leaves
// its slot unused: the budget errs towards sending less, never more.
//
// In memory, per process: several nodes sharing one vendor instance would each spend the full budget.

const Options = z.object({
  /** Requests allowed in any window. */
  limit: z.number().int().positive(),
  windowMs: z.number().int().positive(),
  /** Used in errors, e.g. `genesys:acme`. */
  name: z.string().min(1).default('vendor'),
});
export type RateBudgetOptions = z.input<typeof Options>;

export interface AcquireOptions {
  /** Longest this caller may wait for a slot; past it, acquire throws a retryable error instead. */
  maxWaitMs?: number;
  /** The caller's attempt signal: aborting it stops the wait (DELIVERY_TIMEOUT). */
  signal?: AbortSignal;
}

export class RateBudget {
  readonly limit: number;
  readonly windowMs: number;
  readonly name: string;
  /** The last `limit` reserved slot times (ms), oldest first; never decreasing. */
  private readonly slots: number[] = [];
  private pausedUntil = 0;

  constructor(opts: RateBudgetOptions) {
    const parsed = Options.safeParse(opts);
    if (!parsed.success) throw new ParleyError('CONFIG', `Invalid rate budget: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    ({ limit: this.limit, windowMs: this.windowMs, name: this.name } = parsed.data);
  }

  /** When the next request could go, without reserving it. */
  nextSlot(now = Date.now()): number {
    const oldest = this.slots.length >= this.limit ? this.slots[this.slots.length - this.limit] : undefined;
    const last = this.slots[this.slots.length - 1] ?? 0;
    return Math.max(now, this.pausedUntil, oldest === undefined ? 0 : oldest + this.windowMs, last);
  }

  /**
   * Wait for a slot and take it. Throws DELIVERY_UNAVAILABLE (retryable, retryAfterMs = the wait) without
   * taking a slot when the wait would exceed `maxWaitMs`, so the dispatcher reschedules the delivery instead
   * of holding its lane past the attempt's timeout; DELIVERY_TIMEOUT when `signal` aborts.
   */
  async acquire(opts: AcquireOptions = {}): Promise<void> {
    const start = Date.now();
    const maxWait = opts.maxWaitMs ?? Number.POSITIVE_INFINITY;
    for (;;) {
      const now = Date.now();
      const slot = this.nextSlot(now);
      if (slot - start > maxWait) throw this.exhausted(slot - now);
      this.slots.push(slot);
      if (this.slots.length > this.limit) this.slots.shift();
      if (!(await sleep(slot - now, opts.signal))) throw aborted(this.name);
      if (this.pausedUntil <= Date.now()) return;
      // A pause arrived while we waited: the slot we held is void (sending on it could put two requests in
      // one slot after the pause). Take a new one behind the pause; the void slot only ever makes us send less.
    }
  }

  /**
   * Hold every caller of this instance for `ms` (the vendor's Retry-After on a 429 or 503 applies to the
   * instance's credentials, not to the one request that happened to see it). Pauses only lengthen.
   */
  pause(ms: number, now = Date.now()): void {
    if (ms > 0) this.pausedUntil = Math.max(this.pausedUntil, now + ms);
  }

  /** How long new requests are held by a pause, in ms (0 when not paused). */
  pausedForMs(now = Date.now()): number {
    return Math.max(0, this.pausedUntil - now);
  }

  toJSON(): { name: string; limit: number; windowMs: number; pausedForMs: number; nextSlotInMs: number } {
    const now = Date.now();
    return { name: this.name, limit: this.limit, windowMs: this.windowMs, pausedForMs: this.pausedForMs(now), nextSlotInMs: this.nextSlot(now) - now };
  }

  private exhausted(waitMs: number): ParleyError {
    return new ParleyError('DELIVERY_UNAVAILABLE', `The request budget for ${this.name} is spent; the next slot is in ${Math.ceil(waitMs)} ms.`, {
      retryAfterMs: Math.ceil(waitMs),
      details: { vendor: this.name, reason: 'rate_budget' },
    });
  }
}

function aborted(name: string): ParleyError {
  return new ParleyError('DELIVERY_TIMEOUT', `Gave up waiting for a request slot for ${name}.`, { details: { vendor: name, reason: 'aborted' } });
}
