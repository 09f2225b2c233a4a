import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { BIN, freePort, runCli } from '../helpers/process.js';
import { startSnsCertServer, type SnsCertServer } from './fuzz-sns.js';
import { deskReports } from '../../src/hub/desk-reports.js';
import type { Hub } from '../../src/hub/hub.js';
import { openDatabase, type Database } from '../../src/store/db.js';
import { makeRunInTx } from '../../src/store/tx.js';

// The fuzz suite's server: the built CLI (`node bin/parley.js start`) as a separate process, so the suite
// can read its JSON log lines, notice stderr output (crashes, unhandled rejections), check that it is
// still alive and read its memory from /proc. npm test builds dist/ first; `npm run fuzz` does too.

export const ADMIN = { email: 'fuzz-admin@example.com', password: 'fuzz-admin-password-1' };

/**
 * The vendor desks the fuzz server runs besides the inbox, so their webhooks have real conversations to hit
 * (fuzz-webhooks.ts). Each points at a closed local port and hardly calls out on its own (no end detection,
 * Genesys's queue polling every 10 minutes only): deliveries to it fail fast and retry (warnings only, see PARLEY_DELIVERY_* below).
 * Conversations opened with the `entryPoint` reach it; everything else goes to the inbox as before.
 */
export const VENDOR_DESKS = {
  gc: {
    entryPoint: 'fuzz-genesys',
    // A queue, so GET /v1/availability asks Genesys (a closed port: null after one failed call per 5 s); its
    // poller for waiting customers runs only every 10 minutes (a warning each time, in the long profile).
    settings: {
      type: 'genesys',
      host: 'http://127.0.0.1:9',
      clientId: 'fuzz-client',
      clientSecret: { env: 'FUZZ_GENESYS_CLIENT_SECRET' },
      integrationId: 'fuzz-integration',
      webhookSecret: { env: 'FUZZ_GENESYS_WEBHOOK_SECRET' },
      endDetection: 'none',
      queueId: 'fuzz-queue',
      availabilityIntervalMs: 600_000,
      attemptTimeoutMs: 1000,
      totalTimeoutMs: 2000,
    },
  },
  // Amazon Connect: its chat stream arrives as SNS notifications, signed by the fuzz certificate server's key
  // (fuzz-sns.ts; its host is added as `snsTrustedHosts` when the config is written).
  cx: {
    entryPoint: 'fuzz-connect',
    settings: {
      type: 'connect',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      instanceId: 'fuzz-instance',
      contactFlowId: 'fuzz-flow',
      topicArn: 'arn:aws:sns:us-east-1:123456789012:fuzz-connect-stream',
      credentials: { accessKeyId: 'AKIAFUZZCONNECT00000', secretAccessKey: { env: 'FUZZ_CONNECT_SECRET_ACCESS_KEY' } },
      attemptTimeoutMs: 1000,
      totalTimeoutMs: 2000,
    },
  },
  // LivePerson (fuzz-liveperson.ts): its domain API (CSDS) is a closed port, so no token, conversation, file
  // URL or survey close ever succeeds and the desk never links a LivePerson conversation by itself; the scene
  // links one to each of its conversations in the external id map (linkExternal). Two client secrets, as
  // while rotating: either one signs.
  lp: {
    entryPoint: 'fuzz-liveperson',
    settings: {
      type: 'liveperson',
      accountId: '12345678',
      clientId: 'fuzz-lp-client-0d3c',
      clientSecret: [{ env: 'FUZZ_LP_CLIENT_SECRET' }, { env: 'FUZZ_LP_CLIENT_SECRET_NEXT' }],
      csdsUrl: 'http://127.0.0.1:9',
      attemptTimeoutMs: 1000,
      totalTimeoutMs: 2000,
      mediaTimeoutMs: 1000,
    },
  },
} as const;
export type VendorDesk = keyof typeof VENDOR_DESKS;

/**
 * The vendor channels the fuzz server runs besides the web channel, routed to the inbox, so their webhooks
 * open real conversations. Their vendor APIs are a closed local port: agent replies fail fast and retry.
 */
