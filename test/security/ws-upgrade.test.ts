import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, startServer, StreamClient, type TestServer } from '../helpers/server.js';

// A WebSocket upgrade is accepted on GET /v1/stream only. Anywhere else it gets a plain HTTP 404 and the
// connection never switches protocols, whoever asks (docs/security.md, "Credentials in URLs").

interface UpgradeAnswer {
  status: number;
  upgraded: boolean;
  body: string;
}

/** Sends a raw HTTP/1.1 upgrade request and reports whether it switched protocols or what it answered. */
function upgrade(url: string, path: string, token?: string): Promise<UpgradeAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, {
      method: 'GET',
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      timeout: 5000,
      // A connection of its own: one that asked to upgrade and was refused is not reusable.
      agent: false,
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, upgraded: true, body: '' });
    });
    req.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, upgraded: false, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`upgrade ${path}: no answer`)));
    req.on('error', reject);
    req.end();
  });
}

/** Writes an upgrade request on a fresh socket; reports what came back and whether the server closed it. */
function rawUpgrade(url: string, path: string, token?: string): Promise<{ answer: string; closedByServer: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(new URL(url).port), '127.0.0.1');
    let answer = '';
    socket.setTimeout(3000, () => {
      socket.destroy();
      resolve({ answer, closedByServer: false });
    });
    socket.on('data', (d: Buffer) => (answer += d.toString()));
    socket.on('end', () => resolve({ answer, closedByServer: true }));
    socket.on('error', reject);
    const key = randomBytes(16).toString('base64');
    const auth = token ? `Authorization: Bearer ${token}\r\n` : '';
    socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${key}\r\n${auth}\r\n`);
  });
}

const PATHS = [
  '/',
  '/v1/nope',
  '/v1/stream/',
  '/v1/stream/extra',
  '/v1/streams',
  '/v1/conversations',
  '/v1/agent/me',
  '/v1/admin/agents',
  '/v1/media/md_nope?exp=1&sig=AAAAAAAAAAAA',
  '/healthz',
  '/metrics',
  '/openapi.json',
  '/console/',
  '/setup',
];

describe('WebSocket upgrades', () => {
  let ts: TestServer;
  const tokens: Record<string, string | undefined> = { anonymous: undefined };
  beforeAll(async () => {
    ts = await startServer();
    tokens.customer = (await ts.api.customer()).token;
    tokens.admin = (await agent(ts, { role: 'admin' })).token;
  });
  afterAll(async () => ts?.stop());

  it('GET /v1/stream with a valid token switches protocols (the control)', async () => {
    const r = await upgrade(ts.url, '/v1/stream', tokens.customer);
    expect(r).toMatchObject({ status: 101, upgraded: true });
  });

  it('an upgrade on /v1/stream refused before the route (a URL with %00) is a 400 and the server closes the socket', async () => {
    const raw = await rawUpgrade(ts.url, '/v1/stream?%00=%00', tokens.customer);
    expect(raw.answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw.answer).toContain('PARLEY_E_BAD_REQUEST');
    expect(raw.closedByServer).toBe(true);
  });

  it('an upgrade on /v1/stream with a bad token is a plain 401 in the error shape and the server closes the socket', async () => {
    const raw = await rawUpgrade(ts.url, '/v1/stream?cursors=%7B%7D', 'garbage');
    expect(raw.answer).toMatch(/^HTTP\/1\.1 401 /);
    expect(raw.answer).toContain('PARLEY_E_UNAUTHENTICATED');
    expect(raw.closedByServer).toBe(true);
  });

  it('the stream path spelled with an escape (/v1/%73tream) reaches the same route and switches protocols too', async () => {
    expect(await upgrade(ts.url, '/v1/%73tream', tokens.customer)).toMatchObject({ status: 101, upgraded: true });
    const refused = await upgrade(ts.url, '/v1/%73tream', 'garbage');
    expect({ status: refused.status, upgraded: refused.upgraded }).toEqual({ status: 401, upgraded: false });
  });

  describe.each(['anonymous', 'customer', 'admin'])('as %s', (who) => {
    it.each(PATHS)('an upgrade on %s → plain HTTP 404, no switch', async (path) => {
      const r = await upgrade(ts.url, path, tokens[who]);
      expect({ status: r.status, upgraded: r.upgraded }, r.body.slice(0, 300)).toEqual({ status: 404, upgraded: false });
      // The one error shape, not a half-open socket or an HTML page.
      expect(JSON.parse(r.body).error.code).toBe('PARLEY_E_ROUTE_NOT_FOUND');
    });
  });
});

describe('WebSocket streams at shutdown', () => {
  it('closing the server closes its open streams, and the close finishes', async () => {
    const ts = await startServer();
    const s = await StreamClient.open(ts.url, (await ts.api.customer()).token);
    const closed = new Promise<number>((resolve) => s.ws.once('close', (code) => resolve(code)));
    await ts.stop();
    expect(await closed).toBeGreaterThan(0);
  });
});
