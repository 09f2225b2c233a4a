import { describe, expect, it } from 'vitest';
import { redactUrl, toParleyError } from '../../src/http/app.js';
import { ParleyError } from '../../src/core/errors.js';

describe('redactUrl: no credentials in logged URLs', () => {
  it('redacts token, sig and code query values', () => {
    expect(redactUrl('/v1/stream?token=eyJabc.def.ghi')).toBe('/v1/stream?token=[redacted]');
    expect(redactUrl('/v1/media/md_1?exp=123&sig=AbC_-9')).toBe('/v1/media/md_1?exp=123&sig=[redacted]');
    expect(redactUrl('/setup?code=one-time-code')).toBe('/setup?code=[redacted]');
  });

  it('redacts every occurrence and keeps the other parameters', () => {
    expect(redactUrl('/v1/stream?cursors=%7B%7D&token=a&x=1&token=b')).toBe('/v1/stream?cursors=%7B%7D&token=[redacted]&x=1&token=[redacted]');
  });

  it('is case-insensitive in the parameter name', () => {
    expect(redactUrl('/x?TOKEN=secret&Sig=s')).toBe('/x?TOKEN=[redacted]&Sig=[redacted]');
  });

  it('judges names once decoded, so a percent-encoded name is redacted too', () => {
    expect(redactUrl('/v1/stream?%74oken=secret&a=1')).toBe('/v1/stream?%74oken=[redacted]&a=1');
    expect(redactUrl('/x?%54OKEN=s&%73ig=t')).toBe('/x?%54OKEN=[redacted]&%73ig=[redacted]');
    expect(redactUrl('/x?access_token=s&id%5Ftoken=t')).toBe('/x?access_token=[redacted]&id%5Ftoken=[redacted]');
    expect(redactUrl('/x?%E0%A4%A=keep&token=s')).toBe('/x?%E0%A4%A=keep&token=[redacted]');
  });

  it('splits at a second ? too: a credential hidden in another parameter\'s value is redacted (found by the fuzz suite)', () => {
    expect(redactUrl('/v1/conversations/a?b=1/transcript?%74oken=eyJ.secret.value')).toBe('/v1/conversations/a?b=1/transcript?%74oken=[redacted]');
    expect(redactUrl('/x?a=1;token=abc&z=2')).toBe('/x?a=1;token=[redacted]&z=2');
    expect(redactUrl('/x?next=/cb?access_token=abc')).toBe('/x?next=/cb?access_token=[redacted]');
  });

  it('leaves other parameters, and the path, alone', () => {
    expect(redactUrl('/x?barcode=keep&tokens_left=keep')).toBe('/x?barcode=keep&tokens_left=keep');
    expect(redactUrl('/token=path/segment')).toBe('/token=path/segment');
    expect(redactUrl('/v1/health')).toBe('/v1/health');
  });

  it('handles an empty value', () => {
    expect(redactUrl('/v1/stream?token=&a=1')).toBe('/v1/stream?token=[redacted]&a=1');
  });
});

describe('toParleyError: framework errors map onto the catalogue', () => {
  const fst = (code: string, statusCode?: number) => Object.assign(new Error(code), { code, statusCode });
  it('maps Fastify body errors to stable codes', () => {
    expect(toParleyError(fst('FST_ERR_CTP_BODY_TOO_LARGE', 413)).code).toBe('PARLEY_E_PAYLOAD_TOO_LARGE');
    expect(toParleyError(fst('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415)).code).toBe('PARLEY_E_UNSUPPORTED_MEDIA_TYPE');
    expect(toParleyError(fst('FST_ERR_CTP_INVALID_JSON_BODY', 400)).code).toBe('PARLEY_E_BAD_JSON');
    expect(toParleyError(fst('FST_ERR_CTP_EMPTY_JSON_BODY', 400)).code).toBe('PARLEY_E_BAD_JSON');
    expect(toParleyError(new SyntaxError('Unexpected token')).code).toBe('PARLEY_E_BAD_JSON');
  });
  it('keeps ParleyErrors and turns unknown failures into INTERNAL without leaking their message', () => {
    const pe = new ParleyError('FORBIDDEN');
    expect(toParleyError(pe)).toBe(pe);
    const internal = toParleyError(new Error('connection string postgres://u:pw@h'));
    expect(internal.code).toBe('PARLEY_E_INTERNAL');
    expect(JSON.stringify(internal.toJSON())).not.toContain('pw@h');
  });
});
