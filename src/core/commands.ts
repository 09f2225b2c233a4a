import { ParleyError } from './errors.js';
import { deliveryTargets, type LegPolicy } from './fanout.js';
import type { AgentRef, Author, Conversation, EventBody, Leg, StoredEvent } from './model.js';
import type { Part } from './parts.js';
import { assertTransition, WAITING_PHASES } from './phases.js';
import type { AppendPlan, DeliveryPlan, EventDraft, Tx } from './ports.js';
import { isScreened, redactParts, type RedactionPolicy } from './redaction.js';

// The conversation commands. Each runs inside one transaction (see RunInTx) and returns the events it
// appended; the caller publishes them only after commit, so nobody ever sees an event that was rolled back.

export interface CommandResult {
  conversation: Conversation;
  events: StoredEvent[];
  /** True when an idempotent retry matched an earlier command and nothing new was written. */
  duplicate?: boolean;
}

export interface CommandContext {
  tx: Tx;
  /** The adapters on each leg of this conversation, to decide which events need a delivery row. */
  legsFor(conversation: Conversation): LegPolicy[];
  /** The PII policy of the conversation's route (Adapters.redactionFor), if it has one. */
  redactionFor?(conversation: Conversation): RedactionPolicy | undefined;
  /**
   * Set when a command wrote a delivery the dispatcher must make (a leg that does not read the log), so the
   * hub wakes the dispatcher after the commit only then.
   */
  dispatch?: boolean;
}

const SYSTEM: Author = { role: 'system' };

async function lockOpen(tx: Tx, conversationId: string): Promise<Conversation> {
  const c = await tx.getConversation(conversationId, true);
  if (!c) throw new ParleyError('CONVERSATION_NOT_FOUND');
  return c;
}

/** The delivery rows of an event on this conversation's legs: created `sent` for a leg that reads the log. */
function deliveriesOf(ctx: CommandContext, conv: Conversation, event: Pick<StoredEvent, 'kind' | 'author' | 'origin'> & { leg?: Leg }): DeliveryPlan[] {
  return deliveryTargets(event, ctx.legsFor(conv)).map((t) => ({ leg: t.leg, adapter: t.adapter, status: t.readsLog ? 'sent' : 'pending' }));
}

/** A `pending` delivery is the dispatcher's to make: the hub wakes it after the commit. */
function noteDispatch(ctx: CommandContext, deliveries: DeliveryPlan[]): void {
  if (deliveries.some((d) => d.status === 'pending')) ctx.dispatch = true;
}

/** Append one event to a locked conversation and create its deliveries. */
async function append(ctx: CommandContext, conv: Conversation, draft: EventDraft): Promise<StoredEvent> {
  const event = await ctx.tx.appendEvent(conv.id, draft);
  conv.lastSeq = event.seq;
  const deliveries = deliveriesOf(ctx, conv, event);
  for (const d of deliveries) await ctx.tx.insertDelivery({ conversationId: conv.id, eventId: event.id, seq: event.seq, ...d });
  noteDispatch(ctx, deliveries);
  return event;
}

const sys = (body: EventBody): EventDraft => ({ body, author: SYSTEM, origin: null });

/**
 * Open a conversation for a contact on a channel, or return the open one. The unique open_key is the
 * barrier: two concurrent first messages both try the insert, one wins, the other reads the winner.
 */
