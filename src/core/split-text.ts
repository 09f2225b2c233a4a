// Splitting a long text for vendors that cap one message's length (Connect 1,024, Messenger 2,000, WhatsApp
// 4,096 characters, counted as UTF-16 code units as JavaScript and those APIs count them).

/**
 * `text` as pieces of at most `limit` UTF-16 code units, in order: cut at the last line break or space in
 * the second half of a piece when there is one, never inside a surrogate pair, and nothing is lost (the
 * pieces joined give the text back, up to the whitespace the cuts fell on).
 */
export function splitLossless(text: string, limit: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > limit) {
    let cut = limit;
    const window = rest.slice(0, limit);
    const ws = Math.max(window.lastIndexOf('\n'), window.lastIndexOf(' '));
    if (ws >= limit / 2) cut = ws;
    else if (/[\uD800-\uDBFF]/.test(rest.charAt(cut - 1))) cut -= 1;
    const piece = rest.slice(0, cut);
    out.push(piece);
    rest = rest.slice(cut);
    if (cut === ws) rest = rest.slice(1);
  }
  if (rest.length > 0) out.push(rest);
  return out;
}
