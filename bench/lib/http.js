// A small keep-alive JSON client on node:http. Cheaper per request than fetch, so the load generator
// (which shares the machine with the server) takes as little CPU as it can from what is measured.
import http from 'node:http';

export function makeClient(baseUrl, { sockets = 64 } = {}) {
  const u = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets });

  /** Resolve {status, body} (body parsed when JSON); rejects only on network errors or timeout. */
  function request(method, path, { body, token, timeoutMs = 30_000, parse = true } = {}) {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const headers = {};
      if (payload) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = payload.length;
      }
      if (token) headers.authorization = `Bearer ${token}`;
      const req = http.request({ agent, host: u.hostname, port: u.port, method, path, headers, timeout: timeoutMs }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed = text;
          if (parse || res.statusCode >= 400) {
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // keep the text
            }
          }
          resolve({ status: res.statusCode, body: parsed });
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** Like request, but throw unless the status is 2xx; returns the parsed body. */
  async function json(method, path, opts = {}) {
    const r = await request(method, path, opts);
    if (r.status < 200 || r.status >= 300) throw new Error(`${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  return { request, json, close: () => agent.destroy() };
}

/** Run fn(i) for i in [0, n) with at most `limit` at once. */
export async function pool(n, limit, fn) {
  const out = new Array(n);
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      out[i] = await fn(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, n) }, worker));
  return out;
}
