import { startGenesysEmulator } from '../../emulators/genesys/main.js';
import { startLivePersonEmulator } from '../../emulators/liveperson/main.js';
import { startDemo, type Demo, type DemoOptions } from '../../src/cli/demo.js';
import { freePort } from '../helpers/process.js';

// `parley demo` as the browser suites start it: its own wiring (startDemo, as the CLI runs it), the
// emulators from their sources with quick timings, free ports, no log output. `extra` adds parts
// (`liveperson: true` brings the LivePerson emulator, quick as well).

export async function startTestDemo(extra: Partial<DemoOptions> = {}): Promise<Demo> {
  return startDemo({
    port: await freePort(),
    emulatorPort: 0,
    host: '127.0.0.1',
    availabilityIntervalMs: 1000,
    env: { LOG_LEVEL: 'silent' },
    startEmulator: ({ port, host, webhookUrl }) => startGenesysEmulator({ port, host, integration: { webhookUrl }, webhook: { timeoutMs: 2000, delayMs: 100, maxRetries: 5 }, heartbeatMs: 1000 }),
    ...(extra.liveperson ? { livePersonPort: 0, startLivePerson: ({ port, host }) => startLivePersonEmulator({ port, host, retryScale: 0.01, webhookTimeoutMs: 3000 }) } : {}),
    ...extra,
  });
}
