import { describe, expect, it } from 'vitest';
import { adminServer, makeApiKey } from '../helpers/flows.js';
import { agent } from '../helpers/server.js';

// Nobody grants more than they hold, a PATCH changes only what it names, and concurrent writes get coded
// answers (docs/security.md). Each case here was a finding of the outside review.

describe('admin API: grants, partial updates and races', () => {
  const env = adminServer();

  it('a keys:write key cannot mint a key with scopes it does not hold', async () => {
    const { ts, adminToken } = env;
    const keysOnly = await makeApiKey(ts, adminToken, ['keys:write']);
    const escalate = await ts.api.post('/v1/admin/api-keys', { name: 'mine now', scopes: ['admin'] }, keysOnly);
    expect(escalate.status).toBe(403);
    expect(escalate.body.error.code).toBe('PARLEY_E_FORBIDDEN');
    const sideways = await ts.api.post('/v1/admin/api-keys', { name: 'offers', scopes: ['offers:write'] }, keysOnly);
    expect(sideways.status).toBe(403);
    const same = await ts.api.post('/v1/admin/api-keys', { name: 'a copy', scopes: ['keys:write'] }, keysOnly);
    expect(same.status).toBe(201);
    const listed = await ts.api.get('/v1/admin/api-keys', adminToken);
    expect(listed.body.apiKeys.filter((k: { name: string }) => k.name === 'mine now')).toEqual([]);
  });

  it('an agents:write key manages agents but cannot create, promote or change an admin', async () => {
    const { ts, adminToken } = env;
    const agentsOnly = await makeApiKey(ts, adminToken, ['agents:write']);
    const createAdmin = await ts.api.post('/v1/admin/agents', { email: 'boss@example.com', name: 'Boss', password: 'password123', role: 'admin' }, agentsOnly);
    expect(createAdmin.status).toBe(403);
    const plain = await ts.api.post('/v1/admin/agents', { email: 'plain@example.com', name: 'Plain', password: 'password123' }, agentsOnly);
    expect(plain.status).toBe(201);
    const promote = await ts.api.req('PATCH', `/v1/admin/agents/${plain.body.agent.id}`, { token: agentsOnly, body: { role: 'admin' } });
    expect(promote.status).toBe(403);
    const admin = await agent(ts, { role: 'admin' });
    const takeOver = await ts.api.req('PATCH', `/v1/admin/agents/${admin.id}`, { token: agentsOnly, body: { password: 'attacker-password' } });
    expect(takeOver.status).toBe(403);
    expect((await ts.api.get('/v1/agent/me', admin.token)).status).toBe(200);
    const rename = await ts.api.req('PATCH', `/v1/admin/agents/${plain.body.agent.id}`, { token: agentsOnly, body: { name: 'Renamed' } });
    expect(rename.status).toBe(200);
  });

  it('a PATCH that names only the name keeps role, capacity and queues', async () => {
    const { ts, adminToken } = env;
    const created = await ts.api.post('/v1/admin/agents', { email: 'keep@example.com', name: 'Keep', password: 'password123', role: 'admin', capacity: 12 }, adminToken);
    expect(created.status).toBe(201);
    const r = await ts.api.req('PATCH', `/v1/admin/agents/${created.body.agent.id}`, { token: adminToken, body: { name: 'Kept' } });
    expect(r.status).toBe(200);
    expect(r.body.agent).toMatchObject({ name: 'Kept', role: 'admin', capacity: 12, queueIds: created.body.agent.queueIds, disabled: false });
    const empty = await ts.api.req('PATCH', `/v1/admin/agents/${created.body.agent.id}`, { token: adminToken, body: {} });
    expect(empty.status).toBe(200);
    expect(empty.body.agent).toMatchObject({ name: 'Kept', role: 'admin', capacity: 12 });
    const unknown = await ts.api.req('PATCH', `/v1/admin/agents/${created.body.agent.id}`, { token: adminToken, body: { email: 'new@example.com' } });
    expect(unknown.status).toBe(422);
  });

  it('eight concurrent creations of one e-mail give one 201 and seven coded 409s', async () => {
    const { ts, adminToken } = env;
    const body = { email: 'race@example.com', name: 'Race', password: 'password123' };
    const rs = await Promise.all(Array.from({ length: 8 }, () => ts.api.post('/v1/admin/agents', body, adminToken)));
    expect(rs.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
    for (const r of rs.filter((x) => x.status === 409)) expect(r.body.error.code).toBe('PARLEY_E_CONFLICT');
    const all = await ts.api.get('/v1/admin/agents', adminToken);
    expect(all.body.agents.filter((a: { email: string }) => a.email === 'race@example.com')).toHaveLength(1);
  });

  it('concurrent creations of one queue name give one 201 and coded 409s', async () => {
    const { ts, adminToken } = env;
    const rs = await Promise.all(Array.from({ length: 6 }, () => ts.api.post('/v1/admin/queues', { name: 'racing-queue' }, adminToken)));
    expect(rs.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
  });

  it('PATCH /v1/me with no field is a no-op, not a 500', async () => {
    const { ts } = env;
    const c = await ts.api.customer();
    const r = await ts.api.req('PATCH', '/v1/me', { token: c.token, body: {} });
    expect(r.status).toBe(200);
    expect(r.body.contact.id).toBe(c.contactId);
    const named = await ts.api.req('PATCH', '/v1/me', { token: c.token, body: { name: 'Ada' } });
    expect(named.body.contact.name).toBe('Ada');
  });

  it('query tokens work only on the stream', async () => {
    const { ts } = env;
    const c = await ts.api.customer();
    const viaQuery = await ts.api.get(`/v1/me?token=${encodeURIComponent(c.token)}`);
    expect(viaQuery.status).toBe(401);
    expect((await ts.api.get('/v1/me', c.token)).status).toBe(200);
  });
});
