// The emulator's account: its number and Messaging Service, every message (both directions), the media
// they carry, the opt-out list, and the phones that text it — what each phone received is what the control
// API shows ("read the phone").
import { randomBytes } from 'node:crypto';
import { DEFAULTS, type TwilioEmulatorOptions } from './config.js';

export type Status = 'accepted' | 'queued' | 'sending' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'receiving' | 'received';

export interface Media {
  sid: string;
  contentType: string;
  bytes: Buffer;
}

export interface Message {
  sid: string;
  direction: 'inbound' | 'outbound-api';
  from: string;
  to: string;
  body: string;
  messagingServiceSid: string | null;
  status: Status;
  errorCode: number | null;
  errorMessage: string | null;
  numSegments: number;
  media: Media[];
  /** What an outbound message asked for: MediaUrl (fetched when it is sent) and StatusCallback. */
  mediaUrls: string[];
  statusCallback: string | null;
  created: Date;
  updated: Date;
  sent: Date | null;
  /** Twilio's own answer to an opt-out keyword (not sent through the API). */
  keywordReply?: true;
}

/** How the next outbound messages to a phone end, set from the control API. */
export interface Undeliverable {
  /** Remaining messages to fail; absent: every message until cleared. */
  remaining?: number;
  status: 'undelivered' | 'failed';
  errorCode: number;
}

export interface Phone {
  number: string;
  /** Outbound messages that reached this phone, in arrival order (Twilio's own keyword replies included). */
  received: Message[];
  undeliverable?: Undeliverable;
}

/** Twilio SIDs: two letters and 32 hex digits. */
export const sid = (prefix: 'SM' | 'MM' | 'ME'): string => prefix + randomBytes(16).toString('hex');

/** RFC 2822 dates, as the 2010-04-01 API writes them (`Tue, 01 Dec 2026 10:50:11 +0000`). */
export const rfc2822 = (d: Date): string => d.toUTCString().replace('GMT', '+0000');

// GSM 03.38 basic set (and its extension table, which costs two septets): a body only of these goes in
// 160-character segments (153 when concatenated); anything else is UCS-2, 70 (67).
const GSM = new Set('@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà');
const GSM_EXT = new Set('^{}\\[~]|€\f');

export function segments(body: string): number {
  if (body.length === 0) return 1;
  let septets = 0;
  let gsm = true;
  for (const ch of body) {
    if (GSM.has(ch)) septets += 1;
    else if (GSM_EXT.has(ch)) septets += 2;
    else gsm = false;
  }
  if (gsm) return septets <= 160 ? 1 : Math.ceil(septets / 153);
  const units = [...body].reduce((n, ch) => n + (ch.length > 1 ? 2 : 1), 0);
  return units <= 70 ? 1 : Math.ceil(units / 67);
}

export class Store {
  readonly accountSid: string;
  authToken: string;
  readonly apiKey: { sid: string; secret: string };
  readonly number: string;
  readonly messagingServiceSid: string;
  readonly messages = new Map<string, Message>();
  readonly phones = new Map<string, Phone>();
  /** Opted-out phones (texted STOP to the number; a Messaging Service shares one list for its senders). */
  readonly optedOut = new Set<string>();

  constructor(opts: TwilioEmulatorOptions) {
    this.accountSid = opts.accountSid ?? DEFAULTS.accountSid;
    this.authToken = opts.authToken ?? DEFAULTS.authToken;
    this.apiKey = opts.apiKey ?? DEFAULTS.apiKey;
    this.number = opts.number ?? DEFAULTS.number;
    this.messagingServiceSid = opts.messagingServiceSid ?? DEFAULTS.messagingServiceSid;
  }

  phone(number: string): Phone {
    let p = this.phones.get(number);
    if (!p) {
      p = { number, received: [] };
      this.phones.set(number, p);
    }
    return p;
  }

  mediaOf(messageSid: string, mediaSid: string): Media | undefined {
    return this.messages.get(messageSid)?.media.find((m) => m.sid === mediaSid);
  }

  reset(): void {
    this.messages.clear();
    this.phones.clear();
    this.optedOut.clear();
  }
}

/** The Message resource as the API shows it (twilio.com/docs/messaging/api/message-resource). */
export function messageResource(store: Store, m: Message): Record<string, unknown> {
  const uri = `/2010-04-01/Accounts/${store.accountSid}/Messages/${m.sid}`;
  return {
    account_sid: store.accountSid,
    api_version: '2010-04-01',
    body: m.body,
    date_created: rfc2822(m.created),
    date_sent: m.sent ? rfc2822(m.sent) : null,
    date_updated: rfc2822(m.updated),
    direction: m.direction,
    error_code: m.errorCode,
    error_message: m.errorMessage,
    from: m.from,
    messaging_service_sid: m.messagingServiceSid,
    num_media: String(m.direction === 'inbound' ? m.media.length : m.mediaUrls.length),
    num_segments: String(m.numSegments),
    price: null,
    price_unit: 'USD',
    sid: m.sid,
    status: m.status,
    subresource_uris: { media: `${uri}/Media.json`, feedback: `${uri}/Feedback.json` },
    to: m.to,
    uri: `${uri}.json`,
  };
}
