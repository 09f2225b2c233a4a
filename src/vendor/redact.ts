// What the vendor client may write to logs and to error details. Vendor traffic carries credentials in
// headers (Authorization), in form bodies (client_secret), in JSON (access_token) and sometimes echoed back
// in error bodies, so everything leaving the client passes through here: names that look like credentials
// are redacted, the exact credential values the client used are scrubbed wherever they appear, and text is
// cut short. Over-redacting a log line costs nothing; leaking a token costs a rotation.

import { isCredentialName, REDACTED, redactUrl as redactUrlBy } from '../core/redact.js';

export { isCredentialName } from '../core/redact.js';

/** A vendor URL with credential query parameters redacted (any name that looks like a credential). */
export const redactUrl = (url: string): string => redactUrlBy(url, isCredentialName);

/**
 * Header names whose values are credentials: every credential-looking name, and two families whose names do
 * not say so — AWS's `x-amz-*` (SigV4's date and content hash travel with the signature, and Connect's
 * participant API takes its ConnectionToken as `x-amz-bearer`) and LivePerson's `x-lp-on-behalf` (an agent's
 * bearer token).
 */
export function isCredentialHeader(name: string): boolean {
  const n = name.trim().toLowerCase();
  return n.startsWith('x-amz-') || n.includes('on-behalf') || isCredentialName(n);
}

/** Headers with credential values replaced (`authorization`, `x-api-key`, `cookie`, `x-amz-*`, …). */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = isCredentialHeader(k) ? REDACTED : v;
  return out;
}

/** A JSON value with every credential-named field replaced, at any depth. */
export function redactJson(value: unknown, depth = 0): unknown {
  if (depth > 20) return REDACTED; // a pathological nesting is not worth walking; its content is not logged
  if (Array.isArray(value)) return value.map((v) => redactJson(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = isCredentialName(k) ? REDACTED : redactJson(v, depth + 1);
    return out;
  }
  return value;
}

/** Replace each known secret value wherever it appears in `text` (an error body echoing our header, say). */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first, so a token is not half-replaced by a shorter secret inside it.
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) {
    // Very short values would redact ordinary words; credentials are never that short.
    if (s.length >= 8) out = out.split(s).join(REDACTED);
  }
  return out;
}

/** Credentials in free text that is not JSON: `Bearer …`/`Basic …` and `name=value` / `"name": "value"` pairs. */
export function redactText(text: string): string {
  return text
    .replace(/\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]+/gi, `$1 ${REDACTED}`)
    .replace(/([A-Za-z0-9_.-]+)(\s*[=:]\s*)("?)([^\s"&,;}]+)/g, (m, name: string, sep: string, quote: string) =>
      isCredentialName(name) ? `${name}${sep}${quote}${REDACTED}` : m,
    )
    .replace(/"([^"]+)"(\s*:\s*)"((?:[^"\\]|\\.)*)"/g, (m, name: string, sep: string) => (isCredentialName(name) ? `"${name}"${sep}"${REDACTED}"` : m));
}

/**
 * A short, credential-free excerpt of a body for logs and error details. JSON is redacted structurally
 * before it is cut (a cut JSON text can no longer be parsed, and a cut-off `"access_token": "ey…` would
 * slip past a pattern), anything else by pattern; then known secret values are scrubbed and the result cut.
 */
export function excerpt(body: string | undefined, secrets: readonly string[] = [], max = 300): string | undefined {
  if (body === undefined || body.length === 0) return undefined;
  let text: string;
  try {
    text = JSON.stringify(redactJson(JSON.parse(body)));
  } catch {
    text = redactText(body);
  }
  text = scrub(text, secrets).replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The credential part of an Authorization value (`Bearer abc` → `abc`), for scrubbing. */
export function credentialOf(headerValue: string): string[] {
  const sp = headerValue.indexOf(' ');
  return sp < 0 ? [headerValue] : [headerValue, headerValue.slice(sp + 1).trim()];
}
