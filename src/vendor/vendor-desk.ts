import type { Capabilities, DeliveryJob, DeliveryOutcome, DeskAdapter } from '../core/adapter.js';
import type { StoredEvent } from '../core/model.js';
import { deskReports, type DeskReports } from '../hub/desk-reports.js';
import { Started } from '../switchboard/started.js';
import type { AdapterLifecycle, AdapterRuntime } from '../switchboard/types.js';
import type { Webhook, WebhookReceiver } from '../switchboard/webhooks.js';

// What every vendor desk (Genesys, Amazon Connect, LivePerson) has in common besides its vendor: the wired
// node and its DeskReports once started (a webhook or delivery before that is a 503 the vendor or the outbox
// retries), and what a vendor desk wants from the log.

export abstract class VendorDesk implements DeskAdapter, WebhookReceiver, AdapterLifecycle {
  readonly side = 'desk' as const;
  abstract readonly capabilities: Capabilities;
  abstract readonly webhooks: readonly Webhook[];
  private readonly started: Started<{ rt: AdapterRuntime; reports: DeskReports }>;

  constructor(readonly id: string) {
    this.started = new Started(`${id} desk`);
  }

  /** The wired node (hub, media); 503 before start. */
  get rt(): AdapterRuntime {
    return this.started.get().rt;
  }

  get reports(): DeskReports {
    return this.started.get().reports;
  }

  start(runtime: AdapterRuntime): void | Promise<void> {
    this.started.set({ rt: runtime, reports: deskReports(runtime.hub, this.id) });
  }

  stop(): void | Promise<void> {}

  /**
   * The customer's messages and receipts (what the agent must see, and the ticks of the agent's messages),
   * an end that did not come from this desk (the vendor's conversation must end too), and the channel's
   * delivery failures (the agent's message that never reached the customer). Never its own agents' events:
   * fan-out skips the leg events came in on.
   */
  wants(e: Pick<StoredEvent, 'kind' | 'author' | 'origin'>): boolean {
    if (e.kind === 'message' || e.kind === 'receipt') return e.origin === 'channel';
    if (e.kind === 'conversation.ended') return e.origin !== 'desk';
    return e.kind === 'delivery.failed';
  }

  abstract deliver(job: DeliveryJob, signal: AbortSignal): Promise<DeliveryOutcome>;
}
