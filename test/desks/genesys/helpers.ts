import { startGenesysEmulator, type GenesysEmulator } from '../../../emulators/genesys/main.js';
import type { GenesysEmulatorOptions } from '../../../emulators/genesys/main.js';
import { client } from '../../emulators/helpers.js';
import { configuredParley } from '../../helpers/scene.js';
import { until, type TestServer } from '../../helpers/server.js';

// A Parley server whose `web` channel routes to a `genesys` desk instance pointed at an in-process Genesys
// emulator, whose webhook points back at Parley. The emulator plays the agent through its control API.

export interface GenesysScene {
  /** The running Parley; a new one after `restart()`. */
  ts: TestServer;
  emu: GenesysEmulator;
  control(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** The emulator's conversation for a customer (contact id), once it exists. */
  conversationOf(contactId: string): Promise<any | undefined>;
  /**
   * Waits until this Parley's end detection has a notification socket open at the emulator (joins,
   * transfers and ends made before that are seen only with the conversation's next event).
   */
  notificationsReady(): Promise<void>;
  /** Stops Parley and starts a new one on the same data folder (database, secrets); the emulator runs on. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function genesysScene(opts: { emulator?: GenesysEmulatorOptions; desk?: Record<string, unknown>; env?: Record<string, string> } = {}): Promise<GenesysScene> {
  // The webhook URL needs Parley's port, which we know only after start: the emulator starts first with a
  // placeholder, and its integration is pointed at Parley afterwards through the control API.
  const emu = await startGenesysEmulator({ port: 0, webhook: { timeoutMs: 2000, delayMs: 50, maxRetries: 5 }, heartbeatMs: 1000, ...opts.emulator });
  const parley = configuredParley(
    'parley-genesys-',
    {
      channels: { web: { type: 'web' } },
      desks: {
        inbox: { type: 'inbox' },
        gc: { ...genesysDeskSettings(emu), ...opts.desk },
      },
      routes: [{ channel: 'web', desk: 'gc' }],
    },
    { TEST_GENESYS_SECRET: emu.credentials.clientSecret, TEST_GENESYS_WEBHOOK_SECRET: emu.credentials.integrationSecret, ...opts.env },
  );
  const { control } = client(emu.url);
  const channels = async () => (await control('GET', '/genesys/notifications')).body.channels as { id: string; sockets: number }[];
  /** Notification channels of servers already stopped: their sockets do not count as ready. */
  const stale = new Set<string>();
  const start = async (): Promise<TestServer> => {
    const ts = await parley.start();
    const set = await control('PATCH', `/genesys/integrations/${emu.credentials.integrationId}`, { webhookUrl: `${ts.url}/webhooks/genesys/gc` });
    if (set.status !== 200) throw new Error(`could not point the integration at Parley: ${set.status} ${JSON.stringify(set.body)}`);
    return ts;
  };
  const scene: GenesysScene = {
    ts: await start(),
    emu,
    control,
    async conversationOf(contactId: string) {
      const list = (await control('GET', '/genesys/conversations')).body.conversations as any[];
      return list.find((c) => c.customer?.id === contactId && c.phase !== 'ended');
    },
    async notificationsReady() {
      await until(async () => (await channels()).some((c) => !stale.has(c.id) && c.sockets > 0), 5000, 'the notification socket');
    },
    async restart() {
      for (const c of await channels()) stale.add(c.id);
      await scene.ts.stop();
      scene.ts = await start();
    },
    async stop() {
      await scene.ts.stop();
      await emu.close();
      parley.remove();
    },
  };
  return scene;
}

/** A `genesys` desk's settings for a Genesys emulator (secrets from TEST_GENESYS_SECRET / TEST_GENESYS_WEBHOOK_SECRET), with test timeouts. */
export function genesysDeskSettings(emu: { url: string; credentials: { clientId: string; integrationId: string } }): Record<string, unknown> {
  return {
    type: 'genesys',
    host: emu.url,
    clientId: emu.credentials.clientId,
    clientSecret: { env: 'TEST_GENESYS_SECRET' },
    integrationId: emu.credentials.integrationId,
    webhookSecret: { env: 'TEST_GENESYS_WEBHOOK_SECRET' },
    attemptTimeoutMs: 1000,
    totalTimeoutMs: 2500,
  };
}
