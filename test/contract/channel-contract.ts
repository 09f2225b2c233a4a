import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { samplePng } from '../../emulators/kit/png.js';
import { eventFrame } from '../helpers/flows.js';
import { until, type TestServer } from '../helpers/server.js';
import { INBOX_ENV, InboxAgents, type InboxSide } from './inbox-driver.js';
import { expectGapFree, needs, notApplicable, stored, T, textsOf, vendorFaultCases, type ArmedFault, type VendorFault } from './kit.js';

// The channel contract (issue 6, A5): one suite that every channel adapter runs against its emulator, so a
// new vendor channel (Twilio and AWS SMS, Messenger, WhatsApp) proves the same behaviour the built-in `web`
// channel does. A ChannelDriver plays the customer on its channel — the web API and stream, or a vendor
// emulator's control API — and shows what the customer's side received; the agent side is always Parley's
// own inbox desk (InboxAgents: the agent API and agent streams). What a channel cannot do (typing on SMS,
// ending from Messenger, vendor faults on the web, which has no vendor) is a capability flag that rules out
// the case or the check, never faked (vendor faults and undeliverable messages: notApplicable checks the
// driver offers no way to do them).
//
// Use: `channelContract(myDriver())` in a `test/contract/<channel>.contract.test.ts`.

export interface ChannelCapabilities {
  /** Typing the channel reports from the customer (web, Genesys) and typing it can show the customer (web, Messenger `typing_on`). */
  typing: { fromCustomer: boolean; toCustomer: boolean };
  /**
   * How far an agent message's status gets from what the channel reports back: `read` (web client
   * receipts, Messenger read watermarks, WhatsApp `read`), `delivered` (an SMS delivery callback), `sent`
   * (the vendor took it and reports nothing more).
   */
  agentMessageStatus: 'sent' | 'delivered' | 'read';
  /** The customer's side shows their own message read once the agent read it (web ticks, Messenger `mark_seen`, WhatsApp read). */
  customerSeesRead: boolean;
  /** Media both ways: the customer sends a file, and an agent's file reaches the customer (Twilio MMS yes, AWS SMS no). */
  media: boolean;
  /** The customer is offered an agent's quick replies as choices and answers by picking one (SMS: numbered text, not this). */
  quickReplies: boolean;
  /** The customer can end the conversation from the channel (web; not Messenger or SMS, where a customer just stops writing). */
  customerEnds: boolean;
  /** What the customer's side can show of the conversation itself: an agent joining (who), its end, the wait (queue position). */
  shows: { joined: boolean; ended: boolean; waiting: boolean };
  /** The channel is a vendor API (429 with Retry-After, 500, timeouts) whose faults the driver can inject on Parley → vendor sends. */
  vendorFaults: boolean;
  /**
   * How an agent message can fail for good on this channel, so that the agent sees `delivery.failed`: the
   * vendor's reply window closed (Messenger, WhatsApp: 24 h after the customer's last message), the vendor
   * refusing the recipient (an SMS opt-out, a blocked number), or `false` where nothing can (web: the
   * customer reads the log itself).
   */
  undeliverable: false | 'replyWindow' | 'refused';
}

/** An inbound message as the channel knows it: its id there (web: the clientMessageId; a vendor: `mid`, `MessageSid`, …). */
export interface Sent {
  id: string;
}

/** An agent message as the customer's side shows it. */
export interface Received {
  /** Its text (text parts, and a quick-reply or button prompt), as the channel renders it. */
  text?: string;
  /** Quick-reply choices offered with it, titles in order (channels with capabilities.quickReplies). */
  choices?: string[];
  /** A file that came with it. */
  media?: { mime: string; bytes(): Promise<Buffer> };
}

