import { ParleyError } from '../../core/errors.js';
import { hasNul, NUL_REFUSED } from '../../core/json.js';
import type { Part } from '../../core/parts.js';
import { copyVendorMedia } from '../../media/vendor-media.js';
import type { Webhook, WebhookReply, WebhookRequest } from '../../switchboard/webhooks.js';
import { formParams, verifyTwilioSignature } from '../../vendor/twilio-signature.js';
import type { TwilioSmsChannel } from './adapter.js';
import { REF } from './adapter.js';
import { twilioBasic } from './auth.js';
import { isE164, keywordOf } from './parts.js';
import { IncomingMessage, StatusCallback } from './payloads.js';
import { authTokens } from './settings.js';

// Twilio → Parley at /webhooks/twilio-sms/<instance>: the number's incoming-message webhook and the status
// callbacks of the texts Parley sent (it gives this same URL, with `?parleyEvent=<event id>`, as each
// message's StatusCallback). Both are form posts.
//
// - Verified first (the switchboard calls verify before anything is parsed): X-Twilio-Signature over the
//   URL as configured at Twilio (`webhookUrl`: behind a proxy the public one, never rebuilt from the
//   request's Host) plus every form parameter, under any of the Auth Tokens. Forged or unsigned → 401,
//   nothing stored. The query of a status callback is Parley's own and signed with the URL, so the event
//   id it names can be trusted.
// - An incoming text is the customer's message, keyed by MessageSid (stored once however often Twilio
//   delivers it); MMS files are copied into the blob store at once with the account's credentials (only
//   to Twilio's own API host: credentials never go to a URL someone else chose). A file that cannot be
//   copied is shown as a line of text: Twilio does not retry an incoming-message webhook by default, so
//   a 503 would lose the whole message.
// - Keywords, as Twilio's default opt-out handles them: STOP (and its synonyms) ends the customer's open
//   conversation — Twilio has opted the number out and answers it itself, and refuses every later send
//   with 21610, which the agent sees as delivery.failed (outbound.ts). Twilio keeps the opt-out list (it
//   spans a Messaging Service's numbers and opt-outs Parley never saw), so Parley keeps no copy to drift.
//   START and HELP alone open nothing (Twilio answers them); inside an open conversation they are the
//   customer's words ("yes") and reach the agent.
// - A status callback moves the agent message's status: delivered (read, where Twilio reports it), or
//   undelivered/failed → failed with Twilio's ErrorCode, which the agent sees as delivery.failed.
// - Answered at once with empty TwiML (Twilio's own confirmation texts are its business), 204 for status.

const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';
const twiml = (): WebhookReply => ({ status: 200, body: EMPTY_TWIML, contentType: 'text/xml' });

const NO_CONTENT: WebhookReply = { status: 204, body: '' };

const STOP_REASON = 'The customer texted STOP: Twilio has opted their number out and refuses texts to it until they text START.';

/** What Twilio's delivery error codes mean, for the agent (twilio.com/docs/api/errors/<code>). */
const DELIVERY_ERRORS: Record<string, string> = {
  '30003': 'the phone is unreachable (off or out of coverage)',
  '30004': 'the recipient blocked the message',
  '30005': 'the number is unknown or no longer in service',
  '30006': 'the number is a landline or its carrier cannot be reached',
  '30007': 'a carrier filtered it as spam',
  '30008': 'an unknown error at the carrier',
  '21610': 'the customer has opted out (texted STOP)',
  '11200': 'Twilio could not fetch the attached file from Parley (is PARLEY_PUBLIC_URL reachable from the internet?)',
};

export function twilioWebhook(channel: TwilioSmsChannel): Webhook {
  const tokens = authTokens(channel.settings);
  return {
    method: 'POST',
    verify: (req) => {
      const params = formParams(req.rawBody);
      return signedUrls(channel.webhookUrl, req).some((url) => verifyTwilioSignature(tokens, url, params, req.headers['x-twilio-signature']));
    },
    async handle(req) {
      const all = formParams(req.rawBody);
      // U+0000 (`%00`) is refused, never stored: PostgreSQL's text cannot hold it (src/core/json.ts).
      if (Object.entries(all).some(([k, v]) => hasNul(k) || (Array.isArray(v) ? v.some(hasNul) : hasNul(v)))) throw new ParleyError('VALIDATION', NUL_REFUSED);
      const params = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, Array.isArray(v) ? v[0]! : v]));
      // Signed with our token yet for another account (a shared token between subaccounts): not ours.
      if (params.AccountSid !== channel.settings.accountSid) return twiml();
      if (params.MessageStatus !== undefined) return statusCallback(channel, params, req.query.parleyEvent);
      return incoming(channel, params);
    },
  };
}

/**
 * The URLs Twilio may have signed: the configured one, and — when the request has a query (a status
 * callback's `parleyEvent`) — the configured path with that query, as Twilio requested it. The configured
 * URL alone only when the request's query is its own: a query added to a request signed without it (a
 * replayed callback of a Messaging Service whose status URL has none) is not signed, and `parleyEvent`
 * must never name an event the signature did not cover.
 */
