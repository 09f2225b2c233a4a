import { noteOutbound, tracing } from './traffic-trace.js';

// The event inspector's capture for adapters that call AWS through the official SDK (connect, aws-sms),
// which cannot go through VendorHttp: one middleware on the client, in the `deserialize` step ahead of the
// SDK's deserializer, where the request is complete and signed and the answer is known (the parsed output,
// or the service's error with its status). Like VendorHttp's capture, it does nothing outside a
// conversation's or a webhook's work, and the record is masked before it is kept: SigV4's Authorization,
// every `x-amz-*` header (the security token, the participant API's `x-amz-bearer` ConnectionToken) and
// every credential-named field (ConnectionToken, ParticipantToken) never reach the inspector.

/** The slice of a smithy HttpRequest the capture reads. */
interface AwsRequest {
  method: string;
  protocol?: string;
  hostname?: string;
  port?: number;
  path?: string;
  query?: Record<string, string | (string | null)[] | null>;
  headers: Record<string, string>;
  body?: unknown;
}

interface AwsResponse {
  statusCode?: number;
  headers?: Record<string, string>;
}

interface AwsLikeError {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: AwsResponse;
}

type Handler = (args: { request?: unknown; input?: unknown }) => Promise<{ output?: unknown; response?: unknown }>;
type Middleware = (next: Handler, context: { commandName?: string }) => Handler;

/** The slice of an SDK v3 middleware stack used here (typed loosely: each client's stack is generic in its own I/O). */
interface Stack {
  add(mw: Middleware, opts: { step: 'deserialize'; priority: 'high'; name: string }): void;
}

/** Capture every call `client` (any SDK v3 client) makes, as `adapter` (`connect:cc`). */
export function traceAwsClient(client: { middlewareStack: unknown }, adapter: string): void {
  (client.middlewareStack as Stack).add(
    (next, context) => async (args) => {
      if (!tracing() || !args.request) return next(args);
      const req = args.request as AwsRequest;
      const started = Date.now();
      const base = {
        direction: 'out' as const,
        startedAt: started,
        adapter,
        operation: context.commandName ?? 'aws',
        method: req.method,
        url: urlOf(req),
        attempt: 1,
        request: { headers: req.headers, body: typeof req.body === 'string' || req.body instanceof Uint8Array ? req.body : undefined },
      };
      try {
        const out = await next(args);
        const res = out.response as AwsResponse | undefined;
        noteOutbound({
          ...base,
          durationMs: Date.now() - started,
          ...(res?.statusCode !== undefined ? { status: res.statusCode } : {}),
          // The SDK has read the body into `output`; written back as JSON for the record (a few fields).
          response: { headers: { ...(res?.headers ?? {}), 'content-type': 'application/json' }, body: JSON.stringify(withoutMetadata(out.output)) },
        });
        return out;
      } catch (e) {
        const err = (e ?? {}) as AwsLikeError;
        const status = err.$metadata?.httpStatusCode;
        const aborted = err.name === 'AbortError';
        noteOutbound({
          ...base,
          durationMs: Date.now() - started,
          error: err.name ?? 'Error',
          ...(status !== undefined
            ? { status, response: { headers: { ...(err.$response?.headers ?? {}), 'content-type': 'application/json' }, body: JSON.stringify({ __type: err.name, message: err.message }) } }
            : { failure: aborted ? ('aborted' as const) : err.name === 'TimeoutError' ? ('timeout' as const) : ('network' as const) }),
        });
        throw e;
      }
    },
    { step: 'deserialize', priority: 'high', name: 'parleyVendorTraffic' },
  );
}

function urlOf(r: AwsRequest): string {
  const query = Object.entries(r.query ?? {})
    .flatMap(([k, v]) => (v === null ? [k] : (Array.isArray(v) ? v : [v]).map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(x ?? '')}`)))
    .join('&');
  return `${r.protocol ?? 'https:'}//${r.hostname ?? ''}${r.port ? `:${r.port}` : ''}${r.path ?? '/'}${query ? `?${query}` : ''}`;
}

function withoutMetadata(output: unknown): unknown {
  if (output === null || typeof output !== 'object') return output;
  const { $metadata: _m, ...rest } = output as Record<string, unknown>;
  return rest;
}
