import { expect } from 'vitest';
import type { Res, TestServer } from '../helpers/server.js';

// Small helpers for the error suites: row counts to prove nothing was stored, and the one error shape.

export type Counts = { contacts: number; conversations: number; events: number; deliveries: number };

export async function countRows(ts: TestServer): Promise<Counts> {
  const db = ts.server.database.db;
  const n = async (table: keyof Counts) => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  return { contacts: await n('contacts'), conversations: await n('conversations'), events: await n('events'), deliveries: await n('deliveries') };
}

/** Asserts status, code and the {error:{code,message,retryable}} shape every error body has. */
export function expectError(res: Res, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.error?.code }, JSON.stringify(res.body)).toEqual({ status, code });
  expect(res.headers.get('content-type') ?? '').toContain('application/json');
  expect(typeof res.body.error.message).toBe('string');
  expect(res.body.error.message.length).toBeGreaterThan(0);
  expect(typeof res.body.error.retryable).toBe('boolean');
  expect(Object.keys(res.body)).toEqual(['error']);
  for (const k of Object.keys(res.body.error)) expect(['code', 'message', 'retryable', 'details']).toContain(k);
}

/** Runs `bad` and asserts that it stored nothing at all. */
export async function storesNothing<T>(ts: TestServer, bad: () => Promise<T>): Promise<T> {
  const before = await countRows(ts);
  const out = await bad();
  expect(await countRows(ts)).toEqual(before);
  return out;
}
