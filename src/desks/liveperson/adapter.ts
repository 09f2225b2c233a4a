import { VendorDesk } from '../../vendor/vendor-desk.js';
import { createHash } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { Capabilities, DeliveryJob, DeliveryOutcome, SignalJob } from '../../core/adapter.js';
import { ParleyError } from '../../core/errors.js';
import type { Conversation, StoredEvent } from '../../core/model.js';
import type { MediaPart, Part } from '../../core/parts.js';
import { KeyedMutex } from '../../hub/keyed-mutex.js';
import { copyVendorMedia, VendorMediaError } from '../../media/vendor-media.js';
import { adapterType } from '../../switchboard/types.js';
import type { Webhook } from '../../switchboard/webhooks.js';
import { RateBudget } from '../../vendor/rate-budget.js';
import { LivePersonAuth } from './auth.js';
import { LivePersonApi } from './outbound.js';
import { fileTypeOf, mimeOf, toLivePerson } from './parts.js';
import type { HostedFile } from './payloads.js';
import { LivePersonSettings } from './settings.js';
import { livePersonWebhook } from './webhook.js';
import type { z } from 'zod';

// The `liveperson` desk: LivePerson Conversational Cloud through the Connector API (vendor-protocols §4).
// Parley acts as each customer's consumer: customer → LivePerson goes through deliver() (the outbox, in seq
// order, retried) and signal() (typing); LivePerson → customer comes in on the webhook (webhook.ts), every
// change through DeskReports. What the LivePerson demo did in the browser (tokens, payloads) happens here,
// server-side, and no LivePerson credential ever reaches a browser.
//
// What the desk `wants` from the log, and why:
// - customer messages: what the agent must see (text as ContentEvents; files as hosted files, uploaded
//   first; rich parts as readable text);
// - the customer's receipts: ACCEPT/READ AcceptStatusEvents naming the agent messages' sequences, each once;
// - conversation.ended from the customer (or Parley): the LivePerson conversation is closed;
// - delivery.failed of the customer's leg: a NACK for the agent message that could not reach them.
//
// The customer is `ext_consumer_id` `parley:<contact id>`: stable, so the same customer is the same
// LivePerson consumer in every conversation, and it names no personal data.

/** Ids LivePerson and Parley share, by kind in the external id map. */
export const REF = {
  /** A LivePerson conversation id → the Parley conversation. */
  conversation: 'conversation',
  /** `<dialogId>:<sequence>` of a message (either side's) → the Parley event. */
  message: 'message',
  /** `<event id>#<n>` → `<dialogId>:<sequence>` of part n of a customer message LivePerson took: a resend skips it. */
  part: 'part',
  /** `<dialogId>:<sequence>:<ACCEPT|READ|NACK>` of an agent message the customer's side confirmed → the event. */
  receipt: 'receipt',
  /** A post-conversation survey dialog id → the Parley conversation it belongs to. */
  survey: 'survey',
} as const;

export class LivePersonDesk extends VendorDesk {
  readonly capabilities: Capabilities = { typing: true, receipts: true, parts: ['text', 'media', 'quick_replies', 'buttons'], maxMediaBytes: 5 * 1024 * 1024 };
  readonly auth: LivePersonAuth;
  readonly api: LivePersonApi;
  readonly webhooks: readonly Webhook[];
  readonly callBudgetMs: number;
  private readonly order = new KeyedMutex();
  private readonly opening = new KeyedMutex();

  constructor(
    id: string,
    readonly settings: LivePersonSettings,
    readonly log: FastifyBaseLogger,
  ) {
    super(id);
    // A message with a file: an upload URL, the upload, then the event — each within the total.
    this.callBudgetMs = settings.totalTimeoutMs;
    const name = `liveperson:${id}`;
    const budget = new RateBudget({ name, limit: settings.rateLimitPerSecond, windowMs: 1_000 });
    this.auth = new LivePersonAuth({ name, settings, log, budget });
    this.api = new LivePersonApi(this.auth, settings.accountId, ['AUTO_MESSAGES', 'RICH_CONTENT', 'QUICK_REPLIES', 'MULTI_DIALOG']);
    this.webhooks = [livePersonWebhook(this)];
  }

  /** The customer's stable LivePerson consumer id. */
  extOf(c: Pick<Conversation, 'contactId'>): string {
    return `parley:${c.contactId}`;
  }

