import fc from 'fast-check';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import WebSocket from 'ws';
import type { FrameCase, FuzzRequest } from './fuzz-arbitraries.js';
import type { ErrorLine, FuzzServer } from './fuzz-server.js';
import type { World } from './fuzz-world.js';

// Sending fuzzed requests and frames, checking the answers, and keeping a register of distinct failures
// (each with fast-check's shrunk counterexample).

// ---- HTTP ------------------------------------------------------------------------------------------------------

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** A network-level failure: no response at all. */
  error?: string;
  ms: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 32 });
const MAX_BODY = 2 * 1024 * 1024;

/** Close the pooled keep-alive connections (before stopping the server, so its shutdown has nothing to wait for). */
export function closeConnections(): void {
  agent.destroy();
}

export function sendHttp(server: FuzzServer, r: FuzzRequest, timeoutMs = 15_000): Promise<HttpResult> {
  if (r.raw !== undefined) return sendRaw(server, r.raw, timeoutMs);
  return sendOnce(server, r, timeoutMs, true);
}

function sendOnce(server: FuzzServer, r: FuzzRequest, timeoutMs: number, mayRetry: boolean): Promise<HttpResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (res: Omit<HttpResult, 'ms'>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ ...res, ms: Date.now() - started });
    };
    let req: ReturnType<typeof request>;
    const buf = r.body === undefined ? undefined : typeof r.body === 'string' ? Buffer.from(r.body, 'utf8') : Buffer.from(r.body);
    const headers = buf ? (r.chunked ? { ...r.headers, 'transfer-encoding': 'chunked' } : { ...r.headers, 'content-length': String(buf.length) }) : r.headers;
    try {
      req = request({ host: server.host, port: server.port, method: r.method, path: r.path, headers, agent: r.upgrade ? false : agent, setHost: true });
    } catch (e) {
      // The client refused to send it (an invalid header or path): not the server's doing.
      finish({ status: 0, headers: {}, body: '', error: `client refused: ${(e as Error).message}` });
      return;
    }
    const timer = setTimeout(() => {
      req.destroy(new Error('timeout'));
      finish({ status: 0, headers: {}, body: '', error: `no response within ${timeoutMs} ms` });
    }, timeoutMs);
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      finish({ status: res.statusCode ?? 101, headers: res.headers, body: '' });
    });
    req.on('response', (res) => {
      const ct = String(res.headers['content-type'] ?? '');
      if (ct.startsWith('text/event-stream')) {
        // The stream as Server-Sent Events: the status and headers are the answer.
        res.destroy();
        req.destroy();
        finish({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_BODY) chunks.push(c);
      });
      res.on('end', () => {
        // An upgrade request answered without a switch: the client hangs up (the caller then checks that the
        // server closes its side too).
        if (r.upgrade) res.socket?.destroy();
        finish({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (e) => finish({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ...(res.statusCode ? {} : { error: e.message }) }));
      res.on('aborted', () => finish({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (done) return;
      // A kept-alive socket the server had just closed: try once more on a fresh one.
      if (mayRetry && (req.reusedSocket || e.code === 'ECONNRESET') && !r.upgrade) {
        done = true;
        clearTimeout(timer);
        void sendOnce(server, r, timeoutMs, false).then(resolve);
        return;
      }
      finish({ status: 0, headers: {}, body: '', error: `${e.code ?? ''} ${e.message}` });
    });
    if (buf !== undefined) {
      if (r.chunked) {
        req.write(buf.subarray(0, Math.floor(buf.length / 2)));
        req.end(buf.subarray(Math.floor(buf.length / 2)));
      } else req.end(buf);
    } else req.end();
  });
}

/** Write raw bytes on a fresh socket and read whatever comes back until the server closes it. */
function sendRaw(server: FuzzServer, raw: string, timeoutMs: number): Promise<HttpResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(server.port, server.host);
    let settled = false;
    const finish = (error?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const sep = text.indexOf('\r\n\r\n');
      const headers: IncomingHttpHeaders = {};
      for (const line of text.slice(0, sep < 0 ? undefined : sep).split('\r\n').slice(1)) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status: m ? Number(m[1]) : 0, headers, body: sep >= 0 ? text.slice(sep + 4) : '', ms: Date.now() - started, ...(m ? {} : { error: error ?? `connection closed without a response (${text.length} bytes)` }) });
    };
    // Requests that stay open (an upgrade that succeeded, a body that never comes) end at the first answer.
    const timer = setTimeout(() => finish('timeout'), Math.min(timeoutMs, 3000));
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      const text = Buffer.concat(chunks).toString('latin1');
      const sep = text.indexOf('\r\n\r\n');
      if (sep >= 0) {
        const len = Number(/\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, sep))?.[1] ?? NaN);
        if (/^HTTP\/1\.1 101/.test(text) || (Number.isFinite(len) && Buffer.byteLength(text.slice(sep + 4), 'latin1') >= len)) finish();
      }
    });
    socket.on('end', () => finish());
    socket.on('close', () => finish());
    socket.on('error', (e) => finish(e.message));
    socket.write(Buffer.from(raw, 'latin1'));
  });
}

