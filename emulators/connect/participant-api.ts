// The Amazon Connect Participant Service as @aws-sdk/client-connectparticipant 3.1019 calls it: paths under
// /participant, the token in X-Amz-Bearer (auth.ts), REST-JSON bodies validated as the API reference says
// (content types and their lengths, event types, attachment types and the 20 MB limit). Sends are idempotent
// by ClientToken. Attachments: StartAttachmentUpload hands out an upload URL this emulator serves (playing
// S3's pre-signed PUT), CompleteAttachmentUpload puts the file in the transcript, GetAttachment hands out a
// download URL.
import { json, type Route } from '../kit/index.js';
import { chatOf, connectionOf, connectionToken, jsonBody, participantToken } from './auth.js';
import type { Desk } from './desk.js';
import { fail, validation } from './errors.js';
import {
  ATTACHMENT_MAX_BYTES,
  ATTACHMENT_TYPES,
  CompleteAttachmentUpload,
  CreateParticipantConnection,
  Disconnect,
  EVENT_TYPES,
  GetAttachment,
  GetTranscript,
  MESSAGE_LIMITS,
  SendEvent,
  SendMessage,
  StartAttachmentUpload,
} from './schemas.js';
import { id, token, type Attachment, type Store } from './state.js';
import { act, body } from './validate.js';

const EXPIRY_MINUTES = 5;

