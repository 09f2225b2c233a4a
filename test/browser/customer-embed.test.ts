import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, SCREENSHOTS } from './chromium.js';
import { hostSite, widgetPageHtml, type HostSite } from './customer-kit.js';
import { browserScene } from './scene.js';

// Embedding: the demo page on Parley's own origin, a business site on another origin that is on the CORS
// allowlist (works), and one that is not (the customer sees a clear error instead of a dead widget).

describe.skipIf(!chromiumAvailable())('embedding the widget with one script tag', () => {
  let allowed: HostSite;
  let stranger: HostSite;
  beforeAll(async () => {
    [allowed, stranger] = await Promise.all([hostSite(), hostSite()]);
  });
  afterAll(async () => {
    await Promise.all([allowed?.close(), stranger?.close()]);
  });
  const s = browserScene({ server: () => ({ env: { PARLEY_CORS_ORIGINS: allowed.origin } }), agent: 'Eva Lund' });

  it('the start page links to the widget demo, the customer app, the agent console and the API docs', async () => {
    const r = await s.ts.api.get('/');
    expect(r.headers.get('content-type')).toContain('text/html');
    for (const href of ['/demo/', '/app/', '/console/', '/docs']) expect(r.body).toContain(`href="${href}"`);
  });

  it('on the demo page (same origin) the data attributes apply and the page CSS stays outside', async () => {
    const ctx = await s.newContext();
    const page = await ctx.newPage();
    await page.goto(s.ts.url + '/demo/');
    const launcher = page.getByTestId('parley-launcher');
    expect(await launcher.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(15, 118, 110)'); // data-color="#0f766e"
    await launcher.click();
    expect(await page.getByTestId('parley-title').textContent()).toBe('Northwind Travel');
    // The page sets a serif font and yellow buttons globally; the widget keeps its own.
    const font = await page.getByTestId('parley-input').evaluate((el) => getComputedStyle(el).fontFamily);
    expect(font).toContain('system-ui');
    expect(font).not.toContain('Georgia');
    expect(await page.getByTestId('parley-send').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(15, 118, 110)');

    await page.getByTestId('parley-input').fill('Hi! Is the Lisbon trip still available in October?');
    await page.getByTestId('parley-send').click();
    const conv = await s.agent.conversationWith('Hi! Is the Lisbon trip still available in October?');
    await s.agent.say(conv, { text: 'Hello! Yes, we have seats on the 14th and the 21st. Shall I hold one?' });
    await s.agent.say(conv, { parts: [{ type: 'quick_replies', replies: [{ title: 'The 14th' }, { title: 'The 21st' }, { title: 'Not yet' }] }] });
    await page.getByTestId('parley-quick-reply').first().waitFor();
    await page.screenshot({ path: join(SCREENSHOTS, 'demo.png') });
    await ctx.close();
  });

  it('on another origin that is on the allowlist, it talks to Parley at the address in its src', async () => {
    const ctx = await s.newContext();
    const page = await ctx.newPage();
    await page.goto(allowed.page('/contact', widgetPageHtml(s.ts.url, { title: 'Allowed shop', position: 'bottom-left' })));
    expect(new URL(page.url()).origin).not.toBe(new URL(s.ts.url).origin);
    await page.getByTestId('parley-launcher').click();
    await page.getByTestId('parley-input').fill('Hello from another origin');
    await page.getByTestId('parley-send').click();
    const conv = await s.agent.conversationWith('Hello from another origin');
    await s.agent.say(conv, { text: 'Received across origins.' });
    await page.getByTestId('parley-message').filter({ hasText: 'Received across origins.' }).waitFor();
    // bottom-left puts the launcher on the left.
    const box = await page.getByTestId('parley-launcher').boundingBox();
    expect(box!.x).toBeLessThan(100);
    await ctx.close();
  });

  it('on an origin that is not on the allowlist, the customer sees why the chat cannot start', async () => {
    const ctx = await s.newContext();
    const page = await ctx.newPage();
    await page.goto(stranger.page('/contact', widgetPageHtml(s.ts.url)));
    await page.getByTestId('parley-launcher').click();
    const error = page.getByTestId('parley-connect-error');
    await error.waitFor();
    expect(await error.textContent()).toContain("Can't reach the chat service");
    expect(await error.getByRole('button', { name: 'Try again' }).count()).toBe(1);
    await ctx.close();
  });
});
