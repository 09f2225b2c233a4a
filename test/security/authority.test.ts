import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { dialects } from '../helpers/databases.js';
import { adminServer, fastAgent, makeApiKey } from '../helpers/flows.js';
import { agent, sleep, StreamClient, startServer } from '../helpers/server.js';

// Role, disabled state and password changes take effect at once for every token and every open socket
// (docs/security.md). The review found a demoted admin's old token still passing the admin API, a token
// from before a password change still working, and a WebSocket staying open after its token expired.

const closed = (c: StreamClient): Promise<{ code: number; reason: string }> =>
  new Promise((resolve) => {
    if (c.ws.readyState === WebSocket.CLOSED) return resolve({ code: -1, reason: 'already closed' });
    c.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });

describe('authority is read at use, not at issue', () => {
  const env = adminServer();

  it("a demoted admin's old token no longer passes the admin API", async () => {
    const { ts, adminToken } = env;
    const lead = await agent(ts, { role: 'admin' });
    expect((await ts.api.get('/v1/admin/agents', lead.token)).status).toBe(200);
    expect((await ts.api.req('PATCH', `/v1/admin/agents/${lead.id}`, { token: adminToken, body: { role: 'agent' } })).status).toBe(200);
    const after = await ts.api.get('/v1/admin/agents', lead.token);
    expect(after.status).toBe(403);
    expect(after.body.error.code).toBe('PARLEY_E_FORBIDDEN');
    // Still a working agent token.
    expect((await ts.api.get('/v1/agent/me', lead.token)).body.agent.role).toBe('agent');
  });

  it('a password change retires every token issued before it; a new login works', async () => {
    const { ts, adminToken } = env;
    const a = await agent(ts);
    expect((await ts.api.get('/v1/agent/me', a.token)).status).toBe(200);
    expect((await ts.api.req('PATCH', `/v1/admin/agents/${a.id}`, { token: adminToken, body: { password: 'a-new-password' } })).status).toBe(200);
    const old = await ts.api.get('/v1/agent/me', a.token);
    expect(old.status).toBe(401);
    expect(old.body.error.code).toBe('PARLEY_E_TOKEN_REVOKED');
    await expect(ts.api.login(a.email, 'password123')).rejects.toThrow(/401/);
    const fresh = await ts.api.login(a.email, 'a-new-password');
    expect((await ts.api.get('/v1/agent/me', fresh)).status).toBe(200);
  });

  it('a disabled agent cannot log in and its tokens stop at once; enabling it again restores them', async () => {
    const { ts, adminToken } = env;
    const a = await agent(ts);
    expect((await ts.api.req('PATCH', `/v1/admin/agents/${a.id}`, { token: adminToken, body: { disabled: true } })).body.agent.disabled).toBe(true);
    const me = await ts.api.get('/v1/agent/me', a.token);
    expect(me.status).toBe(403);
    expect(me.body.error.code).toBe('PARLEY_E_ACCOUNT_DISABLED');
    const login = await ts.api.post('/v1/agent/login', { email: a.email, password: 'password123' });
    expect(login.status).toBe(403);
    expect(login.body.error.code).toBe('PARLEY_E_ACCOUNT_DISABLED');
    // A wrong password still says only "wrong credentials": the lock is not revealed to a guesser.
    expect((await ts.api.post('/v1/agent/login', { email: a.email, password: 'not-the-password' })).body.error.code).toBe('PARLEY_E_BAD_CREDENTIALS');
    expect((await ts.api.req('PATCH', `/v1/admin/agents/${a.id}`, { token: adminToken, body: { disabled: false } })).status).toBe(200);
    expect((await ts.api.get('/v1/agent/me', a.token)).status).toBe(200);
  });

  it("open sockets are closed with a coded reason when the agent is disabled or its password changes", async () => {
    const { ts, streams, adminToken } = env;
    const a = await agent(ts);
    const s1 = await streams.connect(ts, a.token);
    const bye1 = closed(s1);
    await ts.api.req('PATCH', `/v1/admin/agents/${a.id}`, { token: adminToken, body: { disabled: true } });
    expect(await bye1).toEqual({ code: 4403, reason: 'PARLEY_E_ACCOUNT_DISABLED' });
    await ts.api.req('PATCH', `/v1/admin/agents/${a.id}`, { token: adminToken, body: { disabled: false } });

    const s2 = await streams.connect(ts, a.token);
    const bye2 = closed(s2);
    await ts.api.req('PATCH', `/v1/admin/agents/${a.id}`, { token: adminToken, body: { password: 'changed-password' } });
    expect(await bye2).toEqual({ code: 4401, reason: 'PARLEY_E_TOKEN_REVOKED' });
    // Reconnecting with the old token is refused before any upgrade.
    await expect(StreamClient.open(ts.url, a.token)).rejects.toThrow(/401/);
  });

  it('a stream is refused to API keys with a plain 403, before any upgrade', async () => {
    const key = await makeApiKey(env.ts, env.adminToken, ['admin']);
    await expect(StreamClient.open(env.ts.url, key)).rejects.toThrow(/403/);
  });

  it('the last enabled admin cannot be demoted or disabled', async () => {
    const ts = await startServer();
    try {
      const only = await agent(ts, { role: 'admin' });
      const demote = await ts.api.req('PATCH', `/v1/admin/agents/${only.id}`, { token: only.token, body: { role: 'agent' } });
      expect(demote.status).toBe(409);
      expect(demote.body.error.code).toBe('PARLEY_E_LAST_ADMIN');
      const disable = await ts.api.req('PATCH', `/v1/admin/agents/${only.id}`, { token: only.token, body: { disabled: true } });
      expect(disable.body.error.code).toBe('PARLEY_E_LAST_ADMIN');
      expect((await ts.api.get('/v1/admin/agents', only.token)).status).toBe(200);
    } finally {
      await ts.stop();
    }
  });
});

