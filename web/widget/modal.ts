import type { RefObject } from 'preact';
import { useEffect } from 'preact/hooks';

// On a phone the open panel covers the whole page, so it behaves as a modal dialog: the page behind is
// made inert (no focus, nothing for a screen reader to read), Tab and Shift+Tab cycle inside the panel,
// and Escape closes it from anywhere. On a desktop the panel sits beside the page and stays non-modal.

/** Where widget.css draws the open panel over the whole screen; keep the two in step. */
export const PHONE_QUERY = '(max-width: 480px)';

const FOCUSABLE = 'a[href], button, input, select, textarea, [tabindex]';

/** The panel's tabbable elements in order: enabled, shown and not taken out of the tab order. */
function tabbables(box: HTMLElement): HTMLElement[] {
  return [...box.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.tabIndex >= 0 && !(el as HTMLButtonElement).disabled && el.getClientRects().length > 0);
}

/** The focused element, inside the widget's shadow root as well. */
function activeIn(box: HTMLElement): Element | null {
  return (box.getRootNode() as Document | ShadowRoot).activeElement;
}

/**
 * Sets `inert` on everything in the page except the branch that holds `keep` (the widget's host), and
 * returns how to undo it. Elements the page had made inert itself are left as they were.
 */
export function makePageInert(keep: Element): () => void {
  const made: Element[] = [];
  for (let node: Element = keep; node.parentElement && node !== document.body; node = node.parentElement) {
    for (const sibling of node.parentElement.children) {
      if (sibling === node || sibling.hasAttribute('inert')) continue;
      sibling.setAttribute('inert', '');
      made.push(sibling);
    }
  }
  return () => made.forEach((el) => el.removeAttribute('inert'));
}

/** While `active`, the panel in `box` is modal; `onClose` is called on Escape. */
export function useModal(box: RefObject<HTMLElement | null>, active: boolean, onClose: () => void): void {
  useEffect(() => {
    const panel = box.current;
    if (!active || !panel) return;
    const root = panel.getRootNode();
    const undoInert = makePageInert(root instanceof ShadowRoot ? root.host : panel);
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') return onClose();
      if (e.key !== 'Tab') return;
      const items = tabbables(panel);
      const [first, last] = [items[0], items[items.length - 1]];
      if (!first || !last) return e.preventDefault();
      const current = activeIn(panel);
      const inside = current !== null && panel.contains(current);
      if (e.shiftKey && (current === first || !inside)) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (current === last || !inside)) {
        e.preventDefault();
        first.focus();
      }
    };
    // On the document, so keys still count when focus fell out of the panel (a clicked button went away).
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      undoInert();
    };
  }, [active]);
}
