import type { Conversation } from '../../../sdk/src/index.js';
import { Avatar } from '../../shared/avatar.js';
import { useConsole } from '../context.js';
import { href } from '../router.js';
import type { InboxState } from './use-inbox.js';
import { ago, customerName, lastMessagePreview, phaseLabel } from './labels.js';

// The left column: chats waiting in my queues (oldest first, like a queue) and chats I hold.

export function ConversationList({ inbox, selected }: { inbox: InboxState; selected: string | undefined }) {
  // Waiting chats in the order the queue serves them.
  const waiting = [...inbox.queued].sort((a, b) => (a.queuePosition ?? 1e9) - (b.queuePosition ?? 1e9) || a.createdAt.localeCompare(b.createdAt));
  return (
    <nav class="pc-list" aria-label="Conversations">
      <Section title="Waiting" testid="queue-list" items={waiting} inbox={inbox} selected={selected} empty="Nobody is waiting." />
      <Section title="My chats" testid="mine-list" items={inbox.mine} inbox={inbox} selected={selected} empty="No chats assigned to you." />
      {inbox.error ? (
        <p class="pc-error" role="alert">
          {inbox.error}
        </p>
      ) : null}
    </nav>
  );
}

function Section({ title, items, inbox, selected, empty, testid }: { title: string; items: Conversation[]; inbox: InboxState; selected: string | undefined; empty: string; testid: string }) {
  return (
    <section class="pc-list-section" data-testid={testid}>
      <h2>
        {title} <span class="pc-muted">({items.length})</span>
      </h2>
      {items.length === 0 ? <p class="pc-empty">{inbox.loaded ? empty : 'Loading…'}</p> : null}
      <ul>
        {items.map((c) => (
          <Row key={c.id} c={c} inbox={inbox} active={c.id === selected} />
        ))}
      </ul>
    </section>
  );
}

function Row({ c, inbox, active }: { c: Conversation; inbox: InboxState; active: boolean }) {
  const { client, me } = useConsole();
  const name = customerName(c);
  const isNew = inbox.unseen.has(c.id);
  const unread = inbox.unread.get(c.id) ?? 0;
  const preview = lastMessagePreview(client.history(c.id), me.id);
  return (
    <li>
      <a class={`pc-row${active ? ' pc-row-active' : ''}${isNew ? ' pc-row-new' : ''}`} href={href('inbox', c.id)} data-testid="conversation-row" data-conversation-id={c.id} data-phase={c.phase} aria-current={active ? 'true' : undefined}>
        <Avatar name={name} size={34} />
        <span class="pc-row-text">
          <span class="pc-row-top">
            <span class="pc-row-name" data-testid="conversation-name">
              {name}
            </span>
            <span class="pc-row-time">{ago(c.updatedAt)}</span>
          </span>
          <span class="pc-row-preview">{preview || phaseLabel(c)}</span>
          <span class="pc-row-tags">
            <span class={`pc-phase pc-phase-${c.phase}`}>{phaseLabel(c)}</span>
            {isNew ? (
              <span class="pc-badge pc-badge-info" data-testid="new-badge">
                New
              </span>
            ) : null}
            {unread > 0 && !isNew ? (
              <span class="pc-count" aria-label={`${unread} unread`}>
                {unread}
              </span>
            ) : null}
          </span>
        </span>
      </a>
    </li>
  );
}
