import type { DeskAdapter } from '../../core/adapter.js';

// The built-in `inbox` desk: Parley's own agents, over the agent API and stream. Like the web channel it
// reads the log directly; delivery marks the message sent, the agent's client receipts do the rest.
export const inboxDesk: DeskAdapter = {
  id: 'inbox',
  side: 'desk',
  capabilities: { typing: true, receipts: true, parts: ['text', 'media', 'quick_replies', 'buttons', 'qr', 'location'] },
  readsLog: true,
  wants: (event) => event.kind === 'message',
  deliver: () => Promise.resolve({ status: 'sent' }),
};
