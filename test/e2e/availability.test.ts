import { describe, expect, it } from 'vitest';
import { startGenesysEmulator, type GenesysEmulator } from '../../emulators/genesys/main.js';
import { genesysDeskSettings } from '../desks/genesys/helpers.js';
import { client } from '../emulators/helpers.js';
import { fastAgent, inboxScene, Streams } from '../helpers/flows.js';
import { configuredServer, type Control } from '../helpers/scene.js';
import { until, type TestServer } from '../helpers/server.js';

// GET /v1/availability: before opening a conversation, a customer's client (watsonx web chat's
// areAnyAgentsOnline()) learns where the route table would send it, whether anyone there is online, and
// what it may upload. It creates nothing; a desk that cannot tell (or fails) is `agentsOnline: null`, never
// an error.
//
// One Parley: the web channel's fallback route goes to the inbox `default` queue, entry point `sales` to the
// inbox `sales` queue, and four entry points to `genesys` desks on one emulator: a queue with an agent on
// it, a queue whose agent is off queue, no queue configured, and a Genesys that cannot be reached.

const STAFFED = 'q-staffed';
const EMPTY = 'q-empty';
const OBSERVATIONS = '/api/v2/analytics/queues/observations/query';

interface Scene {
  ts: TestServer;
  emu: GenesysEmulator;
  control: Control;
  stop(): Promise<void>;
}

async function start(): Promise<Scene> {
  const emu = await startGenesysEmulator({
    port: 0,
    queues: [
      { id: STAFFED, name: 'Staffed' },
      { id: EMPTY, name: 'Empty' },
    ],
    agents: [
      { id: 'gc-ada', name: 'Ada', queueIds: [STAFFED], onQueue: true },
      { id: 'gc-bob', name: 'Bob', queueIds: [EMPTY], onQueue: true },
    ],
  });
  const genesys = (over: Record<string, unknown>) => ({ ...genesysDeskSettings(emu), endDetection: 'none', ...over });
  try {
    const ts = await configuredServer(
      {
        channels: { web: { type: 'web' } },
        desks: {
          inbox: { type: 'inbox' },
          gc: genesys({ queueId: STAFFED }),
          'gc-empty': genesys({ queueId: EMPTY }),
          'gc-noqueue': genesys({}),
          // A closed port: every call fails at once.
          'gc-down': genesys({ host: 'http://127.0.0.1:9', queueId: STAFFED }),
        },
        routes: [
          { channel: 'web', entryPoint: 'sales', desk: 'inbox', queue: 'sales' },
          { channel: 'web', entryPoint: 'genesys', desk: 'gc', queue: 'support' },
          { channel: 'web', entryPoint: 'genesys-empty', desk: 'gc-empty' },
          { channel: 'web', entryPoint: 'genesys-noqueue', desk: 'gc-noqueue' },
          { channel: 'web', entryPoint: 'genesys-down', desk: 'gc-down' },
          { channel: 'web', desk: 'inbox' },
        ],
      },
      { captureLogs: true, env: { TEST_GENESYS_SECRET: emu.credentials.clientSecret, TEST_GENESYS_WEBHOOK_SECRET: emu.credentials.integrationSecret } },
    );
    const admin = await fastAgent(ts, { role: 'admin', name: 'Admin' });
    const sales = await ts.api.post('/v1/admin/queues', { name: 'sales', assignment: 'round_robin' }, admin.token);
    if (sales.status !== 201) throw new Error(`queue failed: ${sales.status} ${JSON.stringify(sales.body)}`);
    return {
      ts,
      emu,
      control: client(emu.url).control,
      async stop() {
        await ts.stop();
        await emu.close();
      },
    };
  } catch (e) {
    await emu.close();
    throw e;
  }
}