export function participantApiRoutes(store: Store, desk: Desk, baseUrl: () => string): Route[] {
  const connected = [connectionToken(store), jsonBody];
  return [
    {
      method: 'POST',
      path: '/participant/connection',
      guards: [participantToken(store), jsonBody],
      handler: (ctx) => {
        const b = body(ctx, CreateParticipantConnection);
        if (!b.Type && !b.ConnectParticipant) throw validation('Type or ConnectParticipant must be given.');
        const conn = act(() => desk.connect(chatOf(ctx), b.ConnectParticipant === true));
        const types = b.Type ?? [];
        const expiry = new Date(conn.expiresAt).toISOString();
        return json(200, {
          ...(types.includes('CONNECTION_CREDENTIALS') ? { ConnectionCredentials: { ConnectionToken: conn.token, Expiry: expiry } } : {}),
          ...(types.includes('WEBSOCKET') ? { Websocket: { Url: `${baseUrl().replace(/^http/, 'ws')}/__websocket-unsupported`, ConnectionExpiry: expiry } } : {}),
        });
      },
    },
    {
      method: 'POST',
      path: '/participant/message',
      guards: connected,
      handler: (ctx) => {
        const b = body(ctx, SendMessage);
        const chat = chatOf(ctx);
        const limit = MESSAGE_LIMITS[b.ContentType];
        if (limit === undefined) throw validation(`ContentType ${b.ContentType} is not supported.`);
        if (!chat.supportedContentTypes.includes(b.ContentType) && b.ContentType !== 'application/vnd.amazonaws.connect.message.interactive.response') {
          throw validation(`ContentType ${b.ContentType} is not among the chat's SupportedMessagingContentTypes.`);
        }
        if (b.Content.length > limit) throw validation(`Content of type ${b.ContentType} is limited to ${limit} characters.`);
        const item = act(() => desk.once(chat, b.ClientToken && `message:${b.ClientToken}`, () => desk.customerMessage(chat, b.ContentType, b.Content)));
        return json(200, { Id: item.Id, AbsoluteTime: item.AbsoluteTime });
      },
    },
    {
      method: 'POST',
      path: '/participant/event',
      guards: connected,
      handler: (ctx) => {
        const b = body(ctx, SendEvent);
        if (!(EVENT_TYPES as readonly string[]).includes(b.ContentType)) throw validation(`ContentType ${b.ContentType} is not a supported event type.`);
        const chat = chatOf(ctx);
        const item = act(() => desk.once(chat, b.ClientToken && `event:${b.ClientToken}`, () => desk.customerEvent(chat, b.ContentType, b.Content)));
        return json(200, { Id: item.Id, AbsoluteTime: item.AbsoluteTime });
      },
    },
    {
      method: 'POST',
      path: '/participant/disconnect',
      guards: connected,
      handler: (ctx) => {
        body(ctx, Disconnect);
        desk.customerDisconnect(chatOf(ctx));
        return json(200, {});
      },
    },
    {
      method: 'POST',
      path: '/participant/transcript',
      guards: connected,
      handler: (ctx) => {
        const b = body(ctx, GetTranscript);
        const chat = chatOf(ctx);
        const visible = chat.items.filter((i) => i.visibility !== 'AGENT').map(({ visibility: _v, receipts, ...rest }) => ({
          ...rest,
          ...(receipts ? { MessageMetadata: { MessageId: rest.Id, Receipts: [{ ...(receipts.delivered ? { DeliveredTimestamp: receipts.delivered } : {}), ...(receipts.read ? { ReadTimestamp: receipts.read } : {}) }] } } : {}),
        }));
        // A page is a run of items in the chat's order, scanned from StartPosition (or from the newest item
        // BACKWARD / the oldest FORWARD), then sorted (default DESCENDING). NextToken carries where the scan
        // stopped; it is opaque to callers.
        const cursor = b.NextToken ? readCursor(b.NextToken, visible.length) : startOf(b.StartPosition, b.ScanDirection, visible);
        const size = b.MaxResults ?? 10;
        const page = cursor.forward ? visible.slice(cursor.at, cursor.at + size) : visible.slice(Math.max(0, cursor.at - size + 1), cursor.at + 1);
        const at = cursor.forward ? cursor.at + size : cursor.at - size;
        const more = cursor.forward ? at < visible.length : at >= 0;
        const sorted = b.SortOrder === 'ASCENDING' ? page : [...page].reverse();
        return json(200, {
          InitialContactId: chat.initialContactId,
          Transcript: sorted,
          ...(more && page.length ? { NextToken: Buffer.from(JSON.stringify({ at, forward: cursor.forward })).toString('base64url') } : {}),
        });
      },
    },
    {
      method: 'POST',
      path: '/participant/start-attachment-upload',
      guards: connected,
      handler: (ctx) => {
        const b = body(ctx, StartAttachmentUpload);
        if (!(ATTACHMENT_TYPES as readonly string[]).includes(b.ContentType)) throw validation(`ContentType ${b.ContentType} is not an accepted attachment type.`);
        if (b.AttachmentSizeInBytes > ATTACHMENT_MAX_BYTES) throw fail(402, 'ServiceQuotaExceededException', `Attachments are limited to ${ATTACHMENT_MAX_BYTES} bytes.`);
        const chat = chatOf(ctx);
        const a = desk.once(chat, `upload:${b.ClientToken}`, () => {
          const attachment: Attachment = {
            id: id(),
            chatId: chat.initialContactId,
            participantId: connectionOf(ctx).participantId,
            name: b.AttachmentName,
            contentType: b.ContentType,
            size: b.AttachmentSizeInBytes,
            status: 'IN_PROGRESS',
            uploadKey: token(),
          };
          store.attachments.set(attachment.id, attachment);
          return attachment;
        });
        return json(200, {
          AttachmentId: a.id,
          UploadMetadata: {
            Url: `${baseUrl()}/__attachments/upload/${a.uploadKey}`,
            UrlExpiry: new Date(Date.now() + EXPIRY_MINUTES * 60_000).toISOString(),
            HeadersToInclude: { 'Content-Type': a.contentType },
          },
        });
      },
    },
    {
      method: 'POST',
      path: '/participant/complete-attachment-upload',
      guards: connected,
      handler: (ctx) => {
        const b = body(ctx, CompleteAttachmentUpload);
        const chat = chatOf(ctx);
        const a = store.attachments.get(b.AttachmentIds[0]!);
        if (!a || a.chatId !== chat.initialContactId) throw fail(404, 'ResourceNotFoundException', `Attachment ${b.AttachmentIds[0]} not found.`);
        desk.once(chat, `complete:${b.ClientToken}`, () => {
          if (!a.bytes) throw validation('The attachment was not uploaded.');
          a.status = 'APPROVED';
          return act(() => desk.customerAttachment(chat, a));
        });
        return json(200, {});
      },
    },
    {
      method: 'POST',
      path: '/participant/attachment',
      guards: connected,
      handler: (ctx) => {
        const b = body(ctx, GetAttachment);
        const a = store.attachments.get(b.AttachmentId);
        if (!a || a.chatId !== chatOf(ctx).initialContactId || a.status !== 'APPROVED') throw fail(404, 'ResourceNotFoundException', `Attachment ${b.AttachmentId} not found.`);
        const expiry = b.UrlExpiryInSeconds ?? EXPIRY_MINUTES * 60;
        return json(200, { Url: `${baseUrl()}/__attachments/download/${a.id}?key=${a.uploadKey}`, UrlExpiry: new Date(Date.now() + expiry * 1000).toISOString(), AttachmentSizeInBytes: a.size });
      },
    },
    // S3's side of attachments: the pre-signed PUT and GET. Logged and fault-injectable, like the API, so
    // media failures can be tested.
    {
      method: 'PUT',
      path: '/__attachments/upload/:key',
      handler: (ctx) => {
        const a = [...store.attachments.values()].find((x) => x.uploadKey === ctx.params.key && x.status === 'IN_PROGRESS');
        if (!a) return { status: 403, body: '<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>', contentType: 'application/xml' };
        if (ctx.raw.length !== a.size) return { status: 400, body: '<Error><Code>IncompleteBody</Code><Message>The size does not match AttachmentSizeInBytes</Message></Error>', contentType: 'application/xml' };
        a.bytes = Buffer.from(ctx.raw);
        return { status: 200 };
      },
    },
    {
      method: 'GET',
      path: '/__attachments/download/:id',
      handler: (ctx) => {
        const a = store.attachments.get(ctx.params.id!);
        if (!a || !a.bytes || ctx.query.get('key') !== a.uploadKey) return { status: 403, body: '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>', contentType: 'application/xml' };
        return { status: 200, body: a.bytes, contentType: a.contentType };
      },
    },
  ];
}

