// The wire shapes the shared UI renders: message parts, authors, statuses and offers, as the Parley API sends
// them (see src/core/parts.ts and src/core/model.ts). They are declared here structurally, not imported
// from the SDK, so the customer widget, the customer app and the agent console can all feed these
// components from whatever client they use.

export type AuthorRole = 'customer' | 'agent' | 'system' | 'bot' | 'business';

export interface Author {
  role: AuthorRole;
  id?: string | undefined;
  name?: string | undefined;
}

export interface TextPart {
  type: 'text';
  text: string;
}

export interface MediaPart {
  type: 'media';
  mediaId: string;
  caption?: string | undefined;
  mime?: string | undefined;
  size?: number | undefined;
  name?: string | undefined;
  url?: string | undefined;
}

export interface QuickRepliesPart {
  type: 'quick_replies';
  text?: string | undefined;
  replies: { title: string; payload?: string | undefined }[];
}

export interface ButtonsPart {
  type: 'buttons';
  text?: string | undefined;
  buttons: { title: string; payload?: string | undefined; url?: string | undefined }[];
}

export interface QrPart {
  type: 'qr';
  content: string;
}

export interface LocationPart {
  type: 'location';
  lat: number;
  lng: number;
  name?: string | undefined;
  address?: string | undefined;
}

export type Part = TextPart | MediaPart | QuickRepliesPart | ButtonsPart | QrPart | LocationPart;

/** Where one of my messages has got to. `pending` = not yet accepted by Parley (in the outbox). */
export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

/** One event of a conversation's log, loosely typed: the UI only reads what it renders. */
export interface LogEvent {
  id?: string | undefined;
  seq: number;
  kind: string;
  author: Author;
  createdAt: string;
  parts?: Part[] | undefined;
  status?: MessageStatus | undefined;
  clientMessageId?: string | undefined;
  [field: string]: unknown;
}

export type OfferType = 'text' | 'qrcode' | 'link' | 'image';

export interface Offer {
  id: string;
  type: OfferType;
  content: string;
  fromId?: string | null | undefined;
  createdAt: string;
  acknowledgedAt?: string | null | undefined;
}

/** What the message list shows: a message bubble or a one-line notice. */
export type ChatItem = MessageItem | NoticeItem;

export interface MessageItem {
  type: 'message';
  key: string;
  /** True when the viewer sent it (their bubbles sit on the right and carry ticks). */
  mine: boolean;
  author: Author;
  parts: Part[];
  createdAt: string;
  status?: MessageStatus | undefined;
  /** Why a failed message failed, shown next to the retry button. */
  error?: string | undefined;
  /** Only on this device so far (never stored by Parley): it can be deleted rather than retried. */
  local?: boolean | undefined;
  /** What the route's PII policy masked in it (the event's `redacted`), by kind. */
  redacted?: { kind: string; count: number }[] | undefined;
}

export interface NoticeItem {
  type: 'notice';
  key: string;
  text: string;
  /** `info` for joins and transfers, `warning` for failures, `end` when the chat ended. */
  tone: 'info' | 'warning' | 'end';
  createdAt: string;
}
