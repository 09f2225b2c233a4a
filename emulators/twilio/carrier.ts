// The world beyond the API: outbound messages travelling to phones (with their status callbacks), phones
// texting the number (the incoming-message webhook), and Twilio's default opt-out handling.
//
// - Outbound (twilio.com/docs/messaging/guides/track-outbound-message-status): queued → sent → delivered,
//   or undelivered/failed with an ErrorCode (30003 "Unreachable destination handset" by default) when the
//   control API made the phone undeliverable. Each status is POSTed to the message's StatusCallback,
//   form-encoded (MessageSid, MessageStatus, SmsSid, SmsStatus, AccountSid, From, To, ApiVersion,
//   MessagingServiceSid, ErrorCode) and signed like every Twilio request. MediaUrl are fetched when the
//   message is sent, as Twilio does; one that cannot be fetched fails the message (11200 "HTTP retrieval
//   failure"). Messages to one phone arrive in the order they were created.
// - Inbound (twilio.com/docs/messaging/guides/webhook-request): POST form-encoded to the number's webhook
//   with MessageSid/SmsSid/SmsMessageSid, AccountSid, MessagingServiceSid, From, To, Body, NumMedia,
//   NumSegments, MediaUrl{N}/MediaContentType{N}, SmsStatus=received, ApiVersion and geographic fields,
//   signed (X-Twilio-Signature) and carrying I-Twilio-Idempotency-Token. Media URLs point at this emulator.
// - Default opt-out (help.twilio.com "Twilio support for opt-out keywords"): a message that is exactly
//   (any case, spaces trimmed) STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT, REVOKE or OPTOUT opts the
//   phone out (later sends: 21610) and Twilio answers with its confirmation; START, YES, UNSTOP opt back
//   in; HELP, INFO get Twilio's help text. The keyword message is still passed to the webhook, with
//   `OptOutType` only when a Messaging Service has Advanced Opt-Out (settings.advancedOptOut).
import { randomUUID } from 'node:crypto';
import type { Kit } from '../kit/index.js';
import type { Settings } from './config.js';
import { signTwilio } from './signature.js';
import { segments, sid, type Media, type Message, type Phone, type Status, type Store } from './state.js';

export const KEYWORDS = {
  STOP: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'],
  START: ['START', 'YES', 'UNSTOP'],
  HELP: ['HELP', 'INFO'],
} as const;

export const KEYWORD_REPLIES = {
  STOP: 'You have successfully been unsubscribed. You will not receive any more messages from this number. Reply START to resubscribe.',
  START: 'You have successfully been re-subscribed to messages from this number. Reply HELP for help. Reply STOP to unsubscribe. Msg&Data Rates May Apply.',
  HELP: 'Reply STOP to unsubscribe. Msg&Data Rates May Apply.',
} as const;

export function keywordOf(body: string): keyof typeof KEYWORDS | undefined {
  const word = body.trim().toUpperCase();
  return (Object.keys(KEYWORDS) as (keyof typeof KEYWORDS)[]).find((k) => (KEYWORDS[k] as readonly string[]).includes(word));
}

