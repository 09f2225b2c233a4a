// Meta's messaging windows (vendor-protocols §5.4, §7), pure. Messenger and WhatsApp let a business send
// free-form messages only within 24 hours of the customer's last message; past it, Messenger allows a human
// agent's reply with the HUMAN_AGENT tag for 7 days (a page feature Meta grants), and WhatsApp only an
// approved template. The channel asks before each send, from when Parley last heard from the customer
// (reply_windows, by the vendor's timestamps), and the vendor's own refusal stays the last word: Parley's
// record can only be late, never early, so it never blocks a reply the vendor would take.

export const HOUR_MS = 3_600_000;
export const STANDARD_WINDOW_MS = 24 * HOUR_MS;
export const HUMAN_AGENT_WINDOW_MS = 7 * 24 * HOUR_MS;

/** `open`: free-form; `humanAgent`: only with Messenger's HUMAN_AGENT tag; `closed`: a template or nothing. */
export type WindowState = 'open' | 'humanAgent' | 'closed';

export function windowState(heardAt: string | undefined, now: number, opts: { humanAgent: boolean }): WindowState {
  const at = heardAt ? Date.parse(heardAt) : NaN;
  if (!Number.isFinite(at)) return 'closed';
  const age = now - at;
  if (age < STANDARD_WINDOW_MS) return 'open';
  if (opts.humanAgent && age < HUMAN_AGENT_WINDOW_MS) return 'humanAgent';
  return 'closed';
}

/** A vendor timestamp (ms, or seconds as WhatsApp sends them) as ISO, never later than `now` (a fast clock must not stretch the window). */
export function heardIso(vendorTime: number | string | undefined, now: number): string {
  let ms = typeof vendorTime === 'string' ? Number(vendorTime) : (vendorTime ?? now);
  if (!Number.isFinite(ms) || ms <= 0) ms = now;
  if (ms < 1e12) ms *= 1000; // seconds
  return new Date(Math.min(ms, now)).toISOString();
}
