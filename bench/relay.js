#!/usr/bin/env node
// Relay benchmark: N customers on WebSockets send messages that reach agents on WebSockets, through
// Parley's inbox and through the floor (bare Fastify + ws + one SQLite insert). Measures end-to-end
// messages/s and customer→agent latency (from the customer's send to the agent's socket receiving the
// event, matched by clientMessageId), plus send→ack latency.
//
// Env: BENCH_CUSTOMERS (50), BENCH_AGENTS (5), BENCH_MESSAGES per customer (40), BENCH_WINDOW in flight
// per customer (4), BENCH_WARMUP messages per customer (20), BENCH_TIMEOUT_MS per phase (120000),
// BENCH_ROUNDS (1; the median round by throughput is kept), BENCH_QUICK=1 (small, for CI smoke).
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { cpuTimeMs, runMain } from './lib/proc.js';
import { envInt, fmt, machine, quick, ratio, summarize, writeResult, cpuFigures, medianRounds } from './lib/stats.js';
import { openCustomers, TARGETS } from './lib/targets.js';

export function relayConfig() {
  const q = quick();
  return {
    customers: envInt('BENCH_CUSTOMERS', q ? 10 : 50),
    agents: envInt('BENCH_AGENTS', q ? 2 : 5),
    messages: envInt('BENCH_MESSAGES', q ? 10 : 40),
    window: Math.max(1, envInt('BENCH_WINDOW', 4)),
    warmup: envInt('BENCH_WARMUP', q ? 2 : 20),
    timeoutMs: envInt('BENCH_TIMEOUT_MS', q ? 8_000 : 120_000),
    rounds: Math.max(1, envInt('BENCH_ROUNDS', 1)),
  };
}

