import { ConnectClient, StartChatContactCommand, StartContactStreamingCommand } from '@aws-sdk/client-connect';
import {
  CompleteAttachmentUploadCommand,
  ConnectParticipantClient,
  CreateParticipantConnectionCommand,
  DisconnectParticipantCommand,
  GetAttachmentCommand,
  GetTranscriptCommand,
  type Item,
  SendEventCommand,
  SendMessageCommand,
  StartAttachmentUploadCommand,
} from '@aws-sdk/client-connectparticipant';
import { ParleyError } from '../../core/errors.js';
import type { RateBudget } from '../../vendor/rate-budget.js';
import type { AwsCaller } from './aws-call.js';

// Parley → Amazon Connect: every call the desk makes, through the official SDK clients (vendor-protocols
// §3.1–3.3), each through the instance's AwsCaller (rate budget, timeouts, retries, errors in the
// dispatcher's vocabulary). Tokens are arguments, never logged: the SDK puts them in X-Amz-Bearer, and the
// AwsCaller's debug lines carry only operation names and error codes.

export const EVENT_TYPES = {
  typing: 'application/vnd.amazonaws.connect.event.typing',
  delivered: 'application/vnd.amazonaws.connect.event.message.delivered',
  read: 'application/vnd.amazonaws.connect.event.message.read',
} as const;

export interface StartedChat {
  contactId: string;
  participantId: string;
  participantToken: string;
}

export interface ConnectApiDeps {
  connect: ConnectClient;
  participant: ConnectParticipantClient;
  caller: AwsCaller;
  connectBudget: RateBudget;
  participantBudget: RateBudget;
  instanceId: string;
  contactFlowId: string;
  topicArn: string;
}

const need = <T>(v: T | undefined | null, what: string): T => {
  if (v === undefined || v === null || v === '') throw new ParleyError('DELIVERY_UNAVAILABLE', `Amazon Connect answered without ${what}.`);
  return v;
};

export class ConnectApi {
  constructor(private readonly d: ConnectApiDeps) {}

