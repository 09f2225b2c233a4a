// Graph API errors (developers.facebook.com/docs/graph-api/guides/error-handling; Messenger "Common Error
// Codes"; WhatsApp "Error codes"): `{"error":{"message":"(#code) …","type":"OAuthException","code",
// "error_subcode"?,"error_data"?,"fbtrace_id"}}`, HTTP 400 for most; WhatsApp errors carry
// `error_data: {messaging_product: "whatsapp", details}`.
import { randomBytes } from 'node:crypto';
import { HttpError, json, type Reply, type VendorErrors } from '../kit/index.js';

export const fbtraceId = (): string => randomBytes(9).toString('base64').replace(/[+/=]/g, 'x');

export interface GraphErrorInput {
  status?: number;
  code: number;
  message: string;
  subcode?: number;
  type?: string;
  /** WhatsApp: `error_data.details`. */
  details?: string;
  headers?: Record<string, string>;
}

export function graphError(e: GraphErrorInput): Reply {
  const body = {
    error: {
      message: e.message,
      type: e.type ?? 'OAuthException',
      code: e.code,
      ...(e.details !== undefined ? { error_data: { messaging_product: 'whatsapp', details: e.details } } : {}),
      ...(e.subcode !== undefined ? { error_subcode: e.subcode } : {}),
      fbtrace_id: fbtraceId(),
    },
  };
  const auth: Record<string, string> = e.code === 190 ? { 'www-authenticate': 'OAuth "Facebook Platform" "invalid_token" "Invalid OAuth access token."' } : {};
  return json(e.status ?? 400, body, { ...auth, ...e.headers });
}

export const fail = (e: GraphErrorInput): HttpError => new HttpError(graphError(e));

/** `(#100) …` invalid parameter (Messenger). */
export const invalid = (message: string, subcode?: number): HttpError => fail({ code: 100, message: `(#100) ${message}`, ...(subcode !== undefined ? { subcode } : {}) });

/** A WhatsApp request error with `error_data.details`. */
export const waInvalid = (code: number, title: string, details: string, subcode?: number): HttpError =>
  fail({ code, message: `(#${code}) ${title}`, details, ...(subcode !== undefined ? { subcode } : {}) });

export const unsupported = (method: string, id: string): HttpError =>
  fail({
    code: 100,
    subcode: 33,
    type: 'GraphMethodException',
    message: `Unsupported ${method.toLowerCase()} request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
  });

export const badToken = (status: number): HttpError => fail({ status, code: 190, message: 'Invalid OAuth access token - Cannot parse access token' });

/** Throttling: Messenger answers code 613 ("Calls to this API have exceeded the rate limit"), WhatsApp 130429 ("Rate limit hit"). */
export function throttled(product: 'messenger' | 'whatsapp', retryAfterSeconds: number): Reply {
  const headers = { 'retry-after': String(retryAfterSeconds) };
  return product === 'whatsapp'
    ? graphError({ status: 429, code: 130429, message: '(#130429) Rate limit hit', details: 'Cloud API message throughput has been reached.', headers })
    : graphError({ status: 429, code: 613, message: '(#613) Calls to this API have exceeded the rate limit.', headers });
}

export const metaVendorErrors: VendorErrors = {
  notFound: (ctx) =>
    graphError({ code: 803, type: 'OAuthException', message: `(#803) Some of the aliases you requested do not exist: ${ctx.path.split('/').filter(Boolean).pop() ?? ''}` }),
  methodNotAllowed: (ctx) => graphError({ code: 100, type: 'GraphMethodException', message: `Unsupported ${ctx.method.toLowerCase()} request.` }),
  badJson: () => graphError({ code: 100, message: '(#100) Invalid JSON for postcard' }),
  tooLarge: (limit) => graphError({ status: 413, code: 100, message: `(#100) The request body exceeds ${limit} bytes.` }),
  internal: (err) => graphError({ status: 500, code: 1, type: 'OAuthException', message: `An unknown error has occurred. (emulator: ${err instanceof Error ? err.message : String(err)})` }),
  injected: (status, retryAfterSeconds) =>
    status === 429
      ? throttled('messenger', retryAfterSeconds ?? 1)
      : status >= 500
        ? graphError({ status, code: 2, message: 'An unexpected error has occurred. Please retry your request later.' })
        : graphError({ status, code: 100, message: '(#100) Invalid parameter' }),
};
