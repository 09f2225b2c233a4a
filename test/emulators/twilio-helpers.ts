// Shared by the Twilio emulator tests: a form-encoded webhook receiver that records every request (Twilio
// posts application/x-www-form-urlencoded, which the JSON receiver in helpers.ts cannot read).
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FormRequest {
  url: string;
  headers: IncomingHttpHeaders;
  raw: string;
  params: Record<string, string>;
}

export async function formReceiver() {
  const received: FormRequest[] = [];
  let status = 200;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ url: req.url ?? '/', headers: req.headers, raw, params: Object.fromEntries(new URLSearchParams(raw)) });
      res.writeHead(status, { 'content-type': 'text/xml' }).end('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    url: `${base}/sms`,
    received,
    answer(s: number) {
      status = s;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
