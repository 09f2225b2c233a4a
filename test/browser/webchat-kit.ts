import type { Locator, Page } from 'playwright-core';
import { AGENT_AVAILABLE, AGENT_UNAVAILABLE, CONNECTING, HELP, NO_HANDOFF, WELCOME } from '../../web/webchat/assistant.js';

// Drives the web chat page (/webchat/: IBM's Carbon AI Chat 1.9.1 with the stand-in assistant and Parley's
// service desk bundle, /watson.js) the way a customer does, for the browser suites. Carbon renders in (open)
// shadow roots; Playwright's CSS and text locators pierce them, so plain selectors work.
//
// Selectors, most stable first: Carbon's own data-testid values (its `PageObjectId` enum: input_field,
// input_send, chat_widget, chat_header, main_panel, and `message-by-index-N` on every message), then its BEM
// class names (`cds-aichat--…`, stable within 1.x), then the English language pack's texts (CARBON_TEXT).
//
// Read texts inside the message list, never page-wide: Carbon repeats new messages in a visually hidden
// aria-live region, so `page.getByText(…)` finds each of them twice.
//
// What Carbon shows, seen in 1.9.1:
// - connect_to_agent, agents online (areAnyAgentsOnline → true or null): a card "Live agent support" with the
//   item's agent_available.message and a "Connect to agent" button; pressing it calls startChat, and a banner
//   "Request for agent sent..." with a "Cancel" button sits above the list until agentJoined.
// - agents offline (false, or no answer within serviceDesk.availabilityTimeoutSeconds): no card, no button;
//   the item's agent_unavailable.message (or "Sorry, no agents are available right now.") as a bot text.
// - startChat rejects: a bot text "I'm sorry. Something went wrong and I cannot connect you to an agent right
//   now." (and Carbon re-throws: the page gets an unhandled rejection, a `pageerror` in Playwright).
// - agentJoined: status line "<nickname> connected.", a chat status line "If you refresh or leave the current
//   page, …", the banner shows the agent's name and a "Disconnect" button; the card says "Connected".
// - agentLeftChat: "<nickname> disconnected." (the chat stays open, banner "Live agent"); agentEndedChat:
//   "<nickname> ended the chat." and the banner goes; user ended: "You disconnected from the live agent.".
// - setErrorStatus DISCONNECTED: a status line "Something went wrong and your connection to the live agent was
//   lost. …" and the input is disabled ("Reconnecting to agent..."); isDisconnected false: "The agent reconnected.".
// - setFileUploadStatus(id, true, msg): under the file's bubble "There is an error with the message you just
//   sent, …" and `msg` as an inline error message.
// - The end-chat control is the banner's button ("Cancel" while connecting, "Disconnect" once joined); both
//   open a confirm dialog (.cds-aichat--confirm-modal) whose yes-button ends ("Cancel request" / "Disconnect").

/** Texts of Carbon's English language pack (1.9.1) that the suites wait for. `{name}` = the agent's nickname. */
export const CARBON_TEXT = {
  connectButton: 'Connect to agent',
  connecting: 'Request for agent sent...',
  noAgentsDefault: 'Sorry, no agents are available right now.',
  connectError: "I'm sorry. Something went wrong and I cannot connect you to an agent right now.",
  joined: (name?: string) => (name ? `${name} connected.` : 'A live agent connected.'),
  left: (name?: string) => (name ? `${name} disconnected.` : 'The live agent disconnected.'),
  agentEnded: (name?: string) => (name ? `${name} ended the chat.` : 'The live agent ended the chat.'),
  userEnded: 'You disconnected from the live agent.',
  transferring: "You're being transferred.",
  disconnected: 'Something went wrong and your connection to the live agent was lost.',
  reconnected: 'The agent reconnected.',
  messageError: 'There is an error with the message you just sent',
  noAgentJoined: 'No agents accepted the chat',
} as const;

