import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { identityToken } from '../helpers/flows.js';
import { chromiumAvailable, SCREENSHOTS } from './chromium.js';
import { AgentSide, SMALL_PNG } from './customer-kit.js';
import { browserScene } from './scene.js';
import * as chat from './webchat-kit.js';

// watsonx-style web chat (IBM's Carbon AI Chat 1.9.1 on /webchat/, a stand-in assistant) handing the customer
// to an agent of Parley's built-in inbox through Parley's service desk bundle (/watson.js): the whole
// ServiceDesk contract as a customer and an agent live it. Carbon draws some callbacks (joins, transfers,
// ends, errors) and not others (agentReadMessages is a no-op in 1.9.1; typing is a small indicator), so the
// page records the bundle's callback calls (PARLEY_WATSON_TRACE) and the tests assert both.

const calls = (page: Page) => chat.watsonCalls(page);
const called = async (page: Page, name: string, pred: (args: unknown[]) => boolean = () => true): Promise<boolean> => (await chat.watsonCalls(page, name)).some((c) => pred(c.args));

describe.skipIf(!chromiumAvailable())('watsonx web chat → the inbox', () => {
  const s = browserScene({ agent: 'Ada Lovelace', timeout: 15_000 });

  async function customer(opts: { identityToken?: string } = {}): Promise<Page> {
    const ctx = await s.newContext();
    const page = await ctx.newPage();
    await chat.traceWatson(page);
    await chat.openWebChat(page, s.ts.url, opts);
    return page;
  }

  /** The handover message the inbox agent gets first, and its conversation. */
  async function handedOver(agent: AgentSide, topic: string): Promise<{ id: string; summary: string }> {
    const e = await agent.message((m) => m.parts[0]?.text?.startsWith('Handed over by the assistant.') && m.parts[0].text.includes(`Topic: ${topic}`), 15_000);
    return { id: e.conversationId, summary: e.parts[0].text };
  }

  it('the bot hands over with the transcript; the agent joins, both type, talk, read, send files, a QR and quick replies', async () => {
    const ada = s.agent;
    const page = await customer();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await chat.say(page, 'Can I move my Porto trip to November?');
    await chat.waitForText(page, 'You asked: “Can I move my Porto trip to November?”');
    await chat.askForAgent(page);

    // The agent gets the handover: message to the agent, topic and the bot conversation, also as context.
    const { id, summary } = await handedOver(ada, 'Can I move my Porto trip to November?');
    expect(summary).toContain('Note: The customer asked the assistant for a person.');
    expect(summary).toContain('Customer: Can I move my Porto trip to November?');
    expect(summary).toMatch(/Assistant: .*Porto/);
    expect(summary).not.toContain('Verified customer');
    const conv = (await s.ts.api.get(`/v1/agent/conversations/${id}`, ada.token)).body.conversation;
    expect(conv.context).toMatchObject({ handover: 'watsonx web chat', topic: 'Can I move my Porto trip to November?', messageToAgent: 'The customer asked the assistant for a person.', transferInfo: { source: 'Parley web chat demo' } });
    expect(conv.context.botTranscript).toContain('Customer: Can I move my Porto trip to November?');
    expect(conv.contact.verified).toBe(false);
    // Web chat learnt what the hub accepts (the attach button appears).
    expect(await called(page, 'updateCapabilities', ([c]) => (c as { allowFileUploads: boolean }).allowFileUploads)).toBe(true);

    await ada.accept(id);
    await chat.waitForAgentJoined(page, 'Ada Lovelace');
    const joined = (await calls(page)).find((c) => c.name === 'agentJoined')!.args[0] as { nickname: string; profile_picture_url: string };
    expect(joined.nickname).toBe('Ada Lovelace');
    expect(joined.profile_picture_url).toMatch(/^data:image\/svg\+xml;base64,/);

    // The customer types (not sent yet): the agent sees it; then sends.
    await chat.input(page).click();
    await page.keyboard.type('Hel');
    await ada.stream.next((f) => f.type === 'typing' && f.conversationId === id && f.typing === true && f.author.role === 'customer', 8000);
    await page.keyboard.insertText('lo Ada, is November possible?');
    await page.keyboard.press('Enter');
    await ada.message((m) => m.conversationId === id && m.parts[0]?.text === 'Hello Ada, is November possible?');

    // The agent types and answers; web chat shows both, and marks the answer read (the agent sees "read").
    await ada.typing(id, true);
    await expect.poll(() => called(page, 'agentTyping', ([t]) => t === true), { timeout: 8000 }).toBe(true);
    const answer = await ada.say(id, { text: 'Yes, November works. Which week?' });
    await chat.waitForAgentMessage(page, 'Yes, November works. Which week?');
    await page.screenshot({ path: join(SCREENSHOTS, 'webchat-inbox.png') });
    await ada.stream.next((f) => f.type === 'event' && f.event.conversationId === id && f.event.kind === 'receipt' && f.event.receipt === 'read' && f.event.through >= answer.seq && f.event.origin === 'channel', 8000);

    // The agent reads the customer's messages: web chat is told.
    const last = (await s.ts.api.get(`/v1/agent/conversations/${id}`, ada.token)).body.conversation.lastSeq;
    await ada.read(id, last);
    await expect.poll(() => called(page, 'agentReadMessages'), { timeout: 8000 }).toBe(true);

    // A file from the customer reaches the agent as media the agent can fetch.
    expect(await chat.uploadAvailable(page)).toBe(true);
    await chat.attachFile(page, { name: 'boarding-pass.png', mimeType: 'image/png', buffer: readFileSync(SMALL_PNG) });
    const media = await ada.message((m) => m.conversationId === id && m.parts.some((p: { type: string }) => p.type === 'media'));
    const part = media.parts.find((p: { type: string }) => p.type === 'media');
    expect(part).toMatchObject({ mime: 'image/png', name: 'boarding-pass.png' });
    expect(await called(page, 'setFileUploadStatus', (a) => a.length === 1)).toBe(true);

    // The agent's picture, QR code and quick replies, rendered as web chat's own response types.
    const upload = await fetch(`${s.ts.url}/v1/media?name=map.png`, { method: 'POST', headers: { authorization: `Bearer ${ada.token}`, 'content-type': 'image/png' }, body: readFileSync(SMALL_PNG) });
    const { media: agentMedia } = (await upload.json()) as { media: { id: string } };
    await ada.say(id, { parts: [{ type: 'media', mediaId: agentMedia.id, caption: 'The hotel map' }] });
    await page.locator('img.cds-aichat--image__image--loaded[alt="The hotel map"]').waitFor();
    await ada.say(id, { parts: [{ type: 'qr', content: 'PORTO-NOV-42' }] });
    await page.locator('img.cds-aichat--image__image--loaded[alt="QR code: PORTO-NOV-42"]').waitFor();
    await ada.say(id, { parts: [{ type: 'quick_replies', text: 'Which week suits you?', replies: [{ title: 'First week', payload: 'W1' }, { title: 'Second week', payload: 'W2' }] }] });
    await chat.waitForText(page, 'Which week suits you?');
    await page.locator('cds-aichat-button, button').filter({ hasText: 'Second week' }).last().click();
    await ada.message((m) => m.conversationId === id && m.parts[0]?.text === 'Second week');

    // A transfer to a colleague: web chat says so, then the new agent joins; the colleague ends the chat.
    const grace = await AgentSide.start(s.ts, { name: 'Grace Hopper' });
    try {
      await ada.post(`${id}/transfer`, { toAgentId: grace.id, note: 'Customer wants the second week of November' });
      await chat.waitForStatus(page, chat.CARBON_TEXT.transferring);
      await chat.waitForAgentJoined(page, 'Grace Hopper');
      expect(await called(page, 'agentLeftChat')).toBe(true);
      await grace.say(id, { text: 'Hi, Grace here. Booked for the second week.' });
      await chat.waitForAgentMessage(page, 'Hi, Grace here.');
      await grace.post(`${id}/end`);
      await chat.waitForChatEnded(page, { by: 'agent', name: 'Grace Hopper' });
    } finally {
      await grace.close();
    }
    // Web chat calls endChat after the agent ended (seed-teardown §2.2a): a no-op, not an error or a second end.
    await expect.poll(() => called(page, 'agentEndedChat')).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    const ends = await s.ts.server.database.db.selectFrom('events').select('seq').where('conversation_id', '=', id).where('kind', '=', 'conversation.ended').execute();
    expect(ends).toHaveLength(1);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('a verified customer (identity token from the business) is shown verified to the agent, and the customer can end the chat', async () => {
    const token = await identityToken('cust-4711', { name: 'Jane Doe', email: 'jane@example.com' });
    const page = await customer({ identityToken: token });
    await chat.say(page, 'Is my Lisbon booking confirmed?');
    await chat.askForAgent(page);
    const { id, summary } = await handedOver(s.agent, 'Is my Lisbon booking confirmed?');
    expect(summary).toContain('Verified customer: Jane Doe, jane@example.com.');
    const conv = (await s.ts.api.get(`/v1/agent/conversations/${id}`, s.agent.token)).body.conversation;
    expect(conv.contact).toMatchObject({ verified: true, name: 'Jane Doe', email: 'jane@example.com' });

    await s.agent.accept(id);
    await chat.waitForAgentJoined(page, 'Ada Lovelace');
    await chat.endChatAsUser(page);
    await s.agent.stream.next((f) => f.type === 'event' && f.event.conversationId === id && f.event.kind === 'conversation.ended' && f.event.by === 'customer', 8000);
    await page.context().close();
  });

  it('while waiting, web chat shows the place in the queue; a file Parley would refuse is flagged before it is sent', async () => {
    const page = await customer();
    // Ada is online (web chat offers the button) but steps away before the customer connects: the chat waits.
    await chat.say(page, 'Can I bring a bike on the Douro cruise?');
    await chat.askForAgent(page, { press: false });
    const status = (st: string) => s.ts.api.post('/v1/agent/status', { status: st }, s.agent.token);
    expect((await status('away')).status).toBe(200);
    try {
      await page.locator(chat.WEBCHAT_SELECTORS.cardButton).click();
      const { id } = await handedOver(s.agent, 'Can I bring a bike on the Douro cruise?');
      await expect.poll(() => called(page, 'updateAgentAvailability', ([a]) => (a as { positionInQueue?: number }).positionInQueue === 1), { timeout: 10_000 }).toBe(true);
      await page.locator('#webchat').getByText(/number\s*1\s*in line/).first().waitFor();

      // A file of a type Parley does not take: web chat marks it with the reason, and nothing is uploaded.
      await chat.attachFile(page, { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('bike size: L') }, { send: false });
      await expect
        .poll(() => called(page, 'setFileUploadStatus', ([, isError, message]) => isError === true && String(message).includes('(text/plain) cannot be sent')), { timeout: 8000 })
        .toBe(true);
      expect(await s.ts.server.database.db.selectFrom('media').selectAll().where('mime', '=', 'text/plain').execute()).toEqual([]);

      // Ada is back: the waiting chat is hers.
      expect((await status('available')).status).toBe(200);
      await s.agent.accept(id).catch(() => undefined);
      await chat.waitForAgentJoined(page, 'Ada Lovelace');
      await s.agent.post(`${id}/end`);
      await chat.waitForChatEnded(page, { by: 'agent', name: 'Ada Lovelace' });
    } finally {
      await status('available');
    }
    await page.context().close();
  });

  it('an identity token Parley refuses fails the handover visibly: web chat says it cannot connect, nothing is opened', async () => {
    const forged = await identityToken('cust-evil', { name: 'Mallory' }, 'not-the-secret-of-this-parley-000000000000');
    const page = await customer({ identityToken: forged });
    const before = await s.ts.server.database.db.selectFrom('conversations').select('id').execute();
    await chat.say(page, 'agent');
    // The availability check could not be made (no session): web chat treats it as unknown and offers the button.
    await page.locator(chat.WEBCHAT_SELECTORS.cardButton).click();
    await chat.waitForConnectError(page);
    expect(await s.ts.server.database.db.selectFrom('conversations').select('id').execute()).toEqual(before);
    expect(await called(page, 'agentJoined')).toBe(false);
    await page.context().close();
  });

  it('a page reload mid-chat reconnects to the same conversation, and what the agent wrote meanwhile arrives', async () => {
    const page = await customer();
    await chat.say(page, 'Do you have trains to Faro?');
    await chat.askForAgent(page);
    const { id } = await handedOver(s.agent, 'Do you have trains to Faro?');
    await s.agent.accept(id);
    await chat.waitForAgentJoined(page, 'Ada Lovelace');
    await chat.say(page, 'Before I reload');
    await s.agent.message((m) => m.conversationId === id && m.parts[0]?.text === 'Before I reload');

    await page.reload();
    await chat.input(page).waitFor();
    await s.agent.say(id, { text: 'Written while you were reloading' });
    await chat.waitForAgentMessage(page, 'Written while you were reloading', { timeout: 15_000 });
    expect(await called(page, 'updatePersistedState')).toBe(true);
    await chat.say(page, 'Still the same chat');
    const after = await s.agent.message((m) => m.parts[0]?.text === 'Still the same chat');
    expect(after.conversationId).toBe(id);
    await s.agent.post(`${id}/end`);
    await chat.waitForChatEnded(page, { by: 'agent', name: 'Ada Lovelace' });
    await page.context().close();
  });
});

describe.skipIf(!chromiumAvailable())('watsonx web chat → the inbox, nobody online', () => {
  const s = browserScene({ timeout: 15_000 });

  it("web chat takes its 'no agents' path: the assistant's agent_unavailable message, no connect button", async () => {
    const page = await (await s.newContext()).newPage();
    await chat.openWebChat(page, s.ts.url);
    await chat.say(page, 'agent');
    await chat.waitForNoAgents(page, { text: chat.AGENT_UNAVAILABLE });
    expect(await chat.connectCard(page).count()).toBe(0);
    // Asking was all: no conversation was opened for nobody to answer.
    expect(await s.ts.server.database.db.selectFrom('conversations').selectAll().execute()).toEqual([]);
    await page.context().close();
  });
});
