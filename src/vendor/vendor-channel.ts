import type { Capabilities, ChannelAdapter, DeliveryJob, DeliveryOutcome } from '../core/adapter.js';
import type { StoredEvent } from '../core/model.js';
import { channelReports, type ChannelReports } from '../hub/channel-reports.js';
import { Started } from '../switchboard/started.js';
import type { AdapterLifecycle, AdapterRuntime } from '../switchboard/types.js';
import type { Webhook, WebhookReceiver } from '../switchboard/webhooks.js';

// What every vendor channel (SMS, Messenger, WhatsApp) has in common besides its vendor: the wired node and
// its ChannelReports once started (a webhook or delivery before that is a 503 the vendor or the outbox
// retries), the customer's identity namespace, and sending one agent message as several vendor messages
// exactly once each.

/** Ids every vendor channel keeps in the external id map, by kind. */
export const CHANNEL_REF = {
  /** A vendor message id (a customer's message, or one part of an agent message) → the Parley event. */
  message: 'message',
  /** `<event id>#<part>` → the vendor id of that part of an agent message the vendor took: a resend skips it. */
  part: 'part',
  /** The customer's vendor id → their contact (where an agent's replies go). */
  customer: 'customer',
} as const;

export abstract class VendorChannel implements ChannelAdapter, WebhookReceiver, AdapterLifecycle {
  readonly side = 'channel' as const;
  abstract readonly capabilities: Capabilities;
  abstract readonly webhooks: readonly Webhook[];
  private readonly started: Started<{ rt: AdapterRuntime; reports: ChannelReports }>;

  /** `identity`: the namespace of the customer's vendor id (`phone` for E.164 numbers, `messenger:<page>` …). */
  constructor(
    readonly id: string,
    private readonly identity: string,
  ) {
    this.started = new Started(`${id} channel`);
  }

  /** The wired node (hub, media); 503 before start. */
  get rt(): AdapterRuntime {
    return this.started.get().rt;
  }

  get reports(): ChannelReports {
    return this.started.get().reports;
  }

  start(runtime: AdapterRuntime): void {
    this.started.set({ rt: runtime, reports: channelReports(runtime.hub, this.id, this.identity) });
  }

  stop(): void {}

  abstract wants(e: Pick<StoredEvent, 'kind' | 'author' | 'origin'>): boolean;
  abstract deliver(job: DeliveryJob, signal: AbortSignal): Promise<DeliveryOutcome>;

  /**
   * Sends an agent message's parts one after another, in order (vendors keep one sender's order to one
   * customer only as sent), each exactly once across the outbox's resends: part `<event id>#<key>`'s vendor
   * id is linked before the next is sent, so a resend after a failure mid-way skips what the vendor took,
   * and as `message` → the event, for the vendor's receipts. The first part's vendor id.
   */
  protected async sendOnce<T>(eventId: string, parts: readonly (readonly [key: string | number, payload: T])[], send: (payload: T) => Promise<string>, sent?: (vendorId: string, payload: T) => void): Promise<string | undefined> {
    let first: string | undefined;
    for (const [key, payload] of parts) {
      const partKey = `${eventId}#${key}`;
      let vendorId = await this.reports.find(CHANNEL_REF.part, partKey);
      if (!vendorId) {
        vendorId = await send(payload);
        await this.reports.link(CHANNEL_REF.part, partKey, vendorId);
        await this.reports.link(CHANNEL_REF.message, vendorId, eventId);
        sent?.(vendorId, payload);
      }
      first ??= vendorId;
    }
    return first;
  }
}