/** One customer on the channel: their hands and eyes. Optional members go with the capability that needs them. */
export interface ChannelCustomer {
  /** Parley's id of the conversation the customer's messages went to; waits until Parley has one. */
  conversationId(): Promise<string>;
  /** Sends a text the channel's way (the first one starts the conversation). `id`: the channel's id for it, else a new one. */
  send(text: string, id?: string): Promise<Sent>;
  /** The channel delivers an inbound message again, the same id and content (a client's or a vendor webhook's retry). */
  resend(sent: Sent): Promise<void>;
  sendMedia?(bytes: Buffer, mime: string): Promise<Sent>;
  /** Picks one of the quick-reply choices offered. */
  answer?(choice: string): Promise<Sent>;
  typing?(): Promise<void>;
  /** The customer reads everything received so far (where the channel reports reads). */
  read?(): Promise<void>;
  end?(): Promise<void>;
  /** The agent messages the customer's side received, in the order it received them, repeats included. */
  received(): Promise<Received[]>;
  seesAgentTyping?(): Promise<boolean>;
  /** The status the customer's side shows for their own message. */
  statusOf?(sent: Sent): Promise<string | undefined>;
  /** The name of the agent the customer's side shows as joined, if any. */
  seesJoined?(): Promise<string | undefined>;
  seesEnded?(): Promise<boolean>;
  /** The queue position the customer's side shows while waiting, if any. */
  seesWaiting?(): Promise<number | undefined>;
  /** Lets the customer go (closes what the driver holds open for them). */
  close(): Promise<void>;
}

export interface ChannelDriver {
  /** The name the describe block shows. */
  readonly name: string;
  /** The channel instance name conversations carry. */
  readonly channel: string;
  readonly capabilities: ChannelCapabilities;
  /** The running Parley; a new one after `restart()`. */
  readonly ts: TestServer;
  /**
   * Starts the emulator (if any) and Parley configured with this channel and the inbox desk (the only desk,
   * or routed to by this channel), with `env` added to Parley's environment (the inbox agents' needs).
   */
  start(env: Record<string, string>): Promise<void>;
  /** Stops Parley and starts a new one on the same data; the emulator runs on, and open customers carry on where they were. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** A new customer on the channel who has not written yet. */
  customer(): Promise<ChannelCustomer>;
  /** Arms a vendor fault on the path agent messages take to the customer, `times` times (absent: until cleared). Only with capabilities.vendorFaults. */
  fault?(fault: VendorFault, times?: number): Promise<ArmedFault>;
  clearFaults?(): Promise<void>;
  /** Makes every later agent message to this customer undeliverable, the way capabilities.undeliverable says. */
  undeliverable?(customer: ChannelCustomer): Promise<void>;
}

const QUICK = { type: 'quick_replies', text: 'What is it about?', replies: [{ title: 'An order', payload: 'ORDER' }, { title: 'A bill', payload: 'BILL' }] };
const STATUS_ORDER = ['sent', 'delivered', 'read'] as const;

