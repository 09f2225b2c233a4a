import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastAgent, identityToken } from '../helpers/flows.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { chromiumAvailable, launchChromium, SCREENSHOTS, type Chromium } from './chromium.js';
import { AgentSide, SMALL_PNG } from './customer-kit.js';

// The customer app (/app/), phone-sized: the seed's Chat and Offers tabs on Parley's API, plus profile,
// photo and location, history on reopen, and the PWA pieces (manifest, icons, service worker).

const LISBON = { latitude: 38.7223, longitude: -9.1393 };

describe.skipIf(!chromiumAvailable())('the customer app', () => {
  let ts: TestServer;
  let chrome: Chromium;
  let dana: AgentSide;
  let adminToken: string;
  let ctx: BrowserContext;
  let page: Page;
  let conv: string;

  /** The customer token and contact the app keeps in localStorage (the SDK's session record). */
  const session = async (p: Page = page): Promise<{ token: string; contact: { id: string } }> =>
    JSON.parse((await p.evaluate(() => localStorage.getItem('parley-app:customer:session'))) ?? 'null');

  beforeAll(async () => {
    ts = await startServer();
    chrome = await launchChromium();
    dana = await AgentSide.start(ts, { name: 'Dana Ortiz' });
    adminToken = (await fastAgent(ts, { name: 'Admin', role: 'admin', queues: ['default'] })).token;
    // The admin is not online (no stream), so round robin gives every chat to Dana.
    ctx = await chrome.browser.newContext({ viewport: { width: 390, height: 780 }, isMobile: true, hasTouch: true, geolocation: LISBON, permissions: ['geolocation'] });
    // Fail at the step that is stuck, not at the test's timeout.
    ctx.setDefaultTimeout(8000);
    page = await ctx.newPage();
  });
  afterAll(async () => {
    await dana?.close();
    await chrome?.close();
    await ts?.stop();
  });

  it('Chat tab: the customer writes, shares their location and a photo (camera input), and the agent answers', async () => {
    await page.goto(ts.url + '/app/');
    await page.getByTestId('parley-input').fill('Hi, has my order shipped?');
    await page.getByTestId('parley-send').click();
    conv = await dana.conversationWith('Hi, has my order shipped?');
    await page.getByTestId('parley-agent-name').filter({ hasText: 'Dana Ortiz' }).waitFor();

    await page.getByTestId('parley-location-button').click();
    const loc = await dana.message((e) => e.parts.some((p: any) => p.type === 'location'));
    expect(loc.parts[0]).toMatchObject({ type: 'location', lat: LISBON.latitude, lng: LISBON.longitude });
    await page.getByTestId('parley-location').waitFor();

    // The photo input asks phones for the back camera (and offers the gallery).
    const file = page.getByTestId('parley-file-input');
    expect(await file.getAttribute('accept')).toBe('image/*');
    expect(await file.getAttribute('capture')).toBe('environment');
    await file.setInputFiles(SMALL_PNG);
    await page.getByTestId('parley-attachment-preview').waitFor();
    await page.getByTestId('parley-input').fill('This is the parcel label');
    await page.getByTestId('parley-send').click();
    const photo = await dana.message((e) => e.parts.some((p: any) => p.type === 'media'));
    expect(photo.parts.map((p: any) => p.type)).toEqual(['media', 'text']);

    await dana.say(conv, { text: 'Thanks! It left our warehouse this morning, tracking: https://track.example.com/NW123' });
    await page.getByTestId('parley-message').filter({ hasText: 'left our warehouse' }).waitFor();
    await page.getByTestId('parley-image').last().evaluate((img) => (img as HTMLImageElement).decode());
    await page.screenshot({ path: join(SCREENSHOTS, 'app-chat.png') });
  });

  it('Offers tab: offers arrive live with an unread badge, render as QR code, link, image and text, and are dismissed', async () => {
    const { contact, token } = await session();
    const offer = (type: string, content: string) => ts.api.post('/v1/offers', { contactId: contact.id, type, content, fromId: 'spring-sale' }, adminToken);
    await offer('text', 'Spring sale: 20% off every city break this week.');
    await offer('link', 'https://shop.example.com/spring');
    await offer('image', `${ts.url}/app/icons/icon-192.png`);
    const qr = (await offer('qrcode', 'SPRING-20-NW')).body.offer;
    await expect.poll(() => page.getByTestId('parley-offers-badge').textContent()).toContain('4');

    await page.getByTestId('parley-tab-offers').click();
    const cards = page.getByTestId('parley-offer');
    await expect.poll(() => cards.count()).toBe(4);
    // Newest first: the QR code on top.
    expect(await cards.first().getAttribute('data-offer-type')).toBe('qrcode');
    await cards.first().getByTestId('parley-qr').waitFor();
    expect(await page.locator('[data-offer-type="link"] a').getAttribute('href')).toBe('https://shop.example.com/spring');
    await page.locator('[data-offer-type="image"] img').evaluate((img) => (img as HTMLImageElement).decode());

    // A chat message while the customer looks at offers counts on the Chat tab.
    await dana.say(conv, { text: 'Anything else I can do?' });
    await expect.poll(() => page.getByTestId('parley-chat-badge').textContent()).toContain('1');
    await page.screenshot({ path: join(SCREENSHOTS, 'app-offers.png') });

    await cards.first().getByTestId('parley-offer-dismiss').click();
    await expect.poll(() => cards.count()).toBe(3);
    await expect.poll(() => page.getByTestId('parley-offers-badge').textContent()).toContain('3');
    const list = await ts.api.get('/v1/offers', token);
    expect(list.body.offers.find((o: any) => o.id === qr.id).acknowledgedAt).toBeTruthy();

    await page.getByTestId('parley-tab-chat').click();
    expect(await page.getByTestId('parley-chat-badge').count()).toBe(0);
  });

  it('reopened, the app shows the whole history and the offers not yet dismissed', async () => {
    const before = await page.getByTestId('parley-message').count();
    expect(before).toBe(5);
    await page.reload();
    await expect.poll(() => page.getByTestId('parley-message').count()).toBe(before);
    await page.getByTestId('parley-agent-name').filter({ hasText: 'Dana Ortiz' }).waitFor();
    await expect.poll(() => page.getByTestId('parley-offers-badge').textContent()).toContain('3');
  });

  it('profile: an anonymous customer sets name and e-mail; a verified one sees them read-only', async () => {
    await page.getByTestId('parley-profile-button').click();
    await page.getByTestId('parley-profile-name').fill('Jane Doe');
    await page.getByTestId('parley-profile-email').fill('jane@example.com');
    await page.getByTestId('parley-profile-save').click();
    await page.getByText('Saved.').waitFor();
    const me = await ts.api.get('/v1/me', (await session()).token);
    expect(me.body.contact).toMatchObject({ name: 'Jane Doe', email: 'jane@example.com' });
    await page.keyboard.press('Escape');
    await page.getByTestId('parley-profile').waitFor({ state: 'detached' });

    const verifiedCtx = await chrome.browser.newContext({ viewport: { width: 390, height: 780 } });
    try {
      const p = await verifiedCtx.newPage();
      await p.goto(`${ts.url}/app/#identity=${await identityToken('cust-42', { name: 'Vera Smith', email: 'vera@example.com' })}`);
      // The token leaves the address bar once read.
      expect(new URL(p.url()).hash).toBe('');
      await expect.poll(async () => (await session(p))?.contact).toMatchObject({ verified: true });
      await p.getByTestId('parley-profile-button').click();
      expect(await p.getByTestId('parley-profile-name').inputValue()).toBe('Vera Smith');
      expect(await p.getByTestId('parley-profile-name').getAttribute('readonly')).not.toBeNull();
      expect(await p.getByTestId('parley-profile-save').count()).toBe(0);
    } finally {
      await verifiedCtx.close();
    }
  });

  it('is installable: manifest with icons, and a service worker that caches the shell but never the API', async () => {
    const manifest = await page.evaluate(async () => {
      const href = document.querySelector('link[rel=manifest]')?.getAttribute('href') ?? '';
      return (await fetch(href)).json();
    });
    expect(manifest).toMatchObject({ start_url: '/app/', scope: '/app/', display: 'standalone' });
    const sizes = manifest.icons.map((i: any) => i.sizes);
    expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512']));
    for (const icon of manifest.icons) expect((await page.request.get(ts.url + icon.src)).status()).toBe(200);

    await page.evaluate(() => navigator.serviceWorker.ready);
    // Controlled from the next load on: reload, chat a little (API traffic), then look in the caches.
    await page.reload();
    await expect.poll(() => page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
    await page.getByTestId('parley-message').first().waitFor();
    await page.getByTestId('parley-input').fill('One more thing');
    await page.getByTestId('parley-send').click();
    await dana.message((e) => e.parts.some((p: any) => p.text === 'One more thing'));
    const cached = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) for (const req of await (await caches.open(name)).keys()) urls.push(new URL(req.url).pathname);
      return urls;
    });
    expect(cached).toContain('/app/');
    expect(cached.some((u) => u.startsWith('/assets/'))).toBe(true);
    expect(cached.filter((u) => u.startsWith('/v1'))).toEqual([]);
  });
});
