// Where the console keeps the agent's login token. sessionStorage by default, so closing the tab logs out
// (a shared desk computer is common in contact centres); localStorage when the agent ticks "keep me signed
// in". The SDK's own cache (cursors, history, outbox) goes in the same place for the same reason.

const TOKEN_KEY = 'parley-console:token';
export const SDK_STORAGE_KEY = 'parley-console';

function store(kind: 'local' | 'session'): Storage | undefined {
  try {
    return kind === 'local' ? window.localStorage : window.sessionStorage;
  } catch {
    // Storage can be disabled (private modes, sandboxed frames): the console then works until a reload.
    return undefined;
  }
}

export interface SavedSession {
  token: string;
  remember: boolean;
}

export function loadSession(): SavedSession | undefined {
  const session = store('session')?.getItem(TOKEN_KEY);
  if (session) return { token: session, remember: false };
  const local = store('local')?.getItem(TOKEN_KEY);
  return local ? { token: local, remember: true } : undefined;
}

export function saveSession(s: SavedSession): void {
  clearSession();
  try {
    store(s.remember ? 'local' : 'session')?.setItem(TOKEN_KEY, s.token);
  } catch {
    /* full or disabled storage: the token lives in memory only */
  }
}

export function clearSession(): void {
  for (const kind of ['local', 'session'] as const) {
    const s = store(kind);
    if (!s) continue;
    s.removeItem(TOKEN_KEY);
    // The SDK's cached history belongs to this login: drop it so the next agent on this browser starts clean.
    for (let i = s.length - 1; i >= 0; i--) {
      const k = s.key(i);
      if (k?.startsWith(`${SDK_STORAGE_KEY}:`)) s.removeItem(k);
    }
  }
}

/** The storage the SDK should use for this login. */
export function sdkStorage(remember: boolean): Storage | undefined {
  return store(remember ? 'local' : 'session');
}
