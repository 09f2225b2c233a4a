// The bottom tab bar (Chat, Offers), as in the seed app. Each tab shows a badge: unread agent messages on
// Chat, offers not yet dismissed on Offers. Arrow keys move between tabs (the ARIA tabs pattern).

export type Tab = 'chat' | 'offers';

const TABS: { id: Tab; label: string; icon: string }[] = [
  { id: 'chat', label: 'Chat', icon: 'M4 5.5A2.5 2.5 0 016.5 3h11A2.5 2.5 0 0120 5.5v8a2.5 2.5 0 01-2.5 2.5H10l-4.2 3.6c-.5.4-1.3.1-1.3-.6V16A2.5 2.5 0 014 13.5z' },
  { id: 'offers', label: 'Offers', icon: 'M3 12V5a2 2 0 012-2h7l9 9-9 9-9-9zm5-4.5a1.5 1.5 0 100 3 1.5 1.5 0 000-3z' },
];

export function TabBar({ tab, onChange, badges }: { tab: Tab; onChange: (t: Tab) => void; badges: Record<Tab, number> }) {
  const move = (e: KeyboardEvent) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    const i = TABS.findIndex((t) => t.id === tab);
    const next = TABS[(i + (e.key === 'ArrowRight' ? 1 : TABS.length - 1)) % TABS.length];
    if (!next) return;
    onChange(next.id);
    (e.currentTarget as HTMLElement).querySelector<HTMLElement>(`#pa-tab-${next.id}`)?.focus();
  };
  return (
    <nav class="pa-tabs" role="tablist" aria-label="Sections" onKeyDown={move}>
      {TABS.map((t) => {
        const n = badges[t.id];
        return (
          <button
            type="button"
            role="tab"
            id={`pa-tab-${t.id}`}
            class="pa-tab"
            data-testid={`parley-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`pa-panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => onChange(t.id)}
          >
            <span class="pa-tab-icon">
              <svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true">
                <path d={t.icon} fill="currentColor" fill-rule="evenodd" />
              </svg>
              {n > 0 ? (
                <span class="pa-badge" data-testid={`parley-${t.id}-badge`}>
                  {n > 99 ? '99+' : n}
                  <span class="pw-sr"> {t.id === 'chat' ? 'unread' : 'new'}</span>
                </span>
              ) : null}
            </span>
            <span>{t.label}</span>
          </button>
        );
      })}
    </nav>
  );
}
