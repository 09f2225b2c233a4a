import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Adapters } from '../../src/adapters.js';
import { webChannel } from '../../src/channels/web/adapter.js';
import { dialects } from '../helpers/databases.js';
import { agent, StreamClient, startServer, until, type TestServer } from '../helpers/server.js';
import { FakeDesk, fakeConversation } from './fake-desk.js';

// The outbox worker against a scriptable desk: order per lane, backoff, Retry-After, giving up visibly,
// the admin retry, and lanes that do not wait for each other.

const MAX_ATTEMPTS = 4;
const BASE = 40;
const MAX_DELAY = 200;
const TIMEOUT = 200;

describe.each(await dialects())('delivery to a desk (%s)', (dialect) => {
  let ts: TestServer;
  let desk: FakeDesk;
  let admin: { token: string };
  beforeAll(async () => {
    desk = new FakeDesk();
    ts = await startServer({
      dialect,
      adapters: new Adapters([webChannel], [desk]),
      env: {
        PARLEY_DELIVERY_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
        PARLEY_DELIVERY_BASE_DELAY_MS: String(BASE),
        PARLEY_DELIVERY_MAX_DELAY_MS: String(MAX_DELAY),
        PARLEY_DELIVERY_TIMEOUT_MS: String(TIMEOUT),
      },
    });
    admin = await agent(ts, { role: 'admin' });
  });
  afterAll(async () => ts?.stop());

  const send = async (c: { conversationId: string; token: string }, text: string) => {
    const r = await ts.api.post(`/v1/conversations/${c.conversationId}/messages`, { clientMessageId: text, text }, c.token);
    expect(r.status).toBe(201);
    return r.body.event as { id: string; seq: number };
  };
  const deliveryOf = (eventId: string) => ts.server.database.db.selectFrom('deliveries').selectAll().where('event_id', '=', eventId).where('leg', '=', 'desk').executeTakeFirstOrThrow();
  const statusFor = async (c: { conversationId: string; token: string }, seq: number) =>
    (await ts.api.get(`/v1/conversations/${c.conversationId}/events`, c.token)).body.events.find((e: { seq: number }) => e.seq === seq)?.status;

  it("a customer message creates one desk delivery, sent with the desk's external id", async () => {
    const c = await fakeConversation(ts, 'plain');
    const e = await send(c, 'plain-1');
    await until(() => desk.delivered(c.conversationId).length === 1, 3000, 'delivery');
    const rows = await ts.server.database.db.selectFrom('deliveries').selectAll().where('event_id', '=', e.id).execute();
    expect(rows.map((r) => r.leg)).toEqual(['desk']); // never back to the channel it came from
    await until(async () => (await deliveryOf(e.id)).status === 'sent', 3000, 'sent');
    const row = await deliveryOf(e.id);
    expect(row.external_id).toBe(`ext-${row.id}`);
    expect(Number(row.attempts)).toBe(1);
  });

  it('a lane goes out strictly in seq order: when the first fails twice, the later ones wait for it', async () => {
    const c = await fakeConversation(ts, 'order');
    desk.script('order-1', ['unavailable', 'unavailable', 'ok']);
    const e1 = await send(c, 'order-1');
    const e2 = await send(c, 'order-2');
    const e3 = await send(c, 'order-3');
    await until(() => desk.delivered(c.conversationId).length === 3, 5000, 'three deliveries');
    const lane = desk.attempts.filter((a) => a.conversationId === c.conversationId);
    // Nothing after order-1 was even attempted before order-1 got through.
    expect(lane.map((a) => `${a.text}:${a.outcome}`)).toEqual(['order-1:failed', 'order-1:failed', 'order-1:ok', 'order-2:ok', 'order-3:ok']);
    expect(lane.map((a) => a.seq)).toEqual([e1.seq, e1.seq, e1.seq, e2.seq, e3.seq]);
    // A lane's successes are written in one batch once it drains: wait for that write, then count.
    await until(async () => (await deliveryOf(e3.id)).status === 'sent', 3000, 'the lane to be recorded');
    const row = await deliveryOf(e1.id);
    expect(Number(row.attempts)).toBe(3);
  });

  it('the same delivery id is passed on every attempt', async () => {
    const c = await fakeConversation(ts, 'stable');
    desk.script('stable-1', ['unavailable', 'throw', 'ok']);
    const e = await send(c, 'stable-1');
    await until(() => desk.of('stable-1').some((a) => a.outcome === 'ok'), 5000, 'delivered');
    const ids = desk.of('stable-1').map((a) => a.deliveryId);
    expect(ids).toHaveLength(3);
    expect(new Set(ids)).toEqual(new Set([(await deliveryOf(e.id)).id]));
  });

  it('retries back off: each wait is at least the backoff for that attempt, and they grow', async () => {
    const c = await fakeConversation(ts, 'backoff');
    desk.script('backoff-1', ['unavailable', 'unavailable', 'unavailable', 'ok']);
    await send(c, 'backoff-1');
    await until(() => desk.of('backoff-1').some((a) => a.outcome === 'ok'), 5000, 'delivered');
    const at = desk.of('backoff-1').map((a) => a.at);
    const gaps = at.slice(1).map((t, i) => t - (at[i] as number));
    // Jitter keeps each wait in [exp/2, exp] with exp = BASE·2^(n-1): 20–40, 40–80, 80–160 ms (2 ms timer slack).
    gaps.forEach((g, i) => expect(g, `gap ${i + 1} of ${gaps.join(', ')}`).toBeGreaterThanOrEqual((BASE * 2 ** i) / 2 - 2));
    expect(gaps[2]).toBeGreaterThan(gaps[0] as number);
    // Retries are driven by their due time, not by a slow poll.
    expect(at[3]! - at[0]!).toBeLessThan(900);
  });

  it("Retry-After is honoured, even beyond the backoff cap", async () => {
    const c = await fakeConversation(ts, 'later');
    desk.script('later-1', [{ unavailable: 350 }, 'ok']);
    await send(c, 'later-1');
    await until(() => desk.of('later-1').some((a) => a.outcome === 'ok'), 5000, 'delivered');
    const [a, b] = desk.of('later-1');
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(348);
    expect(350).toBeGreaterThan(MAX_DELAY);
  });

  it('a hung attempt is aborted at the timeout and retried', async () => {
    const c = await fakeConversation(ts, 'hang');
    desk.script('hang-1', ['hang', 'ok']);
    const e = await send(c, 'hang-1');
    await until(() => desk.of('hang-1').some((a) => a.outcome === 'ok'), 5000, 'delivered');
    const [first, second] = desk.of('hang-1');
    expect(first!.signalAborted).toBe(true);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(TIMEOUT - 2);
    await until(async () => (await deliveryOf(e.id)).status === 'sent', 3000, 'sent');
    const row = await deliveryOf(e.id);
    expect(Number(row.attempts)).toBe(2);
  });

  it('after the last attempt the delivery fails visibly: row failed, delivery.failed on both sides, status failed; admin retry then delivers it', async () => {
    const c = await fakeConversation(ts, 'doomed');
    const custStream = await StreamClient.open(ts.url, c.token);
    desk.script('doomed-1', Array.from({ length: MAX_ATTEMPTS }, () => 'unavailable' as const));
    const e1 = await send(c, 'doomed-1');
    const e2 = await send(c, 'doomed-2');

    const failedFrame = await custStream.next((f) => f.type === 'event' && f.event.kind === 'delivery.failed', 5000);
    const row = await deliveryOf(e1.id);
    expect(row.status).toBe('failed');
    expect(Number(row.attempts)).toBe(MAX_ATTEMPTS);
    expect(row.last_error).toContain('PARLEY_E_DELIVERY_UNAVAILABLE');
    expect(desk.of('doomed-1')).toHaveLength(MAX_ATTEMPTS);
    // `failedSeq` names the message; the event's own `seq` is its next place in the log.
    expect(failedFrame.event).toMatchObject({ failedSeq: e1.seq, leg: 'desk', deliveryId: row.id, code: 'PARLEY_E_DELIVERY_UNAVAILABLE', conversationId: c.conversationId });
    expect(failedFrame.event.seq).toBe(e2.seq + 1);

    // The agent side sees the same event in the log.
    const agentLog = await ts.api.get(`/v1/agent/conversations/${c.conversationId}/events`, admin.token);
    expect(agentLog.status).toBe(200);
    expect(agentLog.body.events.find((ev: { kind: string }) => ev.kind === 'delivery.failed')).toMatchObject({ seq: e2.seq + 1, failedSeq: e1.seq, leg: 'desk', deliveryId: row.id, code: 'PARLEY_E_DELIVERY_UNAVAILABLE' });

    // The transcript names the message that failed.
    const transcript = await ts.api.get(`/v1/conversations/${c.conversationId}/transcript?format=html`, admin.token);
    expect(transcript.body).toContain(`Message ${e1.seq} could not be delivered`);

    // Its sender sees the message as failed; the lane moved on to the next message.
    expect(await statusFor(c, e1.seq)).toBe('failed');
    const log = (await ts.api.get(`/v1/conversations/${c.conversationId}/events`, c.token)).body.events as { seq: number }[];
    expect(log.map((e) => e.seq)).toEqual(log.map((_, i) => i + 1));
    await until(() => desk.of('doomed-2').some((a) => a.outcome === 'ok'), 3000, 'the next message in the lane');
    expect(desk.attempts.findIndex((a) => a.text === 'doomed-2')).toBeGreaterThan(desk.attempts.findLastIndex((a) => a.text === 'doomed-1'));

    // The admin puts it back; the desk is up again; it goes out with the same delivery id.
    const retry = await ts.api.post(`/v1/admin/deliveries/${row.id}/retry`, undefined, admin.token);
    expect(retry.status).toBe(200);
    expect(retry.body.delivery).toMatchObject({ id: row.id, status: 'pending', attempts: 0 });
    await until(async () => (await deliveryOf(e1.id)).status === 'sent', 3000, 'sent after retry');
    expect(desk.of('doomed-1').at(-1)).toMatchObject({ outcome: 'ok', deliveryId: row.id });
    expect(await statusFor(c, e1.seq)).toBe('sent');
    await custStream.close();
  });

  it('a non-retryable rejection fails at once, after one attempt', async () => {
    const c = await fakeConversation(ts, 'rejected');
    desk.script('rejected-1', ['rejected', 'ok']);
    const e = await send(c, 'rejected-1');
    await until(async () => (await deliveryOf(e.id)).status === 'failed', 3000, 'failed');
    const row = await deliveryOf(e.id);
    expect(Number(row.attempts)).toBe(1);
    expect(row.last_error).toContain('PARLEY_E_DELIVERY_REJECTED');
    expect(desk.of('rejected-1')).toHaveLength(1);
    const log = await ts.api.get(`/v1/conversations/${c.conversationId}/events`, c.token);
    expect(log.body.events.find((ev: { kind: string }) => ev.kind === 'delivery.failed')).toMatchObject({ seq: e.seq + 1, failedSeq: e.seq, code: 'PARLEY_E_DELIVERY_REJECTED', deliveryId: row.id });
    expect(await statusFor(c, e.seq)).toBe('failed');
  });

  it('admin retry: unknown id → 404, customer token → 403', async () => {
    const c = await fakeConversation(ts, 'retry-auth');
    expect((await ts.api.post('/v1/admin/deliveries/dl_nope/retry', undefined, admin.token)).body.error.code).toBe('PARLEY_E_NOT_FOUND');
    expect((await ts.api.post('/v1/admin/deliveries/dl_nope/retry', undefined, c.token)).status).toBe(403);
  });
});

