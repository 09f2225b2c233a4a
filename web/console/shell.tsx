import { useEffect, useRef, useState } from 'preact/hooks';
import type { AgentStatus, ConnectionState } from '../../sdk/src/index.js';
import { AdminPage, ADMIN_PAGES } from './admin/admin-page.js';
import { useConsole } from './context.js';
import { errorText } from './errors.js';
import { InboxPage } from './inbox/inbox-page.js';
import { useInbox } from './inbox/use-inbox.js';
import { BellIcon } from './icons.js';
import { isMuted, setMuted } from './notify.js';
import { href, useRoute } from './router.js';

// The frame around every screen: navigation (admin pages only for admins), the agent's availability, the
// connection state, sound on/off and log out. The inbox state lives here, not in the inbox page, so new
// chats still ring and count in the title while an admin is on another page. A skip link (first in the tab
// order) jumps past the header to the main area, which is also where focus lands after logging in.

export function Shell({ focusMain }: { focusMain: boolean }) {
  const { client, me, setMe, logout } = useConsole();
  const route = useRoute();
  const inbox = useInbox();
  const [connection, setConnection] = useState<ConnectionState>(client.connectionState);
  const [muted, setMutedState] = useState(isMuted);
  const [statusError, setStatusError] = useState<string | null>(null);

  useEffect(() => client.on('connection', setConnection), [client]);
  // Just logged in: the form that had focus is gone, so start the keyboard in the main area, not on <body>.
  // (A restored session starts at the top of the page like any page load, with the skip link first.)
  const main = useRef<HTMLElement>(null);
  useEffect(() => {
    if (focusMain) main.current?.focus();
  }, []);
  useEffect(() => inbox.setMuted(muted), [muted]);

  const changeStatus = async (status: AgentStatus) => {
    setStatusError(null);
    try {
      setMe(await client.setStatus(status));
    } catch (e) {
      setStatusError(errorText(e));
    }
  };

  const [section = 'inbox', page, id] = route;
  const isAdmin = me.role === 'admin';
  const newCount = inbox.unseen.size;

  return (
    <div class="pc-shell">
      {/* Not a plain #fragment: the console's routes live in the hash, so the link moves focus itself. */}
      <a
        class="pc-skip"
        href="#pc-main"
        data-testid="skip-link"
        onClick={(e) => {
          e.preventDefault();
          main.current?.focus();
        }}
      >
        Skip to main content
      </a>
      <header class="pc-top">
        <a class="pc-brand" href={href('inbox')}>
          <span class="pc-logo" aria-hidden="true" />
          <span>Parley</span>
        </a>
        <nav class="pc-nav" aria-label="Console">
          <a href={href('inbox')} aria-current={section === 'inbox' ? 'page' : undefined} data-testid="nav-inbox">
            Inbox
            {newCount > 0 ? (
              <span class="pc-count" data-testid="new-chat-count" aria-label={`${newCount} new`}>
                {newCount}
              </span>
            ) : null}
          </a>
          {isAdmin
            ? ADMIN_PAGES.map((p) => (
                <a key={p.id} href={href('admin', p.id)} aria-current={section === 'admin' && page === p.id ? 'page' : undefined} data-testid={`nav-${p.id}`}>
                  {p.label}
                </a>
              ))
            : null}
        </nav>
        <div class="pc-me">
          <span class={`pc-conn pc-conn-${connection}`} data-testid="connection" title={`Connection: ${connection}`}>
            {connection === 'open' ? 'Live' : connection === 'connecting' ? 'Connecting…' : connection === 'offline' ? 'Offline — reconnecting' : 'Closed'}
          </span>
          <button type="button" class="pc-btn pc-btn-quiet" aria-pressed={!muted} onClick={() => setMutedState((m) => (setMuted(!m), !m))} title="Sound for new chats" data-testid="sound-toggle">
            <BellIcon off={muted} /> {muted ? 'Sound off' : 'Sound on'}
          </button>
          <label class="pc-status">
            <span class={`pc-dot pc-dot-${me.status}`} aria-hidden="true" />
            <span class="pc-sr">Status</span>
            <select value={me.status === 'offline' ? 'away' : me.status} onChange={(e) => void changeStatus(e.currentTarget.value as AgentStatus)} data-testid="agent-status">
              <option value="available">Available</option>
              <option value="away">Away</option>
            </select>
          </label>
          <span class="pc-name" data-testid="me-name" title={me.email}>
            {me.name}
          </span>
          <button type="button" class="pc-btn pc-btn-quiet" onClick={logout} data-testid="logout">
            Log out
          </button>
        </div>
      </header>
      {statusError ? (
        <p class="pc-error pc-banner" role="alert">
          {statusError}
        </p>
      ) : null}
      <main id="pc-main" class="pc-main" ref={main} tabIndex={-1} data-testid="console-main">{section === 'admin' && isAdmin ? <AdminPage page={page ?? 'agents'} id={id} /> : <InboxPage inbox={inbox} selected={section === 'inbox' ? page : undefined} />}</main>
    </div>
  );
}
