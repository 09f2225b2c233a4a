import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signHmacSha256, verifyHmacSha256, verifyHmacSha256Base64, verifyHmacSha256Hex } from '../../src/vendor/signature.js';

// Webhook signature checks. Expected values are computed here with node:crypto from a fixed key and body,
// plus the published vector from GitHub's "Validating webhook deliveries" page (the same scheme Meta uses
// for X-Hub-Signature-256).

const key = 'whsec_fixed-test-key';
const body = Buffer.from('{"object":"page","entry":[{"id":"1","time":1700000000}]}\n', 'utf8');
const hex = createHmac('sha256', key).update(body).digest('hex');
const b64 = createHmac('sha256', key).update(body).digest('base64');

describe('verifyHmacSha256Hex', () => {
  it("accepts GitHub's documented vector, with and without the sha256= prefix", () => {
    const secret = "It's a Secret to Everybody";
    const payload = Buffer.from('Hello, World!');
    const documented = '757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    expect(verifyHmacSha256Hex(secret, payload, `sha256=${documented}`)).toBe(true);
    expect(verifyHmacSha256Hex(secret, payload, documented)).toBe(true);
    expect(signHmacSha256(secret, payload, 'hex', 'sha256=')).toBe(`sha256=${documented}`);
  });

  it('accepts a signature over the raw body, whatever the case of the hex or prefix', () => {
    expect(verifyHmacSha256Hex(key, body, hex)).toBe(true);
    expect(verifyHmacSha256Hex(key, body, `sha256=${hex}`)).toBe(true);
    expect(verifyHmacSha256Hex(key, body, `SHA256=${hex.toUpperCase()}`)).toBe(true);
    expect(verifyHmacSha256Hex(Buffer.from(key), body, ` sha256=${hex} `)).toBe(true);
  });

  it('refuses a different body, key or signature', () => {
    expect(verifyHmacSha256Hex(key, Buffer.from(body.toString().trimEnd()), hex)).toBe(false); // re-serialised bodies differ
    expect(verifyHmacSha256Hex(`${key}x`, body, hex)).toBe(false);
    const flipped = (hex[0] === 'a' ? 'b' : 'a') + hex.slice(1);
    expect(verifyHmacSha256Hex(key, body, flipped)).toBe(false);
  });

  it('returns false, never throws, on malformed input', () => {
    const bad: unknown[] = [undefined, null, 42, {}, [hex], '', 'sha256=', hex.slice(0, 63), `${hex}0`, `${hex.slice(0, 62)}zz`, `sha1=${hex}`, `${hex.slice(0, 32)} ${hex.slice(32)}`, b64];
    for (const sig of bad) expect(verifyHmacSha256Hex(key, body, sig)).toBe(false);
    // A body that is not the raw bytes, an empty key (anyone could sign), keys of the wrong type.
    expect(verifyHmacSha256Hex(key, body.toString() as unknown as Buffer, hex)).toBe(false);
    expect(verifyHmacSha256Hex(key, JSON.parse(body.toString()) as Buffer, hex)).toBe(false);
    expect(verifyHmacSha256Hex('', body, createHmac('sha256', '').update(body).digest('hex'))).toBe(false);
    expect(verifyHmacSha256Hex(null as unknown as string, body, hex)).toBe(false);
    expect(verifyHmacSha256Hex([42, {}] as unknown as string[], body, hex)).toBe(false);
  });

  it('accepts any of several secrets, so a webhook secret can be rotated', () => {
    expect(verifyHmacSha256Hex(['old-secret-value', key], body, hex)).toBe(true);
    expect(verifyHmacSha256Hex([key, 'new-secret-value'], body, hex)).toBe(true);
    expect(verifyHmacSha256Hex(['old-secret-value', 'new-secret-value'], body, hex)).toBe(false);
    expect(verifyHmacSha256Hex([], body, hex)).toBe(false);
  });
});

describe('verifyHmacSha256Base64', () => {
  it('accepts the base64 digest, bare or prefixed, and its url-safe unpadded spelling', () => {
    expect(verifyHmacSha256Base64(key, body, b64)).toBe(true);
    expect(verifyHmacSha256Base64(key, body, `sha256=${b64}`)).toBe(true);
    expect(verifyHmacSha256Base64(key, body, createHmac('sha256', key).update(body).digest('base64url'))).toBe(true);
    expect(signHmacSha256(key, body, 'base64')).toBe(b64);
  });

  it('returns false on a wrong, truncated or malformed digest', () => {
    const bad: unknown[] = [undefined, '', b64.slice(0, 42), `${b64}=`, `${b64.slice(0, 10)}!${b64.slice(11)}`, hex, Buffer.alloc(31).toString('base64'), 42];
    for (const sig of bad) expect(verifyHmacSha256Base64(key, body, sig)).toBe(false);
    expect(verifyHmacSha256Base64('other-key', body, b64)).toBe(false);
  });

  it('can be told another prefix', () => {
    expect(verifyHmacSha256(key, body, `v1=${b64}`, { encoding: 'base64', prefix: 'v1=' })).toBe(true);
    expect(verifyHmacSha256(key, body, `v2=${b64}`, { encoding: 'base64', prefix: 'v1=' })).toBe(false);
  });
});