function signedUrls(configured: string, req: WebhookRequest): string[] {
  const query = Object.entries(req.query).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)] as [string, string]]));
  if (query.length === 0) return [configured];
  const [base, own = ''] = configured.split('?') as [string, string?];
  const sent = new URLSearchParams(query).toString();
  const withQuery = `${base}?${sent}`;
  return new URLSearchParams(own).toString() === sent ? [...new Set([configured, withQuery])] : [withQuery];
}

async function incoming(channel: TwilioSmsChannel, raw: Record<string, string>): Promise<WebhookReply> {
  const parsed = IncomingMessage.safeParse(raw);
  if (!parsed.success) throw new ParleyError('BAD_REQUEST', 'Not a Twilio incoming-message request.', { details: { issues: parsed.error.issues.slice(0, 5).map((i) => ({ path: i.path.join('.'), message: i.message })) } });
  const p = parsed.data;
  // This channel is SMS: a WhatsApp sender (`whatsapp:+1…`) or anything else without a phone number is not ours.
  if (!isE164(p.From)) return twiml();
  const reports = channel.reports;
  const from = { id: p.From };
  const keyword = keywordOf(p.Body, p.OptOutType);
  if (keyword === 'STOP') {
    const open = await reports.openConversationOf(from);
    if (open) await reports.ended({ conversationId: open.id, reason: STOP_REASON });
    return twiml();
  }
  // Already stored (Twilio delivering it again): before copying media a second time.
  if (await reports.find(REF.message, p.MessageSid)) return twiml();
  if (keyword && !(await reports.openConversationOf(from))) return twiml();

  const parts: Part[] = [];
  if (p.Body.trim()) parts.push({ type: 'text', text: p.Body.slice(0, 10_000) });
  // In parallel: ten files one after another could outlast Twilio's 15 s webhook timeout.
  const files = Array.from({ length: p.NumMedia }, (_, i) => ({ url: raw[`MediaUrl${i}`], mime: raw[`MediaContentType${i}`] })).filter((f): f is { url: string; mime: string | undefined } => !!f.url);
  parts.push(...(await Promise.all(files.map((f) => copyMedia(channel, f.url, f.mime)))));
  if (parts.length === 0) return twiml();
  const r = await reports.message({ from, messageId: p.MessageSid, parts });
  const stored = r.events.find((e) => e.kind === 'message');
  if (stored) await reports.link(REF.message, p.MessageSid, stored.id);
  // Where the agent's replies go: the contact's phone number.
  await reports.link(REF.customer, p.From, r.conversation.contactId);
  return twiml();
}

async function copyMedia(channel: TwilioSmsChannel, url: string, mime: string | undefined): Promise<Part> {
  const rt = channel.rt;
  try {
    return await copyVendorMedia(
      { db: rt.hub.db, blobs: rt.blobs, mediaTypes: rt.config.mediaTypes, maxBytes: rt.config.mediaMaxBytes },
      {
        url,
        mime,
        owner: `channel:${channel.id}`,
        timeoutMs: channel.settings.mediaTimeoutMs,
        // "Enforce HTTP Auth on Media URLs" wants the account's credentials; they go to Twilio's API host only.
        ...(sameOrigin(url, channel.settings.apiBaseUrl) ? { headers: { authorization: twilioBasic(channel.settings) } } : {}),
      },
    );
  } catch {
    return { type: 'text', text: `[attachment${mime ? ` (${mime.slice(0, 100)})` : ''}: it could not be copied from Twilio]` };
  }
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}

async function statusCallback(channel: TwilioSmsChannel, raw: Record<string, string>, parleyEvent: string | undefined): Promise<WebhookReply> {
  const parsed = StatusCallback.safeParse(raw);
  if (!parsed.success) throw new ParleyError('BAD_REQUEST', 'Not a Twilio status callback.');
  const s = parsed.data;
  const status = s.MessageStatus.toLowerCase();
  const verdict = status === 'delivered' ? 'delivered' : status === 'read' ? 'read' : status === 'undelivered' || status === 'failed' ? 'failed' : undefined;
  if (!verdict) return NO_CONTENT;
  const reports = channel.reports;
  const eventId = (typeof parleyEvent === 'string' && parleyEvent ? parleyEvent : undefined) ?? (await reports.find(REF.message, s.MessageSid));
  if (!eventId) return NO_CONTENT;
  const why = s.ErrorCode ? (DELIVERY_ERRORS[s.ErrorCode] ?? `Twilio error ${s.ErrorCode}`) : 'no reason given';
  await reports
    .receipt({
      eventId,
      status: verdict,
      ...(verdict === 'failed' ? { code: status === 'failed' ? 'FAILED' : 'UNDELIVERED', reason: `The text could not be delivered: ${why}${s.ErrorCode ? ` (Twilio ${s.ErrorCode})` : ''}.` } : {}),
    })
    .catch((e: unknown) => {
      // Another channel's event (a stale or foreign id): nothing of ours to update.
      if (e instanceof ParleyError && e.code === 'PARLEY_E_CONVERSATION_NOT_FOUND') return undefined;
      throw e;
    });
  return NO_CONTENT;
}