describe.each(await dialects())('two admins demoting each other at once (%s)', (dialect) => {
  it('leave exactly one admin: one change wins, the other gets 409 LAST_ADMIN', async () => {
    const ts = await startServer({ dialect });
    try {
      for (let round = 0; round < 3; round++) {
        const a = await fastAgent(ts, { role: 'admin', name: `A${round}` });
        const b = await fastAgent(ts, { role: 'admin', name: `B${round}` });
        // Only these two are enabled admins: disable every other one (earlier rounds' survivor) in the store.
        await ts.server.database.db.updateTable('agents').set({ disabled_at: new Date().toISOString() }).where('role', '=', 'admin').where('id', 'not in', [a.id, b.id]).execute();
        const [ra, rb] = await Promise.all([
          ts.api.req('PATCH', `/v1/admin/agents/${b.id}`, { token: a.token, body: { role: 'agent' } }),
          ts.api.req('PATCH', `/v1/admin/agents/${a.id}`, { token: b.token, body: { role: 'agent' } }),
        ]);
        const statuses = [ra.status, rb.status].sort();
        // Either one wins and the other is refused (409 LAST_ADMIN, or 403 when it was demoted first).
        expect(statuses[0]).toBe(200);
        expect([403, 409]).toContain(statuses[1]);
        const admins = await ts.server.database.db.selectFrom('agents').select('id').where('role', '=', 'admin').where('disabled_at', 'is', null).execute();
        expect(admins).toHaveLength(1);
      }
    } finally {
      await ts.stop();
    }
  });
});

describe('a socket whose token expires is closed at expiry', () => {
  const env = adminServer();

  it('closes a customer WebSocket with 4401 PARLEY_E_TOKEN_EXPIRED', async () => {
    const { ts } = env;
    const cust = await ts.api.customer();
    // A token of ours for the same contact that expires in a moment.
    const exp = Math.floor(Date.now() / 1000) + 2;
    const short = await new SignJWT({ typ: 'customer' }).setProtectedHeader({ alg: 'HS256' }).setSubject(cust.contactId).setIssuedAt().setExpirationTime(exp).sign(new TextEncoder().encode(ts.config.tokenSigningKey));
    const s = await StreamClient.open(ts.url, short);
    const bye = closed(s);
    const r = await Promise.race([bye, sleep(6000).then(() => ({ code: 0, reason: 'still open' }))]);
    expect(r).toEqual({ code: 4401, reason: 'PARLEY_E_TOKEN_EXPIRED' });
  });
});
