// Writes to many streams (a WebSocket's socket, a Server-Sent Events response), each held until the current
// tick's work is done and then written in one go. A commit publishes a batch of events at once (group commit), so one agent's socket gets several frames in
// the same tick, and a customer its ack, its own event and a receipt: written one by one, each frame was a
// writev system call, which the relay benchmark found to be Parley's largest single cost. ws corks and
// uncorks around each frame itself; corks nest, so the frames go out together when this cork is undone.

/** What can be corked: a socket, or an HTTP response (which corks its socket). */
export interface Corkable {
  readonly writableCorked: number;
  cork(): void;
  uncork(): void;
}

export class Corks {
  private corked: Corkable[] = [];
  private readonly uncorkAll = (): void => {
    const sockets = this.corked;
    this.corked = [];
    for (const socket of sockets) socket.uncork();
  };

  /** Hold `socket`'s writes until the end of this tick (one pending uncork for all sockets, not one per socket). */
  cork(socket: Corkable): void {
    if (socket.writableCorked > 0) return;
    socket.cork();
    if (this.corked.push(socket) === 1) process.nextTick(this.uncorkAll);
  }
}
