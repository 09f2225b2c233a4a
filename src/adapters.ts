import { createInboxDesk } from './desks/inbox/adapter.js';
import { webChannel } from './channels/web/adapter.js';
import { proactiveOf, type ChannelAdapter, type DeskAdapter, type LegAdapter } from './core/adapter.js';
import type { LegPolicy } from './core/fanout.js';
import type { Conversation, Leg } from './core/model.js';
import { ParleyError } from './core/errors.js';
import { redactContext, type RedactionPolicy } from './core/redaction.js';
import { isCredentialName } from './core/redact.js';
import { pickRoute } from './core/routing.js';
import { compileRedaction } from './switchboard/redaction.js';
import type { InstanceConfig, Route, SwitchboardConfig } from './switchboard/config.js';
import { hasLifecycle, type AdapterDeps, type AdapterRuntime, type AdapterType } from './switchboard/types.js';

// The registry of adapter instances on this node, by instance name, with the route table that picks a
// desk for each new conversation. Built from the config (each instance's settings checked by its type's
// schema); tests may also register fakes directly.

export class Adapters {
  private readonly channels = new Map<string, ChannelAdapter>();
  private readonly desks = new Map<string, DeskAdapter>();
  /** Instance name → type name (`web`, `inbox`, `genesys`, …). */
  private readonly types = new Map<string, string>();
  /** The configured instances' secret values, scrubbed from the event inspector's vendor traffic. */
  private readonly secrets = new Set<string>();
  routes: Route[];

  constructor(channels: ChannelAdapter[] = [webChannel], desks: DeskAdapter[] = [createInboxDesk()], routes?: Route[]) {
    for (const c of channels) this.addChannel(c);
    for (const d of desks) this.addDesk(d);
    this.routes = routes ?? channels.map((c) => ({ channel: c.id, desk: desks[0]?.id ?? 'inbox' }));
  }

  /** Build every configured instance; a bad setting stops start-up with a message naming its key. */
  static fromConfig(sw: SwitchboardConfig, types: AdapterType[], deps: AdapterDeps): Adapters {
    const a = new Adapters([], [], sw.routes);
    for (const inst of sw.channels) a.addChannel(build(inst, 'channel', types, deps, a.secrets) as ChannelAdapter, inst.type);
    for (const inst of sw.desks) a.addDesk(build(inst, 'desk', types, deps, a.secrets) as DeskAdapter, inst.type);
    return a;
  }

  addChannel(a: ChannelAdapter, type = a.id): void {
    this.channels.set(a.id, a);
    this.types.set(`channel:${a.id}`, type);
  }

  addDesk(a: DeskAdapter, type = a.id): void {
    this.desks.set(a.id, a);
    this.types.set(`desk:${a.id}`, type);
  }

  get(leg: Leg, id: string): LegAdapter {
    const a = leg === 'channel' ? this.channels.get(id) : this.desks.get(id);
    if (!a) throw new ParleyError('CONFIG', `No ${leg} adapter "${id}" is configured.`);
    return a;
  }

  /** The type of a configured instance (`inbox` for the built-in desk), or undefined. */
  typeOf(leg: Leg, name: string): string | undefined {
    return this.types.get(`${leg}:${name}`);
  }

  /** Every instance, channels then desks, with its type. */
  instances(): { leg: Leg; name: string; type: string }[] {
    const of = (leg: Leg, names: Iterable<string>) => [...names].map((name) => ({ leg, name, type: this.typeOf(leg, name) ?? name }));
    return [...of('channel', this.channels.keys()), ...of('desk', this.desks.keys())];
  }

  /** Instances of one type on one side, in config order. */
  instancesOf(leg: Leg, type: string): string[] {
    return [...(leg === 'channel' ? this.channels : this.desks).keys()].filter((n) => this.typeOf(leg, n) === type);
  }

  /** A CONFIG error naming the instance whose own call budget does not fit in the dispatcher's timeout. */
  checkCallBudgets(deliveryTimeoutMs: number): void {
    for (const { leg, name } of this.instances()) {
      const budget = this.get(leg, name).callBudgetMs;
      if (budget !== undefined && budget >= deliveryTimeoutMs) {
        const key = `${leg === 'channel' ? 'channels' : 'desks'}.${name}.totalTimeoutMs`;
        throw new ParleyError('CONFIG', `${key} (${budget} ms) must be shorter than PARLEY_DELIVERY_TIMEOUT_MS (${deliveryTimeoutMs} ms), or deliveries are cut off while the adapter still retries.`, { details: { key } });
      }
    }
  }

  /** The route for a new conversation on a channel instance (optionally an entry point), or a CONFIG error. */
  route(channel: string, entryPoint?: string): Route {
    const r = pickRoute(this.routes, channel, entryPoint);
    if (!r) throw new ParleyError('CONFIG', `No route for channel "${channel}".`);
    return r;
  }

  /**
   * Where a new conversation on a channel instance opens — a customer's and a proactive message's alike:
   * the route's desk (by entry point, else the channel's fallback route), and
   * - on the built-in inbox: the inbox queue asked for, else the route's, else `defaultQueue`;
   * - on a vendor desk: no inbox queue (`{ vendor }`: round-robin and inbox agents never take it). The vendor
   *   routes in its own queues: the queue asked for is ignored, the route's is kept in `context.deskQueue`.
   * An entry point is kept in `context.entryPoint`.
   */
  placement(channel: string, input: { entryPoint?: string | undefined; queue?: string | undefined; defaultQueue: string }): Placement {
    const route = this.route(channel, input.entryPoint);
    const context: Record<string, unknown> = input.entryPoint ? { entryPoint: input.entryPoint } : {};
    if (this.typeOf('desk', route.desk) === 'inbox') return { desk: route.desk, queueId: input.queue ?? route.queue ?? input.defaultQueue, context };
    if (route.queue) context.deskQueue = route.queue;
    return { desk: route.desk, queueId: { vendor: route.queue ?? route.desk }, context };
  }

