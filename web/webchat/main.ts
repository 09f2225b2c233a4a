// The web chat page (/webchat/): IBM's Carbon AI Chat (@carbon/ai-chat, the open-source sibling of watsonx
// Assistant web chat) with a stand-in assistant (assistant.ts) and Parley's service desk, loaded by the
// page's classic `<script src="/watson.js">` exactly as a business would. The page's `?entryPoint=` goes to
// Parley's route table; a test may set `window.PARLEY_IDENTITY_TOKEN` (page.addInitScript) to chat as a
// verified customer, and `window.PARLEY_WATSON_TRACE` to record the service desk's calls. Without the service desk bundle the page says so, and the assistant still answers.
// React without JSX: this build's JSX runtime is Preact's (web/vite.pages.config.ts).

import { BusEventType, ChatContainer, LayoutCustomProperties, type ChatContainerProps, type ServiceDesk, type ServiceDeskFactoryParameters } from '@carbon/ai-chat';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { createAssistant } from './assistant.js';

/** The options of `ParleyWatson.serviceDeskFactory` (watson/, built to /watson.js). */
export interface ParleyWatsonOptions {
  /** Parley's base URL. */
  url: string;
  /** A route-table entry point. */
  entryPoint?: string;
  /** A signed identity JWT: a verified customer. */
  identityToken?: string;
  storageKey?: string;
}

declare global {
  interface Window {
    ParleyWatson?: { serviceDeskFactory(options: ParleyWatsonOptions): (params: ServiceDeskFactoryParameters) => Promise<ServiceDesk> };
    PARLEY_IDENTITY_TOKEN?: string;
    /** Set by a test (page.addInitScript): record every call the service desk makes on web chat's callback. */
    PARLEY_WATSON_TRACE?: boolean;
    __watsonCalls?: { name: string; args: unknown[] }[];
  }
}

/**
 * The factory, with web chat's callback wrapped so each call is recorded in `window.__watsonCalls` when a
 * test asks: some callbacks show nothing in Carbon 1.9.1 (agentReadMessages is a no-op there), and a test
 * must still see that Parley made them.
 */
function traced(factory: (params: ServiceDeskFactoryParameters) => Promise<ServiceDesk>): (params: ServiceDeskFactoryParameters) => Promise<ServiceDesk> {
  if (!window.PARLEY_WATSON_TRACE) return factory;
  const calls = (window.__watsonCalls ??= []);
  return (params) => {
    const callback = new Proxy(params.callback, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof value !== 'function' || typeof key !== 'string') return value;
        return (...args: unknown[]) => {
          try {
            calls.push({ name: key, args: JSON.parse(JSON.stringify(args)) as unknown[] });
          } catch {
            calls.push({ name: key, args: [] });
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    return factory({ ...params, callback });
  };
}

const entryPoint = new URLSearchParams(location.search).get('entryPoint')?.trim() || undefined;
const identityToken = window.PARLEY_IDENTITY_TOKEN || undefined;

const entryNote = document.getElementById('entry-point');
if (entryNote && entryPoint) {
  entryNote.textContent = `Chats from this page open with the entry point "${entryPoint}": Parley's route table decides which desk answers them.`;
}

const desk = window.ParleyWatson;
if (!desk) {
  const missing = document.getElementById('desk-missing');
  if (missing) {
    missing.textContent =
      "Parley's service desk bundle (/watson.js) did not load, so the chat cannot hand you over to a person: the assistant still answers. Build it with `npm run build` and reload.";
    missing.hidden = false;
  }
}

const assistant = createAssistant({ canHandOff: Boolean(desk) });

const props: ChatContainerProps = {
  openChatByDefault: true,
  // A scripted stand-in, not an AI: no "AI" label.
  aiEnabled: false,
  assistantName: 'Northwind assistant',
  header: { title: 'Northwind Travel assistant', showRestartButton: true, showAiLabel: false },
  // A little wider than Carbon's 380px default, so the header's title is not cut short.
  layout: { customProperties: { [LayoutCustomProperties.width]: '440px' } },
  messaging: { customSendMessage: assistant.customSendMessage },
  serviceDesk: { availabilityTimeoutSeconds: 5 },
  ...(desk ? { serviceDeskFactory: traced(desk.serviceDeskFactory({ url: location.origin, entryPoint, identityToken })) } : {}),
  onBeforeRender: (instance) => {
    // "Restart conversation" starts a new chat with a fresh memory (the handoff's topic).
    instance.on({ type: BusEventType.PRE_RESTART_CONVERSATION, handler: () => assistant.reset() });
  },
};

const host = document.createElement('div');
host.id = 'webchat';
document.body.append(host);
createRoot(host).render(createElement(ChatContainer, props));
