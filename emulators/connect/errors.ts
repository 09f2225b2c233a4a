// AWS REST-JSON errors as the SDKs parse them (restJson1): the error type in `x-amzn-ErrorType`, a body
// `{"message": …}`, and a request id. Connect's API and the Participant Service both answer this way; the
// type names are those their SDK clients know (AccessDeniedException, ValidationException,
// ThrottlingException, ResourceNotFoundException, InvalidRequestException, …).
import { randomUUID } from 'node:crypto';
import { HttpError, json, type Reply, type VendorErrors } from '../kit/index.js';

export function awsError(status: number, type: string, message: string, headers: Record<string, string> = {}): Reply {
  return json(status, { message }, { 'x-amzn-errortype': type, 'x-amzn-requestid': randomUUID(), ...headers });
}

export const fail = (status: number, type: string, message: string, headers?: Record<string, string>): HttpError => new HttpError(awsError(status, type, message, headers));

export const validation = (message: string): HttpError => fail(400, 'ValidationException', message);
export const invalidRequest = (message: string): HttpError => fail(400, 'InvalidRequestException', message);
export const invalidParameter = (message: string): HttpError => fail(400, 'InvalidParameterException', message);
export const notFound = (message: string): HttpError => fail(404, 'ResourceNotFoundException', message);
export const accessDenied = (message = 'You do not have sufficient access to perform this action.'): HttpError => fail(403, 'AccessDeniedException', message);

export const connectVendorErrors: VendorErrors = {
  // API Gateway-fronted AWS services answer an unknown route with this, not a 404.
  notFound: () => awsError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token'),
  methodNotAllowed: () => awsError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token'),
  badJson: () => awsError(400, 'SerializationException', 'Could not parse the request body as JSON.'),
  tooLarge: () => awsError(413, 'RequestEntityTooLargeException', 'Request must be smaller than the allowed size.'),
  internal: (err) => awsError(500, 'InternalServerException', `The emulator failed: ${err instanceof Error ? err.message : String(err)}`),
  // An armed rateLimit fault: AWS's throttling answer. AWS documents no Retry-After for these APIs; the
  // emulator adds one only because a fault rule asked for it (the kit's `retryAfterSeconds`).
  injected: (status, retryAfterSeconds) =>
    status === 429
      ? awsError(429, 'ThrottlingException', 'Rate exceeded', retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {})
      : awsError(status, status >= 500 ? 'InternalServerException' : 'ValidationException', `Injected fault (${status}).`),
};
