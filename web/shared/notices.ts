import type { AuthorRole, LogEvent, NoticeItem } from './types.js';

// One line of text for each log event that is not a message: who joined, left, transferred, ended. Written
// for the person reading (`viewer`): a customer reads "Anna joined the chat", an agent reads the same event.

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const nameOf = (v: unknown): string | undefined => (v && typeof v === 'object' ? str((v as { name?: unknown }).name) : undefined);

export function noticeFor(e: LogEvent, viewer: 'customer' | 'agent'): NoticeItem | undefined {
  const base = { type: 'notice' as const, key: e.id ?? `seq-${e.seq}`, createdAt: e.createdAt };
  switch (e.kind) {
    case 'participant.joined':
      return { ...base, tone: 'info', text: `${nameOf(e.participant) ?? 'An agent'} joined the chat` };
    case 'participant.left': {
      const who = nameOf(e.participant) ?? 'The agent';
      return { ...base, tone: 'info', text: e.reason === 'transfer' ? `${who} left the chat (transferring)` : `${who} left the chat` };
    }
    case 'transfer.started': {
      const to = e.to as { type?: string; name?: string } | undefined;
      const target = str(to?.name);
      if (viewer === 'customer') return { ...base, tone: 'info', text: target && to?.type === 'agent' ? `Transferring you to ${target}` : 'Transferring you to another agent' };
      return { ...base, tone: 'info', text: `Transferred to ${to?.type === 'queue' ? 'queue ' : ''}${target ?? 'another agent'}` };
    }
    case 'conversation.queued':
      return { ...base, tone: 'info', text: viewer === 'customer' ? 'Waiting for an agent' : `Queued in ${str(e.queueName) ?? 'a queue'}` };
    case 'conversation.ended':
      return { ...base, tone: 'end', text: endedText(e.by as AuthorRole | undefined, viewer) };
    case 'delivery.failed':
      return { ...base, tone: 'warning', text: 'A message could not be delivered' };
    case 'error':
      return { ...base, tone: 'warning', text: str(e.message) ?? 'Something went wrong' };
    default:
      return undefined;
  }
}

function endedText(by: AuthorRole | undefined, viewer: 'customer' | 'agent'): string {
  if (by === viewer) return 'You ended the chat';
  if (by === 'customer') return 'The customer ended the chat';
  if (by === 'agent') return 'The agent ended the chat';
  return 'The chat has ended';
}