// Its own server, with attempts that hang long enough (1.5 s) for the other lane's deliveries to happen
// inside one of them even on a loaded machine: with the 200 ms timeout above, they sometimes fell into the
// stuck lane's backoff gap, and the overlap this test proves was not there to see.
describe.each(await dialects())('lanes do not wait for each other (%s)', (dialect) => {
  let ts: TestServer;
  let desk: FakeDesk;
  const HANG_MS = 1500;
  const ATTEMPTS = 2;
  beforeAll(async () => {
    desk = new FakeDesk();
    ts = await startServer({
      dialect,
      adapters: new Adapters([webChannel], [desk]),
      env: { PARLEY_DELIVERY_MAX_ATTEMPTS: String(ATTEMPTS), PARLEY_DELIVERY_BASE_DELAY_MS: '40', PARLEY_DELIVERY_MAX_DELAY_MS: '100', PARLEY_DELIVERY_TIMEOUT_MS: String(HANG_MS) },
    });
  });
  afterAll(async () => ts?.stop());

  const send = async (c: { conversationId: string; token: string }, text: string) => {
    const r = await ts.api.post(`/v1/conversations/${c.conversationId}/messages`, { clientMessageId: text, text }, c.token);
    expect(r.status).toBe(201);
    return r.body.event as { id: string; seq: number };
  };

  it('one stuck lane does not hold up another conversation', async () => {
    const stuck = await fakeConversation(ts, 'stuck');
    const free = await fakeConversation(ts, 'free');
    desk.script('stuck-1', Array.from({ length: ATTEMPTS }, () => 'hang' as const));
    await send(stuck, 'stuck-1');
    await desk.attemptStarted('stuck-1');
    const freeEvents = [await send(free, 'free-1'), await send(free, 'free-2')];
    await until(() => desk.delivered(free.conversationId).length === 2, HANG_MS, 'the free lane');
    // They went out while the stuck lane's first attempt was still hanging.
    for (const a of desk.delivered(free.conversationId)) expect(a.concurrentWith).toContain(stuck.conversationId);
    expect(desk.delivered(free.conversationId).map((a) => a.seq)).toEqual(freeEvents.map((e) => e.seq));
    expect(desk.of('stuck-1')[0]!.outcome).toBeUndefined();
    // The stuck lane, meanwhile, gives up in its own time and says so.
    await until(async () => (await ts.api.get(`/v1/conversations/${stuck.conversationId}/events`, stuck.token)).body.events.some((e: { kind: string }) => e.kind === 'delivery.failed'), 4 * HANG_MS, 'stuck lane to give up');
    expect(desk.of('stuck-1').every((a) => a.signalAborted)).toBe(true);
  });
});
