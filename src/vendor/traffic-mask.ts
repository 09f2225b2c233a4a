import { redact, type RedactionRules } from '../core/pii.js';
import { REDACTED } from '../core/redact.js';
import { isCredentialHeader, isCredentialName, redactText, redactUrl, scrub } from './redact.js';
import type { TrafficMessage } from './traffic-record.js';

// Masking for the event inspector's vendor traffic, in two stages, because who a request belongs to is not
// always known when it is made (a webhook's outbound calls run before its conversation is found):
//
// 1. `holdMessage`, at capture, for every request: credentials go at once, so no secret is ever held in
//    memory past the call — credential headers (`isCredentialHeader`: Authorization, signatures, cookies,
//    `x-amz-*`, `x-lp-on-behalf`), credential-named JSON fields at any depth and form fields (`isCredentialName`:
//    ConnectionToken, ParticipantToken, access_token, client_secret, appsecret_proof, hub.verify_token, …),
//    credential query parameters in the URL and in URL-valued strings (an SNS SubscribeURL's Token), bearer
//    tokens and `name=value` pairs in free text, and the exact secret values the instance was configured
//    with or sent (its tokens, secrets, the Authorization value) wherever they appear.
// 2. `finishMessage`, once the conversation is known: its route's PII policy (the same detectors as
//    postMessage) over every string of the body and the query's values, then the cut to MAX_BODY_CHARS. An
//    inbound webhook carries the customer's raw text; with a policy it never reaches the inspector unmasked.
//
// Cheap by construction: a body is parsed once (JSON or form) and serialised once; bodies over
// MAX_MASKED_BYTES and binary ones are not parsed or kept at all (only their size): cutting before masking
// could leave half a token or half a card number that no rule recognises any more.

/** The longest excerpt of a body kept per record. */
export const MAX_BODY_CHARS = 4096;
/** Bodies larger than this are not masked, and so not kept (vendor API bodies are a few KB). */
export const MAX_MASKED_BYTES = 64 * 1024;

export type HeaderSource = Headers | Record<string, string | string[] | number | undefined>;

/** A body with its credentials masked, waiting for the conversation's PII rules. */
export type HeldBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'form'; pairs: [string, string][] }
  | { kind: 'text'; text: string }
  | { kind: 'none'; omitted?: string };

export interface HeldMessage {
  headers: Record<string, string>;
  body: HeldBody;
  bytes: number;
}

/** Headers as text, credential values masked and known secrets scrubbed from the others. */
export function maskHeaders(headers: HeaderSource, secrets: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const entries: Iterable<[string, unknown]> = headers instanceof Headers ? headers.entries() : Object.entries(headers);
  for (const [k, v] of entries) {
    if (v === undefined) continue;
    const text = Array.isArray(v) ? v.join(', ') : String(v);
    out[k.toLowerCase()] = isCredentialHeader(k) ? REDACTED : scrub(text, secrets);
  }
  return out;
}

/** A URL (or a path with its query) with credential parameters masked and known secrets scrubbed. */
export function maskUrl(url: string, secrets: readonly string[]): string {
  return scrub(redactUrl(url), secrets);
}

const TEXTUAL = /json|text|xml|x-www-form-urlencoded|javascript/i;

/** Stage 1 for one request or response half. */
export function holdMessage(headers: HeaderSource, body: string | Uint8Array | undefined, secrets: readonly string[]): HeldMessage {
  const masked = maskHeaders(headers, secrets);
  const contentType = masked['content-type'];
  const bytes = body === undefined ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  if (bytes === 0 || body === undefined) return { headers: masked, body: { kind: 'none' }, bytes };
  if (contentType && !TEXTUAL.test(contentType)) return { headers: masked, body: { kind: 'none', omitted: `${bytes} bytes of ${contentType.split(';')[0]}` }, bytes };
  if (bytes > MAX_MASKED_BYTES) return { headers: masked, body: { kind: 'none', omitted: `${bytes} bytes: too large to keep` }, bytes };
  const text = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  return { headers: masked, body: holdBody(text, contentType, secrets), bytes };
}

