import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects } from '../helpers/databases.js';
import { StreamClient, startServer, type TestServer } from '../helpers/server.js';
import { countRows } from './support.js';

// A bad frame on the stream gets an error frame with a stable code; the socket stays open and usable,
// and nothing is stored.

describe.each(await dialects())('bad stream frames (%s)', (dialect) => {
  let ts: TestServer;
  let cust: { token: string; contactId: string };
  let conv: string;
  let other: string;
  let stream: StreamClient;
  beforeAll(async () => {
    ts = await startServer({ dialect });
    cust = await ts.api.customer();
    conv = (await ts.api.post('/v1/conversations', {}, cust.token)).body.conversation.id;
    const someoneElse = await ts.api.customer();
    other = (await ts.api.post('/v1/conversations', {}, someoneElse.token)).body.conversation.id;
    stream = await StreamClient.open(ts.url, cust.token);
  });
  afterAll(async () => {
    await stream?.close();
    await ts?.stop();
  });

  /** Send a raw frame and wait for the error frame it causes (the n-th error frame overall). */
  async function errorFor(raw: string): Promise<any> {
    const seen = stream.frames.filter((f) => f.type === 'error').length;
    stream.ws.send(raw);
    return stream.next((f) => f.type === 'error' && stream.frames.filter((g) => g.type === 'error').indexOf(f) === seen);
  }

  const cases: [string, string, string][] = [
    ['not JSON', 'hello there', 'PARLEY_E_BAD_JSON'],
    ['truncated JSON', '{"type":"message",', 'PARLEY_E_BAD_JSON'],
    ['a JSON array', '[1,2,3]', 'PARLEY_E_VALIDATION'],
    ['an unknown frame type', JSON.stringify({ type: 'dance', ref: 'r-dance' }), 'PARLEY_E_VALIDATION'],
    ['a message without clientMessageId or text', JSON.stringify({ type: 'message', conversationId: 'x' }), 'PARLEY_E_VALIDATION'],
    ['a read with a bad seq', JSON.stringify({ type: 'read', conversationId: 'x', seq: -1 }), 'PARLEY_E_VALIDATION'],
  ];

  it.each(cases)('%s → an error frame with code %s, nothing stored', async (_what, raw, code) => {
    const before = await countRows(ts);
    const f = await errorFor(raw);
    expect(f.error.code).toBe(code);
    expect(typeof f.error.message).toBe('string');
    expect(f.error.retryable).toBe(false);
    expect(await countRows(ts)).toEqual(before);
  });

  it('a validation error frame carries details with paths', async () => {
    const f = await errorFor(JSON.stringify({ type: 'message', conversationId: conv, ref: 'r-v', clientMessageId: 'v', parts: [{ type: 'location', lat: 100, lng: 0 }] }));
    expect(f.ref).toBe('r-v');
    expect(f.error.code).toBe('PARLEY_E_VALIDATION');
    expect(f.error.details.map((d: { path: string }) => d.path)).toContain('frame.parts.0.lat');
  });

  it("a message to someone else's conversation → CONVERSATION_NOT_FOUND with the ref, nothing stored", async () => {
    const before = await countRows(ts);
    const f = await errorFor(JSON.stringify({ type: 'message', conversationId: other, clientMessageId: 'steal-1', text: 'hi' }));
    expect(f.error.code).toBe('PARLEY_E_CONVERSATION_NOT_FOUND');
    expect(f.ref).toBe('steal-1');
    expect(await countRows(ts)).toEqual(before);
  });

  it('after all of that the socket is still open and a good frame is acknowledged and stored', async () => {
    expect(stream.ws.readyState).toBe(stream.ws.OPEN);
    stream.send({ type: 'ping', ref: 'p1' });
    await stream.next((f) => f.type === 'pong' && f.ref === 'p1');
    stream.send({ type: 'message', conversationId: conv, clientMessageId: 'good-1', text: 'still here' });
    const ack = await stream.next((f) => f.type === 'ack' && f.ref === 'good-1');
    expect(ack.event.kind).toBe('message');
    const live = await stream.next((f) => f.type === 'event' && f.event.clientMessageId === 'good-1');
    expect(live.event.seq).toBe(ack.event.seq);
    const ev = await ts.api.get(`/v1/conversations/${conv}/events`, cust.token);
    expect(ev.body.events.filter((e: { kind: string }) => e.kind === 'message').map((e: { clientMessageId: string }) => e.clientMessageId)).toEqual(['good-1']);
  });
});
