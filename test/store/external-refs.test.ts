import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../src/core/ports.js';
import { dialects } from '../helpers/databases.js';
import { startServer, type TestServer } from '../helpers/server.js';

// The external id map: a vendor's ids ⇄ Parley's, per adapter instance, durable and race-free.

describe.each(await dialects())('external id map (%s)', (dialect) => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer({ dialect });
  });
  afterAll(async () => ts?.stop());
  const tx = <T>(fn: (t: Tx) => Promise<T>): Promise<T> => ts.server.services.hub.tx(fn);

  it('maps both ways, per instance and kind', async () => {
    const ref = { adapter: 'genesys-eu', kind: 'conversation', externalId: 'gc-conv-1' };
    expect(await tx((t) => t.linkExternal(ref, 'cv_1'))).toBe('cv_1');
    expect(await tx((t) => t.findByExternal(ref))).toBe('cv_1');
    expect(await tx((t) => t.externalOf('genesys-eu', 'conversation', 'cv_1'))).toBe('gc-conv-1');
    // Another org's identical id, or another kind, is another mapping.
    expect(await tx((t) => t.findByExternal({ ...ref, adapter: 'genesys-us' }))).toBeUndefined();
    expect(await tx((t) => t.findByExternal({ ...ref, kind: 'message' }))).toBeUndefined();
  });

  it('the first mapping wins: relinking returns it, and concurrent links agree', async () => {
    const ref = { adapter: 'genesys-eu', kind: 'conversation', externalId: 'gc-conv-2' };
    expect(await tx((t) => t.linkExternal(ref, 'cv_first'))).toBe('cv_first');
    expect(await tx((t) => t.linkExternal(ref, 'cv_second'))).toBe('cv_first');
    const raced = { adapter: 'genesys-eu', kind: 'conversation', externalId: 'gc-conv-race' };
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => tx((t) => t.linkExternal(raced, `cv_${i}`))));
    expect(new Set(results).size).toBe(1);
  });

  it('survives a restart (it is in the database, not in memory)', async () => {
    const ref = { adapter: 'genesys-eu', kind: 'message', externalId: 'gc-msg-1' };
    await tx((t) => t.linkExternal(ref, 'ev_1'));
    const rows = await ts.server.database.db.selectFrom('external_refs').selectAll().where('external_id', '=', 'gc-msg-1').execute();
    expect(rows).toEqual([expect.objectContaining({ adapter: 'genesys-eu', kind: 'message', parley_id: 'ev_1' })]);
  });
});
