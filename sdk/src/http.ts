import { statusOfCode } from './errors.js';
import { ParleyApiError } from './types.js';

// REST calls to the hub. Every failure becomes a ParleyApiError with the hub's stable code; a hub that
// cannot be reached becomes PARLEY_E_NETWORK / PARLEY_E_TIMEOUT (status 0, retryable). The token travels
// only in the Authorization header and never appears in an error.

export interface RequestOptions {
  body?: unknown;
  /** A raw body (uploads), sent with `contentType`. */
  raw?: Blob;
  contentType?: string;
  query?: Record<string, string | number | undefined>;
  /** Answer is text, not JSON (HTML transcripts). */
  text?: boolean;
  accept?: string;
  /** Send without a token (login, new session). */
  anonymous?: boolean;
  /** Use this token instead of the current one (checking a stored token). */
  token?: string;
}

export interface HttpConfig {
  baseUrl: string;
  fetch?: typeof fetch | undefined;
  timeoutMs: number;
  token(): string | undefined;
  /** Told about every 401 answered to a request that carried a token. */
  onUnauthorized?(err: ParleyApiError): void;
}

export const networkError = (timeout = false): ParleyApiError =>
  timeout
    ? new ParleyApiError('PARLEY_E_TIMEOUT', 'The hub did not answer in time.', 0, true)
    : new ParleyApiError('PARLEY_E_NETWORK', 'The hub could not be reached.', 0, true);

export class Http {
  readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly cfg: HttpConfig) {
    this.baseUrl = cfg.baseUrl.replace(/\/+$/, '');
    // Called through a wrapper: a browser's fetch throws "Illegal invocation" when called as a method of
    // another object.
    const f = cfg.fetch;
    this.fetchFn = f ? (input, init) => f(input, init) : (input, init) => globalThis.fetch(input, init);
  }

  url(path: string, query?: RequestOptions['query']): string {
    const q = query ? Object.entries(query).filter((e): e is [string, string | number] => e[1] !== undefined) : [];
    const qs = q.length ? `?${q.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join('&')}` : '';
    return `${this.baseUrl}${path}${qs}`;
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const headers: Record<string, string> = { accept: opts.accept ?? (opts.text ? 'text/html' : 'application/json') };
    const token = opts.anonymous ? undefined : (opts.token ?? this.cfg.token());
    if (token) headers.authorization = `Bearer ${token}`;
    let body: string | Blob | undefined;
    if (opts.raw !== undefined) {
      body = opts.raw;
      headers['content-type'] = opts.contentType ?? (opts.raw.type || 'application/octet-stream');
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const ctrl = typeof AbortController === 'function' ? new AbortController() : undefined;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctrl?.abort();
    }, this.cfg.timeoutMs);
    let res: Response;
    let text: string;
    try {
      res = await this.fetchFn(this.url(path, opts.query), { method, headers, ...(body !== undefined ? { body } : {}), ...(ctrl ? { signal: ctrl.signal } : {}) });
      text = await res.text();
    } catch {
      // The underlying error may name the URL or the socket; it says nothing the caller can act on.
      throw networkError(timedOut);
    } finally {
      clearTimeout(timer);
    }
    if (res.ok) {
      if (opts.text) return text as T;
      return (text ? JSON.parse(text) : undefined) as T;
    }
    const err = apiErrorOf(res.status, text);
    if (res.status === 401 && token && !opts.anonymous) this.cfg.onUnauthorized?.(err);
    throw err;
  }
}

/** The hub's error body `{error:{code,message,retryable,details?}}` as a ParleyApiError. */
export function apiErrorOf(status: number, text: string): ParleyApiError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const e = (parsed as { error?: { code?: unknown; message?: unknown; retryable?: unknown; details?: unknown } } | undefined)?.error;
  if (e && typeof e.code === 'string') {
    return new ParleyApiError(e.code, typeof e.message === 'string' ? e.message : e.code, status, e.retryable === true, e.details);
  }
  // Not from Parley itself (a proxy, a load balancer): keep the status, guess retryability from it.
  return new ParleyApiError(`PARLEY_E_HTTP_${status}`, `The hub answered ${status}.`, status, status >= 500 || status === 429);
}

/** Frames and stored outbox entries carry errors as plain objects; make them ParleyApiErrors again. */
export function errorFromJson(e: unknown): ParleyApiError {
  const o = (e ?? {}) as { code?: unknown; message?: unknown; status?: unknown; retryable?: unknown; details?: unknown };
  const code = typeof o.code === 'string' ? o.code : 'PARLEY_E_INTERNAL';
  return new ParleyApiError(
    code,
    typeof o.message === 'string' ? o.message : 'Unknown error.',
    typeof o.status === 'number' ? o.status : statusOfCode(code),
    o.retryable === true,
    o.details,
  );
}
