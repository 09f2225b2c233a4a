import { expect, it } from 'vitest';
import { conversationById, eventsAfter } from '../../src/hub/reads.js';
import type { TestServer } from '../helpers/server.js';

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
