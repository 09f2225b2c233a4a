import { describe, expect, it } from 'vitest';
import { audit, axeFindings, expectNoViolations } from './a11y-kit.js';
import { chromiumAvailable } from './chromium.js';
import { browserScene } from './scene.js';
import * as chat from './webchat-kit.js';

// axe-core over the web chat page (/webchat/): our page (header and nav, the offers, "About this page" with
// the code sample and its notes, the footer) and IBM's Carbon AI Chat 1.9.1 on it, open with the assistant,
// handed over to an agent, without Parley's bundle (the page's warning note), and on a phone. Any WCAG 2.1
// A/AA violation fails, naming the rule and the node.
//
// Carbon's chat (the #webchat host main.ts adds, and its shadow roots) is IBM's component, not ours: where
// it has violations we cannot fix from the page, those states are audited with it excluded, and Carbon's own
// findings are pinned to the ones we know (CARBON_KNOWN), so a new one fails here and a fixed one is noticed.

/** Carbon's chat window: main.ts renders ChatContainer into this element. */
const CARBON = '#webchat';

/**
 * Carbon 1.9.1's violations, and why we cannot fix them from the page:
 * - image-alt: once an agent joined, the agent's avatar <img> in the banner and beside each agent message has
 *   no alt. Carbon sets `alt: languagePack.agent_ariaResponseUserAvatar`, a key its English language pack
 *   does not define (it has agent_ariaHumanAgentAvatar), so the attribute is left out.
 * - button-name: the "Scroll to bottom" button (cds-aichat-button in .cds-aichat__scroll-to-bottom), shown
 *   once the list has scrolled (here with the agent's message and the end-chat dialog): its aria-label is on
 *   the custom element, and the <button> inside its shadow root has no name.
 */
const CARBON_KNOWN = ['image-alt', 'button-name'];

describe.skipIf(!chromiumAvailable())('accessibility of the web chat page', () => {
  // An agent online: the assistant offers the connect card, and the handover reaches her.
  const s = browserScene({ agent: 'Ada Lovelace', context: audit(), timeout: 15_000 });

  /** Our own content is on the page (the audit is not of an empty shell). */
  async function ourContentShown(page = s.page): Promise<void> {
    for (const sel of ['header.nav', 'nav[aria-label="Main"]', 'main h1', '#help h2', '#help pre code', '#entry-point', 'footer.foot']) {
      expect(await page.locator(sel).count(), sel).toBe(1);
    }
    expect(await page.locator('#help h2').textContent()).toBe('About this page');
  }

  /** Carbon's findings (the whole page's minus our own): only the known ones. */
  async function carbonOnlyKnown(where: string): Promise<void> {
    const found = (await axeFindings(s.page)).filter((v) => !CARBON_KNOWN.includes(v.id));
    expect(
      found.flatMap((v) => v.nodes.map((n) => `${v.id} ${JSON.stringify(n.target)}: ${n.summary}`)),
      `new axe violations in Carbon AI Chat on ${where}`,
    ).toEqual([]);
  }

  it('open with the assistant: the whole page, Carbon included', async () => {
    await chat.openWebChat(s.page, s.ts.url, { entryPoint: 'demo-genesys' });
    await ourContentShown();
    expect(await s.page.locator('#entry-point').textContent()).toContain('"demo-genesys"');
    await expectNoViolations(s.page, 'the web chat page, open');

    await chat.say(s.page, 'Which trips do you have in Lisbon?');
    await chat.waitForText(s.page, 'Lisbon city break');
    await expectNoViolations(s.page, 'the web chat page with an answer of the assistant');

    await chat.askForAgent(s.page, { press: false });
    await expectNoViolations(s.page, 'the web chat page with the connect card');
  });

  it('handed over to an agent: our page (Carbon excluded: see CARBON_KNOWN)', async () => {
    await s.page.locator(chat.WEBCHAT_SELECTORS.cardButton).last().click();
    await s.page.locator(chat.WEBCHAT_SELECTORS.banner).waitFor();
    const handover = await s.agent.message((m) => m.parts[0]?.text?.startsWith('Handed over by the assistant.'), 15_000);
    await s.agent.accept(handover.conversationId);
    await chat.waitForAgentJoined(s.page, 'Ada Lovelace');
    await s.agent.say(handover.conversationId, { text: 'Hello, how can I help?' });
    await chat.waitForAgentMessage(s.page, 'Hello, how can I help?');
    await expectNoViolations(s.page, 'the web chat page with an agent', { exclude: [CARBON] });
    await carbonOnlyKnown('the chat with an agent');

    await s.page.locator(chat.WEBCHAT_SELECTORS.bannerButton).click();
    await s.page.locator(chat.WEBCHAT_SELECTORS.confirm).waitFor();
    await expectNoViolations(s.page, 'the web chat page with the end-chat dialog', { exclude: [CARBON] });
    await carbonOnlyKnown('the end-chat dialog');
    await s.page.locator(chat.WEBCHAT_SELECTORS.confirmNo).click();
    await s.page.locator(chat.WEBCHAT_SELECTORS.confirm).waitFor({ state: 'detached' });
  });

  it('closed to its launcher: the whole page', async () => {
    await s.page.getByTestId('close_chat').click();
    await s.page.getByTestId('launcher_open_chat').waitFor();
    // Carbon fades the window out: audit once it is gone, not its half-transparent colours on the way.
    await s.page.getByTestId('chat_widget').waitFor({ state: 'hidden' });
    await expectNoViolations(s.page, 'the web chat page with the chat closed');
  });

  it("without Parley's bundle: the page's warning note", async () => {
    const ctx = await s.newContext(audit());
    try {
      const page = await ctx.newPage();
      await page.route('**/watson.js', (r) => r.fulfill({ status: 404, contentType: 'text/plain', body: 'not built' }));
      await chat.openWebChat(page, s.ts.url);
      expect(await chat.deskMissingNote(page)).toContain('/watson.js');
      await ourContentShown(page);
      await expectNoViolations(page, 'the web chat page without the service desk bundle');
    } finally {
      await ctx.close();
    }
  });

  it('on a phone, the chat open over the page', async () => {
    const ctx = await s.newContext(audit({ phone: true }));
    try {
      const page = await ctx.newPage();
      await chat.openWebChat(page, s.ts.url);
      await ourContentShown(page);
      await expectNoViolations(page, 'the web chat page on a phone');
    } finally {
      await ctx.close();
    }
  });
});
