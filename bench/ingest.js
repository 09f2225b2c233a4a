#!/usr/bin/env node
// Ingest benchmark: C concurrent HTTP clients POST /v1/conversations/:id/messages over K conversations
// (each request with the token of the customer who owns the conversation), against Parley and against
// the floor (bare Fastify, same JSON parsing, one insert per request). No agents are online: this is the
// customer → log path alone (Parley still writes its outbox rows and runs its dispatcher). Three variants,
// each beside its own floor (VARIANTS below): SQLite at the default durability, SQLite at full durability
// (an fsync before every acknowledgement) and PostgreSQL (a fresh database per server run). Also reports
// the server's peak RSS (VmHWM) over the run.
//
// Usage: node bench/ingest.js [sqlite|full|postgres]   (default sqlite)
// Env: BENCH_CLIENTS (32), BENCH_CONVERSATIONS (64), BENCH_REQUESTS measured (4000), BENCH_WARMUP_REQUESTS
// (2000), BENCH_TIMEOUT_MS (120000), BENCH_ROUNDS (1; median round by throughput), BENCH_QUICK=1.
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { postgresReachable } from './lib/postgres.js';
import { cpuTimeMs, memoryOf, mib, runMain } from './lib/proc.js';
import { envInt, fmt, quick, ratio, summarize, writeResult, cpuFigures, medianRounds, sideBySide } from './lib/stats.js';
import { openCustomers, TARGETS } from './lib/targets.js';

/** Each variant: the result file, what it is, and how Parley and its floor are started. */
export const VARIANTS = {
  sqlite: { file: 'ingest', what: 'SQLite, WAL, synchronous=NORMAL (the default)', parley: {}, floor: {} },
  full: { file: 'ingest-full', what: 'SQLite at full durability: PARLEY_DURABILITY=full beside the floor with synchronous=FULL (one fsync per insert)', parley: { env: { PARLEY_DURABILITY: 'full' } }, floor: { env: { FLOOR_SYNCHRONOUS: 'FULL' } } },
  postgres: { file: 'ingest-pg', what: 'PostgreSQL (fresh database per run) beside the floor with a pg Pool(10) and one INSERT per request', parley: { postgres: true }, floor: { postgres: true } },
};

export function ingestConfig() {
  const q = quick();
  return {
    clients: Math.max(1, envInt('BENCH_CLIENTS', q ? 16 : 32)),
    conversations: Math.max(1, envInt('BENCH_CONVERSATIONS', q ? 16 : 64)),
    requests: envInt('BENCH_REQUESTS', q ? 400 : 4000),
    warmup: envInt('BENCH_WARMUP_REQUESTS', q ? 100 : 2000),
    timeoutMs: envInt('BENCH_TIMEOUT_MS', q ? 8_000 : 120_000),
    rounds: Math.max(1, envInt('BENCH_ROUNDS', 1)),
  };
}

async function runOnce(targetName, cfg) {
  const target = await TARGETS[targetName]({ agents: 0, ...VARIANTS[cfg.variant][targetName] });
  try {
    const convs = await openCustomers(target, cfg.conversations);

    /** `count` requests from `clients` concurrent loops; request j goes to conversation j mod K. */
    const phase = async (label, count) => {
      const latencies = [];
      const statuses = {};
      let next = 0;
      let errors = 0;
      const deadline = performance.now() + cfg.timeoutMs;
      let timedOut = false;
      const t0 = performance.now();
      const worker = async () => {
        while (next < count) {
          if (performance.now() > deadline) {
            timedOut = true;
            return;
          }
          const j = next++;
          const c = convs[j % convs.length];
          const body = { clientMessageId: `${label}-${j}`, text: `bench message ${j}` };
          const start = performance.now();
          try {
            const r = await target.http.request('POST', `/v1/conversations/${c.conversationId}/messages`, { token: c.token, body, parse: false, timeoutMs: cfg.timeoutMs });
            statuses[r.status] = (statuses[r.status] ?? 0) + 1;
            if (r.status === 201) latencies.push(performance.now() - start);
            else errors++;
          } catch {
            errors++;
          }
        }
      };
      await Promise.all(Array.from({ length: cfg.clients }, worker));
      const elapsedMs = performance.now() - t0;
      return { count, ok: latencies.length, errors, statuses, timedOut, elapsedMs, latencies };
    };

    if (cfg.warmup > 0) {
      const w = await phase('warm', cfg.warmup);
      if (w.timedOut) throw new Error(`${targetName}: warm-up did not finish within ${cfg.timeoutMs} ms`);
    }
    const cpu0 = cpuTimeMs(target.pid);
    const client0 = process.cpuUsage();
    const m = await phase('run', cfg.requests);
    const cpu1 = cpuTimeMs(target.pid);
    const client = process.cpuUsage(client0);
    const serverCpuMs = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
    const memory = memoryOf(target.pid);
    return {
      target: targetName,
      reqPerSec: m.elapsedMs > 0 ? Math.round((m.ok / m.elapsedMs) * 1000 * 10) / 10 : null,
      latencyMs: summarize(m.latencies),
      requests: m.count,
      ok: m.ok,
      errors: m.errors,
      statuses: m.statuses,
      timedOut: m.timedOut,
      elapsedMs: Math.round(m.elapsedMs),
      ...cpuFigures('serverCpuMsPerReq', serverCpuMs, m.ok, m.elapsedMs, client),
      // Peak resident set of the server process over its life (start, warm-up and run), and at the end.
      serverPeakRssMb: mib(memory?.peak),
      serverRssMb: mib(memory?.rss),
    };
  } finally {
    await target.stop();
  }
}