const ERROR_TEXT: Record<number, string> = {
  11200: 'HTTP retrieval failure',
  30003: 'Unreachable destination handset',
  30005: 'Unknown destination handset',
  30006: 'Landline or unreachable carrier',
  30007: 'Message filtered',
  30008: 'Unknown error',
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export interface InboundText {
  from: string;
  body?: string;
  media?: { contentType: string; bytes: Buffer }[];
}

export class Carrier {
  /** Per phone, the tail of its delivery chain: messages to one phone arrive in creation order. */
  private readonly lanes = new Map<string, Promise<void>>();
  /** The last webhook request for each inbound message, to deliver again byte for byte (a Twilio retry). */
  private readonly webhookRequests = new Map<string, { url: string; body: string; headers: Record<string, string> }>();
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly settings: Settings,
    private readonly kit: Kit,
  ) {}

  close(): void {
    this.closed = true;
  }

  reset(): void {
    this.lanes.clear();
    this.webhookRequests.clear();
  }

  /** A message the API created: on its way to the phone. */
  send(m: Message): void {
    const prev = this.lanes.get(m.to) ?? Promise.resolve();
    const next = prev.then(() => this.travel(m)).catch(() => undefined);
    this.lanes.set(m.to, next);
  }

  /** Resolves when every outbound message so far has reached its final status. */
  async idle(): Promise<void> {
    await Promise.all([...this.lanes.values()]);
  }

  private async travel(m: Message): Promise<void> {
    if (m.status === 'accepted') this.setStatus(m, 'queued');
    for (const url of m.mediaUrls) {
      const fetched = await fetchMedia(url);
      if (!fetched) return this.finish(m, 'failed', 11200);
      m.media.push({ sid: sid('ME'), ...fetched });
    }
    await sleep(this.settings.statusDelayMs);
    if (this.closed) return;
    m.sent = new Date();
    this.setStatus(m, 'sent');
    await sleep(this.settings.statusDelayMs);
    if (this.closed) return;
    const phone = this.store.phone(m.to);
    const refused = phone.undeliverable;
    if (refused) {
      if (refused.remaining !== undefined && --refused.remaining <= 0) delete phone.undeliverable;
      return this.finish(m, refused.status, refused.errorCode);
    }
    phone.received.push(m);
    this.setStatus(m, 'delivered');
  }

  private finish(m: Message, status: 'undelivered' | 'failed', errorCode: number): void {
    m.errorCode = errorCode;
    m.errorMessage = ERROR_TEXT[errorCode] ?? null;
    this.setStatus(m, status);
  }

  private setStatus(m: Message, status: Status): void {
    m.status = status;
    m.updated = new Date();
    if (!m.statusCallback || this.closed) return;
    const params = new URLSearchParams({
      AccountSid: this.store.accountSid,
      ApiVersion: '2010-04-01',
      From: m.from,
      MessageSid: m.sid,
      MessageStatus: status,
      SmsSid: m.sid,
      SmsStatus: status,
      To: m.to,
    });
    if (m.messagingServiceSid) params.set('MessagingServiceSid', m.messagingServiceSid);
    if (m.errorCode !== null) params.set('ErrorCode', String(m.errorCode));
    this.post(`${m.sid}:${status}`, m.statusCallback, params);
  }

  /** A phone texts the number. Returns the inbound message and the webhook delivery id (if a webhook is set). */
  receive(text: InboundText): { message: Message; delivery?: string } {
    const body = text.body ?? '';
    const media: Media[] = (text.media ?? []).map((x) => ({ sid: sid('ME'), contentType: x.contentType, bytes: x.bytes }));
    const now = new Date();
    const message: Message = {
      sid: sid(media.length ? 'MM' : 'SM'),
      direction: 'inbound',
      from: text.from,
      to: this.store.number,
      body,
      messagingServiceSid: this.store.messagingServiceSid,
      status: 'received',
      errorCode: null,
      errorMessage: null,
      numSegments: segments(body),
      media,
      mediaUrls: [],
      statusCallback: null,
      created: now,
      updated: now,
      sent: now,
    };
    this.store.messages.set(message.sid, message);
    const keyword = keywordOf(body);
    if (keyword === 'STOP') this.store.optedOut.add(text.from);
    if (keyword === 'START') this.store.optedOut.delete(text.from);
    if (keyword) this.keywordReply(this.store.phone(text.from), keyword);
    const url = this.settings.webhookUrl;
    if (!url) return { message };
    const params = new URLSearchParams({
      ToCountry: 'US',
      ToState: '',
      SmsMessageSid: message.sid,
      NumMedia: String(media.length),
      ToCity: '',
      FromZip: '',
      SmsSid: message.sid,
      FromState: '',
      SmsStatus: 'received',
      FromCity: '',
      Body: body,
      FromCountry: '',
      To: message.to,
      MessagingServiceSid: this.store.messagingServiceSid,
      ToZip: '',
      NumSegments: String(message.numSegments),
      MessageSid: message.sid,
      AccountSid: this.store.accountSid,
      From: message.from,
      ApiVersion: '2010-04-01',
    });
    media.forEach((x, i) => {
      params.set(`MediaContentType${i}`, x.contentType);
      params.set(`MediaUrl${i}`, `${this.kit.baseUrl}/2010-04-01/Accounts/${this.store.accountSid}/Messages/${message.sid}/Media/${x.sid}`);
    });
    if (keyword && this.settings.advancedOptOut) params.set('OptOutType', keyword);
    return { message, delivery: this.post(message.sid, url, params) };
  }

  /** Posts the webhook of an inbound message again, the same bytes and idempotency token (Twilio retrying it). */
  redeliver(messageSid: string): string | undefined {
    const req = this.webhookRequests.get(messageSid);
    if (!req) return undefined;
    return this.kit.webhooks.send({ key: messageSid, ...req }).id;
  }

  /** Twilio's own answer to a keyword, from the number to the phone. */
  private keywordReply(phone: Phone, keyword: keyof typeof KEYWORD_REPLIES): void {
    const now = new Date();
    const body = KEYWORD_REPLIES[keyword];
    const reply: Message = {
      sid: sid('SM'),
      direction: 'outbound-api',
      from: this.store.number,
      to: phone.number,
      body,
      messagingServiceSid: null,
      status: 'delivered',
      errorCode: null,
      errorMessage: null,
      numSegments: segments(body),
      media: [],
      mediaUrls: [],
      statusCallback: null,
      created: now,
      updated: now,
      sent: now,
      keywordReply: true,
    };
    this.store.messages.set(reply.sid, reply);
    phone.received.push(reply);
  }

  private post(key: string, url: string, params: URLSearchParams): string {
    const body = params.toString();
    const headers = {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': signTwilio(this.store.authToken, url, params),
      'i-twilio-idempotency-token': randomUUID(),
      'user-agent': 'TwilioProxy/1.1',
    };
    if (!key.includes(':')) this.webhookRequests.set(key, { url, body, headers });
    return this.kit.webhooks.send({ key, url, body, headers }).id;
  }
}

/** Fetches a MediaUrl as Twilio does when it sends the message: the bytes and their content type, or nothing. */
async function fetchMedia(url: string): Promise<{ contentType: string; bytes: Buffer } | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) return undefined;
    const bytes = Buffer.from(await res.arrayBuffer());
    if (bytes.length === 0) return undefined;
    return { contentType: (res.headers.get('content-type') ?? 'application/octet-stream').split(';')[0]!.trim(), bytes };
  } catch {
    return undefined;
  }
}
