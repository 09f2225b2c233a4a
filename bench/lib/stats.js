// Latency summaries and result files.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** bench/results, or BENCH_RESULTS_DIR (the smoke test writes into a temp folder, not over real results). */
export const RESULTS_DIR = process.env.BENCH_RESULTS_DIR || join(dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** Summary of latencies in ms (nearest-rank percentiles). */
export function summarize(samples) {
  if (samples.length === 0) return { count: 0, mean: null, p50: null, p90: null, p99: null, max: null };
  const s = Float64Array.from(samples).sort();
  const pct = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
  let sum = 0;
  for (const v of s) sum += v;
  const r = (v) => Math.round(v * 1000) / 1000;
  return { count: s.length, mean: r(sum / s.length), p50: r(pct(50)), p90: r(pct(90)), p99: r(pct(99)), max: r(s[s.length - 1]) };
}

/** parley / floor, rounded; null when either is missing. */
export function ratio(parley, floor) {
  if (typeof parley !== 'number' || typeof floor !== 'number' || floor === 0) return null;
  return Math.round((parley / floor) * 1000) / 1000;
}

export function machine() {
  const c = cpus();
  return { node: process.version, platform: `${process.platform}-${process.arch}`, cpus: c.length, cpuModel: c[0]?.model ?? null, loadavg: loadavg().map((v) => Math.round(v * 100) / 100) };
}

/** The head every side-by-side result starts with: what ran, when, where, with which settings, and both sides. */
export function sideBySide(name, description, cfg, parley, floor) {
  return { name, description, timestamp: new Date().toISOString(), machine: machine(), config: cfg, parley, floor };
}

export function writeResult(name, data) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  return file;
}

export const envInt = (name, dflt) => {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer (got ${JSON.stringify(v)})`);
  return n;
};

export const quick = () => process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';

export const fmt = (v, d = 1) => (v === null || v === undefined ? '—' : Number(v).toFixed(d));

/** Server CPU per item (under `perItemKey`), and how busy the server and the load client were (1 = one core). */
export function cpuFigures(perItemKey, serverCpuMs, count, elapsedMs, client) {
  return {
    [perItemKey]: serverCpuMs === null || count === 0 ? null : Math.round((serverCpuMs / count) * 1000) / 1000,
    serverCpuUtil: serverCpuMs === null ? null : Math.round((serverCpuMs / elapsedMs) * 100) / 100,
    clientCpuUtil: Math.round(((client.user + client.system) / 1000 / elapsedMs) * 100) / 100,
  };
}

/**
 * Run `runOnce` for the floor and for Parley, alternating, `rounds` times, each on a fresh server and data
 * folder, and keep the median round of each by `metric` (a noisy neighbour then skews one round, not all).
 */
export async function medianRounds(runOnce, cfg, metric) {
  const rounds = { parley: [], floor: [] };
  for (let r = 0; r < cfg.rounds; r++) {
    rounds.floor.push(await runOnce('floor', cfg));
    rounds.parley.push(await runOnce('parley', cfg));
  }
  const median = (runs) => [...runs].sort((a, b) => (a[metric] ?? 0) - (b[metric] ?? 0))[Math.floor((runs.length - 1) / 2)];
  return { parley: median(rounds.parley), floor: median(rounds.floor), rounds };
}