/**
 * One variant, floor and Parley, `cfg.rounds` times. The PostgreSQL variant resolves to null (after a loud
 * message) when PostgreSQL is unreachable, unless CI=true, where that throws.
 */
export async function ingest(variant = 'sqlite', cfg = ingestConfig()) {
  if (!VARIANTS[variant]) throw new Error(`unknown ingest variant ${JSON.stringify(variant)} (${Object.keys(VARIANTS).join(', ')})`);
  if (VARIANTS[variant].parley.postgres && !(await postgresReachable())) return null;
  cfg = { ...cfg, variant };
  // Floor first, then Parley, each on a fresh server and data folder; the median round of each.
  const { parley, floor, rounds } = await medianRounds(runOnce, cfg, 'reqPerSec');
  const result = {
    ...sideBySide(VARIANTS[variant].file, `POST /v1/conversations/:id/messages from concurrent keep-alive HTTP clients; latency = request → response. ${VARIANTS[variant].what}`, cfg, parley, floor),
    ratio: {
      reqPerSec: ratio(parley.reqPerSec, floor.reqPerSec),
      p50: ratio(parley.latencyMs.p50, floor.latencyMs.p50),
      p99: ratio(parley.latencyMs.p99, floor.latencyMs.p99),
      serverCpuMsPerReq: ratio(parley.serverCpuMsPerReq, floor.serverCpuMsPerReq),
      serverPeakRssMb: ratio(parley.serverPeakRssMb, floor.serverPeakRssMb),
    },
    ...(cfg.rounds > 1 ? { rounds } : {}),
  };
  const file = writeResult(result.name, result);
  printIngest(result, file);
  return result;
}

function printIngest(r, file) {
  const line = (x) =>
    `${x.target.padEnd(7)} ${fmt(x.reqPerSec).padStart(9)} req/s   p50 ${fmt(x.latencyMs.p50, 2).padStart(7)} ms  p99 ${fmt(x.latencyMs.p99, 2).padStart(7)} ms   cpu ${fmt(x.serverCpuMsPerReq, 3)} ms/req (server ${fmt(x.serverCpuUtil, 2)}, client ${fmt(x.clientCpuUtil, 2)} cores)   peak RSS ${fmt(x.serverPeakRssMb)} MiB   ${x.ok}/${x.requests} ok${x.errors ? `, ${x.errors} errors ${JSON.stringify(x.statuses)}` : ''}${x.timedOut ? ', TIMED OUT' : ''}`;
  const c = r.config;
  process.stdout.write(
    [
      `${r.name} (${VARIANTS[c.variant].what}): ${c.clients} clients over ${c.conversations} conversations, ${c.requests} requests (warm-up ${c.warmup})`,
      line(r.parley),
      line(r.floor),
      `ratio   throughput ${fmt(r.ratio.reqPerSec, 3)}×   p50 ${fmt(r.ratio.p50, 2)}×  p99 ${fmt(r.ratio.p99, 2)}×   cpu/req ${fmt(r.ratio.serverCpuMsPerReq, 2)}×  (parley / floor)`,
      `→ ${file}`,
      '',
    ].join('\n'),
  );
}

/** Every request of both servers answered 201 (a skipped PostgreSQL run counts as complete). */
export const ingestComplete = (r) => r === null || (r.parley.ok >= r.parley.requests && r.floor.ok >= r.floor.requests);

if (import.meta.url === pathToFileURL(process.argv[1]).href) await runMain('ingest', () => ingest(process.argv[2] ?? 'sqlite'), ingestComplete);
