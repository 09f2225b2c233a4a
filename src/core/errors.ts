// The one catalogue of errors Parley can return. Every error a client, an adapter or an operator sees has a
// stable code from this table, an HTTP status and a retryable flag, so callers can branch on the code and
// the dispatcher can decide whether to try again without parsing messages.

export const ERRORS = {
  // Input
  BAD_JSON: { status: 400, retryable: false, message: 'The request body is not valid JSON.' },
  BAD_REQUEST: { status: 400, retryable: false, message: 'The request is malformed (its URL, headers or framing).' },
  URI_TOO_LONG: { status: 414, retryable: false, message: 'A part of the URL is longer than allowed.' },
  EXPECTATION_FAILED: { status: 417, retryable: false, message: 'Only "Expect: 100-continue" is supported.' },
  HEADERS_TOO_LARGE: { status: 431, retryable: false, message: 'The request headers are larger than allowed.' },
  REQUEST_TIMEOUT: { status: 408, retryable: false, message: 'The request took too long to arrive.' },
  VALIDATION: { status: 422, retryable: false, message: 'The request does not match the expected shape.' },
  PAYLOAD_TOO_LARGE: { status: 413, retryable: false, message: 'The request body is larger than allowed.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retryable: false, message: 'This content type is not accepted.' },
  // What the destination desk accepts, checked before anything is stored (details: desk, limit, length).
  MESSAGE_TOO_LONG: { status: 422, retryable: false, message: 'The message is longer than the desk it goes to accepts.' },
  PROACTIVE_UNSUPPORTED: { status: 422, retryable: false, message: 'The desk this message goes to cannot send business-started messages, or not this content.' },
  // Identity and access
  UNAUTHENTICATED: { status: 401, retryable: false, message: 'A valid token is required.' },
  TOKEN_EXPIRED: { status: 401, retryable: false, message: 'The token has expired.' },
  BAD_CREDENTIALS: { status: 401, retryable: false, message: 'Wrong e-mail or password.' },
  TOKEN_REVOKED: { status: 401, retryable: false, message: 'This token was issued before a password change; sign in again.' },
  ACCOUNT_DISABLED: { status: 403, retryable: false, message: 'This account is disabled.' },
  WEBHOOK_SIGNATURE: { status: 401, retryable: false, message: 'The webhook signature is missing or does not match.' },
  /** The same refusal where the vendor's docs ask for 403 (Amazon SNS: a message that fails verification). */
  WEBHOOK_FORGED: { status: 403, retryable: false, message: 'The webhook request failed verification (its signature, signing certificate, topic or verify token).' },
  FORBIDDEN: { status: 403, retryable: false, message: 'This token may not do that.' },
  // Resources
  NOT_FOUND: { status: 404, retryable: false, message: 'No such resource.' },
  CONVERSATION_NOT_FOUND: { status: 404, retryable: false, message: 'No such conversation.' },
  CONTACT_NOT_FOUND: { status: 404, retryable: false, message: 'No such contact.' },
  AGENT_NOT_FOUND: { status: 404, retryable: false, message: 'No such agent.' },
  QUEUE_NOT_FOUND: { status: 404, retryable: false, message: 'No such queue.' },
  OFFER_NOT_FOUND: { status: 404, retryable: false, message: 'No such offer.' },
  MEDIA_NOT_FOUND: { status: 404, retryable: false, message: 'No such media.' },
  ROUTE_NOT_FOUND: { status: 404, retryable: false, message: 'No such route.' },
  // State
  CONVERSATION_ENDED: { status: 409, retryable: false, message: 'The conversation has ended.' },
  INVALID_PHASE: { status: 409, retryable: false, message: 'The conversation is not in a phase that allows this.' },
  NOT_ASSIGNED: { status: 409, retryable: false, message: 'This conversation is not assigned to you.' },
  AGENT_AT_CAPACITY: { status: 409, retryable: false, message: 'The agent has no free capacity.' },
  CONFLICT: { status: 409, retryable: false, message: 'The resource already exists.' },
  IDEMPOTENCY_MISMATCH: {
    status: 409,
    retryable: false,
    message: 'This idempotency key was already used for a different conversation.',
  },
  SETUP_DONE: { status: 409, retryable: false, message: 'The first admin was already created.' },
  LAST_ADMIN: { status: 409, retryable: false, message: 'This would leave no enabled admin.' },
  // Limits and availability
  RATE_LIMITED: { status: 429, retryable: true, message: 'Too many requests.' },
  UNAVAILABLE: { status: 503, retryable: true, message: 'Parley is not ready.' },
  // Delivery to a leg (adapters throw these; the dispatcher reads `retryable`)
  DELIVERY_REJECTED: { status: 502, retryable: false, message: 'The destination rejected the message.' },
  // Meta's messaging windows (Messenger, WhatsApp): a free-form reply more than 24 h after the customer last
  // wrote, with no HUMAN_AGENT tag or template configured to carry it. Final: waiting does not reopen it.
  REPLY_WINDOW_CLOSED: { status: 502, retryable: false, message: 'The customer last wrote too long ago: the channel accepts no free-form reply until they write again.' },
  DELIVERY_UNAVAILABLE: { status: 502, retryable: true, message: 'The destination is unavailable.' },
  DELIVERY_TIMEOUT: { status: 504, retryable: true, message: 'The destination did not answer in time.' },
  // Configuration and internal
  CONFIG: { status: 500, retryable: false, message: 'The configuration is invalid.' },
  INTERNAL: { status: 500, retryable: true, message: 'Something went wrong inside Parley.' },
} as const satisfies Record<string, { status: number; retryable: boolean; message: string }>;

export type ErrorName = keyof typeof ERRORS;
export type ErrorCode = `PARLEY_E_${ErrorName}`;

export class ParleyError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly details: unknown;
  /** For delivery errors: how long the destination asked us to wait (Retry-After), in ms. */
  readonly retryAfterMs: number | undefined;

  constructor(
    name: ErrorName,
    message?: string,
    opts: { details?: unknown; retryable?: boolean; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    const entry = ERRORS[name];
    super(message ?? entry.message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ParleyError';
    this.code = `PARLEY_E_${name}`;
    this.status = entry.status;
    this.retryable = opts.retryable ?? entry.retryable;
    this.details = opts.details;
    this.retryAfterMs = opts.retryAfterMs;
  }

  toJSON(): { error: { code: ErrorCode; message: string; retryable: boolean; details?: unknown } } {
    return {
      error: {
        code: this.code,
        message: this.message,
        retryable: this.retryable,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

export const isParleyError = (e: unknown): e is ParleyError => e instanceof ParleyError;
