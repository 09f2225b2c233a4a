import type { Conversation, ParleyEvent, Part } from '../../../sdk/src/index.js';

// How a conversation is named and summarised in lists and headers.

export function customerName(c: Pick<Conversation, 'contact' | 'contactId'>): string {
  return c.contact?.name?.trim() || c.contact?.email?.trim() || `Visitor ${c.contactId.slice(-5)}`;
}

export function partSummary(parts: Part[]): string {
  return parts
    .map((p) => {
      switch (p.type) {
        case 'text':
          return p.text;
        case 'media':
          return p.mime?.startsWith('image/') ? '[image]' : `[file: ${p.name ?? 'file'}]`;
        case 'quick_replies':
          return p.text ?? `Quick replies: ${p.replies.map((r) => r.title).join(', ')}`;
        case 'buttons':
          return p.text ?? 'Buttons';
        case 'qr':
          return '[QR code]';
        case 'location':
          return `[location${p.name ? `: ${p.name}` : ''}]`;
        default:
          return '';
      }
    })
    .filter(Boolean)
    .join(' · ');
}

/** The last message of a log, as one line: "You: …" for the agent's own. */
export function lastMessagePreview(events: readonly ParleyEvent[], myId: string): string {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e?.kind !== 'message') continue;
    const who = e.author.role === 'agent' ? (e.author.id === myId ? 'You: ' : `${e.author.name ?? 'Agent'}: `) : '';
    return who + partSummary(e.parts);
  }
  return '';
}

export function phaseLabel(c: Conversation): string {
  switch (c.phase) {
    case 'queued':
      return c.queuePosition ? `Waiting · #${c.queuePosition}` : 'Waiting';
    case 'transferring':
      return 'Being transferred';
    case 'active':
      return 'Active';
    case 'bot':
      return 'With the bot';
    case 'ended':
      return 'Ended';
  }
}

/** "3 min", "2 h": how long ago, coarse, for list rows. */
export function ago(iso: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (s < 60) return 'now';
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86400)} d`;
}
