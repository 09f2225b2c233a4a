// The Meta control API, /__control/meta/…: subscribe a callback (Meta's GET handshake), play Messenger and
// WhatsApp users (write, tap quick replies / buttons / list rows, post back, read, let time pass), post a
// webhook again byte for byte, batch several messages into one webhook, manage templates, read stored files,
// and change the live settings. JSON in, JSON out.
import { z } from 'zod';
import { controlBody, controlNotFound, json, noContent, samplePng, type ControlDoc, type Route } from '../kit/index.js';
import type { Settings } from './config.js';
import { template } from './config.js';
import type { Messenger, UserMessageInput } from './messenger.js';
import { verifyCallback, type Hooks } from './outbound.js';
import type { MessengerUser, Store, WhatsAppUser } from './state.js';
import type { WaUserMessageInput, WhatsApp } from './whatsapp.js';

const P = '/__control/meta';

export const META_CONTROL_DOCS: ControlDoc[] = [
  { method: 'POST', path: `${P}/subscribe`, does: "{app: messenger|whatsapp, callbackUrl}: Meta's GET handshake now; subscribed only on 200 + the challenge → {verified, status?, body?}" },
  { method: 'GET', path: `${P}/settings`, does: 'live settings, subscriptions and credentials' },
  { method: 'PATCH', path: `${P}/settings`, does: '{humanAgent?, echoes?, deliveryDelayMs?, mediaUrlTtlSeconds?, webhook?: {timeoutMs?, retries?, delayMs?}, appSecret?, verifyToken?}' },
  { method: 'GET', path: `${P}/messenger/users`, does: 'every Messenger user' },
  { method: 'POST', path: `${P}/messenger/users`, does: '{name?} → 201 {psid, name}' },
  { method: 'GET', path: `${P}/messenger/users/:psid`, does: '{psid, name, lastMessageAt, typing, seenWatermark, received: [what the Page sent], sent: [what the user sent]}' },
  { method: 'POST', path: `${P}/messenger/users/:psid/messages`, does: '{text?, quickReply?: {title, payload}, image?: true, attachments?: [{type, contentType, base64}], timestamp?, replyTo?} → 201 {mid, delivery}' },
  { method: 'POST', path: `${P}/messenger/users/:psid/postbacks`, does: '{title, payload} → 201 {mid, delivery}' },
  { method: 'POST', path: `${P}/messenger/users/:psid/read`, does: 'the user reads everything: a message_reads event → 201 {delivery, watermark}' },
  { method: 'POST', path: `${P}/messenger/users/:psid/age`, does: "{hours}: the user's last message is that much older → 204" },
  { method: 'GET', path: `${P}/whatsapp/users`, does: 'every WhatsApp user' },
  { method: 'POST', path: `${P}/whatsapp/users`, does: '{name?, waId?} → 201 {waId, name}' },
  { method: 'GET', path: `${P}/whatsapp/users/:waId`, does: '{waId, name, lastMessageAt, typing, readByBusiness, received: [business messages with status], sent: [what the user sent]}' },
  {
    method: 'POST',
    path: `${P}/whatsapp/users/:waId/messages`,
    does: '{text?, image?: true, media?: {type, contentType, base64, filename?, caption?}, location?, contacts?, reaction?: {messageId, emoji}, buttonReply?: {id, title}, listReply?: {id, title, description?}, button?: {text, payload}, contextMessageId?, timestamp?} → 201 {wamid, delivery}',
  },
  { method: 'POST', path: `${P}/whatsapp/users/:waId/read`, does: 'every received business message not yet read becomes read (status webhooks) → 201 {deliveries}' },
  { method: 'POST', path: `${P}/whatsapp/users/:waId/age`, does: '{hours} → 204' },
  { method: 'GET', path: `${P}/whatsapp/templates`, does: 'the approved templates' },
  { method: 'POST', path: `${P}/whatsapp/templates`, does: '{name, language, category?, body ({{1}} placeholders)} → 201 the template' },
  { method: 'POST', path: `${P}/messages/:id/redeliver`, does: 'post again, byte for byte, the webhook that carried inbound message id (mid or wamid) → 201 {delivery}' },
  { method: 'POST', path: `${P}/batch`, does: '{app, entries?: 1, messages: [{user, text}]} → ONE webhook with all of them → 201 {ids, delivery}' },
  { method: 'GET', path: `${P}/media/:id`, does: 'the bytes of any stored file, without auth' },
];