/** Open a stream socket and resolve once the server says `ready`. */
function openStream(baseUrl, token, onFrame, timeoutMs = 10_000) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/stream?token=${encodeURIComponent(token)}`, { perMessageDeflate: false });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('stream not ready in time'));
    }, timeoutMs);
    let ready = false;
    ws.on('message', (data) => {
      if (!ready) {
        const f = JSON.parse(data.toString());
        if (f.type === 'ready') {
          ready = true;
          clearTimeout(timer);
          resolve(ws);
        }
        return;
      }
      onFrame(data);
    });
    ws.on('error', (e) => {
      clearTimeout(timer);
      if (!ready) reject(e);
    });
    ws.on('close', (code, reason) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`stream closed before ready: ${code} ${reason}`));
    });
  });
}

const startsWith = (buf, prefix) => buf.length >= prefix.length && buf.toString('latin1', 0, prefix.length) === prefix;

/** One run against one freshly started server. */
async function runOnce(targetName, cfg) {
  const target = await TARGETS[targetName]({ agents: cfg.agents });
  const sockets = [];
  try {
    const pending = new Map(); // clientMessageId → record
    const counters = { agentDuplicates: 0, errors: 0, unexpected: 0 };
    let onComplete = () => undefined;

    const complete = (rec) => {
      if (rec.done) return;
      if (rec.failed || (rec.ackAt !== undefined && rec.recvAt !== undefined)) {
        rec.done = true;
        pending.delete(rec.id);
        onComplete(rec);
      }
    };

    // Agents first, so round-robin has someone online to assign to.
    for (const token of target.agentTokens) {
      sockets.push(
        await openStream(target.baseUrl, token, (data) => {
          if (!startsWith(data, '{"type":"event"')) return;
          const { event } = JSON.parse(data.toString());
          if (event.kind !== 'message' || event.author?.role !== 'customer') return;
          const rec = pending.get(event.clientMessageId);
          if (!rec) {
            counters.unexpected++;
            return;
          }
          if (rec.recvAt !== undefined) {
            counters.agentDuplicates++;
            return;
          }
          rec.recvAt = performance.now();
          complete(rec);
        }),
      );
    }

    const customers = await openCustomers(target, cfg.customers);
    await target.waitAssigned(customers);
    for (const c of customers) {
      c.ws = await openStream(target.baseUrl, c.token, (data) => {
        // Customers also get their own echoes and receipts; only acks and errors matter here.
        const isAck = startsWith(data, '{"type":"ack"');
        if (!isAck && !startsWith(data, '{"type":"error"')) return;
        const f = JSON.parse(data.toString());
        const rec = pending.get(f.ref);
        if (!rec) return;
        if (isAck) rec.ackAt = performance.now();
        else {
          rec.failed = true;
          rec.error = f.code;
          counters.errors++;
        }
        complete(rec);
      });
      sockets.push(c.ws);
    }

    /** Every customer sends `count` messages keeping `window` in flight; resolves when all complete or on timeout. */
    const phase = (label, count) =>
      new Promise((resolve) => {
        const e2e = [];
        const ack = [];
        const total = count * customers.length;
        let completed = 0;
        let failed = 0;
        const t0 = performance.now();
        let tEnd = t0;
        const state = customers.map(() => ({ sent: 0, inflight: 0 }));
        const send = (ci) => {
          const c = customers[ci];
          const st = state[ci];
          while (st.inflight < cfg.window && st.sent < count) {
            const id = `${label}-${ci}-${st.sent++}`;
            const rec = { id, ci, sentAt: performance.now(), ackAt: undefined, recvAt: undefined, done: false };
            pending.set(id, rec);
            st.inflight++;
            c.ws.send(JSON.stringify({ type: 'message', conversationId: c.conversationId, clientMessageId: id, text: `bench message ${id} sent at ${rec.sentAt.toFixed(3)}` }));
          }
        };
        const finish = (timedOut) => {
          clearTimeout(timer);
          onComplete = () => undefined;
          const stale = [...pending.values()].filter((r) => r.id.startsWith(`${label}-`));
          for (const r of stale) pending.delete(r.id);
          const elapsedMs = (timedOut ? performance.now() : tEnd) - t0;
          resolve({ total, completed, failed, incomplete: total - completed - failed, timedOut, elapsedMs, e2e, ack });
        };
        onComplete = (rec) => {
          state[rec.ci].inflight--;
          if (rec.failed) failed++;
          else {
            completed++;
            e2e.push(rec.recvAt - rec.sentAt);
            ack.push(rec.ackAt - rec.sentAt);
          }
          tEnd = performance.now();
          if (completed + failed === total) finish(false);
          else send(rec.ci);
        };
        const timer = setTimeout(() => finish(true), cfg.timeoutMs);
        if (total === 0) return finish(false);
        for (let i = 0; i < customers.length; i++) send(i);
      });

    if (cfg.warmup > 0) {
      const w = await phase('warm', cfg.warmup);
      if (w.timedOut) throw new Error(`${targetName}: warm-up did not finish within ${cfg.timeoutMs} ms (${w.completed}/${w.total})`);
    }
    const cpu0 = cpuTimeMs(target.pid);
    const client0 = process.cpuUsage();
    const m = await phase('run', cfg.messages);
    const cpu1 = cpuTimeMs(target.pid);
    const client = process.cpuUsage(client0);
    const e2e = summarize(m.e2e);
    const serverCpuMs = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
    return {
      target: targetName,
      msgsPerSec: m.elapsedMs > 0 ? Math.round((m.completed / m.elapsedMs) * 1000 * 10) / 10 : null,
      e2eMs: e2e,
      ackMs: summarize(m.ack),
      sent: m.total,
      completed: m.completed,
      failed: m.failed,
      incomplete: m.incomplete,
      timedOut: m.timedOut,
      elapsedMs: Math.round(m.elapsedMs),
      // Server CPU per delivered message, and how busy the server and the load client were (1 = one core).
      ...cpuFigures('serverCpuMsPerMsg', serverCpuMs, m.completed, m.elapsedMs, client),
      ...counters,
    };
  } finally {
    for (const ws of sockets) ws.terminate();
    await target.stop();
  }
}

export async function relay(cfg = relayConfig()) {
  // Floor first, then Parley, each on a fresh server and data folder; the median round of each.
  const { parley, floor, rounds } = await medianRounds(runOnce, cfg, 'msgsPerSec');
  const result = {
    name: 'relay',
    description: 'customers (WebSocket) → server → agents (WebSocket); latency = customer send → agent socket receives the event',
    timestamp: new Date().toISOString(),
    machine: machine(),
    config: cfg,
    parley,
    floor,
    ratio: {
      msgsPerSec: ratio(parley.msgsPerSec, floor.msgsPerSec),
      e2eP50: ratio(parley.e2eMs.p50, floor.e2eMs.p50),
      e2eP99: ratio(parley.e2eMs.p99, floor.e2eMs.p99),
      ackP50: ratio(parley.ackMs.p50, floor.ackMs.p50),
      ackP99: ratio(parley.ackMs.p99, floor.ackMs.p99),
      serverCpuMsPerMsg: ratio(parley.serverCpuMsPerMsg, floor.serverCpuMsPerMsg),
    },
    ...(cfg.rounds > 1 ? { rounds } : {}),
  };
  const file = writeResult('relay', result);
  printRelay(result, file);
  return result;
}

function printRelay(r, file) {
  const line = (x) =>
    `${x.target.padEnd(7)} ${fmt(x.msgsPerSec).padStart(9)} msg/s   e2e p50 ${fmt(x.e2eMs.p50, 2).padStart(7)} ms  p99 ${fmt(x.e2eMs.p99, 2).padStart(7)} ms   ack p50 ${fmt(x.ackMs.p50, 2).padStart(7)} ms  p99 ${fmt(x.ackMs.p99, 2).padStart(7)} ms   cpu ${fmt(x.serverCpuMsPerMsg, 3)} ms/msg (server ${fmt(x.serverCpuUtil, 2)}, client ${fmt(x.clientCpuUtil, 2)} cores)   ${x.completed}/${x.sent} ok${x.failed ? `, ${x.failed} failed` : ''}${x.incomplete ? `, ${x.incomplete} INCOMPLETE` : ''}`;
  const c = r.config;
  process.stdout.write(
    [
      `relay: ${c.customers} customers → ${c.agents} agents, ${c.messages} msgs each (window ${c.window}, warm-up ${c.warmup})`,
      line(r.parley),
      line(r.floor),
      `ratio   throughput ${fmt(r.ratio.msgsPerSec, 3)}×   e2e p50 ${fmt(r.ratio.e2eP50, 2)}×  p99 ${fmt(r.ratio.e2eP99, 2)}×   cpu/msg ${fmt(r.ratio.serverCpuMsPerMsg, 2)}×  (parley / floor)`,
      `→ ${file}`,
      '',
    ].join('\n'),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await runMain('relay', relay, (r) => r.parley.completed >= r.parley.sent && r.floor.completed >= r.floor.sent);