export async function openConversation(
  ctx: CommandContext,
  input: {
    contactId: string;
    channel: string;
    desk: string;
    /**
     * An inbox queue (id or name), or `{ vendor }` for a vendor desk: the conversation then sits in no inbox
     * queue (queue_id null, so round-robin and inbox agents never take it) and waits at the vendor, in the
     * vendor's queue named here (the route's queue, or the desk instance when the route names none).
     */
    queueId: string | { vendor: string };
    context?: Record<string, unknown>;
    phase?: 'queued' | 'bot';
  },
): Promise<CommandResult & { created: boolean }> {
  const { tx } = ctx;
  const existing = await tx.findOpenConversation(input.contactId, input.channel);
  if (existing) return { conversation: existing, events: [], created: false };
  let queue: { id: string; name: string } | undefined;
  let queueId: string | null = null;
  if (typeof input.queueId === 'string') {
    queue = await tx.getQueue(input.queueId);
    if (!queue) throw new ParleyError('QUEUE_NOT_FOUND', `No queue "${input.queueId}".`);
    queueId = queue.id;
  } else {
    queue = { id: input.queueId.vendor, name: input.queueId.vendor };
  }
  const phase = input.phase ?? 'queued';
  const inserted = await tx.insertConversation({
    contactId: input.contactId,
    channel: input.channel,
    desk: input.desk,
    queueId,
    phase,
    context: input.context ?? {},
  });
  if (!inserted) {
    const winner = await tx.findOpenConversation(input.contactId, input.channel);
    if (!winner) throw new ParleyError('INTERNAL', 'Open conversation vanished during creation.');
    return { conversation: winner, events: [], created: false };
  }
  const conv = await lockOpen(tx, inserted.id);
  const events: StoredEvent[] = [];
  if (phase === 'queued') {
    events.push(await append(ctx, conv, sys({ kind: 'conversation.queued', queueId: queue.id, queueName: queue.name })));
  }
  return { conversation: conv, events, created: true };
}

export interface PostMessageInput {
  conversationId: string;
  author: Author;
  origin: Leg | null;
  parts: Part[];
  /** Idempotency scope and key, e.g. (`web:<contact>`, clientMessageId) or (`genesys`, vendor message id). */
  source: string;
  key: string;
  clientMessageId?: string;
  /** Checked on the locked row: may this author write here? (Saves reading the conversation twice.) */
  allowed?: (c: Conversation) => boolean;
}

/** Why this author may not post into this conversation (checked on the locked row), if they may not. */
function refusal(conv: Conversation, input: PostMessageInput): 'CONVERSATION_NOT_FOUND' | 'CONVERSATION_ENDED' | undefined {
  if (input.allowed && !input.allowed(conv)) return 'CONVERSATION_NOT_FOUND';
  if (conv.phase === 'ended') return 'CONVERSATION_ENDED';
  return undefined;
}

/**
 * A customer answering a business-started (agentless) conversation asks for a human: the message queues it —
 * in its inbox queue, or on a vendor desk in the vendor's (the route's queue, else the desk: as openConversation).
 */
const queuesIt = (conv: Conversation, input: PostMessageInput): boolean => conv.phase === 'bot' && input.author.role === 'customer';

/**
 * The message as it will be stored, and the unredacted parts when the route's policy keeps them. Redaction
 * happens here, the one place every channel's customer messages pass through, before anything is written:
 * with `original: 'drop'` the unredacted text reaches no table (the idempotency key is the client's or the
 * vendor's message id, never the text).
 */
function messageDraft(ctx: CommandContext, conv: Conversation, input: PostMessageInput): { draft: EventDraft; original?: Part[] } {
  const policy = isScreened(input.author, input.origin) ? ctx.redactionFor?.(conv) : undefined;
  const screened = policy ? redactParts(input.parts, policy.rules) : undefined;
  const found = screened?.found.length ? screened.found : undefined;
  const draft: EventDraft = {
    body: {
      kind: 'message',
      parts: found && screened ? screened.parts : input.parts,
      ...(input.clientMessageId ? { clientMessageId: input.clientMessageId } : {}),
      ...(found ? { redacted: found } : {}),
    },
    author: input.author,
    origin: input.origin,
    source: input.source,
    key: input.key,
  };
  return found && policy?.original === 'admins' ? { draft, original: input.parts } : { draft };
}

/**
 * The message as one plain append, for Tx.appendAtOnce: undefined wherever more happens than the append (a
 * refusal, a conversation to queue), which the general path below then does.
 */
function plainMessage(ctx: CommandContext, conv: Conversation, input: PostMessageInput): AppendPlan | undefined {
  if (refusal(conv, input) || queuesIt(conv, input)) return undefined;
  const { draft, original } = messageDraft(ctx, conv, input);
  // A kept original is a second write (event_originals): the general path makes it.
  if (original) return undefined;
  const { body, author, origin } = draft;
  return { body, author, origin, deliveries: deliveriesOf(ctx, conv, { kind: body.kind, author, origin }) };
}

