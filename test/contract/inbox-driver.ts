import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createQueue } from '../../src/hub/admin.js';
import { fastAgent, type Chat } from '../helpers/flows.js';
import { startServer, StreamClient, until, type TestServer } from '../helpers/server.js';
import type { AgentSide, DeskAgent, DeskDriver } from './desk-contract.js';

// The built-in `inbox` desk's agents, played over the agent API and agent streams: Alice in the `default`
// queue (manual assignment, so taking a chat is her explicit accept, as at a vendor) and Bob in a `sales`
// queue, the transfer target. Two contracts use them: the desk contract, through `inboxDriver` (the inbox
// has no vendor: the vendor-failure cases are not applicable), and the channel contract, whose agent side
// is always the inbox.

/** What a Parley serving the inbox agents needs: manual assignment, so that a chat waits until accepted. */
export const INBOX_ENV: Record<string, string> = { PARLEY_DEFAULT_ASSIGNMENT: 'manual' };

interface InboxAgent {
  id: string;
  name: string;
  token: string;
  stream: StreamClient;
}

/** One conversation at the inbox: the desk contract's AgentSide, and what the channel contract needs beyond it. */
export interface InboxSide extends AgentSide {
  /** The agent holding the conversation sends a message body (`text`, `parts`); the event as Parley answered it. */
  post(body: { text?: string; parts?: unknown[] }): Promise<any>;
  /** The conversation's log as the holding agent reads it (statuses included). */
  events(): Promise<any[]>;
  /** The holding agent's live stream. */
  stream(): StreamClient;
  /** Uploads a file as the holding agent; its media id. */
  upload(bytes: Buffer, mime: string): Promise<string>;
}

export class InboxAgents {
  private constructor(
    private ts: TestServer,
    private alice: InboxAgent,
    private bob: InboxAgent,
    private readonly salesId: string,
  ) {}

  /** Creates the two agents (and the sales queue) on a Parley started with INBOX_ENV, and opens their streams. */
  static async join(ts: TestServer): Promise<InboxAgents> {
    const salesId = (await createQueue(ts.server.database.db, { name: 'sales', assignment: 'manual' })).id;
    const [alice, bob] = await Promise.all([fastAgent(ts, { name: 'Alice' }), fastAgent(ts, { name: 'Bob', queues: [salesId] })]);
    return new InboxAgents(ts, await connect(ts, alice), await connect(ts, bob), salesId);
  }

  /** After a restart on the same data (the same signing key, so their tokens still hold): new streams. */
  async reconnect(ts: TestServer): Promise<void> {
    await this.close();
    this.ts = ts;
    [this.alice, this.bob] = await Promise.all([connect(ts, this.alice), connect(ts, this.bob)]);
  }

  async close(): Promise<void> {
    await Promise.all([this.alice.stream.close(), this.bob.stream.close()]);
  }

  /** Waits until the conversation waits in Alice's queue. */
  async arrived(id: string): Promise<InboxSide> {
    await until(async () => ((await this.api.get('/v1/agent/conversations?scope=queued', this.alice.token)).body.conversations as { id: string }[]).some((c) => c.id === id), 5000, 'the chat in the queue');
    // Who holds it now (the agents' streams are new after a restart, so looked up each time).
    let holding: 'first' | 'second' = 'first';
    const holder = () => (holding === 'first' ? this.alice : this.bob);
    const api = () => this.api;
    const path = `/v1/agent/conversations/${id}`;
    const ok = async (r: Promise<{ status: number; body: any }>) => {
      const res = await r;
      if (res.status >= 300) throw new Error(`inbox agent call failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res;
    };
    const events = async () => (await api().get(`${path}/events`, holder().token)).body.events as any[];
    const post = async (body: { text?: string; parts?: unknown[] }) => (await ok(api().post(`${path}/messages`, { ...body, clientMessageId: `agent-${Math.random()}` }, holder().token))).body.event;
    const who = (a: InboxAgent): DeskAgent => ({ participant: { id: a.id, name: a.name }, author: { id: a.id, name: a.name } });
    return {
      events,
      post,
      stream: () => holder().stream,
      async upload(bytes, mime) {
        return (await ok(api().req('POST', '/v1/media', { token: holder().token, raw: bytes, contentType: mime }))).body.media.id;
      },
      async customerTexts() {
        return (await events()).filter((e) => e.kind === 'message' && e.origin === 'channel').map((e) => e.parts[0]?.text);
      },
      async accept(which = 'first') {
        holding = which;
        await ok(api().post(`${path}/accept`, undefined, holder().token));
        return who(holder());
      },
      async send(text) {
        await post({ text });
      },
      async typing() {
        await ok(api().post(`${path}/typing`, { typing: true }, holder().token));
      },
      async seesCustomerTyping() {
        return holder().stream.frames.some((f) => f.type === 'typing' && f.conversationId === id && f.typing === true && f.author.role === 'customer');
      },
      async statusOf(text) {
        return (await events()).find((e) => e.kind === 'message' && e.origin === 'desk' && e.parts[0]?.text === text)?.status;
      },
      async read() {
        const lastSeq = (await api().get(`${path}/events`, holder().token)).body.lastSeq as number;
        await ok(api().post(`${path}/read`, { seq: lastSeq }, holder().token));
      },
      transfer: async () => {
        await ok(api().post(`${path}/transfer`, { toQueueId: this.salesId }, holder().token));
      },
      async end() {
        await ok(api().post(`${path}/end`, {}, holder().token));
      },
      async seesEnded() {
        return holder().stream.events(id).some((e) => e.kind === 'conversation.ended');
      },
    };
  }

  private get api() {
    return this.ts.api;
  }
}

const connect = async (ts: TestServer, a: Omit<InboxAgent, 'stream'>): Promise<InboxAgent> => ({ id: a.id, name: a.name, token: a.token, stream: await StreamClient.open(ts.url, a.token) });

/** The desk driver of the built-in `inbox` desk for the desk contract. */
export function inboxDriver(): DeskDriver {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-contract-inbox-'));
  let ts: TestServer | undefined;
  let agents: InboxAgents | undefined;

  const server = () => startServer({ env: INBOX_ENV, dataDir, captureLogs: true });

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
      agents = await InboxAgents.join(ts);
    },
    async restart() {
      await agents!.close();
      await driver.ts.stop();
      ts = await server();
      await agents!.reconnect(ts);
    },
    async stop() {
      await agents?.close();
      await ts?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
    arrived: (chat: Chat): Promise<AgentSide> => agents!.arrived(chat.conversationId),
  };
  return driver;
}
