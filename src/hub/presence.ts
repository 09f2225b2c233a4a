// Which agents have a live stream open on this node. Round-robin only hands chats to agents who are
// connected, so a logged-in-then-closed laptop does not swallow customers. (Several nodes: a shared
// presence set in Redis replaces this map behind the same methods.)

export class Presence {
  private readonly counts = new Map<string, number>();

  connect(agentId: string): boolean {
    const n = (this.counts.get(agentId) ?? 0) + 1;
    this.counts.set(agentId, n);
    return n === 1;
  }

  disconnect(agentId: string): boolean {
    const n = (this.counts.get(agentId) ?? 0) - 1;
    if (n <= 0) {
      this.counts.delete(agentId);
      return true;
    }
    this.counts.set(agentId, n);
    return false;
  }

  isOnline = (agentId: string): boolean => this.counts.has(agentId);

  online(): string[] {
    return [...this.counts.keys()];
  }
}
