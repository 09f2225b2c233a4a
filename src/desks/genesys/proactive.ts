import type { DeliveryJob, DeliveryOutcome, ProactiveSender } from '../../core/adapter.js';
import { ParleyError } from '../../core/errors.js';
import { isProactiveMessage } from '../../core/fanout.js';
import type { Conversation } from '../../core/model.js';
import type { Part } from '../../core/parts.js';
import { toEvent } from '../../store/rows.js';
import type { GenesysDesk } from './adapter.js';
import { REF } from './adapter.js';

// Proactive messages to a Genesys desk: the agentless API, `POST /api/v2/conversations/messages/agentless`
// (vendor-protocols §1.4). `fromAddress` is the integration id, `toAddress` the customer id Parley gives
// Genesys for this contact in Open Messaging (`channel.from.id` of its inbound messages: the contact id),
// `toAddressMessengerType` `open`, `textBody` the text.
//
// - Limits, checked before anything is stored (ProactiveSender.check): Open agentless messages are text
//   only ("the Open Messaging API supports exclusively text-only messages"), and `textBody` holds at most
//   2000 characters for channels other than SMS (SendAgentlessOutboundMessageRequest). Characters are
//   UTF-16 code units, as JavaScript counts them (and, presumably, Genesys's Java API).
// - `useExistingActiveConversation` is always true: when the customer has an active Genesys conversation
//   (their Parley conversation is open there, maybe with an agent) the message must join it — with false,
//   Genesys refuses it — and with none, Genesys starts a new one, exactly as false would.
// - Genesys posts the message back to our own webhook like any outbound message, possibly before its answer
//   to our call arrives. Its ids are linked as soon as the answer comes; an echo that overtakes the answer
//   is recognised by `agentlessEcho` (below), so the customer sees the message once.
// - Genesys documents no idempotency key for agentless sends. A retry after a 429 or 5xx is safe (Genesys
//   did not act); one after a crash between Genesys's answer and the dispatcher recording it sends the text
//   twice at Genesys (at-least-once, as every outbox delivery), still once in Parley's log.

/** textBody's limit for Open Messaging (SMS: 765, not used by Parley). */
export const AGENTLESS_TEXT_LIMIT = 2000;

/** The textBody for these parts: their texts, one per line. Throws PROACTIVE_UNSUPPORTED for anything else. */
export function agentlessText(parts: Part[]): string {
  const other = parts.find((p) => p.type !== 'text');
  if (other) throw new ParleyError('PROACTIVE_UNSUPPORTED', `Genesys agentless messages are text only; this one has a ${other.type} part.`, { details: { desk: 'genesys', part: other.type } });
  return parts.map((p) => (p.type === 'text' ? p.text : '')).join('\n');
}

export function genesysProactive(desk: GenesysDesk): ProactiveSender {
  return {
    check(parts) {
      const text = agentlessText(parts);
      if (text.length > AGENTLESS_TEXT_LIMIT) {
        throw new ParleyError('MESSAGE_TOO_LONG', `Genesys agentless messages hold at most ${AGENTLESS_TEXT_LIMIT} characters; this one has ${text.length}.`, {
          details: { desk: desk.id, limit: AGENTLESS_TEXT_LIMIT, length: text.length },
        });
      }
    },

    async send(job: DeliveryJob, signal: AbortSignal): Promise<DeliveryOutcome> {
      const { event, conversation } = job;
      if (event.kind !== 'message') return { status: 'sent' };
      let textBody: string;
      try {
        textBody = agentlessText(event.parts);
      } catch (e) {
        throw new ParleyError('DELIVERY_REJECTED', e instanceof Error ? e.message : 'Not text.');
      }
      const sent = await desk.api.agentless({ toAddress: desk.customerOf(conversation).id, textBody, useExistingActiveConversation: true, signal });
      return desk.linkSent(sent, event, conversation);
    },
  };
}

/**
 * Whether a webhook's outbound text is the echo of an agentless message Parley is sending: a proactive message
 * of this conversation whose desk delivery is still pending (Genesys's answer has not been recorded) with the
 * same text, not yet linked to a Genesys id. If so, its id is linked now and the webhook stores nothing.
 */
export async function agentlessEcho(desk: GenesysDesk, conversation: Conversation, p: { id: string; text?: string | undefined; originatingEntity?: string | undefined }): Promise<boolean> {
  if (p.originatingEntity === 'Human' || p.text === undefined) return false;
  const db = desk.rt.hub.db;
  const pending = await db
    .selectFrom('deliveries')
    .innerJoin('events', 'events.id', 'deliveries.event_id')
    .selectAll('events')
    .where('deliveries.conversation_id', '=', conversation.id)
    .where('deliveries.leg', '=', 'desk')
    .where('deliveries.status', '=', 'pending')
    .where('events.origin', '=', 'desk')
    .orderBy('deliveries.seq')
    .limit(20)
    .execute();
  for (const event of pending.map(toEvent)) {
    if (event.kind !== 'message' || !isProactiveMessage(event) || agentlessTextOrUndefined(event.parts) !== p.text) continue;
    if (await desk.reports.externalOf(REF.message, event.id)) continue;
    await desk.reports.link(REF.message, p.id, event.id);
    return true;
  }
  return false;
}

function agentlessTextOrUndefined(parts: Part[]): string | undefined {
  try {
    return agentlessText(parts);
  } catch {
    return undefined;
  }
}
