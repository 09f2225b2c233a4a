// Finding personal data in customer text and masking it, locally and deterministically: no cloud call, no
// language model, so the same text is masked the same way on every node and in every test. Pure (no I/O).
//
// What each built-in kind catches, and what it deliberately lets through (README "PII redaction"):
// - card: 13–19 digits, compact or grouped like a card is printed (4-4-4-…, Amex 4-6-5, Diners 4-6-4) by one
//   kind of separator (all spaces or all dashes), first digit 1–6 (payment-card industries), Luhn-valid, and
//   not glued to letters or more digits (`ID4111111111111111x`, a 20-digit order number are not cards).
//   Masked keeping the last four, which PCI DSS allows to be shown: `[card ••••1111]`.
// - email: local@domain.tld with a letters-only TLD of two or more; `a@b` and `a@b.c` are not addresses.
// - iban: a country code, two check digits and 11–30 letters or digits, compact or in groups of four,
//   any case, ISO 7064 mod-97 valid (so `DE00…` junk passes through).
// - phone: a heuristic. `+` and 8–15 digits (international), or 9–15 digits written with at least one
//   separator (space, dash, dot, parentheses). Not: compact digit runs (order numbers), dates, times, decimal
//   amounts, IPv4 addresses, version numbers, digits glued to letters or codes (`ORD-2026-000123-45`), or
//   what an IBAN prefix starts. Misses: national numbers of 8 digits or fewer, and numbers written as words.
// - national ids: the operator's own patterns (trusted config, see compileNationalId).
//
// Masks are written in brackets (`[email]`, `[us-ssn]`). Bracketed lower-case words and card masks are
// never scanned again, so redacting a redacted text changes nothing (idempotent).

export const PII_KINDS = ['card', 'email', 'phone', 'iban'] as const;
export type PiiKind = (typeof PII_KINDS)[number];

export interface NationalIdRule {
  name: string;
  regex: RegExp;
}

/** What to look for: built-in kinds and compiled national-id patterns. */
export interface RedactionRules {
  kinds: readonly PiiKind[];
  nationalIds: readonly NationalIdRule[];
}

/** How many of one kind were masked (kind: a built-in kind or a national id's name). */
export interface Found {
  kind: string;
  count: number;
}

export interface RedactResult {
  text: string;
  found: Found[];
}

/** Longest national-id pattern accepted: a bound on what an operator can ask the regex engine to do. */
export const MAX_PATTERN_LENGTH = 200;

export const NATIONAL_ID_NAME = /^[a-z][a-z0-9-]{0,39}$/;

// ---- checks --------------------------------------------------------------------------------------------

/** The Luhn (mod 10) check every payment card number passes. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** ISO 13616 / ISO 7064 mod 97-10: the IBAN (spaces removed, any case) is valid when it leaves 1. */
export function ibanValid(iban: string): boolean {
  const s = iban.toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(s)) return false;
  const moved = s.slice(4) + s.slice(0, 4);
  let rest = 0;
  for (const ch of moved) {
    const v = ch >= 'A' ? ch.charCodeAt(0) - 55 : ch.charCodeAt(0) - 48;
    rest = v > 9 ? (rest * 100 + v) % 97 : (rest * 10 + v) % 97;
  }
  return rest === 1;
}

/**
 * A national-id pattern as a global regex, or why not. Patterns are trusted config (the operator writes
 * them), but still bounded: at most MAX_PATTERN_LENGTH characters, no quantified group that itself holds a
 * quantifier (`(\d+)+`, the classic catastrophic-backtracking shape), and never matching the empty string.
 * Compiled with the `u` flag: `\d`, `\b` as in JavaScript's Unicode mode.
 */
export function compileNationalId(pattern: string): RegExp | string {
  if (pattern.length === 0) return 'must not be empty';
  if (pattern.length > MAX_PATTERN_LENGTH) return `must be at most ${MAX_PATTERN_LENGTH} characters`;
  if (NESTED_QUANTIFIER.test(pattern)) return 'must not repeat a group that itself repeats (e.g. "(\\d+)+"): it can take exponential time';
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, 'gu');
  } catch (e) {
    return `is not a valid regular expression (${(e as Error).message})`;
  }
  if (new RegExp(pattern, 'u').test('')) return 'must not match the empty string';
  return regex;
}

/** A group containing `+`, `*` or `{…}`, itself followed by `+`, `*` or `{`. Heuristic, deliberately broad. */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*(?:[+*]|\{\d+,\d*\})(?:[^()\\]|\\.)*\)\s*(?:[+*]|\{\d+,\d*\})/;

