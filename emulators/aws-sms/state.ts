// What the emulated account holds: one phone number with two-way SMS to the topic, the texts each emulated
// handset received, and the opt-out list.
import { randomBytes } from 'node:crypto';
import type { Settings } from './config.js';

export interface PhoneNumber {
  phoneNumberId: string;
  phoneNumberArn: string;
  phoneNumber: string;
}

/** A text as a handset received it (one SendTextMessage call). */
export interface Received {
  messageId: string;
  from: string;
  to: string;
  body: string;
  messageType: string;
  configurationSetName?: string;
  context?: Record<string, string>;
  at: string;
}

/** A text a handset sent to the number (published to the two-way topic). */
export interface Sent {
  inboundMessageId: string;
  snsMessageId: string;
  from: string;
  to: string;
  body: string;
  at: string;
}

export class Store {
  number!: PhoneNumber;
  received: Received[] = [];
  sent: Sent[] = [];
  optedOut = new Set<string>();
  /** Handsets whose carrier answers TEXT_UNREACHABLE (a phone switched off for good). */
  unreachable = new Set<string>();

  constructor(private readonly settings: Settings) {
    this.reset();
  }

  reset(): void {
    const id = `phone-${randomBytes(16).toString('hex')}`;
    const s = this.settings;
    this.number = { phoneNumberId: id, phoneNumberArn: `arn:aws:sms-voice:${s.region}:${s.accountId}:phone-number/${id}`, phoneNumber: s.phoneNumber };
    this.received = [];
    this.sent = [];
    this.optedOut.clear();
    this.unreachable.clear();
  }

  /** OriginationIdentity may be the number, its id or its ARN. */
  isOurs(identity: string): boolean {
    const n = this.number;
    return identity === n.phoneNumber || identity === n.phoneNumberId || identity === n.phoneNumberArn;
  }
}