/** The answer to a retry: the first event under the same key, and nothing written. */
function repeated(seen: StoredEvent, conv: Conversation | undefined): CommandResult {
  if (!conv) throw new ParleyError('CONVERSATION_NOT_FOUND');
  return { conversation: conv, events: [seen], duplicate: true };
}

/** Append a message. A retry with the same (source, key) returns the first event and writes nothing. */
export async function postMessage(ctx: CommandContext, input: PostMessageInput): Promise<CommandResult> {
  const { tx } = ctx;
  // Where the store can (PostgreSQL, run alone), the whole command is one step; the rules are the same ones.
  const once = tx.appendAtOnce && (await tx.appendAtOnce({ conversationId: input.conversationId, source: input.source, key: input.key, decide: (c) => plainMessage(ctx, c, input) }));
  if (once?.kind === 'seen') {
    if (once.event.conversationId !== input.conversationId) throw new ParleyError('IDEMPOTENCY_MISMATCH');
    return repeated(once.event, once.conversation);
  }
  if (once) {
    noteDispatch(ctx, once.plan.deliveries);
    return { conversation: once.conversation, events: [once.event] };
  }
  const seen = await tx.findEventByKey(input.source, input.key);
  if (seen) {
    if (seen.conversationId !== input.conversationId) throw new ParleyError('IDEMPOTENCY_MISMATCH');
    return repeated(seen, await tx.getConversation(seen.conversationId));
  }
  const conv = await lockOpen(tx, input.conversationId);
  const refused = refusal(conv, input);
  if (refused) throw new ParleyError(refused);
  const { draft, original } = messageDraft(ctx, conv, input);
  const message = await append(ctx, conv, draft);
  if (original) await tx.keepOriginal({ eventId: message.id, conversationId: conv.id, parts: original });
  const events: StoredEvent[] = [message];
  if (queuesIt(conv, input)) {
    conv.phase = assertTransition(conv.phase, 'queue');
    const queue = conv.queueId ? await tx.getQueue(conv.queueId) : undefined;
    const queueId = conv.queueId ?? (typeof conv.context.deskQueue === 'string' ? conv.context.deskQueue : conv.desk);
    conv.queuedAt = tx.now();
    await tx.updateConversation(conv.id, { phase: conv.phase, queuedAt: conv.queuedAt });
    events.push(await append(ctx, conv, sys({ kind: 'conversation.queued', queueId, queueName: queue?.name ?? queueId })));
  }
  return { conversation: conv, events };
}

/**
 * Record that one side has received or read everything through `through`. Only forward moves are stored,
 * so a flood of repeated read marks costs one indexed read each and no writes.
 */
export async function recordReceipt(
  ctx: CommandContext,
  input: { conversationId: string; by: Leg; author: Author; receipt: 'delivered' | 'read'; through: number },
): Promise<CommandResult> {
  const { tx } = ctx;
  const conv = await lockOpen(tx, input.conversationId);
  const through = Math.min(input.through, conv.lastSeq);
  const side = input.by === 'channel' ? 'customer' : 'desk';
  const readKey = `${side}ReadSeq` as const;
  const deliveredKey = `${side}DeliveredSeq` as const;
  const current = input.receipt === 'read' ? conv[readKey] : conv[deliveredKey];
  if (through <= current) return { conversation: conv, events: [], duplicate: true };
  const patch: Partial<Conversation> = { [input.receipt === 'read' ? readKey : deliveredKey]: through };
  // Read implies delivered.
  if (input.receipt === 'read' && conv[deliveredKey] < through) patch[deliveredKey] = through;
  await tx.updateConversation(conv.id, patch);
  Object.assign(conv, patch);
  await tx.advanceDeliveries(conv.id, input.by, through, input.receipt, current);
  const event = await append(ctx, conv, { body: { kind: 'receipt', receipt: input.receipt, through }, author: input.author, origin: input.by });
  return { conversation: conv, events: [event] };
}

