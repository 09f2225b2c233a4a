import type { Author, Leg } from './model.js';
import type { Part } from './parts.js';
import { mergeFound, redact, type Found, type RedactionRules } from './pii.js';

// A route's PII policy applied to one message's parts. postMessage calls this for every customer message
// from a channel, before the event is stored: the log, the desks (vendor desks read the stored event), the
// agent and the customer's own view all see the masked text, and the unredacted text exists only where
// the policy keeps it (event_originals), or nowhere.

/** Who may read a kept original: admins (admin agents, and API keys with the `admin` scope). */
export type OriginalHandling = 'drop' | 'admins';

/** A route's policy, compiled (switchboard/redaction.ts). */
export interface RedactionPolicy {
  rules: RedactionRules;
  original: OriginalHandling;
}

export interface RedactedParts {
  parts: Part[];
  /** What was masked, by kind, summed over all parts; empty when nothing was. */
  found: Found[];
}

/** Only what a customer typed on a channel is screened: agents, bots and the business write their own text. */
export const isScreened = (author: Author, origin: Leg | null): boolean => author.role === 'customer' && origin === 'channel';

/**
 * Every free text a customer's part can carry: text, media captions and file names, the text and titles of
 * quick replies and buttons, QR content, location names and addresses. Payloads and URLs are left alone:
 * they are machine values the business offered (a tapped quick reply's payload), and masking them would
 * break what reads them.
 */
export function redactParts(parts: Part[], rules: RedactionRules): RedactedParts {
  const found: Found[][] = [];
  const r = (s: string): string => {
    const out = redact(s, rules);
    if (out.found.length) found.push(out.found);
    return out.text;
  };
  const opt = (s: string | undefined): string | undefined => (s === undefined ? undefined : r(s));
  const masked = parts.map((p): Part => {
    switch (p.type) {
      case 'text':
        return { ...p, text: r(p.text) };
      case 'media':
        return withDefined({ ...p }, { caption: opt(p.caption), name: opt(p.name) });
      case 'quick_replies':
        return withDefined({ ...p, replies: p.replies.map((q) => ({ ...q, title: r(q.title) })) }, { text: opt(p.text) });
      case 'buttons':
        return withDefined({ ...p, buttons: p.buttons.map((b) => ({ ...b, title: r(b.title) })) }, { text: opt(p.text) });
      case 'qr':
        return { ...p, content: r(p.content) };
      case 'location':
        return withDefined({ ...p }, { name: opt(p.name), address: opt(p.address) });
    }
  });
  if (found.length === 0) return { parts, found: [] };
  return { parts: masked, found: mergeFound(found) };
}

/** Set the fields that are defined (an absent optional field stays absent, not `undefined`). */
function withDefined<T extends object>(target: T, fields: Record<string, string | undefined>): T {
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) (target as Record<string, unknown>)[k] = v;
  return target;
}

/**
 * A conversation's `context` as a customer's client handed it over (a bot's transcript, a topic, form fields),
 * screened by the route's policy like their messages: every string anywhere in it, keys aside. Without this a
 * card number told to a bot would reach the agent in the handover although the route masks it in messages.
 * The context is bounded by the request's size; below depth 20 a subtree is screened as its JSON text, so a
 * hostile nesting can neither recurse deep nor hide a value.
 */
export function redactContext(context: Record<string, unknown>, rules: RedactionRules): Record<string, unknown> {
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return redact(v, rules).text;
    if (v === null || typeof v !== 'object') return v;
    // Deeper than any real handover: kept as its (screened) JSON text rather than walked, never unscreened.
    if (depth > 20) return redact(JSON.stringify(v), rules).text;
    if (Array.isArray(v)) return v.map((x) => walk(x, depth + 1));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, depth + 1)]));
  };
  return walk(context, 0) as Record<string, unknown>;
}
