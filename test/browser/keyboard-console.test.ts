import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastAgent } from '../helpers/flows.js';
import { agent, startServer, type TestServer } from '../helpers/server.js';
import { auditContext, focused, tabTo } from './a11y-kit.js';
import { chromiumAvailable, launchChromium, type Chromium } from './chromium.js';
import { answerConfirms, customer, type Customer } from './console-kit.js';

// An agent with only a keyboard: logs in, skips the header, opens the waiting chat, accepts it, replies and
// ends it. After each step that removes what had focus (the login form, the Accept and End buttons), focus
// lands where the agent works next, never on <body>.

describe.skipIf(!chromiumAvailable())('the agent console by keyboard', () => {
  let ts: TestServer;
  let chrome: Chromium;
  let ctx: BrowserContext;
  let page: Page;
  let alice: { email: string };
  let jane: Customer;

  beforeAll(async () => {
    ts = await startServer();
    chrome = await launchChromium();
    const root = await fastAgent(ts, { role: 'admin', name: 'Root' });
    // Manual: the chat waits until Alice accepts it.
    const q = await ts.api.post('/v1/admin/queues', { name: 'support', assignment: 'manual' }, root.token);
    alice = await agent(ts, { name: 'Alice Moreau', queues: [q.body.queue.id] });
    jane = await customer(ts, { first: 'Hi, my order A-1001 never arrived', queue: 'support', name: 'Jane Doe' });
    ctx = await auditContext(chrome.browser);
    ctx.setDefaultTimeout(8000);
    page = await ctx.newPage();
    answerConfirms(page);
  });
  afterAll(async () => {
    await jane?.close();
    await chrome?.close();
    await ts?.stop();
  });

  it('logs in from the keyboard: the form starts in the e-mail box, and afterwards focus is in the main area', async () => {
    await page.goto(`${ts.url}/console/`);
    await expect.poll(() => focused(page)).toBe('login-email');
    await page.keyboard.type(alice.email);
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('login-password');
    await page.keyboard.type('password123');
    await page.keyboard.press('Enter');
    await page.getByTestId('me-name').waitFor();
    await expect.poll(() => focused(page)).toBe('console-main');
    // From there the next stop is the first chat, not the header's controls.
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('conversation-row');
  });

  it('a skip link, first in the tab order and visible when focused, jumps past the header', async () => {
    // Arriving with a saved session (a reload): the keyboard starts at the top of the page.
    await page.reload();
    await page.getByTestId('me-name').waitFor();
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('skip-link');
    const box = await page.getByTestId('skip-link').boundingBox();
    expect(box && box.y >= 0 && box.height > 0).toBe(true);
    await page.keyboard.press('Enter');
    expect(await focused(page)).toBe('console-main');
    // The console's routes live in the URL's hash: the skip link must not have changed it.
    expect(new URL(page.url()).hash).toBe('');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('conversation-row');
  });

  it('opens the waiting chat, accepts it (focus moves to the reply box), replies and ends it (focus on the title)', async () => {
    await tabTo(page, 'conversation-row');
    await page.keyboard.press('Enter');
    await page.getByTestId('conversation-view').waitFor();
    expect(await page.getByTestId('thread-title').textContent()).toBe('Jane Doe');

    await tabTo(page, 'accept');
    await page.keyboard.press('Enter');
    await page.getByTestId('thread-phase').filter({ hasText: 'Active' }).waitFor();
    await expect.poll(() => focused(page)).toBe('reply-input');

    await page.keyboard.type('Sorry about that! Sending a new one today.');
    await page.keyboard.press('Enter');
    await jane.fromAgent((e) => e.parts[0]?.text === 'Sorry about that! Sending a new one today.');
    expect(await focused(page)).toBe('reply-input');

    // Back up from the reply box to the header's actions.
    await tabTo(page, 'end', { back: true });
    await page.keyboard.press('Enter');
    await page.getByTestId('thread-phase').filter({ hasText: 'Ended' }).waitFor();
    await expect.poll(() => focused(page)).toBe('thread-title');
  });
});
