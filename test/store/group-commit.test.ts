import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunInTx } from '../../src/core/ports.js';
import { migrate, openDatabase, type Database } from '../../src/store/db.js';
import type { GroupCommit } from '../../src/store/group-commit.js';
import { makeRunInTx } from '../../src/store/tx.js';

// Group commit on SQLite (src/store/group-commit.ts): concurrent transactions share one COMMIT, each command
// stays atomic on its own, and nobody is answered before the COMMIT that holds their write.

let dir: string;
let database: Database;
let run: RunInTx;
let group: GroupCommit;
/** A second connection to the same file: what any other reader (or a restarted process) would see. */
let outside: SQLite.Database;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'parley-group-'));
  database = openDatabase({ dataDir: dir });
  await migrate(database.db);
  run = makeRunInTx(database.db, database.dialect, database.hot, (g) => (group = g));
  outside = new SQLite(join(dir, 'parley.db'), { readonly: true });
});
afterEach(async () => {
  outside.close();
  await database.close();
  rmSync(dir, { recursive: true, force: true });
});

const visibleOutside = (contactId: string): boolean => outside.prepare('select id from contacts where id = ?').get(contactId) !== undefined;
/** A command that writes one contact (for the identity `name`) and returns its id. */
const addContact = (name: string, after?: () => void) =>
  run(async (tx) => {
    const c = await tx.ensureContactForIdentity('web', name, { verified: true });
    after?.();
    return c.id;
  });

describe('group commit', () => {
  it('commits concurrent transactions together, and answers each only once its write is visible to everyone', async () => {
    const insideVisible: boolean[] = [];
    const answeredVisible: boolean[] = [];
    const answers = Array.from({ length: 20 }, (_, i) =>
      run(async (tx) => {
        const c = await tx.ensureContactForIdentity('web', `user-${i}`, { verified: true });
        // Written, not yet committed: nobody else sees it yet.
        insideVisible.push(visibleOutside(c.id));
        return c.id;
      }).then((id) => {
        answeredVisible.push(visibleOutside(id));
        return id;
      }),
    );
    const ids = await Promise.all(answers);
    expect(new Set(ids).size).toBe(20);
    expect(insideVisible).toEqual(ids.map(() => false));
    expect(answeredVisible).toEqual(ids.map(() => true));
    expect(group.stats.commands).toBe(20);
    expect(group.stats.commits).toBeLessThanOrEqual(2);
  });

  it('a command that throws is rolled back alone: the others in its batch commit', async () => {
    const ok1 = addContact('alice');
    const failing = run(async (tx) => {
      const c = await tx.ensureContactForIdentity('web', 'mallory', { verified: true });
      throw Object.assign(new Error('refused'), { contactId: c.id });
    });
    const ok2 = addContact('bob');
    const [a, f, b] = await Promise.allSettled([ok1, failing, ok2]);
    expect(a.status).toBe('fulfilled');
    expect(b.status).toBe('fulfilled');
    expect(f.status).toBe('rejected');
    const mallory = (f as PromiseRejectedResult).reason as { contactId: string; message: string };
    expect(mallory.message).toBe('refused');
    expect(visibleOutside(mallory.contactId)).toBe(false);
    expect(visibleOutside((a as PromiseFulfilledResult<string>).value)).toBe(true);
    expect(visibleOutside((b as PromiseFulfilledResult<string>).value)).toBe(true);
    expect(group.stats.commits).toBe(1);
  });

  it('later commands see the writes of earlier ones in the same batch (one key, one winner)', async () => {
    const ids = await Promise.all(Array.from({ length: 8 }, () => addContact('same-person')));
    expect(new Set(ids).size).toBe(1);
    expect(group.stats.commits).toBe(1);
  });
});