/** An agent takes a waiting conversation. */
export async function accept(ctx: CommandContext, input: { conversationId: string; agent: AgentRef; capacity: number }): Promise<CommandResult> {
  const { tx } = ctx;
  const conv = await lockOpen(tx, input.conversationId);
  if (conv.agentId === input.agent.id && conv.phase === 'active') return { conversation: conv, events: [], duplicate: true };
  conv.phase = assertTransition(conv.phase, 'accept');
  if ((await tx.activeCount(input.agent.id, true)) >= input.capacity) throw new ParleyError('AGENT_AT_CAPACITY');
  conv.agentId = input.agent.id;
  await tx.updateConversation(conv.id, { phase: conv.phase, agentId: conv.agentId, queuedAt: null, updatedAt: tx.now() });
  await tx.markAssigned(input.agent.id);
  const joined = await append(ctx, conv, sys({ kind: 'participant.joined', participant: input.agent }));
  return { conversation: conv, events: [joined] };
}

export type TransferTarget = { type: 'agent'; agent: AgentRef; capacity: number } | { type: 'queue'; queueId: string };

/** Hand a conversation to another agent (who joins at once) or back to a queue (it waits there). */
export async function transfer(
  ctx: CommandContext,
  input: { conversationId: string; by: AgentRef | null; to: TransferTarget; note?: string | undefined },
): Promise<CommandResult> {
  const { tx } = ctx;
  const conv = await lockOpen(tx, input.conversationId);
  const events: StoredEvent[] = [];
  const current = conv.agentId ? await tx.getAgent(conv.agentId) : undefined;
  const from: AgentRef | null = current ? { id: current.id, name: current.name } : null;
  if (input.to.type === 'agent') {
    const target = input.to;
    conv.phase = assertTransition(conv.phase, 'transfer_to_agent');
    if (target.agent.id === conv.agentId) throw new ParleyError('INVALID_PHASE', 'The conversation is already with that agent.');
    if ((await tx.activeCount(target.agent.id, true)) >= target.capacity) throw new ParleyError('AGENT_AT_CAPACITY');
    events.push(await append(ctx, conv, sys({ kind: 'transfer.started', from, to: { type: 'agent', id: target.agent.id, name: target.agent.name }, ...(input.note ? { note: input.note } : {}) })));
    if (from) events.push(await append(ctx, conv, sys({ kind: 'participant.left', participant: from, reason: 'transfer' })));
    conv.agentId = target.agent.id;
    await tx.updateConversation(conv.id, { phase: conv.phase, agentId: conv.agentId, queuedAt: null, updatedAt: tx.now() });
    await tx.markAssigned(target.agent.id);
    events.push(await append(ctx, conv, sys({ kind: 'participant.joined', participant: target.agent })));
  } else {
    const queue = await tx.getQueue(input.to.queueId);
    if (!queue) throw new ParleyError('QUEUE_NOT_FOUND');
    conv.phase = assertTransition(conv.phase, 'transfer_to_queue');
    events.push(await append(ctx, conv, sys({ kind: 'transfer.started', from, to: { type: 'queue', id: queue.id, name: queue.name }, ...(input.note ? { note: input.note } : {}) })));
    if (from) events.push(await append(ctx, conv, sys({ kind: 'participant.left', participant: from, reason: 'transfer' })));
    conv.agentId = null;
    conv.queueId = queue.id;
    await tx.updateConversation(conv.id, { phase: conv.phase, agentId: null, queueId: queue.id, queuedAt: tx.now(), updatedAt: tx.now() });
    events.push(await append(ctx, conv, sys({ kind: 'conversation.queued', queueId: queue.id, queueName: queue.name })));
  }
  return { conversation: conv, events };
}

/** End a conversation. Ending an ended one is a no-op, so a retried "end" is harmless. */
export async function endConversation(
  ctx: CommandContext,
  input: { conversationId: string; by: Author; origin: Leg | null; reason?: string | undefined },
): Promise<CommandResult> {
  const { tx } = ctx;
  const conv = await lockOpen(tx, input.conversationId);
  if (conv.phase === 'ended') return { conversation: conv, events: [], duplicate: true };
  conv.phase = assertTransition(conv.phase, 'end');
  const events: StoredEvent[] = [];
  if (conv.agentId) {
    const agent = await tx.getAgent(conv.agentId);
    if (agent) events.push(await append(ctx, conv, sys({ kind: 'participant.left', participant: { id: agent.id, name: agent.name }, reason: 'ended' })));
  }
  const now = tx.now();
  await tx.updateConversation(conv.id, { phase: 'ended', endedAt: now, updatedAt: now, queuedAt: null });
  conv.endedAt = now;
  events.push(
    await append(ctx, conv, { body: { kind: 'conversation.ended', by: input.by.role, ...(input.reason ? { reason: input.reason } : {}) }, author: input.by, origin: input.origin }),
  );
  return { conversation: conv, events };
}

