import { useEffect, useRef, useState } from 'preact/hooks';
import type { Contact, CustomerClient } from '../../sdk/src/index.js';
import { friendlyError } from '../customer/errors.js';

// The customer's name and e-mail, which the agent sees. A verified customer's profile comes from the
// business's identity token and is shown read-only (the hub refuses changes to it anyway).

export interface ProfileSheetProps {
  client: CustomerClient | null;
  contact: Contact | null;
  onSaved: (c: Contact) => void;
  onClose: () => void;
}

export function ProfileSheet({ client, contact, onSaved, onClose }: ProfileSheetProps) {
  const [name, setName] = useState(contact?.name ?? '');
  const [email, setEmail] = useState(contact?.email ?? '');
  const [state, setState] = useState<{ busy: boolean; error: string | null; saved: boolean }>({ busy: false, error: null, saved: false });
  const first = useRef<HTMLInputElement>(null);
  const verified = Boolean(contact?.verified);

  const sheet = useRef<HTMLDivElement>(null);
  useEffect(() => first.current?.focus(), []);

  // A modal sheet: Escape closes it wherever focus is (a just-clicked, now disabled button drops focus to
  // the body), and Tab cycles inside it instead of wandering to the page behind.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') return onClose();
      if (e.key !== 'Tab' || !sheet.current) return;
      const focusable = [...sheet.current.querySelectorAll<HTMLElement>('input, button:not([disabled])')];
      const [firstEl, lastEl] = [focusable[0], focusable[focusable.length - 1]];
      if (!firstEl || !lastEl) return;
      const active = document.activeElement;
      if (e.shiftKey && (active === firstEl || !sheet.current.contains(active))) {
        e.preventDefault();
        lastEl.focus();
      } else if (!e.shiftKey && (active === lastEl || !sheet.current.contains(active))) {
        e.preventDefault();
        firstEl.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);

  const save = async (e: Event) => {
    e.preventDefault();
    if (!client || verified) return;
    setState({ busy: true, error: null, saved: false });
    try {
      const patch: { name?: string; email?: string } = {};
      if (name.trim()) patch.name = name.trim();
      if (email.trim()) patch.email = email.trim();
      onSaved(await client.updateProfile(patch));
      setState({ busy: false, error: null, saved: true });
    } catch (err) {
      setState({ busy: false, error: friendlyError(err), saved: false });
    }
  };

  return (
    <div class="pa-sheet-backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div ref={sheet} class="pa-sheet" role="dialog" aria-modal="true" aria-labelledby="pa-profile-title" data-testid="parley-profile">
      <form class="pa-form" onSubmit={save}>
        <h2 id="pa-profile-title">Your profile</h2>
        <p class="pa-hint">{verified ? 'Your name and e-mail come from your account and cannot be changed here.' : 'So our team knows who they are talking to.'}</p>
        <label for="pa-name">Name</label>
        <input ref={first} id="pa-name" data-testid="parley-profile-name" autocomplete="name" value={name} readOnly={verified} maxLength={200} onInput={(e) => setName(e.currentTarget.value)} />
        <label for="pa-email">E-mail</label>
        <input id="pa-email" data-testid="parley-profile-email" type="email" autocomplete="email" value={email} readOnly={verified} maxLength={320} onInput={(e) => setEmail(e.currentTarget.value)} />
        {state.error ? (
          <p class="pw-error" role="alert">
            {state.error}
          </p>
        ) : null}
        {state.saved ? (
          <p class="pa-saved" role="status">
            Saved.
          </p>
        ) : null}
        <div class="pa-sheet-actions">
          <button type="button" class="pa-secondary" onClick={onClose}>
            {verified ? 'Close' : 'Cancel'}
          </button>
          {verified ? null : (
            <button type="submit" class="pw-primary" data-testid="parley-profile-save" disabled={state.busy}>
              Save
            </button>
          )}
        </div>
      </form>
      </div>
    </div>
  );
}
