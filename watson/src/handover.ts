import type { ConnectToHumanAgentItem, MessageRequest, MessageResponse } from '@carbon/ai-chat';
import type { Contact } from '../../sdk/src/index.js';

// What the assistant hands over with the customer: the `connect_to_agent` item's message to the agent, topic
// and transfer info, and the bot transcript. It goes two ways: as the conversation's `context` (shown beside
// the chat in Parley's console; a vendor desk such as LivePerson gets it as profile data) and as the first
// message of the chat, because that is the one thing every desk (Genesys, Connect, LivePerson, the inbox)
// puts in front of its agent. The reference adapters assumed connect_to_agent was the first generic item
// (PR #18 of the starter kit); it is looked for anywhere in the response.

/** Lines of the bot conversation kept for the agent, and the size the summary message may reach. */
const TRANSCRIPT_LINES = 40;
const SUMMARY_MAX = 3000;
const FIELD_MAX = 500;

export interface TranscriptLine {
  from: 'customer' | 'assistant';
  text: string;
}

/** State web chat hands a hosted integration through updateState (session, user, locale). */
export interface WebChatState {
  sessionID?: string;
  userID?: string;
  locale?: string;
}

const clip = (s: string, max = FIELD_MAX): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

export function connectItem(message: MessageResponse | undefined): ConnectToHumanAgentItem | undefined {
  const items = message?.output?.generic ?? [];
  return items.find((g) => g?.response_type === 'connect_to_agent') as ConnectToHumanAgentItem | undefined;
}

/**
 * The bot conversation as web chat's event bus reports it (`send` for the customer's messages to the
 * assistant, `receive` for the assistant's answers). Kept in sessionStorage, so a page reload between the
 * bot chat and the handover does not lose it; only text is kept, and only the last lines.
 */
export class Transcript {
  private lines: TranscriptLine[];

  constructor(private readonly storage: Storage | undefined, private readonly key: string) {
    this.lines = this.load();
  }

  private load(): TranscriptLine[] {
    try {
      const raw = this.storage?.getItem(this.key);
      const parsed: unknown = raw ? JSON.parse(raw) : [];
      return Array.isArray(parsed) ? (parsed as TranscriptLine[]).filter((l) => typeof l?.text === 'string').slice(-TRANSCRIPT_LINES) : [];
    } catch {
      return [];
    }
  }

  private add(from: TranscriptLine['from'], text: string | undefined): void {
    const t = text?.trim();
    if (!t) return;
    this.lines.push({ from, text: clip(t) });
    if (this.lines.length > TRANSCRIPT_LINES) this.lines.splice(0, this.lines.length - TRANSCRIPT_LINES);
    try {
      this.storage?.setItem(this.key, JSON.stringify(this.lines));
    } catch {
      // Storage full or blocked: the transcript still lives in memory for this page.
    }
  }

  customerSaid(request: MessageRequest | undefined): void {
    this.add('customer', request?.input?.text);
  }

  assistantSaid(response: MessageResponse | undefined): void {
    for (const g of response?.output?.generic ?? []) if (g?.response_type === 'text') this.add('assistant', (g as { text?: string }).text);
  }

  get all(): TranscriptLine[] {
    return [...this.lines];
  }
}

export interface Handover {
  context: Record<string, unknown>;
  summary: string;
}

/** The conversation's context and the first message to the agent, from what web chat gave startChat. */
export function handoverOf(message: MessageResponse, transcript: TranscriptLine[], state: WebChatState, contact: Contact | undefined): Handover {
  const item = connectItem(message);
  const info = item?.transfer_info;
  // `topic` is in watsonx's connect_to_agent response though not in @carbon/ai-chat's type.
  const rawTopic: unknown = (item as { topic?: unknown } | undefined)?.topic;
  const topic = typeof rawTopic === 'string' && rawTopic ? clip(rawTopic, 200) : undefined;
  const toAgent = item?.message_to_human_agent ? clip(item.message_to_human_agent) : undefined;
  const summaries = (info?.summary_message_to_agent ?? []).map((t) => t?.text).filter((t): t is string => typeof t === 'string' && t.length > 0);
  const additional = Object.fromEntries(Object.entries(info?.additional_data ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string').slice(0, 20).map(([k, v]) => [clip(k, 100), clip(v)]));
  const lines = transcript.map((l) => `${l.from === 'customer' ? 'Customer' : 'Assistant'}: ${l.text}`);

  // The session history key holds a one-time code that opens the bot transcript: the starter kit stored it
  // where anyone who can read the conversation could use it. Parley sends the transcript itself instead.
  const context: Record<string, unknown> = {
    handover: 'watsonx web chat',
    ...(topic ? { topic } : {}),
    ...(toAgent ? { messageToAgent: toAgent } : {}),
    ...(summaries.length ? { summary: clip(summaries.join('\n'), 2000) } : {}),
    ...(Object.keys(additional).length ? { transferInfo: additional } : {}),
    ...(lines.length ? { botTranscript: clip(lines.join('\n'), 4000) } : {}),
    ...(state.locale ? { locale: clip(state.locale, 20) } : {}),
    ...(state.userID ? { webChatUserId: clip(state.userID, 200) } : {}),
  };

  const head = ['Handed over by the assistant.'];
  if (contact?.verified) head.push(`Verified customer: ${[contact.name, contact.email].filter(Boolean).join(', ') || contact.id}.`);
  if (topic) head.push(`Topic: ${topic}`);
  if (toAgent) head.push(`Note: ${toAgent}`);
  for (const s of summaries) head.push(clip(s));
  let summary = head.join('\n');
  if (lines.length) {
    // Oldest lines go first when the whole would be too long for one message.
    const kept = [...lines];
    const size = () => summary.length + 2 + 'Conversation with the assistant:\n'.length + kept.join('\n').length;
    while (kept.length > 1 && size() > SUMMARY_MAX) kept.shift();
    summary += `\n\nConversation with the assistant:\n${kept.join('\n')}`;
  }
  return { context, summary: clip(summary, SUMMARY_MAX) };
}
