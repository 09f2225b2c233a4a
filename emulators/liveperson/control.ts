// The LivePerson control API, /__control/liveperson/…: play the agent (accept, type, reply with text, several
// texts in one notification, an image or a file, read, transfer, close with or without a survey), inspect
// conversations, skills and agents, change the app installation's settings, expire tokens, redeliver a webhook,
// read a hosted file. JSON in, JSON out; the agent page is a client of exactly these routes.
import { z } from 'zod';
import { controlAction, controlBody, controlNotFound, vendorControlRoute, HttpError, json, noContent, samplePng, type ControlDoc, type Route } from '../kit/index.js';
import { fileTypeOf, WEBHOOK_TYPES, type Settings } from './config.js';
import { newFilePath } from './api.js';
import { DeskError, type Desk, type OutEvent } from './desk.js';
import type { Notifier } from './outbound.js';
import type { Conversation, Store } from './state.js';

export const LIVEPERSON_CONTROL_DOCS: ControlDoc[] = [
  { method: 'GET', path: '/__control/liveperson/conversations', does: 'conversations, newest first, with participants, dialogs, messages (sequence, status), chat states' },
  { method: 'GET', path: '/__control/liveperson/conversations/:id', does: 'one conversation' },
  { method: 'POST', path: '/__control/liveperson/conversations/:id/accept', does: 'an agent takes the conversation {agentId?} (cqm)' },
  { method: 'POST', path: '/__control/liveperson/conversations/:id/typing', does: 'the agent ChatStateEvent {chatState?: COMPOSING|PAUSE|ACTIVE}' },
  {
    method: 'POST',
    path: '/__control/liveperson/conversations/:id/reply',
    does: 'the agent sends {text?, texts? (one notification), image?: true, file?: {contentType, base64, caption?}, audience?: ALL|AGENTS_AND_MANAGERS, dialogId?} → {sequences}',
  },
  { method: 'POST', path: '/__control/liveperson/conversations/:id/read', does: 'the agent AcceptStatusEvent READ {sequenceList?} (default: every unread consumer message)' },
  { method: 'POST', path: '/__control/liveperson/conversations/:id/transfer', does: '{skillId} (back to waiting) or {agentId} (cqm)' },
  { method: 'POST', path: '/__control/liveperson/conversations/:id/close', does: 'the agent closes {survey?: true, by?: AGENT|SYSTEM} (cqm; a survey opens a POST_SURVEY dialog)' },
  { method: 'POST', path: '/__control/liveperson/conversations/:id/survey/close', does: 'the survey ends; the conversation closes' },
  { method: 'GET', path: '/__control/liveperson/skills', does: 'skills' },
  { method: 'GET', path: '/__control/liveperson/agents', does: 'agents' },
  { method: 'GET', path: '/__control/liveperson/settings', does: 'the app installation and live settings' },
  {
    method: 'PATCH',
    path: '/__control/liveperson/settings',
    does: '{webhookUrl?, clientSecret?, retentionTimeSeconds?, retryScale?, appJwtTtlSeconds?, consumerJwsTtlSeconds?, signatureAlgorithm?, signatureEncoding?, rateLimitPerMinute?, webhookTimeoutMs?, surveyTimeoutMs?}',
  },
  { method: 'POST', path: '/__control/liveperson/tokens/expire', does: 'expire every AppJWT and ConsumerJWS issued so far' },
  { method: 'POST', path: '/__control/liveperson/notifications/:key/redeliver', does: 'post a webhook again byte for byte (key <conversationId>:<n>, as /__control/webhooks lists)' },
  { method: 'GET', path: '/__control/liveperson/files/:relativePathBase64url', does: 'a hosted file’s bytes, no temp URL needed' },
  { method: 'GET', path: '/agent', does: 'the agent page (HTML)' },
];

export function conversationView(c: Conversation): Record<string, unknown> {
  return {
    id: c.id,
    consumerId: c.consumerId,
    extConsumerId: c.extConsumerId,
    skillId: c.skillId,
    state: c.state,
    stage: c.stage,
    participants: c.participants.map((p) => ({ id: p.id, role: p.role, ...(p.name ? { name: p.name } : {}) })),
    dialogs: c.dialogs.map((d) => ({ dialogId: d.dialogId, dialogType: d.dialogType, state: d.state })),
    messages: c.messages.map((m) => ({ ...m, at: new Date(m.at).toISOString() })),
    chatState: { ...c.chatState },
    ...(c.closeReason ? { closeReason: c.closeReason } : {}),
    profile: c.profile,
    startTs: c.startTs,
    ...(c.endTs !== undefined ? { endTs: c.endTs } : {}),
  };
}

const WebhookUrl = z.union([z.url(), z.partialRecord(z.enum(WEBHOOK_TYPES), z.url()), z.null()]);
const SettingsPatch = z.object({
  webhookUrl: WebhookUrl.optional(),
  clientSecret: z.string().min(1).optional(),
  retentionTimeSeconds: z.number().int().min(2).max(259_200).optional(),
  retryScale: z.number().min(0).optional(),
  appJwtTtlSeconds: z.number().int().positive().optional(),
  consumerJwsTtlSeconds: z.number().int().positive().optional(),
  signatureAlgorithm: z.enum(['sha1', 'sha256']).optional(),
  signatureEncoding: z.enum(['base64', 'hex']).optional(),
  rateLimitPerMinute: z.number().int().min(0).optional(),
  webhookTimeoutMs: z.number().int().positive().optional(),
  surveyTimeoutMs: z.number().int().min(0).optional(),
});
const ReplyBody = z.object({
  text: z.string().min(1).optional(),
  texts: z.array(z.string().min(1)).min(1).optional(),
  image: z.literal(true).optional(),
  file: z.object({ contentType: z.string().min(1), base64: z.string().min(1), caption: z.string().optional() }).optional(),
  audience: z.enum(['ALL', 'AGENTS_AND_MANAGERS']).optional(),
  dialogId: z.string().min(1).optional(),
});

