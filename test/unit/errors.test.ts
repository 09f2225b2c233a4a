import { describe, expect, it } from 'vitest';
import { ERRORS, isParleyError, ParleyError, type ErrorName } from '../../src/core/errors.js';

const names = Object.keys(ERRORS) as ErrorName[];

describe('error catalogue', () => {
  it('every code is unique and of the form PARLEY_E_<NAME>', () => {
    const codes = names.map((n) => new ParleyError(n).code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^PARLEY_E_[A-Z][A-Z_]*[A-Z]$/);
  });

  it('every entry has an HTTP error status, a flag and a sentence', () => {
    for (const n of names) {
      const e = ERRORS[n];
      expect(e.status, n).toBeGreaterThanOrEqual(400);
      expect(e.status, n).toBeLessThan(600);
      expect(typeof e.retryable, n).toBe('boolean');
      expect(e.message.length, n).toBeGreaterThan(5);
    }
  });

  it('the delivery errors say whether to retry, which is what the dispatcher reads', () => {
    expect(new ParleyError('DELIVERY_UNAVAILABLE').retryable).toBe(true);
    expect(new ParleyError('DELIVERY_TIMEOUT').retryable).toBe(true);
    expect(new ParleyError('DELIVERY_REJECTED').retryable).toBe(false);
  });

  it('client mistakes are 4xx and never retryable; only rate limits and outages invite a retry', () => {
    for (const n of names) {
      const e = ERRORS[n];
      if (e.status < 500 && n !== 'RATE_LIMITED') expect(e.retryable, n).toBe(false);
    }
    expect(ERRORS.RATE_LIMITED).toMatchObject({ status: 429, retryable: true });
    expect(ERRORS.UNAVAILABLE).toMatchObject({ status: 503, retryable: true });
  });

  it('the statuses clients rely on are as documented', () => {
    expect(ERRORS.BAD_JSON.status).toBe(400);
    expect(ERRORS.UNAUTHENTICATED.status).toBe(401);
    expect(ERRORS.TOKEN_EXPIRED.status).toBe(401);
    expect(ERRORS.FORBIDDEN.status).toBe(403);
    expect(ERRORS.CONVERSATION_NOT_FOUND.status).toBe(404);
    expect(ERRORS.ROUTE_NOT_FOUND.status).toBe(404);
    expect(ERRORS.IDEMPOTENCY_MISMATCH.status).toBe(409);
    expect(ERRORS.PAYLOAD_TOO_LARGE.status).toBe(413);
    expect(ERRORS.UNSUPPORTED_MEDIA_TYPE.status).toBe(415);
    expect(ERRORS.VALIDATION.status).toBe(422);
  });
});

describe('ParleyError', () => {
  it('takes status, flag and default message from the catalogue', () => {
    const e = new ParleyError('CONVERSATION_NOT_FOUND');
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('ParleyError');
    expect(e.code).toBe('PARLEY_E_CONVERSATION_NOT_FOUND');
    expect(e.status).toBe(404);
    expect(e.retryable).toBe(false);
    expect(e.message).toBe(ERRORS.CONVERSATION_NOT_FOUND.message);
    expect(isParleyError(e)).toBe(true);
    expect(isParleyError(new Error('x'))).toBe(false);
    expect(isParleyError({ code: 'PARLEY_E_INTERNAL' })).toBe(false);
  });

  it('toJSON is {error:{code,message,retryable}} and adds details only when given', () => {
    expect(new ParleyError('VALIDATION', 'Bad thing.').toJSON()).toEqual({ error: { code: 'PARLEY_E_VALIDATION', message: 'Bad thing.', retryable: false } });
    expect(new ParleyError('VALIDATION', undefined, { details: [{ path: 'body.x' }] }).toJSON()).toEqual({
      error: { code: 'PARLEY_E_VALIDATION', message: ERRORS.VALIDATION.message, retryable: false, details: [{ path: 'body.x' }] },
    });
    expect(JSON.parse(JSON.stringify(new ParleyError('INTERNAL')))).toEqual({ error: { code: 'PARLEY_E_INTERNAL', message: ERRORS.INTERNAL.message, retryable: true } });
  });

  it('never serialises its cause or Retry-After into the body', () => {
    const e = new ParleyError('DELIVERY_UNAVAILABLE', 'down', { cause: new Error('db password=hunter2'), retryAfterMs: 1500 });
    expect(e.cause).toBeInstanceOf(Error);
    expect(e.retryAfterMs).toBe(1500);
    expect(JSON.stringify(e.toJSON())).not.toContain('hunter2');
    expect(e.toJSON().error).not.toHaveProperty('retryAfterMs');
  });

  it('lets a thrower override the retryable flag', () => {
    expect(new ParleyError('DELIVERY_REJECTED', 'x', { retryable: true }).retryable).toBe(true);
    expect(new ParleyError('DELIVERY_UNAVAILABLE', 'x', { retryable: false }).retryable).toBe(false);
  });
});
