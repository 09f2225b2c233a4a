import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium, type Chromium } from './chromium.js';
import { startServer, type TestServer } from '../helpers/server.js';

describe.skipIf(!chromiumAvailable())('browser apps are served', () => {
  let ts: TestServer;
  let chrome: Chromium;
  beforeAll(async () => {
    ts = await startServer();
    chrome = await launchChromium();
  });
  afterAll(async () => {
    await chrome?.close();
    await ts?.stop();
  });

  it('the customer app, the console, the demo page and the web chat page load in Chromium', async () => {
    const ctx = await chrome.context();
    const page = await ctx.newPage();
    for (const path of ['/app/', '/console/', '/demo/', '/webchat/']) {
      const res = await page.goto(ts.url + path);
      expect(res?.status(), path).toBe(200);
      await page.waitForSelector('#root *');
    }
    // The web chat page's chat: Carbon AI Chat renders (in shadow roots) into #webchat, outside #root.
    await page.getByTestId('input_field').waitFor({ timeout: 15_000 });
    await ctx.close();
  });

  it('the scripts other sites load are JavaScript they may embed', async () => {
    for (const path of ['/widget.js', '/watson.js']) {
      const res = await fetch(ts.url + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(/^(application|text)\/javascript\b/);
      expect(res.headers.get('cross-origin-resource-policy'), path).toBe('cross-origin');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      await res.arrayBuffer();
    }
  });
});