export function liveControlRoutes(deps: { store: Store; settings: Settings; desk: Desk; notifier: Notifier }): Route[] {
  const { store, settings, desk, notifier } = deps;
  const r = vendorControlRoute('liveperson');
  const act = <T>(op: () => T): T => controlAction(op, DeskError);
  const view = (c: Conversation) => conversationView(c);

  const hostedFile = (c: Conversation, contentType: string, bytes: Buffer, caption: string): OutEvent => {
    const fileType = fileTypeOf(contentType);
    if (!fileType) throw new HttpError(json(400, { error: `unsupported file contentType ${contentType}` }));
    const relativePath = newFilePath(store.accountId, fileType);
    store.files.set(relativePath, { relativePath, fileType, contentType, announcedSize: bytes.length, bytes, ownerConsumerId: null, conversationId: c.id });
    const preview = contentType.startsWith('image/') && bytes.length <= 64 * 1024 ? `data:${contentType};base64,${bytes.toString('base64')}` : undefined;
    return { type: 'ContentEvent', contentType: 'hosted/file', message: { caption, relativePath, fileType, ...(preview ? { preview } : {}) } };
  };

  return [
    r('GET', '/conversations', () => json(200, { conversations: store.newest().map(view) })),
    r('GET', '/conversations/:id', (ctx) => json(200, view(act(() => desk.get(ctx.params.id!))))),
    r('POST', '/conversations/:id/accept', (ctx) => {
      const b = controlBody(ctx, z.object({ agentId: z.string().optional() }));
      return json(200, view(act(() => desk.accept(ctx.params.id!, b.agentId))));
    }),
    r('POST', '/conversations/:id/typing', (ctx) => {
      const b = controlBody(ctx, z.object({ chatState: z.enum(['COMPOSING', 'PAUSE', 'ACTIVE']).optional() }));
      act(() => desk.typing(ctx.params.id!, b.chatState ?? 'COMPOSING'));
      return noContent();
    }),
    r('POST', '/conversations/:id/reply', (ctx) => {
      const b = controlBody(ctx, ReplyBody);
      const c = act(() => desk.get(ctx.params.id!));
      const events: OutEvent[] = [];
      for (const text of [...(b.text ? [b.text] : []), ...(b.texts ?? [])]) events.push({ type: 'ContentEvent', contentType: 'text/plain', message: text });
      if (b.image) events.push(hostedFile(c, 'image/png', samplePng(), b.text ? '' : 'image.png'));
      if (b.file) events.push(hostedFile(c, b.file.contentType, Buffer.from(b.file.base64, 'base64'), b.file.caption ?? ''));
      if (!events.length) throw new HttpError(json(400, { error: 'give text, texts, image or file' }));
      const sequences = act(() => desk.reply(c.id, { events, audience: b.audience ?? 'ALL', ...(b.dialogId ? { dialogId: b.dialogId } : {}) }));
      return json(201, { sequences });
    }),
    r('POST', '/conversations/:id/read', (ctx) => {
      const b = controlBody(ctx, z.object({ sequenceList: z.array(z.number().int().min(0)).min(1).optional() }));
      act(() => desk.read(ctx.params.id!, b.sequenceList));
      return noContent();
    }),
    r('POST', '/conversations/:id/transfer', (ctx) => {
      const b = controlBody(ctx, z.object({ skillId: z.string().min(1).optional(), agentId: z.string().min(1).optional() }));
      return json(200, view(act(() => desk.transfer(ctx.params.id!, { ...(b.skillId ? { skillId: b.skillId } : {}), ...(b.agentId ? { agentId: b.agentId } : {}) }))));
    }),
    r('POST', '/conversations/:id/close', (ctx) => {
      const b = controlBody(ctx, z.object({ survey: z.boolean().optional(), by: z.enum(['AGENT', 'SYSTEM']).optional() }));
      return json(200, view(act(() => desk.close(ctx.params.id!, { ...(b.survey ? { survey: true } : {}), ...(b.by ? { by: b.by } : {}) }))));
    }),
    r('POST', '/conversations/:id/survey/close', (ctx) => json(200, view(act(() => desk.closeSurvey(ctx.params.id!))))),
    r('GET', '/skills', () => json(200, { skills: store.skills })),
    r('GET', '/agents', () => json(200, { agents: store.agents })),
    r('GET', '/settings', () => json(200, { accountId: store.accountId, clientId: store.clientId, ...settings })),
    r('PATCH', '/settings', (ctx) => {
      const b = controlBody(ctx, SettingsPatch);
      for (const [k, v] of Object.entries(b)) if (v !== undefined) (settings as unknown as Record<string, unknown>)[k] = v;
      return json(200, { accountId: store.accountId, clientId: store.clientId, ...settings });
    }),
    r('POST', '/tokens/expire', () => {
      let expired = 0;
      for (const t of store.tokens.values()) {
        if (t.expiresAt > 0) expired++;
        t.expiresAt = 0;
      }
      return json(200, { expired });
    }),
    r('POST', '/notifications/:key/redeliver', (ctx) => {
      if (!notifier.redeliver(ctx.params.key!)) throw controlNotFound('notification');
      return noContent(202);
    }),
    r('GET', '/files/:relativePathBase64url', (ctx) => {
      const path = Buffer.from(ctx.params.relativePathBase64url!, 'base64url').toString('utf8');
      const file = store.files.get(path);
      if (!file?.bytes) throw controlNotFound('file');
      return { status: 200, body: file.bytes, contentType: file.contentType };
    }),
  ];
}
