import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { WEB_DIST } from '../../src/http/routes/web.js';
import { chromiumAvailable, SCREENSHOTS } from './chromium.js';
import { browserScene } from './scene.js';
import * as chat from './webchat-kit.js';

// The web chat page (/webchat/) renders IBM's Carbon AI Chat served by Parley, with its lazy chunks, and the
// stand-in assistant answers. The handoff itself (the service desk, /watson.js) belongs to the watson suites:
// here only that asking for a person reaches it (the connect card), and that without the bundle the page
// says so and the assistant still works.

/** Parley's service desk bundle, built by `npm run build` (watson/). */
const BUNDLE_BUILT = existsSync(join(WEB_DIST, 'watson.js'));

describe.skipIf(!chromiumAvailable())('the web chat page', () => {
  // An agent online, so that the desk's areAnyAgentsOnline answers yes and Carbon shows the connect card.
  const s = browserScene({ agent: 'Ada', timeout: 15_000 });

  async function freshPage(opts: { withoutBundle?: boolean } = {}): Promise<{ page: Page; errors: string[] }> {
    const ctx = await s.newContext();
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    if (opts.withoutBundle) await page.route('**/watson.js', (r) => r.fulfill({ status: 404, contentType: 'text/plain', body: 'not built' }));
    return { page, errors };
  }

  it('renders Carbon AI Chat, open, with every chunk it loads served, and the assistant answers', async () => {
    const { page, errors } = await freshPage();
    const failed: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400 && new URL(r.url()).pathname.startsWith('/assets/')) failed.push(`${r.status()} ${r.url()}`);
    });
    page.on('requestfailed', (r) => failed.push(`failed ${r.url()}`));
    await chat.openWebChat(page, s.ts.url);
    expect(await page.getByTestId('header_title').textContent()).toContain('Northwind Travel assistant');
    expect(await chat.lastBotOrAgentText(page)).toBe(chat.WELCOME);

    await chat.say(page, 'Which trips do you have in Lisbon?');
    await chat.waitForText(page, 'Lisbon city break');
    expect(await chat.lastBotOrAgentText(page)).toContain('You asked: “Which trips do you have in Lisbon?”');
    expect(failed).toEqual([]);
    expect(errors).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'webchat-page.png') });
    await page.context().close();
  });

  it.skipIf(!BUNDLE_BUILT)("with Parley's bundle, asking for a person shows the connect card", async () => {
    const { page, errors } = await freshPage();
    await chat.openWebChat(page, s.ts.url);
    expect(await chat.deskLoaded(page)).toBe(true);
    expect(await chat.deskMissingNote(page)).toBeNull();
    await chat.say(page, 'Can I move my Porto trip to November?');
    await chat.askForAgent(page, { text: 'I would like to talk to an agent', press: false });
    await chat.waitForText(page, chat.CONNECTING);
    await expect.poll(() => chat.connectCard(page).textContent()).toContain(chat.AGENT_AVAILABLE);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('without the bundle, the page says so and the assistant still answers', async () => {
    const { page, errors } = await freshPage({ withoutBundle: true });
    await chat.openWebChat(page, s.ts.url);
    expect(await chat.deskLoaded(page)).toBe(false);
    expect(await chat.deskMissingNote(page)).toContain('/watson.js');
    await chat.say(page, 'agent');
    await chat.waitForText(page, chat.NO_HANDOFF);
    await chat.say(page, 'Madeira?');
    await chat.waitForText(page, 'Madeira hiking');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('takes the entry point from its address and shows it', async () => {
    const { page } = await freshPage({ withoutBundle: true });
    await chat.openWebChat(page, s.ts.url, { entryPoint: 'web-eu' });
    expect(await page.locator('#entry-point').textContent()).toContain('"web-eu"');
    await page.context().close();
  });
});
