// The phone network side: texts from handsets published to the two-way SNS topic in End User Messaging's
// documented payload, and the carrier's delivery events published to the configuration set's event
// destination (an SNS topic) in the documented event format.
//   Two-way payload (AWS End User Messaging SMS user guide, "Two-way SMS messaging"): originationNumber (the
//   handset), destinationNumber (our number), messageKeyword, messageBody, inboundMessageId,
//   previousPublishedMessageId.
//   Event (user guide, "Example SMS event data"): eventType, eventVersion, eventTimestamp, isFinal,
//   originationPhoneNumber, destinationPhoneNumber, messageId, messageStatus, messageStatusDescription, …
import { randomUUID } from 'node:crypto';
import type { SnsTopic } from '../kit/index.js';
import type { Settings } from './config.js';
import type { Received, Store } from './state.js';

/** Keywords End User Messaging answers itself by default (opt-out and help), as the two-way payload names them. */
const OPT_OUT = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'OPTOUT', 'OPT-OUT', 'REVOKE', 'ARRET'];
const OPT_IN = ['START', 'UNSTOP', 'YES'];
const HELP = ['HELP'];

export class Carrier {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly store: Store,
    private readonly settings: Settings,
    private readonly twoWay: SnsTopic,
    private readonly events: SnsTopic,
  ) {}

  /** A handset texts our number: End User Messaging publishes it to the two-way topic. */
  async inbound(from: string, body: string): Promise<{ inboundMessageId: string; snsMessageId: string }> {
    const word = body.trim().split(/\s+/)[0]?.toUpperCase() ?? '';
    const keyword = [...OPT_OUT, ...OPT_IN, ...HELP].includes(word) ? word : `KEYWORD_${this.settings.accountId}`;
    if (OPT_OUT.includes(word)) this.store.optedOut.add(from);
    if (OPT_IN.includes(word)) this.store.optedOut.delete(from);
    const inboundMessageId = randomUUID();
    const previous = [...this.store.received].reverse().find((r) => r.to === from);
    const payload = {
      originationNumber: from,
      destinationNumber: this.store.number.phoneNumber,
      messageKeyword: keyword,
      messageBody: body,
      inboundMessageId,
      ...(previous ? { previousPublishedMessageId: previous.messageId } : {}),
    };
    const snsMessageId = await this.twoWay.publish(JSON.stringify(payload));
    this.store.sent.push({ inboundMessageId, snsMessageId, from, to: this.store.number.phoneNumber, body, at: new Date().toISOString() });
    return { inboundMessageId, snsMessageId };
  }

  /** After a SendTextMessage: the carrier's events, when the send named the configuration set. */
  delivered(r: Received): void {
    if (r.configurationSetName !== this.settings.configurationSetName) return;
    const requested = Date.parse(r.at);
    const unreachable = this.store.unreachable.has(r.to);
    const steps: [string, string, string, boolean][] = unreachable
      ? [['TEXT_UNREACHABLE', 'UNREACHABLE', 'The destination phone is unreachable.', true]]
      : [
          ['TEXT_SUCCESSFUL', 'SUCCESSFUL', 'Message has been accepted by phone carrier', false],
          ['TEXT_DELIVERED', 'DELIVERED', 'Message has been accepted by phone', true],
        ];
    steps.forEach(([eventType, messageStatus, description, isFinal], i) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        const event = {
          eventType,
          eventVersion: '1.0',
          eventTimestamp: Date.now(),
          isFinal,
          originationPhoneNumber: r.from,
          destinationPhoneNumber: r.to,
          isoCountryCode: 'US',
          isInternationalSend: false,
          mcc: '310',
          mnc: '800',
          messageId: r.messageId,
          messageRequestTimestamp: requested,
          messageEncoding: /^[\x20-\x7e\n\r]*$/.test(r.body) ? 'GSM' : 'UCS2',
          messageType: r.messageType,
          messageStatus,
          messageStatusDescription: description,
          ...(r.context ? { context: r.context } : {}),
          totalMessageParts: segments(r.body),
          totalMessagePrice: 0.00581 * segments(r.body),
          totalCarrierFee: 0.003,
        };
        void this.events.publish(JSON.stringify(event));
      }, this.settings.carrierDelayMs * (i + 1));
      this.timers.add(timer);
    });
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}

/** Message parts a carrier bills: 160 GSM-7 characters (153 when concatenated), 70 UCS-2 (67). */
export function segments(body: string): number {
  const gsm = /^[\x20-\x7e\n\r]*$/.test(body);
  const single = gsm ? 160 : 70;
  const multi = gsm ? 153 : 67;
  const n = [...body].length;
  return n <= single ? 1 : Math.ceil(n / multi);
}
