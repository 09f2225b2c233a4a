// The Amazon Connect API calls a chat bridge makes (REST-JSON, SigV4): StartChatContact (PUT /contact/chat),
// StartContactStreaming (POST /contact/start-streaming), StopContactStreaming (POST /contact/stop-streaming),
// StopContact (POST /contact/stop) — paths and members as @aws-sdk/client-connect 3.1136 serialises them.
import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { json, type Reply, type Route } from '../kit/index.js';
import { jsonBody, sigv4, type Identity } from './auth.js';
import type { Desk } from './desk.js';
import { fail, invalidParameter, invalidRequest, notFound } from './errors.js';
import { StartChatContact, StartContactStreaming, StopContact, StopContactStreaming, SUPPORTED_CONTENT_TYPES } from './schemas.js';
import type { Store } from './state.js';
import type { Streaming } from './streaming.js';
import { act, body } from './validate.js';

export interface ConnectApiDeps {
  store: Store;
  desk: Desk;
  streaming: Streaming;
  identity: Identity;
  instanceId: string;
  contactFlowId: string;
}

export function connectApiRoutes(d: ConnectApiDeps): Route[] {
  const guards = [sigv4(d.identity), jsonBody];
  const instance = (id: string): void => {
    if (id !== d.instanceId) throw notFound(`Instance ${id} not found.`);
  };
  const contact = (id: string) => {
    const chat = d.store.chatByContact(id);
    if (!chat) throw fail(400, 'InvalidRequestException', `Contact ${id} not found.`);
    return chat;
  };
  /** A Connect API call: SigV4 and a JSON body as the schema has it (InvalidParameterException), on this instance. */
  const call = <S extends z.ZodType<{ InstanceId: string }>>(method: 'PUT' | 'POST', path: string, schema: S, handle: (b: z.infer<S>) => Reply): Route => ({
    method,
    path,
    guards,
    handler: (ctx) => {
      const b = body(ctx, schema, 'InvalidParameterException');
      instance(b.InstanceId);
      return handle(b);
    },
  });
  return [
    call('PUT', '/contact/chat', StartChatContact, (b) => {
      if (b.ContactFlowId !== d.contactFlowId) throw notFound(`Contact flow ${b.ContactFlowId} not found.`);
      const supported = b.SupportedMessagingContentTypes ?? ['text/plain'];
      const unknown = supported.find((t) => !(SUPPORTED_CONTENT_TYPES as readonly string[]).includes(t));
      if (unknown) throw invalidParameter(`SupportedMessagingContentTypes: ${unknown} is not a supported content type.`);
      // The API reference: the list must include text/plain.
      if (!supported.includes('text/plain')) throw invalidParameter('SupportedMessagingContentTypes must include text/plain.');
      if (b.InitialMessage && !['text/plain', 'text/markdown'].includes(b.InitialMessage.ContentType)) {
        throw invalidParameter(`InitialMessage.ContentType ${b.InitialMessage.ContentType} is not supported.`);
      }
      if (b.InitialMessage && !supported.includes(b.InitialMessage.ContentType)) throw invalidParameter('InitialMessage.ContentType is not among SupportedMessagingContentTypes.');
      const attributes = b.Attributes ?? {};
      if (Buffer.byteLength(JSON.stringify(attributes)) > 32 * 1024) throw invalidParameter('Attributes exceed 32 KB.');
      // ClientToken: the same token answers with the same contact (AWS keeps them 7 days), so a retried start
      // never makes two chats. A different request under a used token is refused.
      const fingerprint = createHash('sha256').update(JSON.stringify({ ...b, ClientToken: undefined })).digest('hex');
      if (b.ClientToken) {
        const seen = d.store.startTokens.get(b.ClientToken);
        if (seen) {
          if (seen.response.fingerprint !== fingerprint) throw fail(409, 'IdempotencyException', 'An entity with the same ClientToken but different parameters already exists.');
          const { fingerprint: _f, ...response } = seen.response;
          return json(200, response);
        }
      }
      const chat = d.desk.startChat({
        instanceId: b.InstanceId,
        contactFlowId: b.ContactFlowId,
        displayName: b.ParticipantDetails.DisplayName,
        attributes,
        ...(b.InitialMessage ? { initialMessage: b.InitialMessage } : {}),
        supportedContentTypes: supported,
      });
      const response = { ContactId: chat.initialContactId, ParticipantId: chat.customer.id, ParticipantToken: chat.participantToken };
      if (b.ClientToken) d.store.startTokens.set(b.ClientToken, { chatId: chat.initialContactId, response: { ...response, fingerprint } });
      return json(200, response);
    }),
    call('POST', '/contact/start-streaming', StartContactStreaming, (b) => {
      const chat = contact(b.ContactId);
      if (chat.state === 'ended') throw invalidRequest(`Contact ${b.ContactId} has ended.`);
      const arn = b.ChatStreamingConfiguration.StreamingEndpointArn;
      if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/.test(arn)) throw invalidParameter(`StreamingEndpointArn ${arn} is not an SNS topic ARN.`);
      // The admin guide: FIFO topics are not supported.
      if (arn.endsWith('.fifo')) throw invalidRequest('StreamingEndpointArn must be a standard SNS topic; FIFO topics are not supported.');
      if (!d.streaming.topics.has(arn)) throw invalidRequest(`Amazon Connect cannot publish to ${arn}: the topic does not exist or its access policy does not allow connect.amazonaws.com.`);
      const streamingId = act(() => d.desk.startStreaming(chat, arn));
      return json(200, { StreamingId: streamingId });
    }),
    call('POST', '/contact/stop-streaming', StopContactStreaming, (b) => {
      act(() => d.desk.stopStreaming(contact(b.ContactId), b.StreamingId));
      return json(200, {});
    }),
    call('POST', '/contact/stop', StopContact, (b) => {
      const chat = contact(b.ContactId);
      if (chat.state === 'ended') throw fail(410, 'ContactNotFoundException', `Contact ${b.ContactId} is not active.`);
      d.desk.finish(chat);
      return json(200, {});
    }),
  ];
}
