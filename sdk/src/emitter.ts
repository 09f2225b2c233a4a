// A tiny typed event emitter. A listener that throws must not break the client's own bookkeeping (the
// event that triggered it is already applied), so errors are rethrown asynchronously, where the host's
// global error handler sees them, instead of unwinding the SDK.

export class Emitter<E extends object> {
  private readonly listeners = new Map<keyof E, Set<(p: never) => void>>();

  on<K extends keyof E>(type: K, fn: (p: E[K]) => void): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    set.add(fn as (p: never) => void);
    return () => {
      set.delete(fn as (p: never) => void);
    };
  }

  emit<K extends keyof E>(type: K, payload: E[K]): void {
    const set = this.listeners.get(type);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        (fn as (p: E[K]) => void)(payload);
      } catch (e) {
        setTimeout(() => {
          throw e;
        }, 0);
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
