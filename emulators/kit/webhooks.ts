// Signed outbound webhooks with a vendor's retry rule. The same bytes (and so the same signature and
// the same payload id) go out on every attempt: receivers dedupe on that id, and an emulator that
// re-serialised between attempts would hide bugs in exactly that code.
import { randomUUID } from 'node:crypto';

export interface RetryPolicy {
  /** An attempt that has no answer after this long counts as failed (and retryable). */
  timeoutMs: number;
  /** Wait before each retry; its length is the number of retries. */
  delaysMs: number[];
  /** Which answers are worth another attempt. Network errors and timeouts always are. */
  retryOn(status: number): boolean;
}

export interface Attempt {
  n: number;
  at: string;
  durationMs: number;
  status?: number;
  error?: string;
}

export interface Delivery {
  id: string;
  /** The vendor's id for what is being delivered (e.g. a message id), for lookups in tests. */
  key: string;
  url: string;
  headers: Record<string, string>;
  body: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: Attempt[];
}

export interface SendInput {
  key: string;
  url: string;
  body: string;
  headers: Record<string, string>;
  /** Called once, when the delivery is delivered or has given up. */
  onSettled?: (delivery: Delivery) => void;
}

/** The vendor's bookkeeping must not break the sender (nor leave a rejected promise behind). */
function settle(delivery: Delivery, onSettled?: (d: Delivery) => void): void {
  try {
    onSettled?.(delivery);
  } catch (err) {
    console.error(`webhook ${delivery.id}: onSettled failed:`, err);
  }
}

export class WebhookSender {
  private readonly deliveries: Delivery[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly controller = new AbortController();
  private closed = false;

  constructor(
    private policy: () => RetryPolicy,
    private readonly capacity = 2000,
  ) {}

  send(input: SendInput): Delivery {
    const delivery: Delivery = {
      id: randomUUID(),
      key: input.key,
      url: input.url,
      headers: input.headers,
      body: input.body,
      state: 'pending',
      attempts: [],
    };
    this.deliveries.push(delivery);
    if (this.deliveries.length > this.capacity) this.deliveries.splice(0, this.deliveries.length - this.capacity);
    const run = this.run(delivery, input.onSettled).finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
    return delivery;
  }

  list(filter: { key?: string; state?: Delivery['state'] } = {}): Delivery[] {
    return this.deliveries.filter((d) => (!filter.key || d.key === filter.key) && (!filter.state || d.state === filter.state));
  }

  clear(): void {
    this.deliveries.length = 0;
  }

  /** Resolves when nothing is being delivered or waiting for a retry (tests use it to settle). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
  }

  close(): void {
    this.closed = true;
    this.controller.abort();
  }

  private async run(delivery: Delivery, onSettled?: (d: Delivery) => void): Promise<void> {
    const policy = this.policy();
    for (let n = 0; n <= policy.delaysMs.length && !this.closed; n++) {
      if (n > 0 && !(await this.sleep(policy.delaysMs[n - 1]!))) break;
      const attempt = await this.attempt(delivery, n + 1, policy.timeoutMs);
      delivery.attempts.push(attempt);
      if (attempt.status !== undefined && attempt.status >= 200 && attempt.status < 300) {
        delivery.state = 'delivered';
        settle(delivery, onSettled);
        return;
      }
      if (attempt.status !== undefined && !policy.retryOn(attempt.status)) break;
    }
    delivery.state = 'failed';
    settle(delivery, onSettled);
  }

  private async attempt(delivery: Delivery, n: number, timeoutMs: number): Promise<Attempt> {
    const started = Date.now();
    const at = new Date(started).toISOString();
    const signal = AbortSignal.any([this.controller.signal, AbortSignal.timeout(timeoutMs)]);
    try {
      const res = await fetch(delivery.url, { method: 'POST', headers: delivery.headers, body: delivery.body, signal });
      // Drain the body so the connection can be reused; its content does not matter to the sender.
      await res.arrayBuffer().catch(() => undefined);
      return { n, at, durationMs: Date.now() - started, status: res.status };
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      const error = timedOut ? `timeout after ${timeoutMs} ms` : err instanceof Error ? (err.cause as Error | undefined)?.message ?? err.message : String(err);
      return { n, at, durationMs: Date.now() - started, error };
    }
  }

  private sleep(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      if (this.closed) return resolve(false);
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve(false);
      };
      const timer = setTimeout(() => {
        this.controller.signal.removeEventListener('abort', onAbort);
        resolve(true);
      }, ms);
      this.controller.signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