export const VENDOR_CHANNELS = {
  tw: {
    settings: {
      type: 'twilio-sms',
      accountSid: `AC${'f0'.repeat(16)}`,
      authToken: { env: 'FUZZ_TWILIO_AUTH_TOKEN' },
      from: '+15005550006',
      // The public URL as configured at Twilio (behind a proxy): the signature covers it, not the Host header.
      webhookUrl: 'https://parley.fuzz.example/webhooks/twilio-sms/tw',
      apiBaseUrl: 'http://127.0.0.1:9',
      attemptTimeoutMs: 1000,
      totalTimeoutMs: 2000,
      mediaTimeoutMs: 1000,
    },
  },
  sms: {
    settings: {
      type: 'aws-sms',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      originationIdentity: '+15005550100',
      topicArn: 'arn:aws:sns:us-east-1:123456789012:fuzz-sms-two-way',
      eventsTopicArn: 'arn:aws:sns:us-east-1:123456789012:fuzz-sms-events',
      configurationSetName: 'fuzz-events',
      accessKeyId: 'AKIAFUZZAWSSMS000000',
      secretAccessKey: { env: 'FUZZ_AWS_SMS_SECRET_ACCESS_KEY' },
      attemptTimeoutMs: 1000,
      totalTimeoutMs: 2000,
    },
  },
  // Meta's two channels (fuzz-meta.ts): a Facebook Page on Messenger and a WhatsApp business number, both of one
  // app. The Graph API is a closed port: profile lookups, media ids and agent replies fail fast; a customer's
  // Messenger attachment is fetched from wherever the payload says (always local here).
  fb: {
    settings: {
      type: 'messenger',
      pageId: '100200300400500',
      pageAccessToken: { env: 'FUZZ_MESSENGER_PAGE_TOKEN' },
      // Two App Secrets, as while rotating: either one signs.
      appSecret: [{ env: 'FUZZ_META_APP_SECRET' }, { env: 'FUZZ_META_APP_SECRET_NEXT' }],
      verifyToken: { env: 'FUZZ_MESSENGER_VERIFY_TOKEN' },
      appId: '900800700600500',
      graphApiBaseUrl: 'http://127.0.0.1:9',
      // The Graph API is unreachable: a name lookup per new customer would only wait out its retries.
      profileNames: false,
      attemptTimeoutMs: 1000,
      totalTimeoutMs: 2000,
      mediaTimeoutMs: 1000,
    },
  },
  wa: {
    settings: {
      type: 'whatsapp',
      phoneNumberId: '106540352242922',
      wabaId: '102290129340398',
      accessToken: { env: 'FUZZ_WHATSAPP_ACCESS_TOKEN' },
      appSecret: { env: 'FUZZ_META_APP_SECRET' },
      verifyToken: { env: 'FUZZ_WHATSAPP_VERIFY_TOKEN' },
      appId: '900800700600500',
      graphApiBaseUrl: 'http://127.0.0.1:9',
      attemptTimeoutMs: 1000,
      totalTimeoutMs: 2000,
      mediaTimeoutMs: 1000,
    },
  },
} as const;
export type VendorChannel = keyof typeof VENDOR_CHANNELS;


export interface ErrorLine {
  /** The raw JSON log line (truncated). */
  line: string;
  level: number;
  msg: string;
  /** "METHOD url" of the request the line belongs to, from the same reqId's "incoming request" line. */
  request?: string;
  seq: number;
}

export interface LogMark {
  completed: number;
  errors: number;
  stderr: number;
  leaks: number;
}

/** Reads the server's stdout (pino JSON lines) and stderr as they come, keeping only what the suite needs. */
export class LogWatcher {
  /** How many "request completed" lines so far (each HTTP request logs one). */
  completed = 0;
  lines = 0;
  readonly errors: ErrorLine[] = [];
  readonly warnings: ErrorLine[] = [];
  /** stderr lines that are not the inspector's own banner. */
  readonly stderr: string[] = [];
  /** Lines that are not JSON (the server should print none with PARLEY_PRINT_SETUP=false). */
  readonly plain: string[] = [];
  private readonly reqs = new Map<string, string>();
  /** Credentials that must never appear in a log line (tokens, keys, secrets). */
  secrets: { name: string; value: string }[] = [];
  /** Log lines that contained one of `secrets`. */
  readonly leaks: { name: string; line: string }[] = [];
  /** The last lines of stdout, whatever their level (for the report when something goes wrong). */
  readonly tail: string[] = [];
  private waiters: (() => void)[] = [];
  private buf = '';
  private errBuf = '';
  inspectorUrl: string | undefined;

