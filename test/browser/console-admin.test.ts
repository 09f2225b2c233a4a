import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Adapters } from '../../src/adapters.js';
import { webChannel } from '../../src/channels/web/adapter.js';
import { inboxDesk } from '../../src/desks/inbox/adapter.js';
import { FakeDesk, fakeConversation } from '../delivery/fake-desk.js';
import { identityToken } from '../helpers/flows.js';
import { agent, StreamClient, startServer, type TestServer } from '../helpers/server.js';
import { chromiumAvailable, launchChromium, SCREENSHOTS, type Chromium } from './chromium.js';
import { answerConfirms, loginConsole } from './console-kit.js';

// The admin pages in real Chromium: agents, queues, API keys, canned responses, the offer composer, failed
// deliveries with a retry, and the event inspector following a conversation live. A scriptable fake desk
// stands in for a vendor desk, so a delivery can really fail and really be retried.

/** A delivery that went out: its status only moves forward from "sent" (to "delivered", "read"). */
const WENT_OUT = /^(sent|delivered|read)$/;

describe.skipIf(!chromiumAvailable())('the admin pages of the console', () => {
  let ts: TestServer;
  let chrome: Chromium;
  let ctx: BrowserContext;
  let page: Page;
  let admin: { id: string; token: string; email: string };
  let dialogs: string[];
  const desk = new FakeDesk();

  beforeAll(async () => {
    ts = await startServer({ adapters: new Adapters([webChannel], [inboxDesk, desk]) });
    chrome = await launchChromium();
    admin = await agent(ts, { name: 'Ada Admin', role: 'admin' });
    ctx = await chrome.context();
    page = await ctx.newPage();
    page.setDefaultTimeout(8000);
    dialogs = answerConfirms(page);
    await loginConsole(page, ts.url, admin.email);
  });
  afterAll(async () => {
    await chrome?.close();
    await ts?.stop();
  });

  it('creates an agent, then edits their capacity, role and queues', async () => {
    await page.getByTestId('nav-agents').click();
    await page.getByTestId('agents-table').getByText('Ada Admin').waitFor();
    await page.getByTestId('new-agent-name').fill('Carla Diaz');
    await page.getByTestId('new-agent-email').fill('carla@example.com');
    await page.getByTestId('new-agent-password').fill('correct-horse-9');
    await page.getByTestId('new-agent-capacity').fill('3');
    await page.getByTestId('new-agent-submit').click();
    const row = page.locator('[data-testid="agent-row"][data-email="carla@example.com"]');
    await row.waitFor();
    expect(await row.getByTestId('agent-capacity').textContent()).toBe('3');
    expect(await row.getByTestId('agent-queues').textContent()).toBe('default');
    // She can log in with that password.
    expect((await ts.api.post('/v1/agent/login', { email: 'carla@example.com', password: 'correct-horse-9' })).status).toBe(200);

    await row.getByTestId('agent-edit').click();
    const edit = page.locator('[data-testid="agent-edit-row"][data-email="carla@example.com"]');
    await edit.getByTestId('edit-capacity').fill('7');
    await edit.getByTestId('edit-role').selectOption('admin');
    await edit.getByTestId('edit-save').click();
    await expect.poll(() => row.getByTestId('agent-capacity').textContent()).toBe('7');
    expect(await row.textContent()).toContain('admin');
  });

  it('creates a manual queue and shows how many wait in it', async () => {
    await page.getByTestId('nav-queues').click();
    await page.getByTestId('new-queue-name').fill('billing');
    await page.getByTestId('new-queue-assignment').selectOption('manual');
    await page.getByTestId('new-queue-submit').click();
    const row = page.locator('[data-testid="queue-row"][data-name="billing"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('Manual');
    expect(await row.getByTestId('queue-waiting').textContent()).toBe('0');

    const cust = await ts.api.customer();
    await ts.api.post('/v1/conversations', { queue: 'billing' }, cust.token);
    await expect.poll(() => row.getByTestId('queue-waiting').textContent(), { timeout: 8000 }).toBe('1');
  });

  it('creates an API key (shown once, and it works), then revokes it (and it stops working)', async () => {
    await page.getByTestId('nav-keys').click();
    await page.getByTestId('new-key-name').fill('CRM sync');
    await page.getByTestId('scope-offers:write').check();
    await page.getByTestId('scope-conversations:read').check();
    await page.getByTestId('new-key-submit').click();
    const key = (await page.getByTestId('new-key-value').textContent()) ?? '';
    expect(key).toMatch(/^pk_[0-9a-f]{12}_/);
    const row = page.locator('[data-testid="key-row"][data-name="CRM sync"]');
    await row.waitFor();
    expect(await row.textContent()).toContain('offers:write, conversations:read');
    // The key authenticates: an offer to nobody is "contact not found", not 401.
    const before = await ts.api.post('/v1/offers', { contactId: 'ct_nobody', type: 'text', content: 'hi' }, key);
    expect(before.status).toBe(404);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-admin.png') });

    await page.getByTestId('new-key-done').click();
    expect(await page.getByTestId('new-key').count()).toBe(0);
    expect(await page.content()).not.toContain(key);

    await row.getByTestId('key-revoke').click();
    await expect.poll(() => row.getAttribute('data-revoked')).toBe('true');
    const after = await ts.api.post('/v1/offers', { contactId: 'ct_nobody', type: 'text', content: 'hi' }, key);
    expect(after.status).toBe(401);
    expect(dialogs).toEqual([]);
  });

  it('adds a canned response the agents then read', async () => {
    await page.getByTestId('nav-canned').click();
    await page.getByTestId('new-canned-shortcut').fill('/hours');
    await page.getByTestId('new-canned-text').fill('We are open 9:00–17:00, Monday to Friday.');
    await page.getByTestId('new-canned-submit').click();
    await page.getByTestId('canned-row').filter({ hasText: '/hours' }).waitFor();
    const list = await ts.api.get('/v1/agent/canned-responses', admin.token);
    expect(list.body.cannedResponses).toContainEqual(expect.objectContaining({ shortcut: 'hours', text: 'We are open 9:00–17:00, Monday to Friday.' }));
  });

  it('composes an offer to an identity, with a preview, and the customer receives it live', async () => {
    const { token } = await ts.api.customer(await identityToken('cust-77', { name: 'Mo' }));
    const stream = await StreamClient.open(ts.url, token);
    await page.getByTestId('nav-offers').click();
    await page.getByTestId('offer-external-id').fill('cust-77');
    await page.getByTestId('offer-type').selectOption('qrcode');
    await page.getByTestId('offer-content').fill('SPRING-2026');
    await page.getByTestId('offer-preview').getByTestId('parley-qr').waitFor();
    await page.getByTestId('offer-send').click();
    await page.getByTestId('offer-sent').first().waitFor();
    const f = await stream.next((x) => x.type === 'offer');
    expect(f.offer).toMatchObject({ type: 'qrcode', content: 'SPRING-2026' });

    // A link offer must be a URL: the hub's refusal is shown, nothing is sent.
    await page.getByTestId('offer-type').selectOption('link');
    await page.getByTestId('offer-content').fill('not a url');
    await page.getByTestId('offer-send').click();
    await page.getByTestId('offer-error').waitFor();
    await stream.close();
  });

  let failedConv: { conversationId: string; token: string };

  it('lists a failed delivery and retries it: it goes out and is no longer failed', async () => {
    failedConv = await fakeConversation(ts, 'dora');
    desk.script('Please call me back', ['rejected']);
    await ts.api.post(`/v1/conversations/${failedConv.conversationId}/messages`, { clientMessageId: 'd-1', text: 'Please call me back' }, failedConv.token);

    await page.getByTestId('nav-deliveries').click();
    const row = page.getByTestId('delivery-row').filter({ hasText: failedConv.conversationId });
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('failed');
    expect(await row.textContent()).toContain('desk refused the message');
    const id = (await row.getAttribute('data-delivery-id')) ?? '';

    await row.getByTestId('delivery-retry').click();
    await expect.poll(() => desk.delivered(failedConv.conversationId).length).toBe(1);
    await page.getByTestId('delivery-status-filter').selectOption('');
    // Gone out: "sent", or already past it — the admin's own console holds the chat and acknowledges the
    // message as "delivered" a moment later, so "sent" alone is a state the row may pass through unseen.
    await expect.poll(() => page.locator(`[data-delivery-id="${id}"]`).getAttribute('data-status'), { timeout: 8000 }).toMatch(WENT_OUT);
  });

  it('the inspector shows the raw events of any conversation with their deliveries, and new ones live', async () => {
    await page.getByTestId('nav-inspector').click();
    await page.getByTestId('inspector-id').fill(failedConv.conversationId);
    await page.getByTestId('inspector-id').press('Enter');
    await page.getByTestId('inspector-state').filter({ hasText: 'Live' }).waitFor();

    const message = page.locator('[data-testid="inspector-event"][data-kind="message"]').first();
    await message.waitFor();
    expect(await message.getByTestId('inspector-json').textContent()).toContain('"text": "Please call me back"');
    const deliveryChip = message.getByTestId('inspector-delivery');
    await expect.poll(() => deliveryChip.getAttribute('data-status')).toMatch(WENT_OUT);
    expect(await deliveryChip.getAttribute('data-leg')).toBe('desk');
    await page.locator('[data-testid="inspector-event"][data-kind="delivery.failed"]').waitFor();

    // Live: the customer types and writes; both appear without a reload.
    await ts.api.post(`/v1/conversations/${failedConv.conversationId}/typing`, { typing: true }, failedConv.token);
    await page.locator('[data-testid="inspector-signal"][data-type="typing"]').waitFor();
    await ts.api.post(`/v1/conversations/${failedConv.conversationId}/messages`, { clientMessageId: 'd-2', text: 'Any news? <b>hello</b>' }, failedConv.token);
    const live = page.locator('[data-testid="inspector-event"][data-kind="message"]').filter({ hasText: 'Any news?' });
    await live.waitFor();
    expect(await live.getByTestId('inspector-json').textContent()).toContain('"text": "Any news? <b>hello</b>"');
    expect(await page.locator('.pc-entries b').count()).toBe(0);
    // Newest first, seq gap-free.
    const seqs = await page.getByTestId('inspector-event').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! - i));
    // Sent to the desk (and delivered, when the admin's own console holds the chat).
    await expect.poll(() => live.getByTestId('inspector-delivery').getAttribute('data-status')).toMatch(WENT_OUT);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-inspector.png') });

    // The hub's HTML transcript, in a sandboxed frame: markup from the customer stays text there too.
    await page.getByTestId('transcript-open').click();
    const frame = page.getByTestId('transcript-frame');
    await frame.waitFor();
    expect(await frame.getAttribute('sandbox')).toBe('');
    const body = page.frameLocator('[data-testid="transcript-frame"]').locator('body');
    await expect.poll(() => body.textContent()).toContain('Any news? <b>hello</b>');
    await page.keyboard.press('Escape');
    await expect.poll(() => frame.count()).toBe(0);
  });

  it('agents who are not admins see no admin pages, not even by URL', async () => {
    const plain = await agent(ts, { name: 'Pat Plain' });
    const other = await chrome.context();
    const p = await other.newPage();
    await loginConsole(p, ts.url, plain.email);
    expect(await p.getByTestId('nav-agents').count()).toBe(0);
    expect(await p.getByTestId('nav-inspector').count()).toBe(0);
    await p.goto(`${ts.url}/console/#/admin/inspector/${failedConv.conversationId}`);
    await p.getByTestId('queue-list').waitFor();
    expect(await p.getByTestId('inspector').count()).toBe(0);
    await other.close();
  });
});
