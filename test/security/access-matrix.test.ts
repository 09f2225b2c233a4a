import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCOPES } from '../../src/http/auth.js';
import { documented } from '../../src/http/route.js';
import { defineMatrix } from './cells.js';
import { expectFor, OPS_ROUTES, PARTS, rowTitle, STREAM_OPS, TABLE, WEBHOOK_ROUTES } from './matrix.js';
import { PRINCIPALS } from './world.js';

// The access matrix of docs/security.md: every route and stream operation × every kind of caller, from the
// one table in matrix.ts. This file checks the table itself and runs the administration half of the cells;
// access-matrix-people.test.ts runs the other half. A failing cell is named
// "<route> [variant] › <principal> → <expected answer>".

const { world } = defineMatrix(TABLE.filter(PARTS.administration));

describe('the table', () => {
  // `documented` fills as routes register, i.e. once a server was created (defineMatrix's beforeAll).
  const documentedKeys = () => documented.map((d) => `${d.method} ${d.url}`);

  it('has a row for every route the server documents, every stream operation and every plain ops route, and nothing else', () => {
    const expected = new Set([...documentedKeys(), ...STREAM_OPS, ...OPS_ROUTES, ...WEBHOOK_ROUTES]);
    const rows = new Set(TABLE.map((r) => r.route));
    expect({ missingRows: [...expected].filter((k) => !rows.has(k)).sort(), rowsWithoutRoute: [...rows].filter((k) => !expected.has(k)).sort() }).toEqual({
      missingRows: [],
      rowsWithoutRoute: [],
    });
  });

  it('lists only ops routes the server really has', () => {
    for (const key of [...OPS_ROUTES, ...WEBHOOK_ROUTES]) {
      const [method, url] = key.split(' ') as ['GET', string];
      expect(world().ts.server.app.hasRoute({ method, url }), key).toBe(true);
    }
  });

  it("declares each route's auth rule as the route itself does", () => {
    const mismatches = [];
    for (const row of TABLE) {
      const d = documented.find((x) => `${x.method} ${x.url}` === row.route);
      if (!d) {
        if (row.auth !== undefined) mismatches.push({ row: rowTitle(row), table: row.auth, route: 'not documented' });
        continue;
      }
      if (JSON.stringify(row.auth) !== JSON.stringify(d.auth)) mismatches.push({ row: rowTitle(row), table: row.auth, route: d.auth });
    }
    expect(mismatches).toEqual([]);
  });

  it('has a row for every inbound frame type the stream parses', () => {
    // The frame union is not exported; read its literals from the source.
    const src = readFileSync(new URL('../../src/realtime/routes.ts', import.meta.url), 'utf8');
    const union = /const InFrame = z\.discriminatedUnion\('type', \[([\s\S]*?)\n\]\);/.exec(src)?.[1] ?? '';
    const types = [...union.matchAll(/type: z\.literal\('([a-z_]+)'\)/g)].map((m) => m[1]).sort();
    expect(types.length).toBeGreaterThan(0);
    const rows = TABLE.flatMap((r) => (r.stream && 'frame' in r.stream ? [r.stream.frame] : [])).sort();
    expect(rows).toEqual(types);
  });

  it('has an API key principal for every scope docs/security.md lists', () => {
    const doc = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8');
    const line = /^Scopes: (.*(?:\n.+)*)/m.exec(doc)?.[1] ?? '';
    const scopes = [...line.matchAll(/`([a-z:]+)`/g)].map((m) => m[1]).sort();
    expect(scopes.length).toBeGreaterThan(0);
    expect([...SCOPES].sort()).toEqual(scopes);
    for (const s of scopes) expect(PRINCIPALS).toContain(`key:${s}`);
  });

  it('expects no 5xx anywhere', () => {
    const fivexx = TABLE.flatMap((row) => PRINCIPALS.filter((p) => expectFor(row, p).status >= 500).map((p) => `${rowTitle(row)} × ${p}`));
    expect(fivexx).toEqual([]);
  });

  it('runs every row in exactly one of the two files', () => {
    expect(TABLE.filter((r) => PARTS.people(r) === PARTS.administration(r)).map(rowTitle)).toEqual([]);
  });
});
