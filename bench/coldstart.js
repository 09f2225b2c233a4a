#!/usr/bin/env node
// Cold start: from spawning the server process to its first 200 on /readyz (polled every 5 ms), for Parley
// and for the floor (bare Fastify + SQLite). Each start is a new process; "first" is on an empty data
// folder (Parley creates its schema and secrets), "restart" is a second start on the folder the first one
// left (the usual deploy or crash restart). Median of BENCH_STARTS starts of each.
//
// Env: BENCH_STARTS (5; quick 1).
import { pathToFileURL } from 'node:url';
import { removeDir, runMain, stopChild } from './lib/proc.js';
import { envInt, fmt, quick, ratio, summarize, writeResult, sideBySide } from './lib/stats.js';
import { LAUNCH, spawnServer } from './lib/targets.js';

export function coldstartConfig() {
  return { starts: Math.max(1, envInt('BENCH_STARTS', quick() ? 1 : 5)) };
}

/** ms from spawn to the first 200 on /readyz, for a first start and a restart on the same data folder. */
async function startTwice(name) {
  const launch = LAUNCH[name]();
  try {
    const ms = [];
    for (let i = 0; i < 2; i++) {
      const { proc, readyMs } = await spawnServer(launch, { path: '/readyz', intervalMs: 5 });
      ms.push(readyMs);
      await stopChild(proc, 10_000);
    }
    return { first: ms[0], restart: ms[1] };
  } finally {
    removeDir(launch.dataDir);
  }
}

async function measure(name, cfg) {
  const runs = [];
  for (let i = 0; i < cfg.starts; i++) runs.push(await startTwice(name));
  return { target: name, firstMs: summarize(runs.map((r) => r.first)), restartMs: summarize(runs.map((r) => r.restart)) };
}

export async function coldstart(cfg = coldstartConfig()) {
  const floor = await measure('floor', cfg);
  const parley = await measure('parley', cfg);
  const result = {
    ...sideBySide('coldstart', 'spawn → first 200 on /readyz; first start on an empty data folder, then a restart on it; median of the starts', cfg, parley, floor),
    ratio: { firstP50: ratio(parley.firstMs.p50, floor.firstMs.p50), restartP50: ratio(parley.restartMs.p50, floor.restartMs.p50) },
  };
  const file = writeResult('coldstart', result);
  const line = (x) => `${x.target.padEnd(7)} first start ${fmt(x.firstMs.p50, 0).padStart(5)} ms   restart ${fmt(x.restartMs.p50, 0).padStart(5)} ms   (median of ${cfg.starts}; max ${fmt(x.firstMs.max, 0)} / ${fmt(x.restartMs.max, 0)} ms)`;
  process.stdout.write([`coldstart: spawn → first 200 on /readyz`, line(parley), line(floor), `ratio   first ${fmt(result.ratio.firstP50, 2)}×  restart ${fmt(result.ratio.restartP50, 2)}×  (parley / floor)`, `→ ${file}`, ''].join('\n'));
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await runMain('coldstart', coldstart, (r) => r.parley.restartMs.count === r.config.starts);
