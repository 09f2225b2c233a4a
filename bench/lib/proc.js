// Child processes and temp folders for the benchmarks, with cleanup that runs on success, on error and on
// Ctrl-C: every child is killed and every temp folder removed, whatever happens.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const children = new Set();
const dirs = new Set();
const hooks = new Set(); // async clean-ups (a PostgreSQL database to drop), run by cleanup() and on Ctrl-C

/** Run `fn` (async) at cleanup, unless `cancel()` is called first. */
export function onCleanup(fn) {
  hooks.add(fn);
  return () => hooks.delete(fn);
}

async function runHooks(timeoutMs) {
  const all = [...hooks];
  hooks.clear();
  await Promise.race([Promise.allSettled(all.map((fn) => fn())), sleep(timeoutMs)]);
}

/** A fresh temp folder, removed by cleanup(). */
export function tempDir(prefix) {
  const d = mkdtempSync(join(process.env.BENCH_TMPDIR || tmpdir(), `${prefix}-`));
  dirs.add(d);
  return d;
}

export function removeDir(d) {
  rmSync(d, { recursive: true, force: true });
  dirs.delete(d);
}

/** A free loopback port (tiny race between closing and the child binding it; fine on a quiet machine). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Spawn a node child. Its output is kept (last 64 KiB) so a failure can show why; the pipes are always
 * drained so a chatty child never blocks.
 */
export function spawnNode(args, { env = {}, cwd, name = 'child', nodeArgs = [], ipc = false } = {}) {
  const child = spawn(process.execPath, [...nodeArgs, ...args], {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', ...(ipc ? ['ipc'] : [])],
  });
  let out = '';
  const keep = (chunk) => {
    out += chunk.toString();
    if (out.length > 65536) out = out.slice(-65536);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  children.add(child);
  exited.then(() => children.delete(child));
  return { child, name, exited, output: () => out };
}

/** Run a node child to completion; reject with its output if it fails or takes too long. */
export async function runNode(args, opts = {}) {
  const p = spawnNode(args, opts);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const timer = setTimeout(() => p.child.kill('SIGKILL'), timeoutMs);
  const { code, signal } = await p.exited;
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${p.name} failed (code ${code}, signal ${signal}):\n${p.output()}`);
  return p.output();
}

/** Stop a child politely (SIGTERM), then firmly (SIGKILL) after graceMs. */
export async function stopChild(p, graceMs = 5000) {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const t = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
  await p.exited;
  clearTimeout(t);
}

/** Poll url every intervalMs until it answers 200, the child dies, or the deadline passes. */
export async function waitHealthy(p, url, timeoutMs = 20_000, intervalMs = 50) {
  const deadline = Date.now() + timeoutMs;
  let died = false;
  p.exited.then(() => (died = true));
  while (Date.now() < deadline) {
    if (died) throw new Error(`${p.name} exited before it was ready:\n${p.output()}`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(intervalMs);
  }
  throw new Error(`${p.name} was not ready within ${timeoutMs} ms:\n${p.output()}`);
}

/** Kill every child still running, run the clean-up hooks and remove every temp folder. Idempotent. */
export async function cleanup() {
  await Promise.all([...children].map((c) => stopChild({ child: c, exited: new Promise((r) => c.once('exit', r)) }, 3000)));
  await runHooks(10_000);
  for (const d of [...dirs]) removeDir(d);
}

function cleanupSync() {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const d of dirs) {
    try {
      rmSync(d, { recursive: true, force: true });
    } catch {
      // best effort at exit
    }
  }
}

let installed = false;
/** Make sure nothing outlives the bench process, even on Ctrl-C or an uncaught error. */
export function installCleanupHandlers() {
  if (installed) return;
  installed = true;
  process.on('exit', cleanupSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      process.stderr.write(`\nbench: ${sig}, cleaning up\n`);
      cleanupSync();
      // Servers are gone; what is left (dropping a temp database) gets a few seconds, no more.
      runHooks(3000).finally(() => process.exit(130));
    });
  }
  process.on('uncaughtException', (e) => {
    process.stderr.write(`bench: uncaught ${e?.stack ?? e}\n`);
    cleanupSync();
    process.exit(1);
  });
  process.on('unhandledRejection', (e) => {
    process.stderr.write(`bench: unhandled rejection ${e?.stack ?? e}\n`);
    cleanupSync();
    process.exit(1);
  });
}

/**
 * CPU time (user + system, ms) a process has used so far, from /proc (Linux); null elsewhere. Per-message
 * CPU cost is steadier than throughput on a shared machine, so the benchmarks report both.
 */
export function cpuTimeMs(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the ")" that closes the command name: state is field 3, utime 14, stime 15.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}
const CLK_TCK = 100; // USER_HZ is 100 on every Linux that Node supports

/** A process's resident set now (VmRSS) and its peak so far (VmHWM), in bytes, from /proc; null elsewhere. */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return null;
  }
}

export const mib = (bytes) => (typeof bytes === 'number' ? Math.round((bytes / 1048576) * 10) / 10 : null);

/**
 * Run a benchmark as the main module: clean up children and temp folders whatever happens, and exit 1 if
 * it threw or `complete(result)` says some work did not finish.
 */
export async function runMain(name, bench, complete) {
  installCleanupHandlers();
  let code = 0;
  try {
    if (!complete(await bench())) code = 1;
  } catch (e) {
    process.stderr.write(`${name}: ${e?.stack ?? e}\n`);
    code = 1;
  } finally {
    await cleanup();
  }
  process.exit(code);
}
