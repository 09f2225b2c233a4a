import type { Ref } from 'preact';

// The round button in the corner: opens and closes the panel, shows how many agent messages are unread.

export interface LauncherProps {
  open: boolean;
  unread: number;
  title: string;
  onToggle: () => void;
  buttonRef: Ref<HTMLButtonElement>;
}

export function Launcher({ open, unread, title, onToggle, buttonRef }: LauncherProps) {
  const label = open ? 'Close chat' : unread > 0 ? `${title}: ${unread} unread ${unread === 1 ? 'message' : 'messages'}` : `Open chat: ${title}`;
  return (
    <button ref={buttonRef} type="button" class="pw-launcher" data-testid="parley-launcher" aria-label={label} aria-expanded={open} aria-controls="parley-panel" onClick={onToggle}>
      {open ? (
        <svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true">
          <path d="M6 6l12 12M18 6L6 18" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" />
        </svg>
      ) : (
        <svg width="28" height="28" viewBox="0 0 24 24" aria-hidden="true">
          <path d="M4 5.5A2.5 2.5 0 016.5 3h11A2.5 2.5 0 0120 5.5v8a2.5 2.5 0 01-2.5 2.5H10l-4.2 3.6c-.5.4-1.3.1-1.3-.6V16A2.5 2.5 0 014 13.5z" fill="currentColor" />
        </svg>
      )}
      {unread > 0 && !open ? (
        <span class="pw-badge" data-testid="parley-unread" aria-hidden="true">
          {unread > 99 ? '99+' : unread}
        </span>
      ) : null}
    </button>
  );
}
