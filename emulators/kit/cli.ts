// What `parley emulate <vendor>` shares across vendors: reading `--port N` / `--host H` and keeping
// the process alive until Ctrl-C closes the emulator cleanly.
export interface CliArgs {
  port: number;
  host: string;
  /** Any other `--name value` pairs, for vendor-specific flags. */
  flags: Record<string, string>;
}

export function parseArgs(argv: readonly string[], defaults: { port: number; host?: string }): CliArgs {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    if (eq > 0) flags[arg.slice(2, eq)] = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        flags[arg.slice(2)] = next;
        i++;
      } else flags[arg.slice(2)] = 'true';
    }
  }
  const port = flags.port === undefined ? defaults.port : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a number from 0 to 65535, not "${flags.port}"`);
  return { port, host: flags.host ?? defaults.host ?? '127.0.0.1', flags };
}

/** Closes on SIGINT/SIGTERM; resolves when closed. */
export function closeOnSignal(close: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void close().then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
