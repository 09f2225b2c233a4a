// The Retry-After response header (RFC 9110 §10.2.3): a number of seconds or an HTTP date.

/** Longest wait we accept from a vendor: a far-future date or a huge number is a bug, not a request to stop for days. */
export const MAX_RETRY_AFTER_MS = 60 * 60 * 1000;

/** Milliseconds to wait, or undefined when the header is absent or unreadable. Past dates give 0. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const v = value.trim();
  if (v === '') return undefined;
  let ms: number;
  if (/^\d+$/.test(v)) ms = Number(v) * 1000;
  else {
    // Only something that looks like a date: Date.parse also accepts bare numbers like "1.5" or "-3".
    if (!/[a-z]/i.test(v)) return undefined;
    const at = Date.parse(v);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.ceil(ms)));
}
