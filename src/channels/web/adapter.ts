import type { ChannelAdapter } from '../../core/adapter.js';

// The built-in `web` channel: the customer API and stream (widget, app, a business's own mobile app).
// Customers read the log directly over their stream, so "delivering" is only a status step: the event is
// already where the customer will fetch it. Delivered and read come from the customer's client receipts.
export const webChannel: ChannelAdapter = {
  id: 'web',
  side: 'channel',
  capabilities: { typing: true, receipts: true, parts: ['text', 'media', 'quick_replies', 'buttons', 'qr', 'location'] },
  readsLog: true,
  wants: (event) => event.kind === 'message',
  deliver: () => Promise.resolve({ status: 'sent' }),
};
