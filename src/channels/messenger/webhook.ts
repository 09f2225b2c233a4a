import { ParleyError } from '../../core/errors.js';
import { hasNul, NUL_REFUSED } from '../../core/json.js';
import type { Part } from '../../core/parts.js';
import { copyVendorMedia, VendorMediaError } from '../../media/vendor-media.js';
import type { Webhook } from '../../switchboard/webhooks.js';
import { metaWebhooks } from '../../vendor/meta-webhook.js';
import { heardIso } from '../../vendor/reply-window.js';
import type { MessengerChannel } from './adapter.js';
import { REF } from './adapter.js';
import { MessagingEvent, PageWebhook, type Attachment } from './payloads.js';

// Messenger → Parley at /webhooks/messenger/<instance> (vendor-protocols §5):
//
// - GET: Meta's subscription handshake (meta-webhook.ts).
// - POST: verified first (X-Hub-Signature-256 over the raw body, by the switchboard before anything is
//   parsed): forged, unsigned or tampered → 401, nothing stored. Then every entry of the batch for this
//   Page and every `messaging` item in it, in order — the AWS sample handled only the first.
// - A message is stored once per `mid` (Meta retries; checked before its files are copied again). Files are
//   copied into the blob store at once (Meta's CDN links expire). One that cannot be copied for now (Meta's
//   CDN down) makes the whole delivery 503 so Meta retries it; the items already stored are skipped then.
// - A quick-reply tap is the customer's message, its title as the text Messenger sends with it; a
//   postback (a button of a template) likewise, its title as the text.
// - Echoes (`is_echo`: the Page's own sends, ours included) are not customer messages and are dropped; an
//   echo from another app means someone replied from another tool (the Page inbox), which is logged.
// - Deliveries and reads: by `mids` where Meta lists them, else by watermark — the newest agent message
//   Parley has sent (what is still in the outbox was not seen, whatever the watermark).
// - Answered 200 `EVENT_RECEIVED` once processed: Meta wants an answer within seconds and retries otherwise.

export function messengerWebhooks(channel: MessengerChannel): Webhook[] {
  return metaWebhooks({
    settings: channel.settings,
    product: 'Messenger',
    object: 'page',
    schema: PageWebhook,
    async handle(body) {
      for (const entry of body.entry) {
        // The app may serve several Pages; another Page's events belong to another instance.
        if (entry.id !== channel.settings.pageId) continue;
        for (const item of entry.messaging ?? []) {
          const e = MessagingEvent.safeParse(item);
          if (e.success) await one(channel, e.data);
          else channel.log.warn({ channel: channel.id, issues: e.error.issues.slice(0, 3).map((i) => i.path.join('.')) }, 'a Messenger event Parley cannot read (skipped)');
        }
      }
    },
  });
}

async function one(channel: MessengerChannel, e: MessagingEvent): Promise<void> {
  // An echo is the Page's own send (sender: the Page), ours or another app's: never a customer message.
  if (e.message?.is_echo) return echo(channel, e);
  const psid = e.sender.id;
  if (psid === channel.settings.pageId) return; // the Page's other own events
  if (e.message) return message(channel, e);
  if (e.postback) return postback(channel, e);
  if (e.delivery) return receipt(channel, psid, 'delivered', e.delivery.mids);
  if (e.read) return receipt(channel, psid, 'read');
}

function echo(channel: MessengerChannel, e: MessagingEvent): void {
  const app = e.message?.app_id !== undefined ? String(e.message.app_id) : undefined;
  if (channel.settings.appId && app && app !== channel.settings.appId) channel.log.info({ channel: channel.id, appId: app }, 'another app replied on the Page (not stored)');
}

async function message(channel: MessengerChannel, e: MessagingEvent): Promise<void> {
  const m = e.message!;
  const reports = channel.reports;
  if (await reports.find(REF.message, m.mid)) return;
  const parts: Part[] = [];
  if (m.text?.trim()) parts.push({ type: 'text', text: m.text.slice(0, 10_000) });
  // In parallel: several files one after another could outlast Meta's patience.
  parts.push(...(await Promise.all((m.attachments ?? []).map((a) => attachment(channel, a)))).flat());
  if (parts.length === 0) return;
  await store(channel, e, m.mid, parts);
}

