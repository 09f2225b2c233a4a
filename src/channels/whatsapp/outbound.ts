import { ParleyError } from '../../core/errors.js';
import type { VendorHttp } from '../../vendor/http-client.js';
import { GRAPH_REFUSALS, graphFailure, type GraphError } from '../../vendor/meta-graph.js';
import { vendorPath } from '../../vendor/path.js';
import type { WaMessage } from './parts.js';
import { MediaInfo, SendAnswer } from './payloads.js';

// Parley → WhatsApp: the Cloud API's messages endpoint (POST /{version}/{phone-number-id}/messages;
// vendor-protocols §7) for sends and mark-read (with the typing indicator), and GET /{media-id} for where a
// customer's file can be downloaded, through the instance's Graph client (meta-graph.ts: bearer token,
// appsecret_proof). Sends are not idempotent at Meta (no key), so VendorHttp resends only what provably did
// not arrive; the channel keys each part of an agent message so the outbox's resend skips parts Meta took.

/** WhatsApp's refusals at send time that mean this message can never go, worded for the agent (Cloud API error codes). */
function explain(e: GraphError): string | { code: 'REPLY_WINDOW_CLOSED'; message: string } | undefined {
  if (e.code === 131047) return { code: 'REPLY_WINDOW_CLOSED', message: WA_FAILURES[131047]! };
  return WA_FAILURES[e.code];
}

/**
 * What WhatsApp's error codes mean for the agent, at send time and in a `failed` status
 * (developers.facebook.com/documentation/business-messaging/whatsapp/support/error-codes).
 */
export const WA_FAILURES: Record<number, string> = {
  131047: 'WhatsApp refused the message: the customer last wrote more than 24 hours ago (WhatsApp 131047), and only an approved template can reach them until they write again.',
  131026: 'WhatsApp could not deliver the message (131026): the number may not be on WhatsApp, or the customer has not accepted the latest terms or blocked the business.',
  131051: 'WhatsApp does not support this kind of message (131051).',
  131052: 'WhatsApp could not download the customer file (131052).',
  131053: 'WhatsApp could not fetch the attached file from Parley (131053): is PARLEY_PUBLIC_URL reachable from the internet, and is the file a type WhatsApp takes?',
  131049: 'WhatsApp did not deliver this message to keep the customer\'s experience healthy (131049: too many business messages to them lately).',
  131050: 'The customer has stopped marketing messages from this business (131050).',
  131042: "WhatsApp refused the message: a problem with the business's payment method (131042).",
  131031: 'WhatsApp has locked this business account (131031).',
  131021: 'The recipient is the business number itself (131021).',
  131009: 'WhatsApp refused a value in the message (131009).',
  131008: 'WhatsApp found a required value missing in the message (131008).',
  132000: 'The reply template does not have the number of parameters configured (132000): check replyTemplate.parameters against the approved template.',
  132001: 'The reply template does not exist in that language (132001): check replyTemplate.name and language against the WhatsApp Manager.',
  132005: 'The reply template with its parameters is too long (132005).',
  132007: "The reply template's content breaks WhatsApp's policy (132007).",
  132012: "The reply template's parameters are not in the format approved (132012).",
  132015: 'The reply template is paused for low quality (132015).',
  132016: 'The reply template is disabled (132016).',
  132018: "The reply template's parameters contain characters WhatsApp refuses (132018).",
  133010: 'The business phone number is not registered with the Cloud API (133010).',
  100: 'WhatsApp refused a parameter of the message (100).',
  10: 'The app is not allowed to send for this phone number (10): check the whatsapp_business_messaging permission of the token.',
  200: 'The app is not allowed to send for this phone number (200): check the token\'s permissions.',
};

export const whatsappRefusal = (status: number, body: unknown): ParleyError => graphFailure('WhatsApp', status, body, explain);

export class WhatsAppApi {
  constructor(
    private readonly http: VendorHttp,
    private readonly proof: string,
    private readonly phoneNumberId: string,
  ) {}

  /** Sends one message to a customer (`to`: the wa_id's digits); WhatsApp's message id (wamid). */
  async send(to: string, message: WaMessage, opts: { opaque?: string; signal?: AbortSignal } = {}): Promise<string> {
    const res = await this.http.request({
      method: 'POST',
      path: vendorPath`/${this.phoneNumberId}/messages`,
      query: { appsecret_proof: this.proof },
      // biz_opaque_callback_data comes back in every status of this message: the Parley event, even when a
      // status outruns the link the channel writes after this answer.
      json: { messaging_product: 'whatsapp', recipient_type: 'individual', to, ...message, ...(opts.opaque ? { biz_opaque_callback_data: opts.opaque.slice(0, 512) } : {}) },
      accept: GRAPH_REFUSALS,
      operation: message.type === 'template' ? 'sendTemplate' : 'sendMessage',
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const ok = res.status >= 200 && res.status < 300 ? SendAnswer.safeParse(res.body).data : undefined;
    const id = ok?.messages?.[0]?.id;
    if (id) return id;
    if (ok) throw new ParleyError('DELIVERY_UNAVAILABLE', 'WhatsApp answered without a message id.', { details: { vendor: 'whatsapp', status: res.status } });
    throw whatsappRefusal(res.status, res.body);
  }

  /** Marks a customer's message (and the ones before it) read; with the typing indicator when `typing`. */
  async markRead(wamid: string, typing: boolean, signal?: AbortSignal): Promise<void> {
    const res = await this.http.request({
      method: 'POST',
      path: vendorPath`/${this.phoneNumberId}/messages`,
      query: { appsecret_proof: this.proof },
      json: { messaging_product: 'whatsapp', status: 'read', message_id: wamid, ...(typing ? { typing_indicator: { type: 'text' } } : {}) },
      accept: GRAPH_REFUSALS,
      operation: typing ? 'typingIndicator' : 'markRead',
      // Idempotent by nature: reading twice is reading once.
      idempotent: true,
      ...(signal ? { signal } : {}),
    });
    if (res.status >= 300) throw whatsappRefusal(res.status, res.body);
  }

  /** Where a customer's file can be downloaded now (`GET /{media-id}`: a URL valid for minutes, needing the token). */
  async mediaUrl(mediaId: string, timeoutMs: number): Promise<{ url: string; mime?: string | undefined }> {
    const res = await this.http.request({ path: vendorPath`/${mediaId}`, query: { appsecret_proof: this.proof }, accept: GRAPH_REFUSALS, operation: 'mediaUrl', idempotent: true, totalTimeoutMs: timeoutMs });
    const info = res.status === 200 ? MediaInfo.safeParse(res.body).data : undefined;
    if (info) return { url: info.url, mime: info.mime_type };
    throw whatsappRefusal(res.status, res.body);
  }
}
