import { join } from 'node:path';
import qrcode from 'qrcode-generator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeQueue } from '../helpers/flows.js';
import { chromiumAvailable, SCREENSHOTS } from './chromium.js';
import { AgentSide, hostSite, LARGER_PNG, SMALL_PNG, widgetPageHtml, type HostSite } from './customer-kit.js';
import { browserScene, desktop } from './scene.js';

// The embeddable widget, on a business's page served from another origin, talking to an agent who is
// driven through the agent API: the whole customer experience of one chat.

describe.skipIf(!chromiumAvailable())('the chat widget', () => {
  let site: HostSite;
  beforeAll(async () => {
    site = await hostSite();
  });
  afterAll(async () => {
    await site?.close();
  });
  const s = browserScene({
    // Uploads above 4 KB are refused, so the 6 KB test image shows the size error and the 2 KB one goes through.
    server: () => ({ env: { PARLEY_CORS_ORIGINS: site.origin, PARLEY_MEDIA_MAX_BYTES: '4096' } }),
    agent: 'Anna Berg',
    context: desktop,
  });
  let conv: string;

  const messages = () => s.page.getByTestId('parley-message');

  it('opens from the launcher with focus in the message box, and the customer and the agent talk (typing, ticks, agent name)', async () => {
    await s.page.goto(site.page('/shop', widgetPageHtml(s.ts.url, { title: 'Acme help', color: '#0a7c55' })));
    await s.page.getByTestId('parley-launcher').click();
    await s.page.getByTestId('parley-panel').waitFor();
    expect(await s.page.getByTestId('parley-title').textContent()).toBe('Acme help');
    await expect.poll(() => s.page.getByTestId('parley-input').evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el)).toBe(true);

    // The customer types: the agent sees it (once a conversation exists, so the first message opens it).
    await s.page.keyboard.type('Hello, I need help with my booking');
    await s.page.keyboard.press('Enter');
    conv = await s.agent.conversationWith('Hello, I need help with my booking');
    const mine = messages().first();
    expect(await mine.getAttribute('data-author-role')).toBe('customer');

    // Anna is online and available: round robin gives her the chat, and the customer sees who she is.
    await s.page.getByTestId('parley-agent-name').filter({ hasText: 'Anna Berg' }).waitFor();
    await s.page.getByTestId('parley-notice').filter({ hasText: 'Anna Berg joined the chat' }).waitFor();
    expect(await s.page.getByTestId('parley-avatar').first().textContent()).toBe('AB');

    // Ticks: delivered once Anna's stream carried it, read once she says so.
    await expect.poll(() => mine.getAttribute('data-status')).toMatch(/delivered|read/);
    const seq = (await s.agent.message((e) => e.conversationId === conv && e.author.role === 'customer')).seq;
    await s.agent.read(conv, seq);
    await expect.poll(() => mine.getAttribute('data-status')).toBe('read');

    // Anna types, then answers.
    await s.agent.typing(conv, true);
    await s.page.getByTestId('parley-typing').filter({ hasText: 'Anna Berg is typing' }).waitFor();
    await s.agent.say(conv, { text: 'Hi! What is the booking number?' });
    await s.page.getByTestId('parley-typing').waitFor({ state: 'detached' });
    const reply = messages().filter({ hasText: 'What is the booking number?' });
    expect(await reply.getAttribute('data-author-role')).toBe('agent');

    // The customer typing reaches Anna.
    await s.page.getByTestId('parley-input').pressSequentially('NW-4', { delay: 20 });
    await s.agent.stream.next((f) => f.type === 'typing' && f.conversationId === conv && f.typing === true);
    await s.page.getByTestId('parley-send').click();
    await s.agent.message((e) => e.parts.some((p: any) => p.text === 'NW-4'));
  });

  it('quick replies answer with a click, and a qr part is drawn as a real QR code', async () => {
    await s.agent.say(conv, { parts: [{ type: 'quick_replies', text: 'Shall I rebook you?', replies: [{ title: 'Yes please', payload: 'REBOOK' }, { title: 'No' }] }] });
    await s.page.getByTestId('parley-quick-reply').filter({ hasText: 'Yes please' }).click();
    await s.agent.message((e) => e.parts.some((p: any) => p.type === 'text' && p.text === 'Yes please'));
    // Once answered, the choices are history: no longer clickable.
    await expect.poll(() => s.page.getByTestId('parley-quick-reply').first().isDisabled()).toBe(true);

    await s.agent.say(conv, { parts: [{ type: 'text', text: 'Your boarding pass:' }, { type: 'qr', content: 'NW-4 LIS 12A' }] });
    const svg = s.page.getByTestId('parley-qr');
    await svg.waitFor();
    // The same matrix the generator makes for this content (version and modules), drawn as an SVG path.
    const q = qrcode(0, 'M');
    q.addData('NW-4 LIS 12A', 'Byte');
    q.make();
    const n = q.getModuleCount();
    expect(await svg.getAttribute('viewBox')).toBe(`-4 -4 ${n + 8} ${n + 8}`);
    const d = (await svg.locator('path').getAttribute('d')) ?? '';
    let dark = 0;
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) if (q.isDark(y, x)) dark++;
    const drawn = [...d.matchAll(/h(\d+)v1/g)].reduce((s, m) => s + Number(m[1]), 0);
    expect(drawn).toBe(dark);

    await s.agent.typing(conv, true);
    await s.page.getByTestId('parley-typing').waitFor();
    // The widget's corner of the page: the open panel and the launcher under it.
    await s.page.screenshot({ path: join(SCREENSHOTS, 'widget-open.png'), clip: { x: 870, y: 90, width: 410, height: 710 } });
    await s.agent.typing(conv, false);
    await s.page.getByTestId('parley-typing').waitFor({ state: 'detached' });
  });

  it('a photo shows a preview, arrives at the agent as an image, and a file over the size limit shows why it was refused', async () => {
    await s.page.getByTestId('parley-file-input').setInputFiles(SMALL_PNG);
    await s.page.getByTestId('parley-attachment-preview').waitFor();
    await expect.poll(() => s.page.getByTestId('parley-send').isEnabled()).toBe(true);
    await s.page.getByTestId('parley-send').click();
    const media = await s.agent.message((e) => e.parts.some((p: any) => p.type === 'media'));
    expect(media.parts[0]).toMatchObject({ type: 'media', mime: 'image/png' });
    const img = messages().last().getByTestId('parley-image');
    await img.waitFor();
    await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBe(192);

    await s.agent.say(conv, { parts: [{ type: 'location', lat: 38.7223, lng: -9.1393, name: 'Northwind desk, Lisbon airport' }] });
    await s.page.getByTestId('parley-location').waitFor();

    await s.page.getByTestId('parley-file-input').setInputFiles(LARGER_PNG);
    const err = s.page.getByTestId('parley-error');
    await err.waitFor();
    expect(await err.textContent()).toContain('too large');
    expect(await s.page.getByTestId('parley-attachment').count()).toBe(0);
  });

  it('shows the transfer as notices and the new agent in the header', async () => {
    const bo = await AgentSide.start(s.ts, { name: 'Bo Chen' });
    try {
      await s.agent.post(`${conv}/transfer`, { toAgentId: bo.id });
      await s.page.getByTestId('parley-notice').filter({ hasText: 'Transferring you to Bo Chen' }).waitFor();
      await s.page.getByTestId('parley-notice').filter({ hasText: 'Anna Berg left the chat' }).waitFor();
      await s.page.getByTestId('parley-notice').filter({ hasText: 'Bo Chen joined the chat' }).waitFor();
      await s.page.getByTestId('parley-agent-name').filter({ hasText: 'Bo Chen' }).waitFor();
      await bo.say(conv, { text: 'Bo here, I have your booking open.' });
      await messages().filter({ hasText: 'Bo here' }).waitFor();
    } finally {
      await bo.close();
    }
  });

  it('Escape closes the panel (focus back on the launcher); agent messages while closed show as an unread badge', async () => {
    await s.page.getByTestId('parley-input').focus();
    await s.page.keyboard.press('Escape');
    await s.page.getByTestId('parley-panel').waitFor({ state: 'detached' });
    await expect.poll(() => s.page.getByTestId('parley-launcher').evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el)).toBe(true);

    const bo = await s.ts.server.database.db.selectFrom('agents').select(['id']).where('name', '=', 'Bo Chen').executeTakeFirstOrThrow();
    const boToken = await s.ts.server.services.tokens.agentToken(bo.id, 0);
    await s.ts.api.post(`/v1/agent/conversations/${conv}/messages`, { clientMessageId: 'bo-1', text: 'Anything else?' }, boToken);
    await s.ts.api.post(`/v1/agent/conversations/${conv}/messages`, { clientMessageId: 'bo-2', text: 'I will be here.' }, boToken);
    await expect.poll(() => s.page.getByTestId('parley-unread').textContent()).toBe('2');
    expect(await s.page.getByTestId('parley-launcher').getAttribute('aria-label')).toContain('2 unread messages');

    await s.page.keyboard.press('Enter'); // the launcher has focus
    await s.page.getByTestId('parley-panel').waitFor();
    expect(await s.page.getByTestId('parley-unread').count()).toBe(0);
  });

  it('after a reload the customer sees the whole conversation again, and can end it', async () => {
    const before = await messages().count();
    expect(before).toBeGreaterThanOrEqual(10);
    await s.page.reload();
    // The panel was open: it reopens, resumes the stored session and shows the same history.
    await s.page.getByTestId('parley-panel').waitFor();
    await expect.poll(() => messages().count()).toBe(before);
    expect(await s.page.getByTestId('parley-agent-name').textContent()).toBe('Bo Chen');
    expect(await s.page.getByTestId('parley-qr').count()).toBe(1);

    await s.page.getByTestId('parley-end').click();
    await s.page.getByTestId('parley-notice').filter({ hasText: 'You ended the chat' }).waitFor();
    await s.page.getByTestId('parley-new-chat').waitFor();
    expect(await s.page.getByTestId('parley-input').count()).toBe(0);
  });

  it('offline, a message waits (clock) and goes out when the network is back; one the hub refuses says why and can be deleted', async () => {
    const c2 = await s.newContext();
    const p = await c2.newPage();
    try {
      await p.goto(site.page('/offline', widgetPageHtml(s.ts.url)));
      await p.getByTestId('parley-launcher').click();
      await p.getByTestId('parley-input').fill('Before the tunnel');
      await p.getByTestId('parley-send').click();
      const id = await s.agent.conversationWith('Before the tunnel');

      await c2.setOffline(true);
      await p.getByTestId('parley-offline').waitFor();
      await p.getByTestId('parley-input').fill('In the tunnel');
      await p.getByTestId('parley-send').click();
      const waiting = p.getByTestId('parley-message').filter({ hasText: 'In the tunnel' });
      expect(await waiting.getAttribute('data-status')).toBe('pending');
      await c2.setOffline(false);
      await p.getByTestId('parley-offline').waitFor({ state: 'detached' });
      await s.agent.message((e) => e.parts.some((x: any) => x.text === 'In the tunnel'));
      await expect.poll(() => waiting.getAttribute('data-status')).toMatch(/sent|delivered|read/);

      // Offline again; meanwhile the agent ends the chat, so the hub refuses what the customer writes.
      await c2.setOffline(true);
      await p.getByTestId('parley-offline').waitFor();
      await s.agent.post(`${id}/end`);
      await p.getByTestId('parley-input').fill('One more question');
      await p.getByTestId('parley-send').click();
      await c2.setOffline(false);
      const refused = p.getByTestId('parley-message').filter({ hasText: 'One more question' });
      await expect.poll(() => refused.getAttribute('data-status')).toBe('failed');
      expect(await refused.getByTestId('parley-status').textContent()).toContain('This chat has ended');
      // Retrying cannot help once the chat ended; deleting removes it (from storage too).
      expect(await refused.getByTestId('parley-retry').count()).toBe(0);
      await refused.getByTestId('parley-discard').click();
      await refused.waitFor({ state: 'detached' });
      await p.getByTestId('parley-new-chat').waitFor();
    } finally {
      await c2.close();
    }
  });

  it('a message the business sends first (proactive) counts on the badge, and the customer answers it in the same chat', async () => {
    const c3 = await s.newContext();
    const p = await c3.newPage();
    try {
      await p.goto(site.page('/proactive', widgetPageHtml(s.ts.url)));
      // A visitor who opened the chat once has a session; then closes it and keeps browsing.
      await p.getByTestId('parley-launcher').click();
      await expect.poll(() => p.evaluate(() => localStorage.getItem('parley:customer:session'))).toBeTruthy();
      await p.getByTestId('parley-close').click();
      const { contact } = JSON.parse((await p.evaluate(() => localStorage.getItem('parley:customer:session'))) as string);
      const admin = await AgentSide.start(s.ts, { name: 'Ops', role: 'admin' });
      try {
        const r = await s.ts.api.post('/v1/messages/proactive', { contactId: contact.id, text: 'Your flight NW-4 is delayed by 40 minutes.', from: { name: 'Northwind alerts' } }, admin.token);
        expect(r.status).toBe(201);
      } finally {
        await admin.close();
      }
      await expect.poll(() => p.getByTestId('parley-unread').textContent()).toBe('1');
      await p.getByTestId('parley-launcher').click();
      const alert = p.getByTestId('parley-message').filter({ hasText: 'delayed by 40 minutes' });
      expect(await alert.getAttribute('data-author-role')).toBe('business');
      expect(await p.getByTestId('parley-author').first().textContent()).toBe('Northwind alerts');
      await p.getByTestId('parley-input').fill('Will I make my connection?');
      await p.getByTestId('parley-send').click();
      const id = await s.agent.conversationWith('Will I make my connection?');
      const events = await s.ts.api.get(`/v1/agent/conversations/${id}/events?after=0`, s.agent.token);
      expect(events.body.events.filter((e: any) => e.kind === 'message').map((e: any) => e.author.role)).toEqual(['business', 'customer']);
    } finally {
      await c3.close();
    }
  });

  it('while no agent is free, the customer sees their place in the queue until one accepts', async () => {
    const admin = await AgentSide.start(s.ts, { name: 'Queue Admin', role: 'admin' });
    const queue = await makeQueue(s.ts, admin.token, 'manual');
    const cara = await AgentSide.start(s.ts, { name: 'Cara Diaz', queues: [queue.id] });
    const p2 = await s.ctx.browser()!.newContext().then((c) => c.newPage());
    try {
      await p2.goto(site.page('/queue', widgetPageHtml(s.ts.url, { queue: queue.name, position: 'bottom-left' })));
      await p2.getByTestId('parley-launcher').click();
      await p2.getByTestId('parley-input').fill('Is anyone there?');
      await p2.getByTestId('parley-send').click();
      const id = await cara.conversationWith('Is anyone there?');
      const banner = p2.getByTestId('parley-queue-position');
      await banner.waitFor();
      expect(await banner.textContent()).toContain('next in the queue');
      await cara.accept(id);
      await banner.waitFor({ state: 'detached' });
      await p2.getByTestId('parley-agent-name').filter({ hasText: 'Cara Diaz' }).waitFor();
    } finally {
      await p2.context().close();
      await cara.close();
      await admin.close();
    }
  });
});
