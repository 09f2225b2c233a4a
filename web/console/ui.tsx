import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

// Small building blocks the console's screens share: a page frame, a labelled field, an error line,
// badges and a modal dialog. Plain elements with classes from console.css, nothing clever.

export function Page({ title, actions, children }: { title: string; actions?: ComponentChildren; children: ComponentChildren }) {
  return (
    <section class="pc-page" aria-labelledby="pc-page-title">
      <header class="pc-page-head">
        <h1 id="pc-page-title">{title}</h1>
        {actions ? <div class="pc-page-actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}

export function Card({ title, children, testid }: { title?: string; children: ComponentChildren; testid?: string }) {
  return (
    <section class="pc-card" data-testid={testid}>
      {title ? <h2 class="pc-card-title">{title}</h2> : null}
      {children}
    </section>
  );
}

/** An admin list: one header row from `headers` (an empty string for an actions column), then the rows. */
export function Table({ headers, testid, children }: { headers: string[]; testid: string; children: ComponentChildren }) {
  return (
    <table class="pc-table" data-testid={testid}>
      <thead>
        <tr>
          {headers.map((h, i) => (h ? <th key={i}>{h}</th> : <th key={i} />))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

export function Field({ label, hint, children }: { label: string; hint?: string; children: ComponentChildren }) {
  return (
    <label class="pc-field">
      <span class="pc-label">{label}</span>
      {children}
      {hint ? <span class="pc-hint">{hint}</span> : null}
    </label>
  );
}

export function ErrorNote({ error, testid = 'console-error' }: { error: string | null | undefined; testid?: string }) {
  if (!error) return null;
  return (
    <p class="pc-error" role="alert" data-testid={testid}>
      {error}
    </p>
  );
}

export function Badge({ tone = 'neutral', children, testid }: { tone?: 'neutral' | 'good' | 'warn' | 'bad' | 'info'; children: ComponentChildren; testid?: string }) {
  return (
    <span class={`pc-badge pc-badge-${tone}`} data-testid={testid}>
      {children}
    </span>
  );
}

/** A modal built on <dialog>: focus is trapped and Escape closes it, by the browser. */
export function Dialog({ title, open, onClose, children, testid }: { title: string; open: boolean; onClose: () => void; children: ComponentChildren; testid?: string }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} class="pc-dialog" aria-label={title} data-testid={testid} onClose={onClose}>
      <header class="pc-dialog-head">
        <h2>{title}</h2>
        <button type="button" class="pc-icon" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      {open ? children : null}
    </dialog>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="pc-empty">{children}</p>;
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '—' : d.toLocaleString(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}
