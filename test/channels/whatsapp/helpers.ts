import type { MetaEmulator } from '../../../emulators/meta/main.js';
import { metaScene, type MetaScene, type MetaSceneOptions } from '../meta-scene.js';

// A Parley server with a `whatsapp` channel instance (`wa`) pointed at an in-process Meta emulator (its
// WhatsApp Cloud API), routed to the inbox desk, Meta's webhook subscribed through its GET handshake
// (test/channels/meta-scene.ts). The emulator's control API plays each customer's WhatsApp: `user()` is a
// wa_id, `write()` answers the wamid, `view()` shows `received` (business messages with status), `typing`,
// `readByBusiness`.

export const INSTANCE = 'wa';

export type WhatsAppScene = MetaScene;
export type SceneOptions = MetaSceneOptions;

export function whatsappScene(opts: SceneOptions = {}): Promise<WhatsAppScene> {
  return metaScene({ app: 'whatsapp', instance: INSTANCE, webhook: { timeoutMs: 5_000, retries: 5, delayMs: 300 }, settings: whatsappChannelSettings, secrets: whatsappSecrets }, opts);
}

/** A `whatsapp` channel's settings for a Meta emulator (secrets from TEST_WA_TOKEN, TEST_META_*: whatsappSecrets), with test timeouts. */
export function whatsappChannelSettings(emu: MetaEmulator): Record<string, unknown> {
  const c = emu.credentials;
  return {
    type: 'whatsapp',
    phoneNumberId: c.phoneNumberId,
    wabaId: c.wabaId,
    accessToken: { env: 'TEST_WA_TOKEN' },
    appSecret: { env: 'TEST_META_APP_SECRET' },
    verifyToken: { env: 'TEST_META_VERIFY_TOKEN' },
    appId: c.appId,
    graphApiBaseUrl: emu.url,
    attemptTimeoutMs: 1000,
    totalTimeoutMs: 2500,
    mediaTimeoutMs: 3000,
  };
}

/** The secrets whatsappChannelSettings names, for Parley's environment. */
export function whatsappSecrets(emu: MetaEmulator): Record<string, string> {
  const c = emu.credentials;
  return { TEST_WA_TOKEN: c.whatsappToken, TEST_META_APP_SECRET: c.appSecret, TEST_META_VERIFY_TOKEN: c.verifyToken };
}

/** An agent-message as the user's WhatsApp shows it: its text (or interactive body, template text, caption) and choices. */
export function shown(m: any): { text?: string; choices?: string[] } {
  const i = m.interactive;
  const choices: string[] | undefined = i ? (i.type === 'button' ? i.buttons.map((b: any) => b.title) : i.sections.flatMap((s: any) => s.rows.map((r: any) => r.title))) : undefined;
  const text: string | undefined = m.text ?? i?.body ?? m.template?.text ?? m.media?.caption;
  return { ...(text !== undefined ? { text } : {}), ...(choices ? { choices } : {}) };
}
