import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { Avatar } from './avatar.js';
import { shortTime } from './format.js';
import { PartView } from './part-view.js';
import { StatusTicks } from './status-ticks.js';
import { TypingIndicator } from './typing-indicator.js';
import type { ChatItem, MessageItem } from './types.js';

// The conversation as a scrolling log: bubbles (mine on the right with ticks, theirs on the left with name
// and avatar), one-line notices, and the other side's typing indicator. It is a `role="log"` region, which
// screen readers announce politely as messages arrive. It stays pinned to the bottom unless the reader has
// scrolled up, in which case a "new messages" button appears instead of yanking them down.

export interface MessageListProps {
  items: ChatItem[];
  /** Name of whoever is typing on the other side, or null. */
  typing?: string | null | undefined;
  onReply?: ((title: string, payload: string | undefined) => void) | undefined;
  onRetry?: ((key: string) => void) | undefined;
  onDiscard?: ((key: string) => void) | undefined;
  previewOf?: ((mediaId: string) => string | undefined) | undefined;
  empty?: preact.ComponentChildren;
  label?: string | undefined;
}

const NEAR_BOTTOM_PX = 80;

export function MessageList({ items, typing, onReply, onRetry, onDiscard, previewOf, empty, label = 'Conversation' }: MessageListProps) {
  const box = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const [unseen, setUnseen] = useState(0);
  const count = items.length;

  const toBottom = () => {
    const el = box.current;
    if (el) el.scrollTop = el.scrollHeight;
    pinned.current = true;
    setUnseen(0);
  };

  useLayoutEffect(() => {
    if (pinned.current) toBottom();
    else setUnseen((n) => n + 1);
  }, [count, typing]);

  // Images change height when they load, and the list changes size when a hidden tab is shown or a phone
  // keyboard opens; keep the bottom in view if we were there.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const keep = () => pinned.current && toBottom();
    el.addEventListener('load', keep, true);
    const ro = typeof ResizeObserver === 'function' ? new ResizeObserver(keep) : undefined;
    ro?.observe(el);
    return () => {
      el.removeEventListener('load', keep, true);
      ro?.disconnect();
    };
  }, []);

  const onScroll = () => {
    const el = box.current;
    if (!el) return;
    pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
    if (pinned.current) setUnseen(0);
  };

  // Quick replies belong to the latest message only: once the conversation moved on, they are history.
  let lastMessage = -1;
  items.forEach((it, i) => {
    if (it.type === 'message') lastMessage = i;
  });

  return (
    <div class="pw-list-wrap">
      <div class="pw-list" ref={box} onScroll={onScroll} tabIndex={0} role="log" aria-label={label} aria-live="polite" data-testid="parley-log">
        {items.length === 0 && empty ? <div class="pw-empty">{empty}</div> : null}
        {items.map((it, i) => {
          if (it.type === 'notice') {
            return (
              <div key={it.key} class={`pw-notice pw-notice-${it.tone}`} data-testid="parley-notice">
                {it.text}
              </div>
            );
          }
          const prev = items[i - 1];
          const grouped = prev?.type === 'message' && prev.mine === it.mine && prev.author.role === it.author.role && prev.author.name === it.author.name;
          return (
            <Bubble
              key={it.key}
              item={it}
              showAuthor={!it.mine && !grouped}
              interactive={i === lastMessage}
              onReply={onReply}
              onRetry={onRetry ? () => onRetry(it.key) : undefined}
              onDiscard={onDiscard && it.local ? () => onDiscard(it.key) : undefined}
              previewOf={previewOf}
            />
          );
        })}
        {typing ? <TypingIndicator name={typing} /> : null}
      </div>
      {unseen > 0 ? (
        <button type="button" class="pw-jump" onClick={toBottom}>
          New messages ↓
        </button>
      ) : null}
    </div>
  );
}

interface BubbleProps {
  item: MessageItem;
  showAuthor: boolean;
  interactive: boolean;
  onReply: MessageListProps['onReply'];
  onRetry: (() => void) | undefined;
  onDiscard: (() => void) | undefined;
  previewOf: MessageListProps['previewOf'];
}

function Bubble({ item, showAuthor, interactive, onReply, onRetry, onDiscard, previewOf }: BubbleProps) {
  const who = item.mine ? 'You' : (item.author.name ?? roleName(item.author.role));
  return (
    <div
      class={`pw-row ${item.mine ? 'pw-mine' : 'pw-theirs'}`}
      data-testid="parley-message"
      data-author-role={item.author.role}
      data-status={item.mine ? item.status : undefined}
    >
      {!item.mine ? <div class="pw-avatar-slot">{showAuthor ? <Avatar name={who} size={28} /> : null}</div> : null}
      <div class="pw-bubble-col">
        {showAuthor ? (
          <div class="pw-author" data-testid="parley-author">
            {who}
          </div>
        ) : null}
        <div class="pw-bubble">
          {/* Screen readers hear who said it; sighted readers see it from the side and the name above. */}
          <span class="pw-sr">{who}: </span>
          {item.parts.map((p, i) => (
            <PartView key={i} part={p} onReply={onReply} interactive={interactive} previewOf={previewOf} />
          ))}
        </div>
        <div class="pw-meta">
          <time dateTime={item.createdAt}>{shortTime(item.createdAt)}</time>
          {item.redacted?.length ? <RedactedBadge found={item.redacted} /> : null}
          {item.mine && item.status ? <StatusTicks status={item.status} onRetry={onRetry} onDiscard={onDiscard} error={item.error} /> : null}
        </div>
      </div>
    </div>
  );
}

/** Personal data was masked before anyone saw this message (a route's PII policy): say what, not the text. */
function RedactedBadge({ found }: { found: { kind: string; count: number }[] }) {
  const what = found.map((f) => (f.count > 1 ? `${f.count} × ${f.kind}` : f.kind)).join(', ');
  return (
    <span class="pw-redacted" data-testid="parley-redacted" title={`Personal data masked: ${what}`}>
      redacted: {what}
    </span>
  );
}

function roleName(role: string): string {
  return role === 'agent' ? 'Agent' : role === 'bot' ? 'Assistant' : role === 'business' ? 'Team' : role === 'customer' ? 'Customer' : 'Parley';
}
