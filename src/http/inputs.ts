import { z } from 'zod';
import { Part } from '../core/parts.js';

// Request shapes shared by several routes (and by the stream's inbound frames).

export const SendMessage = z
  .object({
    clientMessageId: z.string().min(1).max(100),
    text: z.string().min(1).max(10_000).optional(),
    parts: z.array(Part).min(1).max(20).optional(),
  })
  .refine((v) => v.text !== undefined || (v.parts?.length ?? 0) > 0, { message: 'text or parts is required', path: ['text'] });
export type SendMessage = z.infer<typeof SendMessage>;

export const Typing = z.object({ typing: z.boolean() });
export const ReadUpTo = z.object({ seq: z.number().int().min(1) });
export const IdParam = z.object({ id: z.string().min(1).max(100) });
export const AfterQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});

/** A contact named by id or by one of its identities (admin API). */
export const ContactRef = z.union([
  z.object({ contactId: z.string().min(1) }),
  z.object({ identity: z.object({ channel: z.string().min(1).max(50), externalId: z.string().min(1).max(320) }) }),
]);
export type ContactRef = z.infer<typeof ContactRef>;
