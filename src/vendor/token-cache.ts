import { inspect } from 'node:util';
import { z } from 'zod';
import { isParleyError, ParleyError } from '../core/errors.js';
import type { AuthProvider } from './auth.js';
import { untilAborted } from './wait.js';

// One vendor access token per adapter instance, fetched once and shared by every delivery, refreshed ahead
// of expiry, never fetched per message. Deliveries hand a still-good token out while a refresh runs in the
// background, so a refresh never adds latency unless the token is already too close to expiry to use.
//
// The token is held in an ES private field and left out of toJSON and util.inspect: a cache that ends up in
// a log line (`log.info({ adapter })`) or an error's details shows its state, never its secret.

const FetchedToken = z.object({
  token: z.string().min(1),
  expiresInSec: z.number().positive().finite(),
});
export type FetchedToken = z.infer<typeof FetchedToken>;

export interface TokenCacheOptions {
  /** Used in errors and logs, e.g. `genesys:acme`. */
  name: string;
  /**
   * Get a fresh token from the vendor (an OAuth client-credentials call). `signal` aborts at
   * `fetchTimeoutMs`; it is the fetch's own, not any one delivery's, because concurrent callers share it.
   */
  fetchToken(signal: AbortSignal): Promise<FetchedToken>;
  /** Longest one token fetch may take. Default 10 s. */
  fetchTimeoutMs?: number;
  /** After a failed fetch, callers get that failure for this long before the next try. Default 1 s. */
  failureCooldownMs?: number;
  /** Authorization scheme. Default `Bearer`; `''`: the bare token (LivePerson sends its AppJWT that way). */
  scheme?: string;
  log?: { warn(obj: Record<string, unknown>, msg: string): void };
}

interface Held {
  token: string;
  /** From here on, hand the token out but start a refresh. */
  refreshAt: number;
  /** From here on, the token is too close to expiry to send: wait for a new one. */
  staleAt: number;
  expiresAt: number;
}

/**
 * When to refresh a token with `lifeMs` to live, counted from when its fetch started: at 80 % of its life
 * or 60 s before expiry, whichever comes first, but never before half its life (a 30 s token would
 * otherwise be "due" the moment it arrives and be fetched for every message). It stops being handed out
 * 10 s (or a tenth of its life) before expiry, so it does not expire while a request is in flight.
 */
export function tokenSchedule(obtainedAt: number, lifeMs: number): Omit<Held, 'token'> {
  const refreshIn = Math.max(lifeMs / 2, Math.min(lifeMs * 0.8, lifeMs - 60_000));
  return {
    refreshAt: obtainedAt + refreshIn,
    staleAt: obtainedAt + lifeMs - Math.min(10_000, lifeMs / 10),
    expiresAt: obtainedAt + lifeMs,
  };
}

export class TokenCache implements AuthProvider {
  readonly name: string;
  #held: Held | undefined;
  #inflight: Promise<Held> | undefined;
  #failure: { error: ParleyError; until: number } | undefined;
  #fetches = 0;
  private readonly opts: TokenCacheOptions;

  constructor(opts: TokenCacheOptions) {
    this.opts = opts;
    this.name = opts.name;
  }

  /** The current token, fetching (once, however many callers ask) when there is none usable. */
  async token(signal?: AbortSignal): Promise<string> {
    const now = Date.now();
    const held = this.#held;
    if (held && now < held.staleAt) {
      if (now >= held.refreshAt) this.refreshInBackground(now);
      return held.token;
    }
    const failure = this.#failure;
    if (failure && now < failure.until) throw withRetryAfter(failure.error, failure.until - now);
    const fresh = await untilAborted(this.fetchShared(), signal, () => new ParleyError('DELIVERY_TIMEOUT', `Gave up waiting for an access token for ${this.name}.`));
    return fresh.token;
  }

  async header(signal?: AbortSignal): Promise<string> {
    const token = await this.token(signal);
    return this.opts.scheme === '' ? token : `${this.opts.scheme ?? 'Bearer'} ${token}`;
  }

