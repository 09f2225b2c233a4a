import { expect, it } from 'vitest';
import type { FaultRuleInput } from '../../emulators/kit/index.js';
import { conversationById, eventsAfter } from '../../src/hub/reads.js';
import type { Control } from '../helpers/scene.js';
import type { TestServer } from '../helpers/server.js';
import type { ChannelCapabilities, ChannelCustomer, ChannelDriver, Sent } from './channel-contract.js';

// What the desk contract (desk-contract.ts) and the channel contract (channel-contract.ts) share: the
// patience of a case, the vendor faults a driver arms, and how a case checks Parley's log.

/** Long enough for an emulator round trip with retries on a busy 2-core machine; conditions are polled, not slept on. */
export const T = 8000;

/** A failure of the vendor, on the path Parley's deliveries take to it. */
export type VendorFault = { kind: 'rateLimit'; retryAfterSeconds: number } | { kind: 'error'; status: number } | { kind: 'timeout' };

export interface ArmedFault {
  /** How many requests got the fault so far. */
  injected(): Promise<number>;
}

/** The emulator fault rule (emulators/kit) for a contract fault on the vendor endpoint `path` (and `method`). */
export function faultRule(f: VendorFault, path: string, method?: string): FaultRuleInput {
  const on = { path, ...(method ? { method } : {}) };
  switch (f.kind) {
    case 'rateLimit':
      return { ...on, kind: 'rateLimit', retryAfterSeconds: f.retryAfterSeconds };
    case 'error':
      return { ...on, kind: 'error', status: f.status };
    case 'timeout':
      // No answer at all: the vendor does not act on the request, Parley's attempt timeout ends it.
      return { ...on, kind: 'hang' };
  }
}

/**
 * A driver's `fault` and `clearFaults` through an emulator's control API (`/faults`, emulators/kit): each
 * contract fault armed as `rule(fault)`, for `times` requests when given. `control` is read at each call
 * (the driver's scene exists only once started).
 */
export function emulatorFaults(control: () => Control, rule: (f: VendorFault) => FaultRuleInput) {
  return {
    async fault(f: VendorFault, times?: number): Promise<ArmedFault> {
      const armed = (await control()('POST', '/faults', { ...rule(f), ...(times !== undefined ? { times } : {}) })).body as { id: string };
      return {
        injected: async () => ((await control()('GET', '/faults')).body.faults as { id: string; injected: number }[]).find((r) => r.id === armed.id)?.injected ?? 0,
      };
    },
    async clearFaults(): Promise<void> {
      await control()('DELETE', '/faults');
    },
  };
}

/** A driver's scene: set by start(), read by everything else (which fails clearly before start). */
export function sceneOf<S>(driver: string): { get(): S; set(scene: S | undefined): void; current(): S | undefined } {
  let scene: S | undefined;
  return {
    get() {
      if (!scene) throw new Error(`the ${driver} driver is not started`);
      return scene;
    },
    set(s) {
      scene = s;
    },
    current: () => scene,
  };
}

/**
 * A case a driver's capabilities rule out is not skipped (CI treats a skip as something to look at): it runs
 * as a check that the driver really offers no way to do it, so a driver that implements the method but
 * leaves its capability off fails here instead of silently never being tested.
 */
export function notApplicable(title: string, lacks: Record<string, unknown>): void {
  it(`${title}: not applicable, and the driver offers no way to do it`, () => {
    for (const [name, impl] of Object.entries(lacks)) expect(impl, `the driver implements ${name} but its capability is off`).toBeUndefined();
  });
}

/**
 * The three vendor-failure cases both contracts have: `faultThenRecovery(fault, times)` arms the fault,
 * drives its contract's traffic through it, checks every message arrived once and in order, and returns
 * how long that took (a 429 must make Parley wait at least its Retry-After).
 */
export function vendorFaultCases(faultThenRecovery: (fault: VendorFault, times: number) => Promise<number>): void {
  it('429 with Retry-After: waits at least that long, then every message arrives once, in order', async () => {
    expect(await faultThenRecovery({ kind: 'rateLimit', retryAfterSeconds: 1 }, 1)).toBeGreaterThanOrEqual(950);
  });
  it('500s: retried until the vendor recovers; every message arrives once, in order', async () => {
    await faultThenRecovery({ kind: 'error', status: 500 }, 3);
  });
  it('a request that times out: retried; every message arrives once, in order', async () => {
    await faultThenRecovery({ kind: 'timeout' }, 1);
  });
}

/** The texts of the message events among `events`, in their order (a message's first part). */
export const textsOf = (events: any[]): string[] => events.filter((e) => e.kind === 'message').map((e) => e.parts[0]?.text);

/** Seq 1, 2, 3, … with no gap and no repeat. */
export function expectGapFree(events: { seq: number }[]): void {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
}

/** A conversation and its whole log as Parley stored them (the truth a case checks against, whatever the channel or desk shows). */
export async function stored(ts: TestServer, conversationId: string) {
  const db = ts.server.services.hub.db;
  const conversation = await conversationById(db, conversationId);
  if (!conversation) throw new Error(`no conversation ${conversationId}`);
  return { conversation, events: await eventsAfter(db, conversationId, 0, 1000) };
}

