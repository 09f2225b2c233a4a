import { ParleyError } from '../../core/errors.js';
import type { Part } from '../../core/parts.js';
import { copyVendorMedia, VendorMediaError } from '../../media/vendor-media.js';
import type { Webhook } from '../../switchboard/webhooks.js';
import { verifyHmacSha256 } from '../../vendor/signature.js';
import type { GenesysDesk } from './adapter.js';
import { REF } from './adapter.js';
import { attachmentsOf, structuredParts, textToParts } from './parts.js';
import { agentlessEcho } from './proactive.js';
import { GenesysWebhook } from './payloads.js';

// Genesys → Parley: the Open Messaging outbound webhook at /webhooks/genesys/<instance> (§1.5–1.7).
//
// - Verified first (the switchboard calls verify before anything is parsed): `X-Hub-Signature-256:
//   sha256=<base64 HMAC-SHA256 of the raw body>` under the integration's secret (any of them while it is
//   rotated), compared in constant time. Forged, unsigned or stale-secret requests get 401 and store nothing.
// - Then validated with zod: malformed → 400 (Genesys does not retry a 4xx); a type we do not handle → 200
//   and ignored, so a new Genesys payload type never makes Genesys retry or fail the conversation.
// - Idempotent: a message is stored under Genesys's `id` (Genesys retries up to 5 times), typing and
//   receipts are naturally repeatable. An agentless message Parley sent comes back here too and is not
//   stored again (linked by its id, or recognised by `agentlessEcho` when it overtakes Genesys's answer).
// - Fast: one lookup and one transaction per payload; attachments are copied at once (Genesys's download
//   links expire), bounded by a short timeout, well inside Genesys's 10 s.
// - A payload for a conversation Parley does not know (or that ended) is acknowledged and dropped: a non-2xx
//   would make Genesys retry something that can never succeed.

