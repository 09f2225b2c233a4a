// Entry for `parley emulate twilio [--port N]` (the CLI imports dist/emulators/twilio/main.js and calls
// `main(argv)`), and for `node dist/emulators/twilio/main.js --port N` directly.
//   --port N          listen port (default 9110; 0 picks a free one)
//   --host H          listen address (default 127.0.0.1)
//   --webhook-url U   the number's "A message comes in" webhook (Parley: …/webhooks/twilio-sms/<instance>)
//   --auth-token T    the account's Auth Token (signs webhooks)
import { pathToFileURL } from 'node:url';
import { closeOnSignal, parseArgs } from '../kit/index.js';
import type { TwilioEmulatorOptions } from './config.js';
import { startTwilioEmulator, type TwilioEmulator } from './emulator.js';

export { startTwilioEmulator } from './emulator.js';
export type { TwilioEmulator, TwilioCredentials } from './emulator.js';
export type { TwilioEmulatorOptions } from './config.js';

export const DEFAULT_PORT = 9110;

/** Starts the emulator and prints where everything is. */
export async function start(opts: TwilioEmulatorOptions = {}, print: (line: string) => void = console.log): Promise<TwilioEmulator> {
  const emulator = await startTwilioEmulator({ port: DEFAULT_PORT, ...opts });
  for (const line of banner(emulator)) print(line);
  return emulator;
}

export function banner(e: TwilioEmulator): string[] {
  const c = e.credentials;
  const phone = encodeURIComponent('+15551230001');
  return [
    `Twilio Programmable Messaging emulator on ${e.url}`,
    `  API base      ${e.url}/2010-04-01  (apiBaseUrl in Parley's twilio-sms settings)`,
    `    Account SID   ${c.accountSid}`,
    `    Auth Token    ${c.authToken}   (HTTP Basic; also signs webhooks: X-Twilio-Signature)`,
    `    API key       ${c.apiKeySid} / ${c.apiKeySecret}`,
    `  Number        ${c.number}   Messaging Service ${c.messagingServiceSid}`,
    `    webhook URL   ${e.settings.webhookUrl || '(none yet: PATCH /__control/twilio/settings {"webhookUrl":…} or --webhook-url)'}`,
    `  Play a phone  POST ${e.url}/__control/twilio/phones/${phone}/messages {"body":"Hi"}`,
    `                GET  ${e.url}/__control/twilio/phones/${phone}/messages`,
    `  Phone page    ${e.url}/phone   (text the number by hand)`,
    `  Control API   ${e.url}/__control  (GET lists every route: requests, faults, webhooks, twilio/…)`,
    `  SDK           const client = twilio(accountSid, authToken); client.api.baseUrl = '${e.url}'`,
  ];
}

/** `parley emulate twilio …`: runs until SIGINT/SIGTERM. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const args = parseArgs(argv, { port: DEFAULT_PORT });
  const emulator = await start({
    port: args.port,
    host: args.host,
    ...(args.flags['webhook-url'] ? { webhookUrl: args.flags['webhook-url'] } : {}),
    ...(args.flags['auth-token'] ? { authToken: args.flags['auth-token'] } : {}),
  });
  await closeOnSignal(() => emulator.close());
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
