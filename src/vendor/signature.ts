import { createHmac, timingSafeEqual } from 'node:crypto';

// Webhook signature checks shared by every vendor: HMAC-SHA256 over the raw request body, sent hex
// (Meta's and GitHub's `X-Hub-Signature-256: sha256=<hex>`) or base64. They answer true or false and never
// throw, because what they judge is whatever an anonymous caller put in a header.
//
// Rules that make them safe to call on untrusted input:
// - the body must be the raw bytes as received (a Buffer): a body re-serialised from parsed JSON differs in
//   whitespace and key order, and would make genuine signatures fail or, worse, invite checking the wrong bytes;
// - the signature's format is checked strictly before decoding (Buffer.from(…, 'hex') silently stops at the
//   first bad character, so a lenient decode would compare a truncated value);
// - digests are compared with timingSafeEqual, and always at their fixed 32-byte length;
// - an empty secret never verifies: HMAC with an empty key is a signature anyone can compute.
// Several secrets may be given so a webhook secret can be rotated without a window of refused deliveries.

export type SignatureEncoding = 'hex' | 'base64';
export type Secret = string | Buffer;

const HEX_DIGEST = /^[0-9a-f]{64}$/i;
// 32 bytes in base64: 43 characters and one `=` (url-safe alphabet accepted as well, unpadded too).
const BASE64_DIGEST = /^[A-Za-z0-9+/_-]{43}=?$/;

/** HMAC-SHA256 of `body` under `secret`, in `encoding`, with `prefix` (e.g. `sha256=`) in front. */
export function signHmacSha256(secret: Secret, body: Buffer | string, encoding: SignatureEncoding = 'hex', prefix = ''): string {
  return prefix + createHmac('sha256', secret).update(body).digest(encoding);
}

export interface VerifyOptions {
  encoding: SignatureEncoding;
  /** Prefix the header may carry before the digest, matched case-insensitively; optional in the header. Default `sha256=`. */
  prefix?: string;
}

/**
 * Whether `signature` (a header value) is a valid HMAC-SHA256 of `rawBody` under one of `secrets`.
 * False for any malformed input: a missing header, a wrong length or alphabet, a non-Buffer body.
 */
export function verifyHmacSha256(secrets: Secret | readonly Secret[], rawBody: Buffer, signature: unknown, opts: VerifyOptions): boolean {
  try {
    if (!Buffer.isBuffer(rawBody) || typeof signature !== 'string') return false;
    const given = decodeDigest(signature, opts);
    if (!given) return false;
    const keys = (Array.isArray(secrets) ? secrets : [secrets]) as readonly unknown[];
    let ok = false;
    // Every secret is tried (no early return), so timing does not reveal which one matched.
    for (const key of keys) {
      if (!(typeof key === 'string' || Buffer.isBuffer(key)) || key.length === 0) continue;
      const expected = createHmac('sha256', key).update(rawBody).digest();
      if (timingSafeEqual(expected, given)) ok = true;
    }
    return ok;
  } catch {
    return false;
  }
}

/** Hex variant (`sha256=<hex>` or bare hex), as Meta and GitHub send it. */
export function verifyHmacSha256Hex(secrets: Secret | readonly Secret[], rawBody: Buffer, signature: unknown): boolean {
  return verifyHmacSha256(secrets, rawBody, signature, { encoding: 'hex' });
}

/** Base64 variant (bare base64 or `sha256=<base64>`). */
export function verifyHmacSha256Base64(secrets: Secret | readonly Secret[], rawBody: Buffer, signature: unknown): boolean {
  return verifyHmacSha256(secrets, rawBody, signature, { encoding: 'base64' });
}

function decodeDigest(signature: string, opts: VerifyOptions): Buffer | undefined {
  let s = signature.trim();
  const prefix = opts.prefix ?? 'sha256=';
  if (prefix && s.toLowerCase().startsWith(prefix.toLowerCase())) s = s.slice(prefix.length);
  if (opts.encoding === 'hex') return HEX_DIGEST.test(s) ? Buffer.from(s, 'hex') : undefined;
  if (!BASE64_DIGEST.test(s)) return undefined;
  const bytes = Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return bytes.length === 32 ? bytes : undefined;
}
