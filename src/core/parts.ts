import { z } from 'zod';

// The parts a message is made of. Every channel and desk maps its own payloads to and from these, so a
// quick-reply sent from the inbox reaches SMS as numbered text and Messenger as real quick replies.

const title = z.string().min(1).max(200);
const payload = z.string().max(1000);
// Links in parts are rendered by every client; only web links, never javascript:, data: or file: URLs.
const httpUrl = z
  .string()
  .url()
  .max(2000)
  .refine((u) => /^https?:\/\//i.test(u), { message: 'must be an http(s) URL' });

export const TextPart = z.object({ type: z.literal('text'), text: z.string().min(1).max(10_000) });

export const MediaPart = z.object({
  type: z.literal('media'),
  mediaId: z.string().min(1).max(100),
  caption: z.string().max(2000).optional(),
  // Filled in by Parley when the part is read back, never trusted from a client.
  mime: z.string().optional(),
  size: z.number().int().optional(),
  name: z.string().max(255).optional(),
  url: z.string().optional(),
});

export const QuickRepliesPart = z.object({
  type: z.literal('quick_replies'),
  text: z.string().max(2000).optional(),
  replies: z.array(z.object({ title, payload: payload.optional() })).min(1).max(13),
});

export const ButtonsPart = z.object({
  type: z.literal('buttons'),
  text: z.string().max(2000).optional(),
  buttons: z
    .array(z.object({ title, payload: payload.optional(), url: httpUrl.optional() }))
    .min(1)
    .max(10),
});

export const QrPart = z.object({ type: z.literal('qr'), content: z.string().min(1).max(2000) });

export const LocationPart = z.object({
  type: z.literal('location'),
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  name: z.string().max(200).optional(),
  address: z.string().max(500).optional(),
});

export const Part = z.discriminatedUnion('type', [
  TextPart,
  MediaPart,
  QuickRepliesPart,
  ButtonsPart,
  QrPart,
  LocationPart,
]);
export type Part = z.infer<typeof Part>;
export type MediaPart = z.infer<typeof MediaPart>;

export const Parts = z.array(Part).min(1).max(20);

/** A send request carries either `text` (shorthand) or `parts`, or both; this folds them into one list. */
export function partsOf(input: { text?: string | undefined; parts?: Part[] | undefined }): Part[] {
  const parts: Part[] = [];
  if (input.text !== undefined && input.text.length > 0) parts.push({ type: 'text', text: input.text });
  if (input.parts) parts.push(...input.parts);
  return parts;
}

/** Plain-text rendering, for transcripts, notifications and channels without rich parts. */
export function partsToText(parts: Part[]): string {
  return parts
    .map((p) => {
      switch (p.type) {
        case 'text':
          return p.text;
        case 'media':
          return `[${p.mime?.startsWith('image/') ? 'image' : 'file'}${p.name ? `: ${p.name}` : ''}]${p.caption ? ` ${p.caption}` : ''}`;
        case 'quick_replies':
          return [p.text, ...p.replies.map((r, i) => `${i + 1}. ${r.title}`)].filter(Boolean).join('\n');
        case 'buttons':
          return [p.text, ...p.buttons.map((b) => (b.url ? `${b.title}: ${b.url}` : b.title))].filter(Boolean).join('\n');
        case 'qr':
          return `[QR code: ${p.content}]`;
        case 'location':
          return `[location: ${p.name ?? ''} ${p.lat},${p.lng}]`.replace('  ', ' ');
      }
    })
    .join('\n');
}
