// Parsing a request body as AWS does: not JSON → SerializationException; a constraint broken →
// ValidationException (Participant Service) or InvalidParameterException (Connect API), naming the member.
import { HttpError, type Ctx } from '../kit/index.js';
import type { z } from 'zod';
import { DeskError } from './desk.js';
import { awsError, fail } from './errors.js';

export function body<T extends z.ZodType>(ctx: Ctx, schema: T, type: 'ValidationException' | 'InvalidParameterException' = 'ValidationException'): z.infer<T> {
  let value: unknown = {};
  if (ctx.raw.length) {
    try {
      value = JSON.parse(ctx.raw.toString('utf8'));
    } catch {
      throw fail(400, 'SerializationException', 'Could not parse the request body as JSON.');
    }
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    const issues = r.error.issues.slice(0, 5);
    const message = `${issues.length} validation error${issues.length === 1 ? '' : 's'} detected: ${issues.map((i) => `Value at '${i.path.join('.')}' failed to satisfy constraint: ${i.message}`).join('; ')}`;
    throw fail(400, type, message);
  }
  return r.data;
}

/** Runs a desk operation, turning its refusals into the AWS error shape. */
export function act<T>(op: () => T): T {
  try {
    return op();
  } catch (err) {
    if (err instanceof DeskError) throw new HttpError(awsError(err.status, err.type, err.message));
    throw err;
  }
}