  /** Handles one LivePerson conversation's notifications one at a time (LivePerson keeps their order). */
  inOrder<T>(lpConversationId: string, task: () => Promise<T>): Promise<T> {
    return this.order.run(lpConversationId, task);
  }

  /** The Parley conversation a LivePerson conversation (or survey dialog) id belongs to. */
  async conversationOf(lpId: string): Promise<Conversation | undefined> {
    const id = (await this.reports.find(REF.conversation, lpId)) ?? (await this.reports.find(REF.survey, lpId));
    return id ? this.reports.conversation(id).catch(() => undefined) : undefined;
  }

  async deliver(job: DeliveryJob, signal: AbortSignal): Promise<DeliveryOutcome> {
    const { event, conversation } = job;
    switch (event.kind) {
      case 'message':
        return this.deliverMessage(job, event, signal);
      case 'receipt':
        await this.confirm(conversation, event.through, event.receipt === 'read' ? 'READ' : 'ACCEPT', signal);
        return { status: 'sent' };
      case 'delivery.failed':
        await this.nack(conversation, event.failedSeq, signal);
        return { status: 'sent' };
      case 'conversation.ended':
        await this.close(conversation, signal);
        return { status: 'sent' };
      default:
        return { status: 'sent' };
    }
  }

  private async deliverMessage(job: DeliveryJob, event: Extract<StoredEvent, { kind: 'message' }>, signal: AbortSignal): Promise<DeliveryOutcome> {
    const { conversation } = job;
    const ext = this.extOf(conversation);
    const lpId = await this.ensureConversation(job, signal);
    // During a post-conversation survey the customer answers in its dialog.
    const dialogId = (await this.reports.externalOf(REF.survey, conversation.id)) ?? lpId;
    const out = toLivePerson(event.parts);
    if (out.length === 0) throw new ParleyError('DELIVERY_REJECTED', 'Nothing in this message can be sent to LivePerson.');
    let first: string | undefined;
    for (const [n, item] of out.entries()) {
      const partKey = `${event.id}#${n}`;
      let ref = await this.reports.find(REF.part, partKey);
      if (!ref) {
        const content = item.kind === 'text' ? { type: 'ContentEvent', contentType: 'text/plain', message: item.text } : await this.hostedFile(ext, item.media, signal);
        const sequence = await this.api.publish(ext, dialogId, lpId, content, signal);
        if (sequence === undefined) throw new ParleyError('DELIVERY_UNAVAILABLE', 'LivePerson answered a message without its sequence.', { details: { vendor: 'liveperson' } });
        ref = `${dialogId}:${sequence}`;
        await this.reports.link(REF.part, partKey, ref);
        await this.reports.link(REF.message, ref, event.id);
      }
      first ??= ref;
    }
    return { status: 'sent', ...(first ? { externalId: first } : {}) };
  }

  /**
   * The LivePerson conversation of a Parley conversation, opened on its first customer message: the
   * customer's profile, then the request (the route's queue as skill, else the settings' skill or campaign).
   * One at a time per conversation, so two messages never open two.
   */
  private ensureConversation(job: DeliveryJob, signal: AbortSignal): Promise<string> {
    const c = job.conversation;
    return this.opening.run(c.id, async () => {
      const known = await this.reports.externalOf(REF.conversation, c.id);
      if (known) return known;
      const s = this.settings;
      const skill = typeof c.context.deskQueue === 'string' && /^(-1|\d{1,20})$/.test(c.context.deskQueue) ? c.context.deskQueue : s.skillId;
      const name = job.contact?.name?.trim();
      const [firstname, ...rest] = name ? name.split(/\s+/) : [];
      const profile = { authenticatedData: { lp_sdes: sdesOf(c, firstname, rest.join(' ')) } };
      const request = {
        ttrDefName: s.ttrDefName,
        channelType: 'MESSAGING',
        brandId: s.accountId,
        ...(s.campaignId && s.engagementId ? { campaignInfo: { campaignId: s.campaignId, engagementId: s.engagementId } } : { skillId: skill }),
        conversationContext: { type: 'SharkContext', lang: 'en-US', visitorId: createHash('sha256').update(c.contactId).digest('hex').slice(0, 22), sessionId: c.id, interactionContextId: '2' },
      };
      const lpId = await this.api.open(this.extOf(c), profile, request, signal);
      await this.reports.link(REF.conversation, lpId, c.id);
      return lpId;
    });
  }

