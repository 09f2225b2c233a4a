import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/store/db.js';
import { dialects, freshPostgres, type DialectName } from '../helpers/databases.js';
import { Api, StreamClient, sleep, until } from '../helpers/server.js';

// The crash test. A real `parley start` process takes a flood of customer messages while an agent
// stream is attached, and is killed with SIGKILL half-way through. After a restart on the same data the
// clients do what the client contract says (retry every send that was not acknowledged, with the same
// clientMessageId) and we check the promise of ARCHITECTURE §4: an acknowledged message is durable and
// stored once, retries never duplicate, seqs stay gap-free, a resuming stream misses nothing, and the
// dispatcher finishes the deliveries the dead process left pending.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'parley.js');
const CUSTOMERS = 5;
const PER_CUSTOMER = 60;
const TOTAL = CUSTOMERS * PER_CUSTOMER;
/** Kill once this many sends have been acknowledged: well inside the flood. */
const KILL_AFTER_ACKS = Math.floor(TOTAL * 0.4);

const children = new Set<ChildProcess>();
const killAll = () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
};
process.once('exit', killAll);

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** The test spawns the built CLI: build unless dist/ is newer than every source file (`npm test` builds first). */
function ensureBuilt(): void {
  const entry = join(ROOT, 'dist', 'cli', 'main.js');
  if (existsSync(entry) && statSync(entry).mtimeMs >= newestMtime(join(ROOT, 'src'))) return;
  try {
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'pipe' });
  } catch (e) {
    const out = e as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`build failed:\n${out.stdout?.toString() ?? ''}${out.stderr?.toString() ?? ''}`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** The environment of one node: only what we set, so a developer's PARLEY_* or DATABASE_URL cannot leak in. */
function nodeEnv(dataDir: string, databaseUrl: string | undefined, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(PARLEY_|DATABASE_URL$|REDIS_URL$|PORT$|HOST$|LOG_LEVEL$)/.test(k)) env[k] = v;
  return {
    ...env,
    HOST: '127.0.0.1',
    PARLEY_DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    PARLEY_PRINT_SETUP: 'false',
    PARLEY_DELIVERY_BASE_DELAY_MS: '20',
    PARLEY_DELIVERY_MAX_DELAY_MS: '200',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...extra,
  };
}

interface Node {
  child: ChildProcess;
  url: string;
  output: () => string;
}

async function startNode(dataDir: string, databaseUrl: string | undefined): Promise<Node> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, 'start'], { cwd: dataDir, env: nodeEnv(dataDir, databaseUrl, { PORT: String(port) }), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-8000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`parley start exited with ${child.exitCode}:\n${out}`);
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > end) throw new Error(`parley start did not become ready:\n${out}`);
    await sleep(50);
  }
  return { child, url, output: () => out };
}

function killNode(node: Node): Promise<void> {
  return new Promise((resolve) => {
    if (node.child.exitCode !== null || node.child.signalCode !== null) return resolve();
    node.child.once('exit', () => resolve());
    node.child.kill('SIGKILL');
  });
}

interface Ack {
  id: string;
  eventId: string;
  seq: number;
}

interface Customer {
  token: string;
  contactId: string;
  conversationId: string;
  ids: string[];
  /** Acknowledged sends, in the order the acknowledgements arrived. */
  acked: Ack[];
}

beforeAll(() => ensureBuilt(), 120_000);
afterAll(killAll);