interface Cursor {
  /** The next item to take, as an index into the chat's visible items. */
  at: number;
  forward: boolean;
}

/** Where a first page starts: StartPosition's item (Id, AbsoluteTime or the MostRecent-th newest), else an end. */
function startOf(start: { Id?: string | undefined; AbsoluteTime?: string | undefined; MostRecent?: number | undefined } | undefined, direction: string | undefined, items: { Id: string; AbsoluteTime: string }[]): Cursor {
  // Default: BACKWARD without a StartPosition, FORWARD with one (API reference).
  const forward = direction ? direction === 'FORWARD' : start !== undefined;
  if (!start) return { at: forward ? 0 : items.length - 1, forward };
  let at: number;
  if (start.Id !== undefined) {
    at = items.findIndex((i) => i.Id === start.Id);
    if (at < 0) throw fail(404, 'ResourceNotFoundException', `No item ${start.Id} in this transcript.`);
  } else if (start.AbsoluteTime !== undefined) {
    const t = Date.parse(start.AbsoluteTime);
    at = forward ? items.findIndex((i) => Date.parse(i.AbsoluteTime) >= t) : items.findLastIndex((i) => Date.parse(i.AbsoluteTime) <= t);
    if (at < 0) at = forward ? items.length : -1;
  } else {
    at = items.length - 1 - (start.MostRecent ?? 0);
  }
  return { at, forward };
}

function readCursor(nextToken: string, length: number): Cursor {
  try {
    const c = JSON.parse(Buffer.from(nextToken, 'base64url').toString()) as Partial<Cursor>;
    if (typeof c.at === 'number' && Number.isInteger(c.at) && c.at >= -1 && c.at <= length && typeof c.forward === 'boolean') return { at: c.at, forward: c.forward };
  } catch {
    // not one of ours
  }
  throw validation('The NextToken is not valid.');
}