const Subscribe = z.object({ app: z.enum(['messenger', 'whatsapp']), callbackUrl: z.url() });
const SettingsPatch = z.object({
  humanAgent: z.boolean().optional(),
  echoes: z.boolean().optional(),
  deliveryDelayMs: z.number().int().min(0).optional(),
  mediaUrlTtlSeconds: z.number().int().min(0).optional(),
  webhook: z.object({ timeoutMs: z.number().int().positive(), retries: z.number().int().min(0), delayMs: z.number().int().min(0) }).partial().optional(),
  appSecret: z.string().min(1).optional(),
  verifyToken: z.string().min(1).optional(),
});
const NewUser = z.object({ name: z.string().min(1).optional() });
const NewWaUser = z.object({ name: z.string().min(1).optional(), waId: z.string().regex(/^\d{5,15}$/, 'digits only').optional() });
const Bin = z.object({ type: z.enum(['image', 'video', 'audio', 'file']), contentType: z.string().min(1), base64: z.string().min(1) });
const MessengerMessage = z.object({
  text: z.string().min(1).optional(),
  quickReply: z.object({ title: z.string(), payload: z.string() }).optional(),
  image: z.literal(true).optional(),
  attachments: z.array(Bin).optional(),
  timestamp: z.number().int().positive().optional(),
  replyTo: z.string().min(1).optional(),
});
const Postback = z.object({ title: z.string(), payload: z.string() });
const Age = z.object({ hours: z.number().positive() });
const WaMessage = z.object({
  text: z.string().min(1).optional(),
  image: z.literal(true).optional(),
  media: z.object({ type: z.enum(['image', 'audio', 'video', 'document', 'sticker']), contentType: z.string().min(1), base64: z.string().min(1), filename: z.string().optional(), caption: z.string().optional() }).optional(),
  location: z.object({ latitude: z.number(), longitude: z.number(), name: z.string().optional(), address: z.string().optional() }).optional(),
  contacts: z.array(z.any()).min(1).optional(),
  reaction: z.object({ messageId: z.string().min(1), emoji: z.string() }).optional(),
  buttonReply: z.object({ id: z.string().min(1), title: z.string().min(1) }).optional(),
  listReply: z.object({ id: z.string().min(1), title: z.string().min(1), description: z.string().optional() }).optional(),
  button: z.object({ text: z.string().min(1), payload: z.string() }).optional(),
  contextMessageId: z.string().min(1).optional(),
  timestamp: z.number().int().positive().optional(),
});
const NewTemplate = z.object({ name: z.string().regex(/^[a-z0-9_]+$/, 'lowercase letters, digits and _'), language: z.string().min(2), category: z.enum(['UTILITY', 'MARKETING', 'AUTHENTICATION']).optional(), body: z.string().min(1) });
const Batch = z.object({ app: z.enum(['messenger', 'whatsapp']), entries: z.number().int().positive().default(1), messages: z.array(z.object({ user: z.string().min(1), text: z.string().min(1) })).min(1) });

const defined = <T extends object>(o: T): Partial<T> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