export function isErrorShape(body: unknown): boolean {
  const e = (body as { error?: { code?: unknown; message?: unknown; retryable?: unknown } } | undefined)?.error;
  return Boolean(e && typeof e.code === 'string' && /^PARLEY_E_[A-Z_]+$/.test(e.code) && typeof e.message === 'string' && typeof e.retryable === 'boolean');
}

export interface Problem {
  /** What makes two failures "the same": kind, operation, status or code, log message. */
  signature: string;
  kind: 'status-5xx' | 'leak' | 'secret-in-log' | 'query-token' | 'no-response' | 'error-shape' | 'error-log' | 'stderr' | 'crash' | 'frame-internal' | 'frame-shape' | 'socket-closed' | 'frame-timeout' | 'expectation';
  detail: string;
  logLines?: string[];
}

const normalizeLog = (e: ErrorLine) => e.msg.replace(/\b(ag|ct|cv|md|of|cr|anon|dl|ev|pm)_[0-9a-z]+/g, '$1_…').replace(/\d{3,}/g, 'N').slice(0, 160);

/** The checks every HTTP answer must pass. Error log lines and stderr are passed in, already attributed. */
export function checkHttp(r: FuzzRequest, res: HttpResult, errors: ErrorLine[], stderr: string[], alive: boolean, leaks: { name: string; line: string }[] = []): Problem[] {
  const out: Problem[] = [];
  for (const l of leaks) out.push({ signature: `secret-in-log|${l.name.replace(/#\d+$/, '')}`, kind: 'secret-in-log', detail: `a log line contains the ${l.name} credential`, logLines: [l.line] });
  // A credential in the query string is read only by the stream; anywhere else it must not authenticate.
  if (r.queryTokenOnly && res.status >= 200 && res.status < 300) {
    out.push({ signature: `query-token|${r.op}`, kind: 'query-token', detail: `a ${r.as} token given only as ?token= was accepted (status ${res.status})` });
  }
  const op = r.op === 'stray' ? `stray ${r.method}` : r.op === 'raw' ? `raw ${r.raw?.split('\r\n')[0]?.slice(0, 60)}` : r.method === r.op.split(' ')[0] ? r.op : `${r.method} (as ${r.op})`;
  if (!alive) out.push({ signature: 'crash', kind: 'crash', detail: `the server process is gone (after ${r.method} ${r.path.slice(0, 200)})` });
  if (res.error && !res.error.startsWith('client refused')) {
    out.push({ signature: `no-response|${op}|${res.error.replace(/\d+/g, 'N').slice(0, 60)}`, kind: 'no-response', detail: res.error });
  }
  if (res.status >= 500) {
    let code = '';
    try {
      code = (JSON.parse(res.body) as { error?: { code?: string } }).error?.code ?? '';
    } catch {
      /* not JSON */
    }
    out.push({ signature: `5xx|${op}|${res.status}${code ? ' ' + code : ''}`, kind: 'status-5xx', detail: `status ${res.status}: ${res.body.slice(0, 300)}` });
  }
  // Every 4xx is the catalogue's error shape, except what never reaches Parley's code: a HEAD (no body) and a
  // WebSocket upgrade on another path (refused with a plain 404 by design).
  if (res.status >= 400 && res.status < 500 && r.method !== 'HEAD' && !(r.upgrade && res.status === 404)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(res.body);
    } catch {
      parsed = undefined;
    }
    if (!isErrorShape(parsed)) {
      // Answers made outside Parley's error handler (Fastify's router, Node's HTTP parser) are one problem
      // whatever the route: group them by their own code.
      const fw = parsed as { code?: unknown; statusCode?: unknown; error?: unknown } | undefined;
      const where =
        typeof fw?.code === 'string'
          ? fw.code
          : typeof fw?.statusCode === 'number'
            ? `Fastify "${String(fw.error)}"`
            : res.body === ''
              ? 'empty body'
              : parsed === undefined && res.body.length < 100
                ? `text "${res.body}"`
                : undefined;
      out.push({ signature: where ? `shape|${res.status} ${where}` : `shape|${op}|${res.status}`, kind: 'error-shape', detail: `status ${res.status}, content-type ${res.headers['content-type'] ?? '-'}, body: ${JSON.stringify(res.body.slice(0, 300))}` });
    }
  }
  for (const e of errors) {
    out.push({ signature: `log|${op}|${normalizeLog(e)}`, kind: 'error-log', detail: `level ${e.level}: ${e.msg}${e.request ? ` (request ${e.request.slice(0, 200)})` : ''}`, logLines: [e.line] });
  }
  for (const line of stderr) out.push({ signature: `stderr|${line.replace(/\d+/g, 'N').slice(0, 100)}`, kind: 'stderr', detail: line });
  return out;
}

