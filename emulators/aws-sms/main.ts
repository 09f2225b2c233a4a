// Entry for `parley emulate aws-sms [--port N]` (the CLI imports dist/emulators/aws-sms/main.js and calls
// `main(argv)`), and for `node dist/emulators/aws-sms/main.js --port N` directly.
//   --port N          listen port (default 9120; 0 picks a free one)
//   --host H          listen address (default 127.0.0.1)
//   --subscribe U     subscribe this endpoint (Parley's /webhooks/aws-sms/<instance>) to both topics at start
//   --phone E164      the emulated number (default +12065550100)
import { pathToFileURL } from 'node:url';
import { closeOnSignal, parseArgs } from '../kit/index.js';
import type { AwsSmsEmulatorOptions } from './config.js';
import { startAwsSmsEmulator, type AwsSmsEmulator } from './emulator.js';

export { startAwsSmsEmulator } from './emulator.js';
export type { AwsSmsEmulator, AwsSmsCredentials } from './emulator.js';
export type { AwsSmsEmulatorOptions } from './config.js';

export const DEFAULT_PORT = 9120;

/** Starts the emulator and prints where everything is. */
export async function start(opts: AwsSmsEmulatorOptions = {}, print: (line: string) => void = console.log): Promise<AwsSmsEmulator> {
  const emulator = await startAwsSmsEmulator({ port: DEFAULT_PORT, ...opts });
  for (const line of banner(emulator)) print(line);
  return emulator;
}

export function banner(e: AwsSmsEmulator): string[] {
  const c = e.credentials;
  return [
    `AWS End User Messaging SMS emulator on ${e.url}`,
    `  API           POST ${e.url}/  (AWS JSON 1.0, X-Amz-Target PinpointSMSVoiceV2.SendTextMessage, SigV4 for sms-voice/${c.region})`,
    `    access key    ${c.accessKeyId}`,
    `    secret key    ${c.secretAccessKey}`,
    `  Number        ${c.phoneNumber}  (two-way SMS to ${c.topicArn})`,
    `  Events        configuration set ${c.configurationSetName} → ${c.eventsTopicArn}`,
    `  SNS           certificates and confirm/unsubscribe URLs under ${e.url}/__sns/…  (trust host ${new URL(e.url).host} in snsTrustedHosts)`,
    `  Control API   ${e.url}/__control  (aws-sms/phones/:number/texts plays a handset; aws-sms/subscriptions subscribes Parley)`,
    `  SDK           new PinpointSMSVoiceV2Client({ region: '${c.region}', endpoint: '${e.url}', credentials: { accessKeyId, secretAccessKey } })`,
  ];
}

/** `parley emulate aws-sms …`: runs until SIGINT/SIGTERM. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const args = parseArgs(argv, { port: DEFAULT_PORT });
  const emulator = await start({ port: args.port, host: args.host, ...(args.flags.phone ? { phoneNumber: args.flags.phone } : {}) });
  const endpoint = args.flags.subscribe;
  if (endpoint) {
    await emulator.twoWay.subscribe(endpoint);
    await emulator.events.subscribe(endpoint);
    console.log(`  Subscribed    ${endpoint}: ${emulator.twoWay.confirmed().includes(endpoint) ? 'confirmed' : 'not confirmed yet (is Parley running?)'}`);
  }
  await closeOnSignal(() => emulator.close());
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
