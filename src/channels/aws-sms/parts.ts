import type { Part } from '../../core/parts.js';

// Parley parts → SMS text. SMS carries only text, so everything else is rendered readable: an image or file
// as a link the customer can open (a signed, expiring Parley URL), quick replies and buttons as a numbered
// list (the customer answers with the number or the title), a button's URL written out, a QR code as its
// content, a location as a map link. Then split to the channel's per-text limit.

export function toSmsText(parts: Part[], mediaUrl: (mediaId: string) => string): string {
  return parts
    .map((p): string => {
      switch (p.type) {
        case 'text':
          return p.text;
        case 'media': {
          const what = p.mime?.startsWith('image/') ? 'Image' : 'File';
          return [p.caption, `${what}${p.name ? ` (${p.name})` : ''}: ${mediaUrl(p.mediaId)}`].filter(Boolean).join('\n');
        }
        case 'quick_replies':
          return [p.text, ...p.replies.map((r, i) => `${i + 1}. ${r.title}`), 'Reply with a number.'].filter(Boolean).join('\n');
        case 'buttons':
          return [p.text, ...p.buttons.map((b, i) => `${i + 1}. ${b.url ? `${b.title}: ${b.url}` : b.title}`)].filter(Boolean).join('\n');
        case 'qr':
          return `QR code: ${p.content}`;
        case 'location':
          return `${p.name ? `${p.name}: ` : ''}https://maps.google.com/?q=${p.lat},${p.lng}`;
      }
    })
    .filter((s) => s.length > 0)
    .join('\n');
}

/**
 * `text` in pieces of at most `max` characters (UTF-16 code units, as AWS counts MessageBody), cut at the
 * last line break or space in the second half of a piece when there is one, never inside a surrogate pair.
 * More than `maxPieces` pieces: the last one says the rest was cut, so the customer knows.
 */
export function splitText(text: string, max: number, maxPieces: number): string[] {
  const pieces: string[] = [];
  let rest = text.trim();
  while (rest.length > 0) {
    if (rest.length <= max) {
      pieces.push(rest);
      break;
    }
    let cut = Math.max(rest.lastIndexOf('\n', max), rest.lastIndexOf(' ', max));
    if (cut < max / 2) cut = max;
    // A high surrogate at the end would split an emoji in two.
    const code = rest.charCodeAt(cut - 1);
    if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    pieces.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  if (pieces.length <= maxPieces) return pieces;
  const note = ' […message cut]';
  const kept = pieces.slice(0, maxPieces);
  const last = kept[maxPieces - 1]!;
  kept[maxPieces - 1] = last.slice(0, Math.max(0, max - note.length)).trimEnd() + note;
  return kept;
}
