// Webhooks as LivePerson posts them (vendor-protocols §4.5; developers.liveperson.com "Webhooks: notification
// protocol", "security", "retry policy"): POST JSON with `x-liveperson-account-id`, `x-liveperson-client-id` and
// `x-liveperson-signature: sha1=<Base64 HMAC-SHA1(client_secret, raw body)>` (sha256 and hex per account).
// Retry by time to live: exponential 2, 4, 8 … s capped at 5 minutes while within `retention_time`, and the order
// of events within a conversation is kept — while one delivery of a conversation is failing, the later ones of
// that conversation wait behind it (a queue per conversation; other conversations go on). The same bytes go out
// on every attempt (the kit's sender). Delivery keys are `<conversationId>:<n>`, n counting from 1 per
// conversation, in the order the notifications were made.
import { createHmac } from 'node:crypto';
import type { Kit } from '../kit/index.js';
import type { Settings, SignatureAlgorithm, SignatureEncoding, WebhookType } from './config.js';
import type { Store } from './state.js';

export function signature(secret: string, body: string | Buffer, algorithm: SignatureAlgorithm = 'sha1', encoding: SignatureEncoding = 'base64'): string {
  return `${algorithm}=${createHmac(algorithm, secret).update(body).digest(encoding)}`;
}

interface Pending {
  key: string;
  url: string;
  body: string;
}

interface Queue {
  busy: boolean;
  items: Pending[];
}

export class Notifier {
  private queues = new Map<string, Queue>();
  private counters = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly settings: Settings,
    private readonly kit: Kit,
  ) {}

  urlFor(type: WebhookType): string | undefined {
    const w = this.settings.webhookUrl;
    if (!w) return undefined;
    return typeof w === 'string' ? w : w[type];
  }

  /** Queues one notification of `conversationId` (if the installation subscribes to `type`); returns its key. */
  post(conversationId: string, type: WebhookType, payload: unknown): string | null {
    const url = this.urlFor(type);
    if (!url) return null;
    const n = (this.counters.get(conversationId) ?? 0) + 1;
    this.counters.set(conversationId, n);
    const key = `${conversationId}:${n}`;
    this.enqueue(conversationId, { key, url, body: JSON.stringify(payload) });
    return key;
  }

  /** Posts a delivered (or failed) notification again byte for byte, behind the conversation's queue. */
  redeliver(key: string): boolean {
    const previous = this.kit.webhooks.list({ key }).at(-1);
    if (!previous) return false;
    const conversationId = key.slice(0, key.lastIndexOf(':'));
    this.enqueue(conversationId, { key, url: previous.url, body: previous.body });
    return true;
  }

  reset(): void {
    this.queues = new Map();
    this.counters = new Map();
  }

  private enqueue(conversationId: string, item: Pending): void {
    let q = this.queues.get(conversationId);
    if (!q) this.queues.set(conversationId, (q = { busy: false, items: [] }));
    q.items.push(item);
    this.pump(q);
  }

  private pump(q: Queue): void {
    if (q.busy) return;
    const item = q.items.shift();
    if (!item) return;
    q.busy = true;
    const s = this.settings;
    this.kit.webhooks.send({
      key: item.key,
      url: item.url,
      body: item.body,
      headers: {
        'content-type': 'application/json',
        'x-liveperson-account-id': this.store.accountId,
        'x-liveperson-client-id': this.store.clientId,
        'x-liveperson-signature': signature(s.clientSecret, item.body, s.signatureAlgorithm, s.signatureEncoding),
      },
      // Delivered, or given up once retention_time is spent: the conversation's next notification goes.
      onSettled: () => {
        q.busy = false;
        this.pump(q);
      },
    });
  }
}
