import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../helpers/databases.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { expectError, storesNothing } from './support.js';

// Bad request bodies get a clear error with a stable code, and nothing reaches the log.

describe.each(await dialects())('bad input is refused and nothing is stored (%s)', (dialect) => {
  let ts: TestServer;
  let token: string;
  let conv: string;
  let path: string;
  beforeAll(async () => {
    ts = await startServer({ dialect, env: { PARLEY_BODY_LIMIT: '2048' } });
    token = (await ts.api.customer()).token;
    conv = (await ts.api.post('/v1/conversations', {}, token)).body.conversation.id;
    path = `/v1/conversations/${conv}/messages`;
  });
  afterAll(async () => ts?.stop());

  const send = (raw: string, contentType = 'application/json') => ts.api.req('POST', path, { token, raw, contentType });

  it('a well-formed message is accepted (control)', async () => {
    const r = await ts.api.post(path, { clientMessageId: 'ok-1', text: 'hello' }, token);
    expect(r.status).toBe(201);
  });

  it('malformed JSON → 400 PARLEY_E_BAD_JSON', async () => {
    for (const raw of ['{"clientMessageId": "x", "text": ', '{text: "x"}', "{'a':1}", 'nope', '{"a":1}}']) {
      const r = await storesNothing(ts, () => send(raw));
      expectError(r, 400, 'PARLEY_E_BAD_JSON');
      expect(r.body.error.retryable).toBe(false);
    }
  });

  it('U+0000 anywhere (body strings and keys, path, query, stream cursors) is refused in the error shape, never a 500 (PostgreSQL text cannot hold it)', async () => {
    for (const body of [{ clientMessageId: 'nul-1', text: 'a\u0000b' }, { clientMessageId: 'nul\u0000' }, { clientMessageId: 'nul-2', ['te\u0000xt']: 'x' }]) {
      const r = await storesNothing(ts, () => send(JSON.stringify(body)));
      expectError(r, 422, 'PARLEY_E_VALIDATION');
      expect(r.body.error.message).toContain('NUL');
    }
    // An escaped backslash before "u0000" is plain text, not NUL.
    expect((await send(JSON.stringify({ clientMessageId: 'nul-3', text: 'C:\\u0000' }))).status).toBe(201);
    for (const p of [`/v1/conversations/${conv}%00`, `/v1/conversations/${conv}/events?after=1&x=%00`]) expectError(await ts.api.get(p, token), 400, 'PARLEY_E_BAD_REQUEST');
    const cursors = encodeURIComponent(JSON.stringify({ [`${conv}\u0000`]: 1 }));
    expectError(await ts.api.get(`/v1/stream?cursors=${cursors}`, token), 422, 'PARLEY_E_VALIDATION');
  });

  it('a body over PARLEY_BODY_LIMIT → 413 PARLEY_E_PAYLOAD_TOO_LARGE', async () => {
    const big = JSON.stringify({ clientMessageId: 'big-1', text: 'x'.repeat(3000) });
    const r = await storesNothing(ts, () => send(big));
    expectError(r, 413, 'PARLEY_E_PAYLOAD_TOO_LARGE');
    // Just under the limit is fine: the limit is about bytes, not the text rule.
    expect((await send(JSON.stringify({ clientMessageId: 'big-2', text: 'x'.repeat(1900) }))).status).toBe(201);
  });

  it('an oversize body is refused even when it is not valid JSON', async () => {
    const r = await storesNothing(ts, () => send('{'.repeat(5000)));
    expectError(r, 413, 'PARLEY_E_PAYLOAD_TOO_LARGE');
  });

  it('a body in another content type → 415 PARLEY_E_UNSUPPORTED_MEDIA_TYPE', async () => {
    const json = JSON.stringify({ clientMessageId: 'ct-1', text: 'hi' });
    for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const r = await storesNothing(ts, () => send(json, ct));
      expectError(r, 415, 'PARLEY_E_UNSUPPORTED_MEDIA_TYPE');
    }
  });

  it('a JSON body with charset and upper-case type is still JSON', async () => {
    const r = await send(JSON.stringify({ clientMessageId: 'ct-2', text: 'hi' }), 'Application/JSON; charset=utf-8');
    expect(r.status).toBe(201);
  });

  const validation = async (body: unknown, paths: string[]) => {
    const r = await storesNothing(ts, () => ts.api.post(path, body, token));
    expectError(r, 422, 'PARLEY_E_VALIDATION');
    const got: string[] = r.body.error.details.map((d: { path: string }) => d.path);
    for (const d of r.body.error.details) expect(typeof d.message).toBe('string');
    for (const p of paths) expect(got, JSON.stringify(r.body.error.details)).toContain(p);
    return r;
  };

  it('missing clientMessageId → 422 naming body.clientMessageId', async () => {
    await validation({ text: 'hi' }, ['body.clientMessageId']);
  });

  it('empty text and no parts → 422 naming body.text', async () => {
    await validation({ clientMessageId: 'v-1', text: '' }, ['body.text']);
    await validation({ clientMessageId: 'v-2' }, ['body.text']);
  });

  it('an empty parts list → 422 naming body.parts', async () => {
    await validation({ clientMessageId: 'v-3', parts: [] }, ['body.parts']);
  });

  it('an unknown part type → 422 naming the part', async () => {
    const r = await validation({ clientMessageId: 'v-4', parts: [{ type: 'text', text: 'fine' }, { type: 'sticker', id: 'x' }] }, []);
    expect(r.body.error.details.some((d: { path: string }) => d.path.startsWith('body.parts.1'))).toBe(true);
  });

  it('bad lat/lng → 422 naming each coordinate', async () => {
    await validation({ clientMessageId: 'v-5', parts: [{ type: 'location', lat: 91, lng: 0 }] }, ['body.parts.0.lat']);
    await validation({ clientMessageId: 'v-6', parts: [{ type: 'location', lat: 0, lng: -180.5 }] }, ['body.parts.0.lng']);
    await validation({ clientMessageId: 'v-7', parts: [{ type: 'location', lat: 'north', lng: 0 }] }, ['body.parts.0.lat']);
  });

  it('wrong types and a non-object body → 422', async () => {
    await validation({ clientMessageId: 42, text: 'hi' }, ['body.clientMessageId']);
    await validation([{ clientMessageId: 'x', text: 'hi' }], []);
    await validation('just a string', []);
  });

  it('no body at all on a route that needs one → 422, not a crash', async () => {
    const r = await storesNothing(ts, () => ts.api.req('POST', path, { token }));
    expectError(r, 422, 'PARLEY_E_VALIDATION');
  });

  it('a read mark with a bad seq → 422 naming body.seq', async () => {
    const r = await ts.api.post(`/v1/conversations/${conv}/read`, { seq: 0 }, token);
    expectError(r, 422, 'PARLEY_E_VALIDATION');
    expect(r.body.error.details.map((d: { path: string }) => d.path)).toContain('body.seq');
  });

  it('bad query parameters → 422 naming the query field', async () => {
    const r = await ts.api.get(`/v1/conversations/${conv}/events?after=-1`, token);
    expectError(r, 422, 'PARLEY_E_VALIDATION');
    expect(r.body.error.details.map((d: { path: string }) => d.path)).toContain('query.after');
  });

  it('after all the rejected requests, the log holds only the accepted messages, gap-free', async () => {
    const r = await ts.api.get(`/v1/conversations/${conv}/events`, token);
    const messages = r.body.events.filter((e: { kind: string }) => e.kind === 'message');
    expect(messages.map((e: { clientMessageId: string }) => e.clientMessageId)).toEqual(['ok-1', 'nul-3', 'big-2', 'ct-2']);
    expect(r.body.events.map((e: { seq: number }) => e.seq)).toEqual(r.body.events.map((_: unknown, i: number) => i + 1));
  });
});