export function channelContract(driver: ChannelDriver): void {
  const caps = driver.capabilities;
  const customers: ChannelCustomer[] = [];
  const desks: InboxSide[] = [];
  let agents: InboxAgents;

  describe(`channel contract: ${driver.name}`, () => {
    beforeAll(async () => {
      // A delivery held by a vendor outage must outlive a restart on a loaded machine: the test server's
      // 20–200 ms retry delays would spend the default 8 attempts in a few seconds, and a slow restart (seen
      // on Node 24 under CI load) then failed the held message for good before the outage was lifted.
      await driver.start({ ...INBOX_ENV, PARLEY_DELIVERY_MAX_ATTEMPTS: '60' });
      agents = await InboxAgents.join(driver.ts);
    });
    afterEach(async () => {
      // The agent ends what a case left open: Alice's capacity is for the next case's chat.
      for (const d of desks.splice(0)) await d.end().catch(() => undefined);
      await Promise.all(customers.splice(0).map((c) => c.close()));
      await driver.clearFaults?.();
    });
    afterAll(async () => {
      await agents?.close();
      await driver.stop();
    });

    const ts = () => driver.ts;
    const need = <O extends object, K extends keyof O>(obj: O, key: K) => needs(obj, key, driver.name);
    const log = async (id: string) => (await stored(ts(), id)).events;
    const texts = async (c: ChannelCustomer) => (await c.received()).map((r) => r.text);

    async function newCustomer(): Promise<ChannelCustomer> {
      const c = await driver.customer();
      customers.push(c);
      return c;
    }

    /** A customer whose first message waits at the inbox. */
    async function waitingChat(first = 'Hello'): Promise<{ customer: ChannelCustomer; id: string; desk: InboxSide }> {
      const customer = await newCustomer();
      await customer.send(first);
      const id = await customer.conversationId();
      const desk = await agents.arrived(id);
      desks.push(desk);
      return { customer, id, desk };
    }

    /** …which an agent took. */
    async function activeChat() {
      const chat = await waitingChat();
      const agent = await chat.desk.accept();
      return { ...chat, agent };
    }

    /** The agent sends; the customer's side receives it (the newest thing received has its text). */
    async function agentSays(desk: InboxSide, customer: ChannelCustomer, text: string): Promise<any> {
      const event = await desk.post({ text });
      await until(async () => (await texts(customer)).includes(text), T, `"${text}" at the customer`);
      return event;
    }

    it("the customer's first message starts a conversation on this channel, queued on the routed desk, and reaches the agent", async () => {
      const { customer, id, desk } = await waitingChat('I need help');
      const { conversation, events } = await stored(ts(), id);
      expect(conversation).toMatchObject({ channel: driver.channel, desk: 'inbox', phase: 'queued' });
      expect(events.map((e) => e.kind)).toEqual(['conversation.queued', 'message']);
      expect(events[1]).toMatchObject({ origin: 'channel', author: { role: 'customer', id: conversation.contactId } });
      expect(await desk.customerTexts()).toEqual(['I need help']);
      if (caps.shows.waiting) {
        const position = await until(() => need(customer, 'seesWaiting')(), T, 'the customer shown the wait');
        expect(position).toBeGreaterThanOrEqual(1);
      }
    });

    it("the customer's messages reach the agent in order, each once, with gap-free seq", async () => {
      const { customer, id, desk } = await waitingChat('one');
      for (const t of ['two', 'three', 'four']) await customer.send(t);
      await until(async () => (await desk.customerTexts()).length >= 4, T, 'four messages at the desk');
      expect(await desk.customerTexts()).toEqual(['one', 'two', 'three', 'four']);
      const events = await log(id);
      expectGapFree(events);
      expect(textsOf(events)).toEqual(['one', 'two', 'three', 'four']);
    });

    it('messages sent at once are each stored once, gap-free, and the agent sees them in log order', async () => {
      const { customer, id, desk } = await waitingChat('first');
      const burst = ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'];
      await Promise.all(burst.map((t) => customer.send(t)));
      await until(async () => (await desk.customerTexts()).length >= 7, T, 'seven messages at the desk');
      const events = await log(id);
      expectGapFree(events);
      const inLog = textsOf(events);
      expect([...inLog].sort()).toEqual(['first', ...burst].sort());
      expect(await desk.customerTexts()).toEqual(inLog);
    });

    it("the channel's retry of an inbound message (same id) is stored once", async () => {
      const { customer, id, desk } = await waitingChat();
      const sent = await customer.send('Only once, please');
      // Again later, and twice more at the same moment (a retry racing another).
      await customer.resend(sent);
      await Promise.all([customer.resend(sent), customer.resend(sent)]);
      await customer.send('And then this');
      await until(async () => (await desk.customerTexts()).includes('And then this'), T, 'the next message at the desk');
      const events = await log(id);
      expectGapFree(events);
      expect(textsOf(events)).toEqual(['Hello', 'Only once, please', 'And then this']);
    });

    it(`an agent joins: the conversation is active${caps.shows.joined ? ", and the customer's side shows who" : ' (the channel cannot show it)'}`, async () => {
      const { customer, id, desk } = await waitingChat();
      if (caps.shows.joined) expect(await need(customer, 'seesJoined')()).toBeUndefined();
      const agent = await desk.accept();
      const { conversation, events } = await stored(ts(), id);
      expect(conversation.phase).toBe('active');
      expect(events.filter((e) => e.kind === 'participant.joined')).toHaveLength(1);
      if (caps.shows.joined) expect(await until(() => need(customer, 'seesJoined')(), T, 'the customer shown the agent')).toBe(agent.participant.name);
    });

    it(`agent messages reach the customer in order, each once; their status moves ${STATUS_ORDER.slice(0, STATUS_ORDER.indexOf(caps.agentMessageStatus) + 1).join(' → ')}`, async () => {
      const { customer, id, desk } = await activeChat();
      const replies = ['Hi, I am Alice.', 'Let me look.', 'Found it.'];
      const posted = [];
      for (const t of replies) posted.push(await desk.post({ text: t }));
      // Parley took each; nothing has confirmed it reached the customer yet.
      expect(posted.map((e) => e.status)).toEqual(['sent', 'sent', 'sent']);
      await until(async () => (await customer.received()).length >= 3, T, 'three replies at the customer');
      expect(await texts(customer)).toEqual(replies);
      const statuses = async () => (await desk.events()).filter((e) => e.kind === 'message' && e.origin === 'desk').map((e) => e.status);
      if (caps.agentMessageStatus !== 'sent') await until(async () => (await statuses()).every((s) => s === 'delivered'), T, 'the replies delivered');
      if (caps.agentMessageStatus === 'read') {
        await need(customer, 'read')();
        await until(async () => (await statuses()).every((s) => s === 'read'), T, 'the replies read');
      }
      expect(await statuses()).toEqual(replies.map(() => caps.agentMessageStatus));
      expectGapFree(await log(id));
      // Still once each, after the receipts.
      expect(await texts(customer)).toEqual(replies);
    });

    it.skipIf(!caps.customerSeesRead)(`the customer's side shows their message read once the agent read it${caps.customerSeesRead ? '' : ': not applicable'}`, async () => {
      const { customer, desk } = await activeChat();
      const sent = await customer.send('Did you see this?');
      await until(async () => (await desk.customerTexts()).includes('Did you see this?'), T, 'the message at the desk');
      const status = need(customer, 'statusOf');
      expect(await status(sent)).not.toBe('read');
      await need(desk, 'read')();
      await until(async () => (await status(sent)) === 'read', T, "the customer's message shown read");
    });

    describe.skipIf(!caps.typing.fromCustomer && !caps.typing.toCustomer)('typing', () => {
      it(`typing is seen ${[caps.typing.fromCustomer && 'from the customer', caps.typing.toCustomer && 'by the customer'].filter(Boolean).join(' and ')}, live, and never stored`, async () => {
        const { customer, id, desk } = await activeChat();
        const before = (await stored(ts(), id)).conversation.lastSeq;
        if (caps.typing.fromCustomer) {
          expect(await desk.seesCustomerTyping()).toBe(false);
          await need(customer, 'typing')();
          await until(() => desk.seesCustomerTyping(), T, 'the agent seeing the customer type');
        }
        if (caps.typing.toCustomer) {
          const sees = need(customer, 'seesAgentTyping');
          expect(await sees()).toBe(false);
          await desk.typing();
          await until(() => sees(), T, 'the customer seeing the agent type');
        }
        expect((await stored(ts(), id)).conversation.lastSeq).toBe(before);
      });
    });

    it.skipIf(!caps.media)(`media both ways, the same bytes${caps.media ? '' : ': not applicable'}`, async () => {
      const { customer, desk } = await activeChat();
      const fromCustomer = samplePng(8, [0xc0, 0x10, 0x10]);
      await need(customer, 'sendMedia')(fromCustomer, 'image/png');
      const part = await until(async () => (await desk.events()).find((e) => e.kind === 'message' && e.origin === 'channel' && e.parts.some((p: any) => p.type === 'media'))?.parts.find((p: any) => p.type === 'media'), T, "the customer's image at the desk");
      expect(part.mime).toBe('image/png');
      expect(Buffer.from(await (await fetch(part.url)).arrayBuffer()).equals(fromCustomer)).toBe(true);

      const fromAgent = samplePng(12, [0x10, 0xc0, 0x10]);
      await desk.post({ parts: [{ type: 'media', mediaId: await desk.upload(fromAgent, 'image/png') }] });
      const got = (await until(async () => (await customer.received()).find((r) => r.media)?.media, T, "the agent's image at the customer"))!;
      expect(got.mime).toBe('image/png');
      expect((await got.bytes()).equals(fromAgent)).toBe(true);
    });

    it.skipIf(!caps.quickReplies)(`quick replies: the customer is offered the choices, and their pick reaches the agent as the answer${caps.quickReplies ? '' : ': not applicable'}`, async () => {
      const { customer, id, desk } = await activeChat();
      await desk.post({ parts: [QUICK] });
      const offered = await until(async () => (await customer.received()).find((r) => r.choices), T, 'the choices at the customer');
      expect(offered).toMatchObject({ text: QUICK.text, choices: QUICK.replies.map((r) => r.title) });
      await need(customer, 'answer')('A bill');
      await until(async () => (await desk.customerTexts()).length >= 2, T, 'the answer at the desk');
      expect(await desk.customerTexts()).toEqual(['Hello', 'A bill']);
      expectGapFree(await log(id));
    });

    it.skipIf(!caps.customerEnds)(`the customer ends: the agent sees the conversation over${caps.customerEnds ? '' : ': not applicable'}`, async () => {
      const { customer, id, desk } = await activeChat();
      await need(customer, 'end')();
      await until(() => desk.seesEnded(), T, 'the agent seeing the end');
      const { conversation, events } = await stored(ts(), id);
      expect(conversation.phase).toBe('ended');
      expect(events.at(-1)).toMatchObject({ kind: 'conversation.ended', origin: 'channel' });
    });

    it(`the agent ends: the conversation is over${caps.shows.ended ? ", the customer's side shows it" : ''}, and a later customer message does not reopen it`, async () => {
      const { customer, id, desk } = await activeChat();
      await desk.end();
      if (caps.shows.ended) await until(() => need(customer, 'seesEnded')(), T, 'the customer shown the end');
      const before = await stored(ts(), id);
      expect(before.conversation.phase).toBe('ended');
      expect(before.events.at(-1)).toMatchObject({ kind: 'conversation.ended', origin: 'desk' });
      // Refused (web), or the start of a new conversation (a vendor channel): either way not in this one.
      await customer.send('Hello again?').catch(() => undefined);
      const after = await stored(ts(), id);
      expect(after.conversation.phase).toBe('ended');
      expect(after.events).toHaveLength(before.events.length);
    });

    if (!caps.vendorFaults) notApplicable('vendor failures (the channel has no vendor)', { fault: driver.fault });
    else describe('vendor failures', () => {
      /** A fault on the vendor while the agent sends three messages: each reaches the customer once, in order, none fails. */
      async function faultThenRecovery(fault: VendorFault, times: number): Promise<number> {
        const { customer, id, desk } = await activeChat();
        const armed = await need(driver, 'fault')(fault, times);
        const at = Date.now();
        for (const t of ['a', 'b', 'c']) await desk.post({ text: t });
        await until(async () => (await customer.received()).length >= 3, T, 'the three replies after the fault');
        const took = Date.now() - at;
        expect(await armed.injected()).toBe(times);
        await agentSays(desk, customer, 'and after');
        expect(await texts(customer)).toEqual(['a', 'b', 'c', 'and after']);
        await customer.send('Got them');
        await until(async () => (await desk.customerTexts()).includes('Got them'), T, "the customer's answer at the desk");
        const events = await log(id);
        expectGapFree(events);
        expect(events.some((e) => e.kind === 'delivery.failed')).toBe(false);
        return took;
      }

      vendorFaultCases(faultThenRecovery);
    });

    it('Parley restarts mid-conversation: the customer carries on, nothing lost or duplicated', async () => {
      const { customer, id, desk } = await activeChat();
      await agentSays(desk, customer, 'Before the restart.');
      const replies = ['Before the restart.'];
      // With a vendor, one agent message is still in the outbox (the vendor is failing) when Parley stops.
      const outage = caps.vendorFaults ? await need(driver, 'fault')({ kind: 'error', status: 503 }) : undefined;
      if (outage) {
        await desk.post({ text: 'Held in the outbox.' });
        replies.push('Held in the outbox.');
        await until(async () => (await outage.injected()) > 0, T, 'the vendor refusing it');
      }

      await driver.restart();
      await agents.reconnect(ts());
      await driver.clearFaults?.();

      expect((await stored(ts(), id)).conversation.phase).toBe('active');
      await customer.send('After the restart.');
      // The same InboxSide: it finds the agent's new stream and the new Parley by itself.
      await until(async () => (await desk.customerTexts()).includes('After the restart.'), T, "the customer's message after the restart");
      replies.push('Welcome back.');
      await agentSays(desk, customer, 'Welcome back.');
      expect(await texts(customer)).toEqual(replies);
      const events = await log(id);
      expectGapFree(events);
      expect(textsOf(events)).toEqual(['Hello', ...replies.slice(0, -1), 'After the restart.', 'Welcome back.']);
      expect(events.some((e) => e.kind === 'delivery.failed')).toBe(false);
    });

    if (!caps.undeliverable) notApplicable('an undeliverable agent message (nothing can fail to reach the customer)', { undeliverable: driver.undeliverable });
    else it(
      `an agent message that cannot be delivered (${caps.undeliverable}) ends as delivery.failed, seen by the agent`,
      async () => {
        const { customer, id, desk } = await activeChat();
        await need(driver, 'undeliverable')(customer);
        const event = await desk.post({ text: 'You will not get this.' });
        const failed = await desk.stream().next(eventFrame('delivery.failed', id, (e) => e.failedSeq === event.seq), T);
        expect(failed.event).toMatchObject({ leg: 'channel' });
        await until(async () => (await desk.statusOf('You will not get this.')) === 'failed', T, 'the message shown failed');
        expect(await texts(customer)).not.toContain('You will not get this.');
        expectGapFree(await log(id));
      },
    );
  });
}