function holdBody(text: string, contentType: string | undefined, secrets: readonly string[]): HeldBody {
  if (/json/i.test(contentType ?? '') || /^\s*[[{]/.test(text)) {
    try {
      return { kind: 'json', value: maskJson(JSON.parse(text) as unknown, secrets, 0) };
    } catch {
      // Not JSON after all: masked as text below.
    }
  }
  if (/x-www-form-urlencoded/i.test(contentType ?? '')) {
    const pairs: [string, string][] = [];
    for (const [k, v] of new URLSearchParams(text)) pairs.push([k, isCredentialName(k) ? REDACTED : maskString(v, secrets)]);
    return { kind: 'form', pairs };
  }
  return { kind: 'text', text: scrub(redactText(text), secrets) };
}

function maskString(s: string, secrets: readonly string[]): string {
  const out = scrub(s, secrets);
  // A URL inside a value (SNS's SubscribeURL carries its Token as a query parameter).
  return out.includes('?') && /^https?:\/\//i.test(out) ? redactUrl(out) : out;
}

function maskJson(value: unknown, secrets: readonly string[], depth: number): unknown {
  if (depth > 32) return REDACTED; // a pathological nesting is not worth walking
  if (typeof value === 'string') return maskString(value, secrets);
  if (Array.isArray(value)) return value.map((v) => maskJson(v, secrets, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = isCredentialName(k) ? REDACTED : maskJson(v, secrets, depth + 1);
    return out;
  }
  return value;
}

/** The PII rules over every string of a JSON value (keys are the vendor's, not the customer's). */
function piiJson(value: unknown, rules: RedactionRules): unknown {
  if (typeof value === 'string') return redact(value, rules).text;
  if (Array.isArray(value)) return value.map((v) => piiJson(v, rules));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = piiJson(v, rules);
    return out;
  }
  return value;
}

/**
 * Stage 2: the conversation's PII rules (when its route has a policy), then the excerpt. `dropBody`: keep
 * no body at all (a record nobody's policy can be applied to, while some route has one).
 */
export function finishMessage(m: HeldMessage, rules: RedactionRules | undefined, dropBody = false): TrafficMessage {
  const out: TrafficMessage = { headers: m.headers, bytes: m.bytes };
  const b = m.body;
  if (b.kind === 'none') {
    if (b.omitted) out.omitted = b.omitted;
    return out;
  }
  if (dropBody) {
    out.omitted = 'not kept: not attributed to a conversation, and a route has a PII policy';
    return out;
  }
  let text: string;
  if (b.kind === 'json') text = JSON.stringify(rules ? piiJson(b.value, rules) : b.value);
  else if (b.kind === 'form') text = new URLSearchParams(rules ? b.pairs.map(([k, v]): [string, string] => [k, redact(v, rules).text]) : b.pairs).toString();
  else text = rules ? redact(b.text, rules).text : b.text;
  if (text.length > MAX_BODY_CHARS) {
    out.body = text.slice(0, MAX_BODY_CHARS);
    out.truncated = true;
  } else out.body = text;
  return out;
}

/** Stage 2 for a URL: the PII rules over each query value (a phone number in a query), decoded first. */
export function finishUrl(url: string, rules: RedactionRules | undefined): string {
  const q = url.indexOf('?');
  if (!rules || q < 0) return url;
  const pairs = url.slice(q + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq < 0) return pair;
    const raw = pair.slice(eq + 1);
    let value: string;
    try {
      value = decodeURIComponent(raw.replace(/\+/g, ' '));
    } catch {
      value = raw; // malformed escapes: screen the value as it is
    }
    const masked = redact(value, rules).text;
    return masked === value ? pair : `${pair.slice(0, eq)}=${encodeURIComponent(masked)}`;
  });
  return `${url.slice(0, q)}?${pairs.join('&')}`;
}
