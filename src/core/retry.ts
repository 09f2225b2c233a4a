// Delivery retry policy: exponential backoff with full jitter, capped, honouring a destination's
// Retry-After when it gives one (never retrying sooner than asked).

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false };

export function nextRetry(
  policy: RetryPolicy,
  attemptsSoFar: number,
  err: { retryable: boolean; retryAfterMs?: number | undefined },
  random: () => number = Math.random,
): RetryDecision {
  if (!err.retryable || attemptsSoFar >= policy.maxAttempts) return { retry: false };
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attemptsSoFar - 1));
  // Full jitter in [exp/2, exp]: spreads a burst of failures without ever collapsing to zero delay.
  const jittered = Math.round(exp / 2 + (random() * exp) / 2);
  // The cap bounds our own backoff only: a destination's Retry-After is a floor, never cut by the cap,
  // or we would call it again sooner than it asked (and likely be throttled harder).
  const delayMs = Math.max(jittered, err.retryAfterMs ?? 0);
  return { retry: true, delayMs };
}
