// The Notifications API: create a channel (POST /api/v2/notifications/channels → {id, connectUri,
// expires}), subscribe it to topics, and open a WebSocket at connectUri. Frames are
// {topicName, version, eventBody, metadata:{CorrelationId}}; the service sends
// {"topicName":"channel.metadata","eventBody":{"message":"WebSocket Heartbeat"}} every 30 s and answers a
// client's {"message":"ping"} with a "pong" on the same topic. This is how a middleware learns that an
// agent ended or left a message conversation — the Open Messaging webhook has no such event.
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { json, noContent, type Route } from '../kit/index.js';
import { apiGuards } from './auth.js';
import type { Settings } from './config.js';
import { badRequest, notFound } from './errors.js';
import { parseBody } from './schemas.js';
import type { Conversation, Store } from './state.js';
import { conversationEventView } from './views.js';
import { z } from 'zod';

/** Topics the emulator publishes; `{id}` is a queue or user id. Others are refused, loudly. */
export const EMULATED_TOPICS = [
  'v2.routing.queues.{id}.conversations.messages',
  'v2.routing.queues.{id}.conversations',
  'v2.users.{id}.conversations.messages',
  'v2.users.{id}.conversations',
];
const TOPIC_RES = EMULATED_TOPICS.map((t) => new RegExp(`^${t.replaceAll('.', '\\.').replace('{id}', '[A-Za-z0-9-]+')}$`));

interface Channel {
  id: string;
  connectUri: string;
  expires: string;
  topics: Set<string>;
  sockets: Set<WebSocket>;
}

const Subscriptions = z.array(z.object({ id: z.string().min(1) }));

export class Notifications {
  private readonly channels = new Map<string, Channel>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly settings: Settings,
    private readonly baseUrl: () => string,
  ) {
    this.restartHeartbeat();
  }

  restartHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => this.sendAll({ topicName: 'channel.metadata', eventBody: { message: 'WebSocket Heartbeat' } }), this.settings.heartbeatMs);
    this.heartbeat.unref();
  }

  routes(): Route[] {
    const guards = apiGuards(this.store, this.settings);
    const bodyGuards = apiGuards(this.store, this.settings, true);
    const view = (c: Channel): Record<string, unknown> => ({ connectUri: c.connectUri, id: c.id, expires: c.expires });
    const topics = (c: Channel): Record<string, unknown> => ({ entities: [...c.topics].map((id) => ({ id })) });
    const channelOf = (id: string): Channel => {
      const c = this.channels.get(id);
      if (!c) throw notFound(`Channel ${id} not found.`);
      return c;
    };
    const parseTopics = (raw: z.infer<typeof Subscriptions>): string[] => {
      const bad = raw.map((t) => t.id).filter((t) => !TOPIC_RES.some((re) => re.test(t)));
      if (bad.length) throw badRequest(`Topics not emulated: ${bad.join(', ')}. The emulator publishes ${EMULATED_TOPICS.join(', ')}.`);
      return raw.map((t) => t.id);
    };
    return [
      {
        method: 'POST',
        path: '/api/v2/notifications/channels',
        guards,
        handler: () => {
          const id = `streaming-0-${randomBytes(13).toString('hex')}`;
          const wsBase = this.baseUrl().replace(/^http/, 'ws');
          const channel: Channel = {
            id,
            connectUri: `${wsBase}/channels/${id}`,
            expires: new Date(Date.now() + 24 * 3600_000).toISOString(),
            topics: new Set(),
            sockets: new Set(),
          };
          this.channels.set(id, channel);
          return json(200, view(channel));
        },
      },
      { method: 'GET', path: '/api/v2/notifications/channels', guards, handler: () => json(200, { entities: [...this.channels.values()].map(view) }) },
      {
        method: 'HEAD',
        path: '/api/v2/notifications/channels/:channelId',
        guards,
        handler: (ctx) => (this.channels.has(ctx.params.channelId!) ? { status: 200 } : { status: 404 }),
      },
      { method: 'GET', path: '/api/v2/notifications/channels/:channelId/subscriptions', guards, handler: (ctx) => json(200, topics(channelOf(ctx.params.channelId!))) },
      {
        method: 'PUT',
        path: '/api/v2/notifications/channels/:channelId/subscriptions',
        guards: bodyGuards,
        handler: (ctx) => {
          const c = channelOf(ctx.params.channelId!);
          c.topics = new Set(parseTopics(parseBody(ctx, Subscriptions)));
          return json(200, topics(c));
        },
      },
      {
        method: 'POST',
        path: '/api/v2/notifications/channels/:channelId/subscriptions',
        guards: bodyGuards,
        handler: (ctx) => {
          const c = channelOf(ctx.params.channelId!);
          for (const t of parseTopics(parseBody(ctx, Subscriptions))) c.topics.add(t);
          return json(200, topics(c));
        },
      },
      {
        method: 'DELETE',
        path: '/api/v2/notifications/channels/:channelId/subscriptions',
        guards,
        handler: (ctx) => {
          channelOf(ctx.params.channelId!).topics.clear();
          return noContent(204);
        },
      },
    ];
  }

  /** Claims WebSocket upgrades for /channels/{id}; the connectUri is the credential. */
  upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): boolean => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const m = /^\/channels\/([^/]+)$/.exec(path);
    if (!m) return false;
    const channel = this.channels.get(m[1]!);
    if (!channel) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return true;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      channel.sockets.add(ws);
      ws.on('close', () => channel.sockets.delete(ws));
      ws.on('message', (data) => {
        let msg: unknown;
        try {
          msg = JSON.parse(String(data));
        } catch {
          return;
        }
        if (typeof msg === 'object' && msg !== null && (msg as { message?: unknown }).message === 'ping') {
          ws.send(JSON.stringify({ topicName: 'channel.metadata', eventBody: { message: 'pong' } }));
        }
      });
    });
    return true;
  };

  /** Tells every subscribed channel that a conversation changed. */
  conversationChanged(c: Conversation): void {
    const body = conversationEventView(c);
    const userIds = new Set(c.participants.filter((p) => p.userId).map((p) => p.userId!));
    const topicNames = [
      ...c.queueIds.flatMap((q) => [`v2.routing.queues.${q}.conversations.messages`, `v2.routing.queues.${q}.conversations`]),
      ...[...userIds].flatMap((u) => [`v2.users.${u}.conversations.messages`, `v2.users.${u}.conversations`]),
    ];
    for (const topicName of topicNames) {
      for (const channel of this.channels.values()) {
        if (!channel.topics.has(topicName)) continue;
        const frame = JSON.stringify({ topicName, version: '2', eventBody: body, metadata: { CorrelationId: randomUUID() } });
        for (const ws of channel.sockets) ws.send(frame);
      }
    }
  }

  list(): Record<string, unknown>[] {
    return [...this.channels.values()].map((c) => ({ id: c.id, connectUri: c.connectUri, topics: [...c.topics], sockets: c.sockets.size }));
  }

  reset(): void {
    for (const c of this.channels.values()) for (const ws of c.sockets) ws.terminate();
    this.channels.clear();
  }

  close(): void {
    clearInterval(this.heartbeat);
    this.reset();
    this.wss.close();
  }

  private sendAll(frame: unknown): void {
    const text = JSON.stringify(frame);
    for (const c of this.channels.values()) for (const ws of c.sockets) ws.send(text);
  }
}
