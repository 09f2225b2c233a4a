// The two servers under test, each started as a child process on loopback with its own temp data folder:
// Parley (`parley start`, from a snapshot of dist/) and the floor (bench/floor/server.js). Both speak the same protocol
// for what the benchmarks use, so one client harness drives both.
import { copyFileSync, cpSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeClient, pool } from './http.js';
import { freePort, removeDir, runNode, spawnNode, stopChild, tempDir, waitHealthy } from './proc.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PASSWORD = 'bench-password-1';

/**
 * Extra node flags for a server: BENCH_PROFILE=1 adds --cpu-prof (profiles land in BENCH_PROFILE_DIR,
 * default <tmpdir>/parley-bench-profiles); BENCH_PARLEY_NODE_ARGS / BENCH_FLOOR_NODE_ARGS add anything else
 * (space-separated), e.g. "--import ./my-trace.mjs".
 */
let profileNoted = false;
function serverNodeArgs(name) {
  const extra = (process.env[`BENCH_${name.toUpperCase()}_NODE_ARGS`] ?? '').split(' ').filter(Boolean);
  if (process.env.BENCH_PROFILE !== '1') return extra;
  const dir = process.env.BENCH_PROFILE_DIR || join(tmpdir(), 'parley-bench-profiles');
  mkdirSync(dir, { recursive: true });
  if (!profileNoted) process.stderr.write(`bench: CPU profiles go to ${dir} (read one with node bench/lib/profile-top.js FILE)\n`);
  profileNoted = true;
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`, ...extra];
}

let snapshot;
/**
 * A private copy of dist/ (with package.json, and node_modules linked), taken once per bench process, so
 * a rebuild of the work tree while the benchmark runs (another terminal, a watcher) cannot change or break
 * the code under test between rounds.
 */
function parleyCli() {
  if (snapshot) return snapshot;
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm run bench does).');
  const dir = tempDir('parley-bench-dist');
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  snapshot = join(dir, 'dist', 'cli', 'main.js');
  return snapshot;
}

/** Start a server child on a free port and wait for /healthz; on failure nothing is left behind. */
async function spawnServer(name, args, env, dataDir) {
  const port = await freePort();
  const proc = spawnNode(args, { env: { ...env, PORT: String(port) }, cwd: dataDir, name, nodeArgs: serverNodeArgs(name) });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(proc, `${baseUrl}/healthz`);
  } catch (e) {
    await stopChild(proc, 1000);
    removeDir(dataDir);
    throw e;
  }
  return { proc, baseUrl };
}

export async function startParley({ agents = 0 } = {}) {
  const cli = parleyCli();
  const dataDir = tempDir('parley-bench');
  // cwd is the (empty) data folder, so no parley.config.json is picked up: the environment is the config.
  const env = { PARLEY_DATA_DIR: dataDir, LOG_LEVEL: 'warn', PARLEY_PRINT_SETUP: 'false', HOST: '127.0.0.1', PARLEY_CONFIG: '', DATABASE_URL: '', REDIS_URL: '' };
  if (agents > 0) {
    // One admin from the CLI (as an operator would), never online, so it is never assigned a chat;
    // the working agents are created through the admin API.
    await runNode([cli, 'agent', 'add', '--email', 'admin@bench.local', '--name', 'Bench Admin', '--password', PASSWORD, '--admin', '--capacity', '1'], {
      env,
      cwd: dataDir,
      name: 'parley agent add',
    });
  }
  const { proc, baseUrl } = await spawnServer('parley', [cli, 'start'], env, dataDir);
  const http = makeClient(baseUrl);
  const agentTokens = [];
  try {
    if (agents > 0) {
      const admin = await http.json('POST', '/v1/agent/login', { body: { email: 'admin@bench.local', password: PASSWORD } });
      for (let i = 0; i < agents; i++) {
        await http.json('POST', '/v1/admin/agents', { token: admin.token, body: { email: `agent${i}@bench.local`, name: `Agent ${i}`, password: PASSWORD, capacity: 1000 } });
      }
      for (let i = 0; i < agents; i++) {
        const r = await http.json('POST', '/v1/agent/login', { body: { email: `agent${i}@bench.local`, password: PASSWORD } });
        agentTokens.push(r.token);
      }
    }
  } catch (e) {
    http.close();
    await stopChild(proc, 2000);
    removeDir(dataDir);
    throw e;
  }
  return {
    name: 'parley',
    baseUrl,
    pid: proc.child.pid,
    http,
    agentTokens,
    /** Round-robin assignment runs after the conversation is created; wait until every one has its agent. */
    async waitAssigned(customers, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      await pool(customers.length, 8, async (i) => {
        const c = customers[i];
        for (;;) {
          const r = await http.json('GET', `/v1/conversations/${c.conversationId}`, { token: c.token });
          if (r.conversation.agentId) return;
          if (Date.now() > deadline) throw new Error(`conversation ${c.conversationId} was not assigned within ${timeoutMs} ms`);
          await new Promise((res) => setTimeout(res, 20));
        }
      });
    },
    async stop() {
      http.close();
      await stopChild(proc, 10_000);
      removeDir(dataDir);
    },
  };
}

export async function startFloor({ agents = 0 } = {}) {
  const dataDir = tempDir('floor-bench');
  const { proc, baseUrl } = await spawnServer('floor', [join(ROOT, 'bench', 'floor', 'server.js')], { FLOOR_DATA_DIR: dataDir }, dataDir);
  const http = makeClient(baseUrl);
  const agentTokens = [];
  for (let i = 0; i < agents; i++) {
    const r = await http.json('POST', '/v1/agent/login', { body: { email: `agent${i}@bench.local`, password: PASSWORD } });
    agentTokens.push(r.token);
  }
  return {
    name: 'floor',
    baseUrl,
    pid: proc.child.pid,
    http,
    agentTokens,
    async waitAssigned() {
      // Assigned synchronously at creation.
    },
    async stop() {
      http.close();
      await stopChild(proc, 5000);
      removeDir(dataDir);
    },
  };
}

export const TARGETS = { parley: startParley, floor: startFloor };

/** Customers: a session and an open conversation each. */
export async function openCustomers(target, n) {
  return pool(n, 8, async (i) => {
    const s = await target.http.json('POST', '/v1/sessions', { body: {} });
    const c = await target.http.json('POST', '/v1/conversations', { token: s.token, body: {} });
    return { index: i, token: s.token, conversationId: c.conversation.id };
  });
}
