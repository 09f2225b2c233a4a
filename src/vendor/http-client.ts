import { z } from 'zod';
import { ParleyError } from '../core/errors.js';
import { nextRetry, type RetryPolicy } from '../core/retry.js';
import type { AuthProvider } from './auth.js';
import type { RateBudget } from './rate-budget.js';
import { credentialOf, excerpt, isCredentialHeader, isCredentialName, redactHeaders, redactUrl } from './redact.js';
import { noteOutbound, tracing } from './traffic-trace.js';
import { parseRetryAfter } from './retry-after.js';
import { sleep, untilAborted } from './wait.js';

// The one outbound HTTP client every vendor adapter uses (one VendorHttp per adapter instance). It owns the
// rules that turn a vendor's behaviour into the dispatcher's vocabulary, so adapters only say what to send:
//
// - Status → catalogue. 2xx (and statuses the request lists in `accept`) resolve. Retryable, with
//   retryAfterMs when the vendor gave Retry-After: 429, 5xx, network errors → DELIVERY_UNAVAILABLE;
//   408, 504 and our own timeout → DELIVERY_TIMEOUT. Final DELIVERY_REJECTED, with the status and a short
//   credential-free excerpt of the body in `details`: every other 4xx, 3xx, 501 and 505.
//   * 408 is retryable: the server says it stopped waiting for our request, so it never acted on it.
//   * 409 is final: resending an unchanged request into a conflict cannot succeed until the vendor's state
//     changes (a closed conversation), and a retryable error would block the lane for the dispatcher's
//     whole backoff. A vendor whose 409 means "duplicate, already have it" is handled by the adapter
//     listing 409 in `accept` and treating it as sent.
//   * 501 and 505 say the server will never do this; retrying is noise.
//   * 3xx is final: redirects are not followed, so credentials never travel to another origin, and a vendor
//     API that redirects is a wrong base URL, which waiting will not fix.
//   * 401 with an auth provider: invalidate the credential and resend once with a fresh one (not counted as
//     an attempt); a second 401 is DELIVERY_REJECTED: the credentials themselves are refused.
// - Retries inside one call, for at most `maxAttempts` sends and `totalTimeoutMs` overall, with the core's
//   backoff (`nextRetry`: exponential, jittered within [half, all] of the step so no retry is immediate,
//   Retry-After as a floor). When the next wait would not leave time for another attempt before the total
//   cap, the call stops and throws the retryable error with retryAfterMs = that wait, so the dispatcher
//   reschedules the delivery rather than this call overrunning the dispatcher's own timeout (which would
//   lose the Retry-After). Set totalTimeoutMs below PARLEY_DELIVERY_TIMEOUT_MS.
// - Idempotency: GET and HEAD are retried; anything else only when the caller passes `idempotent: true`.
//   Our sends are idempotent when the adapter gives the vendor a stable message id (the delivery id), so a
//   resend is dropped as a duplicate; mark them so. Without it, only failures that prove the vendor did not
//   act are retried here: 429, 408, a 401 before the refresh, and a connection that was never established.
//   The error stays retryable either way: the dispatcher's at-least-once resend still applies.
// - A per-instance RateBudget is awaited before every send; a Retry-After on a 429 or 503 pauses it for
//   every caller of the instance.
// - Logs (debug) and error details never carry credentials: see redact.ts.
// - Each send is reported to the event inspector's vendor traffic when it is made for a conversation
//   (traffic-trace.ts), masked there (traffic-mask.ts).

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** The slice of a pino/Fastify logger the client uses. */
export interface VendorLogger {
  debug(obj: Record<string, unknown>, msg: string): void;
}

/** One send, reported to `onAttempt` (metrics). */
export interface AttemptReport {
  vendor: string;
  operation: string;
  method: HttpMethod;
  /** 1 for the first send of a call; a resend after a 401 refresh counts too. */
  attempt: number;
  /** The HTTP status, or what happened instead. */
  outcome: number | 'network' | 'timeout' | 'aborted';
  durationMs: number;
  /** Whether the client sends again. */
  retrying: boolean;
}

