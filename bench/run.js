#!/usr/bin/env node
// Runs every benchmark in turn (cold start, relay, ingest on SQLite, at full durability and on PostgreSQL,
// idle streams) and writes bench/results/summary.json with {parley, floor, ratio, unit, better} per metric,
// and the chart bench/results/chart.svg (BENCH_UPDATE_DOCS=1: also docs/screenshots/bench.svg, the one the
// README shows). `npm run bench` builds first; BENCH_QUICK=1 is the smoke run the test suite makes.
// `node bench/run.js --summary` rebuilds the summary and chart from the saved results, e.g. after one
// benchmark was run again on its own.
import { copyFileSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeChart } from './chart.js';
import { coldstart } from './coldstart.js';
import { ingest, ingestComplete } from './ingest.js';
import { cleanup, installCleanupHandlers } from './lib/proc.js';
import { fmt, machine, quick, ratio, RESULTS_DIR, writeResult } from './lib/stats.js';
import { relay, relayComplete } from './relay.js';
import { streams, streamsComplete } from './streams.js';

const DOCS_CHART = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'screenshots', 'bench.svg');

const metric = (parley, floor, unit, better) => ({ parley, floor, ratio: ratio(parley, floor), unit, better });

/** The metrics of one ingest variant under `prefix` (none when it was skipped). */
function ingestMetrics(prefix, i) {
  if (!i) return {};
  return {
    [`${prefix}.reqPerSec`]: metric(i.parley.reqPerSec, i.floor.reqPerSec, 'req/s', 'higher'),
    [`${prefix}.p50Ms`]: metric(i.parley.latencyMs.p50, i.floor.latencyMs.p50, 'ms', 'lower'),
    [`${prefix}.p99Ms`]: metric(i.parley.latencyMs.p99, i.floor.latencyMs.p99, 'ms', 'lower'),
    [`${prefix}.serverCpuMsPerReq`]: metric(i.parley.serverCpuMsPerReq, i.floor.serverCpuMsPerReq, 'ms', 'lower'),
    [`${prefix}.serverPeakRssMb`]: metric(i.parley.serverPeakRssMb, i.floor.serverPeakRssMb, 'MiB', 'lower'),
  };
}

/**
 * The relay's open-loop figures (none when BENCH_RATE=0): achieved rate (with whether each server kept up)
 * and latency at the offered rate; the p99 carries issue 7's absolute target for Parley (≤ 20 ms at 2,000
 * msg/s offered, keeping up), judged at the rate this run offered.
 */
function relayOpenMetrics(r) {
  if (!r.parley.open || !r.floor.open) return {};
  const p = r.parley.open;
  const f = r.floor.open;
  const t = r.target;
  return {
    'relay.open.achievedPerSec': { ...metric(p.achievedPerSec, f.achievedPerSec, 'msg/s', 'higher'), offeredPerSec: r.config.rate, keptUp: { parley: p.keptUp, floor: f.keptUp }, keptUpShare: r.config.keptUpShare },
    'relay.open.p50Ms': metric(p.e2eMs.p50, f.e2eMs.p50, 'ms', 'lower'),
    'relay.open.p99Ms': {
      ...metric(p.e2eMs.p99, f.e2eMs.p99, 'ms', 'lower'),
      target: { of: 'parley', atMost: t.p99MsAtMost, atOfferedPerSec: t.targetRate, offeredPerSec: t.offeredPerSec, atTargetRate: t.atTargetRate, keptUp: t.keptUp, met: t.met },
    },
    'relay.open.maxMs': metric(p.e2eMs.max, f.e2eMs.max, 'ms', 'lower'),
  };
}

