import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastAgent } from '../helpers/flows.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { auditContext, expectNoViolations, expectSmallTextReadable } from './a11y-kit.js';
import { chromiumAvailable, launchChromium, type Chromium } from './chromium.js';
import { AgentSide } from './customer-kit.js';

// axe-core over the customer app on a phone: the Chat tab talking with an agent, the Offers tab with one
// offer of each kind and a badge on Chat, and the profile sheet. Any WCAG 2.1 A/AA violation fails.

describe.skipIf(!chromiumAvailable())('accessibility of the customer app', () => {
  let ts: TestServer;
  let chrome: Chromium;
  let dana: AgentSide;
  let adminToken: string;
  let ctx: BrowserContext;
  let page: Page;
  let conv: string;

  beforeAll(async () => {
    ts = await startServer();
    chrome = await launchChromium();
    dana = await AgentSide.start(ts, { name: 'Dana Ortiz' });
    // Not online (no stream), so round robin gives the chat to Dana; the token sends offers.
    adminToken = (await fastAgent(ts, { name: 'Admin', role: 'admin' })).token;
    ctx = await auditContext(chrome.browser, { phone: true });
    ctx.setDefaultTimeout(8000);
    page = await ctx.newPage();
  });
  afterAll(async () => {
    await dana?.close();
    await chrome?.close();
    await ts?.stop();
  });

  it('the Chat tab, empty and then talking with an agent', async () => {
    await page.goto(`${ts.url}/app/`);
    await page.getByTestId('parley-input').waitFor();
    await expectNoViolations(page, 'the app’s empty Chat tab');

    await page.getByTestId('parley-input').fill('Hi, has my order shipped?');
    await page.getByTestId('parley-send').click();
    conv = await dana.conversationWith('Hi, has my order shipped?');
    await dana.say(conv, { text: 'It left this morning: https://track.example.com/NW123' });
    await page.getByTestId('parley-message').filter({ hasText: 'left this morning' }).waitFor();
    await page.getByTestId('parley-agent-name').filter({ hasText: 'Dana Ortiz' }).waitFor();
    await expectNoViolations(page, 'the app’s Chat tab with an agent');
  });

  it('the Offers tab with every kind of offer, and an unread badge on Chat', async () => {
    // The contact the app's session belongs to (the SDK's session record in localStorage).
    const contactId: string = JSON.parse((await page.evaluate(() => localStorage.getItem('parley-app:customer:session'))) ?? 'null').contact.id;
    for (const [type, content] of [
      ['text', 'Spring sale: 20% off every city break this week.'],
      ['link', 'https://shop.example.com/spring'],
      ['image', `${ts.url}/app/icons/icon-192.png`],
      ['qrcode', 'SPRING-20-NW'],
    ] as const) {
      expect((await ts.api.post('/v1/offers', { contactId, type, content }, adminToken)).status).toBe(201);
    }
    await page.getByTestId('parley-tab-offers').click();
    await expect.poll(() => page.getByTestId('parley-offer').count()).toBe(4);
    await dana.say(conv, { text: 'Anything else I can do?' });
    await page.getByTestId('parley-chat-badge').waitFor();
    await expectNoViolations(page, 'the app’s Offers tab');
    // One-digit badges are too short for axe to judge: measured here.
    await expectSmallTextReadable(page, '.pa-badge');
  });

  it('the profile sheet', async () => {
    await page.getByTestId('parley-profile-button').click();
    await page.getByTestId('parley-profile-name').waitFor();
    await expectNoViolations(page, 'the app’s profile sheet');
    await page.keyboard.press('Escape');
  });
});
