import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_LP_ENTRY_POINT } from '../../src/cli/demo-liveperson.js';
import { DEMO_ENTRY_POINT, type Demo } from '../../src/cli/demo.js';
import { until } from '../helpers/server.js';
import { startTestDemo } from './demo-scene.js';
import { chromiumAvailable, launchChromium, SCREENSHOTS, type Chromium } from './chromium.js';
import { SMALL_PNG } from './customer-kit.js';
import * as chat from './webchat-kit.js';

// The web chat page (/webchat/: Carbon AI Chat with the stand-in assistant and Parley's service desk bundle,
// /watson.js) handing over to a vendor desk, on `parley demo`'s wiring: the same flow runs against the Genesys
// emulator's agent (entry point demo-genesys) and the LivePerson emulator's agent (demo-liveperson), each agent
// played through its emulator's control API. What Carbon does not render (agentTyping, agentReadMessages) is
// read from the bundle's callback trace (window.__watsonCalls, PARLEY_WATSON_TRACE).

/** Per step: vendor webhooks and Genesys notifications are asynchronous. */
const STEP = 15_000;
const TEST = 45_000;
const QUESTION = 'Can I move my Lisbon trip?';

describe.skipIf(!chromiumAvailable())('web chat handing over to vendor desks (Genesys and LivePerson emulators)', () => {
  let demo: Demo;
  let chrome: Chromium;
  let base: string;
  let ctx: BrowserContext | undefined;

  const control = async (root: string, method: string, path: string, body?: unknown): Promise<any> => {
    const res = await fetch(`${root}${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.status === 204 ? undefined : ((await res.json()) as unknown);
  };
  const genesys = (method: string, path: string, body?: unknown) => control(`${demo.emulator.url}/__control/genesys`, method, path, body);
  const lp = (method: string, path: string, body?: unknown) => control(`${demo.liveperson!.liveperson.url}/__control/liveperson`, method, path, body);

  /** A fresh context and page with the bundle's callback trace on; page errors collected. */
  async function webChat(entryPoint: string): Promise<{ page: Page; errors: string[] }> {
    ctx = await chrome.context();
    ctx.setDefaultTimeout(STEP);
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await chat.traceWatson(page);
    await chat.openWebChat(page, base, { entryPoint, timeout: STEP });
    return { page, errors };
  }

  const calls = chat.watsonCalls;
  const waitForCall = async (page: Page, name: string, match: (c: chat.WatsonCall) => boolean = () => true): Promise<chat.WatsonCall> =>
    (await until(async () => (await calls(page, name)).find(match), STEP, `web chat callback ${name}`))!;
  /** The nickname of the last agentJoined call (what Carbon shows as "<name> connected."). */
  const joinedName = async (page: Page): Promise<string> => ((await calls(page, 'agentJoined')).at(-1)?.args[0] as { nickname: string }).nickname;
  /** Waits for the n-th status line matching `text` (the same agent name can join twice). */
  const waitForStatusCount = (page: Page, text: RegExp, n: number) =>
    until(async () => (await chat.statusLines(page)).filter((l) => text.test(l)).length >= n, STEP, `${n}× status ${String(text)}`);

  /** Types into the input without sending (Carbon calls userTyping), then sends with Enter. */
  async function typeThenSend(page: Page, text: string, typed: () => Promise<unknown>): Promise<void> {
    const box = page.locator(`${chat.WEBCHAT_SELECTORS.input}[contenteditable="true"]`);
    await box.click();
    await box.pressSequentially(text, { delay: 15 });
    await typed();
    const before = await page.locator(chat.WEBCHAT_SELECTORS.userMessage).count();
    await page.keyboard.press('Enter');
    await page.locator(chat.WEBCHAT_SELECTORS.userMessage).nth(before).filter({ hasText: text }).waitFor();
  }

  /** The bot chat, then the handover: the connect card and its button. */
  async function handOver(page: Page): Promise<void> {
    await chat.say(page, QUESTION);
    await chat.waitForText(page, 'Lisbon city break', { timeout: STEP });
    await chat.askForAgent(page, { text: 'I would like to talk to an agent', timeout: STEP });
    await page.locator(chat.WEBCHAT_SELECTORS.banner).waitFor({ timeout: STEP });
  }

  const expectHandover = (summary: unknown) => {
    expect(typeof summary).toBe('string');
    const s = summary as string;
    expect(s.startsWith('Handed over by the assistant.')).toBe(true);
    expect(s).toContain(`Topic: ${QUESTION}`);
    expect(s).toContain(`Customer: ${QUESTION}`);
    expect(s).toContain('Assistant: You asked:');
  };

  /**
   * The agent ended the chat: Carbon's last status line names them ("<name> ended the chat."), and no
   * "<name> disconnected." comes before it (that line means the agent left a chat that goes on).
   */
  const expectEndedBy = async (page: Page, name: string) => {
    const lines = await chat.statusLines(page);
    const why = `status lines ${JSON.stringify(lines)}; callbacks ${JSON.stringify((await chat.watsonCalls(page)).map((c) => c.name).slice(-4))}`;
    expect(lines.at(-1), why).toBe(chat.CARBON_TEXT.agentEnded(name));
    expect(lines.slice(-2, -1), why).not.toContain(chat.CARBON_TEXT.left(name));
  };

  const png = () => ({ name: 'boarding-pass.png', mimeType: 'image/png', buffer: readFileSync(SMALL_PNG) });

  beforeAll(async () => {
    demo = await startTestDemo({ liveperson: true });
    base = new URL(demo.webChatUrl).origin;
    chrome = await launchChromium();
  });
  afterEach(async () => {
    await ctx?.close();
    ctx = undefined;
  });
  afterAll(async () => {
    await chrome?.close();
    await demo?.close();
  });

  it('Genesys: the handover summary, the agent joins, typing and messages both ways, a QR code, a file, a transfer and the end', { timeout: TEST }, async () => {
    const { agents } = await genesys('GET', '/agents');
    for (const a of agents) await genesys('PATCH', `/agents/${a.id}`, { onQueue: true });
    const bea = (agents as { id: string; name: string }[]).find((a) => a.name === 'Bea Agent')!;

    const { page, errors } = await webChat(DEMO_ENTRY_POINT);
    await handOver(page);

    // The conversation waits in Genesys; its first customer message is the handover summary.
    const conv = await until(
      async () => ((await genesys('GET', '/conversations')).conversations as any[]).find((c) => c.phase === 'waiting' && c.messages.some((m: any) => m.by === 'customer')),
      STEP,
      'the conversation waiting in Genesys',
    );
    expectHandover(conv.messages.find((m: any) => m.by === 'customer').text);

    // Joins, transfers and ends reach Parley over its notification socket at the emulator.
    await until(async () => ((await genesys('GET', '/notifications')).channels as { sockets: number }[]).some((c) => c.sockets > 0), STEP, 'Parley’s notification socket');
    const accepted = await genesys('POST', `/conversations/${conv.id}/accept`, {});
    const name: string = accepted.agent.name;
    await chat.waitForAgentJoined(page, name, { timeout: STEP });

    // The customer types (Genesys records it), then sends.
    await typeThenSend(page, 'The 21st would be great', () => until(async () => (await genesys('GET', `/conversations/${conv.id}`)).customerTyping, STEP, 'the customer typing at Genesys'));
    await until(async () => ((await genesys('GET', `/conversations/${conv.id}`)).messages as any[]).some((m) => m.by === 'customer' && m.text === 'The 21st would be great'), STEP, 'the message at Genesys');

    // The agent types, answers, and sends a QR code.
    await genesys('POST', `/conversations/${conv.id}/typing`);
    await waitForCall(page, 'agentTyping', (c) => c.args[0] === true);
    await genesys('POST', `/conversations/${conv.id}/reply`, { text: 'Of course, the 21st it is.' });
    await chat.waitForAgentMessage(page, 'Of course, the 21st it is.', { timeout: STEP });
    await genesys('POST', `/conversations/${conv.id}/reply`, { qr: 'NW-4 LIS 12A' });
    const qr = page.locator(`${chat.WEBCHAT_SELECTORS.message} img[alt="QR code: NW-4 LIS 12A"]`);
    await qr.waitFor({ timeout: STEP });
    await expect.poll(() => qr.evaluate((el) => (el as HTMLImageElement).naturalWidth), { timeout: STEP }).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'webchat-genesys.png') });

    // The customer's file reaches the Genesys conversation as an attachment.
    await chat.attachFile(page, png(), { timeout: STEP });
    const withFile = await until(
      async () => ((await genesys('GET', `/conversations/${conv.id}`)).messages as any[]).find((m) => m.by === 'customer' && (m.content ?? []).some((x: any) => x.contentType === 'Attachment')),
      STEP,
      'the attachment at Genesys',
    );
    expect(withFile.content.find((x: any) => x.contentType === 'Attachment').attachment).toMatchObject({ mediaType: 'Image' });
    expect(await chat.inlineErrors(page)).toEqual([]);

    // A transfer to a colleague, who then ends the chat.
    await genesys('POST', `/conversations/${conv.id}/transfer`, { agentId: bea.id });
    await chat.waitForStatus(page, chat.CARBON_TEXT.transferring, { timeout: STEP });
    await chat.waitForAgentJoined(page, bea.name, { timeout: STEP });
    await genesys('POST', `/conversations/${conv.id}/end`);
    await chat.waitForChatEnded(page, { timeout: STEP });
    expect(errors).toEqual([]);
    await expectEndedBy(page, bea.name);
  });

  it('LivePerson: the handover summary, the agent joins, messages and reads both ways, a transfer and the close', { timeout: TEST }, async () => {
    const { page, errors } = await webChat(DEMO_LP_ENTRY_POINT);
    await handOver(page);

    // The conversation at LivePerson; its first consumer message is the handover summary.
    const conv = await until(
      async () => ((await lp('GET', '/conversations')).conversations as any[]).find((c) => c.state === 'OPEN' && c.messages.some((m: any) => m.originator.role === 'CONSUMER')),
      STEP,
      'the conversation at LivePerson',
    );
    const consumerMessages = () => lp('GET', `/conversations/${conv.id}`).then((c) => (c.messages as any[]).filter((m) => m.originator.role === 'CONSUMER'));
    expectHandover((await consumerMessages())[0].message);

    const { agents } = await lp('GET', '/agents');
    const [alex, blair] = agents as { id: string; name: string }[];
    await lp('POST', `/conversations/${conv.id}/accept`, { agentId: alex!.id });
    await chat.waitForAgentJoined(page, undefined, { timeout: STEP });
    const name = await joinedName(page);
    await chat.waitForAgentJoined(page, name, { timeout: STEP });

    // The customer types (LivePerson sees COMPOSING), then sends.
    await typeThenSend(page, 'The 21st would be great', () => until(async () => (await lp('GET', `/conversations/${conv.id}`)).chatState.consumer === 'COMPOSING', STEP, 'COMPOSING at LivePerson'));
    await until(async () => (await consumerMessages()).some((m) => m.message === 'The 21st would be great'), STEP, 'the message at LivePerson');

    // The agent types and answers; shown in web chat, the answer is read, and LivePerson hears so.
    await lp('POST', `/conversations/${conv.id}/typing`, { chatState: 'COMPOSING' });
    await waitForCall(page, 'agentTyping', (c) => c.args[0] === true);
    const { sequences } = await lp('POST', `/conversations/${conv.id}/reply`, { text: 'Of course, the 21st it is.' });
    await chat.waitForAgentMessage(page, 'Of course, the 21st it is.', { timeout: STEP });
    await until(
      async () => ((await lp('GET', `/conversations/${conv.id}`)).messages as any[]).find((m) => m.sequence === sequences[0] && m.originator.role !== 'CONSUMER')?.status === 'READ',
      STEP,
      'the customer’s READ of the agent’s message at LivePerson',
    );

    // The agent reads the customer's messages: agentReadMessages.
    await lp('POST', `/conversations/${conv.id}/read`, {});
    await waitForCall(page, 'agentReadMessages');

    // A transfer to a colleague, who then closes the conversation.
    const joins = (await chat.statusLines(page)).filter((l) => / connected\./.test(l)).length;
    await lp('POST', `/conversations/${conv.id}/transfer`, { agentId: blair!.id });
    await chat.waitForStatus(page, chat.CARBON_TEXT.transferring, { timeout: STEP });
    await waitForStatusCount(page, / connected\./, joins + 1);
    const second = await joinedName(page);
    await lp('POST', `/conversations/${conv.id}/close`, {});
    await chat.waitForChatEnded(page, { timeout: STEP });
    expect(errors).toEqual([]);
    await expectEndedBy(page, second);
  });

  it('Genesys with nobody on queue: asking for an agent takes web chat’s "no agents" path', { timeout: TEST }, async () => {
    const { agents } = await genesys('GET', '/agents');
    for (const a of agents) await genesys('PATCH', `/agents/${a.id}`, { onQueue: false });
    // Parley keeps Genesys's on-queue answer for 5 s per desk: let any answer from before the change expire.
    const changed = Date.now();
    try {
      const { page, errors } = await webChat(DEMO_ENTRY_POINT);
      await chat.say(page, QUESTION);
      await chat.waitForText(page, 'Lisbon city break', { timeout: STEP });
      await new Promise((r) => setTimeout(r, Math.max(0, changed + 5_500 - Date.now())));
      await chat.say(page, 'I would like to talk to an agent');
      await chat.waitForNoAgents(page, { timeout: STEP });
      expect(await page.locator(chat.WEBCHAT_SELECTORS.cardButton).count()).toBe(0);
      expect(await page.locator(chat.WEBCHAT_SELECTORS.banner).count()).toBe(0);
      expect((await calls(page, 'agentJoined')).length).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      for (const a of agents) await genesys('PATCH', `/agents/${a.id}`, { onQueue: true });
    }
  });
});
