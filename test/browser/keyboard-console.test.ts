import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastAgent } from '../helpers/flows.js';
import { agent } from '../helpers/server.js';
import { audit, focused, tabTo } from './a11y-kit.js';
import { chromiumAvailable } from './chromium.js';
import { answerConfirms, customer, type Customer } from './console-kit.js';
import { browserScene } from './scene.js';

// An agent with only a keyboard: logs in, skips the header, opens the waiting chat, accepts it, replies and
// ends it. After each step that removes what had focus (the login form, the Accept and End buttons), focus
// lands where the agent works next, never on <body>.

describe.skipIf(!chromiumAvailable())('the agent console by keyboard', () => {
  const s = browserScene({ context: audit() });
  let alice: { email: string };
  let jane: Customer;

  beforeAll(async () => {
    const root = await fastAgent(s.ts, { role: 'admin', name: 'Root' });
    // Manual: the chat waits until Alice accepts it.
    const q = await s.ts.api.post('/v1/admin/queues', { name: 'support', assignment: 'manual' }, root.token);
    alice = await agent(s.ts, { name: 'Alice Moreau', queues: [q.body.queue.id] });
    jane = await customer(s.ts, { first: 'Hi, my order A-1001 never arrived', queue: 'support', name: 'Jane Doe' });
    answerConfirms(s.page);
  });
  afterAll(async () => {
    await jane?.close();
  });

  it('logs in from the keyboard: the form starts in the e-mail box, and afterwards focus is in the main area', async () => {
    await s.page.goto(`${s.ts.url}/console/`);
    await expect.poll(() => focused(s.page)).toBe('login-email');
    await s.page.keyboard.type(alice.email);
    await s.page.keyboard.press('Tab');
    expect(await focused(s.page)).toBe('login-password');
    await s.page.keyboard.type('password123');
    await s.page.keyboard.press('Enter');
    await s.page.getByTestId('me-name').waitFor();
    await expect.poll(() => focused(s.page)).toBe('console-main');
    // From there the next stop is the first chat, not the header's controls.
    await s.page.keyboard.press('Tab');
    expect(await focused(s.page)).toBe('conversation-row');
  });

  it('a skip link, first in the tab order and visible when focused, jumps past the header', async () => {
    // Arriving with a saved session (a reload): the keyboard starts at the top of the page.
    await s.page.reload();
    await s.page.getByTestId('me-name').waitFor();
    await s.page.keyboard.press('Tab');
    expect(await focused(s.page)).toBe('skip-link');
    const box = await s.page.getByTestId('skip-link').boundingBox();
    expect(box && box.y >= 0 && box.height > 0).toBe(true);
    await s.page.keyboard.press('Enter');
    expect(await focused(s.page)).toBe('console-main');
    // The console's routes live in the URL's hash: the skip link must not have changed it.
    expect(new URL(s.page.url()).hash).toBe('');
    await s.page.keyboard.press('Tab');
    expect(await focused(s.page)).toBe('conversation-row');
  });

  it('opens the waiting chat, accepts it (focus moves to the reply box), replies and ends it (focus on the title)', async () => {
    await tabTo(s.page, 'conversation-row');
    await s.page.keyboard.press('Enter');
    await s.page.getByTestId('conversation-view').waitFor();
    expect(await s.page.getByTestId('thread-title').textContent()).toBe('Jane Doe');

    await tabTo(s.page, 'accept');
    await s.page.keyboard.press('Enter');
    await s.page.getByTestId('thread-phase').filter({ hasText: 'Active' }).waitFor();
    await expect.poll(() => focused(s.page)).toBe('reply-input');

    await s.page.keyboard.type('Sorry about that! Sending a new one today.');
    await s.page.keyboard.press('Enter');
    await jane.fromAgent((e) => e.parts[0]?.text === 'Sorry about that! Sending a new one today.');
    expect(await focused(s.page)).toBe('reply-input');

    // Back up from the reply box to the header's actions.
    await tabTo(s.page, 'end', { back: true });
    await s.page.keyboard.press('Enter');
    await s.page.getByTestId('thread-phase').filter({ hasText: 'Ended' }).waitFor();
    await expect.poll(() => focused(s.page)).toBe('thread-title');
  });
});
