import { connect } from 'node:net';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.js';

// Requests that go wrong before any route runs (Node's HTTP parser, the router, CORS, Expect, WebSocket
// framing) still get the catalogue's error shape, and none of them is logged as an error of ours. Each
// case was found by the fuzz suite.

/** Send raw bytes and read the whole HTTP answer (status and body). */
function raw(url: string, request: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect(Number(port), hostname, () => s.write(request));
    let data = '';
    s.on('data', (d) => (data += d.toString('latin1')));
    s.on('error', reject);
    s.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      resolve({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4) });
    });
    setTimeout(() => s.end(), 1500);
  });
}

describe('errors before any route runs', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startServer({ captureLogs: true });
  });
  afterAll(async () => ts?.stop());

  const codeOf = (body: string) => (JSON.parse(body) as { error: { code: string } }).error.code;

  it('a path that is not valid percent-encoding is 400 BAD_REQUEST', async () => {
    const r = await raw(ts.url, 'GET /v1/conversations/%ff%fe/messages HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect([r.status, codeOf(r.body)]).toEqual([400, 'PARLEY_E_BAD_REQUEST']);
  });

  it('a path parameter over the length limit is 414 URI_TOO_LONG', async () => {
    const r = await ts.api.post(`/v1/agent/conversations/${'a'.repeat(150)}/read`, { seq: 1 });
    expect([r.status, r.body.error.code]).toEqual([414, 'PARLEY_E_URI_TOO_LONG']);
  });

  it('an Expect header other than 100-continue is 417 EXPECTATION_FAILED', async () => {
    const r = await raw(ts.url, 'GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: something\r\nConnection: close\r\n\r\n');
    expect([r.status, codeOf(r.body)]).toEqual([417, 'PARLEY_E_EXPECTATION_FAILED']);
  });

  it('oversized headers are 431 HEADERS_TOO_LARGE; broken framing is 400 BAD_REQUEST', async () => {
    const big = await raw(ts.url, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect([big.status, codeOf(big.body)]).toEqual([431, 'PARLEY_E_HEADERS_TOO_LARGE']);
    const broken = await raw(ts.url, 'NOT A REQUEST\r\n\r\n');
    expect([broken.status, codeOf(broken.body)]).toEqual([400, 'PARLEY_E_BAD_REQUEST']);
  });

  it('an OPTIONS request without Origin is not a plain-text 400', async () => {
    const r = await ts.api.req('OPTIONS', '/console');
    expect(r.status).toBeLessThan(400);
  });

  it('a WebSocket frame that is not UTF-8 closes that socket with 1007, and nothing is logged as an error', async () => {
    const cust = await ts.api.customer();
    const ws = new WebSocket(`${ts.url.replace('http', 'ws')}/v1/stream?token=${encodeURIComponent(cust.token)}`);
    await new Promise((r) => ws.once('open', r));
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    // Bypass ws's own UTF-8 check on send by writing a raw masked text frame with invalid bytes.
    const payload = Buffer.from([0xff, 0xfe, 0x7b]);
    const mask = Buffer.from([1, 2, 3, 4]);
    const masked = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] as number)));
    (ws as unknown as { _socket: { write(b: Buffer): void } })._socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
    expect(await closed).toBe(1007);
    expect(ts.logs.filter((l) => l.level >= 50)).toEqual([]);
  });
});
