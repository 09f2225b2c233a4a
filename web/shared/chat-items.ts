import { noticeFor } from './notices.js';
import type { ChatItem, LogEvent, MessageStatus } from './types.js';

// Turns a conversation's log into what the message list draws: messages become bubbles, lifecycle events
// become notices, receipts (which only move ticks) disappear.

export interface ToItemsOptions {
  viewer: 'customer' | 'agent';
  /** Whether the viewer wrote this message (the customer: role customer; an agent: their own id). */
  isMine: (e: LogEvent) => boolean;
  /** The freshest status of one of my messages (receipts arrive as separate events). */
  statusOf?: ((e: LogEvent) => MessageStatus | undefined) | undefined;
}

/** The event's PII marker, when it is one (the log is loosely typed: anything else is ignored). */
function redactedOf(e: LogEvent): { kind: string; count: number }[] | undefined {
  const r = e.redacted;
  if (!Array.isArray(r) || r.length === 0) return undefined;
  return r.filter((x): x is { kind: string; count: number } => typeof x === 'object' && x !== null && typeof (x as { kind?: unknown }).kind === 'string' && typeof (x as { count?: unknown }).count === 'number');
}

export function toChatItems(events: readonly LogEvent[], opts: ToItemsOptions): ChatItem[] {
  const items: ChatItem[] = [];
  for (const e of events) {
    if (e.kind === 'message') {
      const mine = opts.isMine(e);
      items.push({
        type: 'message',
        key: e.clientMessageId && mine ? `c:${e.clientMessageId}` : (e.id ?? `seq-${e.seq}`),
        mine,
        author: e.author,
        parts: e.parts ?? [],
        createdAt: e.createdAt,
        status: mine ? (opts.statusOf?.(e) ?? e.status) : undefined,
        redacted: redactedOf(e),
      });
      continue;
    }
    const n = noticeFor(e, opts.viewer);
    if (n) items.push(n);
  }
  return items;
}
