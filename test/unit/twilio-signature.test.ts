import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { formParams, twilioSignature, urlVariants, verifyTwilioSignature } from '../../src/vendor/twilio-signature.js';

// X-Twilio-Signature: the published vectors (vendor-protocols §6.1, checked against the official helper)
// and the official `twilio` package's own signer and validator as the judge for everything else.

const twilio = createRequire(import.meta.url)('twilio') as {
  getExpectedTwilioSignature(token: string, url: string, params: Record<string, unknown>): string;
  validateRequest(token: string, header: string, url: string, params: Record<string, unknown>): boolean;
};

const vector1 = {
  token: '12345',
  url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
  params: { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' },
  signature: '0/KCTR6DLpKmkAf8muzZqo1nDgQ=',
};
const vector2 = {
  token: 'test-auth-token',
  url: 'https://example.com/sms/inbound',
  params: { AccountSid: 'ACXXXXXXXX', Body: 'Hello', From: '+15551234567', MessageSid: 'SM123', NumMedia: '0', To: '+15557654321' },
  signature: 'SJ4k00+75YCj7nTegnTSeaLHgIM=',
};

describe('twilioSignature / verifyTwilioSignature', () => {
  it('matches the published vectors', () => {
    for (const v of [vector1, vector2]) {
      expect(twilioSignature(v.token, v.url, v.params)).toBe(v.signature);
      expect(verifyTwilioSignature(v.token, v.url, v.params, v.signature)).toBe(true);
    }
  });

  it('agrees with the official helper on unicode, repeated names and odd parameter names', () => {
    const params = { Body: 'Grüße 👋 & =?', MediaUrl: ['https://b.example/2', 'https://a.example/1', 'https://a.example/1'], a: 'lower sorts after upper', NumMedia: '2' };
    const url = 'https://parley.example/webhooks/twilio-sms/sms?parleyEvent=ev_1';
    const ours = twilioSignature('tok', url, params);
    expect(ours).toBe(twilio.getExpectedTwilioSignature('tok', url, params));
    expect(twilio.validateRequest('tok', ours, url, params)).toBe(true);
  });

  it('accepts a signature made with or without the default port, as Twilio may sign either', () => {
    const sig = twilioSignature(vector2.token, 'https://example.com:443/sms/inbound', vector2.params);
    expect(verifyTwilioSignature(vector2.token, vector2.url, vector2.params, sig)).toBe(true);
    expect(verifyTwilioSignature(vector2.token, 'https://example.com:443/sms/inbound', vector2.params, vector2.signature)).toBe(true);
    expect(urlVariants('http://127.0.0.1:8080/x')).toEqual(['http://127.0.0.1:8080/x']);
    expect(urlVariants('http://h/x')).toEqual(['http://h/x', 'http://h:80/x']);
  });

  it('tries every token (rotation), and refuses a changed URL, parameter, token or added parameter', () => {
    expect(verifyTwilioSignature(['old-token', vector2.token], vector2.url, vector2.params, vector2.signature)).toBe(true);
    expect(verifyTwilioSignature('other', vector2.url, vector2.params, vector2.signature)).toBe(false);
    expect(verifyTwilioSignature(vector2.token, 'https://example.com/sms/inbound2', vector2.params, vector2.signature)).toBe(false);
    expect(verifyTwilioSignature(vector2.token, 'http://example.com/sms/inbound', vector2.params, vector2.signature)).toBe(false);
    expect(verifyTwilioSignature(vector2.token, vector2.url, { ...vector2.params, Body: 'Hellp' }, vector2.signature)).toBe(false);
    expect(verifyTwilioSignature(vector2.token, vector2.url, { ...vector2.params, Extra: '' }, vector2.signature)).toBe(false);
  });

  it('returns false, never throws, on malformed input and empty tokens', () => {
    const bad: unknown[] = [undefined, null, 1, {}, '', vector2.signature.slice(1), `${vector2.signature}=`, ` ${vector2.signature}`, vector2.signature.replace('+', '-')];
    for (const sig of bad) expect(verifyTwilioSignature(vector2.token, vector2.url, vector2.params, sig)).toBe(false);
    expect(verifyTwilioSignature('', vector2.url, vector2.params, twilioSignature('', vector2.url, vector2.params))).toBe(false);
    expect(verifyTwilioSignature([], vector2.url, vector2.params, vector2.signature)).toBe(false);
    expect(verifyTwilioSignature([null as unknown as string], vector2.url, vector2.params, vector2.signature)).toBe(false);
  });

  it('formParams keeps every parameter, repeated names as lists, decoded', () => {
    expect(formParams('Body=Hi+there%21&MediaUrl=a&MediaUrl=b&Empty=')).toEqual({ Body: 'Hi there!', MediaUrl: ['a', 'b'], Empty: '' });
  });
});
