import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Adapters } from '../../src/adapters.js';
import { webChannel } from '../../src/channels/web/adapter.js';
import { startServer, until, type TestServer } from '../helpers/server.js';
import { FakeDesk, fakeConversation } from './fake-desk.js';

// The adapter seam carries live signals that are never stored: a customer's typing reaches a vendor desk's
// adapter, best effort (a vendor that is down costs a log line, not the customer's request).

describe('live signals reach vendor adapters', () => {
  let ts: TestServer;
  const desk = new FakeDesk();
  beforeAll(async () => {
    ts = await startServer({ adapters: new Adapters([webChannel], [desk]), captureLogs: true });
  });
  afterAll(async () => ts?.stop());

  it("a customer's typing is passed to the desk adapter with its conversation, and never stored", async () => {
    const c = await fakeConversation(ts, 'typing');
    const r = await ts.api.post(`/v1/conversations/${c.conversationId}/typing`, { typing: true }, c.token);
    expect(r.status).toBe(200);
    await until(() => desk.signals.some((s) => s.conversation.id === c.conversationId), 2000, 'the signal');
    const got = desk.signals.find((s) => s.conversation.id === c.conversationId);
    expect(got?.signal).toMatchObject({ type: 'typing', typing: true, author: { role: 'customer', id: c.contactId } });
    expect(got?.conversation.desk).toBe('fake');
    const events = (await ts.api.get(`/v1/conversations/${c.conversationId}/events`, c.token)).body.events;
    expect(events.some((e: { kind: string }) => e.kind === 'typing')).toBe(false);
  });

  it('a desk that fails to take a signal does not fail the customer, and is logged as a warning', async () => {
    const c = await fakeConversation(ts, 'typing-down');
    desk.failSignals = true;
    try {
      const r = await ts.api.post(`/v1/conversations/${c.conversationId}/typing`, { typing: true }, c.token);
      expect(r.status).toBe(200);
      await until(() => ts.logs.some((l) => l.msg === 'a live signal was not passed on'), 2000, 'the warning');
      expect(ts.logs.filter((l) => l.level >= 50)).toEqual([]);
    } finally {
      desk.failSignals = false;
    }
  });
});
