// Every change to a conversation, from either side — the consumer (through the Connector API) or the emulated
// agent (control API and agent page) — and the webhooks each change sends: `ms.MessagingEventNotification` for
// events (the consumer's own are notified too, with role CONSUMER) and `cqm.ExConversationChangeNotification`
// for state changes (new, agent assigned, transfer, close, survey dialog opened or closed).
import { randomUUID } from 'node:crypto';
import { TTR_SECONDS, type Settings } from './config.js';
import type { Notifier } from './outbound.js';
import { assignedAgent, mainDialog, openSurvey, type Audience, type Conversation, type Dialog, type Message, type Role, type Store } from './state.js';

/** A refusal of an agent-side action (the control API answers it as `{error}` with this status). */
export class DeskError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Originator {
  id: string;
  role: Role;
}

export interface OutEvent {
  type: 'ContentEvent' | 'RichContentEvent' | 'AcceptStatusEvent' | 'ChatStateEvent';
  [k: string]: unknown;
}

export interface CreateInput {
  consumerId: string;
  extConsumerId: string;
  skillId: string;
  ttrType: string | null;
  profile: unknown;
  context: unknown;
  campaignInfo: unknown;
}

export class Desk {
  constructor(
    private readonly store: Store,
    private readonly settings: Settings,
    private readonly notifier: Notifier,
  ) {}

  get(id: string): Conversation {
    const c = this.store.conversation(id);
    if (!c) throw new DeskError(404, `conversation ${id} not found`);
    return c;
  }

  // ---- consumer side ------------------------------------------------------------------------------

  create(input: CreateInput): Conversation {
    const now = Date.now();
    const id = randomUUID();
    const c: Conversation = {
      id,
      consumerId: input.consumerId,
      extConsumerId: input.extConsumerId,
      skillId: input.skillId,
      state: 'OPEN',
      stage: 'OPEN',
      startTs: now,
      ttrType: input.ttrType ?? 'NORMAL',
      participants: [{ id: input.consumerId, role: 'CONSUMER' }],
      dialogs: [{ dialogId: id, dialogType: 'MAIN', state: 'OPEN', creationTs: now, nextSequence: 0 }],
      messages: [],
      chatState: { consumer: null, agent: null },
      profile: input.profile,
      context: input.context,
      campaignInfo: input.campaignInfo,
    };
    this.store.conversations.push(c);
    this.cqm(c);
    return c;
  }

  /**
   * One event published by `from` in `dialog` (the caller has checked the dialog is open and the sender may
   * write); returns the sequence it took (none for chat states). Notified on its own.
   */
  publish(c: Conversation, dialog: Dialog, from: Originator, event: OutEvent, audience: Audience = 'ALL'): number | undefined {
    return this.publishMany(c, dialog, from, [event], audience)[0];
  }

  /** Several events of one sender in one notification (in order), e.g. an agent's burst of texts. */
  publishMany(c: Conversation, dialog: Dialog, from: Originator, events: OutEvent[], audience: Audience = 'ALL'): (number | undefined)[] {
    const now = Date.now();
    const changes: Record<string, unknown>[] = [];
    const sequences: (number | undefined)[] = [];
    for (const event of events) {
      let sequence: number | undefined;
      if (event.type === 'ChatStateEvent') {
        const state = event.chatState as string;
        if (from.role === 'CONSUMER') c.chatState.consumer = state;
        else c.chatState.agent = state;
      } else {
        sequence = dialog.nextSequence++;
        if (event.type === 'AcceptStatusEvent') this.applyReceipt(c, dialog, from, event.status as string, event.sequenceList as number[]);
        else {
          const m: Message = {
            dialogId: dialog.dialogId,
            sequence,
            originator: { id: from.id, role: from.role },
            type: event.type,
            contentType: event.type === 'RichContentEvent' ? 'rich-content' : (event.contentType as string),
            message: event.type === 'RichContentEvent' ? event.content : event.message,
            audience,
            status: 'SENT',
            at: now,
          };
          c.messages.push(m);
        }
      }
      sequences.push(sequence);
      changes.push({
        ...(sequence !== undefined ? { sequence } : {}),
        originatorId: from.id,
        originatorMetadata: { id: from.id, role: from.role },
        serverTimestamp: now,
        event,
        conversationId: c.id,
        dialogId: dialog.dialogId,
        messageAudience: audience,
      });
    }
    // A batch holds events of one type (one webhook type decides the endpoint); mixed input is split by type.
    let i = 0;
    while (i < changes.length) {
      const type = events[i]!.type;
      let j = i;
      while (j < changes.length && events[j]!.type === type) j++;
      this.notifier.post(c.id, `ms.MessagingEventNotification.${type}`, { kind: 'notification', body: { changes: changes.slice(i, j) }, type: 'ms.MessagingEventNotification' });
      i = j;
    }
    return sequences;
  }