  private connectCall<T>(op: string, send: (s: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.d.caller.call(op, send, { signal, budget: this.d.connectBudget });
  }

  private participantCall<T>(op: string, send: (s: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.d.caller.call(op, send, { signal, budget: this.d.participantBudget });
  }

  /** StartChatContact. `clientToken` makes a retried start return the same contact instead of a second one. */
  async startChat(r: {
    clientToken: string;
    displayName: string;
    attributes: Record<string, string>;
    initialMessage?: string | undefined;
    supportedContentTypes: string[];
    chatDurationMinutes?: number | undefined;
    signal?: AbortSignal;
  }): Promise<StartedChat> {
    const out = await this.connectCall(
      'StartChatContact',
      (abortSignal) =>
        this.d.connect.send(
          new StartChatContactCommand({
            InstanceId: this.d.instanceId,
            ContactFlowId: this.d.contactFlowId,
            ParticipantDetails: { DisplayName: r.displayName },
            Attributes: r.attributes,
            ...(r.initialMessage ? { InitialMessage: { ContentType: 'text/plain', Content: r.initialMessage } } : {}),
            SupportedMessagingContentTypes: r.supportedContentTypes,
            ...(r.chatDurationMinutes ? { ChatDurationInMinutes: r.chatDurationMinutes } : {}),
            ClientToken: r.clientToken,
          }),
          { abortSignal },
        ),
      r.signal,
    );
    return { contactId: need(out.ContactId, 'ContactId'), participantId: need(out.ParticipantId, 'ParticipantId'), participantToken: need(out.ParticipantToken, 'ParticipantToken') };
  }

  /** StartContactStreaming to the instance's topic; idempotent per contact. */
  async startStreaming(contactId: string, signal?: AbortSignal): Promise<string> {
    const out = await this.connectCall(
      'StartContactStreaming',
      (abortSignal) =>
        this.d.connect.send(
          new StartContactStreamingCommand({ InstanceId: this.d.instanceId, ContactId: contactId, ChatStreamingConfiguration: { StreamingEndpointArn: this.d.topicArn }, ClientToken: `stream:${contactId}` }),
          { abortSignal },
        ),
      signal,
    );
    return need(out.StreamingId, 'StreamingId');
  }

  /** CreateParticipantConnection (CONNECTION_CREDENTIALS, ConnectParticipant): a connection token and its expiry. */
  async connectParticipant(participantToken: string, signal?: AbortSignal): Promise<{ token: string; expiresAt: number }> {
    const out = await this.participantCall(
      'CreateParticipantConnection',
      (abortSignal) =>
        this.d.participant.send(new CreateParticipantConnectionCommand({ ParticipantToken: participantToken, Type: ['CONNECTION_CREDENTIALS'], ConnectParticipant: true }), { abortSignal }),
      signal,
    );
    const c = out.ConnectionCredentials;
    const expiresAt = Date.parse(c?.Expiry ?? '');
    // Without a readable expiry, assume the documented day minus a margin rather than "never".
    return { token: need(c?.ConnectionToken, 'ConnectionToken'), expiresAt: Number.isFinite(expiresAt) ? expiresAt : Date.now() + 23 * 3600_000 };
  }

  async sendMessage(token: string, r: { contentType: string; content: string; clientToken: string; signal?: AbortSignal }): Promise<string> {
    const out = await this.participantCall(
      'SendMessage',
      (abortSignal) => this.d.participant.send(new SendMessageCommand({ ConnectionToken: token, ContentType: r.contentType, Content: r.content, ClientToken: r.clientToken }), { abortSignal }),
      r.signal,
    );
    return need(out.Id, 'Id');
  }

  async sendEvent(token: string, r: { contentType: string; content?: string; clientToken: string; signal?: AbortSignal }): Promise<void> {
    await this.participantCall(
      'SendEvent',
      (abortSignal) =>
        this.d.participant.send(new SendEventCommand({ ConnectionToken: token, ContentType: r.contentType, ...(r.content !== undefined ? { Content: r.content } : {}), ClientToken: r.clientToken }), { abortSignal }),
      r.signal,
    );
  }

  async disconnect(token: string, clientToken: string, signal?: AbortSignal): Promise<void> {
    await this.participantCall('DisconnectParticipant', (abortSignal) => this.d.participant.send(new DisconnectParticipantCommand({ ConnectionToken: token, ClientToken: clientToken }), { abortSignal }), signal);
  }

  /** StartAttachmentUpload, the upload itself to the URL Connect hands out, and CompleteAttachmentUpload. */
  async attach(token: string, r: { name: string; contentType: string; bytes: Buffer; clientToken: string; signal?: AbortSignal }): Promise<string> {
    const up = await this.participantCall(
      'StartAttachmentUpload',
      (abortSignal) =>
        this.d.participant.send(
          new StartAttachmentUploadCommand({ ConnectionToken: token, ContentType: r.contentType, AttachmentSizeInBytes: r.bytes.length, AttachmentName: r.name, ClientToken: `${r.clientToken}:start` }),
          { abortSignal },
        ),
      r.signal,
    );
    const attachmentId = need(up.AttachmentId, 'AttachmentId');
    const url = need(up.UploadMetadata?.Url, 'an upload URL');
    await this.participantCall(
      'UploadAttachment',
      async (abortSignal) => {
        const res = await fetch(url, { method: 'PUT', headers: { ...up.UploadMetadata?.HeadersToInclude }, body: new Uint8Array(r.bytes), signal: abortSignal, redirect: 'manual' });
        await res.body?.cancel().catch(() => undefined);
        if (!res.ok) throw Object.assign(new Error(`upload answered ${res.status}`), { name: 'UploadFailed', $metadata: { httpStatusCode: res.status } });
      },
      r.signal,
    );
    await this.participantCall(
      'CompleteAttachmentUpload',
      (abortSignal) =>
        this.d.participant.send(new CompleteAttachmentUploadCommand({ ConnectionToken: token, AttachmentIds: [attachmentId], ClientToken: `${r.clientToken}:complete` }), { abortSignal }),
      r.signal,
    );
    return attachmentId;
  }

  /** GetAttachment: a short-lived download URL for a file in the chat. */
  async attachmentUrl(token: string, attachmentId: string, signal?: AbortSignal): Promise<string> {
    const out = await this.participantCall('GetAttachment', (abortSignal) => this.d.participant.send(new GetAttachmentCommand({ ConnectionToken: token, AttachmentId: attachmentId }), { abortSignal }), signal);
    return need(out.Url, 'a download URL');
  }

  /** GetTranscript: the whole chat as the customer participant sees it, oldest first, page by page. */
  async transcript(token: string, signal?: AbortSignal): Promise<Item[]> {
    // Scanned BACKWARD from the newest item (the API's default, what Amazon's own chat client does), each page
    // sorted ASCENDING: the pages, newest first, are put back in the chat's order at the end.
    const pages: Item[][] = [];
    let next: string | undefined;
    // A bound on pages: a chat is short, and a NextToken that never ends must not hold a delivery forever.
    for (let page = 0; page < 20; page++) {
      const out = await this.participantCall(
        'GetTranscript',
        (abortSignal) =>
          this.d.participant.send(
            new GetTranscriptCommand({ ConnectionToken: token, MaxResults: 100, SortOrder: 'ASCENDING', ScanDirection: 'BACKWARD', ...(next ? { NextToken: next } : {}) }),
            { abortSignal },
          ),
        signal,
      );
      pages.push(out.Transcript ?? []);
      next = out.NextToken;
      if (!next) break;
    }
    return pages.reverse().flat();
  }
}
