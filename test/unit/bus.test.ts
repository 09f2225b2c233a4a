import { describe, expect, it } from 'vitest';
import { LocalBus, type BusMessage } from '../../src/realtime/bus.js';

// The in-process bus: a topic holds its one handler directly and a Set once there are more; neither may
// change what a subscriber receives.

const msg = (agentId: string): BusMessage => ({ type: 'authority', agentId });

describe('LocalBus', () => {
  it('delivers to every handler of a topic, once each even when subscribed to several of the topics', () => {
    const bus = new LocalBus();
    const got: string[] = [];
    const a = (m: BusMessage) => got.push(`a:${(m as { agentId: string }).agentId}`);
    const b = (m: BusMessage) => got.push(`b:${(m as { agentId: string }).agentId}`);
    bus.subscribe(['contact:1'], a);
    bus.publish(['contact:1'], msg('1'));
    bus.subscribe(['contact:1', 'queue:q'], b);
    bus.publish(['contact:1', 'queue:q'], msg('2'));
    expect(got).toEqual(['a:1', 'a:2', 'b:2']);
  });

  it('unsubscribing removes only that handler, from every topic it named, and empties topics go', () => {
    const bus = new LocalBus();
    const got: string[] = [];
    const a = () => got.push('a');
    const b = () => got.push('b');
    const offA = bus.subscribe(['t1', 't2'], a);
    const offB = bus.subscribe(['t1'], b);
    offA();
    bus.publish(['t1', 't2'], msg('x'));
    expect(got).toEqual(['b']);
    offB();
    bus.publish(['t1', 't2'], msg('x'));
    expect(got).toEqual(['b']);
    expect((bus as unknown as { topics: Map<string, unknown> }).topics.size).toBe(0);
    // A handler subscribed twice to a topic is one subscriber there, as with a Set.
    const offTwice = bus.subscribe(['t3'], a);
    bus.subscribe(['t3'], a);
    bus.publish(['t3'], msg('x'));
    expect(got).toEqual(['b', 'a']);
    offTwice();
    bus.publish(['t3'], msg('x'));
    expect(got).toEqual(['b', 'a']);
  });

  it('a handler that throws does not stop the others', () => {
    const bus = new LocalBus();
    const got: string[] = [];
    bus.subscribe(['t'], () => {
      throw new Error('broken session');
    });
    bus.subscribe(['t'], () => got.push('ok'));
    bus.publish(['t'], msg('x'));
    expect(got).toEqual(['ok']);
  });
});
