import { describe, expect, it } from 'vitest';
import { deliveryTargets, otherLeg, type LegPolicy } from '../../src/core/fanout.js';
import type { Author, EventKind, Leg } from '../../src/core/model.js';

const messagesOnly = (leg: Leg, adapter: string): LegPolicy => ({ leg, adapter, wants: (e) => e.kind === 'message' });
const everything = (leg: Leg, adapter: string): LegPolicy => ({ leg, adapter, wants: () => true });
const ev = (kind: EventKind, origin: Leg | null, role: Author['role'] = 'customer') => ({ kind, origin, author: { role } });

describe('fan-out: which legs get a delivery row', () => {
  it('a message never goes back to the leg it came from', () => {
    const legs = [everything('channel', 'web'), everything('desk', 'genesys')];
    expect(deliveryTargets(ev('message', 'channel'), legs).map((l) => l.leg)).toEqual(['desk']);
    expect(deliveryTargets(ev('message', 'desk', 'agent'), legs).map((l) => l.leg)).toEqual(['channel']);
  });

  it("a business's proactive message goes to a desk that sends them itself, not to one that does not; an agent's never goes back", () => {
    const proactiveDesk: LegPolicy = { ...messagesOnly('desk', 'genesys'), sendsProactive: true };
    const withSender = [messagesOnly('channel', 'web'), proactiveDesk];
    expect(deliveryTargets(ev('message', 'desk', 'business'), withSender).map((l) => l.adapter)).toEqual(['web', 'genesys']);
    expect(deliveryTargets(ev('message', 'desk', 'agent'), withSender).map((l) => l.adapter)).toEqual(['web']);
    expect(deliveryTargets(ev('participant.joined', 'desk', 'business'), withSender).map((l) => l.adapter)).toEqual([]);
    expect(deliveryTargets(ev('message', 'desk', 'business'), [messagesOnly('channel', 'web'), messagesOnly('desk', 'inbox')]).map((l) => l.adapter)).toEqual(['web']);
  });

  it('a leg is never sent the notice of its own failed delivery, only the other leg is', () => {
    const legs = [everything('channel', 'sms'), everything('desk', 'genesys')];
    const failedAtDesk = { ...ev('delivery.failed', null, 'system'), leg: 'desk' as Leg };
    expect(deliveryTargets(failedAtDesk, legs).map((l) => l.adapter)).toEqual(['sms']);
  });

  it('events Parley makes itself (no origin) go to every leg that wants them', () => {
    const legs = [everything('channel', 'sms'), everything('desk', 'genesys')];
    expect(deliveryTargets(ev('conversation.ended', null, 'system'), legs).map((l) => l.adapter)).toEqual(['sms', 'genesys']);
  });

  it("each leg's adapter decides which kinds it wants", () => {
    const legs = [messagesOnly('channel', 'web'), everything('desk', 'genesys')];
    expect(deliveryTargets(ev('conversation.queued', null, 'system'), legs).map((l) => l.adapter)).toEqual(['genesys']);
    expect(deliveryTargets(ev('receipt', 'desk', 'agent'), legs)).toEqual([]);
    expect(deliveryTargets(ev('message', null, 'business'), legs).map((l) => l.adapter)).toEqual(['web', 'genesys']);
  });

  it('the wants predicate sees the event (kind, author, origin)', () => {
    const seen: unknown[] = [];
    const spy: LegPolicy = { leg: 'desk', adapter: 'spy', wants: (e) => (seen.push(e), e.author.role !== 'bot') };
    expect(deliveryTargets(ev('message', 'channel', 'bot'), [spy])).toEqual([]);
    expect(seen).toEqual([{ kind: 'message', origin: 'channel', author: { role: 'bot' } }]);
    expect(deliveryTargets(ev('message', 'channel', 'customer'), [spy])).toHaveLength(1);
  });

  it('the origin leg is excluded before asking the adapter', () => {
    let asked = 0;
    const legs: LegPolicy[] = [{ leg: 'channel', adapter: 'web', wants: () => (asked++, true) }];
    expect(deliveryTargets(ev('message', 'channel'), legs)).toEqual([]);
    expect(asked).toBe(0);
  });

  it('otherLeg flips channel and desk', () => {
    expect(otherLeg('channel')).toBe('desk');
    expect(otherLeg('desk')).toBe('channel');
  });
});
