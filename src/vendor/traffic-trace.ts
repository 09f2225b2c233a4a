import { AsyncLocalStorage } from 'node:async_hooks';
import type { HeldExchange, RawExchange, TrafficConversation, VendorTraffic } from './traffic.js';

// Which conversation a vendor request belongs to, without any adapter saying so: an AsyncLocalStorage
// context set around the work done for a conversation, read wherever vendor traffic is captured (VendorHttp,
// the AWS SDK middleware in aws-traffic.ts). Every adapter gets it for free.
//
// - The dispatcher runs each delivery, and the hub each live signal to a vendor leg, inside
//   `traceConversation`: every request made meanwhile (token fetches included) is that conversation's.
// - The webhook route runs each verified webhook inside a `WebhookTrace`: the hub notes every conversation a
//   command run inside it returns (`noteTouched`: messages, receipts, joins, repeats stored as duplicates,
//   signals), and the requests the adapter makes while handling it are held until the webhook is answered.
//   Then the webhook and those requests are kept on each conversation it touched, or as unattributed when it
//   touched none. A conversation context inside a webhook (a signal passed on to the other leg) wins: it is
//   more precise.
// - Outside any context (a poller, the Genesys notification socket) nothing is captured, so such work pays
//   nothing. A timer started inside a context keeps it (that is how AsyncLocalStorage works): a token
//   refresh scheduled during a delivery is shown on that delivery's conversation.

interface ConversationTrace {
  kind: 'conversation';
  traffic: VendorTraffic;
  conversation: TrafficConversation;
}

export class WebhookTrace {
  readonly kind = 'webhook';
  /** The conversations the webhook's commands returned, by id. */
  readonly touched = new Map<string, TrafficConversation>();
  private held: HeldExchange[] = [];
  private done = false;

  constructor(readonly traffic: VendorTraffic) {}

  /** An outbound exchange made while handling the webhook (or after, by work it started). */
  add(h: HeldExchange): void {
    if (!this.done) this.held.push(h);
    else if (this.touched.size === 0) this.traffic.keepUnattributed(h);
    else for (const c of this.touched.values()) this.traffic.keep(c, h);
  }

  /** The webhook was answered: keep it, then what was sent while handling it, where it belongs. */
  finish(inbound: RawExchange): void {
    this.done = true;
    const all = [this.traffic.hold(inbound), ...this.held];
    this.held = [];
    for (const h of all) this.add(h);
  }
}

const als = new AsyncLocalStorage<ConversationTrace | WebhookTrace>();

/** Whether anything would keep a capture now: callers skip building one when not. */
export const tracing = (): boolean => als.getStore() !== undefined;

/** Run `fn` as work for one conversation. */
export function traceConversation<T>(traffic: VendorTraffic, conversation: TrafficConversation, fn: () => T): T {
  return als.run({ kind: 'conversation', traffic, conversation }, fn);
}

/** Run `fn` (a verified webhook's handling) inside `trace`. */
export function traceWebhook<T>(trace: WebhookTrace, fn: () => T): T {
  return als.run(trace, fn);
}

/** A vendor exchange just finished (one send, answered or not). Never throws: capture must not fail a delivery. */
export function noteOutbound(raw: RawExchange): void {
  const t = als.getStore();
  if (!t) return;
  try {
    const held = t.traffic.hold(raw);
    if (t.kind === 'conversation') t.traffic.keep(t.conversation, held);
    else t.add(held);
  } catch {
    // A record lost is a smaller harm than a delivery failed by its bookkeeping.
  }
}

/** A command run now returned this conversation: a webhook being handled touched it. */
export function noteTouched(c: TrafficConversation): void {
  const t = als.getStore();
  if (t?.kind === 'webhook') t.touched.set(c.id, c);
}
