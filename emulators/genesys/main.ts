// Entry for `parley emulate genesys [--port N]` (the CLI imports dist/emulators/genesys/main.js and
// calls `main(argv)`), and for `node dist/emulators/genesys/main.js --port N` directly.
//   --port N          listen port (default 9100; 0 picks a free one)
//   --host H          listen address (default 127.0.0.1)
//   --webhook-url U   the integration's outboundNotificationWebhookUrl
//   --secret S        the integration's webhook signature secret
import { pathToFileURL } from 'node:url';
import { closeOnSignal, parseArgs } from '../kit/index.js';
import type { GenesysEmulatorOptions } from './config.js';
import { startGenesysEmulator, type GenesysEmulator } from './emulator.js';

export { startGenesysEmulator } from './emulator.js';
export type { GenesysEmulator, GenesysCredentials } from './emulator.js';
export type { GenesysEmulatorOptions } from './config.js';

export const DEFAULT_PORT = 9100;

/** Starts the emulator and prints where everything is. */
export async function start(opts: GenesysEmulatorOptions = {}, print: (line: string) => void = console.log): Promise<GenesysEmulator> {
  const emulator = await startGenesysEmulator({ port: DEFAULT_PORT, ...opts });
  for (const line of banner(emulator)) print(line);
  return emulator;
}

export function banner(e: GenesysEmulator): string[] {
  const c = e.credentials;
  const integration = e.store.integrations.get(c.integrationId)!;
  const { hostname, port } = new URL(e.url);
  return [
    `Genesys Cloud emulator on ${e.url}`,
    `  OAuth         POST ${e.url}/oauth/token  (client credentials, HTTP Basic)`,
    `    client id     ${c.clientId}`,
    `    client secret ${c.clientSecret}`,
    `  API base      ${e.url}/api/v2`,
    `  Integration   ${c.integrationId} (${integration.name})`,
    `    webhook URL   ${integration.outboundNotificationWebhookUrl || '(none yet: PATCH /__control/genesys/integrations/' + c.integrationId + ' {"webhookUrl":…})'}`,
    `    webhook secret ${c.integrationSecret}   (X-Hub-Signature-256: sha256=<base64 HMAC-SHA256>)`,
    `  Queues        ${[...e.store.queues.values()].map((q) => `${q.name} ${q.id}`).join(', ')}`,
    `  Agent page    ${e.url}/agent`,
    `  Control API   ${e.url}/__control  (GET lists every route: requests, faults, webhooks, genesys/…)`,
    `  SDK           client.setGateway({ host: '${hostname}', port: ${port}, protocol: 'http' })`,
  ];
}

/** `parley emulate genesys …`: runs until SIGINT/SIGTERM. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const args = parseArgs(argv, { port: DEFAULT_PORT });
  const integration = {
    ...(args.flags['webhook-url'] ? { webhookUrl: args.flags['webhook-url'] } : {}),
    ...(args.flags.secret ? { secret: args.flags.secret } : {}),
  };
  const emulator = await start({ port: args.port, host: args.host, integration });
  await closeOnSignal(() => emulator.close());
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