/** `obj[key]`, bound to `obj`; fails the case when a capability promises what the driver does not implement. */
export function needs<O extends object, K extends keyof O>(obj: O, key: K, driver: string): NonNullable<O[K]> {
  const f = obj[key];
  if (typeof f !== 'function') throw new Error(`${driver}: its capabilities promise ${String(key)}, which it does not implement`);
  return f.bind(obj) as NonNullable<O[K]>;
}

/** Fresh phone numbers, `prefix` (+1 and an area code) and seven digits: one per customer (one phone is one contact). */
export function phoneNumbers(prefix: string): () => string {
  let phones = 0;
  return () => `${prefix}${String(Date.now() % 1000).padStart(3, '0')}${String(++phones).padStart(4, '0')}`;
}

/**
 * A customer played through a vendor's emulator, whose conversation is the one their first message went to
 * (found by the vendor's id of that message once Parley stored it): the base of the SMS and Meta customers.
 */
export abstract class EmulatedCustomer implements Pick<ChannelCustomer, 'conversationId' | 'close'> {
  private first: Promise<string> | undefined;
  private opened: Promise<string> | undefined;

  /** The Parley conversation an inbound message (by the vendor's id) went to, once stored. */
  protected abstract conversationOf(id: string): Promise<string>;

  conversationId(): Promise<string> {
    if (!this.first) throw new Error('the customer has not written yet');
    this.opened ??= this.first.then((id) => this.conversationOf(id));
    return this.opened;
  }

  /** What a send answers, from the vendor's id of the message; the first one is the one whose conversation is the customer's. */
  protected async sent(id: Promise<string>): Promise<Sent> {
    this.first ??= id;
    return { id: await id };
  }

  async close(): Promise<void> {}
}

/**
 * A customer of an SMS channel driver: a phone texting the number through the emulator. Their conversation is
 * the one their first text went to; they end by texting STOP (the carriers' and vendors' opt-out).
 */
export abstract class PhoneCustomer extends EmulatedCustomer implements Pick<ChannelCustomer, 'conversationId' | 'send' | 'end' | 'close'> {
  constructor(readonly phone: string) {
    super();
  }

  /** The phone texts `body` (and/or media); the vendor's id of that inbound message. */
  protected abstract text(body: string | undefined, media?: { contentType: string; bytes: Buffer }[]): Promise<string>;

  async send(text: string): Promise<Sent> {
    return this.sent(this.text(text));
  }

  async end(): Promise<void> {
    await this.text('STOP');
  }
}

/** What a channel driver on an emulator needs of its scene (test/channels/<type>/helpers.ts). */
interface EmulatorScene {
  readonly ts: TestServer;
  control: Control;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A channel driver whose customers are played through a vendor's emulator (the scene `S`): started and
 * stopped with its scene, faults armed through the emulator's control API on the vendor path `fault` gives,
 * and `undeliverable` made the vendor's way.
 */
export function emulatorDriver<S extends EmulatorScene, C extends ChannelCustomer>(o: {
  name: string;
  channel: string;
  capabilities: ChannelCapabilities;
  scene: (env: Record<string, string>) => Promise<S>;
  customer: (scene: S) => C | Promise<C>;
  fault: (f: VendorFault) => FaultRuleInput;
  undeliverable: (scene: S, customer: C) => Promise<void>;
}): ChannelDriver {
  const scene = sceneOf<S>(o.name);
  const s = scene.get;
  return {
    name: `${o.name} (emulator)`,
    channel: o.channel,
    capabilities: o.capabilities,
    get ts() {
      return s().ts;
    },
    async start(env) {
      scene.set(await o.scene(env));
    },
    async restart() {
      await s().restart();
    },
    async stop() {
      await scene.current()?.stop();
    },
    async customer() {
      return o.customer(s());
    },
    ...emulatorFaults(() => s().control, o.fault),
    undeliverable: (customer) => o.undeliverable(s(), customer as C),
  };
}

/**
 * The channel driver of an SMS channel (the channel instance `sms`, customers as phones): SMS has no typing,
 * reads, joins, queue positions, or quick replies (a quick reply goes out as numbered text); agent messages
 * show delivered, and an undeliverable one is refused. What differs per vendor: media (MMS), the scene, the
 * vendor path faults are armed on, and how a phone is made unreachable.
 */
export function smsDriver<S extends EmulatorScene, C extends PhoneCustomer & ChannelCustomer>(o: {
  name: string;
  media: boolean;
  scene: (env: Record<string, string>) => Promise<S>;
  customer: (scene: S) => C;
  fault: (f: VendorFault) => FaultRuleInput;
  undeliverable: (scene: S, customer: C) => Promise<void>;
}): ChannelDriver {
  return emulatorDriver({
    ...o,
    channel: 'sms',
    capabilities: {
      typing: { fromCustomer: false, toCustomer: false },
      agentMessageStatus: 'delivered',
      customerSeesRead: false,
      media: o.media,
      quickReplies: false,
      customerEnds: true,
      shows: { joined: false, ended: false, waiting: false },
      vendorFaults: true,
      undeliverable: 'refused',
    },
  });
}
