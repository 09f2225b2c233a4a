// SMS (AWS End User Messaging) ↔ inbox agent, end to end against the aws-sms emulator: texts in through SNS,
// agent replies out through SendTextMessage (split, degraded), delivery events as receipts, opt-out, SNS
// retries stored once, and forged SNS refused with 403 and nothing stored.
import { describe, expect, it } from 'vitest';
import { inboxScene } from '../../helpers/flows.js';
import { until } from '../../helpers/server.js';
import { awsSmsScene } from './helpers.js';

let n = 0;
const nextPhone = () => `+1425555${String(++n).padStart(4, '0')}`;

const { scene, agent, events, accept, reply: inboxReply } = inboxScene(() => awsSmsScene(), { name: 'Agent Ann' });
const api = () => scene().ts.api;
const reply = async (id: string, body: Record<string, unknown>) => {
  const r = await inboxReply(id, body);
  expect(r.status).toBeLessThan(300);
  return r.body.event as { id: string; seq: number };
};
const receivedBodies = async (phone: string) => (await scene().received(phone)).map((t) => t.body);

/** A phone whose first text opened a conversation the agent took. */
async function chat(first = 'Hello') {
  const phone = nextPhone();
  const sent = await scene().text(phone, first);
  const id = await scene().conversationOf(sent.inboundMessageId);
  await accept(id);
  return { phone, id, sent };
}