const Options = z.object({
  /** The adapter instance, e.g. `genesys:acme`: in errors, logs and metrics. */
  name: z.string().min(1),
  baseUrl: z.url({ protocol: /^https?$/ }),
  /** Longest one send may take (connect to last byte of the body). */
  attemptTimeoutMs: z.number().int().positive().default(5_000),
  /** Longest one call may take, every wait and retry included. Keep it below the dispatcher's timeout. */
  totalTimeoutMs: z.number().int().positive().default(12_000),
  maxAttempts: z.number().int().positive().default(3),
  baseDelayMs: z.number().int().positive().default(250),
  maxDelayMs: z.number().int().positive().default(2_000),
  /** Log request and response bodies (redacted, cut to 1,000 characters) at debug. Off: bodies hold customers' messages. */
  logBodies: z.boolean().default(false),
});

export interface VendorHttpOptions extends z.input<typeof Options> {
  headers?: Record<string, string>;
  auth?: AuthProvider;
  budget?: RateBudget;
  log?: VendorLogger;
  onAttempt?: (report: AttemptReport) => void;
  /** For tests: the jitter source. */
  random?: () => number;
}

export interface VendorRequest<T = unknown> {
  /** Default GET, or POST when there is a body. */
  method?: HttpMethod;
  /** Relative to the base URL. Build it with vendorPath`…` when it holds ids. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** Sent as application/json. */
  json?: unknown;
  /** Sent as application/x-www-form-urlencoded (OAuth token endpoints). */
  form?: Record<string, string> | URLSearchParams;
  /** Sent as is, with `contentType` (a file to a vendor's file store). */
  bytes?: Uint8Array<ArrayBuffer>;
  contentType?: string;
  /**
   * The vendor drops a repeat of this request (it carries our stable message id or an idempotency key),
   * so a resend after a 5xx, a reset connection or a timeout cannot duplicate it. Default: GET and HEAD only.
   */
  idempotent?: boolean;
  /** The dispatcher's attempt signal: aborting stops the call at once. */
  signal?: AbortSignal;
  /** Overrides the client's attemptTimeoutMs / totalTimeoutMs for this call. */
  timeoutMs?: number;
  totalTimeoutMs?: number;
  /** Validates a successful body (vendor output is untrusted). A mismatch is DELIVERY_UNAVAILABLE, not retried here. */
  schema?: z.ZodType<T>;
  /** Non-2xx statuses to return instead of throwing (e.g. 409 when the vendor uses it for duplicates). */
  accept?: readonly number[];
  /** false: send without the auth provider's header (the token endpoint itself). */
  auth?: boolean;
  /** A stable label for logs and metrics (`sendMessage`); default `METHOD path`. */
  operation?: string;
}

export interface VendorResponse<T> {
  status: number;
  headers: Headers;
  /** Parsed JSON (validated when a schema was given), the text when it is not JSON, undefined when empty. */
  body: T;
  /** Sends this call took (1 = first try). */
  attempts: number;
}

type Sent =
  | { kind: 'response'; status: number; headers: Headers; text: string }
  | { kind: 'network'; code: string; unsent: boolean }
  | { kind: 'timeout' }
  | { kind: 'aborted' };

/** Connection failures that prove the request never reached the vendor, so even a non-idempotent send may go again. */
const UNSENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** Time an attempt needs to be worth starting; below it, hand the wait to the dispatcher instead. */
const MIN_ATTEMPT_MS = 200;

export class VendorHttp {
  readonly name: string;
  private readonly opts: z.output<typeof Options>;
  private readonly base: URL;
  private readonly policy: RetryPolicy;