async function postback(channel: MessengerChannel, e: MessagingEvent): Promise<void> {
  const p = e.postback!;
  const text = (p.title ?? p.payload ?? '').trim();
  if (!text) return;
  // Older postbacks carry no mid: the tap is identified by who and when.
  const id = p.mid ?? `postback:${e.sender.id}:${e.timestamp ?? 0}:${p.payload ?? ''}`;
  if (await channel.reports.find(REF.message, id)) return;
  await store(channel, e, id, [{ type: 'text', text: text.slice(0, 10_000) }]);
}

async function store(channel: MessengerChannel, e: MessagingEvent, id: string, parts: Part[]): Promise<void> {
  if (parts.some((p) => p.type === 'text' && hasNul(p.text))) throw new ParleyError('VALIDATION', NUL_REFUSED);
  const reports = channel.reports;
  const psid = e.sender.id;
  const known = await reports.find(REF.customer, psid);
  const name = known ? undefined : await channel.customerName(psid);
  const r = await reports.message({ from: { id: psid, name }, messageId: id, parts, heardAt: heardIso(e.timestamp, Date.now()) });
  const stored = r.events.find((x) => x.kind === 'message');
  if (stored) await reports.link(REF.message, id, stored.id);
  // Where the agent's replies go: the contact's PSID.
  await reports.link(REF.customer, psid, r.conversation.contactId);
}

async function attachment(channel: MessengerChannel, a: Attachment): Promise<Part[]> {
  const url = a.payload?.url;
  const coords = a.payload?.coordinates;
  if (a.type === 'location' && coords) return [{ type: 'location', lat: coords.lat, lng: coords.long, ...(a.title ? { name: a.title.slice(0, 200) } : {}) }];
  if (!url || !['image', 'video', 'audio', 'file', 'sticker'].includes(a.type)) {
    // A shared link, reel or post: what it is and where, as text the agent can open.
    const what = [a.type, a.payload?.title ?? a.title].filter(Boolean).join(': ');
    const where = url ?? a.url;
    return [{ type: 'text', text: `[shared ${what}${where && /^https?:\/\//i.test(where) ? ` ${where.slice(0, 2000)}` : ''}]` }];
  }
  const rt = channel.rt;
  try {
    return [
      await copyVendorMedia(
        { db: rt.hub.db, blobs: rt.blobs, mediaTypes: rt.config.mediaTypes, maxBytes: rt.config.mediaMaxBytes },
        // Meta's CDN links are public: no credentials go with the download.
        { url, owner: `channel:${channel.id}`, timeoutMs: channel.settings.mediaTimeoutMs },
      ),
    ];
  } catch (err) {
    if (err instanceof VendorMediaError && !err.permanent) throw new ParleyError('UNAVAILABLE', `A ${a.type} could not be copied from Meta yet: retry.`, { retryAfterMs: 5_000 });
    return [{ type: 'text', text: `[${a.type}: it could not be copied from Messenger]` }];
  }
}

async function receipt(channel: MessengerChannel, psid: string, status: 'delivered' | 'read', mids?: string[]): Promise<void> {
  const reports = channel.reports;
  let eventId: string | undefined;
  // The newest listed mid Parley knows is enough: receipts count through an event.
  for (const mid of mids ?? []) eventId = (await reports.find(REF.message, mid)) ?? eventId;
  if (!eventId) {
    if (!(await reports.find(REF.customer, psid))) return;
    const open = await reports.openConversationOf({ id: psid });
    if (!open) return;
    eventId = await reports.lastSent(open.id);
  }
  if (!eventId) return;
  await reports.receipt({ eventId, status }).catch((e: unknown) => {
    // An event of another channel instance (a stale mapping): nothing of ours to update.
    if (e instanceof ParleyError && e.code === 'PARLEY_E_CONVERSATION_NOT_FOUND') return undefined;
    throw e;
  });
}
