import { useEffect, useState } from 'preact/hooks';
import { AgentClient, type Agent } from '../../sdk/src/index.js';
import { Console } from './context.js';
import { errorText, isAuthError } from './errors.js';
import { Login } from './login.js';
import { clearSession, loadSession, saveSession, sdkStorage, SDK_STORAGE_KEY } from './session.js';
import { Shell } from './shell.js';

// The console's top level: restore a saved login (or show the login form), then the shell. A token the hub
// stops accepting (expired, agent deleted) sends the agent back to the login form with a reason.

/** `fromLogin`: the login form had focus and is gone, so the shell takes focus (not on a restored session). */
type State = { kind: 'booting' } | { kind: 'login'; note?: string } | { kind: 'ready'; client: AgentClient; me: Agent; fromLogin?: boolean };

const options = (remember: boolean) => {
  const storage = sdkStorage(remember);
  return { baseUrl: '', storageKey: SDK_STORAGE_KEY, ...(storage ? { storage } : {}) };
};

export function App() {
  const [state, setState] = useState<State>({ kind: 'booting' });

  useEffect(() => {
    const saved = loadSession();
    if (!saved) return setState({ kind: 'login' });
    AgentClient.connect({ ...options(saved.remember), token: saved.token })
      .then((client) => setState({ kind: 'ready', client, me: client.agent }))
      .catch((e: unknown) => {
        // Only a refused token is forgotten: when the hub is merely unreachable, a reload tries it again.
        if (isAuthError(e)) clearSession();
        setState({ kind: 'login', note: isAuthError(e) ? 'Your session has ended. Please log in again.' : errorText(e) });
      });
  }, []);

  const client = state.kind === 'ready' ? state.client : undefined;
  useEffect(() => {
    if (!client) return;
    return client.on('error', (e) => {
      if (!isAuthError(e)) return;
      client.close();
      clearSession();
      setState({ kind: 'login', note: 'Your session has ended. Please log in again.' });
    });
  }, [client]);

  if (state.kind === 'booting') return <p class="pc-boot">Loading…</p>;
  if (state.kind === 'login') {
    return (
      <Login
        note={state.note}
        onLogin={async (email, password, remember) => {
          const c = await AgentClient.login({ ...options(remember), email, password });
          saveSession({ token: c.token, remember });
          setState({ kind: 'ready', client: c, me: c.agent, fromLogin: true });
        }}
      />
    );
  }
  const logout = () => {
    // The SDK forgets its stored token, history and outbox; the console forgets its own copy of the token.
    state.client.logout();
    clearSession();
    setState({ kind: 'login' });
  };
  return (
    <Console.Provider value={{ client: state.client, me: state.me, setMe: (me) => setState({ ...state, me }), logout }}>
      <Shell focusMain={state.fromLogin === true} />
    </Console.Provider>
  );
}
