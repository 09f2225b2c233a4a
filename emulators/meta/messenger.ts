// Messenger Platform (vendor-protocols §5; developers.facebook.com/docs/messenger-platform: send-api,
// sender-actions, webhooks/webhook-events, error-codes, policy-overview):
// - Send API `POST /v{N}/me/messages` (or `/{page-id}/messages`) with the Page access token. Validation in
//   Meta's order and codes: recipient (100/2018001 "No matching user found"), sender_action alone (100 "Cannot
//   send both message and state at the same time."), messaging_type and tag, the 24-hour standard messaging
//   window (10/2018278 "This message is sent outside of allowed window."), HUMAN_AGENT up to 7 days when the
//   Page has the feature, text ≤ 2000, quick_replies ≤ 13 (title ≤ 20, payload ≤ 1000), button template (text
//   ≤ 640, 1–3 buttons), generic template, attachments by URL (downloaded now; failure 100/2018047 "Upload
//   attachment failure") or attachment_id (`POST /me/message_attachments`).
// - After a send: the user's device has it; a `message_echoes` event (is_echo, app_id) if echoes are on; after
//   deliveryDelayMs a `message_deliveries` event {mids, watermark}.
// - The user's side (control API): messages (text, quick reply, attachments on the emulator's public CDN
//   path), postbacks, reads (watermark), time passing.
import type { Ctx, Reply } from '../kit/index.js';
import { json, samplePng } from '../kit/index.js';
import { has, requireToken } from './auth.js';
import { HUMAN_AGENT_MS, HOUR, LIMITS, MESSENGER_TAGS, MESSENGER_TYPING_MS, WINDOW_MS, type Settings } from './config.js';
import { fail, invalid } from './errors.js';
import { download, parseMultipart } from './multipart.js';
import type { Hooks } from './outbound.js';
import { mid as newMid, type MessengerIn, type MessengerOut, type MessengerUser, type Store } from './state.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The request's parameters: a JSON body, or form fields whose JSON values (recipient, message) are parsed. */
export function graphParams(ctx: Ctx): Obj {
  const type = String(ctx.headers['content-type'] ?? '');
  if (/application\/x-www-form-urlencoded/i.test(type)) {
    const out: Obj = {};
    for (const [k, v] of new URLSearchParams(ctx.raw.toString('utf8'))) {
      try {
        out[k] = /^[[{]/.test(v) ? JSON.parse(v) : v;
      } catch {
        out[k] = v;
      }
    }
    return out;
  }
  if (ctx.raw.length === 0) return {};
  const body = ctx.json();
  if (!isObj(body)) throw invalid('Invalid parameter');
  return body;
}

export interface UserMessageInput {
  text?: string;
  quickReply?: { title: string; payload: string };
  attachments?: { type: string; contentType: string; bytes: Buffer }[];
  timestamp?: number;
  replyTo?: string;
}

export class Messenger {
  private closed = false;
  private readonly lanes = new Map<string, Promise<void>>();

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

  cdnUrl(fileId: string): string {
    return `${this.baseUrl()}/cdn/fbcdn/${fileId}`;
  }

  // ---- Graph API ----------------------------------------------------------------------------------------

  async send(ctx: Ctx): Promise<Reply> {
    requireToken(ctx, this.store.pageAccessToken, 400);
    const p = graphParams(ctx);
    const recipient = p.recipient;
    if (!isObj(recipient)) throw invalid('The parameter recipient is required');
    const psid = str(recipient.id) ?? (typeof recipient.id === 'number' ? String(recipient.id) : undefined);
    if (!psid) throw invalid('param recipient[id] must be non-empty.');
    const user = this.store.messengerUsers.get(psid);
    if (!user) throw invalid('No matching user found', 2018001);

    if (p.sender_action !== undefined) {
      if (p.message !== undefined) throw invalid('Cannot send both message and state at the same time.');
      return this.senderAction(user, p.sender_action);
    }
    if (p.message === undefined) throw invalid('Must send either message or state');
    const message = p.message;
    if (!isObj(message)) throw invalid('param message must be an object');

    const messagingType = p.messaging_type;
    if (messagingType !== 'RESPONSE' && messagingType !== 'UPDATE' && messagingType !== 'MESSAGE_TAG') throw invalid('param messaging_type must be one of {RESPONSE, UPDATE, MESSAGE_TAG}');
    let tag: string | undefined;
    if (messagingType === 'MESSAGE_TAG') {
      tag = str(p.tag);
      if (!tag) throw invalid('The parameter tag is required when messaging_type is MESSAGE_TAG');
      if (!(MESSENGER_TAGS as readonly string[]).includes(tag)) throw invalid(`param tag must be one of {${MESSENGER_TAGS.join(', ')}}`);
    }
    this.checkWindow(user, messagingType, tag);

    const out: MessengerOut = { mid: newMid(), timestamp: 0, messagingType, delivered: false, ...(tag ? { tag } : {}) };
    await this.content(message, out);
    out.timestamp = Date.now();
    user.received.push(out);
    this.stopTyping(user);
    this.afterSend(user, out, message);
    return json(200, { recipient_id: user.psid, message_id: out.mid });
  }

  private checkWindow(user: MessengerUser, messagingType: string, tag: string | undefined): void {
    const age = user.lastMessageAt === null ? Infinity : Date.now() - user.lastMessageAt;
    const outside = (extra = ''): never => {
      throw fail({ code: 10, subcode: 2018278, message: `(#10) This message is sent outside of allowed window.${extra} Learn more about the new policy here: https://developers.facebook.com/docs/messenger-platform/policy-overview` });
    };
    if (messagingType !== 'MESSAGE_TAG') {
      if (age > WINDOW_MS) outside();
      return;
    }
    if (tag === 'HUMAN_AGENT') {
      // Without the Human Agent feature the tag does not extend the window (emulator choice; Meta's exact answer unconfirmed).
      if (!this.settings.humanAgent && age > WINDOW_MS) outside(' You need the Human Agent permission (human_agent) to be able to do this.');
      if (age > HUMAN_AGENT_MS) outside();
    }
  }

  private senderAction(user: MessengerUser, action: unknown): Reply {
    if (action === 'typing_on') {
      this.setTyping(user, true);
    } else if (action === 'typing_off') {
      this.stopTyping(user);
    } else if (action === 'mark_seen') {
      user.seenWatermark = user.sent.at(-1)?.timestamp ?? Date.now();
    } else throw invalid('param sender_action must be one of {MARK_SEEN, TYPING_ON, TYPING_OFF, REACT, UNREACT}');
    return json(200, { recipient_id: user.psid });
  }

  private setTyping(user: MessengerUser, on: boolean): void {
    clearTimeout(user.typingTimer);
    user.typing = on;
    if (on) {
      user.typingTimer = setTimeout(() => (user.typing = false), MESSENGER_TYPING_MS);
      user.typingTimer.unref();
    }
  }

  private stopTyping(user: MessengerUser): void {
    this.setTyping(user, false);
  }

  /** Validates `message` and fills `out` (text, quick replies, buttons, attachment). */
  private async content(message: Obj, out: MessengerOut): Promise<void> {
    const text = message.text;
    const attachment = message.attachment;
    if (text === undefined && attachment === undefined) throw invalid('Message cannot be empty, must provide valid attachment or text');
    if (text !== undefined && attachment !== undefined) throw invalid('Only one of text or attachment can be specified');
    if (text !== undefined) {
      if (typeof text !== 'string' || text.length === 0) throw invalid('param message[text] must be a non-empty UTF-8 encoded string');
      if ([...text].length > LIMITS.messengerText) throw invalid(`Length of param message[text] must be less than or equal to ${LIMITS.messengerText}`);
      out.text = text;
    }
    if (message.quick_replies !== undefined) out.quickReplies = this.quickReplies(message.quick_replies);
    if (attachment !== undefined) await this.attachment(attachment, out);
  }

  private quickReplies(v: unknown): { title: string; payload: string }[] {
    if (!Array.isArray(v) || v.length === 0) throw invalid('param message[quick_replies] must be a non-empty array');
    if (v.length > LIMITS.quickReplies) throw invalid(`param message[quick_replies] must have at most ${LIMITS.quickReplies} items`);
    return v.map((q: unknown, i) => {
      if (!isObj(q)) throw invalid(`param message[quick_replies][${i}] must be an object`);
      const type = q.content_type;
      if (type === 'user_phone_number' || type === 'user_email') return { title: String(type), payload: String(type) };
      if (type !== 'text') throw invalid(`param message[quick_replies][${i}][content_type] must be one of {text, user_phone_number, user_email}`);
      const title = str(q.title);
      const payload = q.payload === undefined ? undefined : String(q.payload);
      if (!title) throw invalid(`param message[quick_replies][${i}][title] must be non-empty`);
      if ([...title].length > LIMITS.quickReplyTitle) throw invalid(`param message[quick_replies][${i}][title] must be at most ${LIMITS.quickReplyTitle} characters`);
      if (payload === undefined || payload.length === 0) throw invalid(`param message[quick_replies][${i}][payload] must be non-empty`);
      if (payload.length > LIMITS.quickReplyPayload) throw invalid(`param message[quick_replies][${i}][payload] must be at most ${LIMITS.quickReplyPayload} characters`);
      return { title, payload };
    });
  }

  private buttons(v: unknown, where: string): { type: string; title: string; payload?: string; url?: string }[] {
    if (!Array.isArray(v) || v.length === 0) throw invalid(`param ${where} must be a non-empty array`);
    if (v.length > 3) throw invalid(`param ${where} must have at most 3 items`);
    return v.map((b: unknown, i) => {
      if (!isObj(b)) throw invalid(`param ${where}[${i}] must be an object`);
      const title = str(b.title);
      if (!title) throw invalid(`param ${where}[${i}][title] must be non-empty`);
      if ([...title].length > LIMITS.buttonTitle) throw invalid(`param ${where}[${i}][title] must be at most ${LIMITS.buttonTitle} characters`);
      if (b.type === 'postback' || b.type === 'phone_number') {
        const payload = str(b.payload);
        if (!payload) throw invalid(`param ${where}[${i}][payload] must be non-empty`);
        if (payload.length > LIMITS.postbackPayload) throw invalid(`param ${where}[${i}][payload] must be at most ${LIMITS.postbackPayload} characters`);
        return { type: b.type, title, payload };
      }
      if (b.type === 'web_url') {
        const url = str(b.url);
        if (!url || !/^https?:\/\//.test(url)) throw invalid(`param ${where}[${i}][url] must be a valid URL`);
        return { type: 'web_url', title, url };
      }
      throw invalid(`param ${where}[${i}][type] must be one of {web_url, postback, phone_number}`);
    });
  }

  private async attachment(a: unknown, out: MessengerOut): Promise<void> {
    if (!isObj(a)) throw invalid('param message[attachment] must be an object');
    const payload = a.payload;
    if (!isObj(payload)) throw invalid('param message[attachment][payload] must be an object');
    if (a.type === 'template') {
      if (payload.template_type === 'button') {
        const text = str(payload.text);
        if (!text) throw invalid('param message[attachment][payload][text] must be non-empty');
        if ([...text].length > LIMITS.buttonTemplateText) throw invalid(`param message[attachment][payload][text] must be at most ${LIMITS.buttonTemplateText} characters`);
        out.text = text;
        out.buttons = this.buttons(payload.buttons, 'message[attachment][payload][buttons]');
        return;
      }
      if (payload.template_type === 'generic') {
        const elements = payload.elements;
        if (!Array.isArray(elements) || elements.length === 0) throw invalid('param message[attachment][payload][elements] must be a non-empty array');
        if (elements.length > LIMITS.genericElements) throw invalid(`param message[attachment][payload][elements] must have at most ${LIMITS.genericElements} items`);
        const buttons: NonNullable<MessengerOut['buttons']> = [];
        elements.forEach((e: unknown, i) => {
          if (!isObj(e) || !str(e.title)) throw invalid(`param message[attachment][payload][elements][${i}][title] must be non-empty`);
          if ([...str(e.title)!].length > LIMITS.genericTitle) throw invalid(`param message[attachment][payload][elements][${i}][title] must be at most ${LIMITS.genericTitle} characters`);
          if (e.buttons !== undefined) buttons.push(...this.buttons(e.buttons, `message[attachment][payload][elements][${i}][buttons]`));
        });
        out.text = str((elements[0] as Obj).title)!;
        out.elements = elements;
        if (buttons.length) out.buttons = buttons;
        return;
      }
      throw invalid('param message[attachment][payload][template_type] must be one of {button, generic, media, receipt, …}');
    }
    const type = str(a.type);
    if (type !== 'image' && type !== 'audio' && type !== 'video' && type !== 'file') throw invalid('param message[attachment][type] must be one of {image, audio, video, file, template}');
    const attachmentId = payload.attachment_id === undefined ? undefined : String(payload.attachment_id);
    if (attachmentId !== undefined) {
      const file = this.store.files.get(attachmentId);
      if (!file || file.owner !== 'messenger-attachment') throw invalid('Invalid attachment_id', 2018008);
      out.attachment = { type, fileId: file.id };
      return;
    }
    const url = str(payload.url);
    if (!url) throw invalid('param message[attachment][payload][url] or [attachment_id] is required');
    const fetched = await download(url);
    if (!fetched) throw invalid('Upload attachment failure.', 2018047);
    const file = this.store.addFile({ ...fetched, owner: 'business-sent' });
    out.attachment = { type, fileId: file.id };
  }

  /** `POST /me/message_attachments`: multipart (`message` JSON + `filedata`) or JSON with `payload.url`. */
  async upload(ctx: Ctx): Promise<Reply> {
    requireToken(ctx, this.store.pageAccessToken, 400);
    const parts = parseMultipart(String(ctx.headers['content-type'] ?? ''), ctx.raw);
    let message: unknown;
    let file: { contentType: string; bytes: Buffer } | undefined;
    if (parts) {
      const m = parts.find((x) => x.name === 'message');
      try {
        message = m ? JSON.parse(m.data.toString('utf8')) : undefined;
      } catch {
        throw invalid('param message must be JSON');
      }
      const f = parts.find((x) => x.name === 'filedata');
      if (f) file = { contentType: f.contentType ?? 'application/octet-stream', bytes: f.data };
    } else message = graphParams(ctx).message;
    if (!isObj(message) || !isObj(message.attachment)) throw invalid('The parameter message is required');
    const att = message.attachment as Obj;
    if (!['image', 'audio', 'video', 'file'].includes(String(att.type))) throw invalid('param message[attachment][type] must be one of {image, audio, video, file}');
    if (!file) {
      const url = isObj(att.payload) ? str(att.payload.url) : undefined;
      if (!url) throw invalid('Upload attachment failure.', 2018047);
      file = await download(url);
      if (!file) throw invalid('Upload attachment failure.', 2018047);
    }
    if (file.bytes.length === 0) throw invalid('Upload attachment failure.', 2018047);
    const stored = this.store.addFile({ ...file, owner: 'messenger-attachment' });
    return json(200, { attachment_id: stored.id });
  }

  /** `GET /{psid}?fields=…` with the Page token: the user profile fields the Page may see. */
  profile(ctx: Ctx, user: MessengerUser): Reply {
    requireToken(ctx, this.store.pageAccessToken, 400);
    const [first, ...rest] = user.name.split(' ');
    const all: Obj = { first_name: first ?? '', last_name: rest.join(' '), name: user.name, profile_pic: `${this.baseUrl()}/cdn/profile/${user.psid}`, id: user.psid };
    const fields = (ctx.query.get('fields') ?? 'first_name,last_name,profile_pic').split(',').map((f) => f.trim()).filter(Boolean);
    for (const f of fields) if (!(f in all) && !['locale', 'timezone', 'gender'].includes(f)) throw fail({ code: 100, message: `(#100) Tried accessing nonexisting field (${f}) on node type (User)` });
    const out: Obj = {};
    for (const f of fields) if (f in all) out[f] = all[f];
    out.id = user.psid;
    return json(200, out);
  }

  // ---- what follows a send ------------------------------------------------------------------------------

  private afterSend(user: MessengerUser, out: MessengerOut, message: Obj): void {
    if (this.settings.echoes) {
      const echo: Obj = { is_echo: true, app_id: /^\d{1,15}$/.test(this.store.appId) ? Number(this.store.appId) : this.store.appId, mid: out.mid };
      if (typeof message.metadata === 'string') echo.metadata = message.metadata;
      if (out.text !== undefined && !out.buttons) echo.text = out.text;
      if (out.attachment) echo.attachments = [{ type: out.attachment.type, payload: { url: this.cdnUrl(out.attachment.fileId) } }];
      else if (out.buttons || out.elements) echo.attachments = [{ type: 'template', payload: (message.attachment as Obj).payload }];
      if (out.quickReplies) echo.quick_replies = message.quick_replies;
      this.hooks.post('messenger', `echo:${out.mid}`, this.envelope([{ sender: { id: this.store.pageId }, recipient: { id: user.psid }, timestamp: out.timestamp, message: echo }]));
    }
    const prev = this.lanes.get(user.psid) ?? Promise.resolve();
    const next = prev
      .then(async () => {
        await sleep(this.settings.deliveryDelayMs);
        if (this.closed) return;
        out.delivered = true;
        this.hooks.post('messenger', `delivery:${out.mid}`, this.envelope([{ sender: { id: user.psid }, recipient: { id: this.store.pageId }, delivery: { mids: [out.mid], watermark: out.timestamp } }]));
      })
      .catch(() => undefined);
    this.lanes.set(user.psid, next);
  }

  envelope(messaging: Obj[]): Obj {
    return { object: 'page', entry: [{ id: this.store.pageId, time: Date.now(), messaging }] };
  }

  // ---- the user's side (control API) --------------------------------------------------------------------

  private inboundEvent(user: MessengerUser, input: UserMessageInput): { event: Obj; record: MessengerIn } {
    const timestamp = input.timestamp ?? Date.now();
    const record: MessengerIn = { mid: newMid(), timestamp };
    const message: Obj = { mid: record.mid };
    const text = input.quickReply?.title ?? input.text;
    if (text !== undefined) {
      message.text = text;
      record.text = text;
    }
    if (input.quickReply) {
      message.quick_reply = { payload: input.quickReply.payload };
      record.quickReply = input.quickReply;
    }
    if (input.attachments?.length) {
      record.attachments = input.attachments.map((a) => ({ type: a.type, fileId: this.store.addFile({ contentType: a.contentType, bytes: a.bytes, owner: 'messenger-cdn' }).id }));
      message.attachments = record.attachments.map((a) => ({ type: a.type, payload: { url: this.cdnUrl(a.fileId) } }));
    }
    if (input.replyTo) {
      message.reply_to = { mid: input.replyTo };
      record.replyTo = input.replyTo;
    }
    return { event: { sender: { id: user.psid }, recipient: { id: this.store.pageId }, timestamp, message }, record };
  }

  private noteUserAction(user: MessengerUser, record: MessengerIn): void {
    user.sent.push(record);
    user.lastMessageAt = Math.max(user.lastMessageAt ?? 0, record.timestamp);
  }

  userMessage(user: MessengerUser, input: UserMessageInput): { mid: string; delivery: string | null } {
    const { event, record } = this.inboundEvent(user, input);
    this.noteUserAction(user, record);
    const posted = this.hooks.post('messenger', record.mid, this.envelope([event]));
    this.store.inbound.set(record.mid, { app: 'messenger', body: posted.body, key: posted.key });
    return { mid: record.mid, delivery: posted.delivery };
  }

  postback(user: MessengerUser, pb: { title: string; payload: string }): { mid: string; delivery: string | null } {
    const record: MessengerIn = { mid: newMid(), timestamp: Date.now(), postback: pb };
    this.noteUserAction(user, record);
    const event = { sender: { id: user.psid }, recipient: { id: this.store.pageId }, timestamp: record.timestamp, postback: { mid: record.mid, title: pb.title, payload: pb.payload } };
    const posted = this.hooks.post('messenger', record.mid, this.envelope([event]));
    this.store.inbound.set(record.mid, { app: 'messenger', body: posted.body, key: posted.key });
    return { mid: record.mid, delivery: posted.delivery };
  }

  /** The user has read everything received: one `message_reads` event with the newest timestamp as watermark. */
  read(user: MessengerUser): { delivery: string | null; watermark: number | null } {
    const watermark = user.received.at(-1)?.timestamp ?? null;
    if (watermark === null) return { delivery: null, watermark };
    const now = Date.now();
    const posted = this.hooks.post('messenger', `read:${user.psid}:${watermark}`, this.envelope([{ sender: { id: user.psid }, recipient: { id: this.store.pageId }, timestamp: now, read: { watermark } }]));
    return { delivery: posted.delivery, watermark };
  }

  age(user: MessengerUser, hours: number): void {
    if (user.lastMessageAt !== null) user.lastMessageAt -= hours * HOUR;
  }

  /** One webhook carrying every message, spread over `entries` entries. */
  batch(items: { user: MessengerUser; text: string }[], entries: number): { ids: string[]; delivery: string | null } {
    const events = items.map(({ user, text }) => {
      const { event, record } = this.inboundEvent(user, { text });
      this.noteUserAction(user, record);
      return { event, mid: record.mid };
    });
    const n = Math.max(1, Math.min(entries, events.length));
    const per = Math.ceil(events.length / n);
    const entry = Array.from({ length: n }, (_, i) => ({ id: this.store.pageId, time: Date.now(), messaging: events.slice(i * per, (i + 1) * per).map((e) => e.event) })).filter((e) => e.messaging.length);
    const ids = events.map((e) => e.mid);
    const posted = this.hooks.post('messenger', this.hooks.uniqueKey('batch'), { object: 'page', entry });
    for (const id of ids) this.store.inbound.set(id, { app: 'messenger', body: posted.body, key: posted.key });
    return { ids, delivery: posted.delivery };
  }

  view(user: MessengerUser): Obj {
    const fileView = (fileId: string) => {
      const f = this.store.files.get(fileId);
      return { contentType: f?.contentType ?? 'application/octet-stream', size: f?.bytes.length ?? 0, url: `${this.baseUrl()}/__control/meta/media/${fileId}` };
    };
    return {
      psid: user.psid,
      name: user.name,
      lastMessageAt: user.lastMessageAt,
      typing: user.typing,
      seenWatermark: user.seenWatermark,
      received: user.received.map((m) => ({
        mid: m.mid,
        timestamp: m.timestamp,
        messagingType: m.messagingType,
        delivered: m.delivered,
        ...(m.tag ? { tag: m.tag } : {}),
        ...(m.text !== undefined ? { text: m.text } : {}),
        ...(m.quickReplies ? { quickReplies: m.quickReplies } : {}),
        ...(m.buttons ? { buttons: m.buttons } : {}),
        ...(m.elements ? { elements: m.elements } : {}),
        ...(m.attachment ? { attachment: { type: m.attachment.type, ...fileView(m.attachment.fileId) } } : {}),
      })),
      sent: user.sent.map((m) => ({
        mid: m.mid,
        timestamp: m.timestamp,
        ...(m.text !== undefined ? { text: m.text } : {}),
        ...(m.quickReply ? { quickReply: m.quickReply } : {}),
        ...(m.postback ? { postback: m.postback } : {}),
        ...(m.replyTo ? { replyTo: m.replyTo } : {}),
        ...(m.attachments ? { attachments: m.attachments.map((a) => ({ type: a.type, ...fileView(a.fileId) })) } : {}),
      })),
    };
  }

  sampleImage(): { type: string; contentType: string; bytes: Buffer } {
    return { type: 'image', contentType: 'image/png', bytes: samplePng() };
  }
}

export const isMessengerSend = (o: unknown): boolean => has(o, 'recipient');
