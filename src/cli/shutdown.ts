// How a long-running command (`parley start`, `parley demo`) ends: on the first SIGINT or SIGTERM it runs
// its close once, then exits 0, or 1 when closing failed or outlasted the grace period (a stuck socket must
// not keep Ctrl-C from working).

export interface ShutdownLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export function closeOnSignal(close: () => Promise<void>, opts: { graceMs: number; log: ShutdownLog }): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    opts.log.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      opts.log.error({ graceMs: opts.graceMs }, 'shutdown grace period over; exiting');
      process.exit(1);
    }, opts.graceMs);
    force.unref();
    close().then(
      () => process.exit(0),
      (e: unknown) => {
        opts.log.error({ err: e }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
