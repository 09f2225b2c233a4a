import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastAgent } from '../helpers/flows.js';
import { configuredServer } from '../helpers/scene.js';
import type { TestServer } from '../helpers/server.js';

// The route table picks the desk and queue of each new conversation: by entry point when the customer's
// client names one, else the channel's fallback route.

describe('routes from parley.config.json', () => {
  let ts: TestServer;
  let adminToken: string;

  beforeAll(async () => {
    ts = await configuredServer({
      channels: { web: { type: 'web' } },
      desks: { inbox: { type: 'inbox' } },
      routes: [
        { channel: 'web', entryPoint: 'sales', desk: 'inbox', queue: 'sales' },
        { channel: 'web', desk: 'inbox', queue: 'default' },
      ],
    });
    adminToken = (await fastAgent(ts, { role: 'admin' })).token;
    expect((await ts.api.post('/v1/admin/queues', { name: 'sales', assignment: 'manual' }, adminToken)).status).toBe(201);
  });
  afterAll(async () => ts?.stop());

  it('an entry point with a route goes to that route’s queue; others take the fallback', async () => {
    const queues = (await ts.api.get('/v1/admin/queues', adminToken)).body.queues as { id: string; name: string }[];
    const sales = queues.find((q) => q.name === 'sales');
    const a = await ts.api.customer();
    const viaSales = await ts.api.post('/v1/conversations', { entryPoint: 'sales' }, a.token);
    expect(viaSales.status).toBe(201);
    expect(viaSales.body.conversation).toMatchObject({ queueId: sales?.id, desk: 'inbox', channel: 'web' });
    const b = await ts.api.customer();
    const other = await ts.api.post('/v1/conversations', { entryPoint: 'newsletter' }, b.token);
    expect(other.body.conversation.queueId).toBe('default');
    const c = await ts.api.customer();
    expect((await ts.api.post('/v1/conversations', {}, c.token)).body.conversation.queueId).toBe('default');
  });
});
