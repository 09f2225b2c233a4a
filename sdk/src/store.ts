import type { KeyValueStorage } from './types.js';

// Persistence behind the host's KeyValueStorage (localStorage in browsers, anything in Node). Values are
// JSON under "<storageKey>:<role>:<name>". Storage can be full, disabled (Safari private mode) or hold
// junk from an older version: every read and write is guarded, and the SDK keeps working from memory.

export class MemoryStorage implements KeyValueStorage {
  private readonly map = new Map<string, string>();
  getItem(k: string): string | null {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string): void {
    this.map.set(k, v);
  }
  removeItem(k: string): void {
    this.map.delete(k);
  }
}

const WRITE_DELAY_MS = 150;

export class Store {
  private readonly pending = new Map<string, () => unknown>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly storage: KeyValueStorage,
    private readonly prefix: string,
  ) {}

  get<T>(name: string): T | undefined {
    try {
      const raw = this.storage.getItem(`${this.prefix}:${name}`);
      return raw === null ? undefined : (JSON.parse(raw) as T);
    } catch {
      return undefined;
    }
  }

  /** Write now: for what must survive a reload right after the call (the outbox, the session). */
  set(name: string, value: unknown): void {
    this.pending.delete(name);
    try {
      this.storage.setItem(`${this.prefix}:${name}`, JSON.stringify(value));
    } catch {
      // Full or disabled storage: the data stays in memory for this page's life.
    }
  }

  remove(name: string): void {
    this.pending.delete(name);
    try {
      this.storage.removeItem(`${this.prefix}:${name}`);
    } catch {
      /* see set */
    }
  }

  /** Write soon: history changes in bursts (a replay is hundreds of events), one write per burst will do. */
  later(name: string, value: () => unknown): void {
    this.pending.set(name, value);
    this.timer ??= setTimeout(() => this.flush(), WRITE_DELAY_MS);
  }

  flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = [...this.pending];
    this.pending.clear();
    for (const [name, value] of batch) this.set(name, value());
  }
}
