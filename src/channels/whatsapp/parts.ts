import { partsToText, type Part } from '../../core/parts.js';
import { splitLossless } from '../../core/split-text.js';

// Parley parts ⇄ WhatsApp Cloud API messages, pure (vendor-protocols §7; developers.facebook.com/
// documentation/business-messaging/whatsapp: messages, interactive reply buttons and list messages,
// templates). One agent message can become several sends, in order:
//
// - text, split at WhatsApp's 4,096 characters;
// - a file by `link` (Meta fetches it from Parley's signed URL): image (JPEG, PNG), video (MP4, 3GPP), audio
//   (AAC, AMR, MP3, MP4, OGG), anything else as a document with its name; the caption rides along (≤ 1,024),
//   except on audio, where it follows as text;
// - quick replies: up to 3 as interactive reply buttons (titles ≤ 20), more as a list message (rows ≤ 10,
//   titles ≤ 24; the 11th to 13th in a second list). They ride on the question's own text, else on the text
//   just before them (which then goes as the interactive body, not twice);
// - buttons: those with a payload as reply buttons (3 a message), those with a URL as "title: url" lines in
//   the body (the emulator has no cta_url, and a link line works on every WhatsApp client);
// - a location as a location message; anything else (a QR code) as readable text.
//
// And the other way: what a customer's message of each type becomes (the files are fetched by webhook.ts).

/** WhatsApp's limits. */
export const LIMITS = {
  text: 4096,
  caption: 1024,
  interactiveBody: 1024,
  buttons: 3,
  buttonTitle: 20,
  replyId: 256,
  listRows: 10,
  rowTitle: 24,
  rowId: 200,
  listButton: 20,
  /** A template body parameter (the template's whole body is at most 1,024 characters). */
  templateParameter: 1024,
} as const;

export type WaMediaType = 'image' | 'video' | 'audio' | 'document' | 'sticker';

type ReplyButton = { type: 'reply'; reply: { id: string; title: string } };
type ListRow = { id: string; title: string };

/** One Cloud API message body, without `messaging_product`, `recipient_type` and `to`. */
export type WaMessage =
  | { type: 'text'; text: { body: string; preview_url: boolean } }
  | { type: 'image' | 'video' | 'audio' | 'document'; image?: WaLink; video?: WaLink; audio?: WaLink; document?: WaLink }
  | { type: 'location'; location: { latitude: number; longitude: number; name?: string; address?: string } }
  | { type: 'interactive'; interactive: { type: 'button'; body: { text: string }; action: { buttons: ReplyButton[] } } }
  | { type: 'interactive'; interactive: { type: 'list'; body: { text: string }; action: { button: string; sections: { title?: string; rows: ListRow[] }[] } } }
  | { type: 'template'; template: { name: string; language: { code: string }; components?: { type: 'body'; parameters: { type: 'text'; text: string }[] }[] } };

export interface WaLink {
  link: string;
  caption?: string;
  filename?: string;
}

/** Cuts to `max` code points, marking the cut. */
export const cut = (s: string, max: number): string => ([...s].length <= max ? s : `${[...s].slice(0, max - 1).join('')}…`);

const IMAGE = ['image/jpeg', 'image/png'];
const VIDEO = ['video/mp4', 'video/3gpp'];
const AUDIO = ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'];

/** The message type a file of this type goes as (what WhatsApp does not take as media goes as a document). */
export function mediaType(mime: string | undefined): 'image' | 'video' | 'audio' | 'document' {
  const m = (mime ?? '').split(';')[0]!.trim().toLowerCase();
  if (IMAGE.includes(m)) return 'image';
  if (VIDEO.includes(m)) return 'video';
  if (AUDIO.includes(m)) return 'audio';
  return 'document';
}

/** Interactive reply ids must be unique within a message: a repeated payload gets `#n`. */
function uniqueIds(ids: string[], max: number): string[] {
  const seen = new Set<string>();
  return ids.map((raw, i) => {
    let id = raw.slice(0, max) || `option_${i + 1}`;
    if (seen.has(id)) id = `${id.slice(0, max - 4)}#${i + 1}`;
    seen.add(id);
    return id;
  });
}

function buttonsMessage(body: string, choices: { title: string; id: string }[]): WaMessage {
  const ids = uniqueIds(
    choices.map((c) => c.id),
    LIMITS.replyId,
  );
  return {
    type: 'interactive',
    interactive: { type: 'button', body: { text: cut(body, LIMITS.interactiveBody) }, action: { buttons: choices.map((c, i) => ({ type: 'reply', reply: { id: ids[i]!, title: cut(c.title, LIMITS.buttonTitle) } })) } },
  };
}

function listMessage(body: string, choices: { title: string; id: string }[]): WaMessage {
  const ids = uniqueIds(
    choices.map((c) => c.id),
    LIMITS.rowId,
  );
  return {
    type: 'interactive',
    interactive: { type: 'list', body: { text: cut(body, LIMITS.interactiveBody) }, action: { button: 'Choose', sections: [{ rows: choices.map((c, i) => ({ id: ids[i]!, title: cut(c.title, LIMITS.rowTitle) })) }] } },
  };
}