  attach(child: ChildProcess): void {
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      this.buf += d;
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        this.onLine(line);
      }
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    });
    child.stderr!.on('data', (d: string) => {
      this.errBuf += d;
      let i: number;
      while ((i = this.errBuf.indexOf('\n')) >= 0) {
        const line = this.errBuf.slice(0, i);
        this.errBuf = this.errBuf.slice(i + 1);
        this.onStderr(line);
      }
    });
  }

  private onLine(line: string): void {
    if (!line.trim()) return;
    this.lines++;
    this.tail.push(line.slice(0, 1000));
    if (this.tail.length > 40) this.tail.shift();
    for (const sec of this.secrets) {
      if (line.includes(sec.value) && this.leaks.length < 200) this.leaks.push({ name: sec.name, line: line.slice(0, 2000) });
    }
    if (line.includes('"msg":"request completed"')) {
      this.completed++;
      return;
    }
    if (line.includes('"msg":"incoming request"')) {
      const id = /"reqId":"([^"]+)"/.exec(line)?.[1];
      const m = /"method":"([^"]*)","url":"((?:[^"\\]|\\.)*)"/.exec(line);
      if (id && m) {
        this.reqs.set(id, `${m[1]} ${m[2]}`);
        if (this.reqs.size > 5000) this.reqs.delete(this.reqs.keys().next().value as string);
      }
      return;
    }
    const level = Number(/"level":(\d+)/.exec(line)?.[1] ?? NaN);
    if (!Number.isFinite(level)) {
      if (this.plain.length < 200) this.plain.push(line.slice(0, 2000));
      return;
    }
    if (level < 40) return;
    let msg = '';
    let reqId: string | undefined;
    try {
      const j = JSON.parse(line) as { msg?: string; reqId?: string; err?: { message?: string; code?: string } };
      msg = [j.msg, j.err?.code, j.err?.message].filter(Boolean).join(' | ');
      reqId = j.reqId;
    } catch {
      msg = line.slice(0, 300);
    }
    const entry: ErrorLine = { line: line.slice(0, 4000), level, msg: msg.slice(0, 500), seq: this.lines, ...(reqId && this.reqs.has(reqId) ? { request: this.reqs.get(reqId)! } : {}) };
    if (level >= 50) this.errors.push(entry);
    else if (this.warnings.length < 500) this.warnings.push(entry);
  }

  private onStderr(line: string): void {
    const m = /Debugger listening on (ws:\/\/\S+)/.exec(line);
    if (m) {
      this.inspectorUrl = m[1];
      return;
    }
    if (!line.trim() || /^For help, see: https:\/\/nodejs\.org/.test(line) || /^Debugger (attached|ending)/.test(line) || /Waiting for the debugger to disconnect/.test(line)) return;
    if (this.stderr.length < 1000) this.stderr.push(line.slice(0, 2000));
  }

  mark(): LogMark {
    return { completed: this.completed, errors: this.errors.length, stderr: this.stderr.length, leaks: this.leaks.length };
  }

  leaksSince(mark: LogMark): { name: string; line: string }[] {
    return this.leaks.slice(mark.leaks);
  }

  /** Wait until `n` more requests have been logged as completed since `mark` (or the timeout passed). */
  async settle(mark: LogMark, n = 1, timeoutMs = 400): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (this.completed < mark.completed + n) {
      const left = end - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return true;
  }

  errorsSince(mark: LogMark): ErrorLine[] {
    return this.errors.slice(mark.errors);
  }

  stderrSince(mark: LogMark): string[] {
    return this.stderr.slice(mark.stderr);
  }
}

export interface Memory {
  /** Resident set size now, MB. */
  rssMb: number;
  /** Peak resident set size (VmHWM) since start, MB. */
  hwmMb: number;
}

