// One timer for the heartbeats of every open WebSocket, instead of an interval per socket (a Timeout, its
// closure and a timer-list entry each, for as long as the socket is open). Members are spread over `slots`
// slots and one slot is visited per tick, so each member beats once a period and a node with many idle
// streams sends its pings a slot at a time rather than all in one burst.

export interface Beating {
  /** Once a period while a member. An error here is the member's own: the others still beat. */
  beat(now: number): void;
}

export class Heartbeat<M extends Beating> {
  private readonly slots: Set<M>[];
  private members = 0;
  private joined = 0;
  private visiting = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly periodMs: number,
    slotCount = 25,
  ) {
    this.slots = Array.from({ length: slotCount }, () => new Set<M>());
  }

  /** Join; returns the slot, which `leave` needs back. */
  join(m: M): number {
    const slot = this.joined++ % this.slots.length;
    this.slots[slot]!.add(m);
    if (++this.members === 1) {
      this.timer = setInterval(() => this.tick(), this.periodMs / this.slots.length);
      // Open sockets keep the process alive by themselves; the heartbeat never should.
      this.timer.unref();
    }
    return slot;
  }

  leave(m: M, slot: number): void {
    if (!this.slots[slot]?.delete(m)) return;
    if (--this.members === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  /** Every member, e.g. to close them all at shutdown. */
  all(): M[] {
    return this.slots.flatMap((s) => [...s]);
  }

  private tick(): void {
    const slot = this.slots[this.visiting++ % this.slots.length]!;
    const now = Date.now();
    for (const m of slot) {
      try {
        m.beat(now);
      } catch {
        // One broken socket must not stop the others' heartbeats.
      }
    }
  }
}
