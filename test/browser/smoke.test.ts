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

  it('the customer app, the console and the demo page load in Chromium', async () => {
    const ctx = await chrome.context();
    const page = await ctx.newPage();
    for (const path of ['/app/', '/console/', '/demo/']) {
      const res = await page.goto(ts.url + path);
      expect(res?.status(), path).toBe(200);
      await page.waitForSelector('#root *');
    }
    await ctx.close();
  });
});
