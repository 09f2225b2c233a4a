import { startMetaEmulator, type MetaEmulator, type MetaEmulatorOptions } from '../../emulators/meta/main.js';
import { client } from '../emulators/helpers.js';
import { conversationOfExternal, eventOfExternal, proxiedParley, proxiedScene, withSettings, type ChannelScene, type ChannelSceneOptions, type Control } from '../helpers/scene.js';

// What the scenes of Meta's two channels share (test/channels/messenger/helpers.ts, whatsapp/helpers.ts): a
// Parley with the channel instance pointed at an in-process Meta emulator, routed to the inbox desk. Meta
// reaches Parley as in production: through a public URL in front of it (a forwarding proxy standing still
// across Parley restarts) that the app's webhook is subscribed to — with Meta's GET handshake, which Parley
// must pass for any webhook to arrive. The emulator's control API plays each customer's app.

export type MetaApp = 'messenger' | 'whatsapp';

export interface MetaScene extends ChannelScene<MetaEmulator> {
  readonly app: MetaApp;
  /** A new user of the app (a customer); their id at Meta (Messenger's PSID, WhatsApp's wa_id). */
  user(name?: string): Promise<string>;
  /** The user writes (a control-API message body: `{text}`, an image, a quick reply or button tap …); Meta's id of it (mid, wamid). */
  write(userId: string, body: Record<string, unknown>): Promise<string>;
  /** The user as the emulator shows them: what the business sent them (`received`), typing, what was read. */
  view(userId: string): Promise<any>;
  /** The Parley event a message of Meta's (mid, wamid) is linked to, if any. */
  eventOf(messageId: string): Promise<string | undefined>;
  /** Resolves once the emulator has no webhook in flight. */
  idle(): Promise<void>;
}

export type MetaSceneOptions = ChannelSceneOptions<MetaEmulatorOptions>;

/** How one of Meta's channels is set up: its emulator's webhook timings, the channel's settings and the secrets they name. */
export interface MetaChannel {
  app: MetaApp;
  instance: string;
  webhook: MetaEmulatorOptions['webhook'];
  settings(emu: MetaEmulator): Record<string, unknown>;
  secrets(emu: MetaEmulator): Record<string, string>;
}

export async function metaScene(channel: MetaChannel, opts: MetaSceneOptions): Promise<MetaScene> {
  const { app, instance } = channel;
  const emu = await startMetaEmulator({ port: 0, deliveryDelayMs: 20, webhook: channel.webhook, ...opts.emulator });
  const parley = await proxiedParley(app, instance);
  await parley.start(
    { channels: { web: { type: 'web' }, [instance]: withSettings(channel.settings(emu), opts.channel) }, desks: { inbox: { type: 'inbox' } } },
    { ...channel.secrets(emu), ...opts.env },
  );
  const { control } = client(emu.url);
  await subscribe(control, app, parley.webhookUrl);
  return proxiedScene<MetaScene>(parley, emu, {
    app,
    control,
    ...metaUsers(control, app),
    conversationOf: (id) => conversationOfExternal(() => parley.ts, instance, id),
    eventOf: (id) => eventOfExternal(parley.ts, instance, id),
    idle: () => emu.webhooksIdle(),
  });
}

/** What the app dashboard does: subscribes `callbackUrl` to the app's webhooks, through Meta's GET handshake, which Parley must pass. */
export async function subscribe(control: Control, app: MetaApp, callbackUrl: string): Promise<void> {
  const sub = await control('POST', '/meta/subscribe', { app, callbackUrl });
  if (sub.body?.verified !== true) throw new Error(`Parley failed Meta's webhook handshake: ${JSON.stringify(sub.body)}`);
}

const IDS = { messenger: { user: 'psid', message: 'mid' }, whatsapp: { user: 'waId', message: 'wamid' } } as const;

/** Play users of the app through the Meta emulator's control API: a new user, the user writing, the user as the emulator shows them. */
export function metaUsers(control: Control, app: MetaApp): Pick<MetaScene, 'user' | 'write' | 'view'> {
  const ids = IDS[app];
  return {
    async user(name) {
      const r = await control('POST', `/meta/${app}/users`, name ? { name } : {});
      if (r.status !== 201) throw new Error(`no ${app} user: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body[ids.user] as string;
    },
    async write(userId, body) {
      const r = await control('POST', `/meta/${app}/users/${userId}/messages`, body);
      if (r.status !== 201) throw new Error(`the user could not write: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body[ids.message] as string;
    },
    async view(userId) {
      return (await control('GET', `/meta/${app}/users/${userId}`)).body;
    },
  };
}
