import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyHints, frameArb, frameSchemas, operationArb, operationsFrom, rawRequestArb, strayRequestArb, type FrameCase, type FuzzRequest, type Hints, type JsonSchema, type Operation } from './fuzz-arbitraries.js';
import { checkHttp, closeConnections, describeFrame, describeRequest, fc, Findings, FrameSocket, hunt, isErrorShape, sendHttp, type HttpResult, type Problem } from './fuzz-harness.js';
import { startFuzzServer, type FuzzServer, type Memory } from './fuzz-server.js';
import { WEBHOOK_TARGETS } from './fuzz-webhook-targets.js';
import { allowedRetry, buildScene, checkWebhook, duplicateArb, refreshScene, webhookCaseArb, type DuplicateCase, type WebhookCase, type WebhookScene } from './fuzz-webhooks.js';
import { World } from './fuzz-world.js';

// The fuzz suite (docs/security.md): no request, however malformed or concurrent, and no stream frame
// produces a 5xx, a crash, an unhandled rejection or an error log line; every 4xx is the catalogue's error
// shape; the server stays up and ready; memory comes back down after the load.
//
// Fast profile (in `npm test`): a few thousand cases. Long profile: `npm run fuzz` (FUZZ_PROFILE=long,
// ≥ 100,000 cases), which also writes test-results/fuzz.json with the RSS figures. FUZZ_RUNS overrides the
// number of cases, FUZZ_SEED the seed. A failure prints each distinct problem with fast-check's shrunk
// counterexample (method, path, headers, body).

const LONG = process.env.FUZZ_PROFILE === 'long';
const TOTAL = Number(process.env.FUZZ_RUNS) || (LONG ? 100_000 : 3_000);
const SEED = Number(process.env.FUZZ_SEED) || Date.now() % 2 ** 31;
const BUDGET = {
  http: Math.round(TOTAL * 0.7),
  concurrency: Math.round(TOTAL * 0.1),
  frames: Math.round(TOTAL * 0.2),
  // Vendor webhooks: on top of the rest (their own small surface), one-at-a-time cases and duplicate bursts.
  webhooks: Math.round(TOTAL * 0.1),
  webhookDuplicates: Math.round(TOTAL * 0.005),
};
const TIME = LONG
  ? { http: 3_600_000, concurrency: 900_000, frames: 1_800_000, webhooks: 600_000, webhookDuplicates: 300_000 }
  : { http: 12_000, concurrency: 5_000, frames: 5_000, webhooks: 2_000, webhookDuplicates: 800 };
const TEST_TIMEOUT = LONG ? 4 * 3_600_000 : 60_000;
const ROUNDS = LONG ? 60 : 12;
const SHRINK = LONG ? 400 : 150;
const BODY_LIMIT = 262_144;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** FUZZ_ONLY=http,concurrency,frames,webhooks runs only those parts (the final checks always run). */
const ONLY = process.env.FUZZ_ONLY?.split(',');
const skip = (part: string) => Boolean(ONLY && !ONLY.includes(part));
const DEBUG = process.env.FUZZ_DEBUG === '1';
const debug = (...a: unknown[]) => DEBUG && console.error(new Date().toISOString().slice(17, 23), ...a);

