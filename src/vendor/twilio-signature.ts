import { createHmac, timingSafeEqual } from 'node:crypto';

// Twilio's request signature, `X-Twilio-Signature` (vendor-protocols §6.1; the official helper's
// lib/webhooks/webhooks.js, twilio 6.3.1): Base64(HMAC-SHA1(Auth Token, URL + every POST parameter as
// name + value, names sorted)). Unlike the HMAC-over-body schemes in signature.ts, the URL is signed, so the
// verifier must know the exact URL Twilio requested — behind a proxy, the public URL as configured at
// Twilio, never one rebuilt from Host headers an attacker controls.
//
// Rules that make it safe on untrusted input (as verifyHmacSha256):
// - every parameter received is signed: Twilio adds parameters without notice, so no fixed list;
// - a repeated name signs its distinct values sorted, each as name + value (the official helper's rule);
// - names are sorted by UTF-16 code units (JavaScript's default sort, the helper's), not by locale;
// - the header must be exactly 28 base64 characters (20 bytes) before anything is compared, compared with
//   timingSafeEqual; every secret is tried, so timing does not say which matched; an empty one never does;
// - Twilio may have signed the URL with or without the default port (:443/:80): both are tried, as the
//   helper does. The helper's last fallbacks (re-encoding the query the legacy way) are not: our webhook URL
//   has no query of Twilio's making, only the ones Parley itself gives in a StatusCallback.
// It answers true or false and never throws.

export type TwilioParams = Record<string, string | readonly string[]>;

/** The signature Twilio sends for a request to `url` carrying form `params`, under `authToken`. */
export function twilioSignature(authToken: string | Buffer, url: string, params: TwilioParams): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const value = params[name]!;
    if (typeof value === 'string') data += name + value;
    else for (const v of [...new Set(value)].sort()) data += name + v;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/** The form parameters of an `application/x-www-form-urlencoded` body, repeated names as lists. */
export function formParams(rawBody: Buffer | string): Record<string, string | string[]> {
  // No prototype: a field named `constructor` or `__proto__` is a field like any other (with `{}` it read
  // Object.prototype's and the signature was computed over something Twilio never signed).
  const out = Object.create(null) as Record<string, string | string[]>;
  for (const [k, v] of new URLSearchParams(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'))) {
    const had = out[k];
    if (had === undefined) out[k] = v;
    else if (Array.isArray(had)) had.push(v);
    else out[k] = [had, v];
  }
  return out;
}

const SHA1_BASE64 = /^[A-Za-z0-9+/]{27}=$/;

/**
 * Whether `signature` (the X-Twilio-Signature header) signs a request to `url` with `params` under one of
 * `authTokens`. False for any malformed input.
 */
export function verifyTwilioSignature(authTokens: string | readonly string[], url: string, params: TwilioParams, signature: unknown): boolean {
  try {
    if (typeof signature !== 'string' || !SHA1_BASE64.test(signature)) return false;
    const given = Buffer.from(signature, 'base64');
    const tokens = (typeof authTokens === 'string' ? [authTokens] : authTokens) as readonly unknown[];
    let ok = false;
    for (const token of tokens) {
      if (typeof token !== 'string' || token.length === 0) continue;
      for (const candidate of urlVariants(url)) {
        const expected = Buffer.from(twilioSignature(token, candidate, params), 'base64');
        if (timingSafeEqual(expected, given)) ok = true;
      }
    }
    return ok;
  } catch {
    return false;
  }
}

/** The URL as given and with its default port added or removed (Twilio signs whichever it requested). */
export function urlVariants(url: string): string[] {
  const m = /^(https?:\/\/)([^/?#]*)(.*)$/i.exec(url);
  if (!m) return [url];
  const [, scheme, authority, rest] = m as unknown as [string, string, string, string];
  const at = authority.lastIndexOf('@');
  const userInfo = authority.slice(0, at + 1);
  const hostPort = authority.slice(at + 1);
  const colon = hostPort.indexOf(':', hostPort.lastIndexOf(']') + 1);
  const host = colon === -1 ? hostPort : hostPort.slice(0, colon);
  const port = colon === -1 ? '' : hostPort.slice(colon + 1);
  const defaultPort = scheme.toLowerCase() === 'https://' ? '443' : '80';
  const without = scheme + userInfo + host + rest;
  const withPort = scheme + userInfo + host + ':' + (port || defaultPort) + rest;
  if (port && port !== defaultPort) return [url];
  return [...new Set([url, without, withPort])];
}
