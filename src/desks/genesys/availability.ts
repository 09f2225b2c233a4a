import { toConversation } from '../../store/rows.js';
import type { GenesysDesk } from './adapter.js';

// Queue availability for customers waiting on a Genesys desk (issue 6, item 12): with a queue configured,
// every `availabilityIntervalMs` the desk asks Genesys how many agents are on that queue (the queue
// observation query, oOnQueueUsers) and its estimated wait (routing estimatedwaittime: per conversation
// when few wait, else the queue's), and sends both to each waiting customer as a live `availability` signal
// (never stored). One observation call per tick whatever the number of customers, so the rate budget is
// spent on messages, not on polling.

const PER_CONVERSATION_ESTIMATES = 10;

/** How long one answer to "any agent on queue?" is reused for customers asking before they open a chat. */
export const AGENTS_ONLINE_TTL_MS = 5_000;
/** Longest a customer's request waits on Genesys for it; past it the answer is unknown (null). */
const AGENTS_ONLINE_WAIT_MS = 2_000;

/**
 * Whether the desk's queue has agents on it, for customers who have not opened a conversation yet
 * (DeskAdapter.agentsOnline, GET /v1/availability). Every page load of a site may ask, and the instance's
 * rate budget is for messages: one answer (and one call in flight) is shared by every caller for
 * AGENTS_ONLINE_TTL_MS, failures included, so a burst of page loads — or Genesys being down — costs one call
 * per TTL. A failed or unanswerable call is null (unknown), never a throw.
 */
export class AgentsOnline {
  private cached: { at: number; answer: Promise<boolean | null> } | undefined;

  constructor(
    private readonly desk: GenesysDesk,
    private readonly queueId: string,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<boolean | null> {
    const t = this.now();
    if (this.cached && t - this.cached.at < AGENTS_ONLINE_TTL_MS) return this.cached.answer;
    const answer = this.ask();
    this.cached = { at: t, answer };
    return answer;
  }

  private async ask(): Promise<boolean | null> {
    try {
      const wait = Math.min(AGENTS_ONLINE_WAIT_MS, this.desk.settings.attemptTimeoutMs);
      const n = await this.desk.api.onQueueAgents(this.queueId, AbortSignal.timeout(wait));
      // No oOnQueueUsers figure at all: Genesys did not say, so neither do we.
      return n === undefined ? null : n > 0;
    } catch (err) {
      this.desk.log.warn({ err, desk: this.desk.id }, 'genesys agents-online check failed');
      return null;
    }
  }
}

export class Availability {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly desk: GenesysDesk,
    private readonly queueId: string,
  ) {}

  start(): void {
    const every = this.desk.settings.availabilityIntervalMs;
    this.timer = setInterval(() => {
      this.running ??= this.tick()
        .catch((err: unknown) => this.desk.log.warn({ err, desk: this.desk.id }, 'genesys availability check failed'))
        .finally(() => {
          this.running = undefined;
        });
    }, every);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round: figures from Genesys, then a signal to every waiting customer of this desk. */
  async tick(): Promise<void> {
    const { hub } = this.desk.rt;
    const rows = await hub.db.selectFrom('conversations').selectAll().where('desk', '=', this.desk.id).where('phase', 'in', ['queued', 'transferring']).limit(500).execute();
    if (rows.length === 0) return;
    const waiting = rows.map(toConversation);
    const agentsOnQueue = await this.desk.api.onQueueAgents(this.queueId);
    const queueWait = waiting.length > PER_CONVERSATION_ESTIMATES ? await this.desk.api.estimatedWait(this.queueId) : undefined;
    const label = this.desk.settings.queueName ?? this.queueId;
    for (const c of waiting) {
      let waitSeconds = queueWait;
      if (waiting.length <= PER_CONVERSATION_ESTIMATES) {
        const gcId = await this.desk.reports.externalOf('conversation', c.id);
        waitSeconds = await this.desk.api.estimatedWait(this.queueId, gcId).catch(() => undefined);
      }
      await this.desk.reports.availability({
        conversationId: c.id,
        queueId: label,
        ...(waitSeconds !== undefined ? { waitSeconds: Math.max(0, Math.round(waitSeconds)) } : {}),
        ...(agentsOnQueue !== undefined ? { agentsOnQueue } : {}),
      });
    }
  }
}
