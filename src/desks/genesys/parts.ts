import type { Part } from '../../core/parts.js';
import { partsToText } from '../../core/parts.js';
import { DecoratedMessage, type GenesysAttachment, type GenesysContent } from './payloads.js';

// Parley message parts ⇄ Genesys Open Messaging. Pure: the adapter supplies signed media URLs going out
// and the copying of vendor attachments coming in.

/** OpenContentAttachment.mediaType from a MIME type. */
export function mediaTypeOf(mime: string | undefined): 'Image' | 'Video' | 'Audio' | 'File' {
  if (mime?.startsWith('image/')) return 'Image';
  if (mime?.startsWith('video/')) return 'Video';
  if (mime?.startsWith('audio/')) return 'Audio';
  return 'File';
}

export interface InboundContent {
  text?: string;
  content?: { attachment: { mediaType: string; url: string; mime: string; filename?: string; text?: string } }[];
}

/**
 * A customer's parts as the text and content of an inbound message. Media go as attachments Genesys
 * fetches from `mediaUrl` (Parley's short-lived signed URL, never a public bucket); parts Open Messaging
 * cannot carry (location, a customer's own buttons) go as their plain-text rendering.
 */
export function toInbound(parts: Part[], mediaUrl: (mediaId: string) => string): InboundContent {
  const texts: string[] = [];
  const content: NonNullable<InboundContent['content']> = [];
  for (const p of parts) {
    if (p.type === 'media') {
      const mime = p.mime ?? 'application/octet-stream';
      content.push({
        attachment: { mediaType: mediaTypeOf(mime), url: mediaUrl(p.mediaId), mime, ...(p.name ? { filename: p.name } : {}), ...(p.caption ? { text: p.caption } : {}) },
      });
    } else {
      texts.push(partsToText([p]));
    }
  }
  const text = texts.filter((t) => t.length > 0).join('\n');
  return { ...(text ? { text } : {}), ...(content.length ? { content } : {}) };
}

/**
 * An agent's text: a decorated QR message becomes a `qr` part; anything else — text that only looks like
 * JSON included — stays text, and nothing an agent types can throw here.
 */
export function textToParts(text: string): Part[] {
  const t = text.trim();
  if (t.length === 0) return [];
  if (t.startsWith('{') && t.endsWith('}')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(t);
    } catch {
      parsed = undefined;
    }
    const decorated = DecoratedMessage.safeParse(parsed);
    if (decorated.success && decorated.data.gcDecoratedMessage.gcMessageType === 'qrCode') {
      return [{ type: 'qr', content: decorated.data.gcDecoratedMessage.gcMessageText }];
    }
  }
  return [{ type: 'text', text: text.slice(0, 10_000) }];
}

/** The attachments of an outbound message, in order. */
export const attachmentsOf = (content: GenesysContent[] | undefined): GenesysAttachment[] =>
  (content ?? []).flatMap((c) => (c.attachment && (c.contentType === undefined || c.contentType === 'Attachment') ? [c.attachment] : []));

/** Quick replies and cards of a structured message as Parley parts (attachments are handled apart). */
export function structuredParts(text: string | undefined, content: GenesysContent[] | undefined): Part[] {
  const items = content ?? [];
  const replies = items.flatMap((c) => {
    const q = c.quickReply ?? (c.contentType === 'ButtonResponse' ? c.buttonResponse : undefined);
    return q ? [{ title: q.text.slice(0, 200) || '…', ...(q.payload !== undefined ? { payload: q.payload.slice(0, 1000) } : {}) }] : [];
  });
  const parts: Part[] = [];
  if (replies.length) parts.push({ type: 'quick_replies', ...(text ? { text: text.slice(0, 2000) } : {}), replies: replies.slice(0, 13) });
  for (const c of items) {
    if (!c.card) continue;
    const buttons = (c.card.actions ?? []).flatMap((a) => {
      const title = (a.text ?? '').slice(0, 200);
      if (!title) return [];
      const url = a.url && /^https?:\/\//i.test(a.url) ? a.url : undefined;
      return [{ title, ...(url ? { url } : {}), ...(a.payload !== undefined ? { payload: a.payload } : {}) }];
    });
    const label = [c.card.title, c.card.description].filter(Boolean).join('\n').slice(0, 2000);
    if (buttons.length) parts.push({ type: 'buttons', ...(label ? { text: label } : {}), buttons: buttons.slice(0, 10) });
    else if (label) parts.push({ type: 'text', text: label });
  }
  return parts;
}

/** The quick reply or button a customer's text answers, among the choices of an agent message. */
export function answeredChoice(agentParts: Part[], text: string): { type: 'QuickReply' | 'Button'; text: string; payload: string } | undefined {
  for (const p of agentParts) {
    if (p.type === 'quick_replies') {
      const r = p.replies.find((x) => x.title === text);
      if (r) return { type: 'QuickReply', text: r.title, payload: r.payload ?? r.title };
    }
    if (p.type === 'buttons') {
      const b = p.buttons.find((x) => x.title === text && !x.url);
      if (b) return { type: 'Button', text: b.title, payload: b.payload ?? b.title };
    }
  }
  return undefined;
}
