import { Command, InvalidArgumentError } from 'commander';
import { loadConfig, SETTINGS } from '../config.js';
import { ADAPTER_TYPES } from '../switchboard/all-types.js';
import { switchboardDoc } from '../switchboard/doc.js';
import { isParleyError } from '../core/errors.js';
import { createAgent, ensureDefaultQueue } from '../hub/admin.js';
import { VERSION } from '../server.js';
import { migrate, openDatabase } from '../store/db.js';
import { doctor } from './doctor.js';
import { promptPassword } from './prompt.js';
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

// Emulators live outside src/ (they import nothing of Parley's) and are built to dist/emulators/<vendor>;
// the CLI loads one by name at run time, so the server's code never depends on them.
const EMULATORS = ['genesys'] as const;
program
  .command('emulate')
  .description(`Run a vendor emulator to develop against without a vendor account (${EMULATORS.join(', ')}); prints its URL, credentials and control API.`)
  .argument('<vendor>', `one of: ${EMULATORS.join(', ')}`)
  .option('-p, --port <port>', 'port to listen on', portArg)
  .option('--host <host>', 'interface to listen on', '127.0.0.1')
  .option('--webhook-url <url>', "where the emulated vendor posts its webhooks (Parley's /webhooks/<type>/<instance>)")
  .option('--secret <secret>', 'the webhook signing secret')
  .action(async (vendor: string, opts: { port?: number; host: string; webhookUrl?: string; secret?: string }) => {
    if (!(EMULATORS as readonly string[]).includes(vendor)) throw new InvalidArgumentError(`unknown emulator "${vendor}" (known: ${EMULATORS.join(', ')})`);
    const entry = new URL(`../emulators/${vendor}/main.js`, import.meta.url);
    const mod = (await import(entry.href)) as { main(argv: string[]): Promise<void> };
    const argv = [
      ...(opts.port !== undefined ? ['--port', String(opts.port)] : []),
      '--host',
      opts.host,
      ...(opts.webhookUrl ? ['--webhook-url', opts.webhookUrl] : []),
      ...(opts.secret ? ['--secret', opts.secret] : []),
    ];
    await mod.main(argv);
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
