import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { customerChat, eventFrame, Streams, type Chat } from '../helpers/flows.js';
import { until, type StreamClient, type TestServer } from '../helpers/server.js';
import { expectGapFree, notApplicable, T, textsOf, vendorFaultCases, type ArmedFault, type VendorFault } from './kit.js';

// The desk contract (issue 6, A5): one suite that every desk adapter runs against its emulator, so a new
// vendor desk (Amazon Connect, LivePerson, …) proves the same behaviour the `inbox` and `genesys` desks do.
// The customer is always Parley's web channel (REST and the stream); the agent is played by a DeskDriver,
// which each desk implements over its own agent side: the inbox's agent API, or a vendor emulator's
// control API. A case a desk cannot have (vendor faults on the inbox, which has no vendor) is ruled out by a
// capability flag, never faked: it runs as a check that the driver offers no way to do it (notApplicable).
//
// Use: `deskContract(myDriver())` in a `test/contract/<desk>.contract.test.ts`.

/** An identity as Parley's log shows it: `participant` of a join or leave, `author` of a message or typing. */
export interface Who {
  id: string;
  name: string;
}

/** An agent of the desk, as the customer should see them. */
export interface DeskAgent {
  /** In participant.joined / participant.left / transfer.started. */
  participant: Who;
  /**
   * On the agent's messages and typing. The same as `participant` where the desk names the sender; a vendor
   * that names only its integration on each message (Genesys Open Messaging) gives that.
   */
  author: Who;
}

export interface DeskCapabilities {
  /** The desk is a vendor behind HTTP whose failures (429 with Retry-After, 500, timeouts) the driver can inject. */
  vendorFaults: boolean;
  /**
   * How far a customer's message gets: `read` where the desk's agents mark messages read (AgentSide.read),
   * `delivered` where the desk only confirms that it has it (Genesys: a Delivered receipt).
   */
  customerMessageStatus: 'delivered' | 'read';
  /**
   * What the desk side sees of an agent message the customer's client received and read: `read`, or
   * `delivered` for a desk without read receipts (Genesys has no Read).
   */
  agentMessageStatus: 'delivered' | 'read';
}

/** One conversation as the desk side has it: the agent's hands and eyes. */
export interface AgentSide {
  /** The customer's messages the desk has, as texts, in the order it got them. */
  customerTexts(): Promise<string[]>;
  /** The first agent takes the waiting conversation, or after `transfer()` the second one. */
  accept(which?: 'first' | 'second'): Promise<DeskAgent>;
  /** The agent holding the conversation sends a text. */
  send(text: string): Promise<void>;
  /** The agent holding the conversation starts typing. */
  typing(): Promise<void>;
  /** Whether the desk side shows the customer typing now. */
  seesCustomerTyping(): Promise<boolean>;
  /** The status the desk side shows for the agent message with this text. */
  statusOf(text: string): Promise<string | undefined>;
  /** The agent reads everything the customer sent (only where the desk has read receipts). */
  read?(): Promise<void>;
  /** Hands the conversation to another queue, where it waits until `accept('second')`. */
  transfer(): Promise<void>;
  /** The agent ends the conversation. */
  end(): Promise<void>;
  /** Whether the desk side shows that the customer left (the conversation ended from Parley's side). */
  seesEnded(): Promise<boolean>;
  /** The vendor's id for the conversation, for a desk that maps ids. */
  readonly externalId?: string;
}

export interface DeskDriver {
  /** The name the describe block shows. */
  readonly name: string;
  /** The desk instance name conversations are routed to. */
  readonly desk: string;
  readonly capabilities: DeskCapabilities;
  /** The running Parley; a new one after `restart()`. */
  readonly ts: TestServer;
  /** Starts the emulator (if any) and Parley configured with this desk, ready for conversations. */
  start(): Promise<void>;
  /** Stops Parley and starts a new one on the same data folder and database, ready again; the emulator runs on. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** Waits until a conversation (with the customer's first message) has reached the desk. */
  arrived(chat: Chat): Promise<AgentSide>;
  /** Arms a vendor fault on the path customer messages take to it, `times` times (absent: until cleared). Only with capabilities.vendorFaults. */
  fault?(fault: VendorFault, times?: number): Promise<ArmedFault>;
  clearFaults?(): Promise<void>;
  /** The vendor's conversation id that Parley's external id map holds for a conversation (desks that map ids). */
  externalIdOf?(conversationId: string): Promise<string | undefined>;
}

