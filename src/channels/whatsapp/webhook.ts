import { ParleyError } from '../../core/errors.js';
import { hasNul, NUL_REFUSED } from '../../core/json.js';
import { partsToText, type Part } from '../../core/parts.js';
import { copyVendorMedia, VendorMediaError } from '../../media/vendor-media.js';
import type { Webhook } from '../../switchboard/webhooks.js';
import { metaWebhooks } from '../../vendor/meta-webhook.js';
import { heardIso } from '../../vendor/reply-window.js';
import type { WhatsAppChannel } from './adapter.js';
import { REF } from './adapter.js';
import { WA_FAILURES } from './outbound.js';
import { contactsText, e164, reactionText } from './parts.js';
import { WaValue, WaWebhook, type WaInbound, type WaStatus } from './payloads.js';

// WhatsApp → Parley at /webhooks/whatsapp/<instance> (vendor-protocols §7):
//
// - GET: Meta's subscription handshake (meta-webhook.ts): the verify token echoes the challenge, anything else
//   is 403, never a 5xx.
// - POST: verified first (X-Hub-Signature-256 over the raw body, by the switchboard before anything is
//   parsed): forged, unsigned or tampered → 401, nothing stored. Then every entry of the batch (of this WABA
//   when wabaId is set), every `messages` change for this phone number, and every message and status in
//   it, in order — the AWS sample handled only the first.
// - A message is stored once per wamid (Meta retries for days; checked before its file is fetched again).
//   A file is fetched at once through its media id (GET /{media-id}, then the short-lived URL Meta gave,
//   with the token: only that URL gets it). One that cannot be fetched for now makes the whole delivery 503
//   so Meta retries it; what was already stored is skipped then.
// - What each type becomes: text; image/audio/video/document/sticker → a media part (the caption kept);
//   location → a location part; contacts → readable text; an interactive button or list reply, or a
//   template's quick-reply button → the title the customer tapped, as their text; a reaction → a short line
//   `[reacted 👍 to "…"]` (a removed reaction, an empty emoji, is not stored); a reply quoting a message
//   (`context`) → its text. Types Parley cannot show (`unsupported`, orders) → a line saying so; `system`
//   notices are logged only.
// - Statuses: `delivered` and `read` → receipts on the agent message (its wamid → event, linked at send;
//   `biz_opaque_callback_data` carries the event where Meta echoes it); `failed` → the delivery failed, with
//   WhatsApp's error worded for the agent (131047: the 24-hour window closed); `sent` adds nothing.
// - Answered 200 once processed: Meta retries anything else.

type MediaKind = 'image' | 'audio' | 'video' | 'document' | 'sticker';

export function whatsappWebhooks(channel: WhatsAppChannel): Webhook[] {
  return metaWebhooks({
    settings: channel.settings,
    product: 'WhatsApp',
    object: 'whatsapp_business_account',
    schema: WaWebhook,
    async handle(body) {
      const { wabaId, phoneNumberId } = channel.settings;
      for (const entry of body.entry) {
        if (wabaId && entry.id !== wabaId) continue;
        for (const change of entry.changes ?? []) {
          if (change.field !== 'messages') continue;
          const value = WaValue.safeParse(change.value);
          if (!value.success) {
            channel.log.warn({ channel: channel.id, issues: value.error.issues.slice(0, 3).map((i) => i.path.join('.')) }, 'a WhatsApp change Parley cannot read (skipped)');
            continue;
          }
          // The app may serve several numbers; another number's messages belong to another instance.
          if (value.data.metadata?.phone_number_id !== phoneNumberId) continue;
          const names = new Map((value.data.contacts ?? []).filter((c) => c.wa_id).map((c) => [c.wa_id!, c.profile?.name]));
          for (const m of value.data.messages ?? []) await message(channel, m, names.get(m.from));
          for (const s of value.data.statuses ?? []) await status(channel, s);
        }
      }
    },
  });
}

async function message(channel: WhatsAppChannel, m: WaInbound, name: string | undefined): Promise<void> {
  // A wa_id is a phone number's digits; anything else names no customer Parley could answer.
  if (!/^\d{5,20}$/.test(m.from)) {
    channel.log.warn({ channel: channel.id, wamid: m.id }, 'a WhatsApp message from no phone number (skipped)');
    return;
  }
  const reports = channel.reports;
  if (await reports.find(REF.message, m.id)) return;
  const parts = await partsOf(channel, m);
  if (parts.length === 0) return;
  if (parts.some((p) => p.type === 'text' && hasNul(p.text))) throw new ParleyError('VALIDATION', NUL_REFUSED);
  const from = { id: e164(m.from), name: name?.slice(0, 200) };
  const r = await reports.message({ from, messageId: m.id, parts, heardAt: heardIso(m.timestamp, Date.now()) });
  const stored = r.events.find((x) => x.kind === 'message');
  if (stored) await reports.link(REF.message, m.id, stored.id);
  // Where the agent's replies go: the contact's number.
  await reports.link(REF.customer, from.id, r.conversation.contactId);
}

const text = (t: string): Part[] => (t.trim() ? [{ type: 'text', text: t.slice(0, 10_000) }] : []);