export interface FuzzServer {
  url: string;
  host: string;
  port: number;
  pid: number;
  dataDir: string;
  signingKey: string;
  identitySecret: string;
  metricsToken: string;
  /** The webhook secrets (Genesys's HMAC secret, Twilio's Auth Token), read by the server from the environment. */
  webhookSecrets: { gc: string; tw: string };
  /** Meta's app (both Meta channels): its App Secrets (the second one is the rotation's next) and each channel's Verify Token. */
  meta: { appSecrets: [string, string]; verifyTokens: { fb: string; wa: string } };
  /** LivePerson's app: its client secrets (the second one is the rotation's next), each signs webhooks. */
  liveperson: { clientSecrets: [string, string] };
  /**
   * Writes one mapping into the server's external id map (its SQLite file, through the desk's own
   * `deskReports(hub, instance).link`), as the desk would once its vendor answered: for desks that never
   * reach their vendor here (LivePerson: which conversation a webhook's conversation id is).
   */
  linkExternal(instance: string, kind: string, externalId: string, parleyId: string): Promise<void>;
  /** The local stand-in for Amazon SNS's certificate host: signs the SNS targets' envelopes. */
  sns: SnsCertServer;
  /** Vendor credentials the server holds: none may appear in a log line. */
  vendorSecrets: { name: string; value: string }[];
  logs: LogWatcher;
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  alive(): boolean;
  memory(): Memory | undefined;
  /** Through the inspector (only when started with `inspect`): a full GC, then the V8 heap in use, MB. */
  forceGc(): Promise<{ heapUsedMb: number; heapTotalMb: number } | undefined>;
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Server-side sockets whose client has hung up but which the server has not closed (CLOSE-WAIT). */
  closeWait(): number;
  /** Open file descriptors of the server process. */
  fds(): number;
  /** When a stop took more than 1.5 s: the server's established connections at that moment (`ss`). */
  stopDiagnostics?: string;
}

/** A clean environment: nothing from the caller's PARLEY_* or DATABASE_URL leaks into the server. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k.startsWith('PARLEY_') || ['DATABASE_URL', 'NODE_OPTIONS', 'LOG_LEVEL', 'PORT', 'HOST', 'VITEST', 'VITEST_WORKER_ID', 'VITEST_POOL_ID'].includes(k)) continue;
    env[k] = v;
  }
  return env;
}

export function readMemory(pid: number): Memory | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN);
    return { rssMb: Math.round(kb('VmRSS') / 102.4) / 10, hwmMb: Math.round(kb('VmHWM') / 102.4) / 10 };
  } catch {
    return undefined;
  }
}

export interface StartFuzzServerOptions {
  /** Start with --inspect=127.0.0.1:0 so the suite can force a full GC (HeapProfiler.collectGarbage). */
  inspect?: boolean;
  env?: Record<string, string>;
}

