import { splitLossless } from '../../core/split-text.js';
import type { Part } from '../../core/parts.js';
import { partsToText } from '../../core/parts.js';

// Parley message parts ⇄ Amazon Connect chat content. Pure: the adapter reads media bytes and copies
// attachments in.

/** SendMessage's limit for text/plain and text/markdown (Participant Service API reference). */
export const TEXT_LIMIT = 1024;

/**
 * Attachment types a Connect chat accepts by default (admin guide, "Enable attachments"); anything else is
 * sent as text naming the file. Limit: 20 MB.
 */
export const ATTACHMENT_TYPES: ReadonlySet<string> = new Set([
  'text/csv',
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'image/heic',
  'image/jpeg',
  'video/quicktime',
  'video/mp4',
  'application/pdf',
  'image/png',
  'application/vnd.ms-powerpoint',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/rtf',
  'text/plain',
  'audio/wav',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
]);
export const ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024;

/** A text longer than Connect takes, as pieces of at most TEXT_LIMIT characters (core/split-text.ts). */
export const splitText = (text: string, limit = TEXT_LIMIT): string[] => splitLossless(text, limit);

export interface Outgoing {
  /** Texts to send, each within the limit, in order. */
  texts: string[];
  media: Extract<Part, { type: 'media' }>[];
}

/** A customer's parts as Connect messages: media separately (attachments), everything else as text. */
export function toOutgoing(parts: Part[]): Outgoing {
  const texts: string[] = [];
  const media: Outgoing['media'] = [];
  for (const p of parts) {
    if (p.type === 'media') {
      media.push(p);
      if (p.caption) texts.push(p.caption);
    } else {
      const t = partsToText([p]);
      if (t.trim()) texts.push(t);
    }
  }
  const joined = texts.join('\n');
  return { texts: joined ? splitText(joined) : [], media };
}

/** An agent's message content as parts: text and markdown stay text; other content types as their text. */
export function contentToParts(contentType: string, content: string | undefined): Part[] {
  const text = (content ?? '').trim();
  if (!text) return [];
  if (contentType === 'text/plain' || contentType === 'text/markdown') return [{ type: 'text', text: text.slice(0, 10_000) }];
  if (contentType === 'application/vnd.amazonaws.connect.message.interactive') return interactiveParts(text);
  // application/json and anything newer: not for a customer's eyes as raw JSON.
  return [];
}

/**
 * An interactive message (list picker, quick replies, …: `{templateType, data: {content: {title,
 * elements: [{title}]}}}`) as quick replies when it has choices, else its title. Unreadable → nothing.
 */
function interactiveParts(json: string): Part[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return [];
  }
  const content = (value as { data?: { content?: { title?: unknown; elements?: unknown } } } | null)?.data?.content;
  const title = typeof content?.title === 'string' ? content.title.slice(0, 2000) : undefined;
  const elements = Array.isArray(content?.elements) ? content.elements : [];
  const replies = elements
    .map((e) => (e && typeof (e as { title?: unknown }).title === 'string' ? (e as { title: string }).title.slice(0, 200) : undefined))
    .filter((t): t is string => !!t)
    .slice(0, 13)
    .map((t) => ({ title: t }));
  if (replies.length) return [{ type: 'quick_replies', ...(title ? { text: title } : {}), replies }];
  return title ? [{ type: 'text', text: title }] : [];
}