/** The stand-in assistant's texts (web/webchat/assistant.ts), for waiting on its answers. */
export { AGENT_AVAILABLE, AGENT_UNAVAILABLE, CONNECTING, HELP, NO_HANDOFF, WELCOME };

const SEL = {
  input: '[data-testid="input_field"]',
  send: '[data-testid="input_send"]',
  message: '[data-testid^="message-by-index-"]',
  userMessage: '[data-testid^="message-by-index-"].cds-aichat--message--request',
  responseMessage: '[data-testid^="message-by-index-"].cds-aichat--message--response',
  /** A human agent's own message (not a status line). */
  agentText: '.cds-aichat--received--from-human',
  /** "Ada connected.", "Ada disconnected.", "You disconnected…", "Something went wrong and your connection…" */
  statusLine: '.cds-aichat--received--agent-status-message, .cds-aichat--received--chat-status-message',
  inlineError: '.cds-aichat--inline-error--text',
  card: '.cds-aichat--connect-to-human-agent',
  cardButton: '.cds-aichat--connect-to-human-agent__request-button',
  banner: '.cds-aichat--human-agent-banner',
  bannerConnected: '.cds-aichat--human-agent-banner--connected',
  bannerName: '.cds-aichat--human-agent-banner__human-agent-line1',
  bannerButton: '.cds-aichat--human-agent-banner__cancel-button',
  confirm: '.cds-aichat--confirm-modal',
  confirmYes: '.cds-aichat--confirm-modal__yes-button',
  confirmNo: '.cds-aichat--confirm-modal__no-button',
  fileInput: 'input[type="file"].cds-aichat--input-container__upload-input',
  deskMissing: '#desk-missing',
} as const;
export { SEL as WEBCHAT_SELECTORS };

export interface OpenWebChatOptions {
  /** `?entryPoint=` of the page: Parley's route table picks the desk. */
  entryPoint?: string;
  /** A signed identity JWT: the page passes it to the service desk (a verified customer). */
  identityToken?: string;
  /** How long to wait for the chat to be ready (default: the page's default timeout). */
  timeout?: number;
}

