import type { DeliveryJob, DeliveryOutcome, DeskAdapter, SignalJob } from '../../src/core/adapter.js';
import { openConversation } from '../../src/core/commands.js';
import { ParleyError } from '../../src/core/errors.js';
import { partsToText } from '../../src/core/parts.js';
import type { TestServer } from '../helpers/server.js';

// A scriptable desk for dispatcher tests. Each message (by its text) can be given a list of outcomes, one
// per attempt; when the list runs out the delivery succeeds. Every attempt is recorded.

export type Step = 'ok' | 'unavailable' | { unavailable: number } | 'rejected' | 'hang' | 'throw';

export interface Attempt {
  deliveryId: string;
  conversationId: string;
  seq: number;
  text: string;
  at: number;
  /** Conversations with an attempt in progress when this one started. */
  concurrentWith: string[];
  outcome?: 'ok' | 'failed' | 'aborted';
  signalAborted?: boolean;
}

export class FakeDesk implements DeskAdapter {
  readonly id = 'fake';
  readonly side = 'desk' as const;
  readonly capabilities = { typing: false, receipts: false, parts: ['text' as const] };
  readonly attempts: Attempt[] = [];
  private readonly scripts = new Map<string, Step[]>();
  private readonly inFlight = new Map<string, number>();
  private readonly started: { text: string; resolve: () => void }[] = [];

  wants = (e: { kind: string }) => e.kind === 'message';

  /** Live signals passed to this desk (customer typing), in arrival order. */
  readonly signals: SignalJob[] = [];
  /** Set to make signal() fail, as a vendor that is down would. */
  failSignals = false;

  signal(job: SignalJob): Promise<void> {
    this.signals.push(job);
    return this.failSignals ? Promise.reject(new Error('vendor down')) : Promise.resolve();
  }

  /** Outcomes for the attempts at delivering the message with this text, in order. */
  script(text: string, steps: Step[]): void {
    this.scripts.set(text, [...steps]);
  }

  /** Resolves as soon as an attempt at this text starts (no polling delay). */
  attemptStarted(text: string): Promise<void> {
    if (this.of(text).length) return Promise.resolve();
    return new Promise((resolve) => this.started.push({ text, resolve }));
  }

  of(text: string): Attempt[] {
    return this.attempts.filter((a) => a.text === text);
  }

  delivered(conversationId?: string): Attempt[] {
    return this.attempts.filter((a) => a.outcome === 'ok' && (!conversationId || a.conversationId === conversationId));
  }

  async deliver(job: DeliveryJob, signal: AbortSignal): Promise<DeliveryOutcome> {
    const text = job.event.kind === 'message' ? partsToText(job.event.parts) : job.event.kind;
    const attempt: Attempt = {
      deliveryId: job.delivery.id,
      conversationId: job.conversation.id,
      seq: job.event.seq,
      text,
      at: Date.now(),
      concurrentWith: [...this.inFlight.keys()].filter((c) => (this.inFlight.get(c) ?? 0) > 0),
    };
    this.attempts.push(attempt);
    for (const w of this.started.filter((x) => x.text === text)) w.resolve();
    const step = this.scripts.get(text)?.shift() ?? 'ok';
    const c = job.conversation.id;
    this.inFlight.set(c, (this.inFlight.get(c) ?? 0) + 1);
    const settle = (o: Attempt['outcome']) => {
      if (attempt.outcome) return;
      attempt.outcome = o;
      this.inFlight.set(c, (this.inFlight.get(c) ?? 1) - 1);
    };
    try {
      if (step === 'hang') {
        return await new Promise<never>((_, reject) =>
          signal.addEventListener('abort', () => {
            attempt.signalAborted = true;
            settle('aborted');
            reject(new Error('aborted'));
          }),
        );
      }
      // A little latency so overlapping attempts are observable.
      await new Promise((r) => setTimeout(r, 5));
      if (step === 'unavailable') throw new ParleyError('DELIVERY_UNAVAILABLE', 'desk is down');
      if (typeof step === 'object') throw new ParleyError('DELIVERY_UNAVAILABLE', 'slow down', { retryAfterMs: step.unavailable });
      if (step === 'rejected') throw new ParleyError('DELIVERY_REJECTED', 'desk refused the message');
      if (step === 'throw') throw new Error('socket hang up');
      settle('ok');
      return { status: 'sent', externalId: `ext-${job.delivery.id}` };
    } catch (e) {
      settle('failed');
      throw e;
    }
  }
}

/** A contact with an open web conversation routed to the fake desk, and a customer token for it. */
export async function fakeConversation(ts: TestServer, name: string): Promise<{ conversationId: string; contactId: string; token: string }> {
  const { hub, tokens } = ts.server.services;
  const contact = await hub.tx((tx) => tx.ensureContactForIdentity('anon', `${name}-${Math.random().toString(36).slice(2)}`, { verified: false }));
  const r = await hub.run((ctx) => openConversation(ctx, { contactId: contact.id, channel: 'web', desk: 'fake', queueId: 'default' }));
  return { conversationId: r.conversation.id, contactId: contact.id, token: await tokens.customerToken(contact.id) };
}