// ---- The register of failures -----------------------------------------------------------------------------------

export interface Finding {
  signature: string;
  kind: Problem['kind'];
  suite: string;
  count: number;
  detail: string;
  logLines: string[];
  /** The counterexample: fast-check's shrunk value when `shrunk`, else the smallest one seen. */
  example: string;
  exampleSize: number;
  shrunk: boolean;
  shrinks?: number;
  seed?: number;
  path?: string;
}

export class Findings {
  readonly all = new Map<string, Finding>();

  record(suite: string, p: Problem, example: () => string): Finding {
    let f = this.all.get(p.signature);
    if (!f) {
      const ex = example();
      f = { signature: p.signature, kind: p.kind, suite, count: 0, detail: p.detail, logLines: p.logLines ?? [], example: ex, exampleSize: ex.length, shrunk: false };
      this.all.set(p.signature, f);
    } else if (!f.shrunk) {
      const ex = example();
      if (ex.length < f.exampleSize) {
        f.example = ex;
        f.exampleSize = ex.length;
        f.detail = p.detail;
        if (p.logLines?.length) f.logLines = p.logLines;
      }
    }
    f.count++;
    return f;
  }

  list(suite?: string): Finding[] {
    return [...this.all.values()].filter((f) => !suite || f.suite === suite);
  }

  report(suite?: string): string {
    return this.list(suite)
      .map(
        (f, i) =>
          `#${i + 1} [${f.kind}] ${f.signature}\n   seen ${f.count}×; ${f.detail}\n` +
          (f.logLines.length ? `   log: ${f.logLines[0]!.slice(0, 1500)}\n` : '') +
          `   ${f.shrunk ? `counterexample (shrunk ${f.shrinks ?? 0}×, seed ${f.seed}, path ${f.path})` : 'example (smallest seen, not shrunk)'}:\n${f.example
            .split('\n')
            .map((l) => '     ' + l)
            .join('\n')}`,
      )
      .join('\n\n');
  }
}

