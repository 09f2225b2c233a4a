// The LivePerson hosts one emulator plays: CSDS (domain API), Sentinel (AppJWT), IdP (ConsumerJWS), the Connector
// API's CONVERSATION and SEND endpoints on asyncMessagingEnt, and Swift (hosted files behind temp URLs). Every
// baseURI the CSDS hands out is this emulator's own host:port. Sources: vendor-protocols §4.1–4.4;
// developers.liveperson.com "Domain API", "Get AppJWT", "Get ConsumerJWS", "CONVERSATION", "SEND", Messaging
// Window API request reference (PublishEvent, UpdateConversationField, GenerateURLForUploadFile/DownloadFile).
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { json, type Ctx, type Kit, type Route } from '../kit/index.js';
import { ACCEPT_STATUSES, CHAT_STATES, FILE_TYPES, TTR_TYPES, type Settings } from './config.js';
import type { Desk, OutEvent } from './desk.js';
import { badRequest, fail, oauthError, swiftError, unauthorized } from './errors.js';
import type { Signer } from './jwt.js';
import { type Consumer, type Conversation, type Dialog, type Store } from './state.js';

export const CSDS_SERVICES = [
  'asyncMessagingEnt',
  'sentinel',
  'idp',
  'swift',
  'msgHist',
  'accountConfigReadOnly',
  'accountConfigReadWrite',
  'agentVep',
  'leDataReporting',
  'messagingRestApiDomain',
];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const idOf = (v: unknown): string | undefined => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);

interface Deps {
  store: Store;
  settings: Settings;
  signer: Signer;
  desk: Desk;
  kit: Kit;
}

