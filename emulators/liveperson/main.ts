// Entry for `parley emulate liveperson [--port N]` (the CLI imports dist/emulators/liveperson/main.js and calls
// `main(argv)`), and for `node dist/emulators/liveperson/main.js --port N` directly.
//   --port N            listen port (default 9140; 0 picks a free one)
//   --host H            listen address (default 127.0.0.1)
//   --webhook-url U     the app installation's endpoint for every webhook type (Parley's /webhooks/liveperson/<instance>)
//   --client-secret S   the installation's client secret (signs webhooks); --secret is the same (the CLI's generic flag)
import { pathToFileURL } from 'node:url';
import { closeOnSignal, parseArgs } from '../kit/index.js';
import type { LivePersonEmulatorOptions } from './config.js';
import { startLivePersonEmulator, type LivePersonEmulator } from './emulator.js';

export { startLivePersonEmulator } from './emulator.js';
export type { LivePersonEmulator, LivePersonCredentials } from './emulator.js';
export type { LivePersonEmulatorOptions } from './config.js';
export { signature } from './outbound.js';

export const DEFAULT_PORT = 9140;

export async function start(opts: LivePersonEmulatorOptions = {}, print: (line: string) => void = console.log): Promise<LivePersonEmulator> {
  const emulator = await startLivePersonEmulator({ port: DEFAULT_PORT, ...opts });
  for (const line of banner(emulator)) print(line);
  return emulator;
}

export function banner(e: LivePersonEmulator): string[] {
  const c = e.credentials;
  const s = e.settings;
  const hook = s.webhookUrl === null ? '(none: PATCH /__control/liveperson/settings {"webhookUrl": …} or --webhook-url)' : typeof s.webhookUrl === 'string' ? s.webhookUrl : JSON.stringify(s.webhookUrl);
  return [
    `LivePerson Conversational Cloud emulator (Connector API + webhooks) on ${e.url}`,
    `  CSDS          ${c.csdsUrl}  (every service's baseURI is ${new URL(e.url).host})`,
    `  Account       ${c.accountId}`,
    `  App           client id ${c.clientId}   client secret ${c.clientSecret}`,
    `  Webhooks      ${hook}  (x-liveperson-signature ${s.signatureAlgorithm}=${s.signatureEncoding}; retention ${s.retentionTimeSeconds} s)`,
    `  Skills        ${e.store.skills.map((k) => `${k.name} (${k.id})`).join(', ')}, or -1 (any)`,
    `  Agents        ${e.store.agents.map((a) => `${a.name} (${a.id})`).join(', ')}`,
    `  Agent page    ${e.url}/agent`,
    `  Control API   ${e.url}/__control  (GET lists every route: requests, faults, webhooks, liveperson/…)`,
  ];
}

/** `parley emulate liveperson …`: runs until SIGINT/SIGTERM. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const args = parseArgs(argv, { port: DEFAULT_PORT });
  const f = args.flags;
  const clientSecret = f['client-secret'] ?? f.secret;
  const emulator = await start({
    port: args.port,
    host: args.host,
    ...(f['webhook-url'] ? { webhookUrl: f['webhook-url'] } : {}),
    ...(clientSecret ? { clientSecret } : {}),
  });
  await closeOnSignal(() => emulator.close());
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