/** The summary of one set of results (the objects each benchmark returns and writes). */
function summaryOf({ c, r, i, full, pg, st }, durationMs) {
  return {
    timestamp: new Date().toISOString(),
    node: process.version,
    cpus: machine().cpus,
    machine: machine(),
    quick: quick(),
    durationMs,
    note: 'ratio = parley / floor. For throughput, 1.0 means as fast as the floor (higher is better); for latency, CPU, memory and start time, 1.0 means as low as the floor (lower is better).',
    skipped: pg ? [] : ['ingest.pg (PostgreSQL unreachable)'],
    metrics: {
      'relay.msgsPerSec': metric(r.parley.msgsPerSec, r.floor.msgsPerSec, 'msg/s', 'higher'),
      'relay.e2e.p50Ms': metric(r.parley.e2eMs.p50, r.floor.e2eMs.p50, 'ms', 'lower'),
      'relay.e2e.p99Ms': metric(r.parley.e2eMs.p99, r.floor.e2eMs.p99, 'ms', 'lower'),
      'relay.ack.p50Ms': metric(r.parley.ackMs.p50, r.floor.ackMs.p50, 'ms', 'lower'),
      'relay.ack.p99Ms': metric(r.parley.ackMs.p99, r.floor.ackMs.p99, 'ms', 'lower'),
      'relay.serverCpuMsPerMsg': metric(r.parley.serverCpuMsPerMsg, r.floor.serverCpuMsPerMsg, 'ms', 'lower'),
      ...relayOpenMetrics(r),
      ...ingestMetrics('ingest', i),
      ...ingestMetrics('ingest.full', full),
      ...ingestMetrics('ingest.pg', pg),
      'streams.open': metric(st.parley.opened, st.floor.opened, 'streams', 'higher'),
      'streams.rssPerStream': metric(st.parley.rssPerStreamKiB, st.floor.rssPerStreamKiB, 'KiB', 'lower'),
      'coldStart.firstMs': metric(c.parley.firstMs.p50, c.floor.firstMs.p50, 'ms', 'lower'),
      'coldStart.restartMs': metric(c.parley.restartMs.p50, c.floor.restartMs.p50, 'ms', 'lower'),
    },
    config: { coldstart: c.config, relay: r.config, ingest: i.config, streams: st.config },
    complete: relayComplete(r) && [i, full, pg].every(ingestComplete) && streamsComplete(st),
  };
}

/** The result files a full run writes, read back (for `--summary`: rebuild the summary after re-running one benchmark). */
function savedResults() {
  const read = (name, optional = false) => {
    const file = join(RESULTS_DIR, `${name}.json`);
    if (!existsSync(file)) {
      if (optional) return null;
      throw new Error(`${file} is missing: run that benchmark (or npm run bench) first`);
    }
    return JSON.parse(readFileSync(file, 'utf8'));
  };
  return { c: read('coldstart'), r: read('relay'), i: read('ingest'), full: read('ingest-full'), pg: read('ingest-pg', true), st: read('streams') };
}

export async function runAll() {
  const started = Date.now();
  const c = await coldstart();
  const r = await relay();
  const i = await ingest('sqlite');
  const full = await ingest('full');
  const pg = await ingest('postgres');
  const st = await streams();
  return writeSummary(summaryOf({ c, r, i, full, pg, st }, Date.now() - started));
}

/** Write the summary and the chart, and print them. */
function writeSummary(summary) {
  const file = writeResult('summary', summary);
  const chart = writeChart(summary, join(RESULTS_DIR, 'chart.svg'));
  if (process.env.BENCH_UPDATE_DOCS === '1') copyFileSync(chart, DOCS_CHART);
  const rows = Object.entries(summary.metrics).map(([k, m]) => `  ${k.padEnd(30)} parley ${fmt(m.parley, 2).padStart(9)}  floor ${fmt(m.floor, 2).padStart(9)}  ratio ${fmt(m.ratio, 3).padStart(7)}  ${m.unit}`);
  const skipped = summary.skipped.map((s) => `  SKIPPED: ${s}`);
  const targets = Object.entries(summary.metrics)
    .filter(([, m]) => m.target)
    .map(([k, m]) => `  TARGET ${k}: parley ≤ ${m.target.atMost} ${m.unit} at ${m.target.atOfferedPerSec} msg/s offered, keeping up: ${m.target.met ? 'met' : 'NOT met'} (${fmt(m.parley, 2)} ${m.unit} at ${m.target.offeredPerSec} msg/s${m.target.keptUp ? '' : ', did not keep up'})`);
  process.stdout.write(['summary (parley / floor):', ...rows, ...targets, ...skipped, `→ ${file}`, `→ ${chart}${process.env.BENCH_UPDATE_DOCS === '1' ? ` (and ${DOCS_CHART})` : ''}`, summary.durationMs === null ? '(from the saved results)' : `(${(summary.durationMs / 1000).toFixed(1)} s)`, ''].join('\n'));
  return summary;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  installCleanupHandlers();
  let code = 0;
  try {
    const s = process.argv.includes('--summary') ? writeSummary(summaryOf(savedResults(), null)) : await runAll();
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
