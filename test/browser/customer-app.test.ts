import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { identityToken } from '../helpers/flows.js';
import { chromiumAvailable, SCREENSHOTS } from './chromium.js';
import { SMALL_PNG } from './customer-kit.js';
import { browserScene } from './scene.js';

// The customer app (/app/), phone-sized: the seed's Chat and Offers tabs on Parley's API, plus profile,
// photo and location, history on reopen, and the PWA pieces (manifest, icons, service worker).

const LISBON = { latitude: 38.7223, longitude: -9.1393 };

describe.skipIf(!chromiumAvailable())('the customer app', () => {
  // The admin is not online (no stream), so round robin gives every chat to Dana.
  const s = browserScene({
    agent: 'Dana Ortiz',
    admin: { name: 'Admin', role: 'admin', queues: ['default'] },
    context: (chrome) => chrome.browser.newContext({ viewport: { width: 390, height: 780 }, isMobile: true, hasTouch: true, geolocation: LISBON, permissions: ['geolocation'] }),
  });
  let conv: string;

  /** The customer token and contact the app keeps in localStorage (the SDK's session record). */
  const session = async (p: Page = s.page): Promise<{ token: string; contact: { id: string } }> =>
    JSON.parse((await p.evaluate(() => localStorage.getItem('parley-app:customer:session'))) ?? 'null');

  it('Chat tab: the customer writes, shares their location and a photo (camera input), and the agent answers', async () => {
    await s.page.goto(s.ts.url + '/app/');
    await s.page.getByTestId('parley-input').fill('Hi, has my order shipped?');
    await s.page.getByTestId('parley-send').click();
    conv = await s.agent.conversationWith('Hi, has my order shipped?');
    await s.page.getByTestId('parley-agent-name').filter({ hasText: 'Dana Ortiz' }).waitFor();

    await s.page.getByTestId('parley-location-button').click();
    const loc = await s.agent.message((e) => e.parts.some((p: any) => p.type === 'location'));
    expect(loc.parts[0]).toMatchObject({ type: 'location', lat: LISBON.latitude, lng: LISBON.longitude });
    await s.page.getByTestId('parley-location').waitFor();

    // The photo input asks phones for the back camera (and offers the gallery).
    const file = s.page.getByTestId('parley-file-input');
    expect(await file.getAttribute('accept')).toBe('image/*');
    expect(await file.getAttribute('capture')).toBe('environment');
    await file.setInputFiles(SMALL_PNG);
    await s.page.getByTestId('parley-attachment-preview').waitFor();
    await s.page.getByTestId('parley-input').fill('This is the parcel label');
    await s.page.getByTestId('parley-send').click();
    const photo = await s.agent.message((e) => e.parts.some((p: any) => p.type === 'media'));
    expect(photo.parts.map((p: any) => p.type)).toEqual(['media', 'text']);

    await s.agent.say(conv, { text: 'Thanks! It left our warehouse this morning, tracking: https://track.example.com/NW123' });
    await s.page.getByTestId('parley-message').filter({ hasText: 'left our warehouse' }).waitFor();
    await s.page.getByTestId('parley-image').last().evaluate((img) => (img as HTMLImageElement).decode());
    await s.page.screenshot({ path: join(SCREENSHOTS, 'app-chat.png') });
  });

  it('Offers tab: offers arrive live with an unread badge, render as QR code, link, image and text, and are dismissed', async () => {
    const { contact, token } = await session();
    const offer = (type: string, content: string) => s.ts.api.post('/v1/offers', { contactId: contact.id, type, content, fromId: 'spring-sale' }, s.adminToken);
    await offer('text', 'Spring sale: 20% off every city break this week.');
    await offer('link', 'https://shop.example.com/spring');
    await offer('image', `${s.ts.url}/app/icons/icon-192.png`);
    const qr = (await offer('qrcode', 'SPRING-20-NW')).body.offer;
    await expect.poll(() => s.page.getByTestId('parley-offers-badge').textContent()).toContain('4');

    await s.page.getByTestId('parley-tab-offers').click();
    const cards = s.page.getByTestId('parley-offer');
    await expect.poll(() => cards.count()).toBe(4);
    // Newest first: the QR code on top.
    expect(await cards.first().getAttribute('data-offer-type')).toBe('qrcode');
    await cards.first().getByTestId('parley-qr').waitFor();
    expect(await s.page.locator('[data-offer-type="link"] a').getAttribute('href')).toBe('https://shop.example.com/spring');
    await s.page.locator('[data-offer-type="image"] img').evaluate((img) => (img as HTMLImageElement).decode());

    // A chat message while the customer looks at offers counts on the Chat tab.
    await s.agent.say(conv, { text: 'Anything else I can do?' });
    await expect.poll(() => s.page.getByTestId('parley-chat-badge').textContent()).toContain('1');
    await s.page.screenshot({ path: join(SCREENSHOTS, 'app-offers.png') });

    await cards.first().getByTestId('parley-offer-dismiss').click();
    await expect.poll(() => cards.count()).toBe(3);
    await expect.poll(() => s.page.getByTestId('parley-offers-badge').textContent()).toContain('3');
    const list = await s.ts.api.get('/v1/offers', token);
    expect(list.body.offers.find((o: any) => o.id === qr.id).acknowledgedAt).toBeTruthy();

    await s.page.getByTestId('parley-tab-chat').click();
    expect(await s.page.getByTestId('parley-chat-badge').count()).toBe(0);
  });

  it('reopened, the app shows the whole history and the offers not yet dismissed', async () => {
    const before = await s.page.getByTestId('parley-message').count();
    expect(before).toBe(5);
    await s.page.reload();
    await expect.poll(() => s.page.getByTestId('parley-message').count()).toBe(before);
    await s.page.getByTestId('parley-agent-name').filter({ hasText: 'Dana Ortiz' }).waitFor();
    await expect.poll(() => s.page.getByTestId('parley-offers-badge').textContent()).toContain('3');
  });

  it('profile: an anonymous customer sets name and e-mail; a verified one sees them read-only', async () => {
    await s.page.getByTestId('parley-profile-button').click();
    await s.page.getByTestId('parley-profile-name').fill('Jane Doe');
    await s.page.getByTestId('parley-profile-email').fill('jane@example.com');
    await s.page.getByTestId('parley-profile-save').click();
    await s.page.getByText('Saved.').waitFor();
    const me = await s.ts.api.get('/v1/me', (await session()).token);
    expect(me.body.contact).toMatchObject({ name: 'Jane Doe', email: 'jane@example.com' });
    await s.page.keyboard.press('Escape');
    await s.page.getByTestId('parley-profile').waitFor({ state: 'detached' });

    const verifiedCtx = await s.chrome.browser.newContext({ viewport: { width: 390, height: 780 } });
    try {
      const p = await verifiedCtx.newPage();
      await p.goto(`${s.ts.url}/app/#identity=${await identityToken('cust-42', { name: 'Vera Smith', email: 'vera@example.com' })}`);
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

  it('a caption sent while its photo is still uploading goes out with the photo', async () => {
    // A slow network: the upload answers 800 ms late, and the customer presses send before that.
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    await s.page.route('**/v1/media', async (route) => {
      await held;
      await route.continue();
    });
    try {
      await s.page.getByTestId('parley-file-input').setInputFiles(SMALL_PNG);
      await s.page.getByTestId('parley-attachment-preview').waitFor();
      await s.page.getByTestId('parley-input').fill('Label, sent early');
      await s.page.getByTestId('parley-send').click();
      setTimeout(release, 800);
      const sent = await s.agent.message((e) => e.parts.some((p: any) => p.text === 'Label, sent early'));
      expect(sent.parts.map((p: any) => p.type)).toEqual(['media', 'text']);
      await expect.poll(() => s.page.getByTestId('parley-attachment').count()).toBe(0);
    } finally {
      release();
      await s.page.unroute('**/v1/media');
    }
  });

  it('is installable: manifest with icons, and a service worker that caches the shell but never the API', async () => {
    const manifest = await s.page.evaluate(async () => {
      const href = document.querySelector('link[rel=manifest]')?.getAttribute('href') ?? '';
      return (await fetch(href)).json();
    });
    expect(manifest).toMatchObject({ start_url: '/app/', scope: '/app/', display: 'standalone' });
    const sizes = manifest.icons.map((i: any) => i.sizes);
    expect(sizes).toEqual(expect.arrayContaining(['192x192', '512x512']));
    for (const icon of manifest.icons) expect((await s.page.request.get(s.ts.url + icon.src)).status()).toBe(200);

    await s.page.evaluate(() => navigator.serviceWorker.ready);
    // Controlled from the next load on: reload, chat a little (API traffic), then look in the caches.
    await s.page.reload();
    await expect.poll(() => s.page.evaluate(() => Boolean(navigator.serviceWorker.controller))).toBe(true);
    await s.page.getByTestId('parley-message').first().waitFor();
    await s.page.getByTestId('parley-input').fill('One more thing');
    await s.page.getByTestId('parley-send').click();
    await s.agent.message((e) => e.parts.some((p: any) => p.text === 'One more thing'));
    const cached = await s.page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) for (const req of await (await caches.open(name)).keys()) urls.push(new URL(req.url).pathname);
      return urls;
    });
    expect(cached).toContain('/app/');
    expect(cached.some((u) => u.startsWith('/assets/'))).toBe(true);
    expect(cached.filter((u) => u.startsWith('/v1'))).toEqual([]);
  });
});