// ---- what a vendor desk reports (src/hub/desk-reports.ts calls these) -------------------------------------
// A vendor's agents are not Parley agent rows: `agentId` stays null, so inbox agents never see these
// conversations (access.ts) and only admins do. Every report carries the vendor's own id for what happened as
// an idempotency key in the adapter instance's scope, so a webhook or notification the vendor repeats is
// stored once. Events come in on the desk leg (origin 'desk'), so they are never sent back to the desk.

export interface DeskReportInput {
  conversationId: string;
  /** Idempotency scope (the adapter instance) and the vendor's id for this happening. */
  source: string;
  key: string;
}

async function seenReport(tx: Tx, input: DeskReportInput): Promise<CommandResult | undefined> {
  const seen = await tx.findEventByKey(input.source, input.key);
  if (!seen) return undefined;
  if (seen.conversationId !== input.conversationId) throw new ParleyError('IDEMPOTENCY_MISMATCH');
  const conv = await tx.getConversation(seen.conversationId);
  if (!conv) throw new ParleyError('CONVERSATION_NOT_FOUND');
  return { conversation: conv, events: [], duplicate: true };
}

const fromDesk = (body: EventBody, input: DeskReportInput): EventDraft => ({ body, author: SYSTEM, origin: 'desk', source: input.source, key: input.key });

/** A vendor agent joined: a waiting conversation becomes active. Late reports about an ended one are dropped. */
export async function deskAgentJoined(ctx: CommandContext, input: DeskReportInput & { participant: AgentRef }): Promise<CommandResult> {
  const seen = await seenReport(ctx.tx, input);
  if (seen) return seen;
  const conv = await lockOpen(ctx.tx, input.conversationId);
  if (conv.phase === 'ended') return { conversation: conv, events: [], duplicate: true };
  if (WAITING_PHASES.includes(conv.phase)) {
    conv.phase = assertTransition(conv.phase, 'accept');
    conv.queuedAt = null;
    await ctx.tx.updateConversation(conv.id, { phase: conv.phase, queuedAt: null, updatedAt: ctx.tx.now() });
  }
  const event = await append(ctx, conv, fromDesk({ kind: 'participant.joined', participant: input.participant }, input));
  return { conversation: conv, events: [event] };
}

/** A vendor agent left (the phase is not changed: a transfer or the end says what happens next). */
export async function deskAgentLeft(ctx: CommandContext, input: DeskReportInput & { participant: AgentRef; reason: 'transfer' | 'ended' }): Promise<CommandResult> {
  const seen = await seenReport(ctx.tx, input);
  if (seen) return seen;
  const conv = await lockOpen(ctx.tx, input.conversationId);
  if (conv.phase === 'ended') return { conversation: conv, events: [], duplicate: true };
  const event = await append(ctx, conv, fromDesk({ kind: 'participant.left', participant: input.participant, reason: input.reason }, input));
  return { conversation: conv, events: [event] };
}

/**
 * The vendor moved the conversation to another queue or agent. It waits (`transferring`) until someone joins:
 * at a vendor even a transfer to a named agent is an offer that agent still has to accept.
 */
export async function deskTransferStarted(
  ctx: CommandContext,
  input: DeskReportInput & { from: AgentRef | null; to: { type: 'agent' | 'queue'; id: string; name: string } },
): Promise<CommandResult> {
  const seen = await seenReport(ctx.tx, input);
  if (seen) return seen;
  const conv = await lockOpen(ctx.tx, input.conversationId);
  if (conv.phase === 'ended') return { conversation: conv, events: [], duplicate: true };
  conv.phase = assertTransition(conv.phase, 'transfer_to_queue');
  const now = ctx.tx.now();
  conv.queuedAt = now;
  await ctx.tx.updateConversation(conv.id, { phase: conv.phase, queuedAt: now, updatedAt: now });
  const event = await append(ctx, conv, fromDesk({ kind: 'transfer.started', from: input.from, to: input.to }, input));
  return { conversation: conv, events: [event] };
}

