import { z } from 'zod';

// zod schemas of what Twilio sends and answers. Loose objects: Twilio adds parameters without notice
// (its webhook docs say so), and a new one must never turn a genuine request into an error.

/** An incoming message (twilio.com/docs/messaging/guides/webhook-request), as form parameters. */
export const IncomingMessage = z.looseObject({
  MessageSid: z.string().min(1).max(64),
  AccountSid: z.string().min(1).max(64),
  From: z.string().min(1).max(100),
  To: z.string().min(1).max(100),
  Body: z.string().max(20_000).default(''),
  NumMedia: z.coerce.number().int().min(0).max(10).default(0),
  /** Only with Advanced Opt-Out on a Messaging Service: STOP, START or HELP. */
  OptOutType: z.string().max(20).optional(),
});
export type IncomingMessage = z.output<typeof IncomingMessage>;

/** A status callback (twilio.com/docs/messaging/guides/track-outbound-message-status). */
export const StatusCallback = z.looseObject({
  MessageSid: z.string().min(1).max(64),
  AccountSid: z.string().min(1).max(64),
  MessageStatus: z.string().min(1).max(40),
  ErrorCode: z.string().max(10).optional(),
});
export type StatusCallback = z.output<typeof StatusCallback>;

/** The Message resource the Messages API answers a create with (the fields Parley reads). */
export const MessageResource = z.looseObject({ sid: z.string().min(1).max(64), status: z.string().optional() });

/** Twilio's error body: `{ code, message, more_info, status }` (twilio.com/docs/usage/twilios-response). */
export const TwilioErrorBody = z.looseObject({ code: z.number().int(), message: z.string().max(2000).optional(), more_info: z.string().optional() });

export const SendAnswer = z.union([MessageResource, TwilioErrorBody]);
