import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeScene, genesysAgent } from '../e2e/vendor-desks-scene.js';
import { agent, until } from '../helpers/server.js';
import { chromiumAvailable, launchChromium, SCREENSHOTS, type Chromium } from './chromium.js';
import { loginConsole } from './console-kit.js';

// The event inspector's vendor traffic in Chromium: a phone texting through Twilio to an agent in Genesys
// (both emulators), an admin watching the conversation. The page shows the webhook Parley received (←) and
// the request it sent to Genesys (→) beside the events, masked, and a new exchange live when the agent replies.

describe.skipIf(!chromiumAvailable())('the event inspector shows vendor traffic', () => {
  const scene = describeScene({ channel: 'twilio', desk: 'genesys' });
  const { genesys, inbound, conversationFor } = genesysAgent(scene);
  let chrome: Chromium;
  let ctx: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    chrome = await launchChromium();
    ctx = await chrome.context();
    page = await ctx.newPage();
    page.setDefaultTimeout(8000);
  });
  afterAll(async () => chrome?.close());

  it('a received notification and a sent request, masked, then a new one live', async () => {
    const ts = scene().ts;
    const admin = await agent(ts, { name: 'Ada Admin', role: 'admin' });
    const sid = await scene().twilio!.text('+15557200001', 'Hello from the phone');
    const id = await scene().conversationOfTwilio(sid);
    const conv = (await ts.api.get(`/v1/agent/conversations/${id}`, admin.token)).body.conversation;
    const g = await conversationFor(conv.contactId);
    await until(async () => (await inbound(g.id)).length > 0, 8000, 'the message at Genesys');

    await loginConsole(page, ts.url, admin.email);
    await page.goto(`${ts.url}/console/#/admin/inspector/${id}`);
    await page.getByTestId('inspector-state').filter({ hasText: 'Live' }).waitFor();

    const received = page.locator('[data-testid="inspector-vendor"][data-direction="in"][data-adapter="twilio-sms:sms"]').first();
    await received.waitFor();
    expect(await received.getByTestId('inspector-vendor-url').textContent()).toContain('POST /webhooks/twilio-sms/sms');
    expect(await received.getByTestId('inspector-vendor-status').textContent()).toBe('200');
    await received.locator('summary').click();
    const receivedText = (await received.textContent()) ?? '';
    expect(receivedText).toContain('"x-twilio-signature": "[redacted]"');
    expect(receivedText).toContain('Hello+from+the+phone');

    const sent = page.locator('[data-testid="inspector-vendor"][data-direction="out"][data-adapter^="genesys:"]').first();
    await sent.waitFor();
    await sent.locator('summary').click();
    expect((await sent.textContent()) ?? '').toContain('"authorization": "[redacted]"');
    expect((await page.textContent('body')) ?? '').not.toContain(scene().genesys!.emu.credentials.clientSecret);

    // The agent replies: the webhook from Genesys and the request to Twilio appear live, at the top.
    expect((await genesys('POST', `/conversations/${g.id}/accept`, {})).status).toBe(200);
    expect((await genesys('POST', `/conversations/${g.id}/reply`, { text: 'Hi, Genesys here' })).status).toBeLessThan(300);
    await page.locator('[data-testid="inspector-vendor"][data-direction="in"][data-adapter="genesys:gc"]').filter({ hasText: 'POST /webhooks/genesys/gc' }).first().waitFor({ timeout: 10_000 });
    await page.locator('[data-testid="inspector-vendor"][data-direction="out"][data-adapter="twilio-sms:sms"]').first().waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(SCREENSHOTS, 'console-inspector-vendor.png') });
  });
});