describe.each(await dialects())('a server killed with SIGKILL mid-flood loses and duplicates nothing (%s)', (dialect: DialectName) => {
  let dataDir: string;
  let pgdb: { url: string; drop: () => Promise<void> } | undefined;
  let db: Database | undefined;
  let node: Node | undefined;
  const streams: StreamClient[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'parley-crash-'));
    pgdb = dialect === 'postgres' ? await freshPostgres() : undefined;
  });

  afterAll(async () => {
    for (const s of streams) s.ws.terminate();
    if (node) await killNode(node);
    await db?.close();
    await pgdb?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('acknowledged messages survive exactly once, retries are deduplicated, streams resume, deliveries finish', async () => {
    // An agent made with the CLI, as an operator would.
    await promisify(execFile)(process.execPath, [BIN, 'agent', 'add', '--email', 'crash@example.com', '--name', 'Crash Agent', '--password', 'password123', '--capacity', '20'], {
      cwd: dataDir,
      env: nodeEnv(dataDir, pgdb?.url),
    });

    node = await startNode(dataDir, pgdb?.url);
    let api = new Api(node.url);
    const agentToken = await api.login('crash@example.com', 'password123');
    const agentStream = await StreamClient.open(node.url, agentToken);
    agentStream.ws.on('error', () => undefined); // the kill resets the socket
    streams.push(agentStream);

    const customers: Customer[] = [];
    for (let i = 0; i < CUSTOMERS; i++) {
      const c = await api.customer();
      const open = await api.post('/v1/conversations', {}, c.token);
      expect(open.status).toBe(201);
      customers.push({ ...c, conversationId: open.body.conversation.id, ids: Array.from({ length: PER_CUSTOMER }, (_, j) => `crash-${i}-${j}`), acked: [] });
    }
    // The agent is online with room for all of them: round-robin assigns every conversation.
    for (const c of customers) await agentStream.next((f) => f.type === 'event' && f.event.conversationId === c.conversationId && f.event.kind === 'participant.joined');

    // ---- the flood, and the kill ---------------------------------------------------------------
    const first = node;
    let acks = 0;
    let killedAt = -1;
    const unexpected: string[] = [];
    const flood = customers.map(async (c) => {
      for (const id of c.ids) {
        if (killedAt >= 0) return;
        let res: Response;
        try {
          res = await fetch(`${first.url}/v1/conversations/${c.conversationId}/messages`, {
            method: 'POST',
            headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ clientMessageId: id, text: `message ${id}` }),
          });
        } catch {
          return; // the server died under this request: not acknowledged
        }
        let body: { event?: { id: string; seq: number } } | undefined;
        try {
          body = (await res.json()) as typeof body;
        } catch {
          return; // died while writing the answer: not acknowledged either
        }
        if (res.status !== 201 || !body?.event) {
          unexpected.push(`${id}: ${res.status} ${JSON.stringify(body)}`);
          return;
        }
        c.acked.push({ id, eventId: body.event.id, seq: body.event.seq });
        if (++acks >= KILL_AFTER_ACKS && killedAt < 0) {
          killedAt = acks;
          first.child.kill('SIGKILL');
        }
      }
    });
    await Promise.all(flood);
    await killNode(first);
    expect(unexpected).toEqual([]);
    expect(killedAt).toBeGreaterThan(0);
    const ackedBeforeKill = customers.reduce((n, c) => n + c.acked.length, 0);
    expect(ackedBeforeKill).toBeLessThan(TOTAL); // the kill really landed mid-flood

    // What the agent's stream held when the server died, per conversation: seqs 1..k with no gap or repeat.
    const cursors: Record<string, number> = {};
    for (const c of customers) {
      const seqs = agentStream.events(c.conversationId).map((e) => e.seq as number);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      cursors[c.conversationId] = seqs.at(-1) ?? 0;
    }
    const seenBeforeKill = new Set(agentStream.events().filter((e) => e.kind === 'message').map((e) => e.clientMessageId as string));

    // What the dead process left undone in the outbox (it cannot finish it any more; the next one must).
    db = openDatabase({ databaseUrl: pgdb?.url, dataDir, poolSize: 2 });
    const store = db.db;
    const convIds = customers.map((c) => c.conversationId);
    const pendingAtCrash = Number(
      (await store.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('conversation_id', 'in', convIds).where('status', '=', 'pending').executeTakeFirstOrThrow()).n,
    );

    // ---- restart on the same data; the agent resumes from its cursors while the clients retry ------
    node = await startNode(dataDir, pgdb?.url);
    api = new Api(node.url);
    const resumed = await StreamClient.open(node.url, agentToken, cursors);
    resumed.ws.on('error', () => undefined);
    streams.push(resumed);

    let retried = 0;
    let retriedFoundStored = 0;
    const retryErrors: string[] = [];
    await Promise.all(
      customers.map(async (c) => {
        const ackedIds = new Set(c.acked.map((a) => a.id));
        // Every send without an acknowledgement, in the original order (sequential, so order is defined).
        for (const id of c.ids.filter((x) => !ackedIds.has(x))) {
          retried++;
          const r = await api.post(`/v1/conversations/${c.conversationId}/messages`, { clientMessageId: id, text: `message ${id}` }, c.token);
          // 201 for a first store, 200 for a replay of one the dead server had committed.
          if (r.body?.duplicate === true) retriedFoundStored++;
          if (r.status !== (r.body?.duplicate ? 200 : 201)) retryErrors.push(`${id}: ${r.status} ${JSON.stringify(r.body)}`);
          c.acked.push({ id, eventId: r.body.event?.id, seq: r.body.event?.seq });
        }
      }),
    );
    expect(retryErrors).toEqual([]);
    // A request in flight at the kill may or may not have committed; at most one per customer can have.
    expect(retriedFoundStored).toBeLessThanOrEqual(CUSTOMERS);

    // Some acknowledged ones are retried too (a client that never saw its answer): same event, nothing new.
    let retriedAcked = 0;
    for (const c of customers) {
      for (const a of [c.acked[0], c.acked[Math.floor(c.acked.length / 2)], c.acked.at(-1)]) {
        if (!a) continue;
        retriedAcked++;
        const r = await api.post(`/v1/conversations/${c.conversationId}/messages`, { clientMessageId: a.id, text: `message ${a.id}` }, c.token);
        expect(r.status).toBe(200);
        expect(r.body.duplicate).toBe(true);
        expect(r.body.event.id).toBe(a.eventId);
        expect(r.body.event.seq).toBe(a.seq);
      }
    }

    // ---- the log ---------------------------------------------------------------------------------
    // The dispatcher (new process) moves every delivery past pending, including those the dead one left.
    await until(
      async () => {
        const r = await store.selectFrom('deliveries').select((eb) => eb.fn.countAll<number>().as('n')).where('conversation_id', 'in', convIds).where('status', '=', 'pending').executeTakeFirst();
        return Number(r?.n ?? 0) === 0;
      },
      10_000,
      'no pending deliveries',
    );

    // Wait until the resumed agent stream holds everything in the log (its own delivered receipts append
    // a little more after each burst, so wait for the two to meet).
    const lastSeqs = async () => {
      const rows = await store.selectFrom('conversations').select(['id', 'last_seq']).where('id', 'in', convIds).execute();
      return new Map(rows.map((r) => [r.id, Number(r.last_seq)]));
    };
    await until(
      async () => {
        const last = await lastSeqs();
        if (!convIds.every((id) => (resumed.events(id).at(-1)?.seq ?? cursors[id]) === last.get(id))) return false;
        await sleep(300); // receipts flush every 100 ms: make sure nothing more is coming
        const again = await lastSeqs();
        return convIds.every((id) => again.get(id) === last.get(id) && (resumed.events(id).at(-1)?.seq ?? cursors[id]) === again.get(id));
      },
      10_000,
      'the resumed agent stream to catch up',
    );
    const last = await lastSeqs();

    for (const c of customers) {
      const rows = await store.selectFrom('events').selectAll().where('conversation_id', '=', c.conversationId).orderBy('seq').execute();
      // Gap-free 1..N.
      expect(rows.map((r) => Number(r.seq))).toEqual(rows.map((_, i) => i + 1));
      expect(rows.length).toBe(last.get(c.conversationId));
      // Exactly the customer's sends, each once, in the order they were made (and acknowledged).
      const messages = rows.filter((r) => r.kind === 'message' && r.source === `web:${c.contactId}`);
      expect(messages.map((r) => r.idem_key)).toEqual(c.ids);
      expect(messages.map((r) => (JSON.parse(r.body) as { clientMessageId?: string }).clientMessageId)).toEqual(c.ids);
      // Every acknowledgement told the truth: that event, at that seq, is in the log.
      const byKey = new Map(messages.map((r) => [r.idem_key, r]));
      for (const a of c.acked) {
        expect(byKey.get(a.id)?.id).toBe(a.eventId);
        expect(Number(byKey.get(a.id)?.seq)).toBe(a.seq);
      }
      // The same through the API.
      const viaApi = await api.get(`/v1/conversations/${c.conversationId}/events?after=0&limit=1000`, c.token);
      expect(viaApi.body.events.filter((e: any) => e.kind === 'message').map((e: any) => e.clientMessageId)).toEqual(c.ids);

      // The resumed stream: everything after the cursor, in order, nothing twice, nothing at or before it.
      const got = resumed.events(c.conversationId).map((e) => e.seq as number);
      const cursor = cursors[c.conversationId] ?? 0;
      expect(got).toEqual(Array.from({ length: (last.get(c.conversationId) ?? 0) - cursor }, (_, i) => cursor + 1 + i));
      // Between the two streams the agent saw every one of this customer's messages.
      const seen = new Set([...seenBeforeKill, ...resumed.events(c.conversationId).filter((e) => e.kind === 'message').map((e) => e.clientMessageId as string)]);
      expect(c.ids.filter((id) => !seen.has(id))).toEqual([]);
    }

    // No idempotency key twice anywhere (the unique constraint's promise, checked rather than assumed).
    const dupKeys = await store
      .selectFrom('events')
      .select(['source', 'idem_key', (eb) => eb.fn.countAll<number>().as('n')])
      .where('conversation_id', 'in', convIds)
      .where('idem_key', 'is not', null)
      .groupBy(['source', 'idem_key'])
      .having((eb) => eb.fn.countAll(), '>', 1)
      .execute();
    expect(dupKeys).toEqual([]);

    // One desk delivery per customer message, all past pending.
    const deliveries = await store
      .selectFrom('deliveries')
      .innerJoin('events', 'events.id', 'deliveries.event_id')
      .select(['deliveries.status', 'deliveries.leg', 'events.kind'])
      .where('deliveries.conversation_id', 'in', convIds)
      .where('events.kind', '=', 'message')
      .execute();
    expect(deliveries.length).toBe(TOTAL);
    expect(deliveries.every((d) => d.leg === 'desk')).toBe(true);
    expect(deliveries.filter((d) => !['sent', 'delivered', 'read'].includes(d.status))).toEqual([]);

    console.log(
      `[crash/${dialect}] sent ${TOTAL} (${CUSTOMERS}×${PER_CUSTOMER}); acknowledged before the kill: ${ackedBeforeKill}; ` +
        `retried unacknowledged: ${retried} (of which already stored: ${retriedFoundStored}); retried acknowledged: ${retriedAcked}; ` +
        `deliveries left pending by the dead process: ${pendingAtCrash}`,
    );
  }, 60_000); // two process starts and 300+ requests: give a loaded CI machine room
});
