import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, StreamClient, type Res, type TestServer } from '../helpers/server.js';
import type { ChannelCustomer, ChannelDriver, Received, Sent } from './channel-contract.js';

// The channel driver of the built-in `web` channel for the channel contract. The customer is what the
// widget and the SDK do: an anonymous session, a stream (WebSocket), and the customer REST API; the
// conversation is opened with the first message, a quick reply is answered by sending its title (as the
// widget's chat panel does), and "received" is what the stream carried. The web channel has no vendor,
// and nothing can fail to reach a customer who reads the log: those cases are not applicable.

export function webDriver(): ChannelDriver {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-contract-web-'));
  let ts: TestServer | undefined;
  let env: Record<string, string> = {};
  const open = new Set<WebCustomer>();

  const driver: ChannelDriver = {
    name: 'web',
    channel: 'web',
    capabilities: {
      typing: { fromCustomer: true, toCustomer: true },
      agentMessageStatus: 'read',
      customerSeesRead: true,
      media: true,
      quickReplies: true,
      customerEnds: true,
      shows: { joined: true, ended: true, waiting: true },
      vendorFaults: false,
      undeliverable: false,
    },
    get ts() {
      if (!ts) throw new Error('the web driver is not started');
      return ts;
    },
    async start(extra) {
      env = extra;
      ts = await startServer({ env, dataDir, captureLogs: true });
    },
    async restart() {
      await Promise.all([...open].map((c) => c.disconnect()));
      await driver.ts.stop();
      // Same data folder: the same database and signing key, so customers' tokens still hold.
      ts = await startServer({ env, dataDir, captureLogs: true });
      await Promise.all([...open].map((c) => c.connect(driver.ts)));
    },
    async stop() {
      await Promise.all([...open].map((c) => c.close()));
      await ts?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
    async customer() {
      const { token } = await driver.ts.api.customer();
      const c = new WebCustomer(() => driver.ts, token, () => open.delete(c));
      await c.connect(driver.ts);
      open.add(c);
      return c;
    },
  };
  return driver;
}

class WebCustomer implements ChannelCustomer {
  /** Every stream this customer had, oldest first: what its side received is what they all carried. */
  private readonly streams: StreamClient[] = [];
  private opened: Promise<string> | undefined;
  private readonly bodies = new Map<string, object>();

  constructor(
    private readonly ts: () => TestServer,
    private readonly token: string,
    private readonly forget: () => void,
  ) {}

  /** Opens a stream, resuming after the last seq the customer holds (as the SDK does after a reconnect). */
  async connect(ts: TestServer): Promise<void> {
    const id = this.opened && (await this.opened);
    const last = id ? Math.max(0, ...this.events().map((e) => e.seq as number)) : undefined;
    this.streams.push(await StreamClient.open(ts.url, this.token, id ? { [id]: last! } : undefined));
  }

  disconnect(): Promise<void> {
    return this.streams.at(-1)!.close();
  }

  async close(): Promise<void> {
    this.forget();
    await this.disconnect();
  }

  conversationId(): Promise<string> {
    // The widget opens the conversation for the first message, once, however many are sent at once.
    this.opened ??= this.call('POST', '/v1/conversations', {}).then((r) => r.body.conversation.id as string);
    return this.opened;
  }

  async send(text: string, id?: string): Promise<Sent> {
    return this.post({ text }, id);
  }

  async resend(sent: Sent): Promise<void> {
    await this.call('POST', `/v1/conversations/${await this.conversationId()}/messages`, this.bodies.get(sent.id));
  }

  async sendMedia(bytes: Buffer, mime: string): Promise<Sent> {
    const up = await this.call('POST', '/v1/media', undefined, { raw: bytes, contentType: mime });
    return this.post({ parts: [{ type: 'media', mediaId: up.body.media.id }] });
  }

  answer(choice: string): Promise<Sent> {
    return this.send(choice);
  }

  async typing(): Promise<void> {
    await this.call('POST', `/v1/conversations/${await this.conversationId()}/typing`, { typing: true });
  }

  async read(): Promise<void> {
    await this.call('POST', `/v1/conversations/${await this.conversationId()}/read`, { seq: Math.max(...this.events().map((e) => e.seq as number)) });
  }

  async end(): Promise<void> {
    await this.call('POST', `/v1/conversations/${await this.conversationId()}/end`, {});
  }

  async received(): Promise<Received[]> {
    return this.events()
      .filter((e) => e.kind === 'message' && e.origin === 'desk')
      .map((e) => {
        const parts = e.parts as any[];
        const text = parts.map((p) => (p.type === 'text' || p.type === 'quick_replies' ? p.text : undefined)).filter(Boolean);
        const choices = parts.find((p) => p.type === 'quick_replies')?.replies.map((r: { title: string }) => r.title);
        const media = parts.find((p) => p.type === 'media');
        return {
          ...(text.length ? { text: text.join('\n') } : {}),
          ...(choices ? { choices } : {}),
          ...(media ? { media: { mime: media.mime, bytes: async () => Buffer.from(await (await fetch(media.url)).arrayBuffer()) } } : {}),
        };
      });
  }

  async seesAgentTyping(): Promise<boolean> {
    const id = await this.conversationId();
    return this.frames().some((f) => f.type === 'typing' && f.conversationId === id && f.typing === true && f.author.role === 'agent');
  }

  async statusOf(sent: Sent): Promise<string | undefined> {
    const r = await this.call('GET', `/v1/conversations/${await this.conversationId()}/events`);
    return (r.body.events as any[]).find((e) => e.clientMessageId === sent.id)?.status;
  }

  async seesJoined(): Promise<string | undefined> {
    return this.events().find((e) => e.kind === 'participant.joined')?.participant.name;
  }

  async seesEnded(): Promise<boolean> {
    return this.events().some((e) => e.kind === 'conversation.ended');
  }

  async seesWaiting(): Promise<number | undefined> {
    const id = await this.conversationId();
    return this.frames().findLast((f) => f.type === 'availability' && f.conversationId === id)?.position;
  }

  private async post(body: object, id = `web-${Math.random().toString(36).slice(2)}`): Promise<Sent> {
    const conversationId = await this.conversationId();
    this.bodies.set(id, { ...body, clientMessageId: id });
    await this.call('POST', `/v1/conversations/${conversationId}/messages`, this.bodies.get(id));
    return { id };
  }

  private frames(): any[] {
    return this.streams.flatMap((s) => s.frames);
  }

  /** This customer's events, in the order their streams carried them. */
  private events(): any[] {
    return this.frames()
      .filter((f) => f.type === 'event')
      .map((f) => f.event);
  }

  private async call(method: string, path: string, body?: unknown, raw?: { raw: Buffer; contentType: string }): Promise<Res> {
    const r = await this.ts().api.req(method, path, { token: this.token, ...(raw ?? (body !== undefined ? { body } : {})) });
    if (r.status >= 300) throw new Error(`web customer ${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r;
  }
}