// ---- detectors -----------------------------------------------------------------------------------------

interface Hit {
  /** How much of the regex match is the hit (a prefix: trailing groups that broke the check are left). */
  length: number;
  mask: string;
  /** Not personal data, but shaped like it: left as it is, and kept from the detectors after this one. */
  keep?: true;
}

interface Detector {
  kind: string;
  regex: RegExp;
  /** The mask for a match, or undefined when the match is not one (fails its check). */
  hit(match: string): Hit | undefined;
}

const CARD = /(?<![\p{L}\p{N}])(?:\d{13,19}|\d{4}([ -])\d{4}\1\d{4}\1\d{1,4}(?:\1\d{1,3})?|\d{4}([ -])\d{6}\2\d{4,5})(?![\p{L}\p{N}])/gu;

function cardHit(match: string): Hit | undefined {
  // A grouped number whose last group broke the check may still be a card without it ("… 1111 1").
  const groups = match.split(/[ -]/);
  for (let n = groups.length; n >= Math.min(groups.length, 4); n--) {
    const digits = groups.slice(0, n).join('');
    if (digits.length < 13) break;
    if (/^[1-6]/.test(digits) && !/^(\d)\1*$/.test(digits) && luhnValid(digits)) {
      return { length: groups.slice(0, n).join(' ').length, mask: `[card ••••${digits.slice(-4)}]` };
    }
  }
  return undefined;
}

