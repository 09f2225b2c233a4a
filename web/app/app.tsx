import { useEffect, useRef, useState } from 'preact/hooks';
import { ChatHeader } from '../customer/chat-header.js';
import { ChatPanel } from '../customer/chat-panel.js';
import { ConnectError } from '../customer/connect-error.js';
import { useCustomerClient } from '../customer/use-client.js';
import { useConversation } from '../customer/use-conversation.js';
import { usePageVisible } from '../customer/use-page-visible.js';
import { OffersTab } from './offers-tab.js';
import { ProfileSheet } from './profile-sheet.js';
import type { AppSettings } from './settings.js';
import { TabBar, type Tab } from './tab-bar.js';
import { useOffers } from './use-offers.js';

// The customer app (/app/): the Genesys Ionic blueprint's Chat and Offers tabs, on Parley's own API. It is a
// PWA (installable, shell cached by the service worker); the SDK keeps the session and history in
// localStorage, so reopening it shows the conversation where it was.

const TITLE = 'Support';

export function App({ settings }: { settings: AppSettings }) {
  const session = useCustomerClient({ baseUrl: location.origin, identityToken: settings.identityToken, storageKey: 'parley-app' });
  const [tab, setTab] = useState<Tab>('chat');
  const [profileOpen, setProfileOpen] = useState(false);
  const pageVisible = usePageVisible();
  const chat = useConversation(session.client, { queue: settings.queue, entryPoint: settings.entryPoint, visible: tab === 'chat' && pageVisible });
  const offers = useOffers(session.client);
  const input = useRef<HTMLTextAreaElement>(null);
  const profileButton = useRef<HTMLButtonElement>(null);

  useEffect(() => session.connect(), []);
  useEffect(() => {
    if (tab === 'chat' && session.state === 'ready') input.current?.focus();
  }, [tab, session.state]);

  const waiting = Boolean(chat.conversation && (chat.conversation.phase === 'queued' || chat.conversation.phase === 'transferring'));
  const closeProfile = () => {
    setProfileOpen(false);
    profileButton.current?.focus();
  };

  const profileBtn = (
    <button ref={profileButton} type="button" class="pw-header-btn pw-close" data-testid="parley-profile-button" aria-label="Your profile" onClick={() => setProfileOpen(true)}>
      <svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true">
        <circle cx="12" cy="8" r="4" fill="none" stroke="currentColor" stroke-width="2" />
        <path d="M4 21c1.2-4 4.3-6 8-6s6.8 2 8 6" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" />
      </svg>
    </button>
  );

  return (
    <div class="pw-root pa-app">
      {tab === 'chat' ? (
        <ChatHeader title={TITLE} agent={chat.agent} waiting={waiting} ended={chat.ended} connection={session.state === 'ready' ? session.connection : 'open'}>
          {chat.conversation && !chat.ended ? (
            <button type="button" class="pw-header-btn" data-testid="parley-end" onClick={() => void chat.end()}>
              End chat
            </button>
          ) : null}
          {profileBtn}
        </ChatHeader>
      ) : (
        <header class="pw-header">
          <div class="pw-header-text">
            <h2 class="pw-title">Offers</h2>
            <p class="pw-subtitle">{offers.offers.length ? `${offers.offers.length} for you` : 'Nothing new'}</p>
          </div>
          <div class="pw-header-actions">{profileBtn}</div>
        </header>
      )}
      <main class="pa-main">
        {session.state === 'error' ? (
          <ConnectError message={session.error} onRetry={session.connect} />
        ) : (
          <>
            <section id="pa-panel-chat" class="pa-panel" role="tabpanel" aria-labelledby="pa-tab-chat" hidden={tab !== 'chat'} data-testid="parley-panel">
              <ChatPanel client={session.client} chat={chat} connection={session.connection} inputRef={input} location capture="environment" greeting="Ask us anything — send a message, a photo or your location." />
            </section>
            <section id="pa-panel-offers" class="pa-panel" role="tabpanel" aria-labelledby="pa-tab-offers" hidden={tab !== 'offers'}>
              <OffersTab state={offers} />
            </section>
          </>
        )}
      </main>
      <TabBar tab={tab} onChange={setTab} badges={{ chat: tab === 'chat' ? 0 : chat.unread, offers: offers.offers.length }} />
      {profileOpen ? <ProfileSheet client={session.client} contact={session.contact} onSaved={session.setContact} onClose={closeProfile} /> : null}
    </div>
  );
}
