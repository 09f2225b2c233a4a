import { metaScene, type MetaScene, type MetaSceneOptions } from '../meta-scene.js';

// A Parley server with a `messenger` channel instance (`messenger`) pointed at an in-process Meta emulator,
// routed to the inbox desk, Meta's webhook subscribed through its GET handshake (test/channels/meta-scene.ts).
// The emulator plays each customer: `user()` is a PSID, `write()` answers Messenger's mid, `view()` shows
// what the Page sent them (`received`), typing, and the seen watermark.

export type MessengerScene = MetaScene;
export type SceneOptions = MetaSceneOptions;

export function messengerScene(opts: SceneOptions = {}): Promise<MessengerScene> {
  return metaScene(
    {
      app: 'messenger',
      instance: 'messenger',
      webhook: { timeoutMs: 3000, retries: 3, delayMs: 50 },
      settings: messengerChannelSettings,
      secrets: (emu) => ({ TEST_META_APP_SECRET: emu.credentials.appSecret, TEST_META_PAGE_TOKEN: emu.credentials.pageAccessToken }),
    },
    opts,
  );
}

/** A `messenger` channel's settings for a Meta emulator (secrets from TEST_META_APP_SECRET, TEST_META_PAGE_TOKEN), with test timeouts. */
export function messengerChannelSettings(emu: { url: string; credentials: { pageId: string; verifyToken: string; appId: string } }): Record<string, unknown> {
  const c = emu.credentials;
  return {
    type: 'messenger',
    pageId: c.pageId,
    pageAccessToken: { env: 'TEST_META_PAGE_TOKEN' },
    appSecret: { env: 'TEST_META_APP_SECRET' },
    verifyToken: c.verifyToken,
    appId: c.appId,
    graphApiBaseUrl: emu.url,
    attemptTimeoutMs: 1000,
    totalTimeoutMs: 2500,
  };
}
