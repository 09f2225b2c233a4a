// The Graph API routes of graph.facebook.com that both products use: `/v{N}/{id}/messages` (the Page's
// Send API or a WhatsApp phone number's messages), `/v{N}/{id}` (a PSID's profile, a WhatsApp media id,
// the Page or the phone number), uploads, and the two download hosts played on this origin (Messenger's
// public CDN, WhatsApp's token-guarded lookaside URLs). Any `/v{major}.{minor}` version is accepted.
import { json, samplePng, type Ctx, type Reply, type Route } from '../kit/index.js';
import { requireVersion, tokenOf } from './auth.js';
import { GRAPH_VERSION } from './config.js';
import { badToken, fbtraceId, throttled, unsupported } from './errors.js';
import type { Messenger } from './messenger.js';
import type { Store } from './state.js';
import type { WhatsApp } from './whatsapp.js';

export function graphRoutes(deps: { store: Store; messenger: Messenger; whatsapp: WhatsApp }): Route[] {
  const { store, messenger, whatsapp } = deps;
  const guards = [requireVersion];
  const isPage = (id: string): boolean => id === 'me' || id === store.pageId;
  /** Neither product's token: Graph's 190 before anything else. */
  const anyToken = (ctx: Ctx): void => {
    const t = tokenOf(ctx);
    if (t !== store.pageAccessToken && t !== store.whatsappToken) throw badToken(400);
  };
  const id = (ctx: Ctx): string => ctx.params.id!;
  return [
    // Fixed paths first: `/:version/:id` would take them.
    // WhatsApp media downloads (Meta: lookaside.fbsbx.com/whatsapp_business/attachments/?mid=…&ext=…&hash=…).
    { method: 'GET', path: '/whatsapp_business/attachments', handler: (ctx) => whatsapp.downloadMedia(ctx) },
    // Messenger attachment URLs (Meta: scontent.xx.fbcdn.net/…): public, no token.
    {
      method: 'GET',
      path: '/cdn/fbcdn/:id',
      handler: (ctx) => {
        const file = store.files.get(id(ctx));
        if (!file) return { status: 404, body: 'Not Found', contentType: 'text/plain' };
        return { status: 200, body: file.bytes, contentType: file.contentType, headers: { 'cache-control': 'max-age=1209600' } };
      },
    },
    { method: 'GET', path: '/cdn/profile/:id', handler: () => ({ status: 200, body: samplePng(64, [0x8a, 0x3f, 0xfc]), contentType: 'image/png' }) },
    {
      method: 'POST',
      path: '/:version/:id/messages',
      guards,
      handler: (ctx) => {
        if (isPage(id(ctx))) return messenger.send(ctx);
        if (id(ctx) === store.phoneNumberId) return whatsapp.send(ctx);
        anyToken(ctx);
        throw unsupported('post', id(ctx));
      },
    },
    {
      method: 'POST',
      path: '/:version/:id/message_attachments',
      guards,
      handler: (ctx) => {
        if (isPage(id(ctx))) return messenger.upload(ctx);
        anyToken(ctx);
        throw unsupported('post', id(ctx));
      },
    },
    {
      method: 'POST',
      path: '/:version/:id/media',
      guards,
      handler: (ctx) => {
        if (id(ctx) === store.phoneNumberId) return whatsapp.upload(ctx);
        anyToken(ctx);
        throw unsupported('post', id(ctx));
      },
    },
    {
      method: 'GET',
      path: '/:version/:id',
      guards,
      handler: (ctx): Reply => {
        const user = store.messengerUsers.get(id(ctx));
        if (user) return messenger.profile(ctx, user);
        const file = store.files.get(id(ctx));
        if (file?.owner === 'whatsapp-media') return whatsapp.mediaInfo(ctx, file);
        anyToken(ctx);
        if (isPage(id(ctx)) && tokenOf(ctx) === store.pageAccessToken) return json(200, { name: store.pageName, id: store.pageId });
        if (id(ctx) === store.phoneNumberId && tokenOf(ctx) === store.whatsappToken) {
          return json(200, { verified_name: 'Parley Emulated Business', code_verification_status: 'VERIFIED', display_phone_number: store.displayPhoneNumber, quality_rating: 'GREEN', platform_type: 'CLOUD_API', throughput: { level: 'STANDARD' }, id: store.phoneNumberId });
        }
        throw unsupported('get', id(ctx));
      },
    },
    {
      method: 'DELETE',
      path: '/:version/:id',
      guards,
      handler: (ctx) => {
        const file = store.files.get(id(ctx));
        if (file?.owner === 'whatsapp-media') return whatsapp.deleteMedia(ctx, file);
        anyToken(ctx);
        throw unsupported('delete', id(ctx));
      },
    },
  ];
}

/** A WhatsApp path (throttling answers in WhatsApp's code there). */
export function isWhatsAppPath(store: Store, path: string): boolean {
  const segs = path.split('/').filter(Boolean);
  if (segs[0] === 'whatsapp_business') return true;
  const id = segs[1];
  return id !== undefined && (id === store.phoneNumberId || store.files.get(id)?.owner === 'whatsapp-media');
}

/** Graph's headers on every answer; an injected 429 on a WhatsApp path speaks WhatsApp (130429). */
export function decorate(store: Store, ctx: Ctx, reply: Reply): void {
  if (reply.status === 429 && isWhatsAppPath(store, ctx.path)) {
    const retryAfter = Number(reply.headers?.['retry-after'] ?? 1);
    const wa = throttled('whatsapp', retryAfter);
    reply.body = wa.body;
    reply.headers = { ...reply.headers, ...wa.headers };
  }
  reply.headers = { ...reply.headers, 'facebook-api-version': /^\/v\d+\.\d+\//.test(ctx.path) ? ctx.path.split('/')[1]! : GRAPH_VERSION, 'x-fb-trace-id': fbtraceId(), 'x-fb-request-id': fbtraceId() };
}
