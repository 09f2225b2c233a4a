// The emulated Meta side: the app, the Page and its Messenger users (PSIDs), the WhatsApp Business Account,
// its phone number, templates and users (wa_ids), stored files (WhatsApp media, Messenger attachments, what
// users sent), webhook subscriptions, and the webhook bodies that carried each inbound message (to post
// them again byte for byte).
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { DEFAULT_TEMPLATES, DEFAULTS, template, type MetaEmulatorOptions, type Template } from './config.js';

export type App = 'messenger' | 'whatsapp';

export interface StoredFile {
  id: string;
  contentType: string;
  bytes: Buffer;
  sha256: string;
  filename?: string;
  /** Who may fetch it through the Graph API (`GET /{media-id}` is WhatsApp's). */
  owner: 'whatsapp-media' | 'messenger-attachment' | 'messenger-cdn' | 'business-sent';
  createdAt: number;
}

export interface MessengerOut {
  mid: string;
  timestamp: number;
  messagingType: string;
  tag?: string;
  text?: string;
  quickReplies?: { title: string; payload: string }[];
  buttons?: { type: string; title: string; payload?: string; url?: string }[];
  /** A generic template's elements, as sent. */
  elements?: unknown[];
  attachment?: { type: string; fileId: string };
  delivered: boolean;
}

export interface MessengerIn {
  mid: string;
  timestamp: number;
  text?: string;
  quickReply?: { title: string; payload: string };
  postback?: { title: string; payload: string };
  attachments?: { type: string; fileId: string }[];
  replyTo?: string;
}

export interface MessengerUser {
  psid: string;
  name: string;
  lastMessageAt: number | null;
  typing: boolean;
  typingTimer?: NodeJS.Timeout;
  seenWatermark: number | null;
  received: MessengerOut[];
  sent: MessengerIn[];
}

export type WaStatus = 'accepted' | 'sent' | 'delivered' | 'read' | 'failed';

export interface WaError {
  code: number;
  title: string;
  message: string;
  error_data: { details: string };
  href: string;
}

export interface WaOut {
  id: string;
  timestamp: number;
  type: string;
  status: WaStatus;
  to: string;
  text?: string;
  interactive?: { type: 'button' | 'list'; body: string; buttons?: { id: string; title: string }[]; button?: string; sections?: unknown[] };
  template?: { name: string; language: string; parameters: string[]; text: string; category: string };
  media?: { type: string; fileId?: string; link?: string; caption?: string; filename?: string };
  location?: unknown;
  contacts?: unknown;
  reaction?: { message_id: string; emoji: string };
  context?: string;
  /** `biz_opaque_callback_data` of the send: echoed in every status of the message. */
  opaque?: string;
  errors?: WaError[];
}

export interface WaIn {
  id: string;
  timestamp: number;
  type: string;
  /** The `messages[]` item as the webhook carried it. */
  message: Record<string, unknown>;
  fileId?: string;
}

export interface WhatsAppUser {
  waId: string;
  name: string;
  lastMessageAt: number | null;
  typing: boolean;
  typingTimer?: NodeJS.Timeout;
  readByBusiness: string[];
  received: WaOut[];
  sent: WaIn[];
  conversation?: { id: string; expires: number; origin: string };
}

/** Meta ids are numeric strings. */
export const numericId = (digits = 16): string => String(randomInt(1, 10)) + Array.from({ length: digits - 1 }, () => randomInt(0, 10)).join('');
export const mid = (): string => 'm_' + randomBytes(33).toString('base64url');
export const wamid = (waId: string): string => 'wamid.' + Buffer.from(`HBgL${waId}FQIAEhgU${randomBytes(10).toString('hex').toUpperCase()}AA==`).toString('base64');
export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

const FIRST = ['Alex', 'Sam', 'Robin', 'Kim', 'Jo', 'Charlie', 'Noa', 'Mika'];
const LAST = ['Meyer', 'Lindqvist', 'Okafor', 'Tanaka', 'Rossi', 'Dubois', 'Novak', 'Silva'];
const randomName = (): string => `${FIRST[randomInt(FIRST.length)]} ${LAST[randomInt(LAST.length)]}`;

