// Connect → subscribers: chat streaming (StartContactStreaming) publishes every transcript item of the
// contact to the SNS topic, as the admin guide's "sns-payload" page shows: the SNS `Message` is the JSON of
// the item (AbsoluteTime, Content, ContentType, Id, Type, ParticipantId, DisplayName, ParticipantRole,
// InitialContactId, ContactId, Attachments for ATTACHMENT items), and the routing facts are repeated as
// String message attributes (InitialContactId, MessageVisibility, Type, AccountId, ContentType, InstanceId,
// ContactId, ParticipantRole). The topics are the kit's SnsTopic: signed envelopes, subscription
// confirmation, AWS's HTTP retry policy.
//
// One chat's items are published one after the other (the next once the previous delivery settled), so a
// test sees them in transcript order. Real standard SNS topics do not promise order; the emulator is
// stricter here, and the README says so.
import { SnsTopic } from '../kit/sns.js';
import type { Chat, Item } from './state.js';

export interface StreamingOptions {
  region: string;
  accountId: string;
  topics: string[];
  signatureVersion: '1' | '2';
  baseUrl: () => string;
  retry?: { delaysMs?: number[]; timeoutMs?: number };
}

export class Streaming {
  readonly topics = new Map<string, SnsTopic>();
  private chain: Promise<void> = Promise.resolve();
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly opts: StreamingOptions) {
    for (const name of opts.topics) this.addTopic(name);
  }

  arnOf(name: string): string {
    return `arn:aws:sns:${this.opts.region}:${this.opts.accountId}:${name}`;
  }

  addTopic(name: string): SnsTopic {
    const arn = this.arnOf(name);
    const existing = this.topics.get(arn);
    if (existing) return existing;
    const topic = new SnsTopic({ topicArn: arn, baseUrl: this.opts.baseUrl, signatureVersion: this.opts.signatureVersion, ...(this.opts.retry ? { retry: this.opts.retry } : {}) });
    this.topics.set(arn, topic);
    return topic;
  }

  /** The inner message Connect publishes for an item. */
  static payload(item: Item): Record<string, unknown> {
    const { visibility: _v, receipts: _r, ...rest } = item;
    return rest;
  }

  publish(chat: Chat, item: Item, accountId = this.opts.accountId): void {
    const streams = chat.streams.filter((s) => s.active);
    if (!streams.length) return;
    const message = JSON.stringify(Streaming.payload(item));
    const attributes: Record<string, string> = {
      InitialContactId: item.InitialContactId,
      MessageVisibility: item.visibility,
      Type: item.Type,
      AccountId: accountId,
      ContentType: item.ContentType,
      InstanceId: chat.instanceId,
      ContactId: item.ContactId,
      ...(item.ParticipantRole ? { ParticipantRole: item.ParticipantRole } : {}),
    };
    for (const s of streams) {
      const topic = this.topics.get(s.topicArn);
      if (!topic) continue;
      const run = this.chain.then(async () => {
        const messageId = await topic.publish(message, { attributes });
        // Wait for this notification to settle before the next one goes (see the file comment).
        for (;;) {
          const d = topic.deliveries().filter((x) => x.key === messageId);
          if (d.every((x) => x.state !== 'pending')) return;
          await new Promise((r) => setTimeout(r, 5));
        }
      });
      this.chain = run.catch(() => undefined);
      const tracked = this.chain.finally(() => this.pending.delete(tracked));
      this.pending.add(tracked);
    }
  }

  routes() {
    return [...this.topics.values()].flatMap((t) => t.routes());
  }

  async idle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
    await Promise.all([...this.topics.values()].map((t) => t.idle()));
  }

  reset(): void {
    for (const t of this.topics.values()) t.reset();
  }

  close(): void {
    for (const t of this.topics.values()) t.close();
  }
}
