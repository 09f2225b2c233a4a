#!/usr/bin/env node
// Print the hottest functions and packages of a V8 .cpuprofile (as written by BENCH_PROFILE=1, which runs
// the servers with --cpu-prof). Usage: node bench/lib/profile-top.js FILE.cpuprofile [top=25]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/lib/profile-top.js FILE.cpuprofile [top]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
// Sample counts × time deltas give self time per node.
for (let i = 0; i < prof.samples.length; i++) {
  const id = prof.samples[i];
  self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
}
const total = [...self.values()].reduce((a, b) => a + b, 0);

const where = (cf) => {
  const url = cf.url || '';
  const m = url.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (m) return m[1];
  if (url.includes('/dist/')) return 'parley:' + url.slice(url.indexOf('/dist/') + 6);
  if (url.includes('/bench/')) return 'bench:' + url.slice(url.indexOf('/bench/') + 7);
  if (url.startsWith('node:')) return url;
  if (!url) return cf.functionName ? '(native)' : '(vm)';
  return url;
};

const fnAgg = new Map();
const pkgAgg = new Map();
for (const [id, t] of self) {
  const cf = byId.get(id).callFrame;
  const w = where(cf);
  const key = `${cf.functionName || '(anonymous)'}  ${w}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
  fnAgg.set(key, (fnAgg.get(key) ?? 0) + t);
  const pkg = w.startsWith('parley:') ? 'parley (dist)' : w.startsWith('node:') ? 'node core' : w;
  pkgAgg.set(pkg, (pkgAgg.get(pkg) ?? 0) + t);
}
// Inclusive time (a function's own time plus what it called), counted once per sample even when the
// function is on the stack twice. Async functions only "include" the synchronous part of each resumption.
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const keyOf = (id) => {
  const cf = byId.get(id).callFrame;
  const w = where(cf);
  return `${cf.functionName || '(anonymous)'}  ${w}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;
};
const incl = new Map();
for (const [id, t] of self) {
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const k = keyOf(cur);
    if (seen.has(k)) continue;
    seen.add(k);
    incl.set(k, (incl.get(k) ?? 0) + t);
  }
}
const parleyIncl = new Map([...incl].filter(([k]) => k.includes(' parley:')));

const pct = (t) => `${((t / total) * 100).toFixed(1).padStart(5)}%`;
const show = (m, n) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, t]) => `${pct(t)}  ${(t / 1000).toFixed(0).padStart(7)} ms  ${k}`)
    .join('\n');
process.stdout.write(`${file}: ${(total / 1e6).toFixed(2)} s sampled\n\nself time by function:\n${show(fnAgg, top)}\n\nself time by package:\n${show(pkgAgg, 15)}\n\ninclusive time, Parley's own functions:\n${show(parleyIncl, top)}\n`);
