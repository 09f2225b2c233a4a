import { partsToText, type Part } from '../../core/parts.js';
import { splitLossless } from '../../core/split-text.js';

// Parley parts → Messenger Send API messages, pure (vendor-protocols §5.4). One agent message can become
// several sends, in order: text (split at Messenger's 2,000 characters), files as attachments (with their
// caption as the next text), quick replies on the text they follow (Messenger: at most 13, titles of 20
// characters), buttons as button templates (3 buttons each, text up to 640). What Messenger cannot show
// (a QR code, a location) becomes readable text.

/** Messenger's limits (developers.facebook.com/docs/messenger-platform/send-messages). */
export const LIMITS = { text: 2000, quickReplies: 13, quickReplyTitle: 20, buttonText: 640, buttons: 3, buttonTitle: 20 } as const;

export type MessengerMessage =
  | { text: string; quick_replies?: { content_type: 'text'; title: string; payload: string }[] }
  | { attachment: { type: 'image' | 'video' | 'audio' | 'file'; payload: { url: string; is_reusable: false } } }
  | { attachment: { type: 'template'; payload: { template_type: 'button'; text: string; buttons: ({ type: 'postback'; title: string; payload: string } | { type: 'web_url'; title: string; url: string })[] } } };

/** Cuts a title to `max` code points, marking the cut. */
const cut = (s: string, max: number): string => ([...s].length <= max ? s : `${[...s].slice(0, max - 1).join('')}…`);

export function attachmentType(mime: string | undefined): 'image' | 'video' | 'audio' | 'file' {
  if (mime?.startsWith('image/')) return 'image';
  if (mime?.startsWith('video/')) return 'video';
  if (mime?.startsWith('audio/')) return 'audio';
  return 'file';
}

/** The Send API messages one agent message becomes; `mediaUrl` turns a media id into a URL Meta can fetch. */
export function toMessenger(parts: Part[], mediaUrl: (mediaId: string) => string, limit: number = LIMITS.text): MessengerMessage[] {
  const out: MessengerMessage[] = [];
  const text = (t: string) => {
    for (const piece of splitLossless(t, limit)) out.push({ text: piece });
  };
  for (const p of parts) {
    switch (p.type) {
      case 'text':
        text(p.text);
        break;
      case 'media':
        out.push({ attachment: { type: attachmentType(p.mime), payload: { url: mediaUrl(p.mediaId), is_reusable: false } } });
        if (p.caption) text(p.caption);
        break;
      case 'quick_replies': {
        const replies = p.replies.slice(0, LIMITS.quickReplies).map((r) => ({ content_type: 'text' as const, title: cut(r.title, LIMITS.quickReplyTitle), payload: (r.payload ?? r.title).slice(0, 1000) }));
        const last = out.at(-1);
        // Quick replies ride on a text: the question's own, else the text just before them.
        if (p.text) text(p.text);
        else if (!last || !('text' in last) || last.quick_replies) text('Choose one:');
        const host = out.at(-1) as { text: string; quick_replies?: unknown };
        host.quick_replies = replies;
        break;
      }
      case 'buttons': {
        for (let i = 0; i < p.buttons.length; i += LIMITS.buttons) {
          const group = p.buttons.slice(i, i + LIMITS.buttons);
          const body = i === 0 ? (p.text ?? 'Choose one:') : 'More options:';
          out.push({
            attachment: {
              type: 'template',
              payload: {
                template_type: 'button',
                text: cut(body, LIMITS.buttonText),
                buttons: group.map((b) => (b.url ? { type: 'web_url' as const, title: cut(b.title, LIMITS.buttonTitle), url: b.url } : { type: 'postback' as const, title: cut(b.title, LIMITS.buttonTitle), payload: (b.payload ?? b.title).slice(0, 1000) })),
              },
            },
          });
        }
        break;
      }
      default:
        text(partsToText([p]));
    }
  }
  return out;
}
