#!/usr/bin/env node
// Runs every benchmark in turn (relay, then ingest) and writes bench/results/summary.json with
// {parley, floor, ratio} per metric. `npm run bench` builds first; BENCH_QUICK=1 is a < 20 s smoke run.
import { pathToFileURL } from 'node:url';
import { ingest } from './ingest.js';
import { cleanup, installCleanupHandlers } from './lib/proc.js';
import { fmt, machine, quick, ratio, writeResult } from './lib/stats.js';
import { relay } from './relay.js';

const metric = (parley, floor, unit, better) => ({ parley, floor, ratio: ratio(parley, floor), unit, better });

export async function runAll() {
  const started = Date.now();
  const r = await relay();
  const i = await ingest();
  const summary = {
    timestamp: new Date().toISOString(),
    node: process.version,
    cpus: machine().cpus,
    machine: machine(),
    quick: quick(),
    durationMs: Date.now() - started,
    note: 'ratio = parley / floor. For throughput, 1.0 means as fast as the floor (higher is better); for latency, 1.0 means as low as the floor (lower is better).',
    metrics: {
      'relay.msgsPerSec': metric(r.parley.msgsPerSec, r.floor.msgsPerSec, 'msg/s', 'higher'),
      'relay.e2e.p50Ms': metric(r.parley.e2eMs.p50, r.floor.e2eMs.p50, 'ms', 'lower'),
      'relay.e2e.p99Ms': metric(r.parley.e2eMs.p99, r.floor.e2eMs.p99, 'ms', 'lower'),
      'relay.ack.p50Ms': metric(r.parley.ackMs.p50, r.floor.ackMs.p50, 'ms', 'lower'),
      'relay.ack.p99Ms': metric(r.parley.ackMs.p99, r.floor.ackMs.p99, 'ms', 'lower'),
      'relay.serverCpuMsPerMsg': metric(r.parley.serverCpuMsPerMsg, r.floor.serverCpuMsPerMsg, 'ms', 'lower'),
      'ingest.reqPerSec': metric(i.parley.reqPerSec, i.floor.reqPerSec, 'req/s', 'higher'),
      'ingest.p50Ms': metric(i.parley.latencyMs.p50, i.floor.latencyMs.p50, 'ms', 'lower'),
      'ingest.p99Ms': metric(i.parley.latencyMs.p99, i.floor.latencyMs.p99, 'ms', 'lower'),
      'ingest.serverCpuMsPerReq': metric(i.parley.serverCpuMsPerReq, i.floor.serverCpuMsPerReq, 'ms', 'lower'),
    },
    config: { relay: r.config, ingest: i.config },
    complete: r.parley.completed === r.parley.sent && r.floor.completed === r.floor.sent && i.parley.ok === i.parley.requests && i.floor.ok === i.floor.requests,
  };
  const file = writeResult('summary', summary);
  const rows = Object.entries(summary.metrics).map(([k, m]) => `  ${k.padEnd(24)} parley ${fmt(m.parley, 2).padStart(9)}  floor ${fmt(m.floor, 2).padStart(9)}  ratio ${fmt(m.ratio, 3).padStart(7)}  ${m.unit}`);
  process.stdout.write(['summary (parley / floor):', ...rows, `→ ${file} (${(summary.durationMs / 1000).toFixed(1)} s)`, ''].join('\n'));
  return summary;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  installCleanupHandlers();
  let code = 0;
  try {
    const s = await runAll();
    if (!s.complete) {
      process.stderr.write('bench: some messages or requests did not complete (see the result files)\n');
      code = 1;
    }
  } catch (e) {
    process.stderr.write(`bench: ${e?.stack ?? e}\n`);
    code = 1;
  } finally {
    await cleanup();
  }
  process.exit(code);
}
