import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../helpers/databases.js';
import { fastAgent, makeApiKey } from '../helpers/flows.js';
import { startServer, type TestServer } from '../helpers/server.js';

// Canned responses are shared by every agent: admins (or API keys with the admin scope) keep the list,
// agents read it. A shortcut names one answer only.

describe.each(await dialects())('canned responses (%s)', (dialect) => {
  let ts: TestServer;
  let admin: string;
  let agentToken: string;

  beforeAll(async () => {
    ts = await startServer({ dialect });
    admin = (await fastAgent(ts, { role: 'admin', name: 'Admin' })).token;
    agentToken = (await fastAgent(ts, { name: 'Alice' })).token;
  });
  afterAll(async () => ts?.stop());

  it('an admin adds canned responses and every agent reads them, ordered by shortcut', async () => {
    const a = await ts.api.post('/v1/admin/canned-responses', { shortcut: 'Refund', text: 'Your refund is on its way: 3–5 working days.' }, admin);
    expect(a.status).toBe(201);
    expect(a.body.cannedResponse).toMatchObject({ shortcut: 'refund', text: 'Your refund is on its way: 3–5 working days.' });
    expect(a.body.cannedResponse.id).toMatch(/^cr_/);
    expect(typeof a.body.cannedResponse.createdAt).toBe('string');
    const b = await ts.api.post('/v1/admin/canned-responses', { shortcut: 'hello', text: 'Hi! How can I help?' }, admin);
    expect(b.status).toBe(201);

    const seen = await ts.api.get('/v1/agent/canned-responses', agentToken);
    expect(seen.status).toBe(200);
    expect(seen.body.cannedResponses.map((c: { shortcut: string }) => c.shortcut)).toEqual(['hello', 'refund']);
    const listed = await ts.api.get('/v1/admin/canned-responses', admin);
    expect(listed.body.cannedResponses).toEqual(seen.body.cannedResponses);
  });

  it('a second response with the same shortcut (any case) is a 409 and changes nothing', async () => {
    await ts.api.post('/v1/admin/canned-responses', { shortcut: 'hours', text: 'We are open 9 to 5.' }, admin);
    const dup = await ts.api.post('/v1/admin/canned-responses', { shortcut: 'HOURS', text: 'Something else' }, admin);
    expect(dup.status).toBe(409);
    expect(dup.body.error.code).toBe('PARLEY_E_CONFLICT');
    const list = await ts.api.get('/v1/agent/canned-responses', agentToken);
    expect(list.body.cannedResponses.filter((c: { shortcut: string }) => c.shortcut === 'hours').map((c: { text: string }) => c.text)).toEqual(['We are open 9 to 5.']);
  });

  it('two admins adding one shortcut at once get one row and one 409', async () => {
    const results = await Promise.all([1, 2, 3].map((n) => ts.api.post('/v1/admin/canned-responses', { shortcut: 'race', text: `answer ${n}` }, admin)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409]);
    const list = await ts.api.get('/v1/admin/canned-responses', admin);
    expect(list.body.cannedResponses.filter((c: { shortcut: string }) => c.shortcut === 'race')).toHaveLength(1);
  });

  it('an admin deletes one; agents no longer see it, and a second delete is a 404', async () => {
    const made = await ts.api.post('/v1/admin/canned-responses', { shortcut: 'bye', text: 'Goodbye!' }, admin);
    const id = made.body.cannedResponse.id as string;
    const del = await ts.api.req('DELETE', `/v1/admin/canned-responses/${id}`, { token: admin });
    expect(del.status).toBe(200);
    expect(del.body).toEqual({ deleted: id });
    const list = await ts.api.get('/v1/agent/canned-responses', agentToken);
    expect(list.body.cannedResponses.some((c: { id: string }) => c.id === id)).toBe(false);
    const again = await ts.api.req('DELETE', `/v1/admin/canned-responses/${id}`, { token: admin });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('PARLEY_E_NOT_FOUND');
  });

  it('bad input is a 422 naming the field, and nothing is stored', async () => {
    const before = (await ts.api.get('/v1/admin/canned-responses', admin)).body.cannedResponses.length;
    for (const body of [{ shortcut: '/slash', text: 'x' }, { shortcut: 'ok', text: '   ' }, { shortcut: '', text: 'x' }, { text: 'no shortcut' }, { shortcut: 'x'.repeat(51), text: 'long' }]) {
      const r = await ts.api.post('/v1/admin/canned-responses', body, admin);
      expect(r.status, JSON.stringify(body)).toBe(422);
      expect(r.body.error.code).toBe('PARLEY_E_VALIDATION');
    }
    expect((await ts.api.get('/v1/admin/canned-responses', admin)).body.cannedResponses.length).toBe(before);
  });

  it('agents cannot change the list; customers cannot read it; an API key with the admin scope can manage it', async () => {
    const byAgent = await ts.api.post('/v1/admin/canned-responses', { shortcut: 'mine', text: 'x' }, agentToken);
    expect(byAgent.status).toBe(403);
    const list = (await ts.api.get('/v1/agent/canned-responses', agentToken)).body.cannedResponses;
    const del = await ts.api.req('DELETE', `/v1/admin/canned-responses/${list[0].id}`, { token: agentToken });
    expect(del.status).toBe(403);

    const cust = await ts.api.customer();
    expect((await ts.api.get('/v1/agent/canned-responses', cust.token)).status).toBe(403);
    expect((await ts.api.get('/v1/agent/canned-responses')).status).toBe(401);

    const narrowKey = await makeApiKey(ts, admin, ['offers:write']);
    expect((await ts.api.post('/v1/admin/canned-responses', { shortcut: 'k', text: 'x' }, narrowKey)).status).toBe(403);
    const adminKey = await makeApiKey(ts, admin, ['admin']);
    const byKey = await ts.api.post('/v1/admin/canned-responses', { shortcut: 'from-key', text: 'Made by a server' }, adminKey);
    expect(byKey.status).toBe(201);
  });
});
