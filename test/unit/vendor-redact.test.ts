import { describe, expect, it } from 'vitest';
import { excerpt, isCredentialName, redactHeaders, redactJson, redactUrl, scrub } from '../../src/vendor/redact.js';
import { staticAuth } from '../../src/vendor/auth.js';

// What the vendor client lets into logs and error details.

describe('vendor redaction', () => {
  it('knows credential names, in any case and spelling', () => {
    for (const n of ['Authorization', 'proxy-authorization', 'x-api-key', 'apikey', 'access_token', 'refreshToken', 'client_secret', 'password', 'Cookie', 'set-cookie', 'X-Hub-Signature-256', 'key', 'sig'])
      expect([n, isCredentialName(n)]).toEqual([n, true]);
    for (const n of ['content-type', 'keyword', 'monkey_business', 'code', 'message', 'id']) expect([n, isCredentialName(n)]).toEqual([n, false]);
  });

  it('redacts credential headers and keeps the rest', () => {
    expect(redactHeaders({ authorization: 'Bearer abc', 'x-api-key': 'k', accept: 'application/json' })).toEqual({
      authorization: '[redacted]',
      'x-api-key': '[redacted]',
      accept: 'application/json',
    });
  });

  it('redacts credential query parameters by decoded name', () => {
    expect(redactUrl('https://v.example/x?access_token=abc&page=2&%74oken=t')).toBe('https://v.example/x?access_token=[redacted]&page=2&%74oken=[redacted]');
    expect(redactUrl('https://v.example/x')).toBe('https://v.example/x');
  });

  it('redacts credential fields at any depth of a JSON value', () => {
    expect(redactJson({ a: { access_token: 'x', list: [{ client_secret: 's', id: 1 }] }, text: 'hi' })).toEqual({
      a: { access_token: '[redacted]', list: [{ client_secret: '[redacted]', id: 1 }] },
      text: 'hi',
    });
  });

  it('cuts excerpts after redacting, so a long JSON body cannot leak a token past the cut', () => {
    const body = JSON.stringify({ padding: 'x'.repeat(280), access_token: 'eyJhbGciOi.secret.value' });
    const e = excerpt(body)!;
    expect(e.length).toBeLessThanOrEqual(301);
    expect(e).not.toContain('eyJ');
    expect(excerpt(JSON.stringify({ access_token: 'eyJhbGciOi.secret.value', padding: 'x' }))).toBe('{"access_token":"[redacted]","padding":"x"}');
  });

  it('redacts credentials in text that is not JSON: schemes, name=value pairs, half-JSON', () => {
    const text = 'denied: Authorization: Bearer abc.def-ghi for client_secret=s3cr3t&grant_type=x; {"access_token": "tok';
    const e = excerpt(text)!;
    expect(e).not.toMatch(/abc\.def|s3cr3t/);
    expect(e).toContain('grant_type=x');
    expect(excerpt('Basic Y2lkOnNlY3JldA== was refused')).toBe('Basic [redacted] was refused');
  });

  it('scrubs known secret values wherever they appear, longest first', () => {
    expect(scrub('a tok-1234567890 b Bearer tok-1234567890', ['Bearer tok-1234567890', 'tok-1234567890'])).toBe('a [redacted] b [redacted]');
    expect(scrub('short ab', ['ab'])).toBe('short ab'); // too short to be a credential; would mangle text
    expect(excerpt('upstream rejected tok-1234567890', ['tok-1234567890'])).toBe('upstream rejected [redacted]');
  });

  it('returns nothing for an empty body', () => {
    expect(excerpt('')).toBeUndefined();
    expect(excerpt(undefined)).toBeUndefined();
  });
});

describe('staticAuth', () => {
  it('always hands out the same value; invalidating it changes nothing', async () => {
    const auth = staticAuth('Bearer long-lived-key');
    auth.invalidate('Bearer long-lived-key');
    expect(await auth.header()).toBe('Bearer long-lived-key');
  });
});
