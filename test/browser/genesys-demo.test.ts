import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Demo } from '../../src/cli/demo.js';
import { startTestDemo } from './demo-scene.js';
import { chromiumAvailable, launchChromium, SCREENSHOTS, type Chromium } from './chromium.js';

// `parley demo` as a person plays it: the demo shop's widget (the customer) and the Genesys emulator's agent
// page (the agent) side by side in Chromium, on the demo's own wiring (startDemo, as the CLI runs it) with
// the emulator started from its sources and quick timings.

const VIEWPORT = { width: 960, height: 720 };

describe.skipIf(!chromiumAvailable())('parley demo: the widget and the Genesys agent page side by side', () => {
  let demo: Demo;
  let chrome: Chromium;
  let customer: Page;
  let agent: Page;

  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${demo.emulator.url}/__control/genesys${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? undefined : ((await res.json()) as any);
  };
  const widget = (id: string) => customer.getByTestId(`parley-${id}`);
  const banner = () => widget('queue-position');

  beforeAll(async () => {
    demo = await startTestDemo();
    chrome = await launchChromium();
    const open = async () => {
      const ctx = await chrome.browser.newContext({ viewport: VIEWPORT });
      ctx.setDefaultTimeout(10_000);
      return ctx.newPage();
    };
    [customer, agent] = await Promise.all([open(), open()]);
  });
  afterAll(async () => {
    await chrome?.close();
    await demo?.close();
  });

  it('the banner names the shop, the agent page and the web chat page, on the Genesys entry point', async () => {
    const banner = demo.banner();
    expect(banner).toContain(`  Customer  ${demo.shopUrl}   chat here as the customer`);
    expect(banner).toContain(`  Agent     ${demo.agentUrl}   play the Genesys agent here`);
    expect(banner).toContain(`  Web chat  ${demo.webChatUrl}   a watsonx-style assistant that hands you to that agent`);
    expect(demo.webChatUrl).toBe(`${new URL(demo.shopUrl).origin}/webchat/?entryPoint=demo-genesys`);
    expect((await fetch(demo.webChatUrl)).status).toBe(200);
  });

  it('the customer writes from the shop and, while nobody is on the Genesys queue, is told so', async () => {
    const { agents } = await control('GET', '/agents');
    for (const a of agents) await control('PATCH', `/agents/${a.id}`, { onQueue: false });
    await control('PATCH', `/queues/${demo.emulator.credentials.defaultQueueId}`, { estimatedWaitSeconds: 120 });

    await customer.goto(demo.shopUrl);
    await widget('launcher').click();
    await widget('input').fill('Hi! Can I still change the date of my Lisbon trip?');
    await widget('send').click();
    await banner().filter({ hasText: 'No agents are available right now.' }).waitFor();
    expect(await banner().textContent()).not.toContain('Estimated wait');
  });

  it('the chat waits on the agent page, and the widget shows Genesys’s wait estimate once agents are on queue', async () => {
    await agent.goto(demo.agentUrl);
    // The newest conversation is picked by itself: its first message is on screen, waiting in Support.
    await agent.locator('#log').getByText('Hi! Can I still change the date of my Lisbon trip?').waitFor();
    expect(await agent.locator('#title').textContent()).toContain('waiting in Support');
    expect(await agent.locator('#send').isDisabled()).toBe(true);

    const { agents } = await control('GET', '/agents');
    for (const a of agents) await control('PATCH', `/agents/${a.id}`, { onQueue: true });
    await banner().filter({ hasText: 'Estimated wait: about 2 minutes.' }).waitFor();
    expect(await widget('status-line').textContent()).toBe('Waiting for an agent');
  });

  it('the agent accepts, types and answers with text, an image and a QR code; the customer sees each', async () => {
    // End detection (joins, transfers, ends) needs Parley's notification socket at the emulator.
    await expect.poll(async () => ((await control('GET', '/notifications')).channels as { sockets: number }[]).some((c) => c.sockets > 0), { timeout: 8000 }).toBe(true);
    await agent.locator('#accept').click();
    await widget('agent-name').filter({ hasText: 'Alex Agent' }).waitFor();
    await banner().waitFor({ state: 'detached' });

    await agent.locator('#text').pressSequentially('Of course', { delay: 20 });
    await widget('typing').filter({ hasText: 'Alex Agent is typing' }).waitFor();
    await agent.locator('#text').pressSequentially(', which date would you like?', { delay: 5 });
    await agent.locator('#text').press('Enter');
    await widget('message').filter({ hasText: 'Of course, which date would you like?' }).waitFor();
    await widget('typing').waitFor({ state: 'detached' });

    await agent.locator('#image').click();
    await expect.poll(() => widget('image').last().evaluate((el) => (el as HTMLImageElement).naturalWidth), { timeout: 10_000 }).toBeGreaterThan(0);
    await agent.locator('#text').fill('NW-4 LIS 12A');
    await agent.locator('#qr').click();
    await widget('qr').waitFor();
    expect(await agent.locator('#text').inputValue()).toBe('');

    await widget('input').fill('The 21st, please. Thank you!');
    await widget('send').click();
    await agent.locator('#log').getByText('The 21st, please. Thank you!').waitFor();
  });

  it('side by side: one screenshot of the customer and the agent', async () => {
    const shots = await Promise.all([customer, agent].map(async (p) => (await p.screenshot()).toString('base64')));
    const page = await chrome.browser.newPage({ viewport: { width: VIEWPORT.width * 2 + 48, height: VIEWPORT.height + 64 } });
    const pane = (title: string, png: string) =>
      `<figure><figcaption>${title}</figcaption><img src="data:image/png;base64,${png}" width="${VIEWPORT.width}" height="${VIEWPORT.height}"></figure>`;
    await page.setContent(`<!doctype html><html><head><style>
      body { margin: 0; padding: 12px; display: flex; gap: 24px; background: #e7ebf1; font: 600 15px system-ui, sans-serif; color: #1d2330; }
      figure { margin: 0; } figcaption { margin: 4px 2px 10px; }
      img { display: block; border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.25); }
    </style></head><body>
      ${pane('Customer: the demo shop’s widget (Parley)', shots[0]!)}
      ${pane('Agent: the Genesys Cloud emulator’s agent page', shots[1]!)}
    </body></html>`);
    await page.screenshot({ path: join(SCREENSHOTS, 'genesys-demo.png') });
    await page.close();
  });

  it('the agent transfers to a colleague, who ends the chat: the customer sees both', async () => {
    await agent.locator('#target').selectOption({ label: 'Agent: Bea Agent' });
    await agent.locator('#transfer').click();
    await widget('agent-name').filter({ hasText: 'Bea Agent' }).waitFor();

    await agent.locator('#end').click();
    await widget('status-line').filter({ hasText: 'Chat ended' }).waitFor();
    await widget('new-chat').waitFor();
    await expect.poll(async () => agent.locator('#title').textContent()).toContain('ended');
    expect(await agent.locator('#end').isDisabled()).toBe(true);
    expect(await agent.locator('#error').textContent()).toBe('');
  });
});
