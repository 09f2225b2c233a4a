import { readFileSync } from 'node:fs';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Adapters } from '../../src/adapters.js';
import { parseSwitchboard } from '../../src/switchboard/config.js';
import { ADAPTER_TYPES } from '../../src/switchboard/all-types.js';

// Every parley.config.json example in the README is one a user can paste: it parses, every instance's
// settings pass its type's schema, and its routes name declared instances. (A README that drifts from the
// schemas would otherwise only be found by the user it fails.)

const blocks = [...readFileSync('README.md', 'utf8').matchAll(/```json\n([\s\S]*?)```/g)]
  .map((m) => m[1]!)
  .filter((b) => /"(desks|channels|routes)"/.test(b));
const env = new Proxy({} as NodeJS.ProcessEnv, { get: (_t, name) => (typeof name === 'string' ? `${name.toLowerCase()}-from-env` : undefined) });
const deps = { log: pino({ level: 'silent' }), publicUrl: 'http://localhost:8080' };

describe('the README config examples', () => {
  it('has some', () => expect(blocks.length).toBeGreaterThanOrEqual(3));
  it.each(blocks.map((b, i) => [i, b] as const))('example %i builds', (_i, block) => {
    const raw = JSON.parse(block) as Record<string, unknown>;
    // A fragment with only desks and routes keeps the default web channel, as start-up does.
    const sw = parseSwitchboard(raw, env, 'README.md');
    const adapters = Adapters.fromConfig(sw, ADAPTER_TYPES, deps);
    for (const r of sw.routes) expect(adapters.route(r.channel, r.entryPoint).desk).toBeTruthy();
  });
});
