import type { Conversation, Offer, Signal, StoredEvent } from '../core/model.js';
import type { VendorTrafficRecord } from '../vendor/traffic-record.js';

// The bus fans committed events and ephemeral signals out to live sessions, by topic:
//   contact:<id>       a customer's sessions
//   agent:<id>         an agent's sessions (conversations assigned to them)
//   queue:<id>         agents of a queue (conversations waiting there)
//   conversation:<id>  anyone watching one conversation (event inspector); only watchers get `vendor`
// In-process by default; a Redis implementation of the same interface lets several nodes share it.

export type BusMessage =
  | { type: 'event'; event: StoredEvent; conversation: ConversationSummary }
  | { type: 'signal'; signal: Signal }
  | { type: 'offer'; offer: Offer }
  /** An agent's role, disabled state, password or queues changed: its open streams re-check at once. */
  | { type: 'authority'; agentId: string }
  /** A vendor request or webhook of a conversation, masked (src/vendor/traffic.ts): for admins watching it. */
  | { type: 'vendor'; conversationId: string; record: VendorTrafficRecord };

/** What a subscriber needs to know about the conversation an event belongs to, without a query. */
export type ConversationSummary = Pick<Conversation, 'id' | 'contactId' | 'channel' | 'desk' | 'queueId' | 'agentId' | 'phase' | 'lastSeq'>;

export const conversationSummary = (c: Conversation): ConversationSummary => ({
  id: c.id,
  contactId: c.contactId,
  channel: c.channel,
  desk: c.desk,
  queueId: c.queueId,
  agentId: c.agentId,
  phase: c.phase,
  lastSeq: c.lastSeq,
});

export type BusHandler = (msg: BusMessage) => void;

export interface Bus {
  publish(topics: string[], msg: BusMessage): void;
  subscribe(topics: string[], handler: BusHandler): () => void;
  close(): Promise<void>;
}

export class LocalBus implements Bus {
  /**
   * A topic's handlers: the handler itself while there is one (a customer's own topic, nearly always, so an
   * idle customer stream costs no Set), a Set once there are more.
   */
  private readonly topics = new Map<string, BusHandler | Set<BusHandler>>();

  publish(topics: string[], msg: BusMessage): void {
    // A handler subscribed to several of the topics gets the message once.
    const seen = new Set<BusHandler>();
    for (const t of topics) {
      const handlers = this.topics.get(t);
      for (const h of typeof handlers === 'function' ? [handlers] : (handlers ?? [])) {
        if (seen.has(h)) continue;
        seen.add(h);
        try {
          h(msg);
        } catch {
          // One broken session must not stop fan-out to the others.
        }
      }
    }
  }

  subscribe(topics: string[], handler: BusHandler): () => void {
    for (const t of topics) {
      const handlers = this.topics.get(t);
      if (!handlers) this.topics.set(t, handler);
      else if (typeof handlers !== 'function') handlers.add(handler);
      else if (handlers !== handler) this.topics.set(t, new Set([handlers, handler]));
    }
    return () => {
      for (const t of topics) {
        const handlers = this.topics.get(t);
        if (handlers === handler) this.topics.delete(t);
        else if (typeof handlers === 'object') {
          handlers.delete(handler);
          if (handlers.size === 0) this.topics.delete(t);
        }
      }
    };
  }

  close(): Promise<void> {
    this.topics.clear();
    return Promise.resolve();
  }
}
