// Entry for `parley emulate meta [--port N]` (the CLI imports dist/emulators/meta/main.js and calls
// `main(argv)`), and for `node dist/emulators/meta/main.js --port N` directly.
//   --port N                      listen port (default 9130; 0 picks a free one)
//   --host H                      listen address (default 127.0.0.1)
//   --messenger-webhook-url U     subscribe Messenger's webhook at start, without the GET handshake
//   --whatsapp-webhook-url U      the same for WhatsApp
//   --app-secret S                the app secret (signs webhooks); --secret is the same (the CLI's generic flag)
//   --verify-token T              the verify token the GET handshake sends
import { pathToFileURL } from 'node:url';
import { closeOnSignal, parseArgs } from '../kit/index.js';
import { templateParamCount, type MetaEmulatorOptions } from './config.js';
import { startMetaEmulator, type MetaEmulator } from './emulator.js';

export { startMetaEmulator } from './emulator.js';
export type { MetaEmulator, MetaCredentials } from './emulator.js';
export type { MetaEmulatorOptions } from './config.js';

export const DEFAULT_PORT = 9130;

/** Starts the emulator and prints where everything is. */
export async function start(opts: MetaEmulatorOptions = {}, print: (line: string) => void = console.log): Promise<MetaEmulator> {
  const emulator = await startMetaEmulator({ port: DEFAULT_PORT, ...opts });
  for (const line of banner(emulator)) print(line);
  return emulator;
}

export function banner(e: MetaEmulator): string[] {
  const c = e.credentials;
  const subs = e.store.subscriptions;
  const none = (app: string) => `(none yet: POST /__control/meta/subscribe {"app":"${app}","callbackUrl":…} — Meta's GET handshake — or --${app}-webhook-url)`;
  return [
    `Meta Graph API emulator (Messenger + WhatsApp Cloud API) on ${e.url}`,
    `  Graph base    ${e.url}/${c.graphVersion}  (any /v{major}.{minor} works; ${c.graphVersion} is current)`,
    `  App           id ${c.appId}   secret ${c.appSecret}   (signs webhooks: X-Hub-Signature-256 sha256=hex)`,
    `                verify token ${c.verifyToken}`,
    `  Messenger     Page ${c.pageId} "${c.pageName}"   page access token ${c.pageAccessToken}`,
    `                POST ${e.url}/${c.graphVersion}/me/messages?access_token=…`,
    `                webhook ${subs.messenger ?? none('messenger')}`,
    `  WhatsApp      WABA ${c.wabaId}   phone number id ${c.phoneNumberId} (+${c.displayPhoneNumber})`,
    `                token ${c.whatsappToken}   POST ${e.url}/${c.graphVersion}/${c.phoneNumberId}/messages (Bearer)`,
    `                webhook ${subs.whatsapp ?? none('whatsapp')}`,
    `  Templates     ${e.store.templates.map((t) => `${t.name} (${t.language}, ${t.category}, ${templateParamCount(t.body)} param)`).join(', ')}`,
    `  Play a user   POST ${e.url}/__control/meta/messenger/users {"name":"Ada"} → psid; …/messenger/users/<psid>/messages {"text":"Hi"}`,
    `                POST ${e.url}/__control/meta/whatsapp/users {"name":"Ada"} → waId; …/whatsapp/users/<waId>/messages {"text":"Hi"}`,
    `  Phone page    ${e.url}/phone   (Messenger or WhatsApp by hand)`,
    `  Control API   ${e.url}/__control  (GET lists every route: requests, faults, webhooks, meta/…)`,
  ];
}

/** `parley emulate meta …`: runs until SIGINT/SIGTERM. */
export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const args = parseArgs(argv, { port: DEFAULT_PORT });
  const f = args.flags;
  const appSecret = f['app-secret'] ?? f.secret;
  const emulator = await start({
    port: args.port,
    host: args.host,
    ...(f['messenger-webhook-url'] ? { messenger: { webhookUrl: f['messenger-webhook-url'] } } : {}),
    ...(f['whatsapp-webhook-url'] ? { whatsapp: { webhookUrl: f['whatsapp-webhook-url'] } } : {}),
    ...(appSecret ? { appSecret } : {}),
    ...(f['verify-token'] ? { verifyToken: f['verify-token'] } : {}),
  });
  await closeOnSignal(() => emulator.close());
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
