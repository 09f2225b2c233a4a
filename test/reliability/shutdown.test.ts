import { Agent, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server.js';

// Closing waits for requests in flight, and no longer. A request still running when close begins, on a
// kept-alive connection, used to leave that connection idle *after* Node had closed the idle ones, so close
// waited out the whole keep-alive (72 s): under load `parley demo` outlived its grace period after Ctrl-C.

describe('shutdown', () => {
  it('a request in flight on a kept-alive connection finishes, and close does not then wait out the keep-alive', async () => {
    const ts = await startServer();
    const { port } = new URL(ts.url);
    const session = (await (await fetch(`${ts.url}/v1/sessions`, { method: 'POST' })).json()) as { token: string };
    const agent = new Agent({ keepAlive: true });
    // A slow upload: headers and half the body now, close, the rest 300 ms later.
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(4000, 1)]);
    let closedAt = 0;
    const answered = new Promise<{ status: number; at: number; connection: string | undefined }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, agent, method: 'POST', path: '/v1/media', headers: { authorization: `Bearer ${session.token}`, 'content-type': 'image/png', 'content-length': png.length } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, at: Date.now(), connection: res.headers.connection }));
      });
      req.on('error', reject);
      req.write(png.subarray(0, 2000));
      setTimeout(() => req.end(png.subarray(2000)), 300);
    });
    await new Promise((r) => setTimeout(r, 100));
    const closing = ts.stop().then(() => (closedAt = Date.now()));
    const res = await answered;
    expect(res.status).toBe(201);
    await closing;
    // Closed within a moment of the last response, far inside the 72 s keep-alive.
    expect(closedAt - res.at).toBeLessThan(2000);
    agent.destroy();
  });
});
