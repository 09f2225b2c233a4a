// Twilio-shaped errors. The REST API (2010-04-01) answers an error with
// `{ code, message, more_info, status }` (twilio.com/docs/usage/twilios-response; the official helper's
// RestException reads exactly these), the code from Twilio's error dictionary (twilio.com/docs/api/errors).
import { HttpError, json, type Reply, type VendorErrors } from '../kit/index.js';

export function twilioError(status: number, code: number, message: string, headers?: Record<string, string>): Reply {
  return json(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status }, headers);
}

export const fail = (status: number, code: number, message: string, headers?: Record<string, string>): HttpError => new HttpError(twilioError(status, code, message, headers));

/** A 400 with a messaging error code (21211, 21602, 21610, …). */
export const invalid = (code: number, message: string): HttpError => fail(400, code, message);

export const notFound = (path: string): HttpError => fail(404, 20404, `The requested resource ${path} was not found`);

export const twilioVendorErrors: VendorErrors = {
  notFound: (ctx) => twilioError(404, 20404, `The requested resource ${ctx.path} was not found`),
  methodNotAllowed: (ctx, allowed) => twilioError(405, 20004, `Method ${ctx.method} not allowed`, { allow: allowed.join(', ') }),
  // The Messages API is form-encoded: a body it cannot read is a bad request, not bad JSON.
  badJson: () => twilioError(400, 20001, 'Bad request'),
  tooLarge: (limit) => twilioError(413, 20001, `The request body exceeds ${limit} bytes.`),
  internal: (err) => twilioError(500, 20500, `Internal Server Error (emulator: ${err instanceof Error ? err.message : String(err)})`),
  injected: (status, retryAfterSeconds) =>
    status === 429
      ? twilioError(429, 20429, 'Too Many Requests', { 'retry-after': String(retryAfterSeconds ?? 1) })
      : twilioError(status, status >= 500 ? 20500 : 20001, status >= 500 ? 'Internal Server Error' : 'Bad request'),
};
