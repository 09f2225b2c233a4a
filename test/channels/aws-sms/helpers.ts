import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAwsSmsEmulator, type AwsSmsEmulator, type AwsSmsEmulatorOptions } from '../../../emulators/aws-sms/main.js';
import { client } from '../../emulators/helpers.js';
import { startServer, until, type TestServer } from '../../helpers/server.js';

// A Parley server with an `aws-sms` channel instance (`sms`) pointed at an in-process AWS End User Messaging
// SMS emulator, routed to the inbox desk. SNS reaches Parley as in production: through a public URL in front
// of it (a forwarding proxy, standing still across Parley restarts) that is subscribed to the emulator's
// two-way and events topics; Parley confirms the subscriptions itself. The emulator plays the customer's phone.

export interface AwsSmsScene {
  /** The running Parley; a new one after `restart()`. */
  ts: TestServer;
  emu: AwsSmsEmulator;
  /** The public URL of Parley's SNS endpoint (the proxy). */
  webhookUrl: string;
  control(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** The phone texts the number; the inbound message id and the SNS MessageId. */
  text(phone: string, body: string): Promise<{ inboundMessageId: string; snsMessageId: string }>;
  /** What the phone received from the number, in order. */
  received(phone: string): Promise<{ messageId: string; body: string }[]>;
  /** The Parley conversation an inbound text went to, once stored. */
  conversationOf(inboundMessageId: string): Promise<string>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface SceneOptions {
  emulator?: AwsSmsEmulatorOptions;
  channel?: Record<string, unknown>;
  env?: Record<string, string>;
}

/** A forwarding proxy: the stable public address of whichever Parley runs now. */
async function publicProxy(target: () => string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k, v]) => k !== 'host' && k !== 'connection' && typeof v === 'string')) as Record<string, string>;
      const body = Buffer.concat(chunks);
      fetch(target() + (req.url ?? '/'), { method: req.method ?? 'GET', headers, ...(body.length ? { body: new Uint8Array(body) } : {}) })
        .then(async (r) => {
          const out = Buffer.from(await r.arrayBuffer());
          res.writeHead(r.status, Object.fromEntries([...r.headers].filter(([k]) => k !== 'content-length' && k !== 'transfer-encoding' && k !== 'connection')));
          res.end(out);
        })
        .catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export async function awsSmsScene(opts: SceneOptions = {}): Promise<AwsSmsScene> {
  const emu = await startAwsSmsEmulator({ port: 0, snsRetry: { delaysMs: [50, 100, 200], timeoutMs: 3000 }, carrierDelayMs: 20, ...opts.emulator });
  let current: TestServer | undefined;
  const proxy = await publicProxy(() => current!.url);
  const webhookUrl = `${proxy.url}/webhooks/aws-sms/sms`;
  const c = emu.credentials;
  const dir = mkdtempSync(join(tmpdir(), 'parley-aws-sms-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const file = join(dir, 'parley.config.json');
  writeFileSync(
    file,
    JSON.stringify({
      channels: {
        web: { type: 'web' },
        sms: {
          type: 'aws-sms',
          region: c.region,
          endpoint: emu.url,
          originationIdentity: c.phoneNumber,
          topicArn: c.topicArn,
          eventsTopicArn: c.eventsTopicArn,
          configurationSetName: c.configurationSetName,
          snsTrustedHosts: [new URL(emu.url).host],
          accessKeyId: c.accessKeyId,
          secretAccessKey: { env: 'TEST_AWS_SMS_SECRET' },
          attemptTimeoutMs: 1000,
          totalTimeoutMs: 2500,
          ...opts.channel,
        },
      },
      desks: { inbox: { type: 'inbox' } },
    }),
  );
  const { control } = client(emu.url);
  const parley = () =>
    startServer({
      env: { PARLEY_CONFIG: file, TEST_AWS_SMS_SECRET: c.secretAccessKey, PARLEY_DELIVERY_TIMEOUT_MS: '4000', ...opts.env },
      captureLogs: true,
      dataDir,
    });
  current = await parley();
  const sub = await control('POST', '/aws-sms/subscriptions', { endpoint: webhookUrl });
  if (sub.body?.twoWay?.[0] !== webhookUrl || sub.body?.events?.[0] !== webhookUrl) throw new Error(`Parley did not confirm the SNS subscriptions: ${JSON.stringify(sub.body)}`);
  const scene: AwsSmsScene = {
    get ts() {
      return current!;
    },
    emu,
    webhookUrl,
    control,
    async text(phone, body) {
      const r = await control('POST', `/aws-sms/phones/${encodeURIComponent(phone)}/texts`, { body });
      if (r.status !== 200) throw new Error(`the phone could not text: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body as { inboundMessageId: string; snsMessageId: string };
    },
    async received(phone) {
      return (await control('GET', `/aws-sms/phones/${encodeURIComponent(phone)}/texts`)).body.texts as { messageId: string; body: string }[];
    },
    async conversationOf(inboundMessageId) {
      const hub = () => current!.server.services.hub;
      const found = await until(async () => (await hub().tx((tx) => tx.findEventByKey('channel:sms', `message:${inboundMessageId}`)))?.conversationId, 8000, `the conversation of ${inboundMessageId}`);
      return found!;
    },
    async restart() {
      await current!.stop();
      current = await parley();
    },
    async stop() {
      await current?.stop();
      await emu.close();
      await proxy.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return scene;
}