  private applyReceipt(c: Conversation, dialog: Dialog, from: Originator, status: string, sequenceList: number[]): void {
    const rank = { SENT: 0, ACCEPT: 1, READ: 2 } as const;
    const target = status === 'READ' ? 'READ' : status === 'ACCEPT' ? 'ACCEPT' : undefined;
    if (!target) return;
    for (const m of c.messages) {
      if (m.dialogId !== dialog.dialogId || !sequenceList.includes(m.sequence)) continue;
      // A receipt is about the other side's messages.
      if ((from.role === 'CONSUMER') === (m.originator.role === 'CONSUMER')) continue;
      if (rank[target] > rank[m.status]) m.status = target;
    }
  }

  /** The consumer closes the conversation (ConversationStateField CLOSE). */
  consumerClose(c: Conversation): void {
    this.closeConversation(c, 'CONSUMER');
  }

  /** A dialog closed by the consumer (DialogChange): the survey ends the conversation; so does the MAIN dialog. */
  consumerCloseDialog(c: Conversation, dialog: Dialog, cause?: string): void {
    if (dialog.dialogType === 'POST_SURVEY') return this.finishSurvey(c, 'CONSUMER', cause);
    this.closeConversation(c, 'CONSUMER', cause);
  }

  // ---- agent side ---------------------------------------------------------------------------------

  agent(agentId?: string): { id: string; name: string } {
    const a = agentId ? this.store.agents.find((x) => x.id === agentId || x.name === agentId) : this.store.agents[0];
    if (!a) throw new DeskError(400, `unknown agent ${agentId ?? ''}`);
    return a;
  }

  private requireOpen(c: Conversation): void {
    if (c.state !== 'OPEN') throw new DeskError(409, 'the conversation is closed');
  }

  accept(id: string, agentId?: string): Conversation {
    const c = this.get(id);
    this.requireOpen(c);
    if (openSurvey(c)) throw new DeskError(409, 'the conversation is in its post-conversation survey');
    const a = this.agent(agentId);
    const current = assignedAgent(c);
    if (current?.id === a.id) return c;
    if (current) throw new DeskError(409, `already assigned to ${current.name ?? current.id}`);
    c.participants.push({ id: a.id, role: 'ASSIGNED_AGENT', name: a.name });
    this.cqm(c);
    return c;
  }

  private agentOf(c: Conversation): Originator {
    this.requireOpen(c);
    const a = assignedAgent(c);
    if (!a) throw new DeskError(409, 'no agent is assigned: accept the conversation first');
    return { id: a.id, role: 'ASSIGNED_AGENT' };
  }

  typing(id: string, chatState: string): void {
    const c = this.get(id);
    const from = this.agentOf(c);
    this.publish(c, mainDialog(c), from, { type: 'ChatStateEvent', chatState });
  }

  reply(id: string, input: { events: OutEvent[]; audience: Audience; dialogId?: string }): number[] {
    const c = this.get(id);
    let dialog = mainDialog(c);
    let from: Originator;
    if (input.dialogId && input.dialogId !== c.id) {
      const d = c.dialogs.find((x) => x.dialogId === input.dialogId);
      if (!d) throw new DeskError(404, `dialog ${input.dialogId} not found`);
      dialog = d;
    }
    if (dialog.dialogType === 'POST_SURVEY') {
      this.requireOpen(c);
      from = { id: this.store.surveyBot.id, role: 'CONTROLLER' };
    } else from = this.agentOf(c);
    if (dialog.state !== 'OPEN') throw new DeskError(409, `dialog ${dialog.dialogId} is closed`);
    return this.publishMany(c, dialog, from, input.events, input.audience) as number[];
  }

  read(id: string, sequenceList?: number[]): number[] {
    const c = this.get(id);
    const from = this.agentOf(c);
    const dialog = mainDialog(c);
    const list =
      sequenceList ?? c.messages.filter((m) => m.dialogId === dialog.dialogId && m.originator.role === 'CONSUMER' && m.status !== 'READ').map((m) => m.sequence);
    if (!list.length) return [];
    this.publish(c, dialog, from, { type: 'AcceptStatusEvent', status: 'READ', sequenceList: list });
    return list;
  }

  transfer(id: string, to: { skillId?: string; agentId?: string }): Conversation {
    const c = this.get(id);
    this.requireOpen(c);
    if (to.skillId !== undefined) {
      if (to.skillId !== '-1' && !this.store.skills.some((s) => s.id === to.skillId)) throw new DeskError(400, `unknown skill ${to.skillId}`);
      c.participants = c.participants.filter((p) => p.role !== 'ASSIGNED_AGENT');
      c.skillId = to.skillId;
      c.chatState.agent = null;
    } else if (to.agentId !== undefined) {
      const a = this.agent(to.agentId);
      c.participants = c.participants.filter((p) => p.role !== 'ASSIGNED_AGENT');
      c.participants.push({ id: a.id, role: 'ASSIGNED_AGENT', name: a.name });
    } else throw new DeskError(400, 'give skillId or agentId');
    this.cqm(c);
    return c;
  }

