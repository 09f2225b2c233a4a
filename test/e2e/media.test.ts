import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { customerChat, eventFrame, fastAgent, makeApiKey, makeQueue, Streams } from '../helpers/flows.js';
import { startServer, type TestServer } from '../helpers/server.js';

// Media: uploads are checked (allowlist, magic bytes, size), owned by their uploader, referenced from
// messages by id, and read back only through short-lived signed URLs.

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}
/** A real RGB PNG of random pixels (random, so it does not compress: its size follows its dimensions). */
function png(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const rows = Buffer.concat(Array.from({ length: height }, () => Buffer.concat([Buffer.from([0]), randomBytes(width * 3)])));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

describe('media uploads and signed URLs', () => {
  let ts: TestServer;
  let small: TestServer;
  let adminToken: string;
  const streams = new Streams();
  const dot = png(4, 4);

  beforeAll(async () => {
    [ts, small] = await Promise.all([startServer({ captureLogs: true }), startServer({ env: { PARLEY_MEDIA_MAX_BYTES: '2048' } })]);
    adminToken = (await fastAgent(ts, { role: 'admin', name: 'Admin' })).token;
  });
  afterEach(() => streams.closeAll());
  afterAll(async () => Promise.all([ts?.stop(), small?.stop()]));

  const upload = (server: TestServer, token: string | undefined, body: Buffer | string, contentType: string, name?: string) =>
    server.api.req('POST', `/v1/media${name ? `?name=${encodeURIComponent(name)}` : ''}`, { ...(token ? { token } : {}), raw: body, contentType });

  it('an uploaded PNG sent as a media part reaches the agent with its type, size and a signed URL that serves the same bytes', async () => {
    const q = await makeQueue(ts, adminToken, 'round_robin');
    const alice = await fastAgent(ts, { name: 'Alice', queues: [q.id] });
    const agentStream = await streams.connect(ts, alice.token);
    const chat = await customerChat(ts, streams, q.name);
    await chat.stream.next(eventFrame('participant.joined', chat.conversationId));

    const up = await upload(ts, chat.token, dot, 'image/png', 'receipt.png');
    expect(up.status).toBe(201);
    expect(up.body.media).toMatchObject({ mime: 'image/png', size: dot.length, name: 'receipt.png' });
    expect(up.body.media.id).toMatch(/^md_/);
    const mediaId: string = up.body.media.id;

    // The client's claims about the file are ignored: type, size and name come from the upload.
    const sent = await ts.api.post(
      `/v1/conversations/${chat.conversationId}/messages`,
      { clientMessageId: 'm-1', parts: [{ type: 'media', mediaId, caption: 'my receipt', mime: 'text/html', size: 1, name: 'evil.html', url: 'https://evil.example/x' }] },
      chat.token,
    );
    expect(sent.status).toBe(201);

    const live = await agentStream.next(eventFrame('message', chat.conversationId, (e) => e.clientMessageId === 'm-1'));
    const part = live.event.parts[0];
    expect(part).toMatchObject({ type: 'media', mediaId, mime: 'image/png', size: dot.length, name: 'receipt.png', caption: 'my receipt' });
    expect(part.url).toMatch(new RegExp(`^${ts.url}/v1/media/${mediaId}\\?exp=\\d+&sig=[\\w-]+$`));
    const viaRest = await ts.api.get(`/v1/agent/conversations/${chat.conversationId}/events`, alice.token);
    const restPart = viaRest.body.events.find((e: any) => e.clientMessageId === 'm-1').parts[0];
    expect(restPart).toMatchObject({ mime: 'image/png', size: dot.length });

    // Anyone holding the URL may read the file (an <img> tag sends no bearer token) until it expires.
    const res = await fetch(restPart.url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(Buffer.from(await res.arrayBuffer()).equals(dot)).toBe(true);
  });

  it('a large file read many times at once streams whole every time, with no error or warning logged', async () => {
    const cust = await ts.api.customer();
    const big = png(600, 600); // ~1 MB of incompressible pixels: still streaming when the handler returns
    const up = await upload(ts, cust.token, big, 'image/png');
    expect(up.status).toBe(201);
    const before = ts.logs.length;
    const reads = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const r = await fetch(up.body.media.url);
        return { status: r.status, size: (await r.arrayBuffer()).byteLength };
      }),
    );
    expect(reads).toEqual(Array.from({ length: 12 }, () => ({ status: 200, size: big.length })));
    expect(ts.logs.slice(before).filter((l) => l.level >= 40)).toEqual([]);
  });

  it('a signed URL with a tampered signature or a stretched expiry is refused with 403', async () => {
    const cust = await ts.api.customer();
    const up = await upload(ts, cust.token, dot, 'image/png');
    const url = new URL(up.body.media.url);
    expect((await fetch(url)).status).toBe(200);

    const sig = url.searchParams.get('sig') as string;
    const tampered = new URL(url);
    tampered.searchParams.set('sig', (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1));
    const bad = await fetch(tampered);
    expect(bad.status).toBe(403);
    expect(((await bad.json()) as any).error.code).toBe('PARLEY_E_FORBIDDEN');

    const stretched = new URL(url);
    stretched.searchParams.set('exp', String(Number(url.searchParams.get('exp')) + 86_400));
    expect((await fetch(stretched)).status).toBe(403);

    // A valid signature for one file does not open another.
    const other = await upload(ts, cust.token, png(2, 2), 'image/png');
    const swapped = new URL(url);
    swapped.pathname = `/v1/media/${other.body.media.id}`;
    expect((await fetch(swapped)).status).toBe(403);
  });

  it('bytes that are not what their declared type says are refused with 415', async () => {
    const cust = await ts.api.customer();
    const r = await upload(ts, cust.token, Buffer.from('<script>alert(1)</script> definitely a picture'), 'image/png');
    expect(r.status).toBe(415);
    expect(r.body.error.code).toBe('PARLEY_E_UNSUPPORTED_MEDIA_TYPE');
    const jpegClaim = await upload(ts, cust.token, dot, 'image/jpeg');
    expect(jpegClaim.status).toBe(415);
  });

  it('a type outside the allowlist is refused with 415', async () => {
    const cust = await ts.api.customer();
    for (const type of ['text/html', 'image/svg+xml', 'application/octet-stream', 'application/x-msdownload']) {
      const r = await upload(ts, cust.token, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'), type);
      expect(r.status, type).toBe(415);
      expect(r.body.error.code).toBe('PARLEY_E_UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it("another customer cannot send my media id, and neither can an agent", async () => {
    const q = await makeQueue(ts, adminToken, 'manual');
    const owner = await ts.api.customer();
    const up = await upload(ts, owner.token, dot, 'image/png');
    const mediaId: string = up.body.media.id;

    const thief = await ts.api.customer();
    const theirs = await ts.api.post('/v1/conversations', { queue: q.name }, thief.token);
    const r = await ts.api.post(`/v1/conversations/${theirs.body.conversation.id}/messages`, { clientMessageId: 's-1', parts: [{ type: 'media', mediaId }] }, thief.token);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('PARLEY_E_MEDIA_NOT_FOUND');
    const made = await ts.api.get(`/v1/conversations/${theirs.body.conversation.id}/events`, thief.token);
    expect(made.body.events.map((e: any) => e.kind)).not.toContain('message');

    const ann = await fastAgent(ts, { name: 'Ann', queues: [q.id] });
    await ts.api.post(`/v1/agent/conversations/${theirs.body.conversation.id}/accept`, undefined, ann.token);
    const byAgent = await ts.api.post(`/v1/agent/conversations/${theirs.body.conversation.id}/messages`, { clientMessageId: 's-2', parts: [{ type: 'media', mediaId }] }, ann.token);
    expect(byAgent.status).toBe(404);
    expect(byAgent.body.error.code).toBe('PARLEY_E_MEDIA_NOT_FOUND');
    const unknown = await ts.api.post(`/v1/conversations/${theirs.body.conversation.id}/messages`, { clientMessageId: 's-3', parts: [{ type: 'media', mediaId: 'md_nope' }] }, thief.token);
    expect(unknown.status).toBe(404);
  });

  it('an upload larger than PARLEY_MEDIA_MAX_BYTES is refused with 413, and one under it is accepted', async () => {
    const cust = await small.api.customer();
    const big = png(32, 32);
    expect(big.length).toBeGreaterThan(2048);
    const r = await upload(small, cust.token, big, 'image/png');
    expect(r.status).toBe(413);
    expect(r.body.error.code).toBe('PARLEY_E_PAYLOAD_TOO_LARGE');
    const ok = await upload(small, cust.token, dot, 'image/png');
    expect(ok.status).toBe(201);
    // The default limit is much larger: the same file goes through there.
    expect((await upload(ts, (await ts.api.customer()).token, big, 'image/png')).status).toBe(201);
  });

  it('uploads are made by customers and agents only', async () => {
    expect((await upload(ts, undefined, dot, 'image/png')).status).toBe(401);
    const key = await makeApiKey(ts, adminToken, ['admin']);
    const byKey = await upload(ts, key, dot, 'image/png');
    expect(byKey.status).toBe(403);
    const agentUp = await upload(ts, (await fastAgent(ts, { name: 'Up' })).token, dot, 'image/png');
    expect(agentUp.status).toBe(201);
  });
});
