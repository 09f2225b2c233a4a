// How the emulated org's data looks on the wire: the API's MessageConversation / Conversation models,
// the notification topic body (QueueConversationMessageEventTopicMessageConversation), and the
// normalized-message channel block shared by responses and webhooks. Field names from the SDK models.
import type { Conversation, Integration, Participant, StoredMessage } from './state.js';

const uri = (path: string): string => `/api/v2/${path}`;

function messageDetails(c: Conversation, p: Participant): Record<string, unknown>[] {
  // Genesys lists a participant's messages on that participant: the customer's inbound ones, an
  // agent's outbound ones.
  const mine = (m: StoredMessage): boolean =>
    p.purpose === 'customer' ? m.direction === 'inbound' : p.purpose === 'agent' ? m.by === 'agent' && m.agentId === p.userId : false;
  return c.messages.filter(mine).map((m) => ({
    messageId: m.id,
    messageURI: uri(`conversations/messages/${c.id}/messages/${m.id}`),
    messageStatus: m.status,
    messageSegmentCount: 1,
    messageTime: m.at,
  }));
}

function participantCore(p: Participant): Record<string, unknown> {
  return {
    id: p.id,
    name: p.name,
    ...(p.address ? { address: p.address } : {}),
    startTime: p.startTime,
    ...(p.connectedTime ? { connectedTime: p.connectedTime } : {}),
    ...(p.endTime ? { endTime: p.endTime } : {}),
    purpose: p.purpose,
    state: p.state,
    direction: p.direction,
    ...(p.disconnectType ? { disconnectType: p.disconnectType } : {}),
    held: false,
    wrapupRequired: false,
  };
}

/** GET /api/v2/conversations/messages/{id}: MessageConversation with MessageMediaParticipants. */
export function messageConversationView(c: Conversation): Record<string, unknown> {
  return {
    id: c.id,
    participants: c.participants.map((p) => ({
      ...participantCore(p),
      ...(p.queueId ? { queue: { id: p.queueId, selfUri: uri(`routing/queues/${p.queueId}`) } } : {}),
      ...(p.userId ? { user: { id: p.userId, selfUri: uri(`users/${p.userId}`) } } : {}),
      type: 'open',
      messages: messageDetails(c, p),
    })),
    otherMediaUris: [],
    selfUri: uri(`conversations/messages/${c.id}`),
  };
}

/** GET /api/v2/conversations/{id}: Conversation, the media state living in participants[].messages[]. */
export function conversationView(c: Conversation): Record<string, unknown> {
  return {
    id: c.id,
    startTime: c.startTime,
    ...(c.endTime ? { endTime: c.endTime } : {}),
    participants: c.participants.map((p) => ({
      id: p.id,
      startTime: p.startTime,
      ...(p.endTime ? { endTime: p.endTime } : {}),
      ...(p.connectedTime ? { connectedTime: p.connectedTime } : {}),
      name: p.name,
      ...(p.userId ? { userId: p.userId } : {}),
      ...(p.queueId ? { queueId: p.queueId } : {}),
      purpose: p.purpose,
      ...(p.address ? { address: p.address } : {}),
      wrapupRequired: false,
      messages: [
        {
          state: p.state,
          id: p.communicationId,
          held: false,
          direction: p.direction,
          ...(p.disconnectType ? { disconnectType: p.disconnectType } : {}),
          ...(p.connectedTime ? { connectedTime: p.connectedTime } : {}),
          ...(p.endTime ? { disconnectedTime: p.endTime } : {}),
          provider: 'PureCloud Messaging',
          type: 'open',
          messages: messageDetails(c, p),
        },
      ],
    })),
    selfUri: uri(`conversations/${c.id}`),
  };
}

/** The body of a `v2.routing.queues.{id}.conversations.messages` (and users …) notification. */
export function conversationEventView(c: Conversation): Record<string, unknown> {
  return {
    id: c.id,
    participants: c.participants.map((p) => ({
      ...participantCore(p),
      ...(p.queueId ? { queue: { id: p.queueId } } : {}),
      ...(p.userId ? { user: { id: p.userId } } : {}),
      type: 'open',
      messages: messageDetails(c, p),
    })),
    otherMediaUris: [],
  };
}

/** The `channel` block of normalized messages Genesys sends to (and returns from) the middleware. */
export function outboundChannel(integration: Integration, c: Conversation, id: string, time: string): Record<string, unknown> {
  return {
    id: integration.id,
    platform: 'Open',
    type: 'Private',
    to: { id: c.customer.id, idType: c.customer.idType },
    from: { nickname: integration.name, id: integration.id, idType: 'Opaque' },
    time,
    messageId: id,
  };
}
