import { describe, expect, it } from 'vitest';
import { until } from '../helpers/server.js';
import { connectAgent, describeScene, genesysAgent, parleyView } from './vendor-desks-scene.js';

// Any channel × any desk, end to end across two vendors' emulators (issue 8 item 5): a phone texting through
// an SMS channel (Twilio, or AWS End User Messaging) answered by an agent in a vendor desk (Amazon Connect, or
// Genesys Cloud), one Parley in between with the channel instance, the desk instance and a route from the one
// to the other. Each emulator plays its side through its control API: the phone texts and reads what it got;
// the agent accepts, types, replies and ends. Every wait polls against a deadline: nothing sleeps.

let n = 0;
const phone = () => `+1555700${String(++n).padStart(4, '0')}`;

describe('SMS (Twilio) ↔ Amazon Connect agent', () => {
  // Short SMS parts, so an agent reply Connect accepts (≤ 1,024 characters) arrives as several texts.
  const SMS_PART = 300;
  const scene = describeScene({ channel: 'twilio', desk: 'connect', channelSettings: { maxTextLength: SMS_PART } });
  const parley = parleyView(scene);
  const { connect, contact, contactsOf, customerTexts } = connectAgent(scene);

  it('a text starts a Connect contact; the agent joins, types and replies; the reply reaches the phone split into SMS parts, delivered both ways; the agent ends and the next text starts a new contact', async () => {
    const p = phone();
    const sid = await scene().twilio!.text(p, 'Hi, where is my order?');
    const id = await scene().conversationOfTwilio(sid);
    expect(await parley.conversation(id)).toMatchObject({ channel: 'sms', desk: 'cc', phase: 'queued', queueId: null });

    // The contact Connect started for it: the channel and Parley's ids as attributes, the text as the first message.
    const started = await until(async () => (await contactsOf(id))[0], 8000, 'the Connect contact');
    expect(started.attributes).toMatchObject({ parleyConversationId: id, parleyChannel: 'sms' });
    expect(started.state).toBe('queued');
    await until(async () => (await customerTexts(started.initialContactId)).includes('Hi, where is my order?'), 8000, 'the text at Connect');

    // Parley has the chat streaming to its SNS endpoint before the agent acts (what the agent does before
    // StartContactStreaming is not streamed: a human agent is never that quick, a test is).
    await until(async () => ((await contact(started.initialContactId)).streams as any[]).some((s) => s.active), 8000, 'the chat streaming');

    // Twilio posts the same webhook again (a retry): stored once in Parley, sent once to Connect.
    expect((await scene().twilio!.control('POST', `/twilio/messages/${sid}/redeliver`)).status).toBe(201);
    await scene().twilio!.emu.webhooksIdle();
    await scene().idle();
    expect((await parley.events(id)).filter((e) => e.kind === 'message' && e.origin === 'channel')).toHaveLength(1);
    expect(await customerTexts(started.initialContactId)).toEqual(['Hi, where is my order?']);
    expect(await contactsOf(id)).toHaveLength(1);

    // The agent joins: Parley's conversation turns active with the Connect agent as its participant.
    expect((await connect('POST', `/contacts/${started.initialContactId}/accept`, {})).status).toBe(200);
    const joined = await until(async () => (await parley.events(id)).find((e) => e.kind === 'participant.joined'), 8000, 'participant.joined');
    expect(joined.origin).toBe('desk');
    await until(async () => (await parley.conversation(id)).phase === 'active', 8000, 'active');

    // Typing is a live signal SMS cannot show: the phone gets nothing for it.
    expect((await connect('POST', `/contacts/${started.initialContactId}/typing`)).status).toBe(204);

    // A reply of about 900 characters: Connect takes it whole; SMS carries it in parts of at most 300, in order.
    const reply = Array.from({ length: 150 }, (_, i) => `w${i}`).join(' ') + ' — see you soon!';
    expect(reply.length).toBeGreaterThan(2 * SMS_PART);
    expect(reply.length).toBeLessThanOrEqual(1024);
    expect((await connect('POST', `/contacts/${started.initialContactId}/reply`, { text: reply })).status).toBe(201);
    const parts = (await until(
      async () => {
        const got = (await scene().twilio!.received(p)).map((m) => m.body as string);
        return got.join(' ') === reply ? got : undefined;
      },
      10_000,
      'the reply at the phone',
    ))!;
    expect(parts.length).toBeGreaterThanOrEqual(3);
    expect(parts.every((b) => [...b].length <= SMS_PART)).toBe(true);
    for (const m of await scene().twilio!.received(p)) expect(m).toMatchObject({ from: scene().twilio!.emu.credentials.number, to: p });

    // SNS delivers the reply's notification again: still one message in Parley, and the phone gets no more texts.
    const topic = scene().connect!.emu.streaming.topics.get(scene().connect!.topicArn)!;
    const notification = topic.deliveries().find((d) => d.state === 'delivered' && d.body.includes('see you soon'))!;
    topic.redeliver(JSON.parse(notification.body).MessageId as string);
    await scene().idle();
    expect(topic.deliveries().filter((d) => d.body === notification.body).length).toBeGreaterThanOrEqual(2);
    expect((await scene().twilio!.received(p)).length).toBe(parts.length);

    // What the agent said is one message in Parley, from the desk; Twilio's status callbacks make it delivered,
    // and the receipt goes back to Connect, where the agent's message shows delivered.
    const agentMessages = async () => (await parley.events(id)).filter((e) => e.kind === 'message' && e.origin === 'desk');
    await until(async () => (await agentMessages()).length === 1 && (await agentMessages())[0].status === 'delivered', 10_000, 'the agent message delivered');
    expect((await agentMessages())[0]).toMatchObject({ author: { role: 'agent' }, parts: [{ type: 'text', text: reply }] });
    await until(
      async () => ((await contact(started.initialContactId)).items as any[]).find((i) => i.ParticipantRole === 'AGENT' && i.Content === reply)?.receipts?.delivered,
      10_000,
      'delivered at Connect',
    );

    // The phone answers in the same conversation and the same contact.
    const again = await scene().twilio!.text(p, 'Thanks!');
    expect(await scene().conversationOfTwilio(again)).toBe(id);
    await until(async () => (await customerTexts(started.initialContactId)).includes('Thanks!'), 8000, 'the second text at Connect');

    // The agent ends the chat: chat.ended ends the Parley conversation.
    expect((await connect('POST', `/contacts/${started.initialContactId}/end`)).status).toBe(200);
    await until(async () => (await parley.conversation(id)).phase === 'ended', 8000, 'ended');
    expect((await parley.events(id)).filter((e) => e.kind === 'conversation.ended')).toHaveLength(1);

    // The next text starts a new Parley conversation and a new Connect contact.
    const later = await scene().twilio!.text(p, 'One more thing');
    const next = await scene().conversationOfTwilio(later);
    expect(next).not.toBe(id);
    const fresh = await until(async () => (await contactsOf(next))[0], 8000, 'a new Connect contact');
    expect(fresh.initialContactId).not.toBe(started.initialContactId);
    expect(fresh.state).toBe('queued');
    await until(async () => (await customerTexts(fresh.initialContactId)).includes('One more thing'), 8000, 'the text in the new contact');
    expect((await contact(started.initialContactId)).state).toBe('ended');

    // Nothing went wrong on the way (no delivery failed, no error logged).
    expect((await parley.events(id)).some((e) => e.kind === 'delivery.failed')).toBe(false);
    expect(scene().ts.logs.filter((l) => l.level >= 50)).toEqual([]);
  });
});

