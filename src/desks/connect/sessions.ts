import { z } from 'zod';
import type { DeskReports } from '../../hub/desk-reports.js';
import { KeyedMutex } from '../../hub/keyed-mutex.js';
import type { Sealer } from './sealed.js';

// What Parley keeps per conversation about its Connect chat: the contact (its InitialContactId, the customer
// participant and its ParticipantToken, and which contact this is for the conversation — a conversation
// whose chat ended at Connect before Parley heard of it starts another), and the current connection token
// with its expiry. Durable in the external id map, so a restart finds them: the contact id in the clear
// (kind `contact`: SNS notifications are routed by it), the tokens only sealed (sealed.ts; kinds
// `participant` and `connection`, whose newest row per conversation is the current one). A cache in memory
// spares the database and the decryption on every send.
//
// Every change for one conversation runs under its own lock (`exclusive`), so a delivery, a typing signal and
// a webhook fetching an attachment never start two contacts or refresh one token twice.

export const KIND = { contact: 'contact', participant: 'participant', connection: 'connection', streaming: 'streaming' } as const;

const ContactRecord = z.object({
  contactId: z.string().min(1),
  participantId: z.string().min(1),
  participantToken: z.string().min(1),
  generation: z.number().int().min(0),
  /** The Parley event whose first text went as the chat's InitialMessage (a resend of it must skip that text). */
  initialEventId: z.string().optional(),
});
export type ContactRecord = z.infer<typeof ContactRecord>;
const ConnectionRecord = z.object({ contactId: z.string().min(1), token: z.string().min(1), expiresAt: z.number() });
export type ConnectionRecord = z.infer<typeof ConnectionRecord>;

interface Cached {
  contact?: ContactRecord | undefined;
  connection?: ConnectionRecord | undefined;
}

export class Sessions {
  private readonly cache = new Map<string, Cached>();
  private readonly locks = new KeyedMutex();

  constructor(
    private readonly reports: () => DeskReports,
    private readonly sealer: () => Sealer,
  ) {}

  exclusive<T>(conversationId: string, task: () => Promise<T>): Promise<T> {
    return this.locks.run(conversationId, task);
  }

  async contact(conversationId: string): Promise<ContactRecord | undefined> {
    const cached = this.cache.get(conversationId);
    if (cached?.contact) return cached.contact;
    const contact = await this.load(KIND.participant, conversationId, ContactRecord);
    if (contact) this.entry(conversationId).contact = contact;
    return contact;
  }

  async saveContact(conversationId: string, c: ContactRecord): Promise<void> {
    const reports = this.reports();
    // The contact id first: a notification about the new chat can then find the conversation at once.
    await reports.link(KIND.contact, c.contactId, conversationId);
    await reports.link(KIND.participant, this.sealer().seal(JSON.stringify(c)), conversationId);
    const e = this.entry(conversationId);
    e.contact = c;
    e.connection = undefined;
  }

  /** The current connection of the current contact, if any (expired or not: the caller decides). */
  async connection(conversationId: string, contactId: string): Promise<ConnectionRecord | undefined> {
    const cached = this.cache.get(conversationId)?.connection;
    if (cached) return cached.contactId === contactId ? cached : undefined;
    const conn = await this.load(KIND.connection, conversationId, ConnectionRecord);
    if (!conn || conn.contactId !== contactId) return undefined;
    this.entry(conversationId).connection = conn;
    return conn;
  }

  async saveConnection(conversationId: string, c: ConnectionRecord): Promise<void> {
    await this.reports().link(KIND.connection, this.sealer().seal(JSON.stringify(c)), conversationId);
    this.entry(conversationId).connection = c;
  }

  forgetConnection(conversationId: string): void {
    const e = this.cache.get(conversationId);
    if (e) e.connection = undefined;
  }

  async streaming(contactId: string): Promise<boolean> {
    return (await this.reports().find(KIND.streaming, contactId)) !== undefined;
  }

  async saveStreaming(contactId: string, streamingId: string): Promise<void> {
    await this.reports().link(KIND.streaming, contactId, streamingId);
  }

  /** The Parley conversation a Connect contact (InitialContactId) belongs to. */
  conversationOf(contactId: string): Promise<string | undefined> {
    return this.reports().find(KIND.contact, contactId);
  }

  private entry(conversationId: string): Cached {
    let e = this.cache.get(conversationId);
    if (!e) {
      e = {};
      this.cache.set(conversationId, e);
      // A bound on memory; evicted entries are read back from the database when needed.
      if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value!);
    }
    return e;
  }

  private async load<T>(kind: string, conversationId: string, schema: z.ZodType<T>): Promise<T | undefined> {
    const sealed = await this.reports().externalOf(kind, conversationId);
    if (!sealed) return undefined;
    const plain = this.sealer().open(sealed);
    // Sealed under another key (the token signing key changed): as good as no token. The desk then starts
    // another contact for the conversation, which is what it does for an ended chat too.
    if (plain === undefined) return undefined;
    const parsed = schema.safeParse(JSON.parse(plain));
    return parsed.success ? parsed.data : undefined;
  }
}
