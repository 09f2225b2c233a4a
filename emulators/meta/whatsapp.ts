// WhatsApp Cloud API (vendor-protocols §7; developers.facebook.com/documentation/business-messaging/whatsapp:
// messages, media, webhooks reference (messages: statuses, errors), error codes, typing indicators):
// - `POST /v{N}/{phone-number-id}/messages` (Bearer token): text, image/audio/video/document/sticker (by
//   `link`, fetched by Meta after the request, or an uploaded `id`), location, contacts, interactive (button,
//   list), template (approved, by name and language; body parameter count checked), reaction; mark read (with
//   an optional typing indicator, dismissed by the reply or after 25 s). Answer `{messaging_product, contacts:
//   [{input, wa_id}], messages: [{id}]}`.
// - Asynchronous outcome as `statuses[]` webhooks: sent → delivered (→ read when the user reads), or failed
//   with `errors[]`: 131047 "Re-engagement message" (free-form message outside the 24-hour customer service
//   window), 131026 "Message undeliverable" (no such WhatsApp user), 131053 "Media upload error" (a link that
//   cannot be fetched).
// - Media: upload (multipart) → `{id}`; `GET /{media-id}` → a short-lived URL on this emulator, downloadable
//   with the Bearer token until it expires; `DELETE /{media-id}`.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Ctx, Reply } from '../kit/index.js';
import { json } from '../kit/index.js';
import { requireToken, tokenOf } from './auth.js';
import { HOUR, LIMITS, templateParamCount, WA_TYPING_MS, WINDOW_MS, type Settings } from './config.js';
import { fail, waInvalid } from './errors.js';
import { graphParams } from './messenger.js';
import { download, parseMultipart } from './multipart.js';
import type { Hooks } from './outbound.js';
import { wamid as newWamid, type StoredFile, type Store, type WaError, type WaOut, type WaStatus, type WhatsAppUser } from './state.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number): string => String(Math.floor(ms / 1000));
const len = (s: string): number => [...s].length;

export const WA_TYPES = ['text', 'image', 'audio', 'video', 'document', 'sticker', 'location', 'contacts', 'interactive', 'template', 'reaction'] as const;
const ERROR_HREF = 'https://developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes';

