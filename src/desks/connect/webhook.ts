import { ParleyError } from '../../core/errors.js';
import { parseJson } from '../../core/json.js';
import type { Conversation } from '../../core/model.js';
import type { Part } from '../../core/parts.js';
import type { VendorAgent } from '../../hub/desk-reports.js';
import { copyVendorMedia, VendorMediaError } from '../../media/vendor-media.js';
import type { Webhook } from '../../switchboard/webhooks.js';
import { SnsVerifier, type SnsMessage } from '../../vendor/sns.js';
import { snsWebhook } from '../../vendor/sns-webhook.js';
import type { ConnectDesk } from './adapter.js';
import { REF } from './adapter.js';
import { contentToParts } from './parts.js';
import { Attributes, CT, receiptTarget, StreamItem, visibility } from './payloads.js';

// Amazon SNS → Parley: the chat stream at /webhooks/connect/<instance> (vendor-protocols §3.4–3.5).
//
// - Verified first, on the raw bytes (src/vendor/sns.ts): the configured topic only, SigningCertURL on an AWS
//   SNS host (or a configured emulator host), signature v1 or v2 over AWS's string to sign. Anything else is
//   403 (what SNS endpoints answer a forgery with) and nothing is parsed or stored.
// - SubscriptionConfirmation: confirmed by GETting its SubscribeURL — the verifier only follows one on an
//   SNS host, for the configured topic. UnsubscribeConfirmation: logged (the stream has stopped; an operator
//   re-subscribes), never followed automatically.
// - Notification: each SNS MessageId is handled once (SNS retries with the same id, and a duplicate answers
//   200 at once); the item's own Connect id keys what is stored, so even a replay under another MessageId
//   stores nothing new. Forwarded to the customer only what Connect's visibility rule allows:
//   MessageVisibility CUSTOMER or ALL, and not the customer's own items (ParticipantRole CUSTOMER).
// - 503 only for what a retry can fix (an agent's attachment not reachable yet): SNS retries it.

export function connectWebhook(desk: ConnectDesk): Webhook {
  const verifier = new SnsVerifier({ topicArns: [desk.settings.topicArn], trustedHosts: desk.settings.snsTrustedHosts, timeoutMs: 5_000 });
  return snsWebhook(verifier, {
    confirmFailed(e) {
      // SNS resends the confirmation when we do not answer 2xx; a 503 asks for exactly that (as aws-sms does).
      // The verifier's own error would be a 502 DELIVERY_* — a 5xx of Parley's and an error line for a
      // SubscribeURL that did not answer.
      throw new ParleyError('UNAVAILABLE', 'Confirming the SNS subscription failed; SNS will retry.', { cause: e });
    },
    confirmed(m) {
      desk.log.info({ desk: desk.id, topicArn: m.TopicArn }, 'confirmed the SNS subscription of the Connect chat stream');
      return { status: 200, body: { confirmed: true } };
    },
    unsubscribed(m) {
      desk.log.warn({ desk: desk.id, topicArn: m.TopicArn }, 'the SNS subscription of the Connect chat stream was removed; agent messages stop until it is subscribed again');
      return { status: 200, body: {} };
    },
    async notification(m, req) {
      const reports = desk.reports;
      if (await reports.find(REF.sns, m.MessageId)) return { status: 200, body: { duplicate: true } };
      const out = await notification(desk, m, req.json());
      await reports.link(REF.sns, m.MessageId, out.conversationId ?? '-');
      return { status: 200, body: out.body };
    },
  });
}

const ignored = (why: string, conversationId?: string) => ({ conversationId, body: { ignored: why } });

async function notification(desk: ConnectDesk, m: SnsMessage, envelope: unknown): Promise<{ conversationId?: string | undefined; body: unknown }> {
  let raw: unknown;
  try {
    // U+0000 is refused (422), never stored: PostgreSQL's text cannot hold it (src/core/json.ts).
    raw = parseJson(m.Message);
  } catch (e) {
    if (e instanceof ParleyError) throw e;
    return ignored('message');
  }
  const parsed = StreamItem.safeParse(raw);
  if (!parsed.success) return ignored('message');
  // The attributes are not signed: only ever used to hide an item, never to route one.
  const attrs = Attributes.safeParse((envelope as { MessageAttributes?: unknown } | null)?.MessageAttributes);
  return reportItem(desk, parsed.data, visibility(attrs.success ? attrs.data : undefined), 'stream');
}

/**
 * One Connect item, from the stream or from the transcript the desk reads once streaming is on (what Connect
 * posted before it started): keyed by the item's own ids either way, so an item seen both ways is stored once.
 */
