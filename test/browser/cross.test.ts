import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastAgent } from '../helpers/flows.js';
import { agent, StreamClient, startServer, type TestServer } from '../helpers/server.js';
import { chromiumAvailable, launchChromium, SCREENSHOTS, type Chromium } from './chromium.js';
import { answerConfirms, loginConsole } from './console-kit.js';
import { SMALL_PNG } from './customer-kit.js';

// Both ends in real browsers: a customer on the demo shop page (the widget, one browser context) and an
// agent in the console (another context) — messages, typing, read ticks, images both ways, a transfer
// to a colleague and back, and the end, each seen on the other side.

describe.skipIf(!chromiumAvailable())('a customer in the widget and an agent in the console', () => {
  let ts: TestServer;
  let chrome: Chromium;
  let customerCtx: BrowserContext;
  let agentCtx: BrowserContext;
  let cust: Page;
  let desk: Page;
  let alice: { id: string; email: string };
  let bob: { id: string; token: string; name: string };
  let bobStream: StreamClient;
  let conversationId: string;

  beforeAll(async () => {
    // Manual assignment: the chat waits in the queue (the customer sees their position) until Alice accepts.
    ts = await startServer({ env: { PARLEY_DEFAULT_ASSIGNMENT: 'manual' } });
    chrome = await launchChromium();
    alice = await agent(ts, { name: 'Alice Moreau' });
    bob = await fastAgent(ts, { name: 'Bob Lee' });
    bobStream = await StreamClient.open(ts.url, bob.token);
    [customerCtx, agentCtx] = await Promise.all([chrome.context(), chrome.context()]);
    [cust, desk] = await Promise.all([customerCtx.newPage(), agentCtx.newPage()]);
    cust.setDefaultTimeout(8000);
    desk.setDefaultTimeout(8000);
    answerConfirms(desk);
    await loginConsole(desk, ts.url, alice.email);
  });
  afterAll(async () => {
    await bobStream?.close();
    await chrome?.close();
    await ts?.stop();
  });

  const widgetMessages = () => cust.getByTestId('parley-message');
  const deskLog = () => desk.locator('.pc-log');

  it('the customer writes from the widget; the chat rings in the console, waits in the queue, and is accepted', async () => {
    await cust.goto(`${ts.url}/demo/`);
    await cust.getByTestId('parley-launcher').click();
    await cust.getByTestId('parley-panel').waitFor();
    await cust.getByTestId('parley-input').fill('Hello! Can I change the date of my Lisbon trip?');
    await cust.getByTestId('parley-send').click();

    const row = desk.getByTestId('queue-list').getByTestId('conversation-row').filter({ hasText: 'Can I change the date' });
    await row.waitFor();
    conversationId = (await row.getAttribute('data-conversation-id')) ?? '';
    await expect.poll(() => desk.title()).toBe('(1) New chat — Parley console');
    await cust.getByTestId('parley-queue-position').waitFor();

    await row.click();
    await desk.getByTestId('accept').click();
    await cust.getByTestId('parley-notice').filter({ hasText: 'Alice Moreau joined the chat' }).waitFor();
    await expect.poll(() => cust.getByTestId('parley-queue-position').count()).toBe(0);
    // The console has the chat on screen: the customer's message turns "read" in the widget.
    const mine = widgetMessages().filter({ hasText: 'Can I change the date' });
    await expect.poll(() => mine.getAttribute('data-status')).toBe('read');
  });

  it('typing and messages go both ways, with read ticks on each side', async () => {
    await desk.getByTestId('reply-input').pressSequentially('Of course');
    await cust.getByTestId('parley-typing').waitFor();
    await desk.keyboard.press('Enter');
    const reply = widgetMessages().filter({ hasText: 'Of course' });
    await reply.waitFor();
    expect(await reply.getAttribute('data-author-role')).toBe('agent');
    await expect.poll(() => cust.getByTestId('parley-typing').count()).toBe(0);
    // The widget is open and visible: the agent's tick turns read in the console.
    const deskBubble = deskLog().locator('.pw-mine').filter({ hasText: 'Of course' });
    await expect.poll(() => deskBubble.getAttribute('data-status')).toBe('read');

    await cust.getByTestId('parley-input').pressSequentially('My booking is NW-2231');
    await deskLog().getByTestId('parley-typing').waitFor();
    await cust.keyboard.press('Enter');
    await deskLog().getByText('My booking is NW-2231').waitFor();
  });

  it('images go both ways', async () => {
    await cust.getByTestId('parley-file-input').setInputFiles(SMALL_PNG);
    await expect.poll(() => cust.getByTestId('parley-send').isEnabled()).toBe(true);
    await cust.getByTestId('parley-send').click();
    const atDesk = deskLog().locator('[data-author-role="customer"]').getByTestId('parley-image').last();
    await atDesk.waitFor();
    await expect.poll(() => atDesk.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(192);

    await desk.getByTestId('console-file-input').setInputFiles(SMALL_PNG);
    await expect.poll(() => desk.getByTestId('reply-send').isEnabled()).toBe(true);
    await desk.getByTestId('reply-input').fill('Here is the new itinerary');
    await desk.getByTestId('reply-send').click();
    const atCustomer = widgetMessages().filter({ hasText: 'Here is the new itinerary' }).getByTestId('parley-image');
    await atCustomer.waitFor();
    await expect.poll(() => atCustomer.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth)).toBe(192);
    await cust.screenshot({ path: join(SCREENSHOTS, 'cross-customer.png') });
    await desk.screenshot({ path: join(SCREENSHOTS, 'cross-agent.png') });
  });

  it('Alice transfers to Bob and the customer sees the handover; Bob hands it back and Alice ends it', async () => {
    await desk.getByTestId('transfer').click();
    await desk.getByTestId('transfer-target').selectOption(`agent:${bob.id}`);
    await desk.getByTestId('transfer-submit').click();
    await desk.getByTestId('inbox-notice').waitFor();
    await cust.getByTestId('parley-notice').filter({ hasText: 'Bob Lee joined the chat' }).waitFor();
    await cust.getByTestId('parley-agent-name').filter({ hasText: 'Bob Lee' }).waitFor();

    await ts.api.post(`/v1/agent/conversations/${conversationId}/messages`, { clientMessageId: 'bob-1', text: 'Bob here: the date is changed. Alice will confirm.' }, bob.token);
    await widgetMessages().filter({ hasText: 'Bob here' }).waitFor();
    const back = await ts.api.post(`/v1/agent/conversations/${conversationId}/transfer`, { toAgentId: alice.id, note: 'Date changed, please confirm' }, bob.token);
    expect(back.status).toBe(200);

    // Back in Alice's list, with everything Bob said.
    const row = desk.getByTestId('mine-list').getByTestId('conversation-row').filter({ hasText: 'Bob here' });
    await row.waitFor();
    await row.click();
    await deskLog().getByText('Bob here: the date is changed. Alice will confirm.').waitFor();
    await deskLog().getByTestId('parley-notice').filter({ hasText: 'Alice Moreau joined the chat' }).last().waitFor();
    await desk.getByTestId('reply-input').fill('Confirmed for 14 October. Anything else?');
    await desk.keyboard.press('Enter');
    await widgetMessages().filter({ hasText: 'Confirmed for 14 October' }).waitFor();

    await desk.getByTestId('end').click();
    await desk.getByTestId('thread-phase').filter({ hasText: 'Ended' }).waitFor();
    await cust.getByTestId('parley-notice').filter({ hasText: 'The agent ended the chat' }).waitFor();
    await cust.getByTestId('parley-new-chat').waitFor();
    expect(await cust.getByTestId('parley-end').count()).toBe(0);
  });
});
