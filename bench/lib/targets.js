// The servers under test, each started as a child process on loopback with its own temp data folder (and,
// for PostgreSQL runs, its own temp database): Parley (`parley start`, from a snapshot of dist/), the floor
// (bench/floor/server.js) and the bare ws server (bench/floor/ws-server.js). Parley and the floor speak the
// same protocol for what the benchmarks use, so one client harness drives both.
import { copyFileSync, cpSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { makeClient, pool } from './http.js';
import { freshDatabase } from './postgres.js';
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
 * the code under test between rounds. BENCH_PARLEY_DIST names another build (e.g. of an older commit).
 */
function parleyCli() {
  if (snapshot) return snapshot;
  const dist = process.env.BENCH_PARLEY_DIST || join(ROOT, 'dist');
  if (!existsSync(join(dist, 'cli', 'main.js'))) throw new Error(`${dist} has no cli/main.js: run \`npm run build\` first (npm run bench does).`);
  const dir = tempDir('parley-bench-dist');
  cpSync(dist, join(dir, 'dist'), { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  snapshot = join(dir, 'dist', 'cli', 'main.js');
  return snapshot;
}

/**
 * How to start each server, in a fresh temp data folder: node arguments and environment. Parley's cwd is
 * the (empty) data folder, so no parley.config.json is picked up: the environment is the config.
 */
export const LAUNCH = {
  parley: (env = {}) => {
    const dataDir = tempDir('parley-bench');
    const base = { PARLEY_DATA_DIR: dataDir, LOG_LEVEL: 'warn', PARLEY_PRINT_SETUP: 'false', HOST: '127.0.0.1', PARLEY_CONFIG: '', DATABASE_URL: '', REDIS_URL: '', PARLEY_DURABILITY: '' };
    return { name: 'parley', args: [parleyCli(), 'start'], env: { ...base, ...env }, dataDir };
  },
  floor: (env = {}) => {
    const dataDir = tempDir('floor-bench');
    return { name: 'floor', args: [join(ROOT, 'bench', 'floor', 'server.js')], env: { FLOOR_DATA_DIR: dataDir, ...env }, dataDir };
  },
  /** A bare `ws` server (the idle-streams floor). */
  ws: (env = {}) => ({ name: 'ws', args: [join(ROOT, 'bench', 'floor', 'ws-server.js')], env, dataDir: tempDir('ws-bench') }),
};

/**
 * Start a launched server on a free port and wait until `path` answers 200 (polled every intervalMs); on
 * failure nothing is left behind. Returns the process, its base URL and the ms from spawn to ready.
 */
export async function spawnServer(launch, { path = '/healthz', intervalMs = 50 } = {}) {
  const port = await freePort();
  const t0 = performance.now();
  const proc = spawnNode(launch.args, { env: { ...launch.env, PORT: String(port) }, cwd: launch.dataDir, name: launch.name, nodeArgs: [...serverNodeArgs(launch.name), ...(launch.nodeArgs ?? [])] });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(proc, `${baseUrl}${path}`, 20_000, intervalMs);
  } catch (e) {
    await stopChild(proc, 1000);
    removeDir(launch.dataDir);
    throw e;
  }
  return { proc, baseUrl, readyMs: performance.now() - t0 };
}

/** A fresh PostgreSQL database for one server run when `postgres` is set (env var `name` gets its URL). */
async function database(postgres, name) {
  if (!postgres) return { env: {}, drop: async () => undefined };
  const db = await freshDatabase();
  return { env: { [name]: db.url }, drop: db.drop };
}

/** Tokens of agents 0…n-1 (agent{i}@bench.local), logged in one after another. */
async function loginAgents(http, n) {
  const tokens = [];
  for (let i = 0; i < n; i++) tokens.push((await http.json('POST', '/v1/agent/login', { body: { email: `agent${i}@bench.local`, password: PASSWORD } })).token);
  return tokens;
}

/** What every target returns: its address, pid, a client, agent tokens, and stop() that removes it all. */
function target(name, { proc, baseUrl }, http, agentTokens, dataDir, drop, waitAssigned = async () => undefined) {
  return {
    name,
    baseUrl,
    pid: proc.child.pid,
    http,
    agentTokens,
    waitAssigned,
    async stop() {
      http.close();
      await stopChild(proc, 10_000);
      removeDir(dataDir);
      await drop();
    },
  };
}

/** Parley with `env` on top of the bench defaults (e.g. PARLEY_DURABILITY), on SQLite or a fresh PostgreSQL. */
export async function startParley({ agents = 0, env = {}, postgres = false } = {}) {
  const db = await database(postgres, 'DATABASE_URL');
  const launch = LAUNCH.parley({ ...env, ...db.env });
  let server;
  try {
    if (agents > 0) {
      // One admin from the CLI (as an operator would), never online, so it is never assigned a chat;
      // the working agents are created through the admin API.
      await runNode([launch.args[0], 'agent', 'add', '--email', 'admin@bench.local', '--name', 'Bench Admin', '--password', PASSWORD, '--admin', '--capacity', '1'], {
        env: launch.env,
        cwd: launch.dataDir,
        name: 'parley agent add',
      });
    }
    server = await spawnServer(launch);
  } catch (e) {
    await db.drop();
    throw e;
  }
  const http = makeClient(server.baseUrl);
  const agentTokens = [];
  /** Round-robin assignment runs after the conversation is created; wait until every one has its agent. */
  const waitAssigned = async (customers, timeoutMs = 30_000) => {
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
  };
  const t = target('parley', server, http, agentTokens, launch.dataDir, db.drop, waitAssigned);
  try {
    if (agents > 0) {
      const admin = await http.json('POST', '/v1/agent/login', { body: { email: 'admin@bench.local', password: PASSWORD } });
      for (let i = 0; i < agents; i++) {
        await http.json('POST', '/v1/admin/agents', { token: admin.token, body: { email: `agent${i}@bench.local`, name: `Agent ${i}`, password: PASSWORD, capacity: 1000 } });
      }
      agentTokens.push(...(await loginAgents(http, agents)));
    }
  } catch (e) {
    await t.stop();
    throw e;
  }
  return t;
}

/** The floor; `env` picks its store (FLOOR_SYNCHRONOUS=FULL), `postgres` a fresh PostgreSQL database. */
export async function startFloor({ agents = 0, env = {}, postgres = false } = {}) {
  const db = await database(postgres, 'FLOOR_DATABASE_URL');
  const launch = LAUNCH.floor({ ...env, ...db.env });
  let server;
  try {
    server = await spawnServer(launch);
  } catch (e) {
    await db.drop();
    throw e;
  }
  const http = makeClient(server.baseUrl);
  const agentTokens = [];
  // Assigned synchronously at creation: waitAssigned has nothing to wait for.
  const t = target('floor', server, http, agentTokens, launch.dataDir, db.drop);
  try {
    agentTokens.push(...(await loginAgents(http, agents)));
  } catch (e) {
    await t.stop();
    throw e;
  }
  return t;
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
