// The emulator kit's shared pieces, and the rule that emulators stand apart from Parley's own code.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Faults, parseArgs, Router, seededRandom, WebhookSender, type RetryPolicy } from '../../emulators/kit/index.js';
import { banner, start } from '../../emulators/genesys/main.js';
import { webhookReceiver } from './helpers.js';

const ok = () => ({ status: 200 });

describe('router', () => {
  it('matches :params per segment and tells a wrong method from an unknown path', () => {
    const router = new Router().add({ method: 'POST', path: '/api/v2/conversations/messages/:integrationId/inbound/open/message', handler: ok });
    const found = router.match('POST', '/api/v2/conversations/messages/abc%2Fd/inbound/open/message');
    expect(found).toMatchObject({ kind: 'found', params: { integrationId: 'abc/d' } });
    expect(router.match('GET', '/api/v2/conversations/messages/abc/inbound/open/message')).toEqual({ kind: 'wrong-method', allowed: ['POST'] });
    expect(router.match('POST', '/api/v2/conversations/messages/a/b/inbound/open/message').kind).toBe('none');
  });
});

describe('fault rules', () => {
  it('match * within a segment and ** across segments, and stop after `times`', () => {
    const faults = new Faults();
    faults.add({ path: '/api/v2/routing/queues/*', kind: 'error', times: 2 });
    expect(faults.decide('GET', '/api/v2/routing/queues/q1/estimatedwaittime').kind).toBe('none');
    expect(faults.decide('GET', '/api/v2/routing/queues/q1').kind).toBe('error');
    expect(faults.decide('GET', '/api/v2/routing/queues/q2').kind).toBe('error');
    expect(faults.decide('GET', '/api/v2/routing/queues/q3').kind).toBe('none');
    faults.add({ path: '/api/**', method: 'POST', kind: 'rateLimit', retryAfterSeconds: 3 });
    expect(faults.decide('GET', '/api/v2/x').kind).toBe('none');
    expect(faults.decide('POST', '/api/v2/x')).toMatchObject({ kind: 'rateLimit', retryAfterSeconds: 3 });
  });

  it('inject the same share on every run when seeded', () => {
    const run = () => {
      const faults = new Faults(seededRandom(7));
      faults.add({ path: '**', kind: 'error', share: 0.3 });
      return Array.from({ length: 50 }, () => faults.decide('GET', '/x').kind);
    };
    const first = run();
    expect(run()).toEqual(first);
    const share = first.filter((k) => k === 'error').length / first.length;
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThan(0.5);
  });
});

describe('webhook sender', () => {
  const policy = (delaysMs: number[]): RetryPolicy => ({ timeoutMs: 200, delaysMs, retryOn: (s) => s === 429 || s >= 500 });

  it('waits the configured delay between attempts and stops on success', async () => {
    const hook = await webhookReceiver();
    hook.respond(503, 503, 200);
    const sender = new WebhookSender(() => policy([80, 80, 80]));
    const delivery = sender.send({ key: 'k1', url: hook.url, body: '{"id":"k1"}', headers: { 'content-type': 'application/json' } });
    await sender.idle();
    expect(delivery.state).toBe('delivered');
    expect(delivery.attempts.map((a) => a.status)).toEqual([503, 503, 200]);
    const gaps = hook.received.slice(1).map((r, i) => r.at - hook.received[i]!.at);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(75);
    sender.close();
    await hook.close();
  });

  it('retries a refused connection and reports the failure once it gives up', async () => {
    const hook = await webhookReceiver();
    const url = hook.url;
    await hook.close(); // nothing listens there any more
    const settled: string[] = [];
    const sender = new WebhookSender(() => policy([10, 10]));
    const delivery = sender.send({ key: 'k2', url, body: '{}', headers: {}, onSettled: (d) => settled.push(d.state) });
    await sender.idle();
    expect(delivery.attempts).toHaveLength(3);
    expect(delivery.attempts.every((a) => a.error)).toBe(true);
    expect(settled).toEqual(['failed']);
    sender.close();
  });
});

describe('the emulator CLI entry', () => {
  it('reads --port and --host and vendor flags', () => {
    expect(parseArgs(['--port', '9200', '--webhook-url=http://x/y'], { port: 9100 })).toEqual({ port: 9200, host: '127.0.0.1', flags: { port: '9200', 'webhook-url': 'http://x/y' } });
    expect(() => parseArgs(['--port', 'many'], { port: 9100 })).toThrow(/--port/);
  });

  it('prints the base URL, the credentials and where the control API is', async () => {
    const lines: string[] = [];
    const emu = await start({ port: 0 }, (l) => lines.push(l));
    try {
      const text = lines.join('\n');
      expect(lines).toEqual(banner(emu));
      for (const expected of [emu.url, emu.credentials.clientId, emu.credentials.clientSecret, emu.credentials.integrationId, emu.credentials.integrationSecret, '/__control', '/agent', 'setGateway']) {
        expect(text).toContain(expected);
      }
    } finally {
      await emu.close();
    }
  });
});

describe('emulators stand apart from Parley', () => {
  it('import nothing from src/ (an emulator is written from the vendor docs, not from our adapter)', () => {
    const root = join(import.meta.dirname, '../../emulators');
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const source = readFileSync(join(root, file), 'utf8');
      const imports = [...source.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
      for (const spec of imports) expect(spec, `${file} imports ${spec}`).not.toMatch(/(^|\/)src(\/|$)/);
    }
  });
});