  /** The agent (or the system) closes; with `survey`, the MAIN dialog closes and a POST_SURVEY dialog opens. */
  close(id: string, opts: { survey?: boolean; by?: 'AGENT' | 'SYSTEM' } = {}): Conversation {
    const c = this.get(id);
    this.requireOpen(c);
    const by = opts.by ?? 'AGENT';
    if (!opts.survey || openSurvey(c)) {
      this.closeConversation(c, by);
      return c;
    }
    const now = Date.now();
    const main = mainDialog(c);
    Object.assign(main, { state: 'CLOSE', endTs: now, closedBy: by });
    const survey: Dialog = { dialogId: randomUUID(), dialogType: 'POST_SURVEY', state: 'OPEN', creationTs: now, nextSequence: 0 };
    c.dialogs.push(survey);
    c.pendingCloseReason = by;
    c.participants = c.participants.filter((p) => p.role !== 'ASSIGNED_AGENT');
    c.participants.push({ id: this.store.surveyBot.id, role: 'CONTROLLER', name: this.store.surveyBot.name });
    c.chatState.agent = null;
    this.cqm(c);
    this.publish(c, survey, { id: this.store.surveyBot.id, role: 'CONTROLLER' }, { type: 'ContentEvent', contentType: 'text/plain', message: this.settings.surveyQuestion });
    if (this.settings.surveyTimeoutMs > 0) {
      c.surveyTimer = setTimeout(() => {
        if (openSurvey(c)) this.finishSurvey(c, 'SYSTEM', 'survey timed out');
      }, this.settings.surveyTimeoutMs);
      c.surveyTimer.unref();
    }
    return c;
  }

  closeSurvey(id: string): Conversation {
    const c = this.get(id);
    if (!openSurvey(c)) throw new DeskError(409, 'no post-conversation survey is open');
    this.finishSurvey(c, 'AGENT');
    return c;
  }

  private finishSurvey(c: Conversation, by: string, cause?: string): void {
    const survey = openSurvey(c);
    if (survey) Object.assign(survey, { state: 'CLOSE', endTs: Date.now(), closedBy: by, ...(cause ? { closedCause: cause } : {}) });
    this.closeConversation(c, c.pendingCloseReason ?? 'AGENT');
  }

  private closeConversation(c: Conversation, reason: 'AGENT' | 'CONSUMER' | 'SYSTEM', cause?: string): void {
    if (c.state === 'CLOSE') return;
    const now = Date.now();
    clearTimeout(c.surveyTimer);
    for (const d of c.dialogs) if (d.state === 'OPEN') Object.assign(d, { state: 'CLOSE', endTs: now, closedBy: reason, ...(cause ? { closedCause: cause } : {}) });
    c.state = 'CLOSE';
    c.stage = 'CLOSE';
    c.closeReason = reason;
    c.endTs = now;
    this.cqm(c);
  }

  // ---- notifications ------------------------------------------------------------------------------

  cqm(c: Conversation): void {
    const ttr = TTR_SECONDS[c.ttrType] ?? 3600;
    const waiting = c.state === 'OPEN' && !assignedAgent(c);
    const result = {
      convId: c.id,
      effectiveTTR: waiting ? c.startTs + ttr * 1000 : -1,
      conversationDetails: {
        skillId: c.skillId,
        participants: c.participants.map((p) => ({ id: p.id, role: p.role })),
        dialogs: c.dialogs.map((d) => ({
          dialogId: d.dialogId,
          participants: c.participants.map((p) => p.id),
          dialogType: d.dialogType,
          channelType: 'MESSAGING',
          state: d.state,
          creationTs: d.creationTs,
          ...(d.endTs !== undefined ? { endTs: d.endTs } : {}),
          ...(d.closedBy ? { closedBy: d.closedBy } : {}),
          ...(d.closedCause ? { closedCause: d.closedCause } : {}),
        })),
        brandId: this.store.accountId,
        state: c.state,
        stage: c.stage,
        ...(c.closeReason ? { closeReason: c.closeReason } : {}),
        startTs: c.startTs,
        ...(c.endTs !== undefined ? { endTs: c.endTs } : {}),
        ttr: { ttrType: c.ttrType, value: ttr },
      },
    };
    this.notifier.post(c.id, 'cqm.ExConversationChangeNotification', {
      kind: 'notification',
      body: { sentTs: Date.now(), changes: [{ type: 'UPSERT', result }] },
      type: 'cqm.ExConversationChangeNotification',
    });
  }
}