export function genesysWebhook(desk: GenesysDesk): Webhook {
  const secrets = Array.isArray(desk.settings.webhookSecret) ? desk.settings.webhookSecret : [desk.settings.webhookSecret];
  return {
    method: 'POST',
    verify: (req) => verifyHmacSha256(secrets, req.rawBody, req.headers['x-hub-signature-256'], { encoding: 'base64' }),
    async handle(req) {
      const parsed = GenesysWebhook.safeParse(req.json());
      if (!parsed.success) {
        throw new ParleyError('BAD_REQUEST', 'Not a Genesys Open Messaging payload.', { details: { issues: parsed.error.issues.slice(0, 5).map((i) => ({ path: i.path.join('.'), message: i.message })) } });
      }
      const p = parsed.data;
      const type = p.type.toLowerCase();
      if (type !== 'text' && type !== 'structured' && type !== 'event' && type !== 'receipt') return ignored('type');
      const reports = desk.reports;
      const conversation = await desk.conversationFor({ genesysConversationId: p.conversationId, customerId: p.channel.to?.id });
      if (!conversation) return ignored('conversation');

      if (type === 'receipt') {
        // The status of a customer message we sent: found by Genesys's id, or by our own id it echoes back
        // in channel.messageId (a receipt can overtake the answer that told us Genesys's id).
        const eventId = (await reports.find(REF.message, p.id)) ?? p.channel.messageId;
        if (!eventId) return ignored('message');
        const status = receiptStatus(p.status);
        if (!status) return ignored('status');
        const reason = p.reasons?.[0];
        await reports
          .receipt({ eventId, status, ...(reason?.code ? { code: reason.code } : {}), ...(reason?.message ? { reason: reason.message } : {}) })
          .catch((e: unknown) => {
            if (e instanceof ParleyError && e.code === 'PARLEY_E_CONVERSATION_NOT_FOUND') return undefined;
            throw e;
          });
        return { status: 200, body: {} };
      }

      // Open Messaging names the integration as the sender of every agent message and typing event: credit
      // the agent the Notifications API saw join (the name the customer was shown), else the payload's.
      const agent = (p.originatingEntity !== 'Bot' ? await reports.currentAgent(conversation.id) : undefined) ?? agentOf(p);
      if (type === 'event') {
        const typing = (p.events ?? []).some((e) => e.eventType === 'Typing' && (e.typing?.type ?? 'On') === 'On');
        if (typing) await reports.typing({ conversationId: conversation.id, agent, typing: true });
        return { status: 200, body: {} };
      }

      // Text or Structured: an agent's (or bot's, or an agentless) message.
      if (p.direction && p.direction !== 'Outbound') return ignored('direction');
      // Already stored, or the echo of an agentless message Parley sent (its answer may not have come yet).
      if ((await reports.find(REF.message, p.id)) || (await agentlessEcho(desk, conversation, p))) return { status: 200, body: { duplicate: true } };
      const parts: Part[] = [];
      const structured = structuredParts(p.text, p.content);
      if (structured.some((x) => x.type === 'quick_replies')) parts.push(...structured);
      else {
        if (p.text) parts.push(...textToParts(p.text));
        parts.push(...structured);
      }
      for (const a of attachmentsOf(p.content)) {
        try {
          parts.push(
            await copyVendorMedia(
              { db: desk.rt.hub.db, blobs: desk.rt.blobs, mediaTypes: desk.rt.config.mediaTypes, maxBytes: desk.rt.config.mediaMaxBytes },
              { url: a.url, mime: a.mime, name: a.filename, caption: a.text, owner: `desk:${desk.id}`, timeoutMs: 5_000 },
            ),
          );
        } catch (e) {
          // Unreachable now may be reachable in 5 s: Genesys retries a 503. A file we will never get (too
          // large, not http, gone: a 404) is shown as its name instead, so the message's text is not lost
          // with it when Genesys gives up retrying.
          if (e instanceof VendorMediaError && e.permanent) parts.push({ type: 'text', text: `[attachment: ${a.filename ?? 'file'}]` });
          else throw new ParleyError('UNAVAILABLE', 'The attachment could not be fetched from Genesys yet.');
        }
      }
      if (parts.length === 0) return ignored('empty');
      if (p.originatingEntity === 'Human' && (conversation.phase === 'queued' || conversation.phase === 'transferring')) {
        // An agent answering proves one joined, when the notifications have not said so yet.
        await reports.agentJoined({ conversationId: conversation.id, agent, key: `reply:${p.conversationId ?? conversation.id}:${agent.id}` });
      }
      const r = await reports
        .message({ conversationId: conversation.id, messageId: p.id, agent, role: p.originatingEntity === 'Bot' ? 'bot' : 'agent', parts })
        .catch((e: unknown) => {
          if (e instanceof ParleyError && e.code === 'PARLEY_E_CONVERSATION_ENDED') return undefined;
          throw e;
        });
      const stored = r?.events[0];
      if (stored) await reports.link(REF.message, p.id, stored.id);
      if (p.conversationId) await reports.link(REF.conversation, p.conversationId, conversation.id);
      return { status: 200, body: {} };
    },
  };
}

const ignored = (why: string) => ({ status: 200, body: { ignored: why } });

/** The agent as the payload names them: Genesys sends the sender's nickname in channel.from. */
function agentOf(p: GenesysWebhook): { id: string; name: string } {
  return { id: p.channel.from?.id ?? 'genesys', name: p.channel.from?.nickname?.slice(0, 200) || 'Agent' };
}

/**
 * Every receipt status Genesys documents (OpenReceiptNormalizedMessage) → the customer message's status:
 * Delivered → delivered; Failed and Removed (the message is gone from the agent's view) → failed with the
 * reason; Sent and Published say no more than "sent", which the message already is.
 */
export function receiptStatus(status: string | undefined): 'delivered' | 'failed' | undefined {
  switch (status) {
    case 'Delivered':
      return 'delivered';
    case 'Failed':
    case 'Removed':
      return 'failed';
    default:
      return undefined;
  }
}
