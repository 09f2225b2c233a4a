// Who may call what. The Connect API is IAM-authorised: every request carries an AWS Signature Version 4
// Authorization header (kit/sigv4.ts), checked against the emulator's one access key, for the service
// `connect` in the emulator's region. The Participant Service is not SigV4-authorised (its API reference:
// "does not use Signature Version 4 authentication"): the SDK still signs, but what counts is the
// X-Amz-Bearer header — the ParticipantToken for CreateParticipantConnection, the ConnectionToken for the
// rest. An unknown, expired or ended token is 403 AccessDeniedException.
import { HttpError, type Ctx, type Guard } from '../kit/index.js';
import { verifySigV4 } from '../kit/sigv4.js';
import { awsError, fail } from './errors.js';
import type { Chat, Connection, Store } from './state.js';

export interface Identity {
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export function sigv4(identity: Identity): Guard {
  return (ctx: Ctx) => {
    const result = verifySigV4(
      { method: ctx.method, url: ctx.req.url ?? ctx.path, headers: ctx.headers, body: ctx.raw },
      { lookup: (k) => (k === identity.accessKeyId ? { secretAccessKey: identity.secretAccessKey } : undefined), service: 'connect', region: identity.region },
    );
    if (!result.ok) throw new HttpError(awsError(result.status, result.type, result.message));
  };
}

/** JSON bodies: the SDK sends application/json; anything else is refused before parsing. */
export const jsonBody: Guard = (ctx) => {
  if (!ctx.raw.length) return;
  const type = (ctx.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && type !== 'application/x-amz-json-1.1') throw fail(415, 'UnsupportedMediaTypeException', `Unsupported Media Type: ${type || '(none)'}`);
};

const bearerOf = (ctx: Ctx): string | undefined => {
  const v = ctx.headers['x-amz-bearer'];
  return (Array.isArray(v) ? v[0] : v)?.trim() || undefined;
};

/** CreateParticipantConnection: the ParticipantToken StartChatContact returned. */
export function participantToken(store: Store): Guard {
  return (ctx) => {
    const t = bearerOf(ctx);
    if (!t) throw fail(400, 'ValidationException', '1 validation error detected: Value null at \'participantToken\' failed to satisfy constraint: Member must not be null');
    const ref = store.participantTokens.get(t);
    const chat = ref ? store.chats.get(ref.chatId) : undefined;
    if (!ref || !chat) throw fail(403, 'AccessDeniedException', 'Access denied');
    if (chat.state === 'ended') throw fail(403, 'AccessDeniedException', 'Participant is not active in the chat');
    ctx.locals.chat = chat;
  };
}

/** Every other Participant Service call: a live ConnectionToken. */
export function connectionToken(store: Store): Guard {
  return (ctx) => {
    const t = bearerOf(ctx);
    if (!t) throw fail(400, 'ValidationException', '1 validation error detected: Value null at \'connectionToken\' failed to satisfy constraint: Member must not be null');
    const conn = store.connections.get(t);
    if (!conn) throw fail(403, 'AccessDeniedException', 'Access denied');
    if (conn.expiresAt <= Date.now()) throw fail(403, 'AccessDeniedException', 'The connection token has expired');
    const chat = store.chats.get(conn.chatId);
    if (!chat || chat.state === 'ended') throw fail(403, 'AccessDeniedException', 'Participant is not active in the chat');
    ctx.locals.chat = chat;
    ctx.locals.connection = conn;
  };
}

export const chatOf = (ctx: Ctx): Chat => ctx.locals.chat as Chat;
export const connectionOf = (ctx: Ctx): Connection => ctx.locals.connection as Connection;
