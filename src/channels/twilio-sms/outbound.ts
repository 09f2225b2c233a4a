import { ParleyError } from '../../core/errors.js';
import type { VendorHttp } from '../../vendor/http-client.js';
import { vendorPath } from '../../vendor/path.js';
import { MessageResource, SendAnswer, TwilioErrorBody } from './payloads.js';

// Parley → Twilio: the Messages API (POST /2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded;
// vendor-protocols §6.1). Plain HTTP through the instance's VendorHttp rather than the `twilio` package:
// one call is all Parley makes, and VendorHttp already owns what the package would duplicate or get in the
// way of — the dispatcher's retry vocabulary, Retry-After, the rate budget, the attempt signal and timeouts,
// redacted logs (the package uses axios with its own retry and error types).
//
// Not marked idempotent: Twilio documents no idempotency key for message creation, so VendorHttp resends
// only when Twilio provably did not act (429, a connection never made); after a 5xx or a timeout the
// dispatcher's at-least-once resend may, rarely, text the customer twice.
//
// Twilio's 4xx answers carry its own error code. The ones that mean "never to this recipient" are final
// and worded for the agent, who sees them as delivery.failed; the code is kept in details.

/** Twilio error codes that mean this recipient cannot be texted (twilio.com/docs/api/errors/<code>). */
const RECIPIENT_REFUSED: Record<number, string> = {
  21610: 'The customer has opted out of texts from this number (they texted STOP); Twilio refuses to send until they text START.',
  21211: "The customer's phone number is not a valid phone number, so Twilio cannot text it.",
  21614: "The customer's number cannot receive texts (not a mobile number).",
  21612: 'Twilio cannot route texts between this number and the customer’s.',
  21408: 'This account may not text the customer’s country (geographic permissions).',
  21617: 'The text is longer than Twilio accepts (1,600 characters).',
  21620: 'Twilio could not use the attached file’s URL.',
};

export interface SendInput {
  to: string;
  body: string;
  mediaUrls: string[];
  statusCallback: string;
  signal?: AbortSignal;
}

export class TwilioApi {
  constructor(
    private readonly http: VendorHttp,
    private readonly accountSid: string,
    private readonly sender: { from: string } | { messagingServiceSid: string },
  ) {}

  /** Sends one text (or MMS); Twilio's message SID. */
  async send(r: SendInput): Promise<string> {
    const form = new URLSearchParams({ To: r.to });
    if ('from' in this.sender) form.set('From', this.sender.from);
    else form.set('MessagingServiceSid', this.sender.messagingServiceSid);
    if (r.body) form.set('Body', r.body);
    for (const url of r.mediaUrls) form.append('MediaUrl', url);
    form.set('StatusCallback', r.statusCallback);
    const res = await this.http.request({
      method: 'POST',
      path: vendorPath`/2010-04-01/Accounts/${this.accountSid}/Messages.json`,
      form,
      schema: SendAnswer,
      // Read Twilio's own error code on these instead of a bare status; 401, 429 and 5xx keep VendorHttp's rules.
      accept: [400, 403, 404],
      operation: 'createMessage',
      ...(r.signal ? { signal: r.signal } : {}),
    });
    const created = res.status >= 200 && res.status < 300 ? MessageResource.safeParse(res.body) : undefined;
    if (created?.success) return created.data.sid;
    throw refused(res.status, TwilioErrorBody.safeParse(res.body).data);
  }
}

/** A final refusal, worded for the agent, with Twilio's code in details. */
export function refused(status: number, body: { code: number; message?: string | undefined } | undefined): ParleyError {
  const code = body?.code;
  const known = code !== undefined ? RECIPIENT_REFUSED[code] : undefined;
  const said = body?.message ? `: ${body.message.slice(0, 200)}` : '';
  const message =
    code === undefined ? `Twilio refused the text (HTTP ${status})${said}.` : known ? `${known} (Twilio ${code})` : `Twilio refused the text${said} (HTTP ${status}, Twilio ${code}).`;
  return new ParleyError('DELIVERY_REJECTED', message, {
    details: { vendor: 'twilio', status, ...(code !== undefined ? { twilioCode: code } : {}), ...(code === 21610 ? { reason: 'opted-out' } : {}) },
  });
}