describe('aws-sms channel ↔ inbox', () => {
  it('a text opens a conversation at the inbox; the agent’s reply reaches the phone and shows delivered', async () => {
    const { phone, id } = await chat('Where is my order?');
    const conv = (await api().get(`/v1/agent/conversations/${id}`, agent().token)).body.conversation;
    expect(conv).toMatchObject({ channel: 'sms', desk: 'inbox' });
    expect((await events(id)).find((e) => e.kind === 'message')).toMatchObject({ origin: 'channel', parts: [{ type: 'text', text: 'Where is my order?' }] });
    const ev = await reply(id, { text: 'It ships today.' });
    await until(async () => (await receivedBodies(phone)).includes('It ships today.'), 5000, 'the text at the phone');
    // The configuration set's TEXT_DELIVERED event moves the agent's tick.
    await until(async () => (await api().get(`/v1/agent/conversations/${id}`, agent().token)).body.conversation.receipts.customer.delivered >= ev.seq, 5000, 'delivered');
    // SNS delivering the same delivery events again changes nothing.
    const receipts = (await events(id)).filter((e) => e.kind === 'receipt').length;
    for (const d of scene().emu.events.deliveries().filter((x) => x.state === 'delivered' && x.headers['x-amz-sns-message-type'] === 'Notification')) scene().emu.events.redeliver(d.key);
    await scene().emu.snsIdle();
    expect((await events(id)).filter((e) => e.kind === 'receipt')).toHaveLength(receipts);
    // The customer answers in the same conversation.
    const second = await scene().text(phone, 'Thanks!');
    expect(await scene().conversationOf(second.inboundMessageId)).toBe(id);
  });

  it('an SNS retry of the same text, and the same inbound message republished, are stored once', async () => {
    const { id, sent } = await chat('once only');
    await scene().control('POST', '/aws-sms/redeliver', { snsMessageId: sent.snsMessageId });
    await scene().control('POST', '/aws-sms/redeliver', { snsMessageId: sent.snsMessageId });
    await scene().emu.snsIdle();
    const deliveries = scene().emu.twoWay.deliveries().filter((d) => d.key === sent.snsMessageId && d.state === 'delivered');
    expect(deliveries.length).toBe(3);
    expect((await events(id)).filter((e) => e.kind === 'message' && e.parts[0]?.text === 'once only')).toHaveLength(1);
    // Five deliveries of one message at once (SNS retrying while the first is still being handled).
    const burst = await scene().text(nextPhone(), 'burst');
    const burstId = await scene().conversationOf(burst.inboundMessageId);
    for (let i = 0; i < 5; i++) scene().emu.twoWay.redeliver(burst.snsMessageId);
    await scene().emu.snsIdle();
    const failed = scene().emu.twoWay.deliveries().filter((d) => d.key === burst.snsMessageId && d.state !== 'delivered');
    expect(failed).toEqual([]);
    await accept(burstId);
    expect((await events(burstId)).filter((e) => e.kind === 'message')).toHaveLength(1);
  });

  it('a long agent text goes out as several texts in order; quick replies, buttons and QR codes as readable text', async () => {
    const { phone, id } = await chat();
    const long = Array.from({ length: 500 }, (_, i) => `word${i}`).join(' '); // ~3,900 characters: three texts
    await reply(id, { text: long });
    await until(async () => (await receivedBodies(phone)).join(' ') === long, 5000, 'the pieces');
    const pieces = await receivedBodies(phone);
    expect(pieces.length).toBe(3);
    expect(pieces.every((p) => p.length <= 1600)).toBe(true);
    await reply(id, { parts: [{ type: 'quick_replies', text: 'What is it about?', replies: [{ title: 'An order' }, { title: 'A bill' }] }] });
    await reply(id, { parts: [{ type: 'buttons', text: 'See', buttons: [{ title: 'Track', url: 'https://example.com/t' }] }, { type: 'qr', content: 'TICKET-42' }] });
    await until(async () => (await receivedBodies(phone)).length >= pieces.length + 2, 5000, 'the rich parts');
    const [qr, rest] = (await receivedBodies(phone)).slice(pieces.length);
    expect(qr).toBe('What is it about?\n1. An order\n2. A bill\nReply with a number.');
    expect(rest).toBe('See\n1. Track: https://example.com/t\nQR code: TICKET-42');
  });

  it('STOP is stored, then ends the conversation (AWS opted the number out); the next text opens a new one', async () => {
    const { phone, id } = await chat();
    const stop = await scene().text(phone, 'STOP');
    expect(await scene().conversationOf(stop.inboundMessageId)).toBe(id);
    await until(async () => (await events(id)).some((e) => e.kind === 'conversation.ended'), 5000, 'the end');
    await scene().control('PATCH', `/aws-sms/phones/${encodeURIComponent(phone)}`, { optedOut: false });
    const back = await scene().text(phone, 'START');
    expect(await scene().conversationOf(back.inboundMessageId)).not.toBe(id);
  });

  it('a text AWS refuses (opted out) and one the carrier cannot deliver both end as delivery.failed for the agent', async () => {
    const { phone, id } = await chat();
    await scene().control('PATCH', `/aws-sms/phones/${encodeURIComponent(phone)}`, { optedOut: true });
    const refused = await reply(id, { text: 'You will not get this.' });
    await until(async () => (await events(id)).some((e) => e.kind === 'delivery.failed' && e.failedSeq === refused.seq), 8000, 'delivery.failed (refused)');
    const failed = (await events(id)).find((e) => e.kind === 'delivery.failed' && e.failedSeq === refused.seq);
    expect(failed).toMatchObject({ leg: 'channel' });
    await scene().control('PATCH', `/aws-sms/phones/${encodeURIComponent(phone)}`, { optedOut: false, unreachable: true });
    const lost = await reply(id, { text: 'Nor this.' });
    await until(async () => (await events(id)).some((e) => e.kind === 'delivery.failed' && e.failedSeq === lost.seq), 8000, 'delivery.failed (unreachable)');
    expect((await events(id)).find((e) => e.kind === 'delivery.failed' && e.failedSeq === lost.seq)).toMatchObject({ code: 'TEXT_UNREACHABLE' });
  });
});

describe('subscription lifecycle', () => {
  it('an UnsubscribeConfirmation is acknowledged and not followed; subscribing again is confirmed by Parley', async () => {
    const phone = nextPhone();
    await scene().conversationOf((await scene().text(phone, 'before unsubscribing')).inboundMessageId);
    const last = scene().emu.twoWay.deliveries().at(-1)!;
    const unsubscribeUrl = (JSON.parse(last.body) as { UnsubscribeURL: string }).UnsubscribeURL;
    expect((await fetch(unsubscribeUrl)).status).toBe(200);
    await scene().emu.snsIdle();
    const confirmation = scene().emu.twoWay.deliveries().at(-1)!;
    expect(confirmation.headers['x-amz-sns-message-type']).toBe('UnsubscribeConfirmation');
    expect(confirmation.state).toBe('delivered');
    expect(scene().emu.twoWay.confirmed()).toEqual([]);
    const sub = await scene().control('POST', '/aws-sms/subscriptions', { endpoint: scene().webhookUrl, topic: 'two-way' });
    expect(sub.body.twoWay).toEqual([scene().webhookUrl]);
    const after = await scene().text(phone, 'after subscribing again');
    await scene().conversationOf(after.inboundMessageId);
  });
});

