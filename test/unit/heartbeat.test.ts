import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Heartbeat } from '../../src/realtime/heartbeat.js';

// One timer for every stream's heartbeat: each member beats once a period, spread over the period's ticks.

describe('Heartbeat', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  class Member {
    beats = 0;
    beat(): void {
      this.beats++;
    }
  }
  const member = () => new Member();

  it('beats each member once a period, a slot per tick, and stops when the last one leaves', () => {
    const hb = new Heartbeat<Member>(1000, 4);
    const ms = Array.from({ length: 8 }, member);
    const slots = ms.map((m) => hb.join(m));
    vi.advanceTimersByTime(250);
    expect(ms.filter((m) => m.beats === 1)).toHaveLength(2);
    vi.advanceTimersByTime(750);
    expect(ms.map((m) => m.beats)).toEqual(Array(8).fill(1));
    vi.advanceTimersByTime(3000);
    expect(ms.map((m) => m.beats)).toEqual(Array(8).fill(4));
    ms.forEach((m, i) => hb.leave(m, slots[i]!));
    expect(vi.getTimerCount()).toBe(0);
    expect(hb.all()).toEqual([]);
  });

  it('a member that throws does not stop the others of its slot', () => {
    const hb = new Heartbeat<{ beat(): void }>(100, 1);
    const ok = member();
    hb.join({
      beat() {
        throw new Error('broken socket');
      },
    });
    hb.join(ok);
    vi.advanceTimersByTime(100);
    expect(ok.beats).toBe(1);
  });
});
