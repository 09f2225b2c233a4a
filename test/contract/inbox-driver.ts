import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createQueue } from '../../src/hub/admin.js';
import { fastAgent, type Chat } from '../helpers/flows.js';
import { startServer, StreamClient, until, type TestServer } from '../helpers/server.js';
import type { AgentSide, DeskAgent, DeskDriver } from './desk-contract.js';

// The desk driver of the built-in `inbox` desk for the desk contract. The agents are Parley's own, over the
// agent API and agent streams: Alice in the `default` queue (manual assignment, so taking a chat is her
// explicit accept, as at a vendor) and Bob in a `sales` queue, the transfer target. The inbox has no vendor:
// the vendor-failure cases are not applicable.

interface InboxAgent {
  id: string;
  name: string;
  token: string;
  stream: StreamClient;
}

export function inboxDriver(): DeskDriver {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-contract-inbox-'));
  let ts: TestServer | undefined;
  let alice: InboxAgent;
  let bob: InboxAgent;
  let salesId: string;

  const server = () => startServer({ env: { PARLEY_DEFAULT_ASSIGNMENT: 'manual' }, dataDir, captureLogs: true });
  const connect = async (a: Omit<InboxAgent, 'stream'>): Promise<InboxAgent> => ({ ...a, stream: await StreamClient.open(driver.ts.url, a.token) });
  const closeStreams = () => Promise.all([alice.stream.close(), bob.stream.close()]);

  const driver: DeskDriver = {
    name: 'inbox',
    desk: 'inbox',
    capabilities: { vendorFaults: false, customerMessageStatus: 'read', agentMessageStatus: 'read' },
    get ts() {
      if (!ts) throw new Error('the inbox driver is not started');
      return ts;
    },
    async start() {
      ts = await server();
      salesId = (await createQueue(ts.server.database.db, { name: 'sales', assignment: 'manual' })).id;
      alice = await connect(await fastAgent(ts, { name: 'Alice' }));
      bob = await connect(await fastAgent(ts, { name: 'Bob', queues: [salesId] }));
    },
    async restart() {
      await closeStreams();
      await driver.ts.stop();
      ts = await server();
      // Same data folder: the same signing key, so the agents' tokens still hold.
      alice = await connect(alice);
      bob = await connect(bob);
    },
    async stop() {
      if (alice) await closeStreams();
      await ts?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
    async arrived(chat: Chat): Promise<AgentSide> {
      const id = chat.conversationId;
      // It waits in Alice's queue: her list shows it.
      await until(async () => ((await driver.ts.api.get('/v1/agent/conversations?scope=queued', alice.token)).body.conversations as { id: string }[]).some((c) => c.id === id), 5000, 'the chat in the queue');
      // Who holds it now (the agents' streams are new after a restart, so looked up each time).
      let holding: 'first' | 'second' = 'first';
      const holder = () => (holding === 'first' ? alice : bob);
      const path = `/v1/agent/conversations/${id}`;
      const events = async () => (await driver.ts.api.get(`${path}/events`, holder().token)).body.events as any[];
      const ok = async (r: Promise<{ status: number; body: any }>) => {
        const res = await r;
        if (res.status >= 300) throw new Error(`inbox agent call failed: ${res.status} ${JSON.stringify(res.body)}`);
        return res;
      };
      const who = (a: InboxAgent): DeskAgent => ({ participant: { id: a.id, name: a.name }, author: { id: a.id, name: a.name } });
      return {
        async customerTexts() {
          return (await events()).filter((e) => e.kind === 'message' && e.origin === 'channel').map((e) => e.parts[0]?.text);
        },
        async accept(which = 'first') {
          holding = which;
          await ok(driver.ts.api.post(`${path}/accept`, undefined, holder().token));
          return who(holder());
        },
        async send(text) {
          await ok(driver.ts.api.post(`${path}/messages`, { text, clientMessageId: `${text}-${Math.random()}` }, holder().token));
        },
        async typing() {
          await ok(driver.ts.api.post(`${path}/typing`, { typing: true }, holder().token));
        },
        async seesCustomerTyping() {
          return holder().stream.frames.some((f) => f.type === 'typing' && f.conversationId === id && f.typing === true && f.author.role === 'customer');
        },
        async statusOf(text) {
          return (await events()).find((e) => e.kind === 'message' && e.origin === 'desk' && e.parts[0]?.text === text)?.status;
        },
        async read() {
          const lastSeq = (await driver.ts.api.get(`${path}/events`, holder().token)).body.lastSeq as number;
          await ok(driver.ts.api.post(`${path}/read`, { seq: lastSeq }, holder().token));
        },
        async transfer() {
          await ok(driver.ts.api.post(`${path}/transfer`, { toQueueId: salesId }, holder().token));
        },
        async end() {
          await ok(driver.ts.api.post(`${path}/end`, {}, holder().token));
        },
        async seesEnded() {
          return holder().stream.events(id).some((e) => e.kind === 'conversation.ended');
        },
      };
    },
  };
  return driver;
}

