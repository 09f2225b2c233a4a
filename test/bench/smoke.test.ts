import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The benchmarks' quick profile, so they cannot rot: every benchmark in bench/ runs at small sizes against
// the built server (npm test builds first) and must finish and write well-formed results. The figures
// themselves mean nothing at these sizes. Results go to a temp folder, not over bench/results.

const ROOT = join(import.meta.dirname, '..', '..');
const out = mkdtempSync(join(tmpdir(), 'parley-bench-smoke-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

interface Metric {
  parley: number;
  floor: number;
  ratio: number;
  unit: string;
  better: 'higher' | 'lower';
  target?: { of: string; atMost: number; atOfferedPerSec: number; offeredPerSec: number; keptUp: boolean; met: boolean };
  keptUp?: { parley: boolean; floor: boolean };
}

function runBench(script: string, env: Record<string, string>, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(ROOT, 'bench', script)], { cwd: ROOT, env: { ...process.env, BENCH_QUICK: '1', BENCH_RESULTS_DIR: out, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    // SIGINT: the bench cleans up its servers, temp folders and databases on the way out.
    const timer = setTimeout(() => child.kill('SIGINT'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const json = (name: string): Record<string, unknown> => JSON.parse(readFileSync(join(out, name), 'utf8')) as Record<string, unknown>;

describe('the benchmarks (BENCH_QUICK=1)', () => {
  it('npm run bench at quick sizes runs every benchmark and writes the summary and the chart', { timeout: 120_000 }, async () => {
    const r = await runBench('run.js', {}, 110_000);
    expect(r.code, r.output).toBe(0);
    const summary = json('summary.json') as { complete: boolean; quick: boolean; skipped: string[]; metrics: Record<string, Metric> };
    expect(summary.complete).toBe(true);
    expect(summary.quick).toBe(true);

    const pgSkipped = summary.skipped.some((s) => s.startsWith('ingest.pg'));
    if (pgSkipped) {
      expect(process.env.CI, 'PostgreSQL is required when CI=true').not.toBe('true');
      console.warn('\n!!! PostgreSQL is unreachable: the PostgreSQL ingest benchmark was SKIPPED in the bench smoke run. !!!\n');
    }
    const expected = [
      ...['relay.msgsPerSec', 'relay.e2e.p50Ms', 'relay.e2e.p99Ms', 'relay.ack.p50Ms', 'relay.ack.p99Ms', 'relay.serverCpuMsPerMsg'],
      ...['relay.open.achievedPerSec', 'relay.open.p50Ms', 'relay.open.p99Ms', 'relay.open.maxMs'],
      ...['ingest', 'ingest.full', ...(pgSkipped ? [] : ['ingest.pg'])].flatMap((p) => ['reqPerSec', 'p50Ms', 'p99Ms', 'serverCpuMsPerReq', 'serverPeakRssMb'].map((m) => `${p}.${m}`)),
      'streams.open',
      'coldStart.firstMs',
      'coldStart.restartMs',
    ];
    for (const key of expected) {
      const m = summary.metrics[key];
      expect(m, key).toBeDefined();
      expect(m!.parley, key).toBeGreaterThan(0);
      expect(m!.floor, key).toBeGreaterThan(0);
      expect(m!.ratio, key).toBeGreaterThan(0);
      expect(['higher', 'lower'], key).toContain(m!.better);
      expect(m!.unit, key).toBeTruthy();
    }
    // RSS per stream at 200 streams is within the noise of a GC (it can even come out negative): a number.
    expect(Number.isFinite(summary.metrics['streams.rssPerStream']?.parley)).toBe(true);
    expect(Number.isFinite(summary.metrics['streams.rssPerStream']?.floor)).toBe(true);
    expect(summary.metrics['streams.open']?.parley).toBe(200);
    // The relay's open loop records whether each server kept up, and issue 7's absolute p99 target for Parley.
    expect(typeof summary.metrics['relay.open.achievedPerSec']?.keptUp?.parley).toBe('boolean');
    expect(typeof summary.metrics['relay.open.achievedPerSec']?.keptUp?.floor).toBe('boolean');
    expect(summary.metrics['relay.open.p99Ms']?.target).toMatchObject({ of: 'parley', atMost: 20, atOfferedPerSec: 2000 });
    expect(typeof summary.metrics['relay.open.p99Ms']?.target?.met).toBe('boolean');

    for (const f of ['relay.json', 'ingest.json', 'ingest-full.json', 'streams.json', 'coldstart.json', ...(pgSkipped ? [] : ['ingest-pg.json'])]) expect(existsSync(join(out, f)), f).toBe(true);
    const svg = readFileSync(join(out, 'chart.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('Ingest, full durability: throughput');
    expect(svg).toContain('Relay p99 latency at');
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('the statement count of the ingest path runs and counts the message insert', { timeout: 60_000 }, async () => {
    const r = await runBench('statements.js', { BENCH_MESSAGES: '20', BENCH_SETTLE_MS: '200' }, 50_000);
    expect(r.code, r.output).toBe(0);
    const s = json('statements.json') as { perMessage: { statements: number; indexWrites: number; rows: { sql: string; perMessage: number }[] } };
    expect(s.perMessage.statements).toBeGreaterThan(0);
    expect(s.perMessage.indexWrites).toBeGreaterThan(0);
    expect(s.perMessage.rows.find((row) => row.sql.startsWith('insert into "events"'))?.perMessage).toBe(1);
  });
});