describe('SMS (Twilio) ↔ Genesys Cloud agent', () => {
  const scene = describeScene({ channel: 'twilio', desk: 'genesys' });
  const parley = parleyView(scene);
  const { genesys, gc, inbound, conversationFor } = genesysAgent(scene);

  it('a text reaches the Genesys agent; the reply reaches the phone; receipts move both ways; a repeated webhook is stored once', async () => {
    const p = phone();
    const sid = await scene().twilio!.text(p, 'Hello Genesys, from my phone');
    const id = await scene().conversationOfTwilio(sid);
    const conv = await parley.conversation(id);
    expect(conv).toMatchObject({ channel: 'sms', desk: 'gc', phase: 'queued' });

    // The Genesys conversation for this customer (Parley's contact id as the Open Messaging customer id).
    const g = await conversationFor(conv.contactId);
    await until(async () => (await inbound(g.id)).some((m) => m.text === 'Hello Genesys, from my phone'), 8000, 'the text at Genesys');

    // Twilio retries the webhook: one message in Parley, one at Genesys.
    expect((await scene().twilio!.control('POST', `/twilio/messages/${sid}/redeliver`)).status).toBe(201);
    await scene().twilio!.emu.webhooksIdle();
    await scene().idle();
    expect((await parley.events(id)).filter((e) => e.kind === 'message' && e.origin === 'channel')).toHaveLength(1);
    expect((await inbound(g.id)).map((m) => m.text)).toEqual(['Hello Genesys, from my phone']);

    // Genesys's Delivered receipt for the customer's text is in Parley's log (the customer's ticks).
    const text = (await parley.events(id)).find((e) => e.kind === 'message' && e.origin === 'channel');
    await until(async () => (await parley.events(id)).some((e) => e.kind === 'receipt' && e.origin === 'desk' && e.receipt === 'delivered' && e.through >= text.seq), 8000, 'the text delivered at Genesys');

    // The agent accepts and replies; the phone gets the reply from the Twilio number.
    expect((await genesys('POST', `/conversations/${g.id}/accept`, {})).status).toBe(200);
    await until(async () => (await parley.events(id)).some((e) => e.kind === 'participant.joined'), 8000, 'participant.joined');
    const sent = (await genesys('POST', `/conversations/${g.id}/reply`, { text: 'Hi! How can I help?' })).body;
    await until(async () => (await scene().twilio!.received(p)).some((m) => m.body === 'Hi! How can I help?'), 10_000, 'the reply at the phone');
    expect((await scene().twilio!.received(p)).map((m) => m.body)).toEqual(['Hi! How can I help?']);

    // Twilio's status callback says delivered: the agent message is delivered in Parley, and at Genesys.
    await until(async () => (await parley.events(id)).find((e) => e.kind === 'message' && e.origin === 'desk')?.status === 'delivered', 10_000, 'delivered in Parley');
    await until(async () => ((await gc(g.id)).messages as any[]).find((m) => m.id === sent.id)?.status === 'delivered', 10_000, 'delivered at Genesys');

    // The phone answers in the same conversation.
    const again = await scene().twilio!.text(p, 'My parcel is late');
    expect(await scene().conversationOfTwilio(again)).toBe(id);
    await until(async () => (await inbound(g.id)).some((m) => m.text === 'My parcel is late'), 8000, 'the second text at Genesys');
    expect((await parley.events(id)).some((e) => e.kind === 'delivery.failed')).toBe(false);
    expect(scene().ts.logs.filter((l) => l.level >= 50)).toEqual([]);
  });
});

