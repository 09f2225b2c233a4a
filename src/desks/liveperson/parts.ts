import { partsToText, type MediaPart, type Part } from '../../core/parts.js';
import { splitLossless } from '../../core/split-text.js';

// Parley parts ⇄ LivePerson events, pure (vendor-protocols §4.4). Customer → LivePerson: text as
// `text/plain` ContentEvents (split at LivePerson's limit), files as `hosted/file` (uploaded by the adapter
// first), everything else as readable text. LivePerson → customer: `text/plain` as text, a RichContentEvent
// (structured content) as its texts and buttons, quick replies as Parley quick replies.

/** LivePerson's longest text message (messaging: 10,000 characters). */
export const TEXT_LIMIT = 10_000;

/** What one customer message becomes, in order. */
export type Outgoing = { kind: 'text'; text: string } | { kind: 'file'; media: MediaPart };

export function toLivePerson(parts: Part[]): Outgoing[] {
  const out: Outgoing[] = [];
  let pending: Part[] = [];
  const flush = () => {
    const text = pending.length ? partsToText(pending).trim() : '';
    for (const piece of text ? splitLossless(text, TEXT_LIMIT) : []) out.push({ kind: 'text', text: piece });
    pending = [];
  };
  for (const p of parts) {
    if (p.type !== 'media') {
      pending.push(p);
      continue;
    }
    flush();
    out.push({ kind: 'file', media: p });
  }
  flush();
  return out;
}

/** LivePerson's `fileType` for a MIME type it hosts (its file-sharing types), else undefined. */
export function fileTypeOf(mime: string | undefined): string | undefined {
  const types: Record<string, string> = { 'image/png': 'PNG', 'image/jpeg': 'JPG', 'image/gif': 'GIF', 'application/pdf': 'PDF' };
  return mime ? types[mime] : undefined;
}

/** The MIME type of a LivePerson `fileType`. */
export function mimeOf(fileType: string | undefined): string | undefined {
  const t = fileType?.toUpperCase();
  return t === 'PNG' ? 'image/png' : t === 'JPG' || t === 'JPEG' ? 'image/jpeg' : t === 'GIF' ? 'image/gif' : t === 'PDF' ? 'application/pdf' : undefined;
}

/**
 * Structured content (a RichContentEvent's `content`) as Parley parts: every text element in order, buttons as
 * buttons (links keep their URL), and the event's `quickReplies` as quick replies. Anything else is skipped.
 */
export function richToParts(content: unknown, quickReplies: unknown): Part[] {
  // Whatever LivePerson's JSON holds where an object belongs (null, a string, a number) is skipped.
  const texts: string[] = [];
  const buttons: { title: string; payload?: string; url?: string }[] = [];
  const walk = (el: unknown, depth: number): void => {
    if (depth > 20 || !el || typeof el !== 'object') return;
    const e = el as { type?: unknown; text?: unknown; title?: unknown; elements?: unknown; click?: { actions?: unknown } };
    if (e.type === 'text' && typeof e.text === 'string') texts.push(e.text.slice(0, 2000));
    if (e.type === 'button' && typeof e.title === 'string') {
      const actions = Array.isArray(e.click?.actions) ? (e.click.actions as unknown[]).filter((a): a is { type?: unknown; uri?: unknown; text?: unknown } => isObject(a)) : [];
      const link = actions.find((a) => a.type === 'link' && typeof a.uri === 'string' && /^https?:\/\//i.test(a.uri));
      const publish = actions.find((a) => a.type === 'publishText' && typeof a.text === 'string');
      buttons.push({ title: e.title.slice(0, 200), ...(link ? { url: String(link.uri).slice(0, 2000) } : {}), ...(publish ? { payload: String(publish.text).slice(0, 1000) } : {}) });
    }
    if (Array.isArray(e.elements)) for (const child of e.elements.slice(0, 100)) walk(child, depth + 1);
  };
  walk(content, 0);
  const parts: Part[] = [];
  if (buttons.length) parts.push({ type: 'buttons', ...(texts.length ? { text: texts.join('\n').slice(0, 2000) } : {}), buttons: buttons.slice(0, 10) });
  else if (texts.length) parts.push({ type: 'text', text: texts.join('\n').slice(0, 10_000) });
  const replies = isObject(quickReplies) ? (quickReplies as { replies?: unknown }).replies : undefined;
  if (Array.isArray(replies)) {
    const titles = replies
      .map((r) => (isObject(r) ? (r as { title?: unknown }).title : undefined))
      .filter((t): t is string => typeof t === 'string' && t.length > 0)
      .slice(0, 13)
      .map((t) => ({ title: t.slice(0, 200) }));
    if (titles.length) parts.push({ type: 'quick_replies', replies: titles });
  }
  return parts;
}

const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null;
