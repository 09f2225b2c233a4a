import { useEffect, useRef, useState } from 'preact/hooks';
import { ChatHeader } from '../customer/chat-header.js';
import { ChatPanel } from '../customer/chat-panel.js';
import { ConnectError } from '../customer/connect-error.js';
import { useConversation } from '../customer/use-conversation.js';
import { hasStoredSession, useCustomerClient } from '../customer/use-client.js';
import { usePageVisible } from '../customer/use-page-visible.js';
import type { WidgetOptions } from './options.js';
import { Launcher } from './launcher.js';
import { PHONE_QUERY, useModal } from './modal.js';
import { useMediaQuery } from './use-media-query.js';

// The embedded chat: a launcher button (with the unread count) and a panel. A visitor who never opens it
// costs nothing: the widget only starts a session when opened, or at once when this browser already has one
// (then it resumes, and the badge counts what arrived while the visitor was away).

const STORAGE_KEY = 'parley';
const OPEN_KEY = 'parley-widget-open';

function rememberOpen(open: boolean): void {
  try {
    sessionStorage.setItem(OPEN_KEY, open ? '1' : '0');
  } catch {
    // Storage blocked: the panel just starts closed after a reload.
  }
}

function wasOpen(): boolean {
  try {
    return sessionStorage.getItem(OPEN_KEY) === '1';
  } catch {
    return false;
  }
}

export function Widget({ options }: { options: WidgetOptions }) {
  const [open, setOpen] = useState(wasOpen);
  const session = useCustomerClient({ baseUrl: options.baseUrl, identityToken: options.identityToken, storageKey: STORAGE_KEY });
  const pageVisible = usePageVisible();
  const chat = useConversation(session.client, { queue: options.queue, entryPoint: options.entryPoint, visible: open && pageVisible });
  const input = useRef<HTMLTextAreaElement>(null);
  const launcher = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLElement>(null);
  // A phone-sized screen: the open panel covers the page, so it is a modal dialog there.
  const modal = useMediaQuery(PHONE_QUERY) && open;
  useModal(panel, modal, () => setOpen(false));

  useEffect(() => {
    if (session.state === 'idle' && (open || options.identityToken || hasStoredSession(STORAGE_KEY))) session.connect();
  }, [open, session.state]);

  // Opening moves focus into the message box; closing gives it back to the launcher.
  const wasOpenRef = useRef(open);
  useEffect(() => {
    if (open) input.current?.focus();
    else if (wasOpenRef.current) launcher.current?.focus();
    wasOpenRef.current = open;
    rememberOpen(open);
  }, [open]);
  useEffect(() => {
    if (open && session.state === 'ready') input.current?.focus();
  }, [session.state]);

  const waiting = Boolean(chat.conversation && (chat.conversation.phase === 'queued' || chat.conversation.phase === 'transferring'));
  const canEnd = Boolean(chat.conversation && !chat.ended);

  return (
    <div class={`pw-root pw-widget pw-${options.position}`} style={{ '--pw-accent': options.color, '--pw-on-accent': options.onColor }}>
      {open ? (
        <section
          ref={panel}
          id="parley-panel"
          class="pw-panel"
          data-testid="parley-panel"
          role="dialog"
          aria-modal={modal ? 'true' : 'false'}
          aria-labelledby="parley-title"
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.stopPropagation();
              setOpen(false);
            }
          }}
        >
          <ChatHeader title={options.title} titleId="parley-title" agent={chat.agent} waiting={waiting} ended={chat.ended} connection={session.state === 'ready' ? session.connection : 'open'}>
            {canEnd ? (
              <button type="button" class="pw-header-btn" data-testid="parley-end" onClick={() => void chat.end()}>
                End chat
              </button>
            ) : null}
            <button type="button" class="pw-header-btn pw-close" data-testid="parley-close" aria-label="Close chat" onClick={() => setOpen(false)}>
              <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true">
                <path d="M6 9l6 6 6-6" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" />
              </svg>
            </button>
          </ChatHeader>
          {session.state === 'error' ? (
            <ConnectError message={session.error} onRetry={session.connect} />
          ) : (
            <ChatPanel client={session.client} chat={chat} connection={session.connection} inputRef={input} greeting={options.greeting} />
          )}
          <footer class="pw-brand">Powered by Parley</footer>
        </section>
      ) : null}
      <Launcher buttonRef={launcher} open={open} unread={open ? 0 : chat.unread} title={options.title} onToggle={() => setOpen((o) => !o)} />
    </div>
  );
}
