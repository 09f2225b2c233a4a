// One exchange with a vendor, as the console's event inspector shows it: a request Parley sent to a vendor
// API (`out`) or a webhook a vendor sent to Parley (`in`). Everything in it is already masked (traffic-mask.ts):
// credentials always, the customer's PII when the conversation's route has a policy. Served to admins only
// (GET /v1/admin/conversations/:id/vendor-traffic, and `vendor` frames on a watch).

export type TrafficDirection = 'out' | 'in';

/** A masked message half: headers, and the body cut to an excerpt (or why it was not kept). */
export interface TrafficMessage {
  headers: Record<string, string>;
  /** The masked body, cut to MAX_BODY_CHARS; absent when empty or not kept (see `omitted`). */
  body?: string;
  /** The body's size in bytes as it went over the wire. */
  bytes: number;
  /** The excerpt is shorter than the masked body. */
  truncated?: true;
  /** Why the body was not kept: binary, too large to mask cheaply, or nobody to mask it for. */
  omitted?: string;
}

export interface VendorTrafficRecord {
  /** Unique on this node (`vt_…`), so a client merging REST and live frames drops repeats. */
  id: string;
  direction: TrafficDirection;
  /** When the request started (out) or arrived (in). */
  at: string;
  /** The adapter instance, `<type>:<instance>` (`genesys:gc`, `twilio-sms:sms`). */
  adapter: string;
  /** A stable label of the call (`sendMessage`, `POST /api/v2/…`), outbound only. */
  operation?: string;
  method: string;
  /** Outbound: the full URL; inbound: the path and query Parley received. Credential parameters masked. */
  url: string;
  /** Outbound: the send within one call (1 = first; a resend after a 401 refresh counts). */
  attempt?: number;
  /** The HTTP status: the vendor's answer (out) or Parley's answer to the vendor (in). */
  status?: number;
  /** Outbound sends that got no answer: a network error, the attempt's timeout, or the caller gave up. */
  failure?: 'network' | 'timeout' | 'aborted';
  /** The network error code (`ECONNREFUSED`) or AWS's error name. */
  error?: string;
  durationMs: number;
  request: TrafficMessage;
  response?: TrafficMessage;
}