/** A request as a reader wants it: tokens replaced by the caller's name, long bodies cut. */
export function describeRequest(r: FuzzRequest, w: World): string {
  const names = Object.entries(w.tokens).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].length > 8);
  const hide = (s: string) => names.reduce((acc, [n, t]) => acc.split(t).join(`<${n} token>`), s);
  const cut = (s: string, n = 600) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);
  if (r.raw !== undefined) return `raw bytes: ${JSON.stringify(cut(r.raw, 400))}`;
  const body = r.body === undefined ? '' : typeof r.body === 'string' ? cut(JSON.stringify(r.body).slice(1, -1)) : `<${r.body.length} bytes: ${Buffer.from(r.body.subarray(0, 24)).toString('hex')}…>`;
  return [
    `${r.method} ${cut(hide(r.path), 400)}${r.upgrade ? '  (WebSocket upgrade)' : ''}${r.chunked ? '  (chunked)' : ''}`,
    `as: ${r.as}; made from: ${r.op}; ${r.labels.join(', ')}`,
    `headers: ${cut(hide(JSON.stringify(r.headers)), 600)}`,
    ...(r.body !== undefined ? [`body: ${body}`] : []),
  ].join('\n');
}

export interface HuntOptions<T = unknown> {
  suite: string;
  runs: number;
  timeLimitMs: number;
  seed: number;
  /** Stop hunting after this many distinct failures (each costs a shrink). */
  maxRounds: number;
  /** Property calls allowed for shrinking one failure. */
  shrinkBudget: number;
  /** Called every `every` cases between runs (world repair). */
  between?: { every: number; fn: () => Promise<void> };
  /** When this says so, every remaining case passes without running (the server died: nothing more to learn). */
  stop?: () => boolean;
  /** Called for each generated case (not for the replays made while shrinking). */
  onCase?: (v: T) => void;
}

/**
 * Run a property that reports problems instead of failing at once. Each round fails only on the first
 * problem whose signature has no shrunk counterexample yet; fast-check shrinks it; the next round
 * continues with the remaining runs. So one run finds every distinct failure, each with a small example.
 */
export async function hunt<T>(arb: fc.Arbitrary<T>, run: (v: T) => Promise<Problem[]>, describe: (v: T) => string, findings: Findings, o: HuntOptions<T>): Promise<{ cases: number; rounds: number; ms: number; runMs: number; calls: number }> {
  const start = Date.now();
  let cases = 0;
  let rounds = 0;
  let sinceRepair = 0;
  let runMs = 0;
  let calls = 0;
  while (cases < o.runs && Date.now() - start < o.timeLimitMs) {
    rounds++;
    let target: string | undefined;
    let shrinkCalls = 0;
    let inflight: Promise<unknown> = Promise.resolve();
    const prop = fc.asyncProperty(arb, (v) => {
      const p = body(v);
      inflight = p.catch(() => undefined);
      return p;
    });
    const body = async (v: T): Promise<boolean> => {
      // Out of time: the remaining runs pass at once (fast-check's own time limit is only a safety net,
      // since it would leave a run going in the background).
      if (o.stop?.() || Date.now() - start > o.timeLimitMs) return true;
      if (target !== undefined) {
        // Shrinking: stop when the budget is spent (the smallest failure so far is the counterexample).
        if (++shrinkCalls > o.shrinkBudget) return true;
      } else {
        cases++;
        o.onCase?.(v);
        if (o.between && ++sinceRepair >= o.between.every) {
          sinceRepair = 0;
          await o.between.fn();
        }
      }
      const t = Date.now();
      const problems = await run(v);
      runMs += Date.now() - t;
      calls++;
      let fail = false;
      for (const p of problems) {
        const f = findings.record(o.suite, p, () => describe(v));
        if (target === undefined && !f.shrunk && rounds <= o.maxRounds) {
          target = p.signature;
          fail = true;
        } else if (target !== undefined && p.signature === target) fail = true;
      }
      return !fail;
    };
    const left = o.runs - cases;
    const details = await fc.check(prop, { numRuns: left, seed: o.seed + rounds * 7919, interruptAfterTimeLimit: Math.max(1000, o.timeLimitMs - (Date.now() - start)) + 2000, markInterruptAsFailure: false });
    await inflight;
    if (details.failed && target !== undefined && details.counterexample) {
      const f = findings.all.get(target)!;
      f.shrunk = true;
      f.example = describe(details.counterexample[0]);
      f.shrinks = details.numShrinks;
      f.seed = details.seed;
      f.path = details.counterexamplePath ?? undefined;
      // Past maxRounds the next round only records (nothing more is shrunk) until the runs or the time are spent.
      continue;
    }
    break;
  }
  return { cases, rounds, ms: Date.now() - start, runMs, calls };
}

