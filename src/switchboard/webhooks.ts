import type { FastifyInstance } from 'fastify';
import type { LegAdapter } from '../core/adapter.js';
import { isParleyError, ParleyError } from '../core/errors.js';
import { parseJson } from '../core/json.js';
import type { Adapters } from '../adapters.js';
import type { VendorTraffic } from '../vendor/traffic.js';
import { traceWebhook, WebhookTrace } from '../vendor/traffic-trace.js';

// Vendor webhooks at /webhooks/<type>/<instance>. The rules every vendor adapter gets for free: the raw
// body is kept byte for byte (signatures are computed over it), the adapter's check runs before anything
// is parsed or stored, a failed check is a 401 with a stable code and stores nothing, and JSON is parsed
// only after that. Duplicates (vendor retries) are the adapter's idempotency keys' job: the same vendor
// message id is stored once by the log's unique (source, key).
//
// Each verified webhook is recorded for the console's event inspector (src/vendor/traffic-trace.ts): it is
// handled inside a WebhookTrace, and once answered it is kept — masked — on every conversation its handling
// touched, with the vendor requests made meanwhile. A request that fails `verify` is not recorded at all:
// its bytes are a stranger's, it belongs to no conversation anyone could name without parsing them, and
// keeping it would let anyone who knows the URL push genuine records out of the bounded buffers. Refusals
// stay visible where they were: the request log and parley_http_requests_total{status="401"|"403"}.

export interface WebhookRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, string | undefined>;
  rawBody: Buffer;
}

export interface WebhookReply {
  status?: number;
  body?: unknown;
  contentType?: string;
}

export interface Webhook {
  method: 'GET' | 'POST';
  /** Whether the request is really from the vendor (signature over rawBody, verify token…). Never throws. */
  verify(req: WebhookRequest): boolean | Promise<boolean>;
  /**
   * How a request that fails `verify` is refused: 401 PARLEY_E_WEBHOOK_SIGNATURE by default, or 403
   * PARLEY_E_WEBHOOK_FORGED where the vendor expects that (Amazon SNS endpoints).
   */
  rejectStatus?: 401 | 403;
  /** Handle a verified request; `json()` parses the raw body (BAD_JSON if it is not JSON). */
  handle(req: WebhookRequest & { json(): unknown }): Promise<WebhookReply>;
}

/** A leg adapter that receives webhooks. */
export interface WebhookReceiver {
  readonly webhooks: readonly Webhook[];
}

const receives = (a: LegAdapter): a is LegAdapter & WebhookReceiver => Array.isArray((a as Partial<WebhookReceiver>).webhooks);

export const webhookPath = (type: string, instance: string): string => `/webhooks/${type}/${instance}`;

/** Mount every configured instance's webhooks, in their own plugin so the raw-body parser stays there. */
export async function webhookRoutes(app: FastifyInstance, adapters: Adapters, bodyLimit: number, traffic?: VendorTraffic): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (_req, body, done) => done(null, body));
    for (const { leg, name, type } of adapters.instances()) {
      const adapter = adapters.get(leg, name);
      if (!receives(adapter)) continue;
      for (const hook of adapter.webhooks) {
        scope.route({
          method: hook.method,
          url: webhookPath(type, name),
          config: { webhook: true },
          handler: async (req, reply) => {
            const arrived = Date.now();
            const request: WebhookRequest = {
              method: req.method,
              headers: req.headers,
              query: req.query as Record<string, string | undefined>,
              rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
            };
            let verified = false;
            try {
              verified = await hook.verify(request);
            } catch {
              verified = false;
            }
            if (!verified) throw new ParleyError(hook.rejectStatus === 403 ? 'WEBHOOK_FORGED' : 'WEBHOOK_SIGNATURE');
            const json = (): unknown => parseJson(request.rawBody.toString('utf8'), () => new ParleyError('BAD_JSON'));
            const trace = traffic ? new WebhookTrace(traffic) : undefined;
            /** Keep the webhook and what its handling sent, with Parley's answer (never fails the webhook). */
            const recordAs = (status: number, body?: unknown, contentType?: string): void => {
              if (!trace) return;
              try {
                const replyBody = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
                trace.finish({
                  direction: 'in',
                  startedAt: arrived,
                  adapter: `${type}:${name}`,
                  method: req.method,
                  url: req.url,
                  status,
                  durationMs: Date.now() - arrived,
                  request: { headers: req.headers, body: request.rawBody },
                  response: { headers: { 'content-type': contentType ?? 'application/json' }, body: replyBody },
                });
              } catch {
                // The inspector's record is best effort.
              }
            };
            let out: WebhookReply;
            try {
              out = trace ? await traceWebhook(trace, () => hook.handle({ ...request, json })) : await hook.handle({ ...request, json });
            } catch (e) {
              recordAs(isParleyError(e) ? e.status : 500, isParleyError(e) ? e.toJSON() : undefined);
              // 503 UNAVAILABLE is how an adapter asks the vendor to retry (Genesys: an attachment not
              // reachable yet). The trouble is the vendor's and a retry is coming, so it is a warning here: the
              // app's error handler logs every 5xx as an error line, which would page someone for nothing.
              if (!isParleyError(e) || e.code !== 'PARLEY_E_UNAVAILABLE') throw e;
              req.log.warn({ code: e.code, reason: e.message }, 'webhook asks the vendor to retry');
              if (e.retryAfterMs) reply.header('retry-after', String(Math.ceil(e.retryAfterMs / 1000)));
              return reply.code(e.status).send(e.toJSON());
            }
            recordAs(out.status ?? 200, out.body ?? {}, out.contentType);
            reply.code(out.status ?? 200);
            if (out.contentType) reply.header('content-type', out.contentType);
            return out.body ?? {};
          },
        });
      }
    }
  });
}
