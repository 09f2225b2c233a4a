import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastAgent } from '../helpers/flows.js';
import { agent, StreamClient, startServer, type TestServer } from '../helpers/server.js';
import { chromiumAvailable, launchChromium, SCREENSHOTS, type Chromium } from './chromium.js';
import { answerConfirms, customer, loginConsole, type Customer } from './console-kit.js';
import { injectedElements, SMALL_PNG } from './customer-kit.js';

// The agent console in real Chromium: an agent logs in, a chat arrives live (with a title notification),
// they accept it, see the history and who the customer is, reply with text, an image, a QR code and quick
// replies (and a canned response), see typing and read ticks both ways, transfer one chat and end another.

describe.skipIf(!chromiumAvailable())('the agent console', () => {
  let ts: TestServer;
  let chrome: Chromium;
  let ctx: BrowserContext;
  let page: Page;
  let alice: { id: string; token: string; email: string };
  let bob: { id: string; token: string; name: string };
  let bobStream: StreamClient;
  let jane: Customer;
  let unexpectedDialogs: string[];
  const QUEUE = 'support';

  beforeAll(async () => {
    ts = await startServer();
    chrome = await launchChromium();
    const admin = await fastAgent(ts, { role: 'admin', name: 'Root' });
    // A manual queue: chats wait until an agent accepts them, so the queue view and Accept are exercised.
    const q = await ts.api.post('/v1/admin/queues', { name: QUEUE, assignment: 'manual' }, admin.token);
    await ts.api.post('/v1/admin/canned-responses', { shortcut: 'thanks', text: 'Thank you for your patience!' }, admin.token);
    alice = await agent(ts, { name: 'Alice Moreau', queues: [q.body.queue.id] });
    bob = await fastAgent(ts, { name: 'Bob Lee', queues: [q.body.queue.id] });
    bobStream = await StreamClient.open(ts.url, bob.token);
    ctx = await chrome.context();
    page = await ctx.newPage();
    // Fail a step in seconds, with the locator named, rather than at the test's own timeout.
    page.setDefaultTimeout(8000);
    unexpectedDialogs = answerConfirms(page);
  });
  afterAll(async () => {
    await jane?.close();
    await bobStream?.close();
    await chrome?.close();
    await ts?.stop();
  });

  const log = () => page.locator('.pc-log');
  const mineBubbles = () => log().locator('[data-testid="parley-message"].pw-mine');

  it('logs in, and a new chat appears live in the queue with a notification in the title', async () => {
    await loginConsole(page, ts.url, alice.email);
    expect(await page.getByTestId('me-name').textContent()).toBe('Alice Moreau');
    await page.getByTestId('queue-list').getByText('Nobody is waiting.').waitFor();
    expect(await page.title()).toBe('Parley console');

    jane = await customer(ts, {
      first: 'Hi, my order A-1001 never arrived',
      queue: QUEUE,
      sub: 'jane-42',
      name: 'Jane Doe',
      email: 'jane@example.com',
      context: { orderId: 'A-1001', handedOverBy: 'watsonx Assistant', intent: 'missing_parcel', cart: { items: 2, total: 59.9 } },
    });
    const row = page.getByTestId('queue-list').getByTestId('conversation-row').filter({ hasText: 'Jane Doe' });
    await row.waitFor({ timeout: 5000 });
    await row.getByTestId('new-badge').waitFor();
    await expect.poll(() => page.title()).toBe('(1) New chat — Parley console');
    expect(await page.getByTestId('new-chat-count').textContent()).toBe('1');
    expect(await row.textContent()).toContain('Hi, my order A-1001 never arrived');

    await customer(ts, { first: 'Do you ship to Norway?', queue: QUEUE, name: 'Ola Nordmann' });
    await page.getByTestId('queue-list').getByText('Ola Nordmann').waitFor();
    await expect.poll(() => page.title()).toBe('(2) New chats — Parley console');
    await page.screenshot({ path: join(SCREENSHOTS, 'console-queue.png') });
  });

  it('opens and accepts the chat: the whole history and the customer details are shown', async () => {
    await page.getByTestId('queue-list').getByTestId('conversation-row').filter({ hasText: 'Jane Doe' }).click();
    await page.getByTestId('conversation-view').waitFor();
    // Opening it is seeing it: the title and the count go down.
    await expect.poll(() => page.title()).toBe('(1) New chat — Parley console');
    expect(await page.getByTestId('reply-input').isDisabled()).toBe(true);

    await page.getByTestId('accept').click();
    await page.getByTestId('thread-phase').filter({ hasText: 'Active' }).waitFor();
    await page.getByTestId('mine-list').getByTestId('conversation-row').filter({ hasText: 'Jane Doe' }).waitFor();
    await jane.stream.next((f) => f.type === 'event' && f.event.kind === 'participant.joined');

    await log().getByText('Hi, my order A-1001 never arrived').waitFor();
    await log().getByTestId('parley-notice').filter({ hasText: 'Alice Moreau joined the chat' }).waitFor();
    const panel = page.getByTestId('customer-panel');
    expect(await panel.getByTestId('customer-name').textContent()).toBe('Jane Doe');
    expect(await panel.getByTestId('customer-email').textContent()).toBe('jane@example.com');
    await panel.getByTestId('customer-verified').waitFor();
    expect(await panel.getByTestId('customer-identities').textContent()).toContain('jane-42');
    expect(await panel.getByTestId('customer-channel').textContent()).toBe('web');
    const context = (await panel.getByTestId('customer-context').textContent()) ?? '';
    for (const s of ['orderId', 'A-1001', 'watsonx Assistant', 'missing_parcel', '"total": 59.9']) expect(context).toContain(s);
  });

  it('typing shows both ways, and the customer’s messages are marked read while the chat is on screen', async () => {
    await jane.typing(true);
    await log().getByTestId('parley-typing').filter({ hasText: 'Jane Doe is typing' }).waitFor();
    const later = await jane.say('It was a blue parcel');
    await log().getByText('It was a blue parcel').waitFor();
    await expect.poll(() => page.getByTestId('parley-typing').count()).toBe(0);
    // The console marks read: the customer's message turns "read" on the customer's side.
    await jane.stream.next((f) => f.type === 'event' && f.event.kind === 'receipt' && f.event.receipt === 'read' && f.event.through >= later.seq);

    await page.getByTestId('reply-input').click();
    await page.keyboard.type('Let me check');
    await jane.stream.next((f) => f.type === 'typing' && f.typing === true && f.author.name === 'Alice Moreau');
  });

  it('replies with text (ticks move to read), a canned response, an image, a QR code and quick replies', async () => {
    await page.getByTestId('reply-input').fill('');
    await page.getByTestId('reply-input').pressSequentially('Sorry about that!');
    await page.keyboard.press('Enter');
    const text = await jane.fromAgent((e) => e.parts[0]?.text === 'Sorry about that!');
    const bubble = mineBubbles().filter({ hasText: 'Sorry about that!' });
    await bubble.waitFor();
    await jane.read(text.seq);
    await expect.poll(() => bubble.getAttribute('data-status')).toBe('read');

    await page.getByTestId('reply-input').pressSequentially('/tha');
    await page.getByTestId('canned-option').filter({ hasText: '/thanks' }).waitFor();
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('reply-input').inputValue()).toBe('Thank you for your patience!');
    await page.keyboard.press('Enter');
    await jane.fromAgent((e) => e.parts[0]?.text === 'Thank you for your patience!');

    await page.getByTestId('console-file-input').setInputFiles(SMALL_PNG);
    await page.getByTestId('console-attachment').filter({ hasText: 'icon-192.png' }).waitFor();
    await expect.poll(() => page.getByTestId('reply-send').isEnabled()).toBe(true);
    await page.getByTestId('reply-send').click();
    const image = await jane.fromAgent((e) => e.parts[0]?.type === 'media');
    expect(image.parts[0]).toMatchObject({ mime: 'image/png', name: 'icon-192.png' });
    const img = mineBubbles().last().getByTestId('parley-image');
    await img.waitFor();
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth)).toBe(192);

    await page.getByTestId('open-qr').click();
    await page.getByTestId('qr-content').fill('COUPON-SORRY-10');
    await page.getByTestId('qr-editor').getByTestId('parley-qr').waitFor();
    await page.getByTestId('send-qr').click();
    const qr = await jane.fromAgent((e) => e.parts[0]?.type === 'qr');
    expect(qr.parts).toEqual([{ type: 'qr', content: 'COUPON-SORRY-10' }]);
    await mineBubbles().last().getByTestId('parley-qr').waitFor();

    await page.getByTestId('open-quick-replies').click();
    await page.getByTestId('qr-prompt').fill('Shall we resend it?');
    await page.getByTestId('quick-reply-input').nth(0).fill('Yes please');
    await page.getByTestId('quick-reply-input').nth(1).fill('Refund instead');
    await page.getByTestId('send-quick-replies').click();
    const quick = await jane.fromAgent((e) => e.parts[0]?.type === 'quick_replies');
    expect(quick.parts[0]).toEqual({ type: 'quick_replies', text: 'Shall we resend it?', replies: [{ title: 'Yes please' }, { title: 'Refund instead' }] });
    await jane.say('Yes please');
    await log().getByText('Yes please', { exact: true }).last().waitFor();

    await page.screenshot({ path: join(SCREENSHOTS, 'console-conversation.png') });
  });

  it('transfers the chat to another agent: it leaves my list, the customer sees the handover, Bob holds it', async () => {
    await page.getByTestId('transfer').click();
    await page.getByTestId('transfer-dialog').waitFor();
    await page.getByTestId('transfer-target').selectOption(`agent:${bob.id}`);
    await page.getByTestId('transfer-note').fill('Wants a resend of A-1001');
    await page.getByTestId('transfer-submit').click();
    // The chat is Bob's now: the console goes back to the lists and says where it went.
    await page.getByTestId('inbox-notice').filter({ hasText: 'Jane Doe was transferred to Bob Lee.' }).waitFor();
    expect(page.url()).toMatch(/#\/inbox$/);
    await expect.poll(() => page.getByTestId('mine-list').getByText('Jane Doe').count()).toBe(0);
    await jane.stream.next((f) => f.type === 'event' && f.event.kind === 'participant.joined' && f.event.participant.id === bob.id);
    await bobStream.next((f) => f.type === 'event' && f.event.kind === 'transfer.started' && f.event.note === 'Wants a resend of A-1001');
  });

  it('accepts another chat and ends it; the customer is told', async () => {
    const ola = page.getByTestId('queue-list').getByTestId('conversation-row').filter({ hasText: 'Ola Nordmann' });
    await ola.click();
    await page.getByTestId('accept').click();
    await page.getByTestId('thread-phase').filter({ hasText: 'Active' }).waitFor();
    await page.getByTestId('end').click();
    await page.getByTestId('thread-phase').filter({ hasText: 'Ended' }).waitFor();
    await log().getByTestId('parley-notice').filter({ hasText: 'You ended the chat' }).waitFor();
    expect(await page.getByTestId('reply-input').isDisabled()).toBe(true);
    await expect.poll(() => page.getByTestId('mine-list').getByText('Ola Nordmann').count()).toBe(0);
    expect(unexpectedDialogs).toEqual([]);
  });

  it('sets the agent away and back, stays logged in across a reload, and logs out', async () => {
    await page.getByTestId('agent-status').selectOption('away');
    await expect.poll(async () => (await ts.api.get('/v1/agent/me', alice.token)).body.agent.status).toBe('away');
    await page.getByTestId('agent-status').selectOption('available');
    await expect.poll(async () => (await ts.api.get('/v1/agent/me', alice.token)).body.agent.status).toBe('available');

    // The token lives in sessionStorage: a reload keeps the agent logged in, on the same screen.
    await page.reload();
    await page.getByTestId('me-name').waitFor();
    await page.getByTestId('queue-list').waitFor();
    await page.getByTestId('logout').click();
    await page.getByTestId('console-login').waitFor();
    await page.reload();
    await page.getByTestId('console-login').waitFor();
    expect(await page.evaluate(() => Object.keys(sessionStorage).concat(Object.keys(localStorage)).filter((k) => k.startsWith('parley-console')))).toEqual([]);
    // A token the hub refuses (expired, or the agent was removed) sends the agent to the form with a reason.
    await page.evaluate(() => sessionStorage.setItem('parley-console:token', 'not-a-valid-token'));
    await page.reload();
    await page.getByTestId('console-login').getByText('Your session has ended').waitFor();
    await loginConsole(page, ts.url, alice.email);
  });

  it('shows hostile names, messages and context as text: nothing runs, no markup is made', async () => {
    const evil = '<img src=x onerror="window.__xss=1">Eve';
    const eve = await customer(ts, {
      first: '<script>window.__xss=2</script><b>bold?</b> javascript:alert(1)',
      queue: QUEUE,
      name: evil,
      context: { note: '<svg onload="window.__xss=3">', link: 'javascript:alert(1)' },
    });
    const row = page.getByTestId('queue-list').getByTestId('conversation-row').filter({ hasText: 'Eve' });
    await row.waitFor();
    expect(await row.getByTestId('conversation-name').textContent()).toBe(evil);
    await row.click();
    await page.getByTestId('accept').click();
    await log().getByText('<script>window.__xss=2</script><b>bold?</b> javascript:alert(1)').waitFor();
    expect(await page.getByTestId('thread-title').textContent()).toBe(evil);
    expect(await page.getByTestId('customer-context').textContent()).toContain('<svg onload="window.__xss=3">');
    await page.getByTestId('reply-input').fill('<img src=x onerror="window.__xss=4">');
    await page.keyboard.press('Enter');
    await eve.fromAgent(() => true);
    await mineBubbles().filter({ hasText: '<img src=x onerror="window.__xss=4">' }).waitFor();
    expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss ?? null)).toBeNull();
    expect(await injectedElements(page)).toBe(0);
    expect(await page.locator('.pc-log b').count()).toBe(0);
    expect(unexpectedDialogs).toEqual([]);
    await eve.close();
  });
});
