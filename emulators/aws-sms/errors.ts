// AWS JSON 1.0 errors as the SMS Voice v2 SDK parses them (awsJson1_0): the type in `__type` and in
// `x-amzn-ErrorType`, the members of the SDK's error shapes (`Message`, `Reason`, `Fields`, `ResourceType`,
// `ResourceId`), HTTP 400 for client faults and 500 for server faults (the model declares no other codes).
import { randomUUID } from 'node:crypto';
import { HttpError, type Reply, type VendorErrors } from '../kit/index.js';

export const JSON_10 = 'application/x-amz-json-1.0';

export function awsError(status: number, type: string, members: Record<string, unknown>, headers: Record<string, string> = {}): Reply {
  return {
    status,
    body: JSON.stringify({ __type: type, ...members }),
    contentType: JSON_10,
    headers: { 'x-amzn-errortype': type, 'x-amzn-requestid': randomUUID(), ...headers },
  };
}

export const fail = (status: number, type: string, members: Record<string, unknown>): HttpError => new HttpError(awsError(status, type, members));

export const validation = (message: string, reason: string, field?: string): HttpError =>
  fail(400, 'ValidationException', { Message: message, Reason: reason, ...(field ? { Fields: [{ Name: field, Message: message }] } : {}) });

export const notFound = (resourceType: string, resourceId: string): HttpError =>
  fail(400, 'ResourceNotFoundException', { Message: `The ${resourceType} ${resourceId} does not exist.`, ResourceType: resourceType, ResourceId: resourceId });

export const conflict = (message: string, reason: string, resourceType: string, resourceId: string): HttpError =>
  fail(400, 'ConflictException', { Message: message, Reason: reason, ResourceType: resourceType, ResourceId: resourceId });

export const awsSmsVendorErrors: VendorErrors = {
  notFound: () => awsError(404, 'UnknownOperationException', { Message: 'Unknown operation' }),
  methodNotAllowed: () => awsError(404, 'UnknownOperationException', { Message: 'Unknown operation' }),
  badJson: () => awsError(400, 'SerializationException', { Message: 'Start of structure or map found where not expected.' }),
  tooLarge: () => awsError(413, 'RequestEntityTooLargeException', { Message: 'Request must be smaller than the allowed size.' }),
  internal: (err) => awsError(500, 'InternalServerException', { Message: `The emulator failed: ${err instanceof Error ? err.message : String(err)}` }),
  // AWS's throttling answer on the JSON protocols is a 400 ThrottlingException, which the SDK retries by its
  // type; a fault rule's 429 keeps its status so a non-SDK client sees it too.
  injected: (status, retryAfterSeconds) =>
    status === 429
      ? awsError(429, 'ThrottlingException', { Message: 'Rate exceeded' }, retryAfterSeconds !== undefined ? { 'retry-after': String(retryAfterSeconds) } : {})
      : awsError(status, status >= 500 ? 'InternalServerException' : 'ValidationException', { Message: `Injected fault (${status}).` }),
};
