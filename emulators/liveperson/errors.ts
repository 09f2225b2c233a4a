// LivePerson's error answers. The Connector API documents only its status codes (400 invalid input, 401 bad
// or missing Authorization / X-LP-ON-BEHALF, 429 throttled) and its success shape (`{reqId, code:"OK", body}`);
// the body of an error is not documented. The emulator answers the same envelope with a numeric `code` and
// `body.msg` (an emulator choice, see README "uncertain"): `{"reqId":"1","code":400,"body":{"msg":"…"}}`.
// Sentinel answers OAuth 2.0 errors (`{"error":"invalid_client"}`), Swift answers plain text.
import { HttpError, json, type Reply, type VendorErrors } from '../kit/index.js';

export function lpError(status: number, msg: string, reqId?: string, headers?: Record<string, string>): Reply {
  return json(status, { ...(reqId !== undefined ? { reqId } : {}), code: status, body: { msg } }, headers);
}

export const fail = (status: number, msg: string, reqId?: string): HttpError => new HttpError(lpError(status, msg, reqId));
export const badRequest = (msg: string, reqId?: string): HttpError => fail(400, msg, reqId);
export const unauthorized = (msg: string): HttpError => fail(401, msg);

export const oauthError = (status: number, error: string, description: string): HttpError =>
  new HttpError(json(status, { error, error_description: description }));

export const swiftError = (status: number, text: string): HttpError => new HttpError({ status, body: text, contentType: 'text/plain; charset=utf-8' });

export const liveVendorErrors: VendorErrors = {
  notFound: (ctx) => lpError(404, `No resource at ${ctx.method} ${ctx.path}`),
  methodNotAllowed: (ctx, allowed) => lpError(405, `${ctx.method} is not allowed here (${allowed.join(', ')})`, undefined, { allow: allowed.join(', ') }),
  badJson: () => lpError(400, 'The request body is not valid JSON'),
  tooLarge: (limit) => lpError(413, `The request body exceeds ${limit} bytes`),
  internal: (err) => lpError(500, `Internal server error (emulator: ${err instanceof Error ? err.message : String(err)})`),
  injected: (status, retryAfterSeconds) =>
    status === 429
      ? lpError(429, 'Too many requests', undefined, retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {})
      : lpError(status, status >= 500 ? 'Internal server error (injected fault)' : `Injected fault (${status})`),
};
