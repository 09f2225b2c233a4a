// The control API every emulator shares, under /__control: what it received (request log), which
// faults are armed, and which webhooks it sent. Vendors add their own routes (playing the agent, …)
// under /__control/<vendor>/…. All JSON; documented by GET /__control itself.
import { z } from 'zod';
import { HttpError, json, noContent, type Ctx, type Route } from './http.js';
import { FaultRuleInput, type Faults } from './faults.js';
import type { RequestLog } from './request-log.js';
import type { WebhookSender } from './webhooks.js';

export interface ControlDoc {
  method: string;
  path: string;
  does: string;
}

export const KIT_CONTROL_DOCS: ControlDoc[] = [
  { method: 'GET', path: '/__control', does: 'this list, the credentials and the vendor summary' },
  { method: 'GET', path: '/__control/requests?method=&path=&after=', does: 'requests received (path: substring or /regex/)' },
  { method: 'DELETE', path: '/__control/requests', does: 'forget the request log' },
  { method: 'GET', path: '/__control/faults', does: 'armed fault rules' },
  {
    method: 'POST',
    path: '/__control/faults',
    does: 'arm {path, method?, kind: error|rateLimit|delay|hang|reset, share?, times?, status?, retryAfterSeconds?, delayMs?, hangMs?}',
  },
  { method: 'DELETE', path: '/__control/faults[/:id]', does: 'disarm one rule or all' },
  { method: 'GET', path: '/__control/webhooks?key=&state=', does: 'outbound webhook deliveries with every attempt' },
  { method: 'DELETE', path: '/__control/webhooks', does: 'forget the delivery log' },
  { method: 'POST', path: '/__control/reset', does: 'back to the state at start (keeps credentials)' },
];

/** Parses a control body with zod, answering 400 with the issues (control errors need not look like the vendor's). */
export function controlBody<T extends z.ZodType>(ctx: Ctx, schema: T): z.infer<T> {
  let body: unknown = {};
  if (ctx.raw.length) {
    try {
      body = JSON.parse(ctx.raw.toString('utf8'));
    } catch {
      throw new HttpError(json(400, { error: 'body is not JSON' }));
    }
  }
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new HttpError(json(400, { error: 'invalid control request', issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) }));
  }
  return result.data;
}

export const controlNotFound = (what: string): HttpError => new HttpError(json(404, { error: `${what} not found` }));

/** A vendor's own control routes live under `/__control/<vendor>`: the route maker for them. */
export function vendorControlRoute(vendor: string): (method: string, path: string, handler: Route['handler']) => Route {
  return (method, path, handler) => ({ method, path: `/__control/${vendor}${path}`, handler, internal: true });
}

/**
 * Runs what the control API asked the emulated desk to do. The desk's own refusal (`refusal`: its error class,
 * with an HTTP status) is the control API's answer, as `{error}` with that status (any non-error status as
 * 400); anything else is a bug and stays one.
 */
export function controlAction<T>(op: () => T, refusal: abstract new (...args: never[]) => Error & { status: number }): T {
  try {
    return op();
  } catch (err) {
    if (err instanceof refusal) throw new HttpError(json(err.status >= 400 && err.status < 600 ? err.status : 400, { error: err.message }));
    throw err;
  }
}

export interface KitControlDeps {
  faults: Faults;
  requestLog: RequestLog;
  webhooks: WebhookSender;
  summary: () => unknown;
  reset: () => void | Promise<void>;
  docs: ControlDoc[];
}

export function kitControlRoutes(deps: KitControlDeps): Route[] {
  const r = (method: string, path: string, handler: Route['handler']): Route => ({ method, path, handler, internal: true });
  return [
    r('GET', '/__control', () => json(200, { ...(deps.summary() as object), control: deps.docs })),
    r('GET', '/__control/requests', (ctx) => {
      const q = ctx.query;
      const filter = { method: q.get('method') ?? undefined, path: q.get('path') ?? undefined, after: q.get('after') ?? undefined };
      return json(200, { requests: deps.requestLog.list(filter) });
    }),
    r('DELETE', '/__control/requests', () => {
      deps.requestLog.clear();
      return noContent();
    }),
    r('GET', '/__control/faults', () => json(200, { faults: deps.faults.list() })),
    r('POST', '/__control/faults', (ctx) => json(201, deps.faults.add(controlBody(ctx, FaultRuleInput)))),
    r('DELETE', '/__control/faults', () => {
      deps.faults.clear();
      return noContent();
    }),
    r('DELETE', '/__control/faults/:id', (ctx) => {
      if (!deps.faults.remove(ctx.params.id!)) throw controlNotFound('fault rule');
      return noContent();
    }),
    r('GET', '/__control/webhooks', (ctx) => {
      const state = ctx.query.get('state');
      const filter: Parameters<WebhookSender['list']>[0] = {
        key: ctx.query.get('key') ?? undefined,
        state: state === 'pending' || state === 'delivered' || state === 'failed' ? state : undefined,
      };
      return json(200, { deliveries: deps.webhooks.list(filter) });
    }),
    r('DELETE', '/__control/webhooks', () => {
      deps.webhooks.clear();
      return noContent();
    }),
    r('POST', '/__control/reset', async () => {
      await deps.reset();
      return noContent();
    }),
  ];
}
