import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Adapters } from '../../src/adapters.js';
import { loadConfig } from '../../src/config.js';
import { ParleyError } from '../../src/core/errors.js';
import { pickRoute } from '../../src/core/routing.js';
import { BUILTIN_TYPES } from '../../src/switchboard/builtins.js';
import { adapterType } from '../../src/switchboard/types.js';
import { genesysType } from '../../src/desks/genesys/adapter.js';

// The switchboard's config: named instances with per-type settings, and a route table. Bad config stops
// start-up with a message naming the key (and never echoes a secret).

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'parley-switchboard-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const withFile = (obj: unknown, env: Record<string, string> = {}) => {
  writeFileSync(join(dir, 'parley.config.json'), JSON.stringify(obj));
  return loadConfig(env, dir);
};
const failure = (fn: () => unknown): ParleyError => {
  try {
    fn();
  } catch (e) {
    expect((e as ParleyError).code).toBe('PARLEY_E_CONFIG');
    return e as ParleyError;
  }
  throw new Error('expected a CONFIG error');
};

/** A vendor-like desk type with required settings, standing in for the real ones in these tests. */
const fakeVendor = adapterType({
  type: 'fakevendor',
  side: 'desk',
  settings: z.object({ clientId: z.string().min(1), clientSecret: z.string().min(8), region: z.enum(['eu', 'us']) }).strict(),
  create: ({ name }) => ({ id: name, side: 'desk', capabilities: { typing: false, receipts: false, parts: ['text'] }, wants: () => true, deliver: () => Promise.resolve({ status: 'sent' as const }) }),
});
const deps = { log: pino({ level: 'silent' }), publicUrl: 'http://localhost:8080' };
const build = (c: ReturnType<typeof loadConfig>) => Adapters.fromConfig(c.switchboard, [...BUILTIN_TYPES, fakeVendor], deps);