const isAgentMessage = (text: string) => eventFrame('message', undefined, (e) => e.origin === 'desk' && e.parts[0]?.text === text);

export function deskContract(driver: DeskDriver): void {
  const caps = driver.capabilities;
  const streams = new Streams();

  describe(`desk contract: ${driver.name}`, () => {
    beforeAll(() => driver.start());
    afterEach(async () => {
      await streams.closeAll();
      await driver.clearFaults?.();
    });
    afterAll(() => driver.stop());

    const ts = () => driver.ts;
    const say = async (chat: Chat, text: string) => {
      const r = await ts().api.post(`/v1/conversations/${chat.conversationId}/messages`, { text, clientMessageId: `${text}-${Math.random()}` }, chat.token);
      expect(r.status).toBe(201);
      return r.body.event as { id: string; seq: number };
    };
    const log = async (chat: Chat) => (await ts().api.get(`/v1/conversations/${chat.conversationId}/events`, chat.token)).body.events as any[];
    const view = async (chat: Chat) => (await ts().api.get(`/v1/conversations/${chat.conversationId}`, chat.token)).body.conversation;
    const deskHas = (desk: AgentSide, texts: string[], what: string) =>
      until(async () => (await desk.customerTexts()).length >= texts.length, T, what).then(async () => expect(await desk.customerTexts()).toEqual(texts));

    /** A customer whose first message reached the desk. */
    async function arrivedChat(): Promise<{ chat: Chat; desk: AgentSide }> {
      const chat = await customerChat(ts(), streams);
      await say(chat, 'Hello desk');
      return { chat, desk: await driver.arrived(chat) };
    }

    /** …and an agent who took it, whose join the customer has seen. */
    async function activeChat(): Promise<{ chat: Chat; desk: AgentSide; agent: DeskAgent }> {
      const { chat, desk } = await arrivedChat();
      const agent = await desk.accept();
      await chat.stream.next(eventFrame('participant.joined', chat.conversationId, (e) => e.participant.id === agent.participant.id), T);
      return { chat, desk, agent };
    }

    /** The agent sends a text and the customer's stream gets it from the agent. */
    async function agentSays(desk: AgentSide, stream: StreamClient, text: string, agent: DeskAgent): Promise<any> {
      await desk.send(text);
      const got = await stream.next(isAgentMessage(text), T);
      expect(got.event.author).toMatchObject({ role: 'agent', ...agent.author });
      return got.event;
    }

    it("starts a conversation on the desk; the customer's messages reach it in log order, each once, with gap-free seq", async () => {
      const chat = await customerChat(ts(), streams);
      expect(chat.conversation).toMatchObject({ desk: driver.desk, phase: 'queued' });
      // Sent at once: their order is the order the log gave them, and the desk must keep exactly that.
      const texts = ['one', 'two', 'three', 'four', 'five'];
      const sent = await Promise.all(texts.map((t) => say(chat, t)));
      const inLogOrder = sent.map((e, i) => ({ seq: e.seq, text: texts[i]! })).sort((x, y) => x.seq - y.seq).map((x) => x.text);
      const desk = await driver.arrived(chat);
      await deskHas(desk, inLogOrder, 'five messages at the desk');
      const events = await log(chat);
      expectGapFree(events);
      expect(textsOf(events)).toEqual(inLogOrder);
      // The customer's stream saw the same log, gap-free, from seq 1.
      await until(() => textsOf(chat.stream.events(chat.conversationId)).length === 5, T, 'five messages on the stream');
      expectGapFree(chat.stream.events(chat.conversationId));
    });

    it('an agent joins: the customer sees who, live, and the conversation is active', async () => {
      const { chat, desk } = await arrivedChat();
      expect((await view(chat)).phase).toBe('queued');
      const agent = await desk.accept();
      expect(agent.participant.name).toBeTruthy();
      const joined = await chat.stream.next(eventFrame('participant.joined', chat.conversationId), T);
      expect(joined.event.participant).toMatchObject(agent.participant);
      expect((await view(chat)).phase).toBe('active');
      expect((await log(chat)).filter((e) => e.kind === 'participant.joined')).toHaveLength(1);
    });

    it("the agent's message reaches the customer, from that agent, next in the log", async () => {
      const { chat, desk, agent } = await activeChat();
      const event = await agentSays(desk, chat.stream, 'How can I help?', agent);
      expect(event.parts).toEqual([{ type: 'text', text: 'How can I help?' }]);
      const events = await log(chat);
      expectGapFree(events);
      expect(textsOf(events)).toEqual(['Hello desk', 'How can I help?']);
    });

    it('typing is seen both ways, live, and never stored', async () => {
      const { chat, desk, agent } = await activeChat();
      const before = (await view(chat)).lastSeq as number;
      expect(await desk.seesCustomerTyping()).toBe(false);
      expect((await ts().api.post(`/v1/conversations/${chat.conversationId}/typing`, { typing: true }, chat.token)).status).toBe(200);
      await until(() => desk.seesCustomerTyping(), T, 'the desk showing the customer typing');
      await desk.typing();
      const typing = await chat.stream.next((f) => f.type === 'typing' && f.conversationId === chat.conversationId && f.typing === true, T);
      expect(typing.author).toMatchObject({ role: 'agent', ...agent.author });
      expect((await view(chat)).lastSeq).toBe(before);
      expect((await log(chat)).some((e) => e.kind === 'typing')).toBe(false);
    });

    it(`receipts: the customer's message becomes ${caps.customerMessageStatus}; an agent message the customer read shows ${caps.agentMessageStatus} at the desk`, async () => {
      const { chat, desk, agent } = await activeChat();
      const sent = await say(chat, 'Is my parcel lost?');
      await deskHas(desk, ['Hello desk', 'Is my parcel lost?'], 'the question at the desk');
      if (caps.customerMessageStatus === 'read') {
        if (!desk.read) throw new Error(`${driver.name}: customerMessageStatus "read" needs AgentSide.read`);
        await desk.read();
      }
      const statusOfSent = async () => (await log(chat)).find((e) => e.id === sent.id)?.status as string | undefined;
      await until(async () => (await statusOfSent()) === caps.customerMessageStatus, T, `the customer's message ${caps.customerMessageStatus}`);

      const reply = await agentSays(desk, chat.stream, 'Let me check.', agent);
      // The customer's client got it (the stream wrote it to the socket) and reads it.
      const read = await ts().api.post(`/v1/conversations/${chat.conversationId}/read`, { seq: reply.seq }, chat.token);
      expect(read.status).toBe(200);
      expect(read.body.conversation.receipts.customer).toMatchObject({ read: reply.seq, delivered: reply.seq });
      await until(async () => (await desk.statusOf('Let me check.')) === caps.agentMessageStatus, T, `the agent's message ${caps.agentMessageStatus} at the desk`);
      expect((await log(chat)).some((e) => e.kind === 'delivery.failed')).toBe(false);
    });

    it('a transfer: the conversation waits (transferring), then another agent joins and answers', async () => {
      const { chat, desk, agent } = await activeChat();
      await agentSays(desk, chat.stream, 'Passing you to sales.', agent);
      await desk.transfer();
      const started = await chat.stream.next(eventFrame('transfer.started', chat.conversationId), T);
      expect(started.event).toMatchObject({ from: { id: agent.participant.id }, to: { type: 'queue' } });
      await chat.stream.next(eventFrame('participant.left', chat.conversationId, (e) => e.participant.id === agent.participant.id && e.reason === 'transfer'), T);
      await until(async () => (await view(chat)).phase === 'transferring', T, 'the conversation transferring');

      const next = await desk.accept('second');
      expect(next.participant.id).not.toBe(agent.participant.id);
      const joined = await chat.stream.next(eventFrame('participant.joined', chat.conversationId, (e) => e.participant.id === next.participant.id), T);
      expect(joined.event.participant).toMatchObject(next.participant);
      expect((await view(chat)).phase).toBe('active');
      await agentSays(desk, chat.stream, 'Sales here.', next);
      // And the customer is still heard, by the new agent.
      await say(chat, 'Great');
      await deskHas(desk, ['Hello desk', 'Great'], "the customer's message after the transfer");
      const events = await log(chat);
      expectGapFree(events);
      const kinds = events.map((e) => e.kind).filter((k) => k !== 'receipt' && k !== 'conversation.queued');
      expect(kinds).toEqual(['message', 'participant.joined', 'message', 'transfer.started', 'participant.left', 'participant.joined', 'message', 'message']);
    });

    it('the customer ends: the desk side sees the conversation over', async () => {
      const { chat, desk } = await activeChat();
      expect(await desk.seesEnded()).toBe(false);
      expect((await ts().api.post(`/v1/conversations/${chat.conversationId}/end`, {}, chat.token)).status).toBe(200);
      const ended = await chat.stream.next(eventFrame('conversation.ended', chat.conversationId), T);
      expect(ended.event.origin).toBe('channel');
      await until(() => desk.seesEnded(), T, 'the desk seeing the customer leave');
    });

    it('the agent ends: the customer sees the agent leave and conversation.ended, and can write no more', async () => {
      const { chat, desk, agent } = await activeChat();
      await desk.end();
      const ended = await chat.stream.next(eventFrame('conversation.ended', chat.conversationId), T);
      expect(ended.event.origin).toBe('desk');
      const left = chat.stream.events(chat.conversationId).find((e) => e.kind === 'participant.left');
      expect(left).toMatchObject({ participant: { id: agent.participant.id }, reason: 'ended', seq: ended.event.seq - 1 });
      expect((await view(chat)).phase).toBe('ended');
      const late = await ts().api.post(`/v1/conversations/${chat.conversationId}/messages`, { text: 'hello?', clientMessageId: 'late' }, chat.token);
      expect(late.body.error?.code).toBe('PARLEY_E_CONVERSATION_ENDED');
      expectGapFree(await log(chat));
    });

    if (!caps.vendorFaults) notApplicable('vendor failures (the desk has no vendor)', { fault: driver.fault });
    else describe('vendor failures', () => {
      /**
       * A fault on the vendor while the customer writes three messages: each reaches the desk once, in
       * order, none fails, and the conversation carries on both ways afterwards.
       */
      async function faultThenRecovery(fault: VendorFault, times: number): Promise<number> {
        const { chat, desk, agent } = await activeChat();
        const armed = await driver.fault!(fault, times);
        const at = Date.now();
        for (const t of ['a', 'b', 'c']) await say(chat, t);
        await deskHas(desk, ['Hello desk', 'a', 'b', 'c'], 'the three messages after the fault');
        const took = Date.now() - at;
        expect(await armed.injected()).toBe(times);
        await say(chat, 'and after');
        await deskHas(desk, ['Hello desk', 'a', 'b', 'c', 'and after'], 'the next message');
        await agentSays(desk, chat.stream, 'All here.', agent);
        const events = await log(chat);
        expectGapFree(events);
        expect(events.some((e) => e.kind === 'delivery.failed')).toBe(false);
        return took;
      }

      vendorFaultCases(faultThenRecovery);
    });

    it('Parley restarts mid-conversation: the conversation continues both ways and the desk still finds it', async () => {
      const { chat, desk, agent } = await activeChat();
      await agentSays(desk, chat.stream, 'Before the restart.', agent);
      const sent = ['Hello desk'];
      // With a vendor, one message is still in the outbox (the vendor is failing) when Parley stops.
      const outage = caps.vendorFaults ? await driver.fault!({ kind: 'error', status: 503 }) : undefined;
      if (outage) {
        await say(chat, 'held in the outbox');
        sent.push('held in the outbox');
        await until(async () => (await outage.injected()) > 0, T, 'the vendor refusing it');
      }
      const seen = chat.stream.events(chat.conversationId).at(-1)!.seq as number;

      await driver.restart();
      await driver.clearFaults?.();

      const stream = await streams.connect(ts(), chat.token, { [chat.conversationId]: seen });
      expect((await view(chat)).phase).toBe('active');
      await say(chat, 'After the restart.');
      sent.push('After the restart.');
      await deskHas(desk, sent, 'the messages after the restart');
      if (desk.externalId !== undefined) expect(await driver.externalIdOf!(chat.conversationId)).toBe(desk.externalId);
      await agentSays(desk, stream, 'Welcome back.', agent);
      // The desk's end reaches the new Parley too (a vendor's report finds the conversation by its id map).
      await desk.end();
      await stream.next(eventFrame('conversation.ended', chat.conversationId), T);

      const events = await log(chat);
      expectGapFree(events);
      expect(textsOf(events)).toEqual([...sent.slice(0, 1), 'Before the restart.', ...sent.slice(1, -1), 'After the restart.', 'Welcome back.']);
      // The resumed stream carried on from where the old one stopped, gap-free.
      const resumed = stream.events(chat.conversationId);
      expect(resumed.map((e) => e.seq)).toEqual(resumed.map((_, i) => seen + 1 + i));
    });
  });
}
