// Genesys-shaped errors. The body follows the SDK's `ErrorBody` model (message, code, status,
// messageParams, contextId, details[], errors[]); the `code` strings are Genesys's usual ones but were
// not confirmed against a live org (see README "Unconfirmed").
import { randomUUID } from 'node:crypto';
import { HttpError, json, type Reply, type VendorErrors } from '../kit/index.js';

export interface Detail {
  errorCode?: string;
  fieldName?: string;
  entityId?: string;
  entityName?: string;
}

export function errorBody(status: number, code: string, message: string, details: Detail[] = []): Record<string, unknown> {
  return { message, code, status, messageParams: {}, contextId: randomUUID(), details, errors: [] };
}

export const genesysError = (status: number, code: string, message: string, details?: Detail[], headers?: Record<string, string>): Reply =>
  json(status, errorBody(status, code, message, details), headers);

export const fail = (status: number, code: string, message: string, details?: Detail[], headers?: Record<string, string>): HttpError =>
  new HttpError(genesysError(status, code, message, details, headers));

export const badRequest = (message: string, details?: Detail[]): HttpError => fail(400, 'bad.request', message, details);
export const notFound = (message = 'The requested resource was not found.'): HttpError => fail(404, 'not.found', message);

export function rateLimited(retryAfterSeconds: number, limit?: number): Reply {
  const message = limit === undefined ? 'Rate limit exceeded.' : `Rate limit exceeded the maximum. [${limit}] requests for [60] seconds`;
  return genesysError(429, 'too.many.requests', message, [], {
    'retry-after': String(retryAfterSeconds),
  });
}

export const genesysVendorErrors: VendorErrors = {
  notFound: (ctx) => genesysError(404, 'not.found', `No resource found for ${ctx.method} ${ctx.path}`),
  methodNotAllowed: (ctx, allowed) =>
    genesysError(405, 'method.not.allowed', `${ctx.method} is not supported for ${ctx.path}`, [], { allow: allowed.join(', ') }),
  badJson: () => genesysError(400, 'bad.request', 'The request could not be understood by the server due to malformed syntax.'),
  tooLarge: (limit) => genesysError(413, 'request.entity.too.large', `The request body exceeds ${limit} bytes.`),
  internal: (err) => genesysError(500, 'internal.server.error', `The emulator failed: ${err instanceof Error ? err.message : String(err)}`),
  injected: (status, retryAfterSeconds) =>
    status === 429
      ? rateLimited(retryAfterSeconds ?? 1)
      : genesysError(status, status >= 500 ? 'internal.server.error' : 'bad.request', `Injected fault (${status}).`),
};
