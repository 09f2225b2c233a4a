import { ParleyError } from '../../core/errors.js';
import { nextRetry, type RetryPolicy } from '../../core/retry.js';
import type { RateBudget } from '../../vendor/rate-budget.js';
import { parseRetryAfter } from '../../vendor/retry-after.js';
import { sleep } from '../../vendor/wait.js';

// One AWS SDK call in the dispatcher's vocabulary — what VendorHttp does for plain HTTP vendors (§8), for
// calls that go through the official SDK clients instead. The SDK's own retries are off (maxAttempts 1) so
// that the rules are Parley's: the instance's RateBudget before every send; each attempt bounded by
// attemptTimeoutMs and the caller's signal; retried with the core's backoff (a Retry-After, when AWS sends
// one, as a floor) within totalTimeoutMs, after which the retryable error goes back to the dispatcher with
// the wait as retryAfterMs.
//
// Every call the desk makes carries a ClientToken (StartChatContact, StartContactStreaming, SendMessage,
// SendEvent, DisconnectParticipant, attachments) or only reads, so AWS drops a repeat: all are safe to resend
// after an ambiguous failure.
//
// Errors: 429 (ThrottlingException, TooManyRequestsException, LimitExceededException), 5xx (but 501/505),
// network failures and missing credentials → DELIVERY_UNAVAILABLE; 408, 504 and our own timeout →
// DELIVERY_TIMEOUT; anything else → final DELIVERY_REJECTED with AWS's error name. An AccessDeniedException
// is final too, but `details.awsError` lets the desk tell an expired or ended participant token apart.

export interface AwsCallOptions {
  name: string;
  attemptTimeoutMs: number;
  totalTimeoutMs: number;
  budget?: RateBudget;
  policy?: RetryPolicy;
  log?: { debug(obj: Record<string, unknown>, msg: string): void };
  random?: () => number;
}

interface AwsLikeError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
  cause?: { code?: string };
}

const THROTTLED = new Set(['ThrottlingException', 'TooManyRequestsException', 'LimitExceededException', 'ServiceQuotaExceededException']);
const MIN_ATTEMPT_MS = 200;

/** The AWS error name of a DELIVERY_* error this module made (AccessDeniedException, …). */
export const awsErrorName = (e: unknown): string | undefined =>
  e instanceof ParleyError ? ((e.details as { awsError?: string } | undefined)?.awsError ?? undefined) : undefined;

export function classifyAws(e: unknown, vendor: string, operation: string): ParleyError {
  const err = (e ?? {}) as AwsLikeError;
  const status = err.$metadata?.httpStatusCode;
  const name = err.name ?? 'Error';
  const base = { vendor, operation, awsError: name, ...(status !== undefined ? { status } : {}) };
  // The message is AWS's own text about our request; tokens never appear in it, but cut it short anyway.
  const message = (err.message ?? '').slice(0, 300);
  const retryAfterMs = parseRetryAfter(err.$response?.headers?.['retry-after']);
  // No `cause`: the SDK's error carries its raw response, which has no place in a log line or error detail.
  const opts = { details: { ...base, message }, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  if (status === undefined) {
    if (name === 'CredentialsProviderError' || name === 'ProviderError') {
      return new ParleyError('DELIVERY_UNAVAILABLE', `${vendor} has no AWS credentials for ${operation} (${message}).`, opts);
    }
    return new ParleyError('DELIVERY_UNAVAILABLE', `Could not reach ${vendor} (${err.code ?? err.cause?.code ?? name}) for ${operation}.`, opts);
  }
  if (status === 429 || THROTTLED.has(name)) return new ParleyError('DELIVERY_UNAVAILABLE', `${vendor} is throttling (${status} ${name}) ${operation}.`, opts);
  if (status === 408 || status === 504) return new ParleyError('DELIVERY_TIMEOUT', `${vendor} timed out (${status}) on ${operation}.`, opts);
  if (status >= 500 && status !== 501 && status !== 505) return new ParleyError('DELIVERY_UNAVAILABLE', `${vendor} answered ${status} ${name} to ${operation}.`, opts);
  return new ParleyError('DELIVERY_REJECTED', `${vendor} answered ${status} ${name} to ${operation}.`, { details: { ...base, message } });
}

export class AwsCaller {
  private readonly policy: RetryPolicy;

  constructor(private readonly opts: AwsCallOptions) {
    this.policy = opts.policy ?? { maxAttempts: 3, baseDelayMs: 250, maxDelayMs: 2_000 };
  }

  /** Runs `send(abortSignal)` under the rules above. */
  async call<T>(operation: string, send: (abortSignal: AbortSignal) => Promise<T>, opts: { signal?: AbortSignal | undefined; budget?: RateBudget } = {}): Promise<T> {
    const { name } = this.opts;
    const deadline = Date.now() + this.opts.totalTimeoutMs;
    const left = () => deadline - Date.now();
    const gaveUp = () => new ParleyError('DELIVERY_TIMEOUT', `The call to ${name} was cancelled (${operation}).`, { details: { vendor: name, operation, reason: 'aborted' } });
    const budget = opts.budget ?? this.opts.budget;
    let attempt = 0;
    for (;;) {
      if (opts.signal?.aborted) throw gaveUp();
      attempt++;
      await budget?.acquire({ maxWaitMs: Math.max(0, left() - MIN_ATTEMPT_MS), ...(opts.signal ? { signal: opts.signal } : {}) });
      const timeoutMs = Math.min(this.opts.attemptTimeoutMs, left());
      if (timeoutMs < MIN_ATTEMPT_MS) throw new ParleyError('DELIVERY_TIMEOUT', `No time left to call ${name} (${operation}).`, { details: { vendor: name, operation, reason: 'deadline' } });
      const timer = AbortSignal.timeout(timeoutMs);
      const signal = opts.signal ? AbortSignal.any([opts.signal, timer]) : timer;
      let error: ParleyError;
      try {
        return await send(signal);
      } catch (e) {
        if (opts.signal?.aborted) throw gaveUp();
        error = timer.aborted
          ? new ParleyError('DELIVERY_TIMEOUT', `${name} did not answer ${operation} in time.`, { details: { vendor: name, operation, reason: 'timeout' } })
          : classifyAws(e, name, operation);
      }
      if (error.retryAfterMs !== undefined && error.code === 'PARLEY_E_DELIVERY_UNAVAILABLE') budget?.pause(error.retryAfterMs);
      const next = nextRetry(this.policy, attempt, error, this.opts.random);
      if (!next.retry) throw error;
      if (next.delayMs + MIN_ATTEMPT_MS > left()) throw withRetryAfter(error, next.delayMs);
      this.opts.log?.debug({ vendor: name, operation, attempt, delayMs: next.delayMs, code: error.code }, 'aws call will be retried');
      if (!(await sleep(next.delayMs, opts.signal))) throw gaveUp();
    }
  }
}

function withRetryAfter(e: ParleyError, ms: number): ParleyError {
  const retryAfterMs = Math.max(ms, e.retryAfterMs ?? 0);
  return new ParleyError(e.code.slice('PARLEY_E_'.length) as 'DELIVERY_UNAVAILABLE' | 'DELIVERY_TIMEOUT', e.message, { details: e.details, retryAfterMs, cause: e.cause });
}