export async function startFuzzServer(opts: StartFuzzServerOptions = {}): Promise<FuzzServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-fuzz-'));
  const port = await freePort();
  const host = '127.0.0.1';
  const url = `http://${host}:${port}`;
  const signingKey = randomBytes(32).toString('base64url');
  const identitySecret = 'fuzz-identity-secret-that-is-long-enough-0123456789';
  const metricsToken = 'fuzz-metrics-token-0123456789abcdef';
  const webhookSecrets = { gc: `fuzz-gc-webhook-${randomBytes(12).toString('hex')}`, tw: `fuzz-tw-token-${randomBytes(12).toString('hex')}` };
  const clientSecret = `fuzz-gc-client-${randomBytes(12).toString('hex')}`;
  const awsSecrets = { cx: `fuzz-cx-secret-${randomBytes(12).toString('hex')}`, sms: `fuzz-sms-secret-${randomBytes(12).toString('hex')}` };
  const meta = {
    appSecrets: [`fuzz-meta-app-secret-${randomBytes(12).toString('hex')}`, `fuzz-meta-app-next-${randomBytes(12).toString('hex')}`] as [string, string],
    verifyTokens: { fb: `fuzz-fb-verify-${randomBytes(8).toString('hex')}`, wa: `fuzz-wa-verify-${randomBytes(8).toString('hex')}` },
  };
  const liveperson = { clientSecrets: [`fuzz-lp-secret-${randomBytes(12).toString('hex')}`, `fuzz-lp-next-${randomBytes(12).toString('hex')}`] as [string, string] };
  const metaTokens = { fb: `fuzz-fb-page-token-${randomBytes(12).toString('hex')}`, wa: `fuzz-wa-access-token-${randomBytes(12).toString('hex')}` };
  // The SNS targets' certificate host, trusted by both SNS adapters (as an emulator's is), nothing else.
  const sns = await startSnsCertServer();
  const trusted = { snsTrustedHosts: [sns.host] };
  // The switchboard, as an operator writes it: secrets as { "env": … }, never in the file.
  const configFile = join(dataDir, 'parley.config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      channels: { web: { type: 'web' }, ...Object.fromEntries(Object.entries(VENDOR_CHANNELS).map(([name, c]) => [name, c.settings.type === 'aws-sms' ? { ...c.settings, ...trusted } : c.settings])) },
      desks: { inbox: { type: 'inbox' }, ...Object.fromEntries(Object.entries(VENDOR_DESKS).map(([name, d]) => [name, d.settings.type === 'connect' ? { ...d.settings, ...trusted } : d.settings])) },
      routes: [
        ...Object.entries(VENDOR_DESKS).map(([name, d]) => ({ channel: 'web', entryPoint: d.entryPoint, desk: name })),
        { channel: 'web', desk: 'inbox' },
        ...Object.keys(VENDOR_CHANNELS).map((name) => ({ channel: name, desk: 'inbox' })),
      ],
    }),
  );
  const env: Record<string, string> = {
    ...baseEnv(),
    PORT: String(port),
    HOST: host,
    PARLEY_DATA_DIR: dataDir,
    PARLEY_PUBLIC_URL: url,
    LOG_LEVEL: 'info',
    PARLEY_PRINT_SETUP: 'false',
    PARLEY_IDENTITY_SECRET: identitySecret,
    PARLEY_METRICS_TOKEN: metricsToken,
    PARLEY_TOKEN_SIGNING_KEY: signingKey,
    // Uploads up to 1 MB (instead of 10): an over-limit upload stays cheap to send.
    PARLEY_MEDIA_MAX_BYTES: '1048576',
    PARLEY_DELIVERY_BASE_DELAY_MS: '50',
    // Only the vendor desks' deliveries are dispatched (web and inbox read the log), and their host is a
    // closed port: each attempt is a quick refusal and a warning. Back off to minutes and never give up
    // within a run, or "delivery failed for good" (an error line, rightly) would end the suite.
    PARLEY_DELIVERY_MAX_DELAY_MS: '600000',
    PARLEY_DELIVERY_MAX_ATTEMPTS: '100',
    PARLEY_CONFIG: configFile,
    FUZZ_GENESYS_WEBHOOK_SECRET: webhookSecrets.gc,
    FUZZ_GENESYS_CLIENT_SECRET: clientSecret,
    FUZZ_TWILIO_AUTH_TOKEN: webhookSecrets.tw,
    FUZZ_CONNECT_SECRET_ACCESS_KEY: awsSecrets.cx,
    FUZZ_AWS_SMS_SECRET_ACCESS_KEY: awsSecrets.sms,
    FUZZ_META_APP_SECRET: meta.appSecrets[0],
    FUZZ_META_APP_SECRET_NEXT: meta.appSecrets[1],
    FUZZ_MESSENGER_VERIFY_TOKEN: meta.verifyTokens.fb,
    FUZZ_WHATSAPP_VERIFY_TOKEN: meta.verifyTokens.wa,
    FUZZ_MESSENGER_PAGE_TOKEN: metaTokens.fb,
    FUZZ_WHATSAPP_ACCESS_TOKEN: metaTokens.wa,
    FUZZ_LP_CLIENT_SECRET: liveperson.clientSecrets[0],
    FUZZ_LP_CLIENT_SECRET_NEXT: liveperson.clientSecrets[1],
    // The AWS SDK (Connect, aws-sms) warns once on stderr that its 2027 releases need Node 22; the suite
    // counts every stderr line as a failure, so the operator's switch for that notice is set.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...opts.env,
  };
  // The first admin, made the way an operator makes it. Capacity is high so the fixture agents never fill up.
  const add = await runCli(['agent', 'add', '--email', ADMIN.email, '--name', 'Fuzz Admin', '--admin', '--capacity', '100000'], { ...env, PARLEY_AGENT_PASSWORD: ADMIN.password }, undefined, 60_000);
  if (add.code !== 0) {
    await sns.close();
    throw new Error(`parley agent add failed (${add.code}): ${add.stdout} ${add.stderr}`);
  }

  const args = [...(opts.inspect ? ['--inspect=127.0.0.1:0'] : []), BIN, 'start'];
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs = new LogWatcher();
  logs.attach(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let dead = false;
  void exited.then(() => (dead = true));

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (dead) {
      await sns.close();
      throw new Error(`the server exited during start: ${logs.stderr.join('\n')} ${logs.plain.join('\n')}`);
    }
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await sns.close();
      throw new Error(`the server did not start: ${logs.stderr.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const pid = child.pid!;
  let store: Database | undefined;
  const self: FuzzServer = {
    url,
    host,
    port,
    pid,
    dataDir,
    signingKey,
    identitySecret,
    metricsToken,
    webhookSecrets,
    meta,
    vendorSecrets: [
      ...Object.entries(webhookSecrets).map(([name, value]) => ({ name: `${name} webhook secret`, value })),
      { name: 'gc client secret', value: clientSecret },
      { name: 'cx secret access key', value: awsSecrets.cx },
      { name: 'sms secret access key', value: awsSecrets.sms },
      { name: 'meta app secret', value: meta.appSecrets[0] },
      { name: 'meta app secret (next)', value: meta.appSecrets[1] },
      // The Verify Tokens ride in the handshake's query string: the request log must redact them.
      { name: 'fb verify token', value: meta.verifyTokens.fb },
      { name: 'wa verify token', value: meta.verifyTokens.wa },
      { name: 'fb page access token', value: metaTokens.fb },
      { name: 'wa access token', value: metaTokens.wa },
      { name: 'lp client secret', value: liveperson.clientSecrets[0] },
      { name: 'lp client secret (next)', value: liveperson.clientSecrets[1] },
    ],
    liveperson,
    async linkExternal(instance, kind, externalId, parleyId) {
      // A second connection on the server's SQLite file (WAL, busy_timeout: as `parley agent add` is).
      store ??= openDatabase({ dataDir });
      const hub = { tx: makeRunInTx(store.db, store.dialect) } as unknown as Hub;
      await deskReports(hub, instance).link(kind, externalId, parleyId);
    },
    sns,
    logs,
    child,
    exited,
    alive: () => !dead && child.exitCode === null && child.signalCode === null,
    memory: () => readMemory(pid),
    closeWait: () => {
      try {
        return execFileSync('ss', ['-tnH', 'state', 'close-wait', `( sport = :${port} )`], { encoding: 'utf8', timeout: 5000 }).split('\n').filter((l) => l.trim()).length;
      } catch {
        return -1;
      }
    },
    fds: () => {
      try {
        return readdirSync(`/proc/${pid}/fd`).length;
      } catch {
        return -1;
      }
    },
    async forceGc() {
      if (!logs.inspectorUrl) return undefined;
      const ws = new WebSocket(logs.inspectorUrl);
      await new Promise<void>((resolve, reject) => {
        ws.once('open', () => resolve());
        ws.once('error', reject);
      });
      let id = 0;
      const call = (method: string, params: Record<string, unknown> = {}) =>
        new Promise<any>((resolve, reject) => {
          const my = ++id;
          const t = setTimeout(() => reject(new Error(`inspector ${method} timed out`)), 30_000);
          const onMsg = (d: WebSocket.RawData) => {
            const m = JSON.parse(d.toString()) as { id?: number; result?: unknown; error?: unknown };
            if (m.id !== my) return;
            ws.off('message', onMsg);
            clearTimeout(t);
            if (m.error) reject(new Error(JSON.stringify(m.error)));
            else resolve(m.result);
          };
          ws.on('message', onMsg);
          ws.send(JSON.stringify({ id: my, method, params }));
        });
      try {
        await call('HeapProfiler.collectGarbage');
        await call('HeapProfiler.collectGarbage');
        const h = (await call('Runtime.getHeapUsage')) as { usedSize: number; totalSize: number };
        return { heapUsedMb: Math.round(h.usedSize / 104857.6) / 10, heapTotalMb: Math.round(h.totalSize / 104857.6) / 10 };
      } finally {
        ws.close();
      }
    },
    async stop() {
      if (!dead) child.kill('SIGTERM');
      // Still running a second later: note which connections it is waiting for (for the report).
      const look = setTimeout(() => {
        try {
          const lines = execFileSync('ss', ['-tnoaH', `( sport = :${port} )`], { encoding: 'utf8', timeout: 5000 }).split('\n').filter((l) => l.trim());
          const live = lines.filter((l) => !l.startsWith('TIME-WAIT'));
          this.stopDiagnostics = `${live.length} connection(s) not closed (${lines.length - live.length} in TIME-WAIT)${live.length ? ':\n' + live.slice(0, 20).join('\n') : ''}`;
        } catch (e) {
          this.stopDiagnostics = `ss failed: ${(e as Error).message}`;
        }
      }, 1500);
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const r = await exited;
      await store?.close().catch(() => undefined);
      clearTimeout(t);
      clearTimeout(look);
      await sns.close();
      rmSync(dataDir, { recursive: true, force: true });
      return r;
    },
  };
  return self;
}
