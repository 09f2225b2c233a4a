import type { Conversation } from '../core/model.js';
import type { RedactionPolicy } from '../core/redaction.js';
import { finishMessage, finishUrl, holdMessage, maskUrl, type HeaderSource, type HeldMessage } from './traffic-mask.js';
import type { TrafficDirection, VendorTrafficRecord } from './traffic-record.js';

// The recent vendor traffic of each conversation, for the console's event inspector: what the LivePerson
// demo's request and notification consoles showed, for every vendor adapter. Kept briefly, in memory, on
// this node only (lost on restart, never written to the database), and bounded however busy the node is:
// a ring of the last PER_CONVERSATION records per conversation, at most MAX_CONVERSATIONS conversations
// (least recently used first out) and MAX_BYTES of records in all. Records are masked before they are kept
// (traffic-mask.ts). Capture always runs — the inspector may be opened on a conversation after the fact —
// but costs one parse and one serialisation of a body of at most a few KB per vendor request.

export const PER_CONVERSATION = 200;
export const MAX_CONVERSATIONS = 500;
export const MAX_BYTES = 32 * 1024 * 1024;
export const MAX_UNATTRIBUTED = 100;

/** What the masking needs of a conversation: its id, and what finds its route's PII policy. */
export type TrafficConversation = Pick<Conversation, 'id' | 'channel' | 'context'>;

/** One half of an exchange as captured, before masking. */
export interface RawMessage {
  headers: HeaderSource;
  body?: string | Uint8Array | undefined;
}

/** One exchange as captured by the vendor client, the AWS middleware or the webhook route. */
export interface RawExchange {
  direction: TrafficDirection;
  startedAt: number;
  adapter: string;
  operation?: string;
  method: string;
  url: string;
  attempt?: number;
  status?: number;
  failure?: VendorTrafficRecord['failure'];
  error?: string;
  durationMs: number;
  request: RawMessage;
  response?: RawMessage;
  /** Credential values the caller used for this request (its Authorization value, a form's client_secret). */
  secrets?: readonly string[];
}

/** An exchange with its credentials masked, not yet attributed. */
export interface HeldExchange extends Omit<VendorTrafficRecord, 'request' | 'response' | 'at'> {
  at: string;
  request: HeldMessage;
  response?: HeldMessage;
}

export interface VendorTrafficOptions {
  /** Live records for the conversation's watchers (the bus's `conversation:<id>` topic). */
  publish?: (conversationId: string, record: VendorTrafficRecord) => void;
  /** The conversation's route policy (Adapters.redactionFor). */
  redactionFor?: (c: TrafficConversation) => RedactionPolicy | undefined;
  /** Whether any route has a PII policy: then an unattributed record keeps no body (no policy to apply). */
  anyPolicy?: boolean;
  /** Every configured instance's secret values (Adapters.secretValues). */
  secrets?: readonly string[];
  perConversation?: number;
  maxConversations?: number;
  maxBytes?: number;
}

interface Ring {
  records: VendorTrafficRecord[];
  bytes: number;
}

let counter = 0;
const nextId = (): string => `vt_${Date.now().toString(36)}${(counter++ & 0xffff).toString(36).padStart(4, '0')}`;

export class VendorTraffic {
  private readonly rings = new Map<string, Ring>();
  private readonly loose: VendorTrafficRecord[] = [];
  private bytes = 0;
  private readonly perConversation: number;
  private readonly maxConversations: number;
  private readonly maxBytes: number;

  constructor(private readonly opts: VendorTrafficOptions = {}) {
    this.perConversation = opts.perConversation ?? PER_CONVERSATION;
    this.maxConversations = opts.maxConversations ?? MAX_CONVERSATIONS;
    this.maxBytes = opts.maxBytes ?? MAX_BYTES;
  }

