import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectError } from '../errors/support.js';
import { describeExpect, expectFor, isMutating, rowTitle, type Expect, type Row } from './matrix.js';
import { PRINCIPALS, World, type Fixture, type PrincipalId, type WsClient } from './world.js';

// Runs one cell of the matrix: the row's request, sent by one principal, checked against the expected
// answer; for a refused write, also that nothing was stored.

/**
 * Registers one `it` per cell of these rows (named "<route> [variant] › <principal> → <expected answer>"),
 * against a world of their own: one server per test file.
 */
export function defineMatrix(rows: readonly Row[]): { world: () => World } {
  let w: World | undefined;
  beforeAll(async () => {
    w = await World.create();
  });
  afterAll(async () => w?.stop());
  const world = (): World => {
    if (!w) throw new Error('the matrix world did not start');
    return w;
  };
  for (const row of rows) {
    describe(rowTitle(row), () => {
      for (const p of PRINCIPALS) it(cellTitle(row, p), () => runCell(world(), row, p));
    });
  }
  return { world };
}

export function cellTitle(row: Row, p: PrincipalId): string {
  return `${p} → ${describeExpect(expectFor(row, p))}`;
}

export async function runCell(w: World, row: Row, p: PrincipalId): Promise<void> {
  const e = expectFor(row, p);
  const sharedName = `row:${rowTitle(row)}`;
  const build = row.fixture ?? ((ww: World) => ww.waiting());
  // A cell that succeeds consumes its fixture on rows marked fresh; refused cells share one per row.
  const builtBefore = w.has(sharedName);
  const fx = row.fresh && e.ok ? await build(w) : await w.shared(sharedName, () => build(w));
  const cred = w.cred(p, fx);
  // Refused cells of one row follow each other and change nothing: the state after one is the state before
  // the next (unless this cell had to build the row's fixture first).
  const last = w.lastDigest;
  w.lastDigest = undefined;
  const before = isMutating(row) && !e.ok ? (builtBefore && last?.row === sharedName ? last.digest : await w.digest()) : undefined;

  let check: () => void | Promise<void>;
  if (row.http) {
    const res = await w.http(row.http(fx, w), cred);
    check = () => checkHttp(row, p, e, fx, res);
  } else if (row.stream && 'connect' in row.stream && row.stream.connect === 'sse') {
    const res = await w.sse(cred);
    check = () => {
      if (e.ok) {
        expect({ status: res.status, sse: res.contentType.includes('text/event-stream') }, JSON.stringify(res.body)).toEqual({ status: 200, sse: true });
      } else {
        expect({ status: res.status, code: res.body?.error?.code }, JSON.stringify(res.body)).toEqual({ status: e.status, code: e.code });
      }
    };
  } else if (row.stream) {
    const op = row.stream;
    const res = await w.ws(cred);
    try {
      if (!e.ok && !e.frame) {
        // Refused before the upgrade: a plain HTTP answer, no socket.
        const closed = res.client ? await closeInfo(res.client) : '';
        check = () => expect({ status: res.status, code: res.body?.error?.code }, `${JSON.stringify(res.body ?? null)} ${closed}`).toEqual({ status: e.status, code: e.code });
      } else if (res.status !== 101 || !res.client) {
        check = () => expect({ status: res.status, body: res.body }, 'the stream should open').toEqual({ status: 101, body: undefined });
      } else {
        const ready = await res.client.next((f) => f.type === 'ready', 5000);
        if (!ready) {
          const closed = await closeInfo(res.client);
          check = () => expect(ready, `no "ready" frame; ${closed}`).toBeDefined();
        } else if ('connect' in op) {
          check = () => undefined;
        } else {
          const ref = w.uniq('ref');
          res.client.send(op.send(fx, w, ref));
          // A typing frame is not acknowledged: success is no error within a while.
          const reply = await res.client.next((f) => f.ref === ref && ['ack', 'pong', 'error'].includes(f.type), op.frame === 'typing' && e.ok ? 500 : 5000);
          const closed = res.client.closed ? `socket closed ${res.client.closed.code} ${res.client.closed.reason}` : '';
          check = () => checkFrame(op.frame, e, reply, closed);
        }
      }
    } finally {
      await res.client?.close();
    }
  } else {
    throw new Error(`row ${rowTitle(row)} has neither http nor stream`);
  }

  let stored: string | undefined;
  if (before) {
    const after = await w.digest();
    w.lastDigest = { row: sharedName, digest: after };
    if (!isDeepStrictEqual(before, after)) {
      stored = diff(before, after);
      // The row's shared fixture is no longer what the next cell expects.
      w.invalidate(sharedName);
    }
  }
  await check();
  expect(stored, 'a refused request must store nothing').toBeUndefined();
}

function checkHttp(row: Row, p: PrincipalId, e: Expect, fx: Fixture, res: { status: number; body: any; headers: Headers }): void {
  if (!e.ok) {
    if (!e.frame) expectError(res, e.status, e.code);
    // An error says nothing about whose resource it was.
    expect(JSON.stringify(res.body ?? '')).not.toContain(fx.owner.contactId);
    return;
  }
  expect(res.status, typeof res.body === 'string' ? res.body.slice(0, 300) : JSON.stringify(res.body)).toBe(e.status);
  if (row.lists) {
    const id = row.lists.id(fx);
    const shown = JSON.stringify(res.body).includes(id);
    expect(shown, row.lists.who.includes(p) ? `${p} should see ${id} in the list` : `${p} must not see ${id} in the list`).toBe(row.lists.who.includes(p));
  }
}

function checkFrame(frame: string, e: Expect, reply: any, closed: string): void {
  const got = reply === undefined ? `no answer ${closed}` : JSON.stringify(reply);
  if (e.ok) {
    if (frame === 'typing') expect(reply?.type, got).not.toBe('error');
    else expect(reply?.type, got).toBe(frame === 'ping' ? 'pong' : 'ack');
    return;
  }
  expect({ type: reply?.type, code: reply?.error?.code }, got).toEqual({ type: 'error', code: e.code });
}

async function closeInfo(c: WsClient): Promise<string> {
  await c.next(() => false, 300);
  return c.closed ? `(upgraded, then closed ${c.closed.code} ${c.closed.reason})` : '(upgraded and left open)';
}

function diff(before: Record<string, unknown[]>, after: Record<string, unknown[]>): string {
  const out: string[] = [];
  for (const k of Object.keys(after)) {
    const b = new Set((before[k] ?? []).map((r) => JSON.stringify(r)));
    const a = new Set((after[k] ?? []).map((r) => JSON.stringify(r)));
    const added = [...a].filter((r) => !b.has(r));
    const removed = [...b].filter((r) => !a.has(r));
    if (added.length || removed.length) out.push(`${k}: +${added.slice(0, 3).join(' +')} -${removed.slice(0, 3).join(' -')}`);
  }
  return out.join('\n');
}

