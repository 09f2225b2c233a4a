import { loadConfig } from '../config.js';
import { agentCount, newSetupCode } from '../hub/admin.js';
import { createServer, listen, VERSION } from '../server.js';
import { closeOnSignal } from './shutdown.js';

// `parley start`: serve until SIGINT/SIGTERM, then stop taking requests, finish the ones in flight
// (up to PARLEY_SHUTDOWN_GRACE_MS), stop the dispatcher and close the database.

export async function start(overrides: { port?: number | undefined }): Promise<void> {
  const env = { ...process.env };
  if (overrides.port !== undefined) env.PORT = String(overrides.port);
  const config = loadConfig(env);
  const server = await createServer(config);
  const url = await listen(server, config.port, config.host);
  const base = config.publicUrl.startsWith('http://localhost:') && config.port !== 0 ? config.publicUrl : url;
  if (config.printSetup) {
    const lines = [
      `Parley ${VERSION} is running on ${base}  (${server.database.describe})`,
      `  Widget demo     ${base}/demo/`,
      `  Agent console   ${base}/console/`,
      `  Customer app    ${base}/app/`,
      `  API docs        ${base}/docs`,
      `  OpenAPI         ${base}/openapi.json`,
      `  Customer API    ${base}/v1/sessions, /v1/conversations, /v1/stream`,
      `  Agent API       ${base}/v1/agent/login, /v1/agent/conversations`,
      `  Health          ${base}/healthz  ${base}/readyz  ${base}/metrics`,
    ];
    if ((await agentCount(server.database.db)) === 0) {
      const code = await newSetupCode(server.database.db);
      lines.push(
        '',
        'No accounts yet. Create the first admin (this code works once):',
        `  open  ${base}/setup?code=${code}`,
        `  or    curl -X POST ${base}/v1/setup -H 'content-type: application/json' \\`,
        `          -d '{"code":"${code}","email":"you@example.com","name":"You","password":"choose-a-password"}'`,
        `  or    npx parley agent add --email you@example.com --name You --admin`,
      );
    }
    process.stdout.write(lines.join('\n') + '\n');
  }

  closeOnSignal(() => server.close(), { graceMs: config.shutdownGraceMs, log: server.app.log });
}