export interface InboundRecord {
  app: App;
  /** The exact webhook body that carried it, and its key in the kit's webhook log. */
  body: string;
  key: string;
}

export class Store {
  readonly appId: string;
  appSecret: string;
  verifyToken: string;
  readonly pageId: string;
  readonly pageName: string;
  readonly pageAccessToken: string;
  readonly wabaId: string;
  readonly phoneNumberId: string;
  readonly displayPhoneNumber: string;
  readonly whatsappToken: string;

  readonly messengerUsers = new Map<string, MessengerUser>();
  readonly whatsappUsers = new Map<string, WhatsAppUser>();
  readonly files = new Map<string, StoredFile>();
  readonly inbound = new Map<string, InboundRecord>();
  templates: Template[] = [];
  readonly subscriptions: Record<App, string | null> = { messenger: null, whatsapp: null };

  constructor(private readonly opts: MetaEmulatorOptions) {
    this.appId = opts.appId ?? DEFAULTS.appId;
    this.appSecret = opts.appSecret ?? DEFAULTS.appSecret;
    this.verifyToken = opts.verifyToken ?? DEFAULTS.verifyToken;
    this.pageId = opts.pageId ?? DEFAULTS.pageId;
    this.pageName = opts.pageName ?? DEFAULTS.pageName;
    this.pageAccessToken = opts.pageAccessToken ?? DEFAULTS.pageAccessToken;
    this.wabaId = opts.wabaId ?? DEFAULTS.wabaId;
    this.phoneNumberId = opts.phoneNumberId ?? DEFAULTS.phoneNumberId;
    this.displayPhoneNumber = opts.displayPhoneNumber ?? DEFAULTS.displayPhoneNumber;
    this.whatsappToken = opts.whatsappToken ?? DEFAULTS.whatsappToken;
    this.reset();
  }

  reset(): void {
    for (const u of this.messengerUsers.values()) clearTimeout(u.typingTimer);
    for (const u of this.whatsappUsers.values()) clearTimeout(u.typingTimer);
    this.messengerUsers.clear();
    this.whatsappUsers.clear();
    this.files.clear();
    this.inbound.clear();
    this.templates = (this.opts.templates ?? DEFAULT_TEMPLATES).map(template);
    this.subscriptions.messenger = this.opts.messenger?.webhookUrl || null;
    this.subscriptions.whatsapp = this.opts.whatsapp?.webhookUrl || null;
  }

  addMessengerUser(name?: string): MessengerUser {
    let psid = numericId(16);
    while (this.messengerUsers.has(psid)) psid = numericId(16);
    const user: MessengerUser = { psid, name: name ?? randomName(), lastMessageAt: null, typing: false, seenWatermark: null, received: [], sent: [] };
    this.messengerUsers.set(psid, user);
    return user;
  }

  addWhatsAppUser(name?: string, waId?: string): WhatsAppUser {
    let id = waId ?? `1555${numericId(7)}`;
    while (!waId && this.whatsappUsers.has(id)) id = `1555${numericId(7)}`;
    const existing = this.whatsappUsers.get(id);
    if (existing) {
      if (name) existing.name = name;
      return existing;
    }
    const user: WhatsAppUser = { waId: id, name: name ?? randomName(), lastMessageAt: null, typing: false, readByBusiness: [], received: [], sent: [] };
    this.whatsappUsers.set(id, user);
    return user;
  }

  addFile(input: { contentType: string; bytes: Buffer; filename?: string; owner: StoredFile['owner'] }): StoredFile {
    const file: StoredFile = { id: numericId(16), contentType: input.contentType, bytes: input.bytes, sha256: sha256(input.bytes), owner: input.owner, createdAt: Date.now(), ...(input.filename ? { filename: input.filename } : {}) };
    this.files.set(file.id, file);
    return file;
  }

  findTemplate(name: string, language: string): Template | undefined {
    return this.templates.find((t) => t.name === name && t.language === language);
  }
}