const EMAIL =
  /(?<![\p{L}\p{N}._%+-])[\p{L}\p{N}_%+-][\p{L}\p{N}._%+-]{0,63}@(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+\p{L}{2,63}(?![\p{L}\p{N}-]|\.[\p{L}\p{N}])/gu;

const IBAN = /(?<![\p{L}\p{N}])[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)(?![\p{L}\p{N}])/giu;

function ibanHit(match: string): Hit | undefined {
  // Grouped: a word after the last group ("… 3201 bank") is matched too; drop trailing groups until valid.
  const groups = match.split(' ');
  for (let n = groups.length; n >= 1; n--) {
    const compact = groups.slice(0, n).join('');
    if (compact.length < 15) break;
    if (ibanValid(compact)) return { length: groups.slice(0, n).join(' ').length, mask: '[iban]' };
  }
  // IBAN-shaped junk (`DE00 3704 …`) is an account number typed wrong or an id: not a phone number.
  return { length: match.length, mask: match, keep: true };
}

// Starts at a digit, `+` or `(`, not after a letter, digit, `#`, `/`, currency sign or `+`, not after a
// letter or digit and one of `-.,:/` (a code such as ORD-2026-…, the decimals of 1,234.56), not after an
// IBAN's first group. At most 24 digits (linear time on long digit lists); ends where no letter, digit or
// `-.,:/`+digit follows (so `2026-12-01 14:30` is not cut into a "number" before its `:`).
const PHONE =
  /(?<![\p{L}\p{N}_#/\p{Sc}+]|[\p{L}\p{N}][-.,:/]|[A-Za-z]{2}\d{2} )(?:\+|\(\+?)?\d(?:[ .\-()]{0,3}\d){0,23}(?![\p{L}\p{N}_]|[-.,:/]\p{N})/gu;

const DATE = /(?:^|\D)(?:(?:19|20)\d\d[-./](?:0?[1-9]|1[0-2])[-./](?:0?[1-9]|[12]\d|3[01])|(?:0?[1-9]|[12]\d|3[01])[-./](?:0?[1-9]|1[0-2])[-./](?:19|20)\d\d)(?:\D|$)/;
const AMOUNT = /^\d{1,3}(?:[ .]\d{3})+[.,]\d{2}$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;

function phoneHit(match: string): Hit | undefined {
  const digits = match.replace(/\D/g, '').length;
  const international = match.startsWith('+') || match.startsWith('(+');
  if (international ? digits < 8 || digits > 15 : digits < 9 || digits > 15 || /^\d+$/.test(match)) return undefined;
  if (DATE.test(match) || AMOUNT.test(match) || IPV4.test(match)) return undefined;
  // Version numbers and dotted thousands: only dots, and some group is not 2–4 digits (10.0.19045.2965).
  if (!international && /^[\d.]+$/.test(match) && match.split('.').some((g) => g.length < 2 || g.length > 4)) return undefined;
  return { length: match.length, mask: '[phone]' };
}

const BUILT_IN: Record<PiiKind, Omit<Detector, 'kind'>> = {
  card: { regex: CARD, hit: cardHit },
  email: { regex: EMAIL, hit: (m) => ({ length: m.length, mask: '[email]' }) },
  iban: { regex: IBAN, hit: ibanHit },
  phone: { regex: PHONE, hit: phoneHit },
};

/**
 * The order detectors run in: exact shapes first, so the phone heuristic never sees (and never cuts into)
 * an address, an id or a card. E-mail first (a local part may hold digits), then the operator's national
 * ids (explicit intent beats a built-in guess), IBANs, cards, and phone numbers last.
 */
function detectorsOf(rules: RedactionRules): Detector[] {
  const on = (k: PiiKind): Detector[] => (rules.kinds.includes(k) ? [{ kind: k, ...BUILT_IN[k] }] : []);
  const ids = rules.nationalIds.map((n): Detector => ({ kind: n.name, regex: n.regex, hit: (m) => ({ length: m.length, mask: `[${n.name}]` }) }));
  return [...on('email'), ...ids, ...on('iban'), ...on('card'), ...on('phone')];
}

// ---- masking -------------------------------------------------------------------------------------------

/** A run of text, and whether it is a mask (never scanned again). */
interface Segment {
  text: string;
  masked: boolean;
}

/** What an earlier redaction wrote: a card mask, or any bracketed lower-case name (`[email]`, `[us-ssn]`). */
const MASK = /\[(?:card ••••\d{4}|[a-z][a-z0-9-]{0,39})\]/gu;

function segmentsOf(text: string): Segment[] {
  const out: Segment[] = [];
  let at = 0;
  for (const m of text.matchAll(MASK)) {
    if (m.index > at) out.push({ text: text.slice(at, m.index), masked: false });
    out.push({ text: m[0], masked: true });
    at = m.index + m[0].length;
  }
  if (at < text.length) out.push({ text: text.slice(at), masked: false });
  return out;
}

function scan(segments: Segment[], d: Detector, counts: Map<string, number>): Segment[] {
  const out: Segment[] = [];
  for (const seg of segments) {
    if (seg.masked) {
      out.push(seg);
      continue;
    }
    let at = 0;
    d.regex.lastIndex = 0;
    for (const m of seg.text.matchAll(d.regex)) {
      if (m[0].length === 0 || m.index < at) continue;
      const hit = d.hit(m[0]);
      if (!hit) continue;
      if (m.index > at) out.push({ text: seg.text.slice(at, m.index), masked: false });
      out.push({ text: hit.mask, masked: true });
      at = m.index + hit.length;
      if (!hit.keep) counts.set(d.kind, (counts.get(d.kind) ?? 0) + 1);
    }
    if (at < seg.text.length) out.push({ text: seg.text.slice(at), masked: false });
  }
  return out;
}

/** One pass of every detector, in order. */
function pass(text: string, detectors: readonly Detector[], counts: Map<string, number>): string {
  let segments = segmentsOf(text);
  for (const d of detectors) segments = scan(segments, d, counts);
  return segments.map((s) => s.text).join('');
}

/**
 * Mask what the rules look for in one text; `found` counts each kind masked (kinds with none are left out).
 * Passes repeat until one finds nothing: a mask changes what its neighbours look like (`0958]+44 …` after
 * a mask no longer follows a digit), so the result is a fixed point and redacting it again changes nothing.
 * Each pass that finds something masks more of the text, so this ends; in practice after one or two.
 */
export function redact(text: string, rules: RedactionRules): RedactResult {
  const detectors = detectorsOf(rules);
  const counts = new Map<string, number>();
  let out = text;
  for (let i = 0; i < 16; i++) {
    const before = counts.size === 0 ? 0 : [...counts.values()].reduce((a, b) => a + b, 0);
    out = pass(out, detectors, counts);
    const after = counts.size === 0 ? 0 : [...counts.values()].reduce((a, b) => a + b, 0);
    if (after === before) break;
  }
  if (counts.size === 0) return { text, found: [] };
  return { text: out, found: [...counts].map(([kind, count]) => ({ kind, count })) };
}

/** Add up counts from several texts, keeping the order kinds were first seen in. */
export function mergeFound(lists: readonly Found[][]): Found[] {
  const counts = new Map<string, number>();
  for (const list of lists) for (const f of list) counts.set(f.kind, (counts.get(f.kind) ?? 0) + f.count);
  return [...counts].map(([kind, count]) => ({ kind, count }));
}
