import { z } from 'zod';

// zod schemas of what Messenger sends and answers (vendor-protocols §5.3, §5.4). Loose objects: Meta adds
// fields without notice, and a new one must never turn a genuine webhook into an error. Arrays are bounded
// (a webhook body is at most Parley's body limit anyway, but a loop over it must be too).

const Id = z.looseObject({ id: z.string().min(1).max(100) });

export const Attachment = z.looseObject({
  type: z.string().min(1).max(50),
  payload: z
    .looseObject({
      url: z.string().max(4000).optional(),
      title: z.string().max(1000).optional(),
      sticker_id: z.union([z.number(), z.string()]).optional(),
      coordinates: z.looseObject({ lat: z.number(), long: z.number() }).optional(),
    })
    .nullish(),
  title: z.string().max(1000).optional(),
  url: z.string().max(4000).optional(),
});
export type Attachment = z.output<typeof Attachment>;

export const MessagingEvent = z.looseObject({
  sender: Id,
  recipient: Id,
  timestamp: z.number().optional(),
  message: z
    .looseObject({
      mid: z.string().min(1).max(300),
      text: z.string().max(20_000).optional(),
      is_echo: z.boolean().optional(),
      app_id: z.union([z.number(), z.string()]).optional(),
      quick_reply: z.looseObject({ payload: z.string().max(1000) }).optional(),
      attachments: z.array(Attachment).max(20).optional(),
    })
    .optional(),
  postback: z.looseObject({ mid: z.string().max(300).optional(), title: z.string().max(1000).optional(), payload: z.string().max(1000).optional() }).optional(),
  delivery: z.looseObject({ mids: z.array(z.string().max(300)).max(1000).optional(), watermark: z.number() }).optional(),
  read: z.looseObject({ watermark: z.number() }).optional(),
});
export type MessagingEvent = z.output<typeof MessagingEvent>;

/**
 * One entry of the batch. Its `messaging` items are read one by one (MessagingEvent, in webhook.ts): an item
 * Parley cannot read — a checkbox plugin's opt-in has no `sender`, only `optin.user_ref` — is skipped, and
 * must not make Meta resend the whole batch, the customers' messages in it included, for days.
 */
export const PageEntry = z.looseObject({
  id: z.string().min(1).max(100),
  time: z.number().optional(),
  messaging: z.array(z.unknown()).max(1000).optional(),
});

/** The POST body: `{"object":"page","entry":[…]}`. */
export const PageWebhook = z.looseObject({ object: z.string().max(100), entry: z.array(PageEntry).max(1000) });

/** The Send API's answer: `{recipient_id, message_id}` (a sender action: `{recipient_id}` only). */
export const SendAnswer = z.looseObject({ recipient_id: z.string().optional(), message_id: z.string().min(1).max(300).optional() });

/** The User Profile API's answer (the fields Parley asks for). */
export const Profile = z.looseObject({ first_name: z.string().max(200).optional(), last_name: z.string().max(200).optional(), name: z.string().max(400).optional() });
