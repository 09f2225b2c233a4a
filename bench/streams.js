#!/usr/bin/env node
// Idle streams benchmark: N customer WebSocket streams (GET /v1/stream, each with its own session token)
// held open against Parley, and N raw sockets against a bare `ws` server (floor/ws-server.js) in the same
// run. Reports the server's RSS per stream: (RSS with the streams open − RSS before) / N, after a settle.
// The sockets are held by client child processes (lib/stream-client.js), STREAMS_PER_CLIENT each, each
// from its own loopback address (127.0.0.2, .3, …), so neither the bench process's fd limit nor the
// ephemeral ports of one source address run out.
//
// Env: BENCH_STREAMS (19000; quick 200), BENCH_SETTLE_MS (2000; quick 300), BENCH_TIMEOUT_MS (120000;
// quick 8000) to open them all, BENCH_ROUNDS (1; median round by RSS per stream), BENCH_QUICK=1.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { pool } from './lib/http.js';
import { memoryOf, mib, removeDir, runMain, spawnNode, stopChild } from './lib/proc.js';
import { envInt, fmt, medianRounds, quick, ratio, writeResult, sideBySide } from './lib/stats.js';
import { LAUNCH, spawnServer, startParley } from './lib/targets.js';

const STREAMS_PER_CLIENT = 5000;
const CLIENT = fileURLToPath(new URL('./lib/stream-client.js', import.meta.url));

export function streamsConfig() {
  const q = quick();
  return {
    streams: Math.max(1, envInt('BENCH_STREAMS', q ? 200 : 19_000)),
    settleMs: envInt('BENCH_SETTLE_MS', q ? 300 : 2000),
    timeoutMs: envInt('BENCH_TIMEOUT_MS', q ? 8_000 : 120_000),
    rounds: Math.max(1, envInt('BENCH_ROUNDS', 1)),
  };
}

/** This process's open-file limit (children inherit it), from /proc; Infinity when unknown. */
function fdLimit() {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : Infinity;
  } catch {
    return Infinity;
  }
}

/** Parley with N customer sessions (the per-IP session rate limit lifted), or the bare ws server. */
async function startServer(name, n) {
  if (name === 'parley') {
    const t = await startParley({ env: { PARLEY_RATE_LIMIT_SESSIONS: '1000000' } });
    const ws = t.baseUrl.replace(/^http/, 'ws');
    try {
      const tokens = await pool(n, 16, async () => (await t.http.json('POST', '/v1/sessions', { body: {} })).token);
      return { pid: t.pid, urls: tokens.map((tk) => `${ws}/v1/stream?token=${encodeURIComponent(tk)}`), stop: t.stop };
    } catch (e) {
      await t.stop();
      throw e;
    }
  }
  const launch = LAUNCH.ws();
  const { proc, baseUrl } = await spawnServer(launch);
  const url = `${baseUrl.replace(/^http/, 'ws')}/`;
  return {
    pid: proc.child.pid,
    urls: Array.from({ length: n }, () => url),
    stop: async () => {
      await stopChild(proc, 5000);
      removeDir(launch.dataDir);
    },
  };
}

/** Open every url from client children, STREAMS_PER_CLIENT each; resolves with the children and counts. */
async function openStreams(urls, cfg) {
  const clients = [];
  const replies = [];
  for (let i = 0; i * STREAMS_PER_CLIENT < urls.length; i++) {
    const p = spawnNode([CLIENT], { name: `stream-client-${i}`, ipc: true });
    clients.push(p);
    replies.push(
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${p.name}: streams not open within ${cfg.timeoutMs} ms`)), cfg.timeoutMs);
        p.child.once('message', (m) => (clearTimeout(timer), resolve(m)));
        p.exited.then(() => (clearTimeout(timer), reject(new Error(`${p.name} exited:\n${p.output()}`))));
      }),
    );
    const mine = urls.slice(i * STREAMS_PER_CLIENT, (i + 1) * STREAMS_PER_CLIENT);
    p.child.send({ type: 'open', urls: mine, localAddress: `127.0.0.${2 + i}`, concurrency: 32, timeoutMs: Math.min(30_000, cfg.timeoutMs) });
  }
  try {
    const r = await Promise.all(replies);
    return { clients, opened: r.reduce((a, x) => a + x.opened, 0), failed: r.reduce((a, x) => a + x.failed, 0), firstError: r.find((x) => x.firstError)?.firstError };
  } catch (e) {
    await Promise.all(clients.map((c) => stopChild(c, 1000)));
    throw e;
  }
}

async function runOnce(name, cfg) {
  const server = await startServer(name, cfg.streams);
  try {
    await sleep(cfg.settleMs);
    const before = memoryOf(server.pid);
    const t0 = performance.now();
    const { clients, opened, failed, firstError } = await openStreams(server.urls, cfg);
    const openMs = performance.now() - t0;
    try {
      await sleep(cfg.settleMs);
      const after = memoryOf(server.pid);
      const perStream = before && after && opened > 0 ? (after.rss - before.rss) / opened : null;
      return {
        target: name,
        streams: cfg.streams,
        opened,
        failed,
        ...(firstError ? { firstError } : {}),
        openPerSec: Math.round((opened / openMs) * 1000),
        rssBeforeMb: mib(before?.rss),
        rssAfterMb: mib(after?.rss),
        rssPerStreamKiB: perStream === null ? null : Math.round((perStream / 1024) * 100) / 100,
      };
    } finally {
      await Promise.all(clients.map((c) => stopChild(c, 3000)));
    }
  } finally {
    await server.stop();
  }
}

export async function streams(cfg = streamsConfig()) {
  const limit = fdLimit();
  if (cfg.streams + 500 > limit) throw new Error(`BENCH_STREAMS=${cfg.streams} needs about ${cfg.streams + 500} open files in the server; the limit is ${limit} (ulimit -n)`);
  // Floor (bare ws) first, then Parley, as the other benchmarks do; the median round of each by RSS per stream.
  const { parley, floor, rounds } = await medianRounds((target, c) => runOnce(target === 'floor' ? 'ws' : target, c), cfg, 'rssPerStreamKiB');
  const result = {
    ...sideBySide('streams', 'idle customer WebSocket streams held open; server RSS per stream = (RSS after − RSS before) / streams, beside raw sockets on a bare ws server', cfg, parley, floor),
    ratio: { rssPerStream: ratio(parley.rssPerStreamKiB, floor.rssPerStreamKiB) },
    ...(cfg.rounds > 1 ? { rounds } : {}),
  };
  const file = writeResult('streams', result);
  const line = (x) =>
    `${x.target.padEnd(7)} ${String(x.opened).padStart(6)}/${x.streams} open (${x.openPerSec}/s)   RSS ${fmt(x.rssBeforeMb)} → ${fmt(x.rssAfterMb)} MiB   ${fmt(x.rssPerStreamKiB, 2)} KiB per stream${x.failed ? `   ${x.failed} FAILED (${x.firstError})` : ''}`;
  process.stdout.write([`streams: ${cfg.streams} idle streams per server`, line(parley), line(floor), `ratio   RSS per stream ${fmt(result.ratio.rssPerStream, 2)}×  (parley / raw ws)`, `→ ${file}`, ''].join('\n'));
  return result;
}

export const streamsComplete = (r) => r.parley.opened === r.parley.streams && r.floor.opened === r.floor.streams;

if (import.meta.url === pathToFileURL(process.argv[1]).href) await runMain('streams', streams, streamsComplete);