// ---- Stream frames --------------------------------------------------------------------------------------------

/** A WebSocket on /v1/stream that records frames and whether (and how) it closed. */
export class FrameSocket {
  ws!: WebSocket;
  frames: any[] = [];
  closed: { code: number; reason: string } | undefined;
  /** A frame over the size limit or a non-UTF-8 text frame was sent: the server may (must) close. */
  violated = false;
  openedAt = Date.now();
  /** The last frames sent (for the report when the socket closes). */
  readonly lastSent: string[] = [];
  private waiters: { pred: (f: any) => boolean; resolve: (f: any) => void }[] = [];

  static async open(server: FuzzServer, token: string, cursors?: Record<string, number>): Promise<FrameSocket> {
    const s = new FrameSocket();
    const q = cursors ? `&cursors=${encodeURIComponent(JSON.stringify(cursors))}` : '';
    s.ws = new WebSocket(`ws://${server.host}:${server.port}/v1/stream?token=${encodeURIComponent(token)}${q}`, { maxPayload: 64 * 1024 * 1024 });
    s.ws.on('message', (d, isBinary) => {
      let f: any;
      try {
        f = JSON.parse(d.toString());
      } catch {
        f = { type: '<not JSON>', raw: d.toString().slice(0, 200), isBinary };
      }
      s.frames.push(f);
      if (s.frames.length > 5000) s.frames.splice(0, 2500);
      s.waiters = s.waiters.filter((w) => {
        if (!w.pred(f)) return true;
        w.resolve(f);
        return false;
      });
    });
    s.ws.on('close', (code, reason) => {
      s.closed ??= { code, reason: reason.toString() };
      for (const w of s.waiters) w.resolve(undefined);
      s.waiters = [];
    });
    s.ws.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      s.ws.once('open', () => resolve());
      s.ws.once('unexpected-response', (_req, res) => reject(new Error(`stream refused: ${res.statusCode}`)));
      s.ws.once('error', reject);
    });
    const ready = await s.next((f) => f?.type === 'ready', 10_000, 0);
    if (!ready) throw new Error(`no ready frame within 10 s (closed: ${JSON.stringify(s.closed)})`);
    return s;
  }

  /** The next frame (from now on, or already received after index `from`) matching `pred`; undefined on timeout or close. */
  next(pred: (f: any) => boolean, timeoutMs: number, from?: number): Promise<any> {
    if (from !== undefined) {
      const found = this.frames.slice(from).find(pred);
      if (found) return Promise.resolve(found);
    }
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        resolve(undefined);
      }, timeoutMs);
      const done = (f: any) => {
        clearTimeout(t);
        resolve(f);
      };
      this.waiters.push({ pred, resolve: done });
    });
  }

  send(data: string | Uint8Array, binary: boolean): void {
    if ((typeof data === 'string' ? Buffer.byteLength(data) : data.length) > 262_144 || (!binary && typeof data !== 'string')) this.violated = true;
    this.lastSent.push(typeof data === 'string' ? data.slice(0, 200) : `<${data.length} bytes${binary ? '' : ' as text'}>`);
    if (this.lastSent.length > 5) this.lastSent.shift();
    this.ws.send(typeof data === 'string' ? data : Buffer.from(data), { binary });
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close();
  }
}

export function describeFrame(f: FrameCase): string {
  const d = typeof f.data === 'string' ? (f.data.length > 600 ? `${JSON.stringify(f.data.slice(0, 600))}… (${f.data.length} chars)` : JSON.stringify(f.data)) : `<${f.data.length} bytes: ${Buffer.from(f.data.subarray(0, 32)).toString('hex')}>`;
  return `frame as ${f.as} (${f.binary ? 'binary' : 'text'}; ${f.labels.join(', ')}): ${d}`;
}

export { fc };
