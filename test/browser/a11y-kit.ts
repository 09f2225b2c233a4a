import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { MakeContext } from './scene.js';

// Shared by the accessibility and keyboard suites: axe-core run inside the page against WCAG 2.1 A and AA
// (it walks open shadow roots, so the widget is checked too), a contrast measure for the short texts axe
// skips, where keyboard focus is (through shadow roots), Tab until an element is reached, and what
// Chromium's accessibility tree gives a screen reader.

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Makes browser contexts for audits (a scene's `context`, or `newContext`'s). bypassCSP lets axe's inline
 * script run even if a page ships a strict Content-Security-Policy: the audit is about the page, not about
 * our way of loading the checker.
 */
export function audit(opts: { phone?: boolean } = {}): MakeContext {
  return (chrome) =>
    chrome.browser.newContext({
      bypassCSP: true,
      ...(opts.phone ? { viewport: { width: 390, height: 780 }, isMobile: true, hasTouch: true } : { viewport: { width: 1280, height: 800 } }),
    });
}

interface Finding {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown; summary: string }[];
}

/** What an audit leaves out: CSS selectors of elements (and everything inside them, shadow roots too). */
export interface AuditScope {
  exclude?: string[];
}

/** Every WCAG 2.1 A/AA violation axe finds on the page as it is now (outside `scope.exclude`). */
export async function axeFindings(page: Page, scope: AuditScope = {}): Promise<Finding[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async ({ tags, exclude }) => {
    const axe = (window as unknown as { axe: { run(ctx: Document | object, opts: object): Promise<{ violations: any[] }> } }).axe;
    const context = exclude.length ? { exclude: exclude.map((sel) => [sel]) } : document;
    const r = await axe.run(context, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id as string,
      impact: (v.impact ?? null) as string | null,
      help: v.help as string,
      nodes: (v.nodes as any[]).map((n) => ({ target: n.target, summary: String(n.failureSummary ?? '').replace(/\s+/g, ' ') })),
    }));
  }, { tags: WCAG_21_AA, exclude: scope.exclude ?? [] });
}

/** Fails with one line per offending node: rule id, impact, the node (through shadow roots) and why. */
export async function expectNoViolations(page: Page, where: string, scope: AuditScope = {}): Promise<void> {
  const lines = (await axeFindings(page, scope)).flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}) ${JSON.stringify(n.target)}: ${v.help}. ${n.summary}`));
  expect(lines, `axe found WCAG 2.1 A/AA violations on ${where}`).toEqual([]);
}

/**
 * The contrast of every element matching `selector` (in the page and in open shadow roots) with the first
 * solid background behind it. axe skips text of one character ("too short to determine"), so a badge
 * showing "1" or a one-letter avatar is checked here instead. Solid colours only, which is what badges use.
 */
export async function contrastOf(page: Page, selector: string): Promise<{ text: string; ratio: number; fg: string; bg: string }[]> {
  return page.evaluate((sel) => {
    const parse = (c: string) => {
      const n = (c.match(/[\d.]+/g) ?? []).map(Number);
      return { rgb: [n[0] ?? 0, n[1] ?? 0, n[2] ?? 0], alpha: n[3] ?? 1 };
    };
    const luminance = (rgb: number[]) => {
      const [r = 0, g = 0, b = 0] = rgb.map((c) => (c / 255 <= 0.03928 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const found: Element[] = [];
    const roots: (Document | ShadowRoot)[] = [document];
    for (let i = 0; i < roots.length; i++) {
      for (const el of roots[i]!.querySelectorAll('*')) {
        if (el.shadowRoot) roots.push(el.shadowRoot);
        if (el.matches(sel) && el.getClientRects().length > 0) found.push(el);
      }
    }
    return found.map((el) => {
      const fg = getComputedStyle(el).color;
      let bg = 'rgb(255, 255, 255)';
      for (let at: Element | null = el; at; at = at.parentElement ?? ((at.getRootNode() as ShadowRoot).host ?? null)) {
        const b = getComputedStyle(at).backgroundColor;
        if (parse(b).alpha === 1) {
          bg = b;
          break;
        }
      }
      const [hi, lo] = [luminance(parse(fg).rgb), luminance(parse(bg).rgb)].sort((x, y) => y - x) as [number, number];
      return { text: el.textContent ?? '', ratio: Math.round(((hi + 0.05) / (lo + 0.05)) * 100) / 100, fg, bg };
    });
  }, selector);
}

/** Every element matching `selector` is on screen and its text reaches 4.5:1 (WCAG 2.1 AA, small text). */
export async function expectSmallTextReadable(page: Page, selector: string): Promise<void> {
  const all = await contrastOf(page, selector);
  expect(all.length, `nothing on screen matches ${selector}`).toBeGreaterThan(0);
  expect(all.filter((c) => c.ratio < 4.5)).toEqual([]);
}

/**
 * Where keyboard focus is: the focused element's data-testid (or tag name), looking into open shadow
 * roots, so focus inside the widget is named as precisely as focus in the page.
 */
export function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el: Element | null = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return 'none';
    return el.getAttribute('data-testid') || (el.id ? `#${el.id}` : el.tagName.toLowerCase());
  });
}

/**
 * Presses Tab (Shift+Tab with `back`) until focus is on the element with this data-testid (as `focused`
 * names it), and fails with the path taken if it is not reached in `max` presses: the element can be
 * reached by keyboard alone.
 */
export async function tabTo(page: Page, testid: string, opts: { back?: boolean; max?: number } = {}): Promise<string[]> {
  const path: string[] = [];
  for (let i = 0; i < (opts.max ?? 30); i++) {
    await page.keyboard.press(opts.back ? 'Shift+Tab' : 'Tab');
    path.push(await focused(page));
    if (path[path.length - 1] === testid) return path;
  }
  expect(path, `Tab never reached ${testid}`).toContain(testid);
  return path;
}

/**
 * The names of the nodes with this role that a screen reader is given: Chromium's own accessibility tree
 * (over CDP), in which `inert` and `aria-hidden` content is ignored.
 */
export async function exposedNames(page: Page, role: string): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    return nodes.filter((n) => !n.ignored && n.role?.value === role).map((n) => String(n.name?.value ?? ''));
  } finally {
    await cdp.detach();
  }
}
