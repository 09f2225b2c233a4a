#!/usr/bin/env node
// The chart of a summary: one bar per workload, Parley ÷ its floor (same run), with the floor (1.0×) and the
// target of issue 7 marked; green where the target is met. Hand-written SVG, no dependencies.
//
// Usage: node bench/chart.js [summary.json] [out.svg]   (defaults: bench/results/summary.json, bench/results/chart.svg)
// run.js writes bench/results/chart.svg after every run; BENCH_UPDATE_DOCS=1 also docs/screenshots/bench.svg.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RESULTS_DIR } from './lib/stats.js';

/** The ratios charted: metric key in summary.json, label, target ratio, and which way is better. */
export const CHARTED = [
  { key: 'ingest.reqPerSec', label: 'Ingest, SQLite: throughput', target: 1.0, better: 'higher' },
  { key: 'ingest.p99Ms', label: 'Ingest, SQLite: p99 latency', target: 2.0, better: 'lower' },
  { key: 'ingest.serverCpuMsPerReq', label: 'Ingest, SQLite: CPU per message', target: 1.5, better: 'lower' },
  { key: 'ingest.full.reqPerSec', label: 'Ingest, full durability: throughput', target: 3.0, better: 'higher' },
  { key: 'ingest.pg.reqPerSec', label: 'Ingest, PostgreSQL: throughput', target: 0.8, better: 'higher' },
  { key: 'relay.msgsPerSec', label: 'Relay WS → inbox → WS: throughput', target: 0.7, better: 'higher' },
  { key: 'streams.rssPerStream', label: 'Idle stream: RSS per stream', target: 1.5, better: 'lower' },
];

/**
 * Absolute figures with a target (on Parley's value), printed under the bars. `label` may be a function of
 * the metric; a metric that records its own `target.met` (the relay's open-loop p99 also needs the server
 * to have kept up) is judged by that.
 */
const ABSOLUTE = [
  {
    key: 'relay.open.p99Ms',
    label: (m) => {
      const t = m?.target;
      const rate = (t?.offeredPerSec ?? 2000).toLocaleString('en-US');
      return `Relay p99 latency at ${rate} msg/s offered${t && !t.atTargetRate ? ` (the target is at ${t.atOfferedPerSec.toLocaleString('en-US')})` : ''}${t && !t.keptUp ? ', did not keep up' : ''}`;
    },
    target: 20,
    unit: 'ms',
    digits: 1,
  },
  { key: 'ingest.serverPeakRssMb', label: 'Server peak RSS during ingest', target: 150, unit: 'MiB' },
  { key: 'coldStart.restartMs', label: 'Cold start to /readyz', target: 1500, unit: 'ms' },
];

const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const meets = (v, row) => (row.better === 'higher' ? v >= row.target : v <= row.target);

export function chartSvg(summary) {
  const m = summary.metrics ?? {};
  const W = 820;
  const left = 270;
  const right = 70;
  const rowH = 34;
  const top = 70;
  const plotW = W - left - right;
  const ratios = CHARTED.map((r) => m[r.key]?.ratio).filter((v) => typeof v === 'number');
  const max = Math.max(3.5, ...ratios.map((v) => Math.ceil(v * 2) / 2 + 0.25), ...CHARTED.map((r) => r.target + 0.5));
  const x = (v) => left + (Math.max(0, v) / max) * plotW;
  const plotBottom = top + CHARTED.length * rowH;
  const H = plotBottom + 48 + ABSOLUTE.length * 20 + 24;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="13">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="16" y="26" font-size="16" font-weight="600">Parley ÷ its floor, measured in the same run</text>`);
  const when = summary.timestamp ? summary.timestamp.slice(0, 16).replace('T', ' ') : '';
  out.push(`<text x="16" y="46" fill="#555">${esc(`${summary.cpus ?? '?'} cores, Node ${summary.node ?? '?'}, ${when} UTC${summary.quick ? ' (QUICK: not meaningful)' : ''}. Bar: ratio; black tick: target (issue 7); green: met.`)}</text>`);
  // Grid: every 0.5×, the floor at 1.0× stronger.
  for (let v = 0; v <= max + 1e-9; v += 0.5) {
    const gx = x(v).toFixed(1);
    out.push(`<line x1="${gx}" y1="${top - 6}" x2="${gx}" y2="${plotBottom}" stroke="${v === 1 ? '#888' : '#e5e5e5'}" stroke-width="1"${v === 1 ? ' stroke-dasharray="4 3"' : ''}/>`);
    out.push(`<text x="${gx}" y="${plotBottom + 16}" text-anchor="middle" fill="#555">${v}×</text>`);
  }
  out.push(`<text x="${x(1).toFixed(1)}" y="${top - 10}" text-anchor="middle" fill="#555">floor</text>`);
  CHARTED.forEach((row, i) => {
    const y = top + i * rowH;
    const v = m[row.key]?.ratio;
    out.push(`<text x="${left - 10}" y="${y + 21}" text-anchor="end">${esc(row.label)}</text>`);
    if (typeof v !== 'number') {
      out.push(`<text x="${left + 6}" y="${y + 21}" fill="#999">not measured (skipped)</text>`);
    } else {
      const ok = meets(v, row);
      out.push(`<rect x="${left}" y="${y + 8}" width="${(x(v) - left).toFixed(1)}" height="${rowH - 14}" rx="2" fill="${ok ? '#2e9e5b' : '#e0892b'}"/>`);
      out.push(`<text x="${(x(v) + 6).toFixed(1)}" y="${y + 21}" font-weight="600">${v.toFixed(2)}×</text>`);
    }
    const tx = x(row.target).toFixed(1);
    out.push(`<line x1="${tx}" y1="${y + 4}" x2="${tx}" y2="${y + rowH - 2}" stroke="#111" stroke-width="2.5"/>`);
    out.push(`<text x="${(Number(tx) + 4).toFixed(1)}" y="${y + 8}" font-size="10" fill="#111">${row.better === 'higher' ? '≥' : '≤'} ${row.target}×</text>`);
  });
  ABSOLUTE.forEach((row, i) => {
    const metric = m[row.key];
    const v = metric?.parley;
    const y = plotBottom + 44 + i * 20;
    const label = typeof row.label === 'function' ? row.label(metric) : row.label;
    const text = typeof v === 'number' ? `${v.toFixed(row.digits ?? 0)} ${row.unit}` : 'not measured';
    const met = typeof metric?.target?.met === 'boolean' ? metric.target.met : v <= row.target;
    const colour = typeof v !== 'number' ? '#999' : met ? '#2e9e5b' : '#e0892b';
    out.push(`<text x="16" y="${y}">${esc(label)}: <tspan font-weight="600" fill="${colour}">${esc(text)}</tspan> (target ≤ ${row.target} ${row.unit})</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

export function writeChart(summary, file) {
  writeFileSync(file, chartSvg(summary));
  return file;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const src = process.argv[2] ?? join(RESULTS_DIR, 'summary.json');
  const dst = process.argv[3] ?? join(RESULTS_DIR, 'chart.svg');
  process.stdout.write(`→ ${writeChart(JSON.parse(readFileSync(src, 'utf8')), dst)}\n`);
}
