import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../helpers/databases.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { expectError, storesNothing } from './support.js';

// A customer sees only its own conversations; someone else's looks exactly like one that does not exist.

describe.each(await dialects())("another customer's conversation is not found (%s)", (dialect) => {
  let ts: TestServer;
  let alice: { token: string; contactId: string };
  let mallory: { token: string; contactId: string };
  let conv: string;
  beforeAll(async () => {
    ts = await startServer({ dialect });
    alice = await ts.api.customer();
    mallory = await ts.api.customer();
    conv = (await ts.api.post('/v1/conversations', {}, alice.token)).body.conversation.id;
    expect((await ts.api.post(`/v1/conversations/${conv}/messages`, { clientMessageId: 'a-1', text: 'private' }, alice.token)).status).toBe(201);
  });
  afterAll(async () => ts?.stop());

  const attempts = (id: string) =>
    [
      ['GET conversation', () => ts.api.get(`/v1/conversations/${id}`, mallory.token)],
      ['GET events', () => ts.api.get(`/v1/conversations/${id}/events`, mallory.token)],
      ['POST messages', () => ts.api.post(`/v1/conversations/${id}/messages`, { clientMessageId: 'm-1', text: 'let me in' }, mallory.token)],
      ['POST read', () => ts.api.post(`/v1/conversations/${id}/read`, { seq: 1 }, mallory.token)],
      ['POST typing', () => ts.api.post(`/v1/conversations/${id}/typing`, { typing: true }, mallory.token)],
      ['POST end', () => ts.api.post(`/v1/conversations/${id}/end`, undefined, mallory.token)],
    ] as const;

  it("every route on another customer's conversation → 404 PARLEY_E_CONVERSATION_NOT_FOUND, storing nothing", async () => {
    for (const [what, call] of attempts(conv)) {
      const r = await storesNothing(ts, call);
      expectError(r, 404, 'PARLEY_E_CONVERSATION_NOT_FOUND');
      expect(JSON.stringify(r.body), what).not.toContain('private');
    }
  });

  it('an unknown conversation id gives the very same answer', async () => {
    for (const [what, call] of attempts('cv_doesnotexist')) {
      const theirs = await attempts(conv).find(([w]) => w === what)![1]();
      const unknown = await storesNothing(ts, call);
      expectError(unknown, 404, 'PARLEY_E_CONVERSATION_NOT_FOUND');
      expect(unknown.body, what).toEqual(theirs.body);
    }
  });

  it("the owner's conversation is untouched: still open, no read mark, only its own message", async () => {
    const c = await ts.api.get(`/v1/conversations/${conv}`, alice.token);
    expect(c.status).toBe(200);
    expect(c.body.conversation.phase).not.toBe('ended');
    expect(c.body.conversation.receipts.customer.read).toBe(0);
    const ev = await ts.api.get(`/v1/conversations/${conv}/events`, alice.token);
    expect(ev.body.events.filter((e: { kind: string }) => e.kind === 'message').map((e: { clientMessageId: string }) => e.clientMessageId)).toEqual(['a-1']);
    expect((await ts.api.get('/v1/conversations', mallory.token)).body.conversations).toEqual([]);
  });

  it('an agent-side conversation route with an unknown id → 404 too', async () => {
    // Agent routes hide conversations outside the agent's reach in the same way (checked with an admin).
    const { agent } = await import('../helpers/server.js');
    const admin = await agent(ts, { role: 'admin' });
    expectError(await ts.api.get('/v1/agent/conversations/cv_nope/events', admin.token), 404, 'PARLEY_E_CONVERSATION_NOT_FOUND');
  });
});

describe('unknown routes', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer();
  });
  afterAll(async () => ts?.stop());

  it('→ 404 PARLEY_E_ROUTE_NOT_FOUND naming method and path, without echoing credentials', async () => {
    const r = await ts.api.get('/v1/nope?token=sekrit-token-value&x=1');
    expectError(r, 404, 'PARLEY_E_ROUTE_NOT_FOUND');
    expect(r.body.error.message).toContain('GET /v1/nope');
    expect(r.body.error.message).not.toContain('sekrit');
    expectError(await ts.api.req('DELETE', '/v1/conversations'), 404, 'PARLEY_E_ROUTE_NOT_FOUND');
    expectError(await ts.api.post('/v2/sessions', {}), 404, 'PARLEY_E_ROUTE_NOT_FOUND');
  });
});
