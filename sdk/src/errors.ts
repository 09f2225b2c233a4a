// HTTP statuses of the hub's error codes (src/core/errors.ts). Errors on the socket arrive as frames
// without a status; this table gives them the one the same error has over REST, so callers can branch on
// either. Unknown codes (a newer hub) get 0 and keep their own `retryable` flag.

const STATUS: Record<string, number> = {
  BAD_JSON: 400,
  VALIDATION: 422,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNAUTHENTICATED: 401,
  TOKEN_EXPIRED: 401,
  BAD_CREDENTIALS: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONVERSATION_NOT_FOUND: 404,
  CONTACT_NOT_FOUND: 404,
  AGENT_NOT_FOUND: 404,
  QUEUE_NOT_FOUND: 404,
  OFFER_NOT_FOUND: 404,
  MEDIA_NOT_FOUND: 404,
  ROUTE_NOT_FOUND: 404,
  CONVERSATION_ENDED: 409,
  INVALID_PHASE: 409,
  NOT_ASSIGNED: 409,
  AGENT_AT_CAPACITY: 409,
  CONFLICT: 409,
  IDEMPOTENCY_MISMATCH: 409,
  SETUP_DONE: 409,
  RATE_LIMITED: 429,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};

export function statusOfCode(code: string): number {
  return STATUS[code.replace(/^PARLEY_E_/, '')] ?? 0;
}
