import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { audit, exposedNames, focused, tabTo } from './a11y-kit.js';
import { chromiumAvailable } from './chromium.js';
import { browserScene } from './scene.js';

// A customer with only a keyboard, on the demo shop: Tab to the launcher, open the chat, write, read the
// answer, close it again — and on a phone, where the open widget covers the page, the panel is a modal
// dialog: Tab cycles inside it, the page behind is inert (not read by screen readers), Escape closes it and
// focus goes back to the launcher.

const PAGE_HEADING = 'Autumn in Lisbon, from €249';

/** Focus is in the widget's panel (inside its shadow root). */
function focusInPanel(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const host = document.querySelector('parley-widget');
    const inner = host?.shadowRoot?.activeElement;
    const panel = host?.shadowRoot?.getElementById('parley-panel');
    return document.activeElement === host && Boolean(inner && panel?.contains(inner));
  });
}

describe.skipIf(!chromiumAvailable())('the chat widget by keyboard', () => {
  const s = browserScene({ agent: 'Anna Berg' });

  it('on a desktop: Tab to the launcher, open, write and send, read the answer, Escape back to the launcher', async () => {
    const ctx = await s.newContext(audit());
    try {
      const page = await ctx.newPage();
      await page.goto(`${s.ts.url}/demo/`);
      await page.getByTestId('parley-launcher').waitFor();
      await tabTo(page, 'parley-launcher');
      await page.keyboard.press('Enter');
      await expect.poll(() => focused(page)).toBe('parley-input');
      // Beside the page, not over it: the panel is not modal and the page stays readable.
      expect(await page.getByTestId('parley-panel').getAttribute('aria-modal')).toBe('false');
      expect(await exposedNames(page, 'heading')).toContain(PAGE_HEADING);

      await page.keyboard.type('Hello, I can only use a keyboard');
      await page.keyboard.press('Enter');
      const conv = await s.agent.conversationWith('Hello, I can only use a keyboard');
      expect(await focused(page)).toBe('parley-input');
      await s.agent.say(conv, { text: 'Hi! Take your time.' });
      await page.getByTestId('parley-message').filter({ hasText: 'Take your time' }).waitFor();
      expect(await focused(page)).toBe('parley-input');

      await page.keyboard.press('Escape');
      await page.getByTestId('parley-panel').waitFor({ state: 'detached' });
      await expect.poll(() => focused(page)).toBe('parley-launcher');
    } finally {
      await ctx.close();
    }
  });

  it('on a phone the open panel is a modal dialog: focus stays inside, the page is inert, Escape returns to the launcher', async () => {
    const ctx = await s.newContext(audit({ phone: true }));
    try {
      const page = await ctx.newPage();
      await page.goto(`${s.ts.url}/demo/`);
      await page.getByTestId('parley-launcher').waitFor();
      expect(await exposedNames(page, 'heading')).toContain(PAGE_HEADING);
      await tabTo(page, 'parley-launcher');
      await page.keyboard.press('Enter');
      await expect.poll(() => focused(page)).toBe('parley-input');
      expect(await page.getByTestId('parley-panel').getAttribute('aria-modal')).toBe('true');

      // A screen reader gets the chat and nothing of the page it covers.
      const headings = await exposedNames(page, 'heading');
      expect(headings).toContain('Northwind Travel');
      expect(headings).not.toContain(PAGE_HEADING);
      expect(await exposedNames(page, 'link')).toEqual([]);

      await page.keyboard.type('Writing from my phone');
      await page.keyboard.press('Enter');
      await s.agent.conversationWith('Writing from my phone');
      await page.getByTestId('parley-end').waitFor();

      // Round and round, both ways: every stop is in the panel, and the cycle reaches both ends of it.
      const forward: string[] = [];
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press('Tab');
        expect(await focusInPanel(page), `Tab #${i + 1} left the panel for ${await focused(page)}`).toBe(true);
        forward.push(await focused(page));
      }
      expect(forward).toEqual(expect.arrayContaining(['parley-end', 'parley-close', 'parley-log', 'parley-input']));
      for (let i = 0; i < 12; i++) {
        await page.keyboard.press('Shift+Tab');
        expect(await focusInPanel(page), `Shift+Tab #${i + 1} left the panel for ${await focused(page)}`).toBe(true);
      }

      // Ending the chat removes the focused button; the next Tab still lands in the panel, not the page.
      await tabTo(page, 'parley-end', { max: 12 });
      await page.keyboard.press('Enter');
      await page.getByTestId('parley-new-chat').waitFor();
      await page.keyboard.press('Tab');
      expect(await focusInPanel(page), `Tab after ending went to ${await focused(page)}`).toBe(true);

      await page.keyboard.press('Escape');
      await page.getByTestId('parley-panel').waitFor({ state: 'detached' });
      await expect.poll(() => focused(page)).toBe('parley-launcher');
      // The page is back, exactly as it was.
      expect(await page.locator('[inert]').count()).toBe(0);
      expect(await exposedNames(page, 'heading')).toContain(PAGE_HEADING);
    } finally {
      await ctx.close();
    }
  });
});
