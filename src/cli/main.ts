import { Command, InvalidArgumentError } from 'commander';
import { loadConfig, SETTINGS } from '../config.js';
import { ADAPTER_TYPES } from '../switchboard/all-types.js';
import { switchboardDoc } from '../switchboard/doc.js';
import { isParleyError } from '../core/errors.js';
import { createAgent, ensureDefaultQueue } from '../hub/admin.js';
import { VERSION } from '../server.js';
import { migrate, openDatabase } from '../store/db.js';
import { DEMO_PORTS, startDemo } from './demo.js';
import { doctor } from './doctor.js';
import { EMULATORS, isEmulator, loadEmulator } from './emulators.js';
import { promptPassword } from './prompt.js';
import { closeOnSignal } from './shutdown.js';
import { start } from './start.js';

// The `parley` command.

const program = new Command('parley').description('Parley: a messaging switchboard between customer channels and agent desks.').version(VERSION);

const portArg = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number');
  return n;
};

program
  .command('start')
  .description('Run the server (migrates the database first). Configure with environment variables or parley.config.json.')
  .option('-p, --port <port>', 'port to listen on (overrides PORT)', portArg)
  .action(async (opts: { port?: number }) => start({ port: opts.port }));

program
  .command('emulate')
  .description(`Run a vendor emulator to develop against without a vendor account (${EMULATORS.join(', ')}); prints its URL, credentials and control API.`)
  .argument('<vendor>', `one of: ${EMULATORS.join(', ')}`)
  .option('-p, --port <port>', 'port to listen on', portArg)
  .option('--host <host>', 'interface to listen on', '127.0.0.1')
  .option('--webhook-url <url>', "where the emulated vendor posts its webhooks (Parley's /webhooks/<type>/<instance>)")
  .option('--secret <secret>', 'the webhook signing secret')
  .addHelpText('after', "\nAn emulator's own options pass through unchanged: connect and aws-sms take --subscribe <url> (an endpoint subscribed to their SNS topics at start), twilio --auth-token <token>. Each prints them at start.")
  // Vendor-specific flags go to the emulator as they are (it reads them with its own parser, emulators/kit/cli.ts).
  .allowUnknownOption()
  .allowExcessArguments()
  .action(async (vendor: string, opts: { port?: number; host: string; webhookUrl?: string; secret?: string }, cmd: Command) => {
    if (!isEmulator(vendor)) throw new InvalidArgumentError(`unknown emulator "${vendor}" (known: ${EMULATORS.join(', ')})`);
    const mod = await loadEmulator<{ main(argv: string[]): Promise<void> }>(vendor);
    const argv = [
      ...(opts.port !== undefined ? ['--port', String(opts.port)] : []),
      '--host',
      opts.host,
      ...(opts.webhookUrl ? ['--webhook-url', opts.webhookUrl] : []),
      ...(opts.secret ? ['--secret', opts.secret] : []),
      ...cmd.args.slice(1),
    ];
    await mod.main(argv);
  });

program
  .command('demo')
  .description(
    "Try Parley with nothing to set up: the Genesys Cloud emulator, and Parley with the built-in inbox and a genesys desk wired to it. Prints the demo shop (play the customer) and the emulator's agent page (play the agent); Ctrl-C stops both. With --sms, also the Twilio and Amazon Connect emulators, a twilio-sms channel routed to a connect desk: text as a phone on the Twilio emulator's phone page, answer on the Connect emulator's agent page. With --meta, also the Meta emulator, messenger and whatsapp channels routed to the genesys desk (WhatsApp with PII redaction): write as a Messenger or WhatsApp user on its phone page. With --liveperson, also the LivePerson emulator and a liveperson desk: the shop opened with ?entryPoint=demo-liveperson is answered on its agent page.",
  )
  .option('-p, --port <port>', "Parley's port", portArg, DEMO_PORTS.parley)
  .option('--emulator-port <port>', "the Genesys emulator's port (0 picks a free one)", portArg, DEMO_PORTS.emulator)
  .option('--sms', 'also a phone texting through Twilio (emulated), answered in Amazon Connect (emulated)', false)
  .option('--twilio-port <port>', "with --sms: the Twilio emulator's port (0 picks a free one)", portArg, DEMO_PORTS.twilio)
  .option('--connect-port <port>', "with --sms: the Amazon Connect emulator's port (0 picks a free one)", portArg, DEMO_PORTS.connect)
  .option('--meta', 'also Facebook Messenger and WhatsApp customers (emulated), answered in Genesys Cloud', false)
  .option('--meta-port <port>', "with --meta: the Meta emulator's port (0 picks a free one)", portArg, DEMO_PORTS.meta)
  .option('--liveperson', "also the shop's chat answered by a LivePerson agent (emulated)", false)
  .option('--liveperson-port <port>', "with --liveperson: the LivePerson emulator's port (0 picks a free one)", portArg, DEMO_PORTS.liveperson)
  .option('--host <host>', 'interface they all listen on', '127.0.0.1')
  .option('--data-dir <dir>', "keep Parley's data in this folder (default: a temporary folder, removed on exit)")
  .action(async (opts: { port: number; emulatorPort: number; sms: boolean; twilioPort: number; connectPort: number; meta: boolean; metaPort: number; liveperson: boolean; livepersonPort: number; host: string; dataDir?: string }) => {
    const demo = await startDemo({ ...opts, livePersonPort: opts.livepersonPort, env: process.env });
    process.stdout.write(demo.banner().join('\n') + '\n');
    // Closing waits for Parley's in-flight requests (its grace period), then the emulators' own sockets.
    closeOnSignal(() => demo.close(), { graceMs: demo.parley.services.config.shutdownGraceMs + 5000, log: demo.parley.app.log });
  });