describe('GET /v1/availability', () => {
  // The inbox agent: a member of `sales` only, `available`, with no stream open until a test opens one.
  const { scene, agent } = inboxScene(start, { name: 'Sally', queues: ['sales'] });
  const streams = new Streams();
  const ts = () => scene().ts;
  const availability = async (query = '', token?: string) => {
    const t = token ?? (await ts().api.customer()).token;
    return ts().api.get(`/v1/availability${query}`, t);
  };
  const online = async (query: string) => {
    const r = await availability(query);
    expect(r.status).toBe(200);
    return r.body.agentsOnline as boolean | null;
  };
  const setStatus = async (status: 'available' | 'away') => expect((await ts().api.post('/v1/agent/status', { status }, agent().token)).status).toBe(200);
  const observationsOf = async (queueId: string) =>
    ((await scene().control('GET', `/requests?method=POST&path=${encodeURIComponent(OBSERVATIONS)}`)).body.requests as { body: string }[]).filter((r) => r.body.includes(queueId)).length;

  it('answers where a conversation would go, whether anyone is online and the upload limits, creating nothing', async () => {
    const customer = await ts().api.customer();
    const r = await availability('?entryPoint=sales', customer.token);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      desk: 'inbox',
      queue: 'sales',
      agentsOnline: false,
      uploads: { mediaTypes: ts().config.mediaTypes, maxBytes: ts().config.mediaMaxBytes },
    });
    expect((await ts().api.get('/v1/conversations', customer.token)).body.conversations).toEqual([]);
  });

  it('inbox: nobody with a stream open is false; an available member with a live stream is true, on their queue only', async () => {
    expect(await online('?entryPoint=sales')).toBe(false);
    const stream = await streams.connect(ts(), agent().token);
    try {
      await until(() => online('?entryPoint=sales'), 5000, 'the agent online');
      // Online, but not a member of the fallback route's `default` queue.
      expect(await online('')).toBe(false);
    } finally {
      await streams.closeAll();
    }
    // The stream closed: offline again.
    await until(async () => (await online('?entryPoint=sales')) === false, 5000, 'the agent offline');
    expect(stream.ws.readyState).toBe(stream.ws.CLOSED);
  });

  it('inbox: an agent who is away is not online, even with a stream open', async () => {
    await streams.connect(ts(), agent().token);
    try {
      await until(() => online('?entryPoint=sales'), 5000, 'the agent online');
      await setStatus('away');
      expect(await online('?entryPoint=sales')).toBe(false);
      await setStatus('available');
      expect(await online('?entryPoint=sales')).toBe(true);
    } finally {
      await streams.closeAll();
    }
  });

  it('genesys: agents on the configured queue are true, the route’s desk and queue named', async () => {
    const r = await availability('?entryPoint=genesys');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ desk: 'gc', queue: 'support', agentsOnline: true });
  });

  it('genesys: nobody on queue is false, and a burst of page loads costs Genesys one call', async () => {
    expect((await scene().control('PATCH', '/genesys/agents/gc-bob', { onQueue: false })).status).toBe(200);
    const customer = await ts().api.customer();
    const burst = await Promise.all(Array.from({ length: 10 }, () => availability('?entryPoint=genesys-empty', customer.token)));
    expect(burst.map((r) => [r.status, r.body.desk, r.body.queue, r.body.agentsOnline])).toEqual(Array.from({ length: 10 }, () => [200, 'gc-empty', null, false]));
    expect(await observationsOf(EMPTY)).toBe(1);
  });

  it('genesys: no queue configured is null (unknown), without asking Genesys', async () => {
    const r = await availability('?entryPoint=genesys-noqueue');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ desk: 'gc-noqueue', queue: null, agentsOnline: null });
  });

  it('genesys: unreachable is null with 200, logged as a warning', async () => {
    const r = await availability('?entryPoint=genesys-down');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ desk: 'gc-down', agentsOnline: null });
    expect(ts().logs.some((l) => l.level === 40 && l.msg === 'genesys agents-online check failed')).toBe(true);
    expect(ts().logs.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('an unknown entry point takes the channel’s fallback route, exactly as opening a conversation does', async () => {
    const customer = await ts().api.customer();
    const r = await availability('?entryPoint=newsletter', customer.token);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ desk: 'inbox', queue: 'default' });
    const open = await ts().api.post('/v1/conversations', { entryPoint: 'newsletter' }, customer.token);
    expect(open.status).toBe(201);
    expect(open.body.conversation).toMatchObject({ desk: r.body.desk, queueId: r.body.queue });
  });

  it('needs a customer token: none is 401, an agent’s is 403', async () => {
    const none = await ts().api.get('/v1/availability');
    expect(none.status).toBe(401);
    expect(none.body.error.code).toBe('PARLEY_E_UNAUTHENTICATED');
    const asAgent = await ts().api.get('/v1/availability', agent().token);
    expect(asAgent.status).toBe(403);
    expect(asAgent.body.error.code).toBe('PARLEY_E_FORBIDDEN');
  });

  it('a malformed query is refused in the catalogue’s shape', async () => {
    for (const entryPoint of ['x'.repeat(101), '']) {
      const r = await availability(`?entryPoint=${entryPoint}`);
      expect(r.status).toBe(422);
      expect(r.body.error).toMatchObject({ code: 'PARLEY_E_VALIDATION', retryable: false });
      expect(r.body.error.message).toContain('entryPoint');
    }
  });
});
