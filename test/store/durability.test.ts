import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { dialects } from '../helpers/databases.js';
import { startServer, type TestServer } from '../helpers/server.js';

// PARLEY_DURABILITY: `normal` (the default) is SQLite WAL with synchronous=NORMAL, `full` fsyncs at every
// commit (synchronous=FULL); PostgreSQL always commits with synchronous_commit=on.

const dialectList = await dialects();

describe('the durability setting', () => {
  let ts: TestServer | undefined;
  afterEach(async () => {
    await ts?.stop();
    ts = undefined;
  });
  const pragma = async (server: TestServer) => Number((await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(server.server.services.hub.db)).rows[0]?.synchronous);

  it('SQLite: NORMAL by default, FULL with PARLEY_DURABILITY=full', async () => {
    ts = await startServer();
    expect(await pragma(ts)).toBe(1);
    await ts.stop();
    ts = await startServer({ env: { PARLEY_DURABILITY: 'full' } });
    expect(await pragma(ts)).toBe(2);
  });

  it.runIf(dialectList.includes('postgres'))('PostgreSQL: synchronous_commit is on for every connection', async () => {
    ts = await startServer({ dialect: 'postgres' });
    const r = await sql<{ synchronous_commit: string }>`SHOW synchronous_commit`.execute(ts.server.services.hub.db);
    expect(r.rows[0]?.synchronous_commit).toBe('on');
  });

  it('an unknown value stops start-up naming the variable', async () => {
    await expect(startServer({ env: { PARLEY_DURABILITY: 'sometimes' } })).rejects.toThrow(/PARLEY_DURABILITY/);
  });
});