export async function reportItem(desk: ConnectDesk, item: StreamItem, seen: string, via: 'stream' | 'transcript'): Promise<{ conversationId?: string | undefined; body: unknown }> {
  const contactId = item.InitialContactId ?? item.ContactId;
  if (!contactId) return ignored('contact');
  const reports = desk.reports;
  const conversationId = await desk.sessions.conversationOf(contactId);
  if (!conversationId) return ignored('conversation');
  const conversation = await reports.conversation(conversationId).catch(() => undefined);
  if (!conversation || conversation.phase === 'ended') return ignored('conversation', conversationId);
  const role = item.ParticipantRole ?? '';
  if (role === 'CUSTOMER') return ignored('own', conversationId); // the customer's own items, echoed
  if (seen !== 'ALL' && seen !== 'CUSTOMER') return ignored('visibility', conversationId);
  // Agents are named by their participant; the flow's own messages come as SYSTEM_MESSAGE, shown as Connect's.
  const shown = item.DisplayName && item.DisplayName !== 'SYSTEM_MESSAGE' ? item.DisplayName.slice(0, 200) : role === 'AGENT' || role === 'SUPERVISOR' ? 'Agent' : 'Amazon Connect';
  const agent: VendorAgent | undefined = item.ParticipantId ? { id: item.ParticipantId, name: shown } : undefined;
  const human = role === 'AGENT' || role === 'SUPERVISOR';
  const done = { conversationId, body: {} };

  if (item.Type === 'EVENT') {
    switch (item.ContentType) {
      case CT.joined:
        if (role === 'AGENT' && agent) await reports.agentJoined({ conversationId, agent, key: agent.id });
        return done;
      case CT.typing:
        // A typing indicator read back from the transcript is long stale.
        if (agent && via === 'stream') await reports.typing({ conversationId, agent, typing: true });
        return done;
      case CT.transferSucceeded: {
        // The agent who had the chat hands it on; the chat waits in the next queue for another agent.
        const from = await reports.currentAgent(conversationId);
        await reports.transferStarted({ conversationId, from, to: { type: 'queue', id: item.ContactId ?? contactId, name: queueName(item.Content) }, key: item.Id });
        if (from) await reports.agentLeft({ conversationId, agent: from, reason: 'transfer', key: from.id });
        return done;
      }
      case CT.ended: {
        const last = await reports.currentAgent(conversationId);
        await reports.ended({ conversationId, agent: last, reason: 'ended at Amazon Connect', key: last?.id ?? item.Id });
        return done;
      }
      case CT.delivered:
      case CT.read: {
        const target = receiptTarget(item.Content);
        const eventId = target ? await reports.find(REF.message, target) : undefined;
        if (!eventId) return ignored('receipt', conversationId);
        await reports.receipt({ eventId, status: item.ContentType === CT.read ? 'read' : 'delivered' }).catch(notFound);
        return done;
      }
      // participant.left on its own says nothing Parley can act on: a transfer (transfer.succeeded) and an end
      // (chat.ended) each follow with what happened, and record the agent's leaving themselves.
      default:
        return ignored('event', conversationId);
    }
  }

  if (item.Type !== 'MESSAGE' && item.Type !== 'ATTACHMENT') return ignored('type', conversationId);
  const parts: Part[] = item.Type === 'MESSAGE' ? contentToParts(item.ContentType, item.Content) : await attachments(desk, conversation, item);
  if (!parts.length) return ignored('empty', conversationId);
  if (human && agent && (conversation.phase === 'queued' || conversation.phase === 'transferring')) {
    // An agent writing proves they joined, should the joined event be lost.
    await reports.agentJoined({ conversationId, agent, key: agent.id });
  }
  const r = await reports
    .message({ conversationId, messageId: item.Id, agent, role: human ? 'agent' : 'bot', parts })
    .catch((e: unknown) => {
      if (e instanceof ParleyError && e.code === 'PARLEY_E_CONVERSATION_ENDED') return undefined;
      throw e;
    });
  const stored = r?.events[0];
  if (stored) await reports.link(REF.message, item.Id, stored.id);
  return done;
}

function notFound(e: unknown): undefined {
  if (e instanceof ParleyError && e.code === 'PARLEY_E_CONVERSATION_NOT_FOUND') return undefined;
  throw e;
}

function queueName(content: string | undefined): string {
  try {
    const q = (JSON.parse(content ?? '') as { queue?: unknown }).queue;
    if (typeof q === 'string' && q) return q.slice(0, 200);
  } catch {
    // Connect's transfer events carry no documented content.
  }
  return 'Amazon Connect queue';
}

/** An agent's files, copied into Parley at once (GetAttachment URLs are short-lived). */
async function attachments(desk: ConnectDesk, c: Conversation, item: StreamItem): Promise<Part[]> {
  const parts: Part[] = [];
  for (const a of item.Attachments ?? []) {
    if (a.Status && a.Status !== 'APPROVED') continue;
    try {
      const url = await desk.withConnection(c, undefined, (token) => desk.api.attachmentUrl(token, a.AttachmentId), undefined, { startNew: false });
      parts.push(
        await copyVendorMedia(
          { db: desk.rt.hub.db, blobs: desk.rt.blobs, mediaTypes: desk.rt.config.mediaTypes, maxBytes: desk.rt.config.mediaMaxBytes },
          { url, mime: a.ContentType, name: a.AttachmentName, owner: `desk:${desk.id}`, timeoutMs: 5_000 },
        ),
      );
    } catch (e) {
      // A file we will never get is shown by its name; one not reachable now makes SNS retry (503).
      if (e instanceof VendorMediaError && e.permanent) parts.push({ type: 'text', text: `[attachment: ${a.AttachmentName ?? 'file'}]` });
      else if (e instanceof ParleyError && !e.retryable) parts.push({ type: 'text', text: `[attachment: ${a.AttachmentName ?? 'file'}]` });
      else throw new ParleyError('UNAVAILABLE', 'The attachment could not be fetched from Amazon Connect yet.');
    }
  }
  return parts;
}
