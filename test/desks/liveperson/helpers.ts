import { startLivePersonEmulator, type LivePersonEmulator, type LivePersonEmulatorOptions } from '../../../emulators/liveperson/main.js';
import { client } from '../../emulators/helpers.js';
import { configuredParley } from '../../helpers/scene.js';
import { until, type TestServer } from '../../helpers/server.js';

// A Parley server whose `web` channel routes to a `liveperson` desk instance (`lp`) pointed at an in-process
// LivePerson emulator (CSDS, Sentinel, IdP, the Connector API and Swift on one origin), whose app installation's
// webhooks point back at Parley. The emulator plays the agents through its control API.

export interface LivePersonScene {
  /** The running Parley; a new one after `restart()`. */
  ts: TestServer;
  emu: LivePersonEmulator;
  control(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** The emulator's conversation for a Parley conversation (by the ext_consumer_id of its contact), once it exists. */
  conversationOf(conversationId: string): Promise<any | undefined>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface LivePersonSceneOptions {
  emulator?: LivePersonEmulatorOptions;
  desk?: Record<string, unknown>;
  env?: Record<string, string>;
}

export async function livePersonScene(opts: LivePersonSceneOptions = {}): Promise<LivePersonScene> {
  const emu = await startLivePersonEmulator({ port: 0, retryScale: 0.01, webhookTimeoutMs: 3000, ...opts.emulator });
  const parley = configuredParley(
    'parley-liveperson-',
    {
      channels: { web: { type: 'web' } },
      desks: { inbox: { type: 'inbox' }, lp: { ...livePersonDeskSettings(emu), ...opts.desk } },
      routes: [{ channel: 'web', desk: 'lp' }],
    },
    { TEST_LP_SECRET: emu.credentials.clientSecret, ...opts.env },
  );
  const { control } = client(emu.url);
  // The webhook URL needs Parley's port: the app installation is pointed at Parley once it listens.
  const start = async (): Promise<TestServer> => {
    const ts = await parley.start();
    const set = await control('PATCH', '/liveperson/settings', { webhookUrl: `${ts.url}/webhooks/liveperson/lp` });
    if (set.status !== 200) throw new Error(`could not point the app's webhooks at Parley: ${set.status} ${JSON.stringify(set.body)}`);
    return ts;
  };
  const scene: LivePersonScene = {
    ts: await start(),
    emu,
    control,
    async conversationOf(conversationId) {
      const hub = scene.ts.server.services.hub;
      const lpId = await hub.tx((tx) => tx.externalOf('lp', 'conversation', conversationId));
      if (!lpId) return undefined;
      const r = await control('GET', `/liveperson/conversations/${lpId}`);
      return r.status === 200 ? (r.body.conversation ?? r.body) : undefined;
    },
    async restart() {
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

/** A `liveperson` desk's settings for the emulator (secret from TEST_LP_SECRET), with test timeouts. */
export function livePersonDeskSettings(emu: { credentials: { accountId: string; clientId: string; csdsUrl: string } }): Record<string, unknown> {
  const c = emu.credentials;
  return {
    type: 'liveperson',
    accountId: c.accountId,
    clientId: c.clientId,
    clientSecret: { env: 'TEST_LP_SECRET' },
    // The domain API's origin (the emulator prints its full CSDS URL for one account).
    csdsUrl: new URL(c.csdsUrl).origin,
    attemptTimeoutMs: 1000,
    totalTimeoutMs: 2500,
  };
}

export { until };
