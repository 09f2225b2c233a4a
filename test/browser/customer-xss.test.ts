import { describe, expect, it } from 'vitest';
import { fastAgent } from '../helpers/flows.js';
import { chromiumAvailable } from './chromium.js';
import { expectNoScriptRan, injectedElements, watchDialogs } from './customer-kit.js';
import { browserScene } from './scene.js';

// Whatever an agent, a business or a customer writes is shown as text: hostile names, messages, quick
// replies, buttons, QR contents, locations and offers never become elements, and nothing they contain runs.

const IMG = '<img src=x onerror="window.__xss=1;alert(1)">';
const SCRIPT = '<script>window.__xss=2;alert(2)</script>';
const SVG = '"><svg onload="window.__xss=3;alert(3)">';
const JS_URL = 'javascript:window.__xss=4;alert(4)';

describe.skipIf(!chromiumAvailable())('hostile content in the customer UIs', () => {
  const s = browserScene({ agent: IMG });

  it('in the widget: agent name, messages, choices, links, QR and location render as text', async () => {
    const ctx = await s.newContext();
    const page = await ctx.newPage();
    const dialogs = watchDialogs(page);
    await page.goto(s.ts.url + '/demo/');
    await page.getByTestId('parley-launcher').click();
    // The customer's own text is hostile too.
    await page.getByTestId('parley-input').fill(SCRIPT);
    await page.getByTestId('parley-send').click();
    const conv = await s.agent.conversationWith(SCRIPT);

    await s.agent.say(conv, { text: `${IMG} ${SVG}` });
    await s.agent.say(conv, {
      parts: [
        { type: 'quick_replies', text: SCRIPT, replies: [{ title: IMG }, { title: SVG, payload: SCRIPT }] },
        // The hub refuses javascript: URLs in buttons (422); as a payload the same text must stay inert data.
        { type: 'buttons', text: IMG, buttons: [{ title: SVG, payload: JS_URL }, { title: 'Safe', url: 'https://example.com/?q=<script>' }] },
        { type: 'qr', content: SCRIPT },
        { type: 'location', lat: 1, lng: 2, name: IMG, address: SVG },
      ],
    });
    await page.getByTestId('parley-location').waitFor();

    // The name shows literally in the header and above the bubbles.
    expect(await page.getByTestId('parley-agent-name').textContent()).toBe(IMG);
    await page.getByTestId('parley-notice').filter({ hasText: `${IMG} joined the chat` }).waitFor();
    expect(await page.getByTestId('parley-message').filter({ hasText: `${IMG} ${SVG}` }).count()).toBe(1);
    expect(await page.getByTestId('parley-quick-reply').allTextContents()).toEqual([IMG, SVG]);
    // A button without a web URL is not a link; an https one is, with its query intact as data.
    const buttons = page.getByTestId('parley-button');
    expect(await buttons.first().evaluate((el) => el.tagName)).toBe('BUTTON');
    expect(await buttons.last().getAttribute('href')).toBe('https://example.com/?q=%3Cscript%3E');
    expect(await page.getByTestId('parley-qr').getAttribute('aria-label')).toBe(`QR code: ${SCRIPT}`);

    // Clicking the hostile quick reply sends its title back as plain text.
    await page.getByTestId('parley-quick-reply').filter({ hasText: 'onerror' }).click();
    await s.agent.message((e) => e.parts.some((p: any) => p.text === IMG));
    await page.waitForTimeout(100);
    await expectNoScriptRan(page, dialogs);
    // Control: the check does see an element injected into the widget's shadow root, so the zero above counts.
    await page.evaluate(() => document.querySelector('parley-widget')?.shadowRoot?.querySelector('[role=log]')?.insertAdjacentHTML('beforeend', '<img src=x>'));
    expect(await injectedElements(page)).toBe(1);
    await ctx.close();
  });

  it('in the app: hostile offers (text, link, image, QR) render as text, and URLs stay URLs', async () => {
    const ctx = await s.newContext();
    const page = await ctx.newPage();
    const dialogs = watchDialogs(page);
    await page.goto(s.ts.url + '/app/');
    await expect.poll(() => page.evaluate(() => localStorage.getItem('parley-app:customer:session'))).toBeTruthy();
    const { contact } = JSON.parse((await page.evaluate(() => localStorage.getItem('parley-app:customer:session'))) as string);
    const admin = (await fastAgent(s.ts, { role: 'admin', name: 'Admin' })).token;
    // The hub itself refuses link and image offers that are not http(s) URLs.
    expect((await s.ts.api.post('/v1/offers', { contactId: contact.id, type: 'link', content: JS_URL }, admin)).status).toBe(422);
    const hostileUrl = `https://shop.example.com/${SVG}${IMG}`;
    for (const [type, content] of [
      ['text', `${IMG}${SCRIPT}`],
      ['link', hostileUrl],
      ['image', `https://example.com/x.png" onerror="window.__xss=5`],
      ['qrcode', SVG],
    ]) {
      const r = await s.ts.api.post('/v1/offers', { contactId: contact.id, type, content }, admin);
      expect(r.status).toBe(201);
    }
    await page.getByTestId('parley-tab-offers').click();
    await expect.poll(() => page.getByTestId('parley-offer').count()).toBe(4);
    expect(await page.locator('[data-offer-type="text"]').textContent()).toContain(`${IMG}${SCRIPT}`);
    // A URL's hostile characters stay inside the (encoded) URL and the link's text.
    const link = page.locator('[data-offer-type="link"] a');
    expect(await link.textContent()).toBe(hostileUrl);
    expect(await link.getAttribute('href')).toBe(new URL(hostileUrl).href);
    expect(await page.locator('[data-offer-type="image"] img').getAttribute('src')).toBe(new URL('https://example.com/x.png" onerror="window.__xss=5').href);
    expect(await page.getByTestId('parley-qr').getAttribute('aria-label')).toBe(`QR code: ${SVG}`);
    await page.waitForTimeout(100);
    await expectNoScriptRan(page, dialogs);
    await ctx.close();
  });
});