async function partsOf(channel: WhatsAppChannel, m: WaInbound): Promise<Part[]> {
  switch (m.type) {
    case 'text':
      return text(m.text?.body ?? '');
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
    case 'sticker':
      return media(channel, m, m.type);
    case 'location': {
      const l = m.location;
      if (!l || !Number.isFinite(l.latitude) || !Number.isFinite(l.longitude) || Math.abs(l.latitude) > 90 || Math.abs(l.longitude) > 180) return text('[location: not readable]');
      return [{ type: 'location', lat: l.latitude, lng: l.longitude, ...(l.name ? { name: l.name.slice(0, 200) } : {}), ...(l.address ? { address: l.address.slice(0, 500) } : {}) }];
    }
    case 'contacts':
      return text(contactsText(m.contacts ?? []));
    case 'reaction': {
      const emoji = m.reaction?.emoji;
      // An empty emoji takes a reaction back: nothing for the agent to read.
      if (!emoji) return [];
      return text(reactionText(emoji, m.reaction?.message_id ? await quoted(channel, m.reaction.message_id) : undefined));
    }
    case 'interactive': {
      const i = m.interactive;
      const reply = i?.button_reply ?? i?.list_reply;
      return text(reply?.title ?? reply?.id ?? `[${i?.type ?? 'interactive'} reply]`);
    }
    case 'button':
      return text(m.button?.text ?? m.button?.payload ?? '');
    case 'order':
      return text(`[an order of ${m.order?.product_items?.length ?? 0} item(s) from the catalog]`);
    case 'system':
      channel.log.info({ channel: channel.id, wamid: m.id }, 'a WhatsApp system notice (not stored)');
      return [];
    default:
      return text(`[a ${m.type} message WhatsApp does not pass on to Parley]`);
  }
}

/** The text of the message a reaction is about, if Parley has it (a customer's or an agent's). */
async function quoted(channel: WhatsAppChannel, wamid: string): Promise<string | undefined> {
  const eventId = await channel.reports.find(REF.message, wamid);
  if (!eventId) return undefined;
  const e = await channel.rt.hub.tx((tx) => tx.getEvent(eventId));
  return e?.kind === 'message' ? partsToText(e.parts) : undefined;
}

async function media(channel: WhatsAppChannel, m: WaInbound, kind: MediaKind): Promise<Part[]> {
  const file = m[kind];
  if (!file) return [];
  const caption = file.caption?.trim() ? file.caption : undefined;
  const rt = channel.rt;
  const s = channel.settings;
  try {
    // Where it is now (a URL valid for minutes), then the bytes, with the token: only to the URL Meta gave.
    const where = await channel.api.mediaUrl(file.id, s.mediaTimeoutMs);
    return [
      await copyVendorMedia(
        { db: rt.hub.db, blobs: rt.blobs, mediaTypes: rt.config.mediaTypes, maxBytes: rt.config.mediaMaxBytes },
        {
          url: where.url,
          mime: file.mime_type ?? where.mime,
          name: file.filename,
          caption,
          owner: `channel:${channel.id}`,
          headers: { authorization: `Bearer ${s.accessToken}` },
          timeoutMs: s.mediaTimeoutMs,
        },
      ),
    ];
  } catch (err) {
    const transient = err instanceof VendorMediaError ? !err.permanent : err instanceof ParleyError ? err.retryable : true;
    if (transient) throw new ParleyError('UNAVAILABLE', `A ${kind} could not be fetched from WhatsApp yet: retry.`, { retryAfterMs: 5_000 });
    channel.log.warn({ channel: channel.id, wamid: m.id, err: err instanceof Error ? err.message : String(err) }, 'a WhatsApp file could not be fetched');
    return text(`[${kind}${file.filename ? `: ${file.filename}` : ''}: it could not be fetched from WhatsApp]${caption ? ` ${caption}` : ''}`);
  }
}

/**
 * The Parley event a status is about: the one its wamid was linked to at send, or the event Parley named in
 * `biz_opaque_callback_data`, which Meta echoes in every status — so a status that outruns deliver()'s own
 * linking still finds its event. A status of a message another tool sent finds none and is ignored.
 */
async function eventOf(channel: WhatsAppChannel, s: WaStatus): Promise<string | undefined> {
  return (await channel.reports.find(REF.message, s.id)) ?? s.biz_opaque_callback_data;
}

/** WhatsApp's error on a failed message, worded for the agent. */
export function failureOf(errors: WaStatus['errors']): { code: string; reason: string } {
  const e = errors?.[0];
  if (!e) return { code: 'WHATSAPP_FAILED', reason: 'WhatsApp could not deliver the message (no reason given).' };
  const known = WA_FAILURES[e.code];
  const said = [e.title ?? e.message, e.error_data?.details].filter(Boolean).join(': ').slice(0, 300);
  return {
    code: e.code === 131047 ? 'REPLY_WINDOW_CLOSED' : `WHATSAPP_${e.code}`,
    reason: known ?? `WhatsApp could not deliver the message${said ? `: ${said}` : ''} (WhatsApp ${e.code}).`,
  };
}

const RECEIPTS = ['delivered', 'read', 'failed'] as const;

async function status(channel: WhatsAppChannel, s: WaStatus): Promise<void> {
  const st = RECEIPTS.find((x) => x === s.status);
  if (!st) return;
  const eventId = await eventOf(channel, s);
  if (!eventId) return;
  const verdict: { status: (typeof RECEIPTS)[number]; code?: string; reason?: string } = st === 'failed' ? { status: st, ...failureOf(s.errors) } : { status: st };
  await channel.reports.receipt({ eventId, ...verdict }).catch((e: unknown) => {
    // An event of another channel instance (a stale mapping, another tool's callback data): nothing of ours.
    if (e instanceof ParleyError && e.code === 'PARLEY_E_CONVERSATION_NOT_FOUND') return undefined;
    throw e;
  });
}
