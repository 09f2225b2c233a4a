// Entry for `parley emulate connect [--port N]` (the CLI imports dist/emulators/connect/main.js and calls
// `main(argv)`), and for `node dist/emulators/connect/main.js --port N` directly.
//   --port N          listen port (default 9300; 0 picks a free one)
//   --host H          listen address (default 127.0.0.1)
//   --subscribe URL   subscribe this endpoint (Parley's /webhooks/connect/<instance>) to the streaming topic
import { pathToFileURL } from 'node:url';
import { closeOnSignal, parseArgs } from '../kit/index.js';
import type { ConnectEmulatorOptions } from './config.js';
import { startConnectEmulator, type ConnectEmulator } from './emulator.js';

export { startConnectEmulator } from './emulator.js';
export type { ConnectEmulator, ConnectCredentials } from './emulator.js';
export type { ConnectEmulatorOptions } from './config.js';

export const DEFAULT_PORT = 9300;

export async function start(opts: ConnectEmulatorOptions = {}, print: (line: string) => void = console.log): Promise<ConnectEmulator> {
  const emulator = await startConnectEmulator({ port: DEFAULT_PORT, ...opts });
  for (const line of banner(emulator)) print(line);
  return emulator;
}

export function banner(e: ConnectEmulator): string[] {
  const c = e.credentials;
  return [
    `Amazon Connect emulator on ${e.url}`,
    `  Connect API       ${e.url}  (SigV4, service "connect", region ${c.region})`,
    `    access key id     ${c.accessKeyId}`,
    `    secret key        ${c.secretAccessKey}`,
    `  Participant API   ${e.url}  (X-Amz-Bearer tokens)`,
    `  Instance          ${c.instanceId}`,
    `  Contact flow      ${c.contactFlowId}`,
    `  Streaming topic   ${c.topicArns.join(', ')}`,
    `    subscribe         POST ${e.url}/__control/connect/topics/<name>/subscribe {"endpoint": "<Parley>/webhooks/connect/<instance>"}`,
    `  Agent page        ${e.url}/agent`,
    `  Control API       ${e.url}/__control  (GET lists every route)`,
    `  SDK               new ConnectClient({ region: '${c.region}', endpoint: '${e.url}', credentials: { accessKeyId, secretAccessKey } })`,
  ];
}

/** `parley emulate connect …`: runs until SIGINT/SIGTERM. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const args = parseArgs(argv, { port: DEFAULT_PORT });
  const emulator = await start({ port: args.port, host: args.host });
  const endpoint = args.flags.subscribe;
  if (endpoint) {
    const name = emulator.credentials.topicArns[0]!.split(':').pop()!;
    await emulator.streaming.topics.get(emulator.credentials.topicArns[0]!)!.subscribe(endpoint);
    console.log(`  Subscribed ${endpoint} to ${name} (confirmed once the endpoint GETs the SubscribeURL)`);
  }
  await closeOnSignal(() => emulator.close());
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
