import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startConnectEmulator } from '../../emulators/connect/main.js';
import { startGenesysEmulator } from '../../emulators/genesys/main.js';
import { startTwilioEmulator } from '../../emulators/twilio/main.js';
import { startDemo, type Demo } from '../../src/cli/demo.js';
import { chromiumAvailable, launchChromium, type Chromium } from '../browser/chromium.js';
import { freePort } from '../helpers/process.js';

// `parley demo --sms` as a person plays it: the Twilio emulator's phone page (the customer's phone) and the
// Amazon Connect emulator's agent page (the agent) side by side in Chromium, on the demo's own wiring
// (startDemo, as the CLI runs it) with the emulators started from their sources and quick timings. The CLI
// test (cli.test.ts) runs the same demo from the built CLI through the control APIs.

describe.skipIf(!chromiumAvailable())('parley demo --sms: the phone page and the Connect agent page side by side', () => {
  let demo: Demo;
  let chrome: Chromium;
  let phone: Page;
  let agent: Page;
  const PHONE = '+15551230001';

  beforeAll(async () => {
    demo = await startDemo({
      port: await freePort(),
      emulatorPort: 0,
      host: '127.0.0.1',
      env: { LOG_LEVEL: 'silent' },
      startEmulator: ({ port, host, webhookUrl }) => startGenesysEmulator({ port, host, integration: { webhookUrl }, webhook: { timeoutMs: 2000, delayMs: 100, maxRetries: 5 }, heartbeatMs: 1000 }),
      sms: true,
      twilioPort: 0,
      connectPort: 0,
      startTwilio: ({ port, host, webhookUrl }) => startTwilioEmulator({ port, host, webhookUrl, statusDelayMs: 50 }),
      startConnect: ({ port, host }) => startConnectEmulator({ port, host, snsRetry: { delaysMs: [100, 200, 400], timeoutMs: 3000 } }),
    });
    chrome = await launchChromium();
    const open = async () => {
      const ctx = await chrome.browser.newContext({ viewport: { width: 960, height: 720 } });
      ctx.setDefaultTimeout(15_000);
      return ctx.newPage();
    };
    [phone, agent] = await Promise.all([open(), open()]);
  });
  afterAll(async () => {
    await chrome?.close();
    await demo?.close();
  });

  it('the banner names the phone page and the Connect agent page', () => {
    const banner = demo.banner().join('\n');
    expect(demo.sms).toBeDefined();
    expect(banner).toContain(`Phone     ${demo.sms!.phoneUrl}`);
    expect(banner).toContain(`Connect   ${demo.sms!.agentUrl}`);
    expect(banner).toContain(`Customer  ${demo.shopUrl}`);
    expect(banner).toContain(`Web chat  ${demo.webChatUrl}`);
  });

  const connectControl = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${demo.sms!.connect.url}/__control/connect${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as any;
  };

  it('the phone texts the number from its page; the Connect agent accepts and answers; the phone page shows the answer, delivered', async () => {
    await phone.goto(demo.sms!.phoneUrl);
    await expect.poll(() => phone.locator('#to').textContent(), { timeout: 10_000 }).toBe(demo.sms!.twilio.credentials.number);
    expect(await phone.locator('#me').inputValue()).toBe(PHONE);
    await phone.locator('#text').fill('Hi, is my table for four still booked tonight?');
    await phone.locator('#text').press('Enter');
    await phone.locator('#log .msg.out').filter({ hasText: 'Hi, is my table for four still booked tonight?' }).waitFor();
    expect(await phone.locator('#text').inputValue()).toBe('');

    // The agent, through the control API the agent page calls: the chat waits with the text, streaming to Parley.
    const contact = await vi.waitFor(
      async () => {
        const c = ((await connectControl('GET', '/contacts')).contacts as any[])[0];
        if (!c?.items.some((i: any) => i.Content === 'Hi, is my table for four still booked tonight?') || !c.streams.some((s: any) => s.active)) throw new Error('no chat yet');
        return c;
      },
      { timeout: 10_000, interval: 50 },
    );
    expect(contact).toMatchObject({ state: 'queued', attributes: { parleyChannel: 'sms' } });
    await connectControl('POST', `/contacts/${contact.initialContactId}/accept`, {});
    await connectControl('POST', `/contacts/${contact.initialContactId}/reply`, { text: 'Yes — 8 pm, table for four. See you!' });

    // The phone page shows the reply from the number, and its status once Twilio's carrier reports delivery.
    await phone.locator('#log .msg.in').filter({ hasText: 'Yes — 8 pm, table for four. See you!' }).waitFor();
    await phone.locator('#log .meta.in').filter({ hasText: 'delivered' }).waitFor();
    // Parley told Connect the text was delivered.
    await vi.waitFor(
      async () => {
        const items = (await connectControl('GET', `/contacts/${contact.initialContactId}`)).items as any[];
        if (!items.find((i) => i.ParticipantRole === 'AGENT' && i.Type === 'MESSAGE')?.receipts?.delivered) throw new Error('not delivered yet');
      },
      { timeout: 10_000, interval: 50 },
    );
  });

  it('the Connect agent page lists the chat with the phone’s text', async () => {
    await agent.goto(demo.sms!.agentUrl);
    await agent.locator('#log').getByText('Hi, is my table for four still booked tonight?').waitFor({ timeout: 5000 });
  });
});