  /** Drop the token after a 401, unless `rejected` names an older one that was already replaced. */
  invalidate(rejected?: string): void {
    const held = this.#held;
    if (!held) return;
    if (rejected !== undefined && rejected !== held.token && rejected !== `${this.opts.scheme ?? 'Bearer'} ${held.token}`) return;
    this.#held = undefined;
  }

  /** How many times the vendor was asked for a token (for tests and metrics). */
  get fetchCount(): number {
    return this.#fetches;
  }

  toJSON(): { name: string; hasToken: boolean; expiresAt?: string; refreshAt?: string; refreshing: boolean; failing: boolean } {
    const held = this.#held;
    return {
      name: this.name,
      hasToken: held !== undefined,
      ...(held ? { expiresAt: new Date(held.expiresAt).toISOString(), refreshAt: new Date(held.refreshAt).toISOString() } : {}),
      refreshing: this.#inflight !== undefined,
      failing: this.#failure !== undefined && Date.now() < this.#failure.until,
    };
  }

  [inspect.custom](): string {
    return `TokenCache ${JSON.stringify(this.toJSON())}`;
  }

  private refreshInBackground(now: number): void {
    if (this.#inflight) return;
    if (this.#failure && now < this.#failure.until) return;
    // The still-valid token keeps serving; a failure here is remembered (cooldown) and retried on a later call.
    this.fetchShared().catch(() => {});
  }

  /** Single flight: every caller while a fetch runs shares its promise. */
  private fetchShared(): Promise<Held> {
    this.#inflight ??= this.fetchOnce().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  private async fetchOnce(): Promise<Held> {
    // Expiry counts from the start of the fetch: the vendor's clock started no later than that.
    const startedAt = Date.now();
    this.#fetches++;
    const signal = AbortSignal.timeout(this.opts.fetchTimeoutMs ?? 10_000);
    let raw: unknown;
    try {
      raw = await this.opts.fetchToken(signal);
    } catch (e) {
      throw this.failed(tokenFailure(this.name, e, signal.aborted ? 'timeout' : isParleyError(e) ? e.code : 'error'), e);
    }
    const got = FetchedToken.safeParse(raw);
    // The issues are not echoed: they could quote the value, and the value may be the token.
    if (!got.success) throw this.failed(tokenFailure(this.name, undefined, 'malformed'), undefined);
    const held: Held = { token: got.data.token, ...tokenSchedule(startedAt, got.data.expiresInSec * 1000) };
    this.#held = held;
    this.#failure = undefined;
    return held;
  }

  /** Remember a failure for the cooldown (callers in that time get it at once) and say so without secrets. */
  private failed(error: ParleyError, cause: unknown): ParleyError {
    const cooldown = this.opts.failureCooldownMs ?? 1000;
    this.#failure = { error, until: Date.now() + cooldown };
    this.opts.log?.warn({ vendor: this.name, code: error.code, cause: isParleyError(cause) ? cause.code : cause instanceof Error ? cause.name : typeof cause }, 'vendor token fetch failed');
    return withRetryAfter(error, cooldown);
  }
}

/**
 * Any token failure is retryable DELIVERY_UNAVAILABLE, even a refusal of our credentials: the usual cause is
 * an operator mid-rotation, and the dispatcher's attempt cap still turns credentials that stay wrong into
 * failed deliveries. The vendor's own wait (a 429 on the token endpoint) is kept. The cause is attached for
 * debugging but its message is not copied, since a token endpoint's error text can quote what it was sent.
 */
function tokenFailure(name: string, e: unknown, cause: string): ParleyError {
  return new ParleyError('DELIVERY_UNAVAILABLE', `Could not get an access token for ${name} (${cause}).`, {
    cause: e,
    details: { vendor: name, reason: 'token', cause },
    ...(isParleyError(e) && e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}),
  });
}

/** The same failure, telling the dispatcher not to come back before `ms` (nor before the vendor's own wait). */
function withRetryAfter(e: ParleyError, ms: number): ParleyError {
  const retryAfterMs = Math.max(Math.ceil(ms), e.retryAfterMs ?? 0);
  return new ParleyError('DELIVERY_UNAVAILABLE', e.message, { cause: e.cause, details: e.details, retryAfterMs });
}