/** The page's address: `${baseUrl}/webchat/` with `?entryPoint=` if given. */
export function webChatUrl(baseUrl: string, entryPoint?: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/webchat/${entryPoint ? `?entryPoint=${encodeURIComponent(entryPoint)}` : ''}`;
}

/**
 * Opens the web chat page (open by default) and waits until the input takes text and the assistant's welcome
 * is shown. `identityToken` is set as `window.PARLEY_IDENTITY_TOKEN` before the page's scripts run.
 */
export async function openWebChat(page: Page, baseUrl: string, opts: OpenWebChatOptions = {}): Promise<void> {
  if (opts.identityToken) {
    await page.addInitScript((token) => {
      (window as { PARLEY_IDENTITY_TOKEN?: string }).PARLEY_IDENTITY_TOKEN = token;
    }, opts.identityToken);
  }
  await page.goto(webChatUrl(baseUrl, opts.entryPoint));
  await page.locator(`${SEL.input}[contenteditable="true"]`).waitFor({ timeout: opts.timeout });
  await messages(page).first().waitFor({ timeout: opts.timeout });
}

/** Whether /watson.js defined `window.ParleyWatson` (else the page shows its #desk-missing note). */
export function deskLoaded(page: Page): Promise<boolean> {
  return page.evaluate(() => typeof (window as { ParleyWatson?: unknown }).ParleyWatson === 'object');
}

/** The page's note when the service desk bundle is missing, or null. */
export async function deskMissingNote(page: Page): Promise<string | null> {
  const note = page.locator(SEL.deskMissing);
  return (await note.isVisible()) ? (await note.textContent())?.trim() ?? null : null;
}

/** The contenteditable message input (data-testid=input_field). */
export function input(page: Page): Locator {
  return page.locator(SEL.input);
}

/** Whether the input is disabled (connecting after a disconnect, or read only). */
export async function inputDisabled(page: Page): Promise<boolean> {
  return (await input(page).getAttribute('aria-disabled')) === 'true';
}

/** Every message in the list, in order (data-testid=message-by-index-N). */
export function messages(page: Page): Locator {
  return page.locator(SEL.message);
}

/**
 * Types `text` into the input and presses Enter, then waits until it shows as the customer's latest bubble.
 * Files attached with `attachFile(…, { send: false })` go with it.
 */
export async function say(page: Page, text: string): Promise<void> {
  const before = await page.locator(SEL.userMessage).count();
  const box = page.locator(`${SEL.input}[contenteditable="true"]`);
  await box.click();
  await page.keyboard.insertText(text);
  await page.keyboard.press('Enter');
  await page.locator(SEL.userMessage).nth(before).filter({ hasText: text.trim() }).waitFor();
}

/** Waits for `text` in a message of the list (any author, status lines and errors included). */
export async function waitForText(page: Page, text: string | RegExp, opts: { timeout?: number } = {}): Promise<Locator> {
  const hit = page.locator(SEL.message).filter({ hasText: text }).last();
  await hit.waitFor({ timeout: opts.timeout });
  return hit;
}

/** Whether a message of the list contains `text` now (no waiting). */
export async function hasText(page: Page, text: string | RegExp): Promise<boolean> {
  return (await page.locator(SEL.message).filter({ hasText: text }).count()) > 0;
}

/** The connect_to_agent card, the last one shown ("Live agent support"). */
export function connectCard(page: Page): Locator {
  return page.locator(SEL.card).last();
}

/**
 * Says `text` (default "agent": the assistant answers with connect_to_agent), waits for the card and presses
 * its "Connect to agent" button (which makes Carbon call startChat). `press: false` stops at the card.
 */
export async function askForAgent(page: Page, opts: { text?: string; press?: boolean; timeout?: number } = {}): Promise<void> {
  await say(page, opts.text ?? 'agent');
  const button = page.locator(SEL.cardButton).last();
  await button.waitFor({ timeout: opts.timeout });
  if (opts.press === false) return;
  await button.click();
}

async function textsOf(list: Locator): Promise<string[]> {
  // textContent is not enough: message text lives in cds-aichat-markdown's shadow root. innerText of the
  // shadow host is empty too, so collect the text of every shadow root below.
  return list.evaluateAll((els) =>
    els.map((el) => {
      const out: string[] = [];
      const visit = (n: Node): void => {
        if (n.nodeType === Node.TEXT_NODE) {
          const t = n.textContent?.trim();
          if (t) out.push(t);
          return;
        }
        if (n.nodeName === 'STYLE' || n.nodeName === 'SCRIPT') return;
        if (n instanceof Element && n.classList.contains('cds-aichat--visually-hidden')) return;
        if (n instanceof Element && n.shadowRoot) visit(n.shadowRoot);
        for (const c of Array.from(n.childNodes)) visit(c);
      };
      visit(el);
      return out.join(' ').replace(/\s+/g, ' ').trim();
    }),
  );
}

/** Texts of the human agent's own messages (not the status lines), in order. */
export function agentMessages(page: Page): Promise<string[]> {
  return textsOf(page.locator(`${SEL.responseMessage} ${SEL.agentText}`));
}

/** Texts of the customer's messages (a file shows as its name), in order. */
export function userMessages(page: Page): Promise<string[]> {
  return textsOf(page.locator(`${SEL.userMessage} .cds-aichat--sent--bubble`));
}

/** Texts of the status lines ("Ada connected.", "You disconnected from the live agent.", …), in order. */
export function statusLines(page: Page): Promise<string[]> {
  return textsOf(page.locator(SEL.statusLine));
}

/** Texts of inline errors: under a failed message of the customer, or an error bubble (inline_error). */
export function inlineErrors(page: Page): Promise<string[]> {
  return textsOf(page.locator(SEL.inlineError));
}

/**
 * The text of the last bubble from the assistant or the agent (status lines and the connect card count: they
 * are what the customer sees last), without the author/time label. '' when there is none.
 */
export async function lastBotOrAgentText(page: Page): Promise<string> {
  const all = await textsOf(page.locator(`${SEL.responseMessage} .cds-aichat--received`));
  return all.at(-1) ?? '';
}

/** Waits for a new agent message containing `text`; returns its text. */
export async function waitForAgentMessage(page: Page, text: string | RegExp, opts: { timeout?: number } = {}): Promise<string> {
  const hit = page.locator(`${SEL.responseMessage} ${SEL.agentText}`).filter({ hasText: text }).last();
  await hit.waitFor({ timeout: opts.timeout });
  return (await textsOf(hit))[0] ?? '';
}

export type BannerState = { state: 'none' } | { state: 'connecting'; text: string } | { state: 'connected'; agent: string };

/** The banner above the list: the request waiting for an agent, or the agent connected (its name). */
export async function agentBanner(page: Page): Promise<BannerState> {
  const banner = page.locator(SEL.banner);
  if (!(await banner.count())) return { state: 'none' };
  const line = (await textsOf(banner.locator(SEL.bannerName)))[0] ?? '';
  if (await page.locator(SEL.bannerConnected).count()) return { state: 'connected', agent: line };
  return { state: 'connecting', text: line };
}

/**
 * Waits for a status line containing `text` ("Ada connected.", "The agent reconnected.", …). Safer than
 * waitForText for these: the connect card repeats some of them ("You disconnected from the live agent.").
 */
export async function waitForStatus(page: Page, text: string | RegExp, opts: { timeout?: number } = {}): Promise<void> {
  await page.locator(SEL.statusLine).filter({ hasText: text }).last().waitFor({ timeout: opts.timeout });
}

/** Waits for "<name> connected." (any agent without a name) and the banner with the agent. */
export async function waitForAgentJoined(page: Page, name?: string, opts: { timeout?: number } = {}): Promise<void> {
  // " connected." with its space: not "disconnected." nor "reconnected.".
  await waitForStatus(page, name ? CARBON_TEXT.joined(name) : / connected\./, opts);
  await page.locator(SEL.bannerConnected).waitFor({ timeout: opts.timeout });
}

/** Waits for "<name> disconnected." (agentLeftChat: the chat stays open, the banner says "Live agent"). */
export async function waitForAgentLeft(page: Page, name?: string, opts: { timeout?: number } = {}): Promise<void> {
  await waitForStatus(page, CARBON_TEXT.left(name), opts);
}

/** Waits for the end of the agent chat, by the agent ("… ended the chat.") or by the user; the banner goes. */
export async function waitForChatEnded(page: Page, opts: { by?: 'agent' | 'user'; name?: string; timeout?: number } = {}): Promise<void> {
  const text = opts.by === 'user' ? CARBON_TEXT.userEnded : opts.by === 'agent' ? CARBON_TEXT.agentEnded(opts.name) : / ended the chat\.|You disconnected from the live agent\./;
  await waitForStatus(page, text, opts);
  await page.locator(SEL.banner).waitFor({ state: 'detached', timeout: opts.timeout });
}

/**
 * Waits for the "no agents" answer: no card, the connect_to_agent item's agent_unavailable message (the
 * stand-in assistant's AGENT_UNAVAILABLE unless `text`) as a bot text.
 */
export async function waitForNoAgents(page: Page, opts: { text?: string | RegExp; timeout?: number } = {}): Promise<void> {
  await waitForText(page, opts.text ?? AGENT_UNAVAILABLE, opts);
}

/** Waits for the status line of a lost connection (setErrorStatus DISCONNECTED, isDisconnected true). */
export async function waitForDisconnected(page: Page, opts: { timeout?: number } = {}): Promise<void> {
  await waitForStatus(page, CARBON_TEXT.disconnected, opts);
}

/** Waits for "The agent reconnected." (setErrorStatus DISCONNECTED, isDisconnected false). */
export async function waitForReconnected(page: Page, opts: { timeout?: number } = {}): Promise<void> {
  await waitForStatus(page, CARBON_TEXT.reconnected, opts);
}

/** Waits for Carbon's "cannot connect you to an agent" (startChat failed, or setErrorStatus CONNECTING). */
export async function waitForConnectError(page: Page, opts: { text?: string | RegExp; timeout?: number } = {}): Promise<void> {
  await waitForText(page, opts.text ?? CARBON_TEXT.connectError, opts);
}

/** Whether the input shows the attach (upload) button: only once the desk allowed uploads (updateCapabilities). */
export async function uploadAvailable(page: Page): Promise<boolean> {
  return (await page.locator(SEL.fileInput).count()) > 0;
}

export interface FileToAttach {
  name: string;
  mimeType: string;
  buffer: Buffer;
}

/**
 * Attaches files through Carbon's hidden file input (present only once the desk allowed uploads) and, unless
 * `send: false`, sends them (the send button; Carbon calls sendMessageToAgent with empty text and
 * `filesToUpload`). Each file then shows as a customer bubble with its name.
 */
export async function attachFile(page: Page, files: FileToAttach | FileToAttach[], opts: { send?: boolean; timeout?: number } = {}): Promise<void> {
  const list = Array.isArray(files) ? files : [files];
  const fileInput = page.locator(SEL.fileInput);
  await fileInput.waitFor({ state: 'attached', timeout: opts.timeout });
  const before = await page.locator(SEL.userMessage).count();
  await fileInput.setInputFiles(list);
  if (opts.send === false) return;
  await page.locator(SEL.send).click();
  await page.locator(SEL.userMessage).nth(before + list.length - 1).waitFor({ timeout: opts.timeout });
}

/**
 * Ends the agent chat as the customer: the banner's button ("Disconnect" once an agent joined, "Cancel" while
 * waiting) and the confirm dialog's yes ("Disconnect" / "Cancel request"). Carbon then calls endChat.
 */
export async function endChatAsUser(page: Page, opts: { timeout?: number } = {}): Promise<void> {
  await page.locator(SEL.bannerButton).click({ timeout: opts.timeout });
  await page.locator(SEL.confirmYes).click({ timeout: opts.timeout });
  await page.locator(SEL.banner).waitFor({ state: 'detached', timeout: opts.timeout });
}

/** Opens the end-chat confirm and goes back (the chat goes on). Returns the dialog's title. */
export async function endChatCancelled(page: Page, opts: { timeout?: number } = {}): Promise<string> {
  await page.locator(SEL.bannerButton).click({ timeout: opts.timeout });
  const title = (await textsOf(page.locator(`${SEL.confirm} .cds-aichat--confirm-modal__title`)))[0] ?? '';
  await page.locator(SEL.confirmNo).click({ timeout: opts.timeout });
  return title;
}

/** One call the service desk made on web chat's callback, as the page records it (PARLEY_WATSON_TRACE). */
export type WatsonCall = { name: string; args: unknown[] };

/**
 * Open the page with the service desk's callback calls recorded (`window.__watsonCalls`): some callbacks show
 * nothing in Carbon 1.9.1 (agentReadMessages, agentTyping), and a test must still see that Parley made them.
 */
export async function traceWatson(page: Page): Promise<void> {
  await page.addInitScript(() => Object.assign(window, { PARLEY_WATSON_TRACE: true }));
}

/** The recorded calls, oldest first; only those named `name` when given. */
export async function watsonCalls(page: Page, name?: string): Promise<WatsonCall[]> {
  const all = await page.evaluate(() => (window as unknown as { __watsonCalls?: WatsonCall[] }).__watsonCalls ?? []);
  return name ? all.filter((c) => c.name === name) : all;
}
