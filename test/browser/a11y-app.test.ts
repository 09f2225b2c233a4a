import { describe, expect, it } from 'vitest';
import { audit, expectNoViolations, expectSmallTextReadable } from './a11y-kit.js';
import { chromiumAvailable } from './chromium.js';
import { browserScene } from './scene.js';

// axe-core over the customer app on a phone: the Chat tab talking with an agent, the Offers tab with one
// offer of each kind and a badge on Chat, and the profile sheet. Any WCAG 2.1 A/AA violation fails.

describe.skipIf(!chromiumAvailable())('accessibility of the customer app', () => {
  // Dana is online and available; the admin is not (no stream), so round robin gives the chat to Dana, and the
  // admin's token sends offers.
  const s = browserScene({ agent: 'Dana Ortiz', admin: { name: 'Admin', role: 'admin' }, context: audit({ phone: true }) });
  let conv: string;

  it('the Chat tab, empty and then talking with an agent', async () => {
    await s.page.goto(`${s.ts.url}/app/`);
    await s.page.getByTestId('parley-input').waitFor();
    await expectNoViolations(s.page, 'the app’s empty Chat tab');

    await s.page.getByTestId('parley-input').fill('Hi, has my order shipped?');
    await s.page.getByTestId('parley-send').click();
    conv = await s.agent.conversationWith('Hi, has my order shipped?');
    await s.agent.say(conv, { text: 'It left this morning: https://track.example.com/NW123' });
    await s.page.getByTestId('parley-message').filter({ hasText: 'left this morning' }).waitFor();
    await s.page.getByTestId('parley-agent-name').filter({ hasText: 'Dana Ortiz' }).waitFor();
    await expectNoViolations(s.page, 'the app’s Chat tab with an agent');
  });

  it('the Offers tab with every kind of offer, and an unread badge on Chat', async () => {
    // The contact the app's session belongs to (the SDK's session record in localStorage).
    const contactId: string = JSON.parse((await s.page.evaluate(() => localStorage.getItem('parley-app:customer:session'))) ?? 'null').contact.id;
    for (const [type, content] of [
      ['text', 'Spring sale: 20% off every city break this week.'],
      ['link', 'https://shop.example.com/spring'],
      ['image', `${s.ts.url}/app/icons/icon-192.png`],
      ['qrcode', 'SPRING-20-NW'],
    ] as const) {
      expect((await s.ts.api.post('/v1/offers', { contactId, type, content }, s.adminToken)).status).toBe(201);
    }
    await s.page.getByTestId('parley-tab-offers').click();
    await expect.poll(() => s.page.getByTestId('parley-offer').count()).toBe(4);
    await s.agent.say(conv, { text: 'Anything else I can do?' });
    await s.page.getByTestId('parley-chat-badge').waitFor();
    await expectNoViolations(s.page, 'the app’s Offers tab');
    // One-digit badges are too short for axe to judge: measured here.
    await expectSmallTextReadable(s.page, '.pa-badge');
  });

  it('the profile sheet', async () => {
    await s.page.getByTestId('parley-profile-button').click();
    await s.page.getByTestId('parley-profile-name').waitFor();
    await expectNoViolations(s.page, 'the app’s profile sheet');
    await s.page.keyboard.press('Escape');
  });
});
