// A timer for a wall-clock moment that may be weeks away. setTimeout takes at most 2^31-1 ms (about 24.8
// days) and fires at once when given more, which would close a customer's stream the moment it opened
// (customer tokens last 30 days by default); long waits are done in hops.

const MAX_DELAY_MS = 2 ** 31 - 1;

export function atTime(whenMs: number, fn: () => void): { cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  let cancelled = false;
  const arm = (): void => {
    if (cancelled) return;
    const wait = whenMs - Date.now();
    if (wait <= 0) return fn();
    timer = setTimeout(arm, Math.min(wait, MAX_DELAY_MS));
    timer.unref();
  };
  arm();
  return {
    cancel() {
      cancelled = true;
      if (timer) clearTimeout(timer);
    },
  };
}
