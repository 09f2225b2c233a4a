import type { GenericItem, MessageResponse, ResponseUserProfile, UserType } from '@carbon/ai-chat';
import type { AgentRef, Part } from '../../sdk/src/index.js';
import { qrPath } from '../../web/shared/qr-path.js';

// Parley's message parts as web chat's own response types, so an agent's message looks like the assistant's:
// text as `text`, pictures and QR codes as `image`, quick replies and link buttons as `button` items (a
// choice's click goes to the agent), other files and places as links. Everything from an
// agent is data: web chat treats `user_type: human` as untrusted and sanitises it, and nothing here builds
// markup from what the agent wrote except the escaped link text.

const HUMAN = 'human' as UserType;

/**
 * A choice the customer can click (a quick reply, a button without a link). Web chat sends its own `option`
 * clicks to the assistant, never to the agent, so a choice is a `custom_event` button: the service desk
 * hears the click (REPLY_EVENT) and sends the choice's title to the agent as the customer's text, as every
 * Parley channel does with a quick-reply answer.
 */
export const REPLY_EVENT = 'parley:reply';
const choice = (title: string): GenericItem => ({ response_type: 'button', button_type: 'custom_event', custom_event_name: REPLY_EVENT, label: title, kind: 'secondary' }) as GenericItem;

/** Markdown-safe link text: the agent's words stay words. */
const mdText = (s: string): string => s.replace(/[\\[\]()*_`<>#!|~]/g, (c) => `\\${c}`);

export function absolute(base: string, url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url, base).href;
  } catch {
    return undefined;
  }
}

/** SVG as a data URL (UTF-8 safe: names may hold any letter). */
const svgUrl = (svg: string): string => `data:image/svg+xml;base64,${btoa(Array.from(new TextEncoder().encode(svg), (b) => String.fromCharCode(b)).join(''))}`;

/** A QR code as an SVG data URL (web chat's `image` item takes a URL). */
export function qrImage(content: string): string | undefined {
  const qr = qrPath(content);
  if (!qr) return undefined;
  const box = qr.size + 8;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="-4 -4 ${box} ${box}" width="240" height="240" shape-rendering="crispEdges"><rect x="-4" y="-4" width="${box}" height="${box}" fill="#fff"/><path d="${qr.d}" fill="#000"/></svg>`;
  return svgUrl(svg);
}

function item(part: Part, base: string): GenericItem[] {
  switch (part.type) {
    case 'text':
      return [{ response_type: 'text', text: part.text } as GenericItem];
    case 'media': {
      const url = absolute(base, part.url);
      if (!url) return part.caption ? [{ response_type: 'text', text: part.caption } as GenericItem] : [];
      if (part.mime?.startsWith('image/')) return [{ response_type: 'image', source: url, title: part.caption ?? '', alt_text: part.caption ?? part.name ?? 'Image from the agent' } as GenericItem];
      const name = part.name ?? 'file';
      return [{ response_type: 'text', text: `${part.caption ? `${mdText(part.caption)}\n\n` : ''}[${mdText(name)}](${url})` } as GenericItem];
    }
    case 'qr': {
      const source = qrImage(part.content);
      return source ? [{ response_type: 'image', source, title: part.content, alt_text: `QR code: ${part.content}` } as GenericItem] : [{ response_type: 'text', text: part.content } as GenericItem];
    }
    case 'quick_replies':
      return [...(part.text ? [{ response_type: 'text', text: part.text } as GenericItem] : []), ...part.replies.map((r) => choice(r.title))];
    case 'buttons': {
      const out: GenericItem[] = part.text ? [{ response_type: 'text', text: part.text } as GenericItem] : [];
      for (const b of part.buttons) out.push(b.url ? ({ response_type: 'button', button_type: 'url', url: b.url, label: b.title, target: '_blank' } as GenericItem) : choice(b.title));
      return out;
    }
    case 'location': {
      const where = `https://www.openstreetmap.org/?mlat=${part.lat}&mlon=${part.lng}#map=16/${part.lat}/${part.lng}`;
      const label = [part.name, part.address].filter(Boolean).join(', ') || `${part.lat}, ${part.lng}`;
      return [{ response_type: 'text', text: `[${mdText(label)}](${where})` } as GenericItem];
    }
    default:
      return [];
  }
}

/** One Parley message as web chat's MessageResponse (null when nothing in it can be shown). */
export function toResponse(id: string, parts: Part[], base: string): MessageResponse | null {
  const generic = parts.flatMap((p) => item(p, base));
  return generic.length ? { id, output: { generic }, thread_id: 'agent' } : null;
}

/** Web chat's error bubble, for what the customer must know went wrong (a choice or message that did not arrive). */
export const inlineError = (text: string): MessageResponse => ({ output: { generic: [{ response_type: 'inline_error', text } as GenericItem] } });

/** A round avatar with the agent's initials (Parley knows agents' names, not their photos). */
export function avatarOf(agent: AgentRef): string {
  // First and last name's first letters; only letters and digits, so a name cannot bring markup along.
  const words = agent.name.split(/\s+/).map((w) => w.replace(/[^\p{L}\p{N}]/gu, '')).filter(Boolean);
  const initials = words.length ? `${words[0]![0]}${words.length > 1 ? words[words.length - 1]![0] : ''}`.toUpperCase() : '?';
  let h = 0;
  for (const c of agent.id) h = (h * 31 + c.charCodeAt(0)) % 360;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64"><circle cx="32" cy="32" r="32" fill="hsl(${h} 55% 38%)"/><text x="32" y="41" font-family="sans-serif" font-size="24" font-weight="600" fill="#fff" text-anchor="middle">${initials}</text></svg>`;
  return svgUrl(svg);
}

export function profileOf(agent: AgentRef): ResponseUserProfile {
  return { id: agent.id, nickname: agent.name || 'Agent', user_type: HUMAN, profile_picture_url: avatarOf(agent) };
}