  constructor(private readonly deps: VendorHttpOptions) {
    const parsed = Options.safeParse(deps);
    if (!parsed.success) throw new ParleyError('CONFIG', `Invalid vendor client options for ${deps.name}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
    this.opts = parsed.data;
    this.name = parsed.data.name;
    this.base = new URL(parsed.data.baseUrl.replace(/\/+$/, '') + '/');
    this.policy = { maxAttempts: parsed.data.maxAttempts, baseDelayMs: parsed.data.baseDelayMs, maxDelayMs: parsed.data.maxDelayMs };
  }

  /** The base URL every path is resolved against. */
  get baseUrl(): string {
    return this.base.toString();
  }

  get<T = unknown>(path: string, req: Omit<VendorRequest<T>, 'path' | 'method'> = {}): Promise<VendorResponse<T>> {
    return this.request({ ...req, path, method: 'GET' });
  }

  post<T = unknown>(path: string, json: unknown, req: Omit<VendorRequest<T>, 'path' | 'method' | 'json'> = {}): Promise<VendorResponse<T>> {
    return this.request({ ...req, path, json, method: 'POST' });
  }

  async request<T = unknown>(req: VendorRequest<T>): Promise<VendorResponse<T>> {
    const method: HttpMethod = req.method ?? (req.json !== undefined || req.form !== undefined ? 'POST' : 'GET');
    const operation = req.operation ?? `${method} ${req.path}`;
    const idempotent = req.idempotent ?? (method === 'GET' || method === 'HEAD');
    const url = this.url(req.path, req.query, operation);
    const { body, contentType, secrets } = encodeBody(req);
    const auth = req.auth === false ? undefined : this.deps.auth;
    const deadline = Date.now() + (req.totalTimeoutMs ?? this.opts.totalTimeoutMs);
    const left = () => deadline - Date.now();
    const gaveUp = () => new ParleyError('DELIVERY_TIMEOUT', `The delivery to ${this.name} was cancelled (${operation}).`, { details: { vendor: this.name, operation, reason: 'aborted' } });
    const ctx = { vendor: this.name, operation, method };

    let attempt = 0; // counted against maxAttempts
    let sends = 0; // every send, the resend after a 401 included
    let refreshed = false;
    let last: ParleyError | undefined;
    for (;;) {
      if (req.signal?.aborted) throw gaveUp();
      attempt++;
      await this.deps.budget?.acquire({ maxWaitMs: Math.max(0, left() - MIN_ATTEMPT_MS), ...(req.signal ? { signal: req.signal } : {}) });

      let authorization: string | undefined;
      if (auth) {
        const waitSignal = AbortSignal.any([AbortSignal.timeout(Math.max(1, left())), ...(req.signal ? [req.signal] : [])]);
        authorization = await untilAborted(auth.header(waitSignal), waitSignal, () =>
          req.signal?.aborted ? gaveUp() : new ParleyError('DELIVERY_TIMEOUT', `No access token for ${this.name} in time (${operation}).`, { details: { vendor: this.name, operation, reason: 'token' } }),
        );
      }
      const headers: Record<string, string> = {
        accept: 'application/json',
        ...(contentType ? { 'content-type': contentType } : {}),
        ...this.deps.headers,
        ...req.headers,
        ...(authorization !== undefined ? { authorization } : {}),
      };
      const known = [...secrets, ...knownSecrets(headers)];

      const timeoutMs = Math.min(req.timeoutMs ?? this.opts.attemptTimeoutMs, left());
      if (timeoutMs < Math.min(MIN_ATTEMPT_MS, req.timeoutMs ?? this.opts.attemptTimeoutMs)) throw last ?? timeUp(this.name, operation);
      sends++;
      this.deps.log?.debug(
        { ...ctx, attempt: sends, url: redactUrl(url), headers: redactHeaders(headers), ...(this.opts.logBodies && typeof body === 'string' ? { body: excerpt(body, known, 1000) } : {}) },
        'vendor request',
      );
      const started = Date.now();
      const sent = await send(url, { method, headers, ...(body !== undefined ? { body } : {}) }, timeoutMs, req.signal);
      const durationMs = Date.now() - started;
      const report = (outcome: AttemptReport['outcome'], retrying: boolean) => {
        try {
          this.deps.onAttempt?.({ ...ctx, attempt: sends, outcome, durationMs, retrying });
        } catch {
          // A metrics hook must not turn a delivery into a failure.
        }
        // The event inspector's record of this send (traffic-trace.ts): only inside a conversation's or a
        // webhook's work, masked before it is kept.
        if (tracing()) {
          noteOutbound({
            direction: 'out',
            startedAt: started,
            adapter: this.name,
            operation,
            method,
            url,
            attempt: sends,
            durationMs,
            request: { headers, body },
            secrets: known,
            ...(sent.kind === 'response'
              ? { status: sent.status, response: { headers: sent.headers, body: sent.text } }
              : sent.kind === 'network'
                ? { failure: 'network' as const, error: sent.code }
                : { failure: sent.kind }),
          });
        }
      };

      if (sent.kind === 'aborted') {
        report('aborted', false);
        throw gaveUp();
      }
      if (sent.kind === 'response') {
        this.deps.log?.debug(
          { ...ctx, attempt: sends, status: sent.status, durationMs, ...(this.opts.logBodies ? { body: excerpt(sent.text, known, 1000) } : {}) },
          'vendor response',
        );
      } else {
        this.deps.log?.debug({ ...ctx, attempt: sends, durationMs, error: sent.kind === 'network' ? sent.code : 'timeout' }, 'vendor request failed');
      }

      // Success, or a status this request treats as an answer.
      if (sent.kind === 'response' && ((sent.status >= 200 && sent.status < 300) || req.accept?.includes(sent.status))) {
        report(sent.status, false);
        return { status: sent.status, headers: sent.headers, body: this.parseBody(sent, req.schema, operation, known), attempts: sends };
      }

      // 401: the credential may just have expired early or been revoked; one resend with a fresh one.
      if (sent.kind === 'response' && sent.status === 401 && auth && !refreshed) {
        refreshed = true;
        attempt--;
        report(401, true);
        auth.invalidate(authorization);
        continue;
      }

      const { error, unprocessed } = this.classify(sent, operation, known, refreshed);
      if (error.retryAfterMs !== undefined && sent.kind === 'response' && (sent.status === 429 || sent.status === 503)) {
        this.deps.budget?.pause(error.retryAfterMs);
      }
      last = error;
      if (!error.retryable || !(idempotent || unprocessed)) {
        report(outcomeOf(sent), false);
        throw error;
      }
      const next = nextRetry(this.policy, attempt, error, this.deps.random);
      if (!next.retry) {
        report(outcomeOf(sent), false);
        throw error;
      }
      // Not enough time left to wait and try again: the dispatcher waits instead, for at least as long.
      if (next.delayMs + MIN_ATTEMPT_MS > left()) {
        report(outcomeOf(sent), false);
        throw withRetryAfter(error, next.delayMs);
      }
      report(outcomeOf(sent), true);
      this.deps.log?.debug({ ...ctx, attempt: sends, delayMs: next.delayMs, code: error.code }, 'vendor request will be retried');
      if (!(await sleep(next.delayMs, req.signal))) throw gaveUp();
    }
  }

  /** Resolve a path against the base URL; refuse anything that would leave the base (another origin, `..`). */
  private url(path: string, query: VendorRequest['query'], operation: string): string {
    const refuse = () =>
      new ParleyError('DELIVERY_REJECTED', `Refused to call outside the ${this.name} API (${operation}).`, { details: { vendor: this.name, operation, reason: 'path' } });
    if (/^[a-z][a-z0-9+.-]*:/i.test(path) || path.startsWith('//')) throw refuse();
    const u = new URL(path.replace(/^\/+/, ''), this.base);
    if (u.origin !== this.base.origin || !u.pathname.startsWith(this.base.pathname)) throw refuse();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) u.searchParams.append(k, String(v));
    return u.toString();
  }

  private classify(sent: Exclude<Sent, { kind: 'aborted' }>, operation: string, known: string[], refreshed: boolean): { error: ParleyError; unprocessed: boolean } {
    const base = { vendor: this.name, operation };
    if (sent.kind === 'timeout') {
      return { error: new ParleyError('DELIVERY_TIMEOUT', `${this.name} did not answer ${operation} in time.`, { details: { ...base, reason: 'timeout' } }), unprocessed: false };
    }
    if (sent.kind === 'network') {
      return {
        error: new ParleyError('DELIVERY_UNAVAILABLE', `Could not reach ${this.name} (${sent.code}) for ${operation}.`, { details: { ...base, reason: 'network', code: sent.code } }),
        unprocessed: sent.unsent,
      };
    }
    const { status } = sent;
    const retryAfterMs = parseRetryAfter(sent.headers.get('retry-after'));
    const details = { ...base, status, body: excerpt(sent.text, known) };
    const opts = { details, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
    if (status === 429) return { error: new ParleyError('DELIVERY_UNAVAILABLE', `${this.name} is throttling (429) ${operation}.`, opts), unprocessed: true };
    if (status === 408 || status === 504) return { error: new ParleyError('DELIVERY_TIMEOUT', `${this.name} timed out (${status}) on ${operation}.`, opts), unprocessed: status === 408 };
    if (status >= 500 && status !== 501 && status !== 505) {
      return { error: new ParleyError('DELIVERY_UNAVAILABLE', `${this.name} answered ${status} to ${operation}.`, opts), unprocessed: false };
    }
    const why = status === 401 && refreshed ? ', again with fresh credentials: the credentials are refused' : '';
    return { error: new ParleyError('DELIVERY_REJECTED', `${this.name} answered ${status} to ${operation}${why}.`, { details }), unprocessed: false };
  }

  private parseBody<T>(sent: Extract<Sent, { kind: 'response' }>, schema: z.ZodType<T> | undefined, operation: string, known: string[]): T {
    const body = parseText(sent.text, sent.headers.get('content-type'));
    if (!schema) return body as T;
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    // The vendor may have acted on the request; only its answer is unreadable (a proxy's HTML page, an API
    // change). Retryable, so a transient cause heals and an idempotent send is safe to repeat; not retried
    // here, because an immediate resend would most likely read the same thing.
    throw new ParleyError('DELIVERY_UNAVAILABLE', `${this.name} answered ${operation} with an unexpected body.`, {
      details: { vendor: this.name, operation, status: sent.status, issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code })), body: excerpt(sent.text, known) },
    });
  }
}

async function send(url: string, init: { method: string; headers: Record<string, string>; body?: string | Uint8Array<ArrayBuffer> }, timeoutMs: number, callerSignal: AbortSignal | undefined): Promise<Sent> {
  const attempt = new AbortController();
  const timer = setTimeout(() => attempt.abort(), timeoutMs);
  // Either the dispatcher giving up or this attempt's own timeout stops the send, body reading included.
  const signal = callerSignal ? AbortSignal.any([callerSignal, attempt.signal]) : attempt.signal;
  try {
    const res = await fetch(url, { ...init, signal, redirect: 'manual' });
    const text = await res.text();
    return { kind: 'response', status: res.status, headers: res.headers, text };
  } catch (e) {
    if (callerSignal?.aborted) return { kind: 'aborted' };
    if (attempt.signal.aborted) return { kind: 'timeout' };
    const code = networkCode(e);
    return { kind: 'network', code, unsent: UNSENT_CODES.has(code) };
  } finally {
    clearTimeout(timer);
  }
}

/** undici reports `TypeError: fetch failed` with the system error as `cause` (an AggregateError for happy eyeballs). */
function networkCode(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown; errors?: { code?: unknown }[] } } | undefined)?.cause;
  const code = cause?.code ?? cause?.errors?.[0]?.code;
  return typeof code === 'string' ? code : 'NETWORK_ERROR';
}

function encodeBody(req: VendorRequest<unknown>): { body?: string | Uint8Array<ArrayBuffer>; contentType?: string; secrets: string[] } {
  if (req.bytes !== undefined) return { body: req.bytes, contentType: req.contentType ?? 'application/octet-stream', secrets: [] };
  if (req.json !== undefined) return { body: JSON.stringify(req.json), contentType: 'application/json', secrets: [] };
  if (req.form !== undefined) {
    const form = req.form instanceof URLSearchParams ? req.form : new URLSearchParams(req.form);
    // A token endpoint echoing our client secret back in an error must not put it in a log line.
    const secrets = [...form].filter(([k]) => isCredentialName(k)).map(([, v]) => v);
    return { body: form.toString(), contentType: 'application/x-www-form-urlencoded', secrets };
  }
  return { secrets: [] };
}

/** The values of credential headers, and their bare credential part, for scrubbing from logged text. */
function knownSecrets(headers: Record<string, string>): string[] {
  return Object.entries(headers)
    .filter(([k]) => isCredentialHeader(k))
    .flatMap(([, v]) => credentialOf(v));
}

function parseText(text: string, contentType: string | null): unknown {
  if (text.length === 0) return undefined;
  if (/\bjson\b/i.test(contentType ?? '') || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function outcomeOf(sent: Exclude<Sent, { kind: 'aborted' }>): AttemptReport['outcome'] {
  return sent.kind === 'response' ? sent.status : sent.kind;
}

function timeUp(name: string, operation: string): ParleyError {
  return new ParleyError('DELIVERY_TIMEOUT', `No time left to call ${name} (${operation}).`, { details: { vendor: name, operation, reason: 'deadline' } });
}

function withRetryAfter(e: ParleyError, ms: number): ParleyError {
  const retryAfterMs = Math.max(ms, e.retryAfterMs ?? 0);
  return new ParleyError(e.code.slice('PARLEY_E_'.length) as 'DELIVERY_UNAVAILABLE' | 'DELIVERY_TIMEOUT', e.message, { details: e.details, retryAfterMs, cause: e.cause });
}