describe('SMS (AWS End User Messaging) ↔ Amazon Connect agent', () => {
  const scene = describeScene({ channel: 'aws', desk: 'connect' });
  const parley = parleyView(scene);
  const { connect, contactsOf, customerTexts } = connectAgent(scene);

  it('a text over SNS starts a Connect contact (once, though SNS delivers it twice); the agent’s reply is sent to the phone; the agent ends', async () => {
    const p = phone();
    const { inboundMessageId, snsMessageId } = await scene().aws!.text(p, 'Hello from AWS SMS');
    const id = await scene().conversationOfAws(inboundMessageId);
    expect(await parley.conversation(id)).toMatchObject({ channel: 'sms', desk: 'cc', phase: 'queued' });
    const c = await until(async () => (await contactsOf(id))[0], 8000, 'the Connect contact');
    expect(c.attributes).toMatchObject({ parleyChannel: 'sms' });
    await until(async () => (await customerTexts(c.initialContactId)).includes('Hello from AWS SMS'), 8000, 'the text at Connect');
    await until(async () => ((await connect('GET', `/contacts/${c.initialContactId}`)).body.streams as any[]).some((s) => s.active), 8000, 'the chat streaming');

    // SNS delivers the notification again: one message in Parley, one at Connect.
    expect((await scene().aws!.control('POST', '/aws-sms/redeliver', { snsMessageId })).status).toBeLessThan(300);
    await scene().idle();
    expect((await parley.events(id)).filter((e) => e.kind === 'message' && e.origin === 'channel')).toHaveLength(1);
    expect(await customerTexts(c.initialContactId)).toEqual(['Hello from AWS SMS']);

    expect((await connect('POST', `/contacts/${c.initialContactId}/accept`, {})).status).toBe(200);
    await until(async () => (await parley.conversation(id)).phase === 'active', 8000, 'active');
    expect((await connect('POST', `/contacts/${c.initialContactId}/reply`, { text: 'Connect here, hello!' })).status).toBe(201);
    await until(async () => (await scene().aws!.received(p)).some((t) => t.body === 'Connect here, hello!'), 10_000, 'the reply at the phone');
    expect((await scene().aws!.received(p)).map((t) => t.body)).toEqual(['Connect here, hello!']);
    // The carrier's delivery event comes back over SNS: the agent's message shows delivered at Connect. (Wait
    // for it before the agent ends: a receipt reaching Connect after the chat ended is refused there.)
    await until(
      async () => ((await connect('GET', `/contacts/${c.initialContactId}`)).body.items as any[]).find((i) => i.ParticipantRole === 'AGENT' && i.Content === 'Connect here, hello!')?.receipts?.delivered,
      10_000,
      'delivered at Connect',
    );

    expect((await connect('POST', `/contacts/${c.initialContactId}/end`)).status).toBe(200);
    await until(async () => (await parley.conversation(id)).phase === 'ended', 8000, 'ended');
    const next = await scene().conversationOfAws((await scene().aws!.text(p, 'Me again')).inboundMessageId);
    expect(next).not.toBe(id);
    const fresh = await until(async () => (await contactsOf(next))[0], 8000, 'a new Connect contact');
    expect(fresh.initialContactId).not.toBe(c.initialContactId);
    expect(scene().ts.logs.filter((l) => l.level >= 50)).toEqual([]);
  });
});
