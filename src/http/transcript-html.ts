import type { Contact, Conversation, StoredEvent } from '../core/model.js';
import { partsToText } from '../core/parts.js';

// A transcript page for people (supervisors, audits, e-mailing a customer their chat). Everything from
// users is escaped: names and messages are text, never markup.

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

function line(e: StoredEvent): string | undefined {
  const who = e.author.name ?? e.author.role;
  switch (e.kind) {
    case 'message':
      return `<div class="msg ${e.author.role}"><b>${escapeHtml(who)}</b><p>${escapeHtml(partsToText(e.parts)).replace(/\n/g, '<br>')}</p></div>`;
    case 'participant.joined':
      return `<div class="note">${escapeHtml(e.participant.name)} joined</div>`;
    case 'participant.left':
      return `<div class="note">${escapeHtml(e.participant.name)} left</div>`;
    case 'transfer.started':
      return `<div class="note">Transferred to ${escapeHtml(e.to.type)} ${escapeHtml(e.to.name)}</div>`;
    case 'conversation.queued':
      return `<div class="note">Waiting in queue ${escapeHtml(e.queueName)}</div>`;
    case 'conversation.ended':
      return `<div class="note">Conversation ended by ${escapeHtml(e.by)}</div>`;
    case 'delivery.failed':
      return `<div class="note error">Message ${e.failedSeq} could not be delivered: ${escapeHtml(e.reason)}</div>`;
    default:
      return undefined;
  }
}

export function transcriptHtml(c: Conversation, contact: Contact | undefined, events: StoredEvent[]): string {
  const title = `Conversation with ${contact?.name ?? contact?.email ?? 'customer'}`;
  const rows = events.map((e) => {
    const body = line(e);
    return body ? `<li><time>${escapeHtml(new Date(e.createdAt).toLocaleString('en-GB', { timeZone: 'UTC' }))} UTC</time>${body}</li>` : '';
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:15px/1.45 system-ui,sans-serif;max-width:760px;margin:2rem auto;padding:0 1rem;color:#1d232a}ul{list-style:none;padding:0}li{margin:.6rem 0}
time{display:block;color:#6b7280;font-size:12px}.msg p{margin:.2rem 0 0}.msg.customer b{color:#0b63ce}.msg.agent b{color:#0f7b4f}.note{color:#6b7280;font-style:italic}.error{color:#b42318}</style>
</head><body><h1>${escapeHtml(title)}</h1><p>Conversation ${escapeHtml(c.id)} · ${escapeHtml(c.channel)} → ${escapeHtml(c.desk)} · ${escapeHtml(c.phase)} · started ${escapeHtml(c.createdAt)}</p>
<ul>${rows.join('')}</ul></body></html>`;
}
