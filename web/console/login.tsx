import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText } from './errors.js';
import { ErrorNote } from './ui.js';

// E-mail and password. "Keep me signed in" decides whether the token survives closing the tab.

export function Login({ note, onLogin }: { note?: string | undefined; onLogin: (email: string, password: string, remember: boolean) => Promise<void> }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [remember, setRemember] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // The form is the whole page (on arrival and after logging out): the keyboard starts in it.
  const emailInput = useRef<HTMLInputElement>(null);
  useEffect(() => emailInput.current?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await onLogin(email.trim(), password, remember);
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  return (
    <main class="pc-login">
      <form class="pc-login-card" onSubmit={submit} data-testid="console-login">
        <div class="pc-brand">
          <span class="pc-logo" aria-hidden="true" />
          <span>Parley console</span>
        </div>
        {note ? <p class="pc-note">{note}</p> : null}
        <label class="pc-field">
          <span class="pc-label">E-mail</span>
          <input ref={emailInput} type="email" name="email" autocomplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} data-testid="login-email" />
        </label>
        <label class="pc-field">
          <span class="pc-label">Password</span>
          <input type="password" name="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} data-testid="login-password" />
        </label>
        <label class="pc-check">
          <input type="checkbox" checked={remember} onChange={(e) => setRemember(e.currentTarget.checked)} />
          Keep me signed in on this computer
        </label>
        <ErrorNote error={error} testid="login-error" />
        <button class="pc-btn pc-btn-primary" type="submit" disabled={busy} data-testid="login-submit">
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </main>
  );
}