describe('forged SNS', () => {
  const post = (body: string) => fetch(scene().webhookUrl, { method: 'POST', headers: { 'content-type': 'text/plain; charset=UTF-8', 'x-amz-sns-message-type': 'Notification' }, body });

  /** A notification as the emulator's two-way topic would sign it, with `over` applied, signed with `sign`. */
  function notification(over: Record<string, string>, sign: 'genuine' | 'none' = 'genuine') {
    const topic = scene().emu.twoWay;
    const m: Record<string, string> = {
      Type: 'Notification',
      MessageId: `forged-${Math.random()}`,
      TopicArn: topic.topicArn,
      Message: JSON.stringify({ originationNumber: '+14255559999', destinationNumber: scene().emu.credentials.phoneNumber, messageKeyword: 'KEYWORD_123456789012', messageBody: 'forged', inboundMessageId: `in-${Math.random()}` }),
      Timestamp: new Date().toISOString(),
      SignatureVersion: '2',
      SigningCertURL: topic.certUrl,
      ...over,
    };
    const toSign = ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'].filter((k) => m[k] !== undefined).map((k) => `${k}\n${m[k]}\n`).join('');
    m.Signature = sign === 'genuine' ? topic.sign(toSign, '2') : Buffer.alloc(256, 7).toString('base64');
    return m;
  }

  const stored = async () => {
    const db = scene().ts.server.services.hub.db;
    return { events: (await db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n, contacts: (await db.selectFrom('contacts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n };
  };

  it('a genuine one (the control) is accepted', async () => {
    const before = await stored();
    expect((await post(JSON.stringify(notification({})))).status).toBe(200);
    expect(Number((await stored()).events)).toBeGreaterThan(Number(before.events));
  });

  it('bad signature, tampered body, wrong cert host, wrong topic, bad JSON, unsigned: 403 and nothing stored', async () => {
    const before = await stored();
    const genuine = notification({});
    const cases: [string, string][] = [
      ['bad signature', JSON.stringify(notification({}, 'none'))],
      ['tampered', JSON.stringify({ ...genuine, Message: genuine.Message!.replace('forged', 'tampered') })],
      ['wrong cert host', JSON.stringify(notification({ SigningCertURL: 'http://127.0.0.1:1/__sns/x/cert.pem' }))],
      ['cert on an untrusted host', JSON.stringify(notification({ SigningCertURL: 'https://evil.example.com/SimpleNotificationService-x.pem' }))],
      ['wrong topic', JSON.stringify(notification({ TopicArn: 'arn:aws:sns:us-east-1:123456789012:someone-elses' }))],
      ['bad JSON', '{"Type":"Notification",'],
      ['unsigned', JSON.stringify((({ Signature: _s, ...rest }) => rest)(genuine))],
    ];
    for (const [what, body] of cases) {
      const res = await post(body);
      expect(res.status, what).toBe(403);
      expect(((await res.json()) as any).error.code, what).toBe('PARLEY_E_WEBHOOK_FORGED');
    }
    expect(await stored()).toEqual(before);
  });

  it('a SubscriptionConfirmation for another topic is refused and never confirmed', async () => {
    const topic = scene().emu.twoWay;
    const m: Record<string, string> = {
      Type: 'SubscriptionConfirmation',
      MessageId: 'sub-forged',
      Token: 'tok',
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:someone-elses',
      Message: 'You have chosen to subscribe…',
      SubscribeURL: `${scene().emu.url}/__sns/parley-two-way/confirm?Token=tok`,
      Timestamp: new Date().toISOString(),
      SignatureVersion: '2',
      SigningCertURL: topic.certUrl,
    };
    m.Signature = topic.sign(['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'].map((k) => `${k}\n${m[k]}\n`).join(''), '2');
    expect((await post(JSON.stringify(m))).status).toBe(403);
  });
});