  /**
   * The PII policy for messages in a conversation: its route's, picked as placement picked it (channel
   * instance and the entry point placement recorded), else none. Read per message, so a policy added to a
   * route applies to the conversations already open on it from the next restart.
   */
  redactionFor = (c: Pick<Conversation, 'channel' | 'context'>): RedactionPolicy | undefined => {
    const entryPoint = typeof c.context.entryPoint === 'string' ? c.context.entryPoint : undefined;
    const route = pickRoute(this.routes, c.channel, entryPoint);
    if (!route?.redact) return undefined;
    return compileRedaction(route.redact, `routes.${this.routes.indexOf(route)}.redact`);
  };

  /**
   * Every value found under a credential-named setting of any instance (`clientSecret`, `authToken`,
   * `webhookSecret` and its rotation list, `apiKey.secret`, `credentials.secretAccessKey`, …): the vendor
   * traffic the console shows scrubs them wherever they appear, whichever instance's record it is.
   */
  secretValues(): string[] {
    return [...this.secrets];
  }

  /** Whether any route has a PII policy. */
  anyRedaction(): boolean {
    return this.routes.some((r) => r.redact !== undefined);
  }

  /** The built-in inbox desk instances: the only ones whose conversations inbox agents may be assigned. */
  inboxDesks(): string[] {
    return this.instancesOf('desk', 'inbox');
  }

  /** Start every adapter that has work of its own (AdapterLifecycle), once the node is wired. */
  async start(runtime: AdapterRuntime): Promise<void> {
    for (const a of [...this.channels.values(), ...this.desks.values()]) if (hasLifecycle(a)) await a.start(runtime);
  }

  /** Stop them (before the database closes); one failing to stop does not keep the others running. */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.channels.values(), ...this.desks.values()].map(async (a) => (hasLifecycle(a) ? a.stop() : undefined)));
  }

  legsFor = (c: Pick<Conversation, 'channel' | 'desk'>): LegPolicy[] => {
    const ch = this.get('channel', c.channel);
    const dk = this.get('desk', c.desk);
    return [
      { leg: 'channel', adapter: ch.id, readsLog: ch.readsLog === true, wants: (e) => ch.wants(e) },
      { leg: 'desk', adapter: dk.id, readsLog: dk.readsLog === true, sendsProactive: proactiveOf(dk) !== undefined, wants: (e) => dk.wants(e) },
    ];
  };
}

/** A new conversation's desk, inbox queue (or vendor queue) and the context the route adds. */
export interface Placement {
  desk: string;
  queueId: string | { vendor: string };
  context: Record<string, unknown>;
}

/** Context keys only placement writes: what the route decided, which later steps trust. */
const PLACEMENT_KEYS = ['entryPoint', 'deskQueue'];

/**
 * A new conversation's context: the caller's (a customer's handover data, a vendor's) with the placement's
 * on top, and never a caller's own `entryPoint` or `deskQueue`. The route a conversation's messages follow
 * (its PII policy, its vendor queue) is read back from these, so a client may not name them in free context.
 * With the route's `policy`, the caller's part is screened like the customer's messages.
 */
export function placedContext(given: Record<string, unknown> | undefined, where: Placement, policy?: RedactionPolicy): Record<string, unknown> {
  const own = Object.fromEntries(Object.entries(given ?? {}).filter(([k]) => !PLACEMENT_KEYS.includes(k)));
  // The caller's part is screened by the route's PII policy; Parley's own placement keys are not customer text.
  return { ...(policy ? redactContext(own, policy.rules) : own), ...where.context };
}

/** Strings under credential-named keys, at any depth (a credential-named object or list: all its strings). */
function collectSecrets(value: unknown, into: Set<string>, secret = false, depth = 0): void {
  if (depth > 10) return;
  if (typeof value === 'string') {
    if (secret) into.add(value);
  } else if (Array.isArray(value)) {
    for (const v of value) collectSecrets(v, into, secret, depth + 1);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collectSecrets(v, into, secret || isCredentialName(k), depth + 1);
  }
}

function build(inst: InstanceConfig, side: Leg, types: AdapterType[], deps: AdapterDeps, secrets: Set<string>): LegAdapter {
  const key = `${side === 'channel' ? 'channels' : 'desks'}.${inst.name}`;
  const type = types.find((t) => t.type === inst.type);
  if (!type) {
    const known = types.filter((t) => t.side === side).map((t) => t.type);
    throw new ParleyError('CONFIG', `${key}.type: unknown ${side} type "${inst.type}" (known: ${known.join(', ')}).`, { details: { key: `${key}.type` } });
  }
  if (type.side !== side) throw new ParleyError('CONFIG', `${key}.type: "${inst.type}" is a ${type.side} type, not a ${side} type.`, { details: { key: `${key}.type` } });
  const parsed = type.settings.safeParse(inst.settings);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const at = [key, ...(issue?.path ?? []).map(String)].join('.');
    // The value is never echoed: settings hold secrets.
    throw new ParleyError('CONFIG', `Invalid ${at}: ${issue?.message ?? 'invalid'}`, { details: { key: at } });
  }
  collectSecrets(parsed.data, secrets);
  return type.create({ name: inst.name, settings: parsed.data }, deps);
}
