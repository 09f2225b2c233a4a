// The web chat page's stand-in assistant: what a business's bot would be, reduced to a few rules so that the
// page (and the browser suites) can reach the one thing Parley cares about, the `connect_to_agent` handoff.
// `answer` is a pure function of the user's text and a small memory; `createAssistant` wires it to Carbon AI
// Chat's `messaging.customSendMessage`. Only types are imported from @carbon/ai-chat, so this file also runs
// in Node (unit tests) without loading the chat.

import type {
  ChatInstance,
  ConnectToHumanAgentItem,
  CustomSendMessageOptions,
  GenericItem,
  MessageRequest,
  MessageResponse,
  MessageResponseTypes,
  TextItem,
} from '@carbon/ai-chat';

/** What the assistant remembers between turns: the user's earlier questions (the handoff's topic). */
export interface AssistantMemory {
  userMessages: string[];
}

export const WELCOME = 'Hi! I’m the Northwind Travel assistant. Ask me about trips, or type “agent” to talk to a person.';
export const CONNECTING = 'Let me connect you to an agent.';
export const HELP = 'I’m a demo assistant. I can tell you about trips; type “agent” to talk to a person.';
export const AGENT_AVAILABLE = 'An agent will be with you shortly.';
export const AGENT_UNAVAILABLE = 'No agents are available right now. Please try again later.';
export const MESSAGE_TO_AGENT = 'The customer asked the assistant for a person.';
export const HANDOFF_SOURCE = 'Parley web chat demo';
/** When the page has no service desk (its bundle did not load): Carbon cannot show a connect card without one. */
export const NO_HANDOFF = 'I would connect you to a person, but this page has no service desk: Parley’s bundle (/watson.js) did not load.';
const TOPIC_MAX = 60;

/** Carbon's item type plus `topic`, which watsonx Assistant sends and Parley's service desk reads. */
export type ConnectItem = ConnectToHumanAgentItem & { topic: string };

export function newMemory(): AssistantMemory {
  return { userMessages: [] };
}

/** Asking for a person: "agent", "human" (also "agents", "a human please", "AGENT"). */
export function wantsAgent(text: string): boolean {
  return /\b(agent|human)s?\b/i.test(text);
}

/** The handoff's topic: the first thing the user asked that was not the request for a person, cut to 60 characters. */
export function topicOf(memory: AssistantMemory): string {
  const first = memory.userMessages.find((m) => !wantsAgent(m))?.replace(/\s+/g, ' ').trim();
  if (!first) return 'General';
  return first.length > TOPIC_MAX ? `${first.slice(0, TOPIC_MAX - 1)}…` : first;
}

const text = (t: string): TextItem => ({ response_type: 'text' as MessageResponseTypes.TEXT, text: t });

function connectItem(memory: AssistantMemory): ConnectItem {
  return {
    response_type: 'connect_to_agent' as MessageResponseTypes.CONNECT_TO_HUMAN_AGENT,
    message_to_human_agent: MESSAGE_TO_AGENT,
    topic: topicOf(memory),
    agent_available: { message: AGENT_AVAILABLE },
    agent_unavailable: { message: AGENT_UNAVAILABLE },
    transfer_info: { additional_data: { source: HANDOFF_SOURCE } },
  };
}

/** A canned answer that shows the question was read. */
function helpful(question: string): string {
  const q = question.replace(/\s+/g, ' ').trim();
  const quoted = q.length > 80 ? `${q.slice(0, 79)}…` : q;
  if (/lisbon|porto|douro|madeira|trip|holiday|flight|hotel|book/i.test(q)) {
    return `You asked: “${quoted}”. Our autumn trips: Lisbon city break (3 nights, from €249), Porto & the Douro (4 nights, from €389), Madeira hiking (6 nights, from €612). ${HELP}`;
  }
  return `You asked: “${quoted}”. ${HELP}`;
}

export interface AssistantOptions {
  /**
   * Whether the page has a service desk. Without one Carbon 1.9.1 shows no card for connect_to_agent (it
   * reports an integration error and stops), so the assistant says so instead. Default true.
   */
  canHandOff?: boolean;
}

/**
 * One turn. `userText` is undefined (or empty) for Carbon's welcome request. Returns the items to show and
 * the memory after this turn; the memory passed in is not changed.
 */
export function answer(userText: string | undefined, memory: AssistantMemory, opts: AssistantOptions = {}): { generic: GenericItem[]; memory: AssistantMemory } {
  const said = userText?.trim() ?? '';
  if (!said) return { generic: [text(WELCOME)], memory };
  const next: AssistantMemory = { userMessages: [...memory.userMessages, said] };
  if (wantsAgent(said)) {
    if (opts.canHandOff === false) return { generic: [text(NO_HANDOFF)], memory: next };
    return { generic: [text(CONNECTING), connectItem(next)], memory: next };
  }
  return { generic: [text(helpful(said))], memory: next };
}

/** `messaging.customSendMessage` for Carbon AI Chat, with the memory of one conversation (reset by "restart"). */
export function createAssistant(opts: AssistantOptions = {}): {
  customSendMessage: (request: MessageRequest, options: CustomSendMessageOptions, instance: ChatInstance) => Promise<void>;
  reset(): void;
} {
  let memory = newMemory();
  return {
    reset() {
      memory = newMemory();
    },
    async customSendMessage(request, _options, instance) {
      const welcome = request.history?.is_welcome_request === true;
      const turn = answer(welcome ? undefined : request.input.text, memory, opts);
      memory = turn.memory;
      const response: MessageResponse = { output: { generic: turn.generic } };
      await instance.messaging.addMessage(response);
    },
  };
}
