import { z } from 'zod';

// zod schemas of what the WhatsApp Cloud API sends and answers (vendor-protocols §7; Meta's webhooks
// reference, `messages` field). Loose objects: Meta adds fields without notice, and a new one must never
// turn a genuine webhook into an error. Arrays are bounded (a loop over a webhook body must be too).

const Str = (max: number) => z.string().max(max);

/**
 * A shared contact card, read leniently: a field of the wrong type is dropped rather than refusing the whole
 * webhook (Meta would resend the batch), and never reaches code that expects a string.
 */
const CardText = Str(500).optional().catch(undefined);
export const ContactCard = z.looseObject({
  name: z.looseObject({ formatted_name: CardText, first_name: CardText, last_name: CardText }).optional().catch(undefined),
  phones: z.array(z.looseObject({ phone: CardText, wa_id: CardText }).catch({})).max(20).optional().catch(undefined),
  emails: z.array(z.looseObject({ email: CardText }).catch({})).max(20).optional().catch(undefined),
  org: z.looseObject({ company: CardText }).optional().catch(undefined),
});
export type ContactCard = z.output<typeof ContactCard>;

export const WaMedia = z.looseObject({
  id: Str(200).min(1),
  mime_type: Str(200).optional(),
  sha256: Str(200).optional(),
  caption: Str(4000).optional(),
  filename: Str(1000).optional(),
});

const Reply = z.looseObject({ id: Str(1000).optional(), title: Str(1000).optional(), description: Str(1000).optional() });

export const WaInbound = z.looseObject({
  from: Str(50).min(1),
  id: Str(300).min(1),
  timestamp: z.union([z.string().max(20), z.number()]).optional(),
  type: Str(50),
  context: z.looseObject({ id: Str(300).optional(), from: Str(50).optional() }).optional(),
  text: z.looseObject({ body: Str(20_000) }).optional(),
  image: WaMedia.optional(),
  audio: WaMedia.optional(),
  video: WaMedia.optional(),
  document: WaMedia.optional(),
  sticker: WaMedia.optional(),
  location: z
    .looseObject({ latitude: z.coerce.number(), longitude: z.coerce.number(), name: Str(1000).optional(), address: Str(1000).optional(), url: Str(2000).optional() })
    .optional(),
  contacts: z.array(ContactCard).max(50).optional(),
  reaction: z.looseObject({ message_id: Str(300).optional(), emoji: Str(50).optional() }).optional(),
  interactive: z.looseObject({ type: Str(50), button_reply: Reply.optional(), list_reply: Reply.optional() }).optional(),
  button: z.looseObject({ text: Str(1000).optional(), payload: Str(2000).optional() }).optional(),
  order: z.looseObject({ product_items: z.array(z.unknown()).max(100).optional() }).optional(),
});
export type WaInbound = z.output<typeof WaInbound>;

export const WaStatusError = z.looseObject({
  code: z.number().int(),
  title: Str(500).optional(),
  message: Str(2000).optional(),
  error_data: z.looseObject({ details: Str(2000).optional() }).optional(),
});
export type WaStatusError = z.output<typeof WaStatusError>;

export const WaStatus = z.looseObject({
  id: Str(300).min(1),
  status: Str(50),
  timestamp: z.union([z.string().max(20), z.number()]).optional(),
  recipient_id: Str(50).optional(),
  biz_opaque_callback_data: Str(1000).optional(),
  errors: z.array(WaStatusError).max(20).optional(),
});
export type WaStatus = z.output<typeof WaStatus>;

export const WaValue = z.looseObject({
  messaging_product: Str(50).optional(),
  metadata: z.looseObject({ phone_number_id: Str(50), display_phone_number: Str(50).optional() }).optional(),
  contacts: z.array(z.looseObject({ wa_id: Str(50).optional(), profile: z.looseObject({ name: Str(500).optional() }).optional() })).max(1000).optional(),
  messages: z.array(WaInbound).max(1000).optional(),
  statuses: z.array(WaStatus).max(1000).optional(),
});
export type WaValue = z.output<typeof WaValue>;

export const WaEntry = z.looseObject({
  id: Str(100),
  changes: z.array(z.looseObject({ field: Str(100), value: z.unknown() })).max(1000).optional(),
});

/** The POST body: `{"object":"whatsapp_business_account","entry":[…]}`. */
export const WaWebhook = z.looseObject({ object: Str(100), entry: z.array(WaEntry).max(1000) });

/** The messages API's answer: `{messaging_product, contacts: [{input, wa_id}], messages: [{id}]}`. */
export const SendAnswer = z.looseObject({
  contacts: z.array(z.looseObject({ wa_id: Str(50).optional() })).optional(),
  messages: z.array(z.looseObject({ id: Str(300).min(1) })).optional(),
});

/** `GET /{media-id}`: where to download a customer's file (a short-lived URL that needs the token). */
export const MediaInfo = z.looseObject({ url: Str(4000).min(1), mime_type: Str(200).optional(), file_size: z.number().optional(), sha256: Str(200).optional() });