  /** Stage 1 of the masking (credentials), at capture: nothing secret is held past this call. */
  hold(raw: RawExchange): HeldExchange {
    const secrets = [...(this.opts.secrets ?? []), ...(raw.secrets ?? [])];
    const held: HeldExchange = {
      id: nextId(),
      direction: raw.direction,
      at: new Date(raw.startedAt).toISOString(),
      adapter: raw.adapter,
      method: raw.method,
      url: maskUrl(raw.url, secrets),
      durationMs: raw.durationMs,
      request: holdMessage(raw.request.headers, raw.request.body, secrets),
    };
    if (raw.operation !== undefined) held.operation = raw.operation;
    if (raw.attempt !== undefined) held.attempt = raw.attempt;
    if (raw.status !== undefined) held.status = raw.status;
    if (raw.failure !== undefined) held.failure = raw.failure;
    if (raw.error !== undefined) held.error = raw.error;
    if (raw.response) held.response = holdMessage(raw.response.headers, raw.response.body, secrets);
    return held;
  }

  /** Keep an exchange on a conversation (its route's PII rules applied), and show it to its watchers. */
  keep(c: TrafficConversation, h: HeldExchange): void {
    const rules = this.opts.redactionFor?.(c)?.rules;
    const record = finish(h, rules, false);
    const size = sizeOf(record);
    let ring = this.rings.get(c.id);
    if (ring) this.rings.delete(c.id); // re-inserted below: the map's order is least recently used first
    else ring = { records: [], bytes: 0 };
    this.rings.set(c.id, ring);
    ring.records.push(record);
    ring.bytes += size;
    this.bytes += size;
    while (ring.records.length > this.perConversation) {
      const gone = sizeOf(ring.records.shift()!);
      ring.bytes -= gone;
      this.bytes -= gone;
    }
    for (const [id, r] of this.rings) {
      if (this.rings.size <= this.maxConversations && this.bytes <= this.maxBytes) break;
      if (id === c.id) continue;
      this.rings.delete(id);
      this.bytes -= r.bytes;
    }
    this.opts.publish?.(c.id, record);
  }

  /** An exchange no conversation claimed (a webhook that touched none): kept apart, bodies only without PII policies. */
  keepUnattributed(h: HeldExchange): void {
    this.loose.push(finish(h, undefined, this.opts.anyPolicy === true));
    if (this.loose.length > MAX_UNATTRIBUTED) this.loose.shift();
  }

  /**
   * A conversation's records, newest first by when each exchange began (a webhook is kept once answered,
   * after the requests made while handling it; ISO times of one clock compare as text).
   */
  recent(conversationId: string, limit = this.perConversation): VendorTrafficRecord[] {
    const records = this.rings.get(conversationId)?.records ?? [];
    return records
      .slice(-limit)
      .reverse()
      .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
  }

  /** Records attributed to no conversation, newest first. */
  unattributed(limit = MAX_UNATTRIBUTED): VendorTrafficRecord[] {
    return this.loose.slice(-limit).reverse();
  }

  /** What is held, for tests and metrics. */
  stats(): { conversations: number; bytes: number; unattributed: number } {
    return { conversations: this.rings.size, bytes: this.bytes, unattributed: this.loose.length };
  }
}

function finish(h: HeldExchange, rules: RedactionPolicy['rules'] | undefined, dropBodies: boolean): VendorTrafficRecord {
  const { request, response, url, ...rest } = h;
  const record: VendorTrafficRecord = { ...rest, url: finishUrl(url, rules), request: finishMessage(request, rules, dropBodies) };
  if (response) record.response = finishMessage(response, rules, dropBodies);
  return record;
}

/** Roughly what a record holds in memory: its texts, plus a fixed overhead. */
function sizeOf(r: VendorTrafficRecord): number {
  let n = 256 + r.url.length;
  for (const m of [r.request, r.response]) {
    if (!m) continue;
    n += m.body?.length ?? 0;
    for (const [k, v] of Object.entries(m.headers)) n += k.length + v.length + 16;
  }
  return n;
}
