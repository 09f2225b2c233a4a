import { z } from 'zod';
import { ParleyError } from '../core/errors.js';
import { compileRedaction, RedactInput } from './redaction.js';

// The switchboard's shape in parley.config.json: named channel and desk instances, each with a `type`
// and that type's own settings, and a route table that sends each new conversation from a channel
// instance to a desk instance and queue. With no config at all, `web` goes to `inbox` (the built-ins).
// Secrets stay out of the file: any string setting may be `{ "env": "NAME" }`, read from the environment.

export const InstanceName = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'must be lower-case letters, digits and "-", starting with a letter (at most 40)');

const Instance = z.object({ type: z.string().min(1) }).passthrough();

export const Route = z
  .object({
    channel: InstanceName,
    /** Only conversations opened with this entry point (e.g. the widget's `data-entry`), when given. */
    entryPoint: z.string().min(1).max(100).optional(),
    desk: InstanceName,
    /** The desk's queue: an inbox queue's name or id, or the vendor's queue (name or id, per desk type). */
    queue: z.string().min(1).max(200).optional(),
    /** PII redaction of customer text in this route's conversations (switchboard/redaction.ts). */
    redact: RedactInput.optional(),
  })
  .strict();
export type Route = z.infer<typeof Route>;

export const SwitchboardInput = z
  .object({
    channels: z.record(InstanceName, Instance).optional(),
    desks: z.record(InstanceName, Instance).optional(),
    routes: z.array(Route).max(1000).optional(),
  })
  .strict();

export interface InstanceConfig {
  name: string;
  type: string;
  /** The type's settings, `{ "env": … }` references resolved; validated by the type's own schema later. */
  settings: Record<string, unknown>;
}

export interface SwitchboardConfig {
  channels: InstanceConfig[];
  desks: InstanceConfig[];
  routes: Route[];
}

export const DEFAULT_SWITCHBOARD: SwitchboardConfig = {
  channels: [{ name: 'web', type: 'web', settings: {} }],
  desks: [{ name: 'inbox', type: 'inbox', settings: {} }],
  routes: [{ channel: 'web', desk: 'inbox' }],
};

/** Replace `{ "env": "NAME" }` anywhere in a settings tree by the variable's value; a missing one names its key. */
export function resolveEnvRefs(value: unknown, env: NodeJS.ProcessEnv, path: string): unknown {
  if (Array.isArray(value)) return value.map((v, i) => resolveEnvRefs(v, env, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    const ref = (value as { env?: unknown }).env;
    if (keys.length === 1 && typeof ref === 'string') {
      const v = env[ref];
      if (v === undefined || v === '') throw new ParleyError('CONFIG', `${path} refers to the environment variable ${ref}, which is not set.`, { details: { key: path, env: ref } });
      return v;
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveEnvRefs(v, env, `${path}.${k}`)]));
  }
  return value;
}

/**
 * Parse the switchboard part of the config file. Structure only (names, types present, routes well formed
 * and pointing at declared instances); each type's settings are checked by that type's schema when the
 * adapters are built, so the message names the exact key (`desks.genesys-eu.clientId`).
 */
export function parseSwitchboard(raw: unknown, env: NodeJS.ProcessEnv, where: string): SwitchboardConfig {
  const r = SwitchboardInput.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    const key = issue?.path.join('.') ?? '';
    throw new ParleyError('CONFIG', `Invalid ${key || 'switchboard'} in ${where}: ${issue?.message ?? 'invalid'}`, { details: { key } });
  }
  const input = r.data;
  const instances = (side: 'channels' | 'desks', given: Record<string, { type: string }> | undefined, fallback: InstanceConfig[]): InstanceConfig[] =>
    given
      ? Object.entries(given).map(([name, inst]) => {
          const { type, ...settings } = inst as { type: string } & Record<string, unknown>;
          return { name, type, settings: resolveEnvRefs(settings, env, `${side}.${name}`) as Record<string, unknown> };
        })
      : fallback;
  const channels = instances('channels', input.channels, DEFAULT_SWITCHBOARD.channels);
  const desks = instances('desks', input.desks, DEFAULT_SWITCHBOARD.desks);
  const routes = input.routes ?? defaultRoutes(channels, desks);
  routes.forEach((route, i) => {
    if (!channels.some((c) => c.name === route.channel)) throw new ParleyError('CONFIG', `routes[${i}].channel: no channel instance named "${route.channel}" in ${where}.`, { details: { key: `routes.${i}.channel` } });
    if (!desks.some((d) => d.name === route.desk)) throw new ParleyError('CONFIG', `routes[${i}].desk: no desk instance named "${route.desk}" in ${where}.`, { details: { key: `routes.${i}.desk` } });
    // Patterns are compiled here, once: a bad one stops start-up naming its key.
    if (route.redact) compileRedaction(route.redact, `routes.${i}.redact`);
  });
  for (const c of channels) {
    if (!routes.some((r) => r.channel === c.name && r.entryPoint === undefined)) {
      throw new ParleyError('CONFIG', `channels.${c.name}: no route sends its conversations anywhere; add a route { "channel": "${c.name}", "desk": … } without an entryPoint.`, { details: { key: `channels.${c.name}` } });
    }
  }
  return { channels, desks, routes };
}

/** Without a route table: every channel goes to the only desk there is (several desks need explicit routes). */
function defaultRoutes(channels: InstanceConfig[], desks: InstanceConfig[]): Route[] {
  const [only] = desks;
  if (desks.length !== 1 || !only) throw new ParleyError('CONFIG', 'With several desks, "routes" must say which channel goes to which desk.', { details: { key: 'routes' } });
  return channels.map((c) => ({ channel: c.name, desk: only.name }));
}