/** The Cloud API messages one agent message becomes; `mediaUrl` turns a media id into a URL Meta can fetch. */
export function toWhatsApp(parts: Part[], mediaUrl: (mediaId: string) => string, limit: number = LIMITS.text): WaMessage[] {
  const out: WaMessage[] = [];
  const text = (t: string) => {
    for (const piece of splitLossless(t, limit)) out.push({ type: 'text', text: { body: piece, preview_url: /https?:\/\//i.test(piece) } });
  };
  /** The body an interactive message takes: its own text, else the short text just sent before it (taken back). */
  const bodyFor = (own: string | undefined, fallback: string): string => {
    if (own?.trim()) return own;
    const last = out.at(-1);
    if (last?.type === 'text' && last.text.body.length <= LIMITS.interactiveBody) {
      out.pop();
      return last.text.body;
    }
    return fallback;
  };
  for (const p of parts) {
    switch (p.type) {
      case 'text':
        text(p.text);
        break;
      case 'media': {
        const type = mediaType(p.mime);
        const caption = p.caption?.trim() ? p.caption : undefined;
        const withCaption = caption !== undefined && type !== 'audio' && caption.length <= LIMITS.caption;
        const link: WaLink = { link: mediaUrl(p.mediaId), ...(withCaption ? { caption } : {}), ...(type === 'document' && p.name ? { filename: p.name.slice(0, 240) } : {}) };
        out.push({ type, [type]: link } as WaMessage);
        if (caption !== undefined && !withCaption) text(caption);
        break;
      }
      case 'quick_replies': {
        const choices = p.replies.map((r) => ({ title: r.title, id: r.payload ?? r.title }));
        const body = bodyFor(p.text, 'Choose one:');
        if (choices.length <= LIMITS.buttons) out.push(buttonsMessage(body, choices));
        else
          for (let i = 0; i < choices.length; i += LIMITS.listRows) out.push(listMessage(i === 0 ? body : 'More options:', choices.slice(i, i + LIMITS.listRows)));
        break;
      }
      case 'buttons': {
        const replies = p.buttons.filter((b) => !b.url).map((b) => ({ title: b.title, id: b.payload ?? b.title }));
        const links = p.buttons.filter((b) => b.url).map((b) => `${b.title}: ${b.url}`);
        const own = [p.text, ...links].filter((x) => x?.trim()).join('\n');
        if (replies.length === 0) {
          text(own || partsToText([p]));
          break;
        }
        const body = bodyFor(own || undefined, 'Choose one:');
        for (let i = 0; i < replies.length; i += LIMITS.buttons) out.push(buttonsMessage(i === 0 ? body : 'More options:', replies.slice(i, i + LIMITS.buttons)));
        break;
      }
      case 'location':
        out.push({ type: 'location', location: { latitude: p.lat, longitude: p.lng, ...(p.name ? { name: p.name } : {}), ...(p.address ? { address: p.address } : {}) } });
        break;
      default:
        text(partsToText([p]));
    }
  }
  return out;
}

// ---- templates ------------------------------------------------------------------------------------------

export type TemplateSource = 'agentText' | 'agentName' | 'customerName' | 'businessName' | { text: string };

export interface TemplateValues {
  agentText: string;
  agentName?: string | undefined;
  customerName?: string | undefined;
  businessName?: string | undefined;
}

/**
 * A template body parameter as Meta takes it: one line (no newlines or tabs, no run of more than four
 * spaces: error 132018), never empty (Meta refuses an empty parameter), at most 1,024 characters.
 */
export function templateParameter(value: string | undefined): string {
  const one = (value ?? '').replace(/[\r\n\t]+/g, ' ').replace(/ {2,}/g, ' ').trim();
  return one ? cut(one, LIMITS.templateParameter) : '-';
}

/** The template message that goes instead of a free-form one; parameters filled in their configured order. */
export function templateMessage(t: { name: string; language: string; parameters: TemplateSource[] }, v: TemplateValues): WaMessage {
  const value = (s: TemplateSource): string | undefined => (typeof s === 'object' ? s.text : s === 'agentText' ? v.agentText : s === 'agentName' ? v.agentName : s === 'customerName' ? v.customerName : v.businessName);
  const parameters = t.parameters.map((s) => ({ type: 'text' as const, text: templateParameter(value(s)) }));
  return { type: 'template', template: { name: t.name, language: { code: t.language }, ...(parameters.length ? { components: [{ type: 'body' as const, parameters }] } : {}) } };
}

// ---- customer messages ----------------------------------------------------------------------------------

interface WaContactCard {
  name?: { formatted_name?: string | undefined; first_name?: string | undefined; last_name?: string | undefined } | undefined;
  phones?: { phone?: string | undefined; wa_id?: string | undefined }[] | undefined;
  emails?: { email?: string | undefined }[] | undefined;
  org?: { company?: string | undefined } | undefined;
}

/** Shared contact cards as text the agent can read and copy: `[contact: Ada Lovelace, +44 20 7946 0000, ada@example.com]`. */
export function contactsText(cards: WaContactCard[]): string {
  return cards
    .slice(0, 20)
    .map((c) => {
      const name = c.name?.formatted_name ?? [c.name?.first_name, c.name?.last_name].filter(Boolean).join(' ');
      const bits = [name, c.org?.company, ...(c.phones ?? []).map((p) => p.phone ?? (p.wa_id ? `+${p.wa_id}` : undefined)), ...(c.emails ?? []).map((e) => e.email)].filter((x): x is string => !!x?.trim());
      return `[contact: ${bits.join(', ').slice(0, 1000) || 'no details'}]`;
    })
    .join('\n');
}

/** A reaction as a short line: `[reacted 👍 to "Your order has shipped"]` (the quoted text when Parley knows the message). */
export function reactionText(emoji: string, quoted: string | undefined): string {
  const q = quoted?.replace(/\s+/g, ' ').trim();
  return q ? `[reacted ${emoji} to "${cut(q, 60)}"]` : `[reacted ${emoji}]`;
}

/** An E.164 number for a wa_id (WhatsApp's id is the number's digits). */
export const e164 = (waId: string): string => `+${waId.replace(/\D/g, '')}`;