  /** Uploads a customer's file to LivePerson's file store; the `hosted/file` ContentEvent naming it. */
  private async hostedFile(ext: string, media: MediaPart, signal: AbortSignal): Promise<Record<string, unknown>> {
    const fileType = fileTypeOf(media.mime);
    const bytes = fileType ? await this.readBlob(media.mediaId) : undefined;
    // A type LivePerson does not host, or a file gone from the store: the agent gets its name as text.
    if (!fileType || !bytes) return { type: 'ContentEvent', contentType: 'text/plain', message: `[file${media.name ? `: ${media.name}` : ''}${media.caption ? `] ${media.caption}` : ']'}` };
    const url = await this.api.fileUrl(ext, 'upload', { fileSize: String(bytes.length), fileType }, signal);
    const swift = await this.api.swift();
    const put = await swift.request({ method: 'PUT', path: url.relativePath, query: url.query, bytes, contentType: media.mime ?? 'application/octet-stream', idempotent: true, operation: 'uploadFile', signal, timeoutMs: this.settings.mediaTimeoutMs });
    if (put.status >= 300) throw new ParleyError('DELIVERY_UNAVAILABLE', `LivePerson's file store answered ${put.status}.`, { details: { vendor: 'liveperson' } });
    return { type: 'ContentEvent', contentType: 'hosted/file', message: { caption: media.caption ?? media.name ?? 'file', relativePath: url.relativePath, fileType } };
  }

  /** A stored file's bytes, if it is there and within what LivePerson hosts. */
  private async readBlob(mediaId: string): Promise<Uint8Array<ArrayBuffer> | undefined> {
    const blob = await this.rt.blobs.get(mediaId).catch(() => undefined);
    if (!blob || blob.size > this.capabilities.maxMediaBytes!) {
      blob?.stream.destroy();
      return undefined;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of blob.stream) chunks.push(Buffer.from(chunk as Uint8Array));
    return new Uint8Array(Buffer.concat(chunks));
  }

  /** A file an agent sent (`hosted/file`), copied into the blob store at once; its name as text when it cannot be. */
  async fetchFile(conversation: Conversation, file: z.output<typeof HostedFile>): Promise<Part> {
    const rt = this.rt;
    try {
      const url = await this.api.fileUrl(this.extOf(conversation), 'download', { relativePath: file.relativePath });
      const swift = await this.api.swift();
      const href = new URL(url.relativePath.replace(/^\/+/, ''), swift.baseUrl);
      for (const [k, v] of Object.entries(url.query)) href.searchParams.set(k, v);
      if (new URL(swift.baseUrl).origin !== href.origin) throw new VendorMediaError('outside the file store', true);
      return await copyVendorMedia(
        { db: rt.hub.db, blobs: rt.blobs, mediaTypes: rt.config.mediaTypes, maxBytes: rt.config.mediaMaxBytes },
        { url: href.toString(), mime: mimeOf(file.fileType), caption: file.caption, owner: `desk:${this.id}`, timeoutMs: this.settings.mediaTimeoutMs },
      );
    } catch (e) {
      if (e instanceof VendorMediaError && !e.permanent) throw new ParleyError('UNAVAILABLE', 'A LivePerson file could not be fetched yet: retry.', { retryAfterMs: 5_000 });
      if (e instanceof ParleyError && e.retryable) throw new ParleyError('UNAVAILABLE', 'A LivePerson file could not be fetched yet: retry.', { retryAfterMs: 5_000 });
      return { type: 'text', text: `[file${file.caption ? `: ${file.caption.slice(0, 200)}` : ''}: it could not be fetched from LivePerson]` };
    }
  }

  /** ACCEPT/READ for the agent messages the customer's side now has (through `through`), each once. */
  private async confirm(c: Conversation, through: number, status: 'ACCEPT' | 'READ', signal: AbortSignal): Promise<void> {
    const byDialog = new Map<string, { seqs: number[]; refs: [string, string][] }>();
    for await (const { eventId, vendorId } of this.reports.unconfirmedAgentMessages(c.id, through, { message: REF.message, receipt: `${REF.receipt}:${status}` })) {
      const [dialogId, seq] = splitRef(vendorId);
      const d = byDialog.get(dialogId) ?? { seqs: [], refs: [] };
      d.seqs.push(seq);
      d.refs.push([vendorId, eventId]);
      byDialog.set(dialogId, d);
    }
    const lpId = await this.reports.externalOf(REF.conversation, c.id);
    if (!lpId) return;
    for (const [dialogId, d] of byDialog) {
      await this.api.publish(this.extOf(c), dialogId, lpId, { type: 'AcceptStatusEvent', status, sequenceList: d.seqs }, signal);
      for (const [ref, eventId] of d.refs) await this.reports.link(`${REF.receipt}:${status}`, ref, eventId);
    }
  }

  /** The customer's side could not get an agent message: NACK its sequence. */
  private async nack(c: Conversation, seq: number, signal: AbortSignal): Promise<void> {
    const e = await this.rt.hub.tx((tx) => tx.getEventBySeq(c.id, seq));
    if (!e || e.kind !== 'message' || e.origin !== 'desk') return;
    const ref = await this.reports.externalOf(REF.message, e.id);
    const lpId = await this.reports.externalOf(REF.conversation, c.id);
    if (!ref || !lpId) return;
    const [dialogId, sequence] = splitRef(ref);
    await this.api.publish(this.extOf(c), dialogId, lpId, { type: 'AcceptStatusEvent', status: 'NACK', sequenceList: [sequence] }, signal);
  }

  /** The customer (or Parley) ended: close the LivePerson conversation, so the agent's side ends too. */
  private async close(c: Conversation, signal: AbortSignal): Promise<void> {
    const lpId = await this.reports.externalOf(REF.conversation, c.id);
    if (!lpId) return; // LivePerson never heard of it
    await this.api.send(this.extOf(c), 'cm.UpdateConversationField', { conversationId: lpId, conversationField: { field: 'ConversationStateField', conversationState: 'CLOSE' } }, 'closeConversation', signal).catch((e: unknown) => {
      // Already closed at LivePerson (its agent closed it first): nothing left to close.
      if (e instanceof ParleyError && e.code === 'PARLEY_E_DELIVERY_REJECTED' && /clos/i.test(e.message)) return;
      throw e;
    });
  }

  /** A post-conversation survey opened: the customer's next messages answer it. */
  async linkSurvey(c: Conversation, dialogId: string): Promise<void> {
    await this.reports.link(REF.survey, dialogId, c.id);
  }

  /** Closes a survey dialog at once (settings.survey "skip"). */
  async closeSurvey(c: Conversation, lpId: string, dialogId: string): Promise<void> {
    await this.api.send(this.extOf(c), 'cm.UpdateConversationField', { conversationId: lpId, conversationField: { field: 'DialogChange', type: 'UPDATE', dialog: { dialogId, state: 'CLOSE', closedCause: 'Skipped by Parley' } } }, 'closeSurvey');
  }

  /** The customer typing: COMPOSING, then PAUSE when they stop (COMPOSING stays shown until another state). */
  async signal(job: SignalJob): Promise<void> {
    const { signal, conversation } = job;
    if (signal.type !== 'typing' || conversation.phase === 'ended') return;
    const lpId = await this.reports.externalOf(REF.conversation, conversation.id);
    if (!lpId) return;
    const dialogId = (await this.reports.externalOf(REF.survey, conversation.id)) ?? lpId;
    await this.api.publish(this.extOf(conversation), dialogId, lpId, { type: 'ChatStateEvent', chatState: signal.typing ? 'COMPOSING' : 'PAUSE' });
  }
}

/**
 * What the agent should see about the customer, as LivePerson engagement attributes (SDEs) in the consumer's
 * profile: their name, their Parley contact id (`ctmrinfo.customerId`), and the conversation's context (the
 * widget's or a bot's handover, the entry point) as `searchContent` keywords `key: value`, bounded.
 */
export function sdesOf(c: Pick<Conversation, 'contactId' | 'context'>, firstname: string | undefined, lastname: string): Record<string, unknown>[] {
  const keywords = Object.entries(c.context)
    .filter(([k]) => k !== 'deskQueue')
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`.slice(0, 200))
    .slice(0, 20);
  return [
    { type: 'ctmrinfo', info: { customerId: c.contactId } },
    ...(firstname ? [{ type: 'personal', personal: { firstname, lastname } }] : []),
    ...(keywords.length ? [{ type: 'searchContent', keywords }] : []),
  ];
}

function splitRef(ref: string): [string, number] {
  const i = ref.lastIndexOf(':');
  return [ref.slice(0, i), Number(ref.slice(i + 1))];
}

export const livePersonType = adapterType({
  type: 'liveperson',
  side: 'desk',
  settings: LivePersonSettings,
  create: ({ name, settings }, deps) => new LivePersonDesk(name, settings, deps.log),
});
