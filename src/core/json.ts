import { ParleyError } from './errors.js';

// U+0000 in text. JSON may carry it (`"\u0000"`) and SQLite stores it, but PostgreSQL's text type refuses it,
// so the same request that works on one store would be a 500 on the other. Parley refuses it at every door
// instead (request bodies, stream frames, cursors, webhooks, URLs): no customer or agent needs it, and a
// store that cannot hold it never sees it.

export const NUL_REFUSED = 'Text may not contain the NUL character (U+0000).';

/** Whether a decoded string holds U+0000. */
export const hasNul = (s: string): boolean => s.includes('\u0000');

/** Whether a raw URL (still percent-encoded) would decode to U+0000 anywhere. */
export const urlHasNul = (url: string): boolean => /%00/i.test(url);

/**
 * JSON.parse that refuses U+0000 in any string or key (VALIDATION). Text that is not JSON throws `notJson()`
 * (each door says it its own way), or JSON.parse's SyntaxError without one. The reviver only runs when the
 * text can hold a U+0000: a raw one is not valid JSON anyway, so only the `\u0000` escape can bring it in.
 */
export function parseJson(text: string, notJson?: () => ParleyError): unknown {
  try {
    if (!text.includes('\\u0000')) return JSON.parse(text) as unknown;
    return JSON.parse(text, (key, value: unknown) => {
      if (hasNul(key) || (typeof value === 'string' && hasNul(value))) throw new ParleyError('VALIDATION', NUL_REFUSED);
      return value;
    }) as unknown;
  } catch (e) {
    if (e instanceof SyntaxError && notJson) throw notJson();
    throw e;
  }
}