describe('the switchboard config', () => {
  it('with no config at all, web goes to inbox', () => {
    const c = loadConfig({}, dir);
    expect(c.switchboard.routes).toEqual([{ channel: 'web', desk: 'inbox' }]);
    const a = build(c);
    expect(a.route('web')).toEqual({ channel: 'web', desk: 'inbox' });
    expect(a.typeOf('desk', 'inbox')).toBe('inbox');
  });

  it('declares several instances of one type, with secrets from the environment, and routes by entry point', () => {
    const c = withFile(
      {
        channels: { web: { type: 'web' } },
        desks: {
          inbox: { type: 'inbox' },
          'vendor-eu': { type: 'fakevendor', clientId: 'eu-client', clientSecret: { env: 'EU_SECRET' }, region: 'eu' },
          'vendor-us': { type: 'fakevendor', clientId: 'us-client', clientSecret: { env: 'US_SECRET' }, region: 'us' },
        },
        routes: [
          { channel: 'web', entryPoint: 'sales', desk: 'inbox', queue: 'sales' },
          { channel: 'web', entryPoint: 'us', desk: 'vendor-us' },
          { channel: 'web', desk: 'vendor-eu', queue: 'Support' },
        ],
      },
      { EU_SECRET: 'eu-secret-value', US_SECRET: 'us-secret-value' },
    );
    expect(c.switchboard.desks.find((d) => d.name === 'vendor-eu')?.settings).toEqual({ clientId: 'eu-client', clientSecret: 'eu-secret-value', region: 'eu' });
    const a = build(c);
    expect(a.instancesOf('desk', 'fakevendor')).toEqual(['vendor-eu', 'vendor-us']);
    expect(a.route('web', 'sales')).toMatchObject({ desk: 'inbox', queue: 'sales' });
    expect(a.route('web', 'us').desk).toBe('vendor-us');
    expect(a.route('web', 'unknown-entry').desk).toBe('vendor-eu');
    expect(a.route('web').desk).toBe('vendor-eu');
  });

  it('a bad setting names its key and does not echo the value', () => {
    const c = withFile({ desks: { 'vendor-eu': { type: 'fakevendor', clientId: 'x', clientSecret: 'short', region: 'eu' } } });
    const e = failure(() => build(c));
    expect(e.message).toContain('desks.vendor-eu.clientSecret');
    expect(e.message).not.toContain('short');
    const wrongEnum = withFile({ desks: { 'vendor-eu': { type: 'fakevendor', clientId: 'x', clientSecret: 'long-enough', region: 'mars' } } });
    expect(failure(() => build(wrongEnum)).message).toContain('desks.vendor-eu.region');
    const extra = withFile({ desks: { 'vendor-eu': { type: 'fakevendor', clientId: 'x', clientSecret: 'long-enough', region: 'eu', typo: 1 } } });
    expect(failure(() => build(extra)).message).toContain('desks.vendor-eu');
  });

  it('an unknown type, a type on the wrong side, or a missing environment variable names the key', () => {
    expect(failure(() => build(withFile({ desks: { x: { type: 'nope' } } }))).message).toMatch(/desks\.x\.type: unknown desk type "nope" \(known: inbox, fakevendor\)/);
    expect(failure(() => build(withFile({ channels: { web: { type: 'inbox' } } }))).message).toContain('channels.web.type');
    expect(failure(() => withFile({ desks: { v: { type: 'fakevendor', clientSecret: { env: 'NOT_SET_ANYWHERE' } } } })).message).toContain('desks.v.clientSecret refers to the environment variable NOT_SET_ANYWHERE');
  });

  it("a vendor desk whose own call budget does not fit in the dispatcher's timeout stops start-up, naming the key", () => {
    const gc = (totalTimeoutMs: number) =>
      withFile({
        desks: { inbox: { type: 'inbox' }, gc: { type: 'genesys', host: 'http://127.0.0.1:9', clientId: 'c', clientSecret: 's', integrationId: 'i', webhookSecret: 'webhook-secret', endDetection: 'none', totalTimeoutMs } },
        routes: [{ channel: 'web', desk: 'gc' }],
      });
    const types = [...BUILTIN_TYPES, genesysType];
    const fits = Adapters.fromConfig(gc(12_000).switchboard, types, deps);
    expect(() => fits.checkCallBudgets(15_000)).not.toThrow();
    const tooLong = Adapters.fromConfig(gc(20_000).switchboard, types, deps);
    const e = failure(() => tooLong.checkCallBudgets(15_000));
    expect(e.message).toContain('desks.gc.totalTimeoutMs (20000 ms) must be shorter than PARLEY_DELIVERY_TIMEOUT_MS (15000 ms)');
  });

  it('routes must name declared instances, every channel needs a fallback route, and several desks need routes', () => {
    expect(failure(() => withFile({ routes: [{ channel: 'web', desk: 'genesys' }] })).message).toContain('routes[0].desk: no desk instance named "genesys"');
    expect(failure(() => withFile({ routes: [{ channel: 'sms', desk: 'inbox' }] })).message).toContain('routes[0].channel');
    expect(failure(() => withFile({ routes: [{ channel: 'web', entryPoint: 'sales', desk: 'inbox' }] })).message).toContain('channels.web: no route');
    expect(failure(() => withFile({ desks: { a: { type: 'inbox' }, b: { type: 'inbox' } } })).message).toContain('"routes" must say');
    expect(failure(() => withFile({ desks: { 'Bad Name': { type: 'inbox' } } })).message).toContain('desks.Bad Name');
    expect(failure(() => withFile({ routes: [{ channel: 'web', desk: 'inbox', extra: true }] })).message).toContain('routes.0');
  });

  it('pickRoute: the entry point wins, then the channel fallback; other channels never match', () => {
    const routes = [
      { channel: 'web', desk: 'a' },
      { channel: 'web', entryPoint: 'vip', desk: 'b' },
      { channel: 'sms', desk: 'c' },
    ];
    expect(pickRoute(routes, 'web', 'vip')?.desk).toBe('b');
    expect(pickRoute(routes, 'web')?.desk).toBe('a');
    expect(pickRoute(routes, 'sms', 'vip')?.desk).toBe('c');
    expect(pickRoute(routes, 'whatsapp')).toBeUndefined();
  });
});