/**
 * A leg's verdict on one event it was sent (a vendor receipt): `delivered` or `read` move that side's
 * receipt counters through the event's seq (recordReceipt); `failed` fails the event's delivery on that leg
 * and appends `delivery.failed`, so the other side sees their message was not received (the customer, for
 * the desk leg; the agent, for the channel leg). Idempotent: a receipt that moves nothing writes nothing.
 */
export async function receiptFor(
  ctx: CommandContext,
  input: { leg: Leg; eventId: string; status: 'delivered' | 'read' | 'failed'; author: Author; code?: string; reason?: string },
): Promise<CommandResult> {
  const { tx } = ctx;
  const event = await tx.getEvent(input.eventId);
  if (!event) throw new ParleyError('NOT_FOUND', 'No such event.');
  if (input.status !== 'failed') {
    return recordReceipt(ctx, { conversationId: event.conversationId, by: input.leg, author: input.author, receipt: input.status, through: event.seq });
  }
  const conv = await lockOpen(tx, event.conversationId);
  const delivery = await tx.findDelivery(event.id, input.leg);
  if (!delivery || delivery.status === 'failed' || delivery.status === 'read') return { conversation: conv, events: [], duplicate: true };
  const code = input.code ?? 'DELIVERY_REJECTED';
  const reason = input.reason ?? (input.leg === 'desk' ? 'The desk could not deliver the message.' : 'The channel could not deliver the message to the customer.');
  await tx.markDeliveryFailed(delivery.id, delivery.attempts, `${code}: ${reason}`.slice(0, 500));
  const failed = await append(ctx, conv, sys({ kind: 'delivery.failed', failedSeq: event.seq, leg: input.leg, deliveryId: delivery.id, code, reason }));
  return { conversation: conv, events: [failed] };
}

/** Record that a delivery gave up, so both sides see the failure in the log. */
export async function recordDeliveryFailure(
  ctx: CommandContext,
  input: { conversationId: string; seq: number; leg: Leg; deliveryId: string; code: string; reason: string },
): Promise<CommandResult> {
  const conv = await lockOpen(ctx.tx, input.conversationId);
  const event = await append(ctx, conv, sys({ kind: 'delivery.failed', failedSeq: input.seq, leg: input.leg, deliveryId: input.deliveryId, code: input.code, reason: input.reason }));
  return { conversation: conv, events: [event] };
}

/**
 * Round-robin assignment for one queue: the oldest waiting conversations go to the least recently assigned
 * available agents that are online and below capacity.
 */
export async function assignWaiting(
  ctx: CommandContext,
  input: {
    queueId: string;
    isOnline: (agentId: string) => boolean;
    /**
     * The inbox desk instances (Adapters.inboxDesks): only their conversations are offered. A conversation on
     * a vendor desk is the vendor's to route, even if a queue id reached its row (one opened before vendor
     * conversations sat outside inbox queues): an inbox agent taking it would split it between two desks.
     */
    desks: readonly string[];
    limit?: number;
  },
): Promise<CommandResult[]> {
  const { tx } = ctx;
  const queue = await tx.getQueue(input.queueId);
  if (!queue || queue.assignment !== 'round_robin') return [];
  const waiting = await tx.waitingConversations(queue.id, input.limit ?? 50, input.desks);
  const results: CommandResult[] = [];
  for (const conv of waiting) {
    if (!WAITING_PHASES.includes(conv.phase)) continue;
    const candidates = (await tx.roundRobinCandidates(queue.id)).filter((a) => input.isOnline(a.id));
    let chosen: (typeof candidates)[number] | undefined;
    for (const a of candidates) {
      if ((await tx.activeCount(a.id)) < a.capacity) {
        chosen = a;
        break;
      }
    }
    if (!chosen) break;
    results.push(await accept(ctx, { conversationId: conv.id, agent: { id: chosen.id, name: chosen.name }, capacity: chosen.capacity }));
  }
  return results;
}