export function apiRoutes(deps: Deps): Route[] {
  const { store, settings, signer, desk } = deps;
  const swiftKey = randomBytes(20);
  const account = (ctx: Ctx): string => {
    const id = ctx.params.accountId!;
    if (id !== store.accountId) throw fail(404, `Account ${id} not found`);
    return id;
  };

  // ---- tokens -------------------------------------------------------------------------------------
  const issue = (kind: 'app' | 'consumer', ttlSeconds: number, claims: Obj, consumerId?: string): string => {
    const now = Math.floor(Date.now() / 1000);
    const jti = randomUUID();
    store.tokens.set(jti, { jti, kind, accountId: store.accountId, expiresAt: Date.now() + ttlSeconds * 1000, ...(consumerId ? { consumerId } : {}) });
    return signer.sign({ ...claims, iat: now, exp: now + ttlSeconds, jti }, kind === 'app' ? 'appjwt-emulator' : 'consumerjws-emulator');
  };
  const check = (raw: string | undefined, kind: 'app' | 'consumer', accountId: string, what: string) => {
    if (!raw) throw unauthorized(`Missing ${what}`);
    const token = raw.replace(/^Bearer\s+/i, '').trim();
    const claims = signer.verify(token);
    const issued = typeof claims?.jti === 'string' ? store.tokens.get(claims.jti) : undefined;
    if (!claims || !issued || issued.kind !== kind) throw unauthorized(`Invalid ${what}`);
    if (issued.expiresAt <= Date.now()) throw unauthorized(`Expired ${what}`);
    if (issued.accountId !== accountId) throw unauthorized(`${what} was issued for another account`);
    return issued;
  };
  const header = (ctx: Ctx, name: string): string | undefined => {
    const v = ctx.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  const appJwt = (ctx: Ctx, accountId: string) => check(header(ctx, 'authorization'), 'app', accountId, 'AppJWT (Authorization)');
  const consumerOf = (ctx: Ctx, accountId: string): Consumer => {
    appJwt(ctx, accountId);
    const issued = check(header(ctx, 'x-lp-on-behalf'), 'consumer', accountId, 'ConsumerJWS (X-LP-ON-BEHALF)');
    const consumer = store.consumerById(issued.consumerId ?? '');
    if (!consumer) throw unauthorized('Unknown consumer');
    return consumer;
  };
  const throttle = (): void => {
    const now = Date.now();
    store.recent = store.recent.filter((t) => t > now - 60_000);
    if (settings.rateLimitPerMinute > 0 && store.recent.length >= settings.rateLimitPerMinute) throw fail(429, 'Too many requests');
    store.recent.push(now);
  };
  const body = (ctx: Ctx): unknown => {
    if (!ctx.raw.length) throw badRequest('Request body is missing');
    return ctx.json();
  };

  // ---- events -------------------------------------------------------------------------------------
  const eventOf = (e: unknown, reqId: string, dialog: Dialog, consumer: Consumer): OutEvent => {
    if (!isObj(e) || typeof e.type !== 'string') throw badRequest('body.event.type is required', reqId);
    switch (e.type) {
      case 'ContentEvent': {
        const contentType = e.contentType;
        if (contentType === 'text/plain') {
          if (typeof e.message !== 'string' || !e.message.length) throw badRequest('ContentEvent text/plain needs a non-empty message', reqId);
          return { type: 'ContentEvent', contentType, message: e.message };
        }
        if (contentType === 'hosted/file') {
          const m = e.message;
          if (!isObj(m) || typeof m.relativePath !== 'string') throw badRequest('hosted/file needs message.relativePath', reqId);
          const file = store.files.get(m.relativePath);
          if (!file?.bytes || file.ownerConsumerId !== consumer.id) throw badRequest(`No uploaded file at ${m.relativePath}`, reqId);
          if (typeof m.fileType !== 'string' || m.fileType.toUpperCase() !== file.fileType) throw badRequest(`message.fileType must be ${file.fileType}`, reqId);
          return {
            type: 'ContentEvent',
            contentType,
            message: { caption: typeof m.caption === 'string' ? m.caption : '', relativePath: m.relativePath, fileType: file.fileType, ...(typeof m.preview === 'string' ? { preview: m.preview } : {}) },
          };
        }
        throw badRequest(`Unsupported ContentEvent contentType ${String(contentType)}`, reqId);
      }
      case 'RichContentEvent':
        if (!isObj(e.content)) throw badRequest('RichContentEvent needs a content object', reqId);
        return { type: 'RichContentEvent', content: e.content };
      case 'ChatStateEvent':
        if (!(CHAT_STATES as readonly unknown[]).includes(e.chatState)) throw badRequest(`chatState must be one of ${CHAT_STATES.join(', ')}`, reqId);
        return { type: 'ChatStateEvent', chatState: e.chatState };
      case 'AcceptStatusEvent': {
        if (!(ACCEPT_STATUSES as readonly unknown[]).includes(e.status)) throw badRequest(`status must be one of ${ACCEPT_STATUSES.join(', ')}`, reqId);
        const list = e.sequenceList;
        if (!Array.isArray(list) || !list.length || !list.every((n) => Number.isInteger(n) && (n as number) >= 0)) throw badRequest('sequenceList must be a non-empty array of sequences', reqId);
        const unknown = (list as number[]).filter((n) => n >= dialog.nextSequence);
        if (unknown.length) throw badRequest(`sequenceList refers to sequences not in dialog ${dialog.dialogId}: ${unknown.join(', ')}`, reqId);
        return { type: 'AcceptStatusEvent', status: e.status, sequenceList: list, ...(isObj(e.metadata) || Array.isArray(e.metadata) ? { metadata: e.metadata } : {}) };
      }
      default:
        throw badRequest(`Unsupported event type ${e.type}`, reqId);
    }
  };

  const writable = (reqId: string, consumer: Consumer, dialogId: unknown, conversationId: unknown): { c: Conversation; dialog: Dialog } => {
    if (typeof dialogId !== 'string' || !dialogId) throw badRequest('body.dialogId is required', reqId);
    const found = store.byDialog(dialogId);
    if (!found) throw badRequest(`Dialog ${dialogId} not found`, reqId);
    const { conversation: c, dialog } = found;
    if (conversationId !== undefined && conversationId !== c.id) throw badRequest(`Dialog ${dialogId} is not in conversation ${String(conversationId)}`, reqId);
    if (c.consumerId !== consumer.id) throw badRequest(`Consumer is not a participant of conversation ${c.id}`, reqId);
    if (c.state !== 'OPEN') throw badRequest(`Conversation ${c.id} is closed`, reqId);
    if (dialog.state !== 'OPEN') throw badRequest(`Dialog ${dialogId} is closed`, reqId);
    return { c, dialog };
  };

  const publish = (reqId: string, consumer: Consumer, b: Obj): Obj => {
    const { c, dialog } = writable(reqId, consumer, b.dialogId, b.conversationId);
    const event = eventOf(b.event, reqId, dialog, consumer);
    if (event.type === 'ContentEvent' && event.contentType === 'hosted/file') store.files.get((event.message as Obj).relativePath as string)!.conversationId = c.id;
    const sequence = desk.publish(c, dialog, { id: consumer.id, role: 'CONSUMER' }, event);
    return sequence === undefined ? {} : { sequence };
  };

  // ---- files --------------------------------------------------------------------------------------
  const swiftSig = (method: 'PUT' | 'GET', expires: number, path: string): string => createHmac('sha1', swiftKey).update(`${method}\n${expires}\n${path}`).digest('hex');
  const tempUrl = (method: 'PUT' | 'GET', path: string) => {
    const expires = Math.floor(Date.now() / 1000) + settings.fileUrlTtlSeconds;
    return { relativePath: path, queryParams: { temp_url_sig: swiftSig(method, expires, path), temp_url_expires: String(expires) } };
  };
  const checkTempUrl = (ctx: Ctx, method: 'PUT' | 'GET'): void => {
    const sig = ctx.query.get('temp_url_sig') ?? '';
    const expires = Number(ctx.query.get('temp_url_expires'));
    if (!sig || !Number.isInteger(expires)) throw swiftError(401, '401 Unauthorized: Temp URL invalid');
    if (expires * 1000 < Date.now()) throw swiftError(401, '401 Unauthorized: Temp URL expired');
    const expected = Buffer.from(swiftSig(method, expires, ctx.path));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw swiftError(401, '401 Unauthorized: Temp URL invalid');
  };

  const uploadUrl = (reqId: string, consumer: Consumer, b: Obj): Obj => {
    const size = Number(b.fileSize);
    if (!Number.isInteger(size) || size <= 0) throw badRequest('body.fileSize must be a positive number of bytes', reqId);
    if (size > settings.maxFileBytes) throw badRequest(`File size ${size} exceeds the limit of ${settings.maxFileBytes} bytes`, reqId);
    const fileType = typeof b.fileType === 'string' ? b.fileType.toUpperCase() : '';
    if (!FILE_TYPES[fileType]) throw badRequest(`Unsupported fileType ${String(b.fileType)} (${Object.keys(FILE_TYPES).join(', ')})`, reqId);
    const path = newFilePath(store.accountId, fileType);
    store.files.set(path, { relativePath: path, fileType: fileType === 'JPEG' ? 'JPG' : fileType, contentType: FILE_TYPES[fileType]!, announcedSize: size, ownerConsumerId: consumer.id });
    return tempUrl('PUT', path);
  };

  const downloadUrl = (reqId: string, consumer: Consumer, b: Obj): Obj => {
    if (typeof b.relativePath !== 'string') throw badRequest('body.relativePath is required', reqId);
    const file = store.files.get(b.relativePath);
    const mine = file && (file.ownerConsumerId === consumer.id || (file.conversationId !== undefined && store.conversation(file.conversationId)?.consumerId === consumer.id));
    if (!file?.bytes || !mine) throw badRequest(`No file at ${b.relativePath}`, reqId);
    return tempUrl('GET', b.relativePath);
  };

  const updateField = (reqId: string, consumer: Consumer, b: Obj): Obj => {
    if (typeof b.conversationId !== 'string') throw badRequest('body.conversationId is required', reqId);
    const c = store.conversation(b.conversationId);
    if (!c) throw badRequest(`Conversation ${b.conversationId} not found`, reqId);
    if (c.consumerId !== consumer.id) throw badRequest(`Consumer is not a participant of conversation ${c.id}`, reqId);
    if (c.state !== 'OPEN') throw badRequest(`Conversation ${c.id} is closed`, reqId);
    const fields = Array.isArray(b.conversationField) ? b.conversationField : [b.conversationField];
    if (!fields.length || !fields.every(isObj)) throw badRequest('body.conversationField is required', reqId);
    for (const f of fields as Obj[]) {
      if (f.field === 'ConversationStateField') {
        if (f.conversationState !== 'CLOSE') throw badRequest('conversationState must be CLOSE', reqId);
      } else if (f.field === 'DialogChange') {
        const d = f.dialog;
        if (f.type !== 'UPDATE' || !isObj(d) || typeof d.dialogId !== 'string' || d.state !== 'CLOSE') throw badRequest('DialogChange needs type UPDATE and dialog {dialogId, state: CLOSE}', reqId);
        const dialog = c.dialogs.find((x) => x.dialogId === d.dialogId);
        if (!dialog) throw badRequest(`Dialog ${d.dialogId} not found in conversation ${c.id}`, reqId);
        if (dialog.state !== 'OPEN') throw badRequest(`Dialog ${d.dialogId} is closed`, reqId);
      } else throw badRequest(`Unsupported conversationField ${String(f.field)}`, reqId);
    }
    for (const f of fields as Obj[]) {
      if (c.state !== 'OPEN') break;
      if (f.field === 'ConversationStateField') desk.consumerClose(c);
      else {
        const d = f.dialog as Obj;
        desk.consumerCloseDialog(c, c.dialogs.find((x) => x.dialogId === d.dialogId)!, typeof d.closedCause === 'string' ? d.closedCause : undefined);
      }
    }
    return {};
  };

  // ---- routes -------------------------------------------------------------------------------------
  const ok = (reqId: string, b: Obj) => ({ reqId, code: 'OK', body: b });
  const reqHead = (r: unknown, where: string): { reqId: string; type: string; body: Obj } => {
    if (!isObj(r)) throw badRequest(`${where} must be a request object`);
    const reqId = idOf(r.id);
    if (r.kind !== 'req') throw badRequest(`${where}.kind must be "req"`, reqId);
    if (reqId === undefined) throw badRequest(`${where}.id is required`);
    if (typeof r.type !== 'string') throw badRequest(`${where}.type is required`, reqId);
    if (!isObj(r.body)) throw badRequest(`${where}.body must be an object`, reqId);
    return { reqId, type: r.type, body: r.body };
  };

  return [
    {
      method: 'GET',
      path: '/api/account/:accountId/service/baseURI.json',
      handler: (ctx) => {
        const accountId = account(ctx);
        const host = ctx.headers.host ?? new URL(deps.kit.baseUrl).host;
        return json(200, { baseURIs: CSDS_SERVICES.map((service) => ({ service, account: accountId, baseURI: host })) });
      },
    },
    {
      method: 'POST',
      path: '/sentinel/api/account/:accountId/app/token',
      handler: (ctx) => {
        const accountId = account(ctx);
        const params = new URLSearchParams(ctx.query);
        const type = String(ctx.headers['content-type'] ?? '');
        if (ctx.raw.length && type.includes('application/x-www-form-urlencoded')) for (const [k, v] of new URLSearchParams(ctx.raw.toString('utf8'))) params.set(k, v);
        const grant = params.get('grant_type');
        if (!grant) throw oauthError(400, 'invalid_request', 'grant_type is required');
        if (grant !== 'client_credentials') throw oauthError(400, 'unsupported_grant_type', `grant_type ${grant} is not supported`);
        const id = params.get('client_id');
        const secret = params.get('client_secret');
        if (!id || !secret) throw oauthError(401, 'invalid_client', 'client_id and client_secret are required');
        if (id !== store.clientId || !safeEqual(secret, settings.clientSecret)) throw oauthError(401, 'invalid_client', 'Client authentication failed');
        const ttl = settings.appJwtTtlSeconds;
        const token = issue('app', ttl, { aud: `le${accountId}`, azp: id, scope: 'msg.consumer', iss: 'Sentinel', accountId, client_id: id });
        return json(200, { access_token: token, token_type: 'Bearer', expires_in: ttl });
      },
    },
    {
      method: 'POST',
      path: '/api/account/:accountId/consumer',
      handler: (ctx) => {
        const accountId = account(ctx);
        appJwt(ctx, accountId);
        const b = body(ctx);
        if (!isObj(b) || typeof b.ext_consumer_id !== 'string' || !b.ext_consumer_id.trim()) throw badRequest('ext_consumer_id is required');
        const consumer = store.consumerFor(b.ext_consumer_id);
        const token = issue('consumer', settings.consumerJwsTtlSeconds, { iss: 'https://idp.liveperson.net', aud: accountId, sub: consumer.id, lp_ext_consumer_id: consumer.extConsumerId }, consumer.id);
        return json(201, { token });
      },
    },
    {
      method: 'POST',
      path: '/api/account/:accountId/messaging/consumer/conversation',
      handler: (ctx) => {
        const accountId = account(ctx);
        const consumer = consumerOf(ctx, accountId);
        throttle();
        const b = body(ctx);
        if (!Array.isArray(b) || b.length < 2) throw badRequest('CONVERSATION takes an array: userprofile.SetUserProfile, cm.ConsumerRequestConversation[, ms.PublishEvent]');
        if (b.length > 3) throw badRequest('CONVERSATION takes at most three requests');
        const profile = reqHead(b[0], '[0]');
        if (profile.type !== 'userprofile.SetUserProfile') throw badRequest('The first request must be userprofile.SetUserProfile', profile.reqId);
        const request = reqHead(b[1], '[1]');
        if (request.type !== 'cm.ConsumerRequestConversation') throw badRequest('The second request must be cm.ConsumerRequestConversation', request.reqId);
        const first = b.length === 3 ? reqHead(b[2], '[2]') : undefined;
        if (first && first.type !== 'ms.PublishEvent') throw badRequest('The third request must be ms.PublishEvent', first.reqId);
        const r = request.body;
        const rid = request.reqId;
        if (r.brandId !== undefined && String(r.brandId) !== accountId) throw badRequest(`brandId must be ${accountId}`, rid);
        if (r.channelType !== undefined && r.channelType !== 'MESSAGING') throw badRequest('channelType must be MESSAGING', rid);
        if (r.ttrDefName !== undefined && r.ttrDefName !== null && !(TTR_TYPES as readonly unknown[]).includes(r.ttrDefName)) throw badRequest(`ttrDefName must be one of ${TTR_TYPES.join(', ')} or null`, rid);
        if (r.campaignInfo !== undefined && (!isObj(r.campaignInfo) || idOf(r.campaignInfo.campaignId) === undefined || idOf(r.campaignInfo.engagementId) === undefined))
          throw badRequest('campaignInfo needs campaignId and engagementId', rid);
        if (r.conversationContext !== undefined && !isObj(r.conversationContext)) throw badRequest('conversationContext must be an object', rid);
        const skillId = r.skillId === undefined || r.skillId === null ? '-1' : idOf(r.skillId);
        if (skillId === undefined || (skillId !== '-1' && !store.skills.some((s) => s.id === skillId))) throw badRequest(`Skill ${String(r.skillId)} does not exist`, rid);
        const open = store.openConversationOf(consumer.id);
        if (open) throw badRequest(`Consumer already has an open conversation (${open.id})`, rid);
        if (first) {
          const e = first.body.event;
          if (!isObj(e) || e.type !== 'ContentEvent') throw badRequest('The first message must be a ContentEvent', first.reqId);
        }
        const c = desk.create({
          consumerId: consumer.id,
          extConsumerId: consumer.extConsumerId,
          skillId,
          ttrType: typeof r.ttrDefName === 'string' ? r.ttrDefName : null,
          profile: profile.body,
          context: r.conversationContext ?? null,
          campaignInfo: r.campaignInfo ?? null,
        });
        const answers: Obj[] = [
          { code: 'OK', body: { msg: 'OK User Profile set successfully' }, reqId: profile.reqId },
          { code: 'OK', body: { conversationId: c.id }, reqId: rid },
        ];
        if (first) {
          try {
            answers.push({ code: 'OK', body: publish(first.reqId, consumer, { ...first.body, dialogId: first.body.dialogId ?? c.id }), reqId: first.reqId });
          } catch (err) {
            // The conversation stands; the batch reports the failed message in its place.
            const reply = (err as { reply?: { body?: Obj } }).reply;
            answers.push({ code: 400, body: reply?.body?.body ?? { msg: 'Bad request' }, reqId: first.reqId });
          }
        }
        return json(200, answers);
      },
    },
    {
      method: 'POST',
      path: '/api/account/:accountId/messaging/consumer/conversation/send',
      handler: (ctx) => {
        const accountId = account(ctx);
        const consumer = consumerOf(ctx, accountId);
        throttle();
        const b = body(ctx);
        if (Array.isArray(b)) throw badRequest('SEND takes one request object (CONVERSATION takes the batch)');
        const { reqId, type, body: rb } = reqHead(b, 'request');
        switch (type) {
          case 'ms.PublishEvent':
            return json(200, ok(reqId, publish(reqId, consumer, rb)));
          case 'cm.UpdateConversationField':
            return json(200, ok(reqId, updateField(reqId, consumer, rb)));
          case 'ms.GenerateURLForUploadFile':
            return json(200, ok(reqId, uploadUrl(reqId, consumer, rb)));
          case 'ms.GenerateURLForDownloadFile':
            return json(200, ok(reqId, downloadUrl(reqId, consumer, rb)));
          default:
            throw badRequest(`Unsupported request type ${type}`, reqId);
        }
      },
    },
    {
      method: 'PUT',
      path: '/v1/*',
      handler: (ctx) => {
        const file = store.files.get(ctx.path);
        checkTempUrl(ctx, 'PUT');
        if (!file) throw swiftError(404, '404 Not Found');
        if (ctx.raw.length !== file.announcedSize) throw swiftError(400, `400 Bad Request: ${ctx.raw.length} bytes sent, ${file.announcedSize} announced`);
        file.bytes = Buffer.from(ctx.raw);
        return { status: 201, body: '', contentType: 'text/html; charset=UTF-8', headers: { etag: createHash('md5').update(file.bytes).digest('hex') } };
      },
    },
    {
      method: 'GET',
      path: '/v1/*',
      handler: (ctx) => {
        checkTempUrl(ctx, 'GET');
        const file = store.files.get(ctx.path);
        if (!file?.bytes) throw swiftError(404, '404 Not Found');
        return { status: 200, body: file.bytes, contentType: file.contentType };
      },
    },
  ];
}

export function newFilePath(accountId: string, fileType: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
  return `/v1/AUTH_async-images/${accountId}/${randomUUID()}_uuid_${randomUUID()}_${stamp}.${fileType}`;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
