import { afterEach, describe, expect, it, vi } from 'vitest';
import { Adapters } from '../../src/adapters.js';
import { webChannel } from '../../src/channels/web/adapter.js';
import { inboxDesk } from '../../src/desks/inbox/adapter.js';
import { startServer, until, type TestServer } from '../helpers/server.js';
import { FakeDesk, fakeConversation } from './fake-desk.js';

// A commit wakes the dispatcher only when it wrote a delivery the dispatcher must make (a leg that does not
// read the log). A message between the built-in web channel and inbox desk is stored and streamed; waking the
// dispatcher for it was one wasted query per message (bench/README.md).

describe('waking the dispatcher', () => {
  let ts: TestServer | undefined;
  afterEach(async () => {
    await ts?.stop();
    ts = undefined;
  });

  it('not for a web → inbox message', async () => {
    ts = await startServer({ adapters: new Adapters([webChannel], [inboxDesk]) });
    const c = await ts.api.customer();
    const conversationId = (await ts.api.post('/v1/conversations', {}, c.token)).body.conversation.id as string;
    const wake = vi.spyOn(ts.server.services.dispatcher, 'wake');
    for (let i = 0; i < 3; i++) expect((await ts.api.post(`/v1/conversations/${conversationId}/messages`, { clientMessageId: `m${i}`, text: 'hi' }, c.token)).status).toBe(201);
    expect(wake).not.toHaveBeenCalled();
  });

  it('for a message to a desk the dispatcher delivers to, which then gets it', async () => {
    const desk = new FakeDesk();
    ts = await startServer({ adapters: new Adapters([webChannel], [desk]) });
    const c = await fakeConversation(ts, 'wake');
    const wake = vi.spyOn(ts.server.services.dispatcher, 'wake');
    expect((await ts.api.post(`/v1/conversations/${c.conversationId}/messages`, { clientMessageId: 'w1', text: 'wake-1' }, c.token)).status).toBe(201);
    expect(wake).toHaveBeenCalled();
    await until(() => desk.delivered(c.conversationId).length === 1, 3000, 'delivered');
  });
});