export const WA_ERRORS = {
  131047: { title: 'Re-engagement message', details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' },
  131026: { title: 'Message undeliverable', details: 'Message failed to send because the recipient is not a WhatsApp user or could not be reached.' },
  131053: { title: 'Media upload error', details: 'Unable to download the media from the link provided.' },
} as const;

export const waError = (code: keyof typeof WA_ERRORS): WaError => ({ code, title: WA_ERRORS[code].title, message: WA_ERRORS[code].title, error_data: { details: WA_ERRORS[code].details }, href: ERROR_HREF });

const param = (name: string) => waInvalid(131009, 'Parameter value is not valid', name);
const missing = (name: string) => waInvalid(131008, 'Required parameter is missing', `The parameter ${name} is required.`);

export interface WaUserMessageInput {
  text?: string;
  media?: { type: string; contentType: string; bytes: Buffer; filename?: string; caption?: string };
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  contacts?: unknown[];
  reaction?: { messageId: string; emoji: string };
  buttonReply?: { id: string; title: string };
  listReply?: { id: string; title: string; description?: string };
  button?: { text: string; payload: string };
  contextMessageId?: string;
  timestamp?: number;
}

export class WhatsApp {
  private closed = false;
  private readonly lanes = new Map<string, Promise<void>>();
  private readonly urlKey = randomBytes(32);

  constructor(
    private readonly store: Store,
    private readonly settings: Settings,
    private readonly hooks: Hooks,
    private readonly baseUrl: () => string,
  ) {}

  close(): void {
    this.closed = true;
  }

  reset(): void {
    this.lanes.clear();
  }

  // ---- Graph API: messages ------------------------------------------------------------------------------

  async send(ctx: Ctx): Promise<Reply> {
    requireToken(ctx, this.store.whatsappToken, 401);
    const p = graphParams(ctx);
    if (p.messaging_product === undefined) throw fail({ code: 100, message: '(#100) The parameter messaging_product is required.', details: 'The parameter messaging_product is required.' });
    if (p.messaging_product !== 'whatsapp') throw fail({ code: 100, message: '(#100) Param messaging_product must be one of {WHATSAPP} - got "' + String(p.messaging_product) + '".', details: 'messaging_product must be whatsapp' });
    if (p.status !== undefined) return this.markRead(p);

    if (p.recipient_type !== undefined && p.recipient_type !== 'individual') throw param('recipient_type must be individual');
    const input = str(p.to) ?? (typeof p.to === 'number' ? String(p.to) : undefined);
    if (!input) throw missing('to');
    const waId = input.replace(/[\s+\-().]/g, '');
    if (!/^\d{5,15}$/.test(waId)) throw waInvalid(100, 'Invalid parameter', `Invalid phone number: ${input}`);
    const type = p.type === undefined ? 'text' : p.type;
    if (typeof type !== 'string' || !(WA_TYPES as readonly string[]).includes(type)) throw param(`type must be one of {${WA_TYPES.join(', ')}}`);
    const body = p[type];
    if (!isObj(body) && !(type === 'contacts' && Array.isArray(body))) throw missing(type);

    const out: WaOut = { id: newWamid(waId), timestamp: Date.now(), type, status: 'accepted', to: waId };
    // Cloud API: an arbitrary string (≤ 512 characters) the business gets back in this message's statuses.
    if (p.biz_opaque_callback_data !== undefined) {
      const opaque = str(p.biz_opaque_callback_data);
      if (opaque === undefined || opaque.length > 512) throw param('biz_opaque_callback_data must be a string of at most 512 characters');
      out.opaque = opaque;
    }
    if (isObj(p.context)) {
      const ctxId = str(p.context.message_id);
      if (!ctxId) throw missing('context.message_id');
      out.context = ctxId;
    }
    this.validate(type, body, out);

    const user = this.store.whatsappUsers.get(waId);
    if (user) this.setTyping(user, false);
    this.deliver(out);
    return json(200, {
      messaging_product: 'whatsapp',
      contacts: [{ input, wa_id: waId }],
      messages: [{ id: out.id, ...(out.template ? { message_status: 'accepted' } : {}) }],
    });
  }

  private validate(type: string, body: unknown, out: WaOut): void {
    const b = body as Obj;
    switch (type) {
      case 'text': {
        const text = b.body;
        if (typeof text !== 'string' || text.length === 0) throw missing('text.body');
        if (len(text) > LIMITS.waText) throw fail({ code: 100, message: `(#100) Param text['body'] must be at most ${LIMITS.waText} characters long.`, details: `text.body is longer than ${LIMITS.waText} characters` });
        out.text = text;
        return;
      }
      case 'image':
      case 'audio':
      case 'video':
      case 'document':
      case 'sticker': {
        const id = b.id === undefined ? undefined : String(b.id);
        const link = str(b.link);
        if (!id && !link) throw missing(`${type}.id or ${type}.link`);
        if (id && link) throw param(`${type}: give either id or link, not both`);
        if (id) {
          const file = this.store.files.get(id);
          if (!file || file.owner !== 'whatsapp-media') throw waInvalid(100, 'Invalid parameter', `Invalid media id: ${id}`);
        }
        if (link && !/^https?:\/\//.test(link)) throw param(`${type}.link must be an http(s) URL`);
        const caption = str(b.caption);
        if (caption !== undefined && (type === 'audio' || type === 'sticker')) throw param(`${type}.caption is not supported`);
        const filename = str(b.filename);
        out.media = { type, ...(id ? { fileId: id } : {}), ...(link ? { link } : {}), ...(caption !== undefined ? { caption } : {}), ...(filename !== undefined ? { filename } : {}) };
        return;
      }
      case 'location': {
        if (typeof b.latitude !== 'number' && typeof b.latitude !== 'string') throw missing('location.latitude');
        if (typeof b.longitude !== 'number' && typeof b.longitude !== 'string') throw missing('location.longitude');
        out.location = b;
        return;
      }
      case 'contacts': {
        if (!Array.isArray(body) || body.length === 0) throw missing('contacts');
        out.contacts = body;
        return;
      }
      case 'reaction': {
        const messageId = str(b.message_id);
        if (!messageId) throw missing('reaction.message_id');
        if (typeof b.emoji !== 'string') throw missing('reaction.emoji');
        out.reaction = { message_id: messageId, emoji: b.emoji };
        return;
      }
      case 'interactive':
        return this.interactive(b, out);
      case 'template':
        return this.template(b, out);
    }
  }

  private interactive(b: Obj, out: WaOut): void {
    const bodyText = isObj(b.body) ? str(b.body.text) : undefined;
    if (!bodyText) throw missing('interactive.body.text');
    if (len(bodyText) > LIMITS.waInteractiveBody) throw param(`interactive.body.text must be at most ${LIMITS.waInteractiveBody} characters`);
    const action = b.action;
    if (!isObj(action)) throw missing('interactive.action');
    if (b.type === 'button') {
      const buttons = action.buttons;
      if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3) throw param('interactive.action.buttons must have 1 to 3 buttons');
      const seen = new Set<string>();
      const list = buttons.map((x: unknown, i) => {
        const reply = isObj(x) && x.type === 'reply' && isObj(x.reply) ? x.reply : undefined;
        if (!reply) throw param(`interactive.action.buttons[${i}] must be {type: reply, reply: {id, title}}`);
        const id = str(reply.id);
        const title = str(reply.title);
        if (!id) throw missing(`interactive.action.buttons[${i}].reply.id`);
        if (!title) throw missing(`interactive.action.buttons[${i}].reply.title`);
        if (len(title) > LIMITS.waButtonTitle) throw param(`interactive.action.buttons[${i}].reply.title must be at most ${LIMITS.waButtonTitle} characters`);
        if (id.length > 256) throw param(`interactive.action.buttons[${i}].reply.id must be at most 256 characters`);
        if (seen.has(id)) throw param('interactive.action.buttons: button ids must be unique');
        seen.add(id);
        return { id, title };
      });
      out.interactive = { type: 'button', body: bodyText, buttons: list };
      return;
    }
    if (b.type === 'list') {
      const button = str(action.button);
      if (!button) throw missing('interactive.action.button');
      if (len(button) > LIMITS.waListButton) throw param(`interactive.action.button must be at most ${LIMITS.waListButton} characters`);
      const sections = action.sections;
      if (!Array.isArray(sections) || sections.length < 1 || sections.length > 10) throw param('interactive.action.sections must have 1 to 10 sections');
      let rows = 0;
      const seen = new Set<string>();
      const list = sections.map((s: unknown, i) => {
        if (!isObj(s) || !Array.isArray(s.rows) || s.rows.length === 0) throw param(`interactive.action.sections[${i}].rows must be a non-empty array`);
        const title = str(s.title);
        if (sections.length > 1 && !title) throw missing(`interactive.action.sections[${i}].title`);
        if (title && len(title) > LIMITS.waSectionTitle) throw param(`interactive.action.sections[${i}].title must be at most ${LIMITS.waSectionTitle} characters`);
        rows += s.rows.length;
        return {
          ...(title ? { title } : {}),
          rows: s.rows.map((r: unknown, j) => {
            if (!isObj(r) || !str(r.id) || !str(r.title)) throw missing(`interactive.action.sections[${i}].rows[${j}].id and title`);
            const id = str(r.id)!;
            const rt = str(r.title)!;
            const description = str(r.description);
            if (len(rt) > LIMITS.waRowTitle) throw param(`interactive.action.sections[${i}].rows[${j}].title must be at most ${LIMITS.waRowTitle} characters`);
            if (description && len(description) > LIMITS.waRowDescription) throw param(`interactive.action.sections[${i}].rows[${j}].description must be at most ${LIMITS.waRowDescription} characters`);
            if (seen.has(id)) throw param('interactive.action.sections: row ids must be unique');
            seen.add(id);
            return { id, title: rt, ...(description ? { description } : {}) };
          }),
        };
      });
      if (rows > LIMITS.waListRows) throw param(`interactive.action.sections: at most ${LIMITS.waListRows} rows in all`);
      out.interactive = { type: 'list', body: bodyText, button, sections: list };
      return;
    }
    throw param('interactive.type must be one of {button, list}');
  }

  private template(b: Obj, out: WaOut): void {
    const name = str(b.name);
    if (!name) throw missing('template.name');
    const language = isObj(b.language) ? str(b.language.code) : undefined;
    if (!language) throw missing('template.language.code');
    const t = this.store.findTemplate(name, language);
    if (!t) throw waInvalid(132001, 'Template name does not exist in the translation', `template name (${name}) does not exist in ${language}`, 2494073);
    const components = b.components === undefined ? [] : b.components;
    if (!Array.isArray(components)) throw param('template.components must be an array');
    const parameters: string[] = [];
    for (const c of components) {
      if (!isObj(c) || c.type !== 'body' || !Array.isArray(c.parameters)) continue;
      for (const x of c.parameters) parameters.push(isObj(x) ? String(x.text ?? (isObj(x.currency) ? x.currency.fallback_value : isObj(x.date_time) ? x.date_time.fallback_value : '')) : String(x));
    }
    const expected = templateParamCount(t.body);
    if (parameters.length !== expected) throw waInvalid(132000, 'Number of parameters does not match the expected number of params', `body: number of localizable_params (${parameters.length}) does not match the expected number of params (${expected})`);
    const text = t.body.replace(/\{\{(\d+)\}\}/g, (_, n: string) => parameters[Number(n) - 1] ?? '');
    out.template = { name, language, parameters, text, category: t.category };
  }

  /** Mark an inbound message (and the earlier ones) read; optionally show typing until the reply or 25 s. */
  private markRead(p: Obj): Reply {
    if (p.status !== 'read') throw param('status must be read');
    const id = str(p.message_id);
    if (!id) throw missing('message_id');
    const user = [...this.store.whatsappUsers.values()].find((u) => u.sent.some((m) => m.id === id));
    if (!user) throw waInvalid(100, 'Invalid parameter', `Invalid message_id: ${id}`);
    for (const m of user.sent) {
      if (!user.readByBusiness.includes(m.id)) user.readByBusiness.push(m.id);
      if (m.id === id) break;
    }
    if (p.typing_indicator !== undefined) {
      if (!isObj(p.typing_indicator) || p.typing_indicator.type !== 'text') throw param('typing_indicator.type must be text');
      this.setTyping(user, true);
    }
    return json(200, { success: true });
  }

  private setTyping(user: WhatsAppUser, on: boolean): void {
    clearTimeout(user.typingTimer);
    user.typing = on;
    if (on) {
      user.typingTimer = setTimeout(() => (user.typing = false), WA_TYPING_MS);
      user.typingTimer.unref();
    }
  }

  // ---- after the API accepted a message -----------------------------------------------------------------

  private deliver(out: WaOut): void {
    const prev = this.lanes.get(out.to) ?? Promise.resolve();
    const next = prev.then(() => this.travel(out)).catch(() => undefined);
    this.lanes.set(out.to, next);
  }

  private async travel(out: WaOut): Promise<void> {
    const user = this.store.whatsappUsers.get(out.to);
    if (out.media?.link) {
      const fetched = await download(out.media.link);
      if (!fetched) return this.failed(out, user, 131053);
      out.media.fileId = this.store.addFile({ ...fetched, owner: 'business-sent', ...(out.media.filename ? { filename: out.media.filename } : {}) }).id;
    }
    if (this.closed) return;
    if (!user) return this.failed(out, undefined, 131026);
    if (!out.template && (user.lastMessageAt === null || Date.now() - user.lastMessageAt > WINDOW_MS)) return this.failed(out, user, 131047);
    user.received.push(out);
    this.status(out, 'sent');
    await sleep(this.settings.deliveryDelayMs);
    if (this.closed) return;
    this.status(out, 'delivered');
  }

  private failed(out: WaOut, user: WhatsAppUser | undefined, code: keyof typeof WA_ERRORS): void {
    out.errors = [waError(code)];
    user?.received.push(out);
    this.status(out, 'failed');
  }

  private conversation(user: WhatsAppUser, origin: string): NonNullable<WhatsAppUser['conversation']> {
    if (!user.conversation || user.conversation.expires < Date.now()) user.conversation = { id: randomBytes(16).toString('hex'), expires: Date.now() + WINDOW_MS, origin };
    return user.conversation;
  }

  status(out: WaOut, status: WaStatus): string | null {
    out.status = status;
    const user = this.store.whatsappUsers.get(out.to);
    const s: Obj = { id: out.id, status, timestamp: seconds(Date.now()), recipient_id: out.to, ...(out.opaque !== undefined ? { biz_opaque_callback_data: out.opaque } : {}) };
    const category = out.template ? out.template.category.toLowerCase() : 'service';
    if ((status === 'sent' || status === 'delivered') && user) {
      const c = this.conversation(user, category);
      s.conversation = { id: c.id, ...(status === 'sent' ? { expiration_timestamp: seconds(c.expires) } : {}), origin: { type: c.origin } };
      s.pricing = { billable: category !== 'service', pricing_model: 'PMP', category, type: category === 'service' ? 'free_customer_service' : 'regular' };
    }
    if (status === 'failed' && out.errors) s.errors = out.errors;
    return this.hooks.post('whatsapp', `${out.id}:${status}`, this.envelope([{ statuses: [s] }])).delivery;
  }

  private metadata(): Obj {
    return { display_phone_number: this.store.displayPhoneNumber, phone_number_id: this.store.phoneNumberId };
  }

  /** `{object, entry: [{id: WABA, changes: [{field: messages, value}]}]}` with one entry of these values. */
  envelope(values: Obj[]): Obj {
    return { object: 'whatsapp_business_account', entry: [{ id: this.store.wabaId, changes: values.map((v) => ({ value: { messaging_product: 'whatsapp', metadata: this.metadata(), ...v }, field: 'messages' })) }] };
  }

  // ---- Graph API: media ---------------------------------------------------------------------------------

  upload(ctx: Ctx): Reply {
    requireToken(ctx, this.store.whatsappToken, 401);
    const parts = parseMultipart(String(ctx.headers['content-type'] ?? ''), ctx.raw);
    if (!parts) throw waInvalid(100, 'Invalid parameter', 'The request must be multipart/form-data with a file.');
    const field = (name: string) => parts.find((x) => x.name === name && x.filename === undefined)?.data.toString('utf8');
    if (field('messaging_product') !== 'whatsapp') throw fail({ code: 100, message: '(#100) The parameter messaging_product is required.', details: 'The parameter messaging_product is required.' });
    const file = parts.find((x) => x.name === 'file');
    if (!file || file.data.length === 0) throw missing('file');
    const type = field('type') ?? file.contentType;
    if (!type) throw missing('type');
    const stored = this.store.addFile({ contentType: type, bytes: file.data, owner: 'whatsapp-media', ...(file.filename ? { filename: file.filename } : {}) });
    return json(200, { id: stored.id });
  }

  mediaInfo(ctx: Ctx, file: StoredFile): Reply {
    requireToken(ctx, this.store.whatsappToken, 401);
    return json(200, { messaging_product: 'whatsapp', url: this.mediaUrl(file), mime_type: file.contentType, sha256: file.sha256, file_size: file.bytes.length, id: file.id });
  }

  deleteMedia(ctx: Ctx, file: StoredFile): Reply {
    requireToken(ctx, this.store.whatsappToken, 401);
    this.store.files.delete(file.id);
    return json(200, { success: true });
  }

  private sign(id: string, exp: number): string {
    return createHmac('sha256', this.urlKey).update(`${id}.${exp}`).digest('hex').slice(0, 32);
  }

  /** Like Meta's lookaside URL: signed, expiring, and needing the Bearer token. */
  mediaUrl(file: StoredFile): string {
    const exp = Math.floor(Date.now() / 1000) + this.settings.mediaUrlTtlSeconds;
    return `${this.baseUrl()}/whatsapp_business/attachments/?mid=${file.id}&ext=${exp}&hash=${this.sign(file.id, exp)}`;
  }

  /** `GET /whatsapp_business/attachments/?mid&ext&hash` with the Bearer token: the bytes. */
  downloadMedia(ctx: Ctx): Reply {
    const token = tokenOf(ctx);
    const expected = Buffer.from(this.store.whatsappToken);
    if (!token || token.length !== expected.length || !timingSafeEqual(Buffer.from(token), expected)) {
      return { status: 401, body: 'Unauthorized: the media URL needs the access token (Authorization: Bearer).', contentType: 'text/plain' };
    }
    const id = ctx.query.get('mid') ?? '';
    const exp = Number(ctx.query.get('ext'));
    const hash = ctx.query.get('hash') ?? '';
    const file = this.store.files.get(id);
    if (!file || !Number.isFinite(exp) || hash !== this.sign(id, exp)) return { status: 404, body: 'Not Found', contentType: 'text/plain' };
    if (exp * 1000 < Date.now()) return { status: 404, body: 'URL signature expired', contentType: 'text/plain' };
    return { status: 200, body: file.bytes, contentType: file.contentType, headers: { 'content-disposition': `attachment;filename=${file.filename ?? file.id}` } };
  }

  // ---- the user's side (control API) --------------------------------------------------------------------

  private inboundMessage(user: WhatsAppUser, input: WaUserMessageInput): { message: Obj; id: string; timestamp: number; fileId?: string } {
    const timestamp = input.timestamp ?? Date.now();
    const id = newWamid(user.waId);
    const m: Obj = { from: user.waId, id, timestamp: seconds(timestamp) };
    let fileId: string | undefined;
    if (input.contextMessageId) m.context = { from: this.store.displayPhoneNumber, id: input.contextMessageId };
    if (input.media) {
      const f = this.store.addFile({ contentType: input.media.contentType, bytes: input.media.bytes, owner: 'whatsapp-media', ...(input.media.filename ? { filename: input.media.filename } : {}) });
      fileId = f.id;
      m.type = input.media.type;
      m[input.media.type] = {
        ...(input.media.caption !== undefined ? { caption: input.media.caption } : {}),
        ...(input.media.filename !== undefined && input.media.type === 'document' ? { filename: input.media.filename } : {}),
        mime_type: f.contentType,
        sha256: f.sha256,
        id: f.id,
        ...(input.media.type === 'audio' ? { voice: false } : {}),
        ...(input.media.type === 'sticker' ? { animated: false } : {}),
      };
    } else if (input.location) {
      m.type = 'location';
      m.location = input.location;
    } else if (input.contacts) {
      m.type = 'contacts';
      m.contacts = input.contacts;
    } else if (input.reaction) {
      m.type = 'reaction';
      m.reaction = { message_id: input.reaction.messageId, emoji: input.reaction.emoji };
    } else if (input.buttonReply) {
      m.type = 'interactive';
      m.interactive = { type: 'button_reply', button_reply: input.buttonReply };
    } else if (input.listReply) {
      m.type = 'interactive';
      m.interactive = { type: 'list_reply', list_reply: input.listReply };
    } else if (input.button) {
      m.type = 'button';
      m.button = { payload: input.button.payload, text: input.button.text };
    } else {
      m.type = 'text';
      m.text = { body: input.text ?? '' };
    }
    return { message: m, id, timestamp, ...(fileId ? { fileId } : {}) };
  }

  private noteUser(user: WhatsAppUser, msg: { message: Obj; id: string; timestamp: number; fileId?: string }): void {
    user.sent.push({ id: msg.id, timestamp: msg.timestamp, type: String(msg.message.type), message: msg.message, ...(msg.fileId ? { fileId: msg.fileId } : {}) });
    user.lastMessageAt = Math.max(user.lastMessageAt ?? 0, msg.timestamp);
  }

  private contact(user: WhatsAppUser): Obj {
    return { profile: { name: user.name }, wa_id: user.waId };
  }

  userMessage(user: WhatsAppUser, input: WaUserMessageInput): { wamid: string; delivery: string | null } {
    const msg = this.inboundMessage(user, input);
    this.noteUser(user, msg);
    const posted = this.hooks.post('whatsapp', msg.id, this.envelope([{ contacts: [this.contact(user)], messages: [msg.message] }]));
    this.store.inbound.set(msg.id, { app: 'whatsapp', body: posted.body, key: posted.key });
    return { wamid: msg.id, delivery: posted.delivery };
  }

  /** The user reads everything received and not yet read: a `read` status for each. */
  read(user: WhatsAppUser): (string | null)[] {
    return user.received.filter((m) => m.status === 'sent' || m.status === 'delivered').map((m) => this.status(m, 'read'));
  }

  age(user: WhatsAppUser, hours: number): void {
    if (user.lastMessageAt !== null) user.lastMessageAt -= hours * HOUR;
  }

  batch(items: { user: WhatsAppUser; text: string }[], entries: number): { ids: string[]; delivery: string | null } {
    const msgs = items.map(({ user, text }) => {
      const msg = this.inboundMessage(user, { text });
      this.noteUser(user, msg);
      return { user, msg };
    });
    const n = Math.max(1, Math.min(entries, msgs.length));
    const per = Math.ceil(msgs.length / n);
    const entry = Array.from({ length: n }, (_, i) => {
      const chunk = msgs.slice(i * per, (i + 1) * per);
      // One change per user in this entry, carrying that user's messages.
      const byUser = new Map<string, typeof chunk>();
      for (const x of chunk) byUser.set(x.user.waId, [...(byUser.get(x.user.waId) ?? []), x]);
      return {
        id: this.store.wabaId,
        changes: [...byUser.values()].map((xs) => ({ value: { messaging_product: 'whatsapp', metadata: this.metadata(), contacts: [this.contact(xs[0]!.user)], messages: xs.map((x) => x.msg.message) }, field: 'messages' })),
      };
    }).filter((e) => e.changes.length);
    const ids = msgs.map((x) => x.msg.id);
    const posted = this.hooks.post('whatsapp', this.hooks.uniqueKey('batch'), { object: 'whatsapp_business_account', entry });
    for (const id of ids) this.store.inbound.set(id, { app: 'whatsapp', body: posted.body, key: posted.key });
    return { ids, delivery: posted.delivery };
  }

  view(user: WhatsAppUser): Obj {
    const control = (fileId: string) => `${this.baseUrl()}/__control/meta/media/${fileId}`;
    return {
      waId: user.waId,
      name: user.name,
      lastMessageAt: user.lastMessageAt,
      typing: user.typing,
      readByBusiness: user.readByBusiness,
      received: user.received.map((m) => {
        const file = m.media?.fileId ? this.store.files.get(m.media.fileId) : undefined;
        return {
          id: m.id,
          timestamp: m.timestamp,
          type: m.type,
          status: m.status,
          ...(m.text !== undefined ? { text: m.text } : {}),
          ...(m.interactive ? { interactive: m.interactive } : {}),
          ...(m.template ? { template: { name: m.template.name, language: m.template.language, parameters: m.template.parameters, text: m.template.text } } : {}),
          ...(m.media
            ? { media: { type: m.media.type, contentType: file?.contentType ?? null, size: file?.bytes.length ?? 0, url: m.media.fileId ? control(m.media.fileId) : null, ...(m.media.caption !== undefined ? { caption: m.media.caption } : {}), ...(m.media.filename !== undefined ? { filename: m.media.filename } : {}) } }
            : {}),
          ...(m.location ? { location: m.location } : {}),
          ...(m.contacts ? { contacts: m.contacts } : {}),
          ...(m.reaction ? { reaction: m.reaction } : {}),
          ...(m.context ? { context: m.context } : {}),
          ...(m.errors ? { errors: m.errors } : {}),
        };
      }),
      sent: user.sent.map((m) => ({ id: m.id, timestamp: m.timestamp, type: m.type, message: m.message, ...(m.fileId ? { mediaUrl: control(m.fileId) } : {}) })),
    };
  }
}