describe(`fuzz (${LONG ? 'long' : 'fast'} profile, seed ${SEED})`, () => {
  let server: FuzzServer;
  let world: World;
  let ops: Operation[];
  let hints: Hints;
  const findings = new Findings();
  const statuses: Record<string, number> = {};
  const frameTypes: Record<string, number> = {};
  /** Statuses per operation (one-at-a-time suite): shows how deep the handlers were reached. */
  const byOp: Record<string, Record<number, number>> = {};
  const counts = { http: 0, concurrencyBatches: 0, concurrencyRequests: 0, scenarioRequests: 0, frames: 0, frameBursts: 0, webhooks: 0, webhookDuplicateBursts: 0, webhookDuplicateRequests: 0 };
  /** Webhook cases by target and expectation, with the statuses they got. */
  const webhookStatuses: Record<string, Record<string, number>> = {};
  const timings: Record<string, number | string> = {};
  const memory: Record<string, Memory | undefined> = {};
  const fds: Record<string, number> = {};
  let heapAfterGc: { heapUsedMb: number; heapTotalMb: number } | undefined;
  let settleMisses = 0;
  const missedBy: Record<string, number> = {};
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const started = Date.now();

  const alive = () => server.alive();
  const count = (status: number) => (statuses[String(status)] = (statuses[String(status)] ?? 0) + 1);

  /** One request: send it, wait for its log lines, check the answer (and with `expect`, what it must be). */
  async function runHttp(req: FuzzRequest, expect?: (res: HttpResult) => Problem[]): Promise<Problem[]> {
    const mark = server.logs.mark();
    const leakedBefore = req.upgrade ? server.closeWait() : 0;
    const res = await sendHttp(server, req);
    count(res.status);
    const per = (byOp[req.op] ??= {});
    per[res.status] = (per[res.status] ?? 0) + 1;
    // Wait for the request's own "request completed" line, so its error lines (written before the answer)
    // are attributed to it. Answers made below Fastify (Node's parser: 400/417/431, upgrades) log none.
    const belowFastify = req.raw !== undefined || res.error !== undefined || res.status === 101 || res.status === 417 || res.status === 431 || (res.status === 400 && res.body.includes('"Client Error"'));
    if (!belowFastify) {
      if (!(await server.logs.settle(mark, 1, 60))) {
        settleMisses++;
        missedBy[`${res.status} ${req.op}`] = (missedBy[`${res.status} ${req.op}`] ?? 0) + 1;
      }
    } else await sleep(10);
    const problems = [...checkHttp(req, res, server.logs.errorsSince(mark), server.logs.stderrSince(mark), alive(), server.logs.leaksSince(mark)), ...(expect?.(res) ?? [])];
    // The inspector's vendor traffic is raw vendor payloads: it must come with every vendor secret masked.
    if (req.op.includes('vendor-traffic')) {
      for (const sec of server.vendorSecrets) if (res.body.includes(sec.value)) problems.push({ signature: `secret-in-answer|${req.op}|${sec.name}`, kind: 'secret-in-log', detail: `the answer contains the ${sec.name} credential` });
    }
    if (req.upgrade && res.status !== 101 && res.status > 0) {
      // The client hung up after the answer; the server must close its side too, or the socket (and its file
      // descriptor) stays open until shutdown, and holds the shutdown up.
      await sleep(30);
      const leaked = server.closeWait() - leakedBefore;
      if (leaked > 0) problems.push({ signature: `leak|upgrade answered ${res.status}`, kind: 'leak', detail: `${leaked} server socket(s) left in CLOSE-WAIT after the client hung up` });
    }
    return problems;
  }

    /** Send these requests at once; check each answer like any other; return the statuses. */
    async function batch(reqs: FuzzRequest[]): Promise<{ statuses: number[]; bodies: any[]; problems: Problem[] }> {
      const mark = server.logs.mark();
      const res = await Promise.all(reqs.map((r) => sendHttp(server, r)));
      res.forEach((x) => count(x.status));
      await server.logs.settle(mark, reqs.length, 800);
      const errors = server.logs.errorsSince(mark);
      const stderr = server.logs.stderrSince(mark);
      const problems = res.flatMap((x, i) => checkHttp(reqs[i]!, x, i === 0 ? errors : [], i === 0 ? stderr : [], alive(), i === 0 ? server.logs.leaksSince(mark) : []));
      return {
        statuses: res.map((x) => x.status),
        bodies: res.map((x) => {
          try {
            return JSON.parse(x.body);
          } catch {
            return x.body;
          }
        }),
        problems,
      };
    }

  beforeAll(async () => {
    const t0 = Date.now();
    server = await startFuzzServer({ inspect: LONG });
    timings.startMs = Date.now() - t0;
    world = new World(server);
    await world.build();
    timings.worldMs = Date.now() - t0 - timings.startMs;
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, Record<string, any>> };
    ops = operationsFrom(doc);
    hints = bodyHints(world);
    // Warm-up: every operation once, with a valid-looking request, so the baseline includes a JIT-warm,
    // connection-warm server rather than a cold one.
    const warm = fc.sample(fc.oneof(...ops.map((o) => operationArb(o, world, hints))), { numRuns: LONG ? 500 : 100, seed: SEED });
    for (const r of warm) await sendHttp(server, r);
    await sleep(500);
    closeConnections();
    await sleep(300);
    memory.baseline = server.memory();
    fds.baseline = server.fds();
    timings.setupMs = Date.now() - t0;
  }, 180_000);

  afterAll(async () => {
    if (!server) return;
    const summary = {
      profile: LONG ? 'long' : 'fast',
      seed: SEED,
      cases: { ...counts, total: counts.http + counts.concurrencyRequests + counts.scenarioRequests + counts.frames + counts.webhooks + counts.webhookDuplicateRequests, requestsSent: Object.values(statuses).reduce((a, b) => a + b, 0) },
      durationMs: { total: Date.now() - started, ...timings },
      statuses,
      frameTypes,
      fileDescriptors: fds,
      statusesByOperation: byOp,
      webhookStatuses,
      settleMisses,
      memoryMb: {
        baseline: memory.baseline?.rssMb,
        peak: (memory.afterIdle ?? memory.afterLoad)?.hwmMb,
        afterLoad: memory.afterLoad?.rssMb,
        afterIdle: memory.afterIdle?.rssMb,
        afterForcedGc: memory.afterGc?.rssMb,
        heapUsedAfterForcedGc: heapAfterGc?.heapUsedMb,
        note: LONG
          ? 'RSS of the server process from /proc/<pid>/status (VmRSS; peak = VmHWM). afterIdle: ~10 s idle after the load, no forced GC. afterForcedGc: after two full GCs requested through the inspector (HeapProfiler.collectGarbage); the server was started with --inspect=127.0.0.1:0 for that, nothing else.'
          : 'RSS of the server process from /proc/<pid>/status (VmRSS; peak = VmHWM); fast profile: no idle wait, no forced GC.',
      },
      conditions: { cpus: cpus().length, loadavgAtEnd: loadavg().map((x) => Math.round(x * 100) / 100), node: process.version, logLevel: 'info' },
      findings: findings.list().map((f) => ({ kind: f.kind, signature: f.signature, count: f.count, detail: f.detail, log: f.logLines[0], example: f.example, shrunk: f.shrunk })),
      fixtureNotes: world?.notes ?? [],
    };
    closeConnections();
    const stop = exit ?? (await server.stop());
    (summary as Record<string, unknown>).exit = stop;
    if (stop.code !== 0) console.log(`the server exited with ${JSON.stringify(stop)} after SIGTERM; connections the server still had:\n${server.stopDiagnostics}\nits last log lines:\n${server.logs.tail.slice(-6).map((l) => l.slice(0, 300)).join('\n')}`);
    mkdirSync('test-results', { recursive: true });
    writeFileSync(`test-results/${LONG ? 'fuzz.json' : 'fuzz-fast.json'}`, JSON.stringify(summary, null, 2));
    const line = (k: string, v: unknown) => `  ${k.padEnd(14)} ${typeof v === 'string' ? v : JSON.stringify(v)}`;
    console.log(
      [
        `fuzz ${summary.profile}: ${summary.cases.total} cases in ${Math.round(summary.durationMs.total / 1000)} s (seed ${SEED})`,
        line('cases', summary.cases),
        line('timings', summary.durationMs),
        line('statuses', statuses),
        line('frames back', frameTypes),
        line('webhooks', webhookStatuses),
        line('settle misses', { settleMisses, ...missedBy }),
        line('memory (MB)', { ...summary.memoryMb, note: undefined }),
        line('server fds', fds),
        line('exit', stop),
        findings.list().length ? `${findings.list().length} distinct failures:\n${findings.report()}` : '  no failures',
      ].join('\n'),
    );
  }, 60_000);

  it.skipIf(skip('http'))(
    'HTTP: every operation of /openapi.json (and the pages), as every kind of caller, valid and malformed: no 5xx, no error log, 4xx in the error shape',
    async () => {
      const opArbs = ops.map((o) => operationArb(o, world, hints));
      const arb = fc.oneof({ weight: 85, arbitrary: fc.oneof(...opArbs) }, { weight: 10, arbitrary: strayRequestArb(world) }, { weight: 2, arbitrary: rawRequestArb });
      const r = await hunt(arb, runHttp, (v) => describeRequest(v, world), findings, {
        suite: 'http',
        runs: BUDGET.http,
        timeLimitMs: TIME.http,
        seed: SEED,
        maxRounds: ROUNDS,
        shrinkBudget: SHRINK,
        between: { every: LONG ? 500 : 250, fn: () => world.refresh() },
        stop: () => !alive(),
      });
      counts.http = r.cases;
      timings.httpMs = r.ms;
      Object.assign(timings, { httpHunt: `${r.cases} cases, ${r.calls} calls, ${r.rounds} rounds, ${r.runMs}/${r.ms} ms` });
      const broken = await world.check();
      expect(broken, 'fixture callers must still work after the fuzz').toEqual([]);
      expect(findings.list('http').map((f) => f.signature), findings.report('http')).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it.skipIf(skip('concurrency'))(
    'concurrency: identical requests in parallel — one winner where one is expected, never a 5xx',
    async () => {
      const t0 = Date.now();
      const suite = 'concurrency';
      const problem = (p: Problem, example: string) => findings.record(suite, p, () => example);

      const json = (method: string, path: string, as: keyof World['tokens'] | undefined, body?: unknown, op = `${method} ${path}`): FuzzRequest => ({
        op,
        as: as ?? 'anonymous',
        method,
        path,
        headers: { ...(as && world.tokens[as] ? { authorization: `Bearer ${world.tokens[as]}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        labels: ['scenario'],
      });
      const n8 = <T>(f: (i: number) => T) => Array.from({ length: 8 }, (_, i) => f(i));

      /** A named scenario: 8 at once, then an expectation about the set of answers. */
      async function scenario(name: string, reqs: FuzzRequest[], expectFn: (s: number[], bodies: any[]) => string | undefined): Promise<void> {
        const r = await batch(reqs);
        counts.scenarioRequests += reqs.length;
        const example = `${name}: 8 at once of\n${describeRequest(reqs[0]!, world)}\nstatuses: ${r.statuses.join(', ')}`;
        for (const p of r.problems) if (!findings.all.has(p.signature)) problem({ ...p, signature: `${p.signature} [${name}]` }, example);
        const wrong = expectFn(r.statuses, r.bodies);
        if (wrong) problem({ signature: `expect|${name}|${wrong.replace(/\d+/g, 'N')}`, kind: 'expectation', detail: wrong }, `${example}\nbodies: ${JSON.stringify(r.bodies).slice(0, 600)}`);
      }
      const exactlyOne = (ok: number, others: number[]) => (s: number[]) => {
        const wins = s.filter((x) => x === ok).length;
        return wins === 1 && s.every((x) => x === ok || others.includes(x)) ? undefined : `expected one ${ok} and the rest in ${others.join('/')}, got ${[...s].sort().join(',')}`;
      };
      const below500 = (s: number[]) => (s.every((x) => x > 0 && x < 500) ? undefined : `got ${s.join(',')}`);

      const reps = LONG ? 25 : 1;
      for (let rep = 0; rep < reps && alive(); rep++) {
        const u = `${Date.now().toString(36)}${rep}`;
        await world.refresh();
        await scenario('create one agent e-mail ×8 (admin)', n8(() => json('POST', '/v1/admin/agents', 'admin', { email: `race-${u}@example.com`, name: 'Race', password: 'race-password' })), exactlyOne(201, [409]));
        await scenario('create one agent e-mail ×8 (API key)', n8(() => json('POST', '/v1/admin/agents', 'apikey', { email: `race2-${u}@example.com`, name: 'Race', password: 'race-password', role: 'admin' })), exactlyOne(201, [409]));
        await scenario('create one queue name ×8', n8(() => json('POST', '/v1/admin/queues', 'apikey', { name: `race ${u}` })), exactlyOne(201, [409]));
        await scenario('create one canned shortcut ×8', n8(() => json('POST', '/v1/admin/canned-responses', 'admin', { shortcut: `race-${u}`, text: 'x' })), exactlyOne(201, [409]));
        const conv = world.ids.activeConversation;
        await scenario('one clientMessageId ×8', n8(() => json('POST', `/v1/conversations/${conv}/messages`, 'customer', { clientMessageId: `race-${u}`, text: 'once' })), (s, b) => {
          const wrong = exactlyOne(201, [200])(s);
          if (wrong) return wrong;
          const seqs = new Set(b.map((x) => x?.event?.seq));
          return seqs.size === 1 ? undefined : `expected one event, got seqs ${[...seqs].join(',')}`;
        });
        const fresh = await world.req('POST', '/v1/sessions');
        if (fresh.status === 201) {
          const tok = fresh.body.token as string;
          const reqs = n8(() => ({ ...json('POST', '/v1/conversations', undefined, {}), headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' }, as: 'fresh customer' }));
          await scenario('open a conversation ×8 (fresh customer)', reqs, (s, b) => {
            const wrong = exactlyOne(201, [200])(s);
            if (wrong) return wrong;
            const ids = new Set(b.map((x) => x?.conversation?.id));
            return ids.size === 1 ? undefined : `expected one conversation, got ${ids.size}`;
          });
          // The same customer's first messages at once, each with its own key: all stored, in one conversation.
          const convId = (await world.req('GET', '/v1/conversations', tok)).body?.conversations?.[0]?.id as string | undefined;
          if (convId) {
            const msgs = n8((i) => ({ ...json('POST', `/v1/conversations/${convId}/messages`, undefined, { clientMessageId: `m${i}`, text: `m${i}` }), headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' } }));
            await scenario('8 different messages at once', msgs, (s) => (s.every((x) => x === 201) ? undefined : `expected 8×201, got ${s.join(',')}`));
            // Two agents race for one waiting conversation: it ends up with one of them; the winner's repeats
            // are idempotent (200), the loser no longer sees it (404) or is told it is taken (409).
            await scenario('accept one waiting conversation ×8 (agent and admin)', n8((i) => json('POST', `/v1/agent/conversations/${convId}/accept`, i % 2 ? 'agent' : 'admin')), (s, b) => {
              if (!s.every((x) => [200, 404, 409].includes(x))) return `expected 200/404/409, got ${s.join(',')}`;
              const owners = new Set(b.filter((x) => x?.conversation).map((x) => x.conversation.agentId));
              const winners = new Set(s.map((x, i) => (x === 200 ? i % 2 : -1)).filter((x) => x >= 0));
              return owners.size === 1 && winners.size === 1 ? undefined : `expected one owner, got ${owners.size} owners, ${winners.size} winning callers (${s.join(',')})`;
            });
            await scenario('end one conversation ×8 (customer)', n8(() => ({ ...json('POST', `/v1/conversations/${convId}/end`, undefined), headers: { authorization: `Bearer ${tok}` } })), below500);
          }
        } else world.notes.push(`concurrency: POST /v1/sessions → ${fresh.status}`);
        const idt = await world.identityToken({ sub: `race-${u}`, name: 'Racer' });
        await scenario('one identity, 8 sessions at once', n8(() => json('POST', '/v1/sessions', undefined, { identityToken: idt })), (s, b) => {
          if (!s.every((x) => x === 201 || x === 429)) return `expected 201s, got ${s.join(',')}`;
          const ids = new Set(b.filter((x) => x?.contact).map((x) => x.contact.id));
          return ids.size <= 1 ? undefined : `expected one contact, got ${ids.size}`;
        });
        await scenario('one proactive idempotency key ×8 (new identity)', n8(() => json('POST', '/v1/messages/proactive', 'apikey', { identity: { channel: 'web', externalId: `race-${u}` }, text: 'hi', idempotencyKey: `race-${u}` })), (s, b) => {
          const wrong = exactlyOne(201, [200])(s);
          if (wrong) return wrong;
          const ids = new Set(b.map((x) => x?.conversation?.id));
          return ids.size === 1 ? undefined : `expected one conversation, got ${ids.size}`;
        });
        await scenario('PATCH /v1/me ×8', n8((i) => json('PATCH', '/v1/me', 'customer', { name: `Name ${i}` })), (s) => (s.every((x) => x === 200) ? undefined : `expected 8×200, got ${s.join(',')}`));
        await scenario('PATCH /v1/me {} ×8', n8(() => json('PATCH', '/v1/me', 'customer2', {})), (s) => (s.every((x) => x === 200) ? undefined : `expected 8×200, got ${s.join(',')}`));
        const key = await world.req('POST', '/v1/admin/api-keys', world.tokens.apikey, { name: `race-${u}`, scopes: ['offers:write'] });
        if (key.status === 201) await scenario('revoke one API key ×8', n8(() => json('DELETE', `/v1/admin/api-keys/${key.body.apiKey.id}`, 'apikey')), exactlyOne(200, [404]));
        const victim = world.pools.victimAgent[0];
        if (victim) await scenario('change one agent ×8', n8((i) => json('PATCH', `/v1/admin/agents/${victim}`, 'admin', { name: `Victim ${i}`, capacity: i + 1 })), (s) => (s.every((x) => x === 200) ? undefined : `expected 8×200, got ${s.join(',')}`));
        const offer = world.pools.offer[0];
        if (offer) await scenario('ack one offer ×8', n8(() => json('POST', `/v1/offers/${offer}/ack`, 'customer')), below500);
        await scenario('setup ×8 after setup', n8(() => json('POST', '/v1/setup', undefined, { code: 'x'.repeat(24), email: `s-${u}@example.com`, name: 'S', password: 'password123' })), (s) => (s.every((x) => x >= 400 && x < 500) ? undefined : `got ${s.join(',')}`));
        await world.refresh();
      }

      // Then any mutating operation, k identical copies at once.
      const mutating = ops.filter((o) => o.method !== 'GET');
      const arb = fc.record({ req: fc.oneof(...mutating.map((o) => operationArb(o, world, hints))), k: fc.integer({ min: 2, max: 8 }) });
      const per = 5;
      const r = await hunt(
        arb,
        async ({ req, k }) => {
          const b = await batch(Array.from({ length: k }, () => req));
          // Problems the one-at-a-time suite already has are not news here; the rest are races.
          return b.problems.filter((p) => findings.all.get(p.signature)?.suite !== 'http').map((p) => ({ ...p, signature: `${p.signature} [concurrent]` }));
        },
        ({ req, k }) => `${k} at once of:\n${describeRequest(req, world)}`,
        findings,
        { suite, runs: Math.max(10, Math.round(BUDGET.concurrency / per)), timeLimitMs: TIME.concurrency, seed: SEED + 1, maxRounds: ROUNDS, shrinkBudget: Math.round(SHRINK / 3), between: { every: 50, fn: () => world.refresh() }, stop: () => !alive(), onCase: ({ k }) => (counts.concurrencyRequests += k) },
      );
      counts.concurrencyBatches = r.cases;
      timings.concurrencyMs = Date.now() - t0;
      expect(findings.list(suite).map((f) => f.signature), findings.report(suite)).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it.skipIf(skip('frames'))(
    'stream frames: customers, agents and admins send schema-shaped and arbitrary frames; only error frames come back, the socket stays open',
    async () => {
      const t0 = Date.now();
      const suite = 'frames';
      const sendMessage = (await (await fetch(`${server.url}/openapi.json`)).json()) as { paths: Record<string, any> };
      const sm = sendMessage.paths['/v1/conversations/{id}/messages']?.post?.requestBody?.content?.['application/json']?.schema as JsonSchema | undefined;
      const sockets: Partial<Record<FrameCase['as'], FrameSocket>> = {};
      let barrier = 0;
      const frameTiming = { open: 0, wait: 0, opens: 0 };
      const socketFor = async (as: FrameCase['as']) => {
        let s = sockets[as];
        if (!s || s.closed) {
          frameTiming.opens++;
          s = sockets[as] = await FrameSocket.open(server, world.tokens[as]!);
        }
        return s;
      };

      async function runFrames(cases: FrameCase[]): Promise<Problem[]> {
        const problems: Problem[] = [];
        const mark = server.logs.mark();
        const as = cases[0]!.as;
        let sock: FrameSocket;
        const tOpen = Date.now();
        debug('case', as, cases.length, cases.map((c) => c.labels.join()).join(' '));
        try {
          sock = await socketFor(as);
          debug('socket ready');
          frameTiming.open += Date.now() - tOpen;
        } catch (e) {
          return [{ signature: `socket-open|${as}|${(e as Error).message.replace(/\d+/g, 'N')}`, kind: 'socket-closed', detail: `could not open a stream as ${as}: ${(e as Error).message}` }];
        }
        const from = sock.frames.length;
        let oversized = false;
        let invalidText = false;
        const expectRefs: { ref: string; wait: number; type: string; must: boolean }[] = [];
        for (const c of cases) {
          const size = typeof c.data === 'string' ? Buffer.byteLength(c.data) : c.data.length;
          if (size > BODY_LIMIT) oversized = true;
          if (!c.binary && typeof c.data !== 'string') invalidText = true;
          sock.send(c.data, c.binary);
          let parsed: any;
          try {
            parsed = typeof c.data === 'string' ? JSON.parse(c.data) : undefined;
          } catch {
            parsed = undefined;
          }
          const ref = typeof parsed?.ref === 'string' ? parsed.ref : parsed?.type === 'message' && typeof parsed?.clientMessageId === 'string' ? parsed.clientMessageId : undefined;
          // A message is always answered (ack or error, with its ref or clientMessageId); read and watch when
          // they carry a ref; typing only when it fails.
          if (ref !== undefined && ['message', 'read', 'watch', 'typing'].includes(parsed?.type)) {
            const must = cases.length === 1 && (parsed.type === 'message' || ((parsed.type === 'read' || parsed.type === 'watch') && ref !== ''));
            expectRefs.push({ ref, wait: must ? 5000 : 100, type: parsed.type, must });
          }
        }
        let pong: any;
        let unanswered: string | undefined;
        if (sock.violated) {
          // After a protocol violation the server closes the socket; don't wait for answers on it.
          await sock.next(() => false, 2000);
          if (!sock.closed) {
            problems.push({ signature: `socket-open after ${oversized ? 'an oversized' : 'a non-UTF-8'} frame`, kind: 'socket-closed', detail: 'the server did not close the socket within 2 s after a protocol violation' });
            sock.ws.terminate();
            sock.closed = { code: -1, reason: 'terminated by the suite' };
          }
        } else {
          const b = `__barrier-${++barrier}`;
          sock.send(JSON.stringify({ type: 'ping', ref: b }), false);
          pong = await sock.next((f) => f?.type === 'pong' && f.ref === b, 8000, from);
          // Frames that failed validation are answered at once (before the barrier's pong); the others
          // answer with their ref once the work is done.
          const answeredEarly = sock.frames.slice(from).some((f) => f?.type === 'error' && f.ref === undefined);
          if (pong && !answeredEarly) {
            for (const x of expectRefs) {
              const answer = await sock.next((f) => f?.ref === x.ref && f?.type !== 'pong', x.wait, from);
              if (!answer && x.must && !sock.closed) unanswered = x.type;
            }
          }
        }
        frameTiming.wait += Date.now() - tOpen;
        debug('answered', Date.now() - tOpen, 'ms');
        const got = sock.frames.slice(from);
        for (const f of got) {
          const t = typeof f?.type === 'string' ? f.type : '<no type>';
          frameTypes[t === 'error' ? `error ${f.error?.code}` : t] = (frameTypes[t === 'error' ? `error ${f.error?.code}` : t] ?? 0) + 1;
        }
        const kindOf = (c: FrameCase) => {
          try {
            const p = JSON.parse(typeof c.data === 'string' ? c.data : '') as { type?: unknown };
            return typeof p?.type === 'string' && ['ping', 'message', 'typing', 'read', 'watch'].includes(p.type) ? p.type : 'other';
          } catch {
            return 'non-JSON';
          }
        };
        const kinds = [...new Set(cases.map(kindOf))].sort().join('+');
        if (sock.closed) {
          // Closing is right only after a protocol violation: a frame over the size limit (1009) or a text frame
          // that is not UTF-8 (1007); with more frames in flight the close may come as 1005/1006.
          if (!sock.violated) {
            problems.push({ signature: `socket-closed|${as}|${sock.closed.code}|${kinds}`, kind: 'socket-closed', detail: `the socket was closed: ${sock.closed.code} ${sock.closed.reason} (${Date.now() - sock.openedAt} ms after it opened); last frames sent: ${JSON.stringify(sock.lastSent)}` });
          } else if (cases.length === 1 && !(oversized && sock.closed.code === 1009) && !(invalidText && sock.closed.code === 1007)) {
            problems.push({ signature: `socket-closed|${sock.closed.code} after ${oversized ? 'an oversized' : 'a non-UTF-8'} frame`, kind: 'socket-closed', detail: `closed with ${sock.closed.code} ${sock.closed.reason}` });
          }
        } else if (!pong && !sock.violated) problems.push({ signature: `frame-timeout|${as}|${kinds}`, kind: 'frame-timeout', detail: 'no pong for the barrier ping within 8 s' });
        if (unanswered) problems.push({ signature: `frame-unanswered|${as}|${unanswered}`, kind: 'frame-timeout', detail: `a ${unanswered} frame got neither an ack nor an error within 5 s` });
        for (const f of got) {
          if (f?.type === '<not JSON>') problems.push({ signature: `frame-shape|${as}|not JSON`, kind: 'frame-shape', detail: `a frame that is not JSON: ${f.raw}` });
          if (f?.type !== 'error') continue;
          if (!isErrorShape(f)) problems.push({ signature: `frame-shape|${as}|${kinds}`, kind: 'frame-shape', detail: `an error frame not in the error shape: ${JSON.stringify(f).slice(0, 300)}` });
          else if (f.error.code === 'PARLEY_E_INTERNAL') problems.push({ signature: `frame-internal|${as}|${kinds}`, kind: 'frame-internal', detail: `PARLEY_E_INTERNAL: ${JSON.stringify(f).slice(0, 300)}` });
        }
        for (const l of server.logs.leaksSince(mark)) problems.push({ signature: `secret-in-log|${l.name.replace(/#\d+$/, '')}`, kind: 'secret-in-log', detail: `a log line contains the ${l.name} credential`, logLines: [l.line] });
        // No frame carries a credential either: an admin's watch gets `vendor` frames of raw vendor traffic,
        // which must come masked (src/vendor/traffic-mask.ts).
        for (const f of got) {
          const text = JSON.stringify(f);
          for (const sec of server.logs.secrets) if (text.includes(sec.value)) problems.push({ signature: `secret-in-frame|${sec.name.replace(/#\d+$/, '')}`, kind: 'secret-in-log', detail: `a ${String(f?.type)} frame contains the ${sec.name} credential` });
        }
        for (const e of server.logs.errorsSince(mark)) problems.push({ signature: `log|stream|${e.msg.slice(0, 120)}`, kind: 'error-log', detail: `${e.msg} (frames: ${kinds})`, logLines: [e.line] });
        for (const line of server.logs.stderrSince(mark)) problems.push({ signature: `stderr|${line.replace(/\d+/g, 'N').slice(0, 100)}`, kind: 'stderr', detail: line });
        if (!alive()) problems.push({ signature: 'crash', kind: 'crash', detail: 'the server process is gone' });
        return problems;
      }

      const one = frameArb(frameSchemas(sm), hints);
      const single = await hunt(one, (c) => runFrames([c]), describeFrame, findings, {
        suite,
        runs: Math.round(BUDGET.frames * 0.8),
        timeLimitMs: TIME.frames * 0.8,
        seed: SEED + 2,
        maxRounds: ROUNDS,
        shrinkBudget: SHRINK,
        between: { every: 200, fn: () => world.refresh() },
        stop: () => !alive(),
        onCase: () => counts.frames++,
      });
      // Bursts: several frames on one socket without waiting (the server handles them concurrently).
      const burstArb = fc.tuple(fc.constantFrom('customer' as const, 'agent' as const, 'admin' as const), fc.array(one, { minLength: 2, maxLength: 12 })).map(([as, cs]) => cs.map((c) => ({ ...c, as })));
      const bursts = await hunt(burstArb, runFrames, (cs) => cs.map(describeFrame).join('\n'), findings, {
        suite,
        runs: Math.max(5, Math.round((BUDGET.frames * 0.2) / 7)),
        timeLimitMs: TIME.frames * 0.2,
        seed: SEED + 3,
        maxRounds: ROUNDS,
        shrinkBudget: Math.round(SHRINK / 3),
        stop: () => !alive(),
        onCase: (cs) => {
          counts.frameBursts++;
          counts.frames += cs.length;
        },
      });
      for (const s of Object.values(sockets)) s?.close();
      timings.framesMs = Date.now() - t0;
      Object.assign(timings, { frameSocketOpenMs: frameTiming.open, frameSocketOpens: frameTiming.opens, frameCaseMs: frameTiming.wait });
      Object.assign(timings, { framesSingle: `${single.cases} cases, ${single.calls} calls, ${single.runMs}/${single.ms} ms`, framesBursts: `${bursts.cases} cases, ${bursts.calls} calls, ${bursts.runMs}/${bursts.ms} ms` });
      expect(findings.list(suite).map((f) => f.signature), findings.report(suite)).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it.skipIf(skip('webhooks'))(
    'vendor webhooks: signed and forged, well-formed and malformed, other methods and paths, concurrent duplicates: no 5xx, no error log, forged → the target\'s refusal (401 or SNS\'s 403), one stored message per vendor id',
    async () => {
      const t0 = Date.now();
      const suite = 'webhooks';
      const targets = Object.values(WEBHOOK_TARGETS);
      // Customers with open conversations on each vendor desk, for the payloads to name.
      const scenes = new Map<string, WebhookScene>();
      for (const t of targets) scenes.set(t.name, await buildScene(server, world, t));
      const refreshScenes = async () => {
        for (const sc of scenes.values()) await refreshScene(sc);
      };
      timings.webhookSceneMs = Date.now() - t0;

      const runCase = async (c: WebhookCase): Promise<Problem[]> => {
        const problems = await runHttp(c.req, (res) => {
          // With what a 2xx said ({ignored: why}), to show how deep the payloads reached.
          let ignored: unknown;
          try {
            ignored = (JSON.parse(res.body) as { ignored?: unknown }).ignored;
          } catch {
            ignored = undefined;
          }
          const key = `${res.status}${typeof ignored === 'string' ? ` ignored:${ignored}` : ''}`;
          const per = (webhookStatuses[`${c.target} ${c.expect}`] ??= {});
          per[key] = (per[key] ?? 0) + 1;
          return checkWebhook(c, res, BODY_LIMIT);
        });
        return problems.filter((p) => !allowedRetry(c, p));
      };
      const single = await hunt(fc.oneof(...targets.map((t) => webhookCaseArb(t, scenes.get(t.name)!))), runCase, (c) => `expected: ${c.expect}${c.mayRetry ? ' (or 503 UNAVAILABLE: an http attachment)' : ''}\n${describeRequest(c.req, world)}`, findings, {
        suite,
        runs: BUDGET.webhooks,
        timeLimitMs: TIME.webhooks,
        seed: SEED + 4,
        maxRounds: ROUNDS,
        shrinkBudget: SHRINK,
        between: { every: LONG ? 500 : 200, fn: refreshScenes },
        stop: () => !alive(),
        onCase: () => counts.webhooks++,
      });

      // A vendor retrying before its first try was answered: the same signed payload 5 times at once is all
      // 2xx and exactly one stored message (read back as the target says: the customer's events, or the
      // conversations of the phone number it came from). Where a target cannot link a message to a
      // conversation it can read, only the answers are checked.
      const dupArbs = targets.flatMap((t) => duplicateArb(t, scenes.get(t.name)!) ?? []);
      const dups = await hunt(
        fc.oneof(...dupArbs),
        async (d: DuplicateCase): Promise<Problem[]> => {
          await d.plan.before();
          const b = await batch(Array.from({ length: d.copies }, () => d.req));
          const stored = d.plan.stored ? await d.plan.stored(d.marker) : 1;
          const problems = b.problems.map((p) => ({ ...p, signature: `${p.signature} [duplicates]` }));
          if (!b.statuses.every((x) => x >= 200 && x < 300)) problems.push({ signature: `expect|${d.target}|duplicates answered ${[...new Set(b.statuses)].sort().join('/')}`, kind: 'expectation', detail: `${d.copies} copies of one signed payload: ${b.statuses.join(', ')}; ${JSON.stringify(b.bodies).slice(0, 300)}` });
          if (stored !== 1) problems.push({ signature: `expect|${d.target}|duplicates stored ${stored === 0 ? 'none' : 'more than once'}`, kind: 'expectation', detail: `${d.copies} copies of vendor message ${d.id} at once (answers ${b.statuses.join(', ')}) stored ${stored} message(s); answers ${JSON.stringify(b.bodies).slice(0, 300)}` });
          return problems;
        },
        (d) => `${d.copies} at once of:\n${describeRequest(d.req, world)}`,
        findings,
        {
          suite,
          runs: Math.max(3, BUDGET.webhookDuplicates),
          timeLimitMs: TIME.webhookDuplicates,
          seed: SEED + 5,
          maxRounds: ROUNDS,
          shrinkBudget: Math.round(SHRINK / 3),
          between: { every: 10, fn: refreshScenes },
          stop: () => !alive(),
          onCase: (d) => {
            counts.webhookDuplicateBursts++;
            counts.webhookDuplicateRequests += d.copies;
          },
        },
      );
      timings.webhooksMs = Date.now() - t0;
      Object.assign(timings, { webhooksSingle: `${single.cases} cases, ${single.calls} calls, ${single.runMs}/${single.ms} ms`, webhookDuplicates: `${dups.cases} bursts, ${dups.calls} calls, ${dups.runMs}/${dups.ms} ms` });
      expect(findings.list(suite).map((f) => f.signature), findings.report(suite)).toEqual([]);
    },
    TEST_TIMEOUT,
  );

  it(
    'afterwards: the process is alive and ready, logged no error line and wrote nothing to stderr; memory comes back down',
    async () => {
      memory.afterLoad = server.memory();
      closeConnections();
      await sleep(1000);
      fds.afterLoad = server.fds();
      fds.closeWaitAfterLoad = server.closeWait();
      if (LONG) {
        await sleep(10_000);
        memory.afterIdle = server.memory();
        heapAfterGc = await server.forceGc().catch(() => undefined);
        await sleep(1000);
        memory.afterGc = server.memory();
      }
      expect(alive(), 'the server process is alive').toBe(true);
      expect(fds.closeWaitAfterLoad, 'server sockets left open after their client hung up (CLOSE-WAIT)').toBe(0);
      expect(server.logs.leaks.map((l) => `${l.name}: ${l.line.slice(0, 300)}`), 'credentials in the log').toEqual([]);
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      const errors = server.logs.errors.map((e) => `${e.msg}${e.request ? ` (request ${e.request.slice(0, 160)})` : ''}`);
      expect({ errorLines: errors.length, stderr: server.logs.stderr.length }, [...new Set(errors)].slice(0, 40).join('\n') + '\n' + server.logs.stderr.slice(0, 40).join('\n')).toEqual({ errorLines: 0, stderr: 0 });
      // And it still shuts down cleanly: SIGTERM → exit 0 within the grace period, no error line.
      closeConnections();
      const t = Date.now();
      exit = await server.stop();
      timings.shutdownMs = Date.now() - t;
      const late = server.logs.errors.slice(errors.length).map((e) => e.msg);
      expect({ exit, late }, `after SIGTERM; connections the server still had:\n${server.stopDiagnostics}\nlast log lines:\n${server.logs.tail.slice(-6).map((l) => l.slice(0, 300)).join('\n')}`).toEqual({ exit: { code: 0, signal: null }, late: [] });
    },
    TEST_TIMEOUT,
  );
});