export function metaControlRoutes(deps: { store: Store; settings: Settings; messenger: Messenger; whatsapp: WhatsApp; hooks: Hooks }): Route[] {
  const { store, settings, messenger, whatsapp, hooks } = deps;
  const r = (method: string, path: string, handler: Route['handler']): Route => ({ method, path: `${P}${path}`, handler, internal: true });
  const mUser = (psid: string | undefined): MessengerUser => {
    const u = store.messengerUsers.get(psid ?? '');
    if (!u) throw controlNotFound(`Messenger user ${psid ?? ''}`);
    return u;
  };
  const wUser = (waId: string | undefined): WhatsAppUser => {
    const u = store.whatsappUsers.get(waId ?? '');
    if (!u) throw controlNotFound(`WhatsApp user ${waId ?? ''}`);
    return u;
  };
  const settingsView = () => ({ ...settings, appSecret: store.appSecret, verifyToken: store.verifyToken, subscriptions: { ...store.subscriptions } });

  return [
    r('POST', '/subscribe', async (ctx) => {
      const { app, callbackUrl } = controlBody(ctx, Subscribe);
      const result = await verifyCallback(callbackUrl, store.verifyToken, settings.webhook.timeoutMs);
      if (result.verified) store.subscriptions[app] = callbackUrl;
      return json(200, result);
    }),
    r('GET', '/settings', () => json(200, settingsView())),
    r('PATCH', '/settings', (ctx) => {
      const { webhook, appSecret, verifyToken, ...rest } = controlBody(ctx, SettingsPatch);
      Object.assign(settings, defined(rest));
      if (webhook) Object.assign(settings.webhook, defined(webhook));
      if (appSecret) store.appSecret = appSecret;
      if (verifyToken) store.verifyToken = verifyToken;
      return json(200, settingsView());
    }),

    // ---- Messenger users ----
    r('GET', '/messenger/users', () => json(200, { users: [...store.messengerUsers.values()].map((u) => messenger.view(u)) })),
    r('POST', '/messenger/users', (ctx) => {
      const u = store.addMessengerUser(controlBody(ctx, NewUser).name);
      return json(201, { psid: u.psid, name: u.name });
    }),
    r('GET', '/messenger/users/:psid', (ctx) => json(200, messenger.view(mUser(ctx.params.psid)))),
    r('POST', '/messenger/users/:psid/messages', (ctx) => {
      const user = mUser(ctx.params.psid);
      const b = controlBody(ctx, MessengerMessage);
      const attachments = [...(b.attachments ?? []).map((a) => ({ type: a.type, contentType: a.contentType, bytes: Buffer.from(a.base64, 'base64') })), ...(b.image ? [messenger.sampleImage()] : [])];
      if (b.text === undefined && !b.quickReply && attachments.length === 0) return json(400, { error: 'give text, quickReply, image or attachments' });
      const input: UserMessageInput = { ...defined({ text: b.text, quickReply: b.quickReply, timestamp: b.timestamp, replyTo: b.replyTo }), ...(attachments.length ? { attachments } : {}) };
      return json(201, messenger.userMessage(user, input));
    }),
    r('POST', '/messenger/users/:psid/postbacks', (ctx) => json(201, messenger.postback(mUser(ctx.params.psid), controlBody(ctx, Postback)))),
    r('POST', '/messenger/users/:psid/read', (ctx) => json(201, messenger.read(mUser(ctx.params.psid)))),
    r('POST', '/messenger/users/:psid/age', (ctx) => {
      messenger.age(mUser(ctx.params.psid), controlBody(ctx, Age).hours);
      return noContent();
    }),

    // ---- WhatsApp users ----
    r('GET', '/whatsapp/users', () => json(200, { users: [...store.whatsappUsers.values()].map((u) => whatsapp.view(u)) })),
    r('POST', '/whatsapp/users', (ctx) => {
      const b = controlBody(ctx, NewWaUser);
      const u = store.addWhatsAppUser(b.name, b.waId);
      return json(201, { waId: u.waId, name: u.name });
    }),
    r('GET', '/whatsapp/users/:waId', (ctx) => json(200, whatsapp.view(wUser(ctx.params.waId)))),
    r('POST', '/whatsapp/users/:waId/messages', (ctx) => {
      const user = wUser(ctx.params.waId);
      const b = controlBody(ctx, WaMessage);
      const media = b.media
        ? { type: b.media.type, contentType: b.media.contentType, bytes: Buffer.from(b.media.base64, 'base64'), ...defined({ filename: b.media.filename, caption: b.media.caption }) }
        : b.image
          ? { type: 'image', contentType: 'image/png', bytes: samplePng(), ...(b.text !== undefined ? { caption: b.text } : {}) }
          : undefined;
      const kinds = [b.text !== undefined && !b.image, media, b.location, b.contacts, b.reaction, b.buttonReply, b.listReply, b.button].filter(Boolean).length;
      if (kinds === 0) return json(400, { error: 'give one of text, image, media, location, contacts, reaction, buttonReply, listReply, button' });
      if (kinds > 1) return json(400, { error: 'one kind of message at a time (an image takes text as its caption)' });
      const input: WaUserMessageInput = {
        ...defined({ text: b.text, location: b.location, contacts: b.contacts, reaction: b.reaction, buttonReply: b.buttonReply, listReply: b.listReply, button: b.button, contextMessageId: b.contextMessageId, timestamp: b.timestamp }),
        ...(media ? { media } : {}),
      } as WaUserMessageInput;
      return json(201, whatsapp.userMessage(user, input));
    }),
    r('POST', '/whatsapp/users/:waId/read', (ctx) => json(201, { deliveries: whatsapp.read(wUser(ctx.params.waId)) })),
    r('POST', '/whatsapp/users/:waId/age', (ctx) => {
      whatsapp.age(wUser(ctx.params.waId), controlBody(ctx, Age).hours);
      return noContent();
    }),
    r('GET', '/whatsapp/templates', () => json(200, { templates: store.templates })),
    r('POST', '/whatsapp/templates', (ctx) => {
      const t = template(controlBody(ctx, NewTemplate));
      store.templates = [...store.templates.filter((x) => !(x.name === t.name && x.language === t.language)), t];
      return json(201, t);
    }),

    // ---- both ----
    r('POST', '/messages/:id/redeliver', (ctx) => {
      const rec = store.inbound.get(ctx.params.id!);
      if (!rec) throw controlNotFound('inbound message');
      return json(201, { delivery: hooks.postRaw(rec.app, rec.key, rec.body) });
    }),
    r('POST', '/batch', (ctx) => {
      const b = controlBody(ctx, Batch);
      if (b.app === 'messenger') return json(201, messenger.batch(b.messages.map((m) => ({ user: mUser(m.user), text: m.text })), b.entries));
      return json(201, whatsapp.batch(b.messages.map((m) => ({ user: wUser(m.user), text: m.text })), b.entries));
    }),
    r('GET', '/media/:id', (ctx) => {
      const file = store.files.get(ctx.params.id!);
      if (!file) throw controlNotFound('file');
      return { status: 200, body: file.bytes, contentType: file.contentType };
    }),
  ];
}
