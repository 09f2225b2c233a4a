import { createHmac } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import { ParleyError } from '../core/errors.js';
import { staticAuth } from './auth.js';
import { VendorHttp } from './http-client.js';
import { RateBudget } from './rate-budget.js';

// Parley → Meta's Graph API, shared by the Messenger and WhatsApp channels: one VendorHttp per instance on
// `<base>/<version>`, the token as a bearer header (never in a URL, where logs and proxies keep it), and
// `appsecret_proof` on every call so apps with "Require App Secret" work (Meta checks it when present).
//
// Graph answers most refusals with HTTP 400 and its own code (developers.facebook.com/docs/graph-api/
// guides/error-handling, Messenger's and WhatsApp's error-code lists). VendorHttp returns those 4xx bodies
// (`accept`) and graphFailure() decides: throttling and Meta's transient errors are retryable (the outbox
// waits and sends again), everything else is final and worded for the agent, who sees delivery.failed.

/** Graph's error body. Loose: Meta adds fields. */
export const GraphError = z.looseObject({
  error: z.looseObject({
    message: z.string().max(5000).optional(),
    type: z.string().max(200).optional(),
    code: z.number().int(),
    error_subcode: z.number().int().optional(),
    error_user_msg: z.string().max(2000).optional(),
    error_data: z.unknown().optional(),
    fbtrace_id: z.string().max(200).optional(),
  }),
});
export type GraphError = z.output<typeof GraphError>['error'];

/** 4xx statuses whose Graph error body decides what happened (401/403 included: code 190 comes either way). */
export const GRAPH_REFUSALS = [400, 401, 403, 404] as const;

/**
 * Codes that mean "not now": API-level and per-page throttling (4, 17, 32, 613, 80006), WhatsApp's
 * throughput, pair and account limits (130429, 131056, 80007), and Meta's own transient failures (1, 2,
 * 131000, 131016). No Retry-After comes with them: wait a minute for the throttles.
 */
const THROTTLED = new Set([4, 17, 32, 613, 80006, 80007, 130429, 131056]);
const TRANSIENT = new Set([1, 2, 131000, 131016]);

export interface GraphDeps {
  /** `messenger:<instance>`: in errors, logs and metrics. */
  name: string;
  baseUrl: string;
  version: string;
  token: string;
  appSecret: string;
  ratePerSecond: number;
  attemptTimeoutMs: number;
  totalTimeoutMs: number;
  log: FastifyBaseLogger;
}

export function graphHttp(d: GraphDeps): { http: VendorHttp; proof: string } {
  const budget = new RateBudget({ name: d.name, limit: d.ratePerSecond, windowMs: 1_000 });
  const http = new VendorHttp({
    name: d.name,
    baseUrl: `${d.baseUrl.replace(/\/+$/, '')}/${d.version}`,
    attemptTimeoutMs: d.attemptTimeoutMs,
    totalTimeoutMs: d.totalTimeoutMs,
    auth: staticAuth(`Bearer ${d.token}`),
    budget,
    log: d.log,
  });
  return { http, proof: createHmac('sha256', d.appSecret).update(d.token).digest('hex') };
}

/**
 * What a Graph refusal means for the delivery: retryable (throttled, transient) or final, worded by `explain`
 * (a sentence for the agent, or a code of Parley's own: `REPLY_WINDOW_CLOSED`).
 */
export function graphFailure(
  vendor: 'Messenger' | 'WhatsApp',
  status: number,
  body: unknown,
  explain: (e: GraphError) => string | { code: 'REPLY_WINDOW_CLOSED'; message: string } | undefined,
): ParleyError {
  const e = GraphError.safeParse(body).data?.error;
  const details = { vendor: vendor.toLowerCase(), status, ...(e ? { metaCode: e.code, ...(e.error_subcode !== undefined ? { metaSubcode: e.error_subcode } : {}), ...(e.fbtrace_id ? { fbtraceId: e.fbtrace_id } : {}) } : {}) };
  if (e && (THROTTLED.has(e.code) || TRANSIENT.has(e.code))) {
    return new ParleyError('DELIVERY_UNAVAILABLE', `${vendor} asked Parley to slow down or try again (code ${e.code}).`, { details, ...(THROTTLED.has(e.code) ? { retryAfterMs: 60_000 } : {}) });
  }
  if (e?.code === 190) return new ParleyError('DELIVERY_REJECTED', `${vendor} refused the access token (code 190): it expired or was revoked; put a new one in Parley's settings.`, { details });
  const known = e ? explain(e) : undefined;
  if (typeof known === 'object') return new ParleyError(known.code, known.message, { details });
  const said = e?.message ? `: ${e.message.slice(0, 200)}` : '';
  return new ParleyError('DELIVERY_REJECTED', known ?? `${vendor} refused the message${said} (HTTP ${status}${e ? `, code ${e.code}${e.error_subcode ? `/${e.error_subcode}` : ''}` : ''}).`, { details });
}