program
  .command('migrate')
  .description('Apply database migrations and exit.')
  .action(async () => {
    const config = loadConfig();
    const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      const applied = await migrate(database.db);
      process.stdout.write(applied.length ? `Applied: ${applied.join(', ')}\n` : `Up to date (${database.describe}).\n`);
    } finally {
      await database.close();
    }
  });

const agent = program.command('agent').description('Manage agents.');
agent
  .command('add')
  .description('Create an agent (the password is asked for unless --password or PARLEY_AGENT_PASSWORD is given).')
  .requiredOption('--email <email>', 'login e-mail')
  .requiredOption('--name <name>', 'name shown to customers')
  .option('--password <password>', 'password (prefer the prompt or PARLEY_AGENT_PASSWORD: arguments show up in shell history)')
  .option('--admin', 'make an admin', false)
  .option('--capacity <n>', 'conversations at once', (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive whole number');
    return n;
  }, 5)
  .option('--queue <name...>', 'queues the agent serves (default: default)')
  .action(async (opts: { email: string; name: string; password?: string; admin: boolean; capacity: number; queue?: string[] }) => {
    const password = opts.password ?? process.env.PARLEY_AGENT_PASSWORD ?? (await promptPassword('Password for the new agent: '));
    if (password.length < 8) throw new InvalidArgumentError('the password needs at least 8 characters');
    const config = loadConfig();
    const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      await migrate(database.db);
      await ensureDefaultQueue(database.db, config.defaultAssignment);
      const a = await createAgent(database.db, { email: opts.email, name: opts.name, password, role: opts.admin ? 'admin' : 'agent', capacity: opts.capacity, ...(opts.queue ? { queues: opts.queue } : {}) });
      process.stdout.write(`Created ${a.role} ${a.name} <${a.email}> (${a.id}), queues: ${a.queueIds.join(', ')}\n`);
    } finally {
      await database.close();
    }
  });

program
  .command('doctor')
  .description('Check configuration, data folder and database, and say what is wrong.')
  .action(async () => {
    process.exitCode = await doctor();
  });

program
  .command('config')
  .description('Print every setting (environment variable, file key, default, meaning) as a Markdown table, then the shape of channels, desks and routes.')
  .action(() => {
    const rows = Object.entries(SETTINGS).map(([key, s]) => {
      const def = s.default === undefined ? '—' : Array.isArray(s.default) ? (s.default.length ? s.default.join(', ') : '(none)') : String(s.default);
      return `| \`${s.env}\` | \`${key}\` | ${def.replace(/\|/g, '\\|')} | ${s.doc} |`;
    });
    process.stdout.write(['| Environment variable | parley.config.json key | Default | Meaning |', '|---|---|---|---|', ...rows].join('\n') + '\n');
    process.stdout.write('\n' + switchboardDoc(ADAPTER_TYPES));
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  if (isParleyError(e)) process.stderr.write(`parley: ${e.message}\n`);
  else if (e instanceof InvalidArgumentError) process.stderr.write(`parley: ${e.message}\n`);
  else process.stderr.write(`parley: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
