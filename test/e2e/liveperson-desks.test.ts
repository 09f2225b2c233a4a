import { describe, expect, it } from 'vitest';
import { until } from '../helpers/server.js';
import { describeScene, parleyView } from './vendor-desks-scene.js';

// An SMS customer answered by a LivePerson agent (issue 10 item 5), across two vendors' emulators: the Twilio
// emulator plays the phone, the LivePerson emulator the agent, one Parley in between with the `twilio-sms`
// channel `sms`, the `liveperson` desk `lp` and the route sms → lp.

describe('SMS (Twilio) ↔ LivePerson agent', () => {
  const scene = describeScene({ channel: 'twilio', desk: 'liveperson' });
  const parley = parleyView(scene);
  const lp = (method: string, path: string, body?: unknown) => scene().liveperson!.control(method, `/liveperson${path}`, body);

  it('a text opens a LivePerson conversation; the agent accepts, reads and replies; the reply is texted back and delivered; the agent closes and the next text opens a new one', async () => {
    const phone = '+15557800001';
    const sid = await scene().twilio!.text(phone, 'Hello from my phone');
    const id = await scene().conversationOfTwilio(sid);
    expect(await parley.conversation(id)).toMatchObject({ channel: 'sms', desk: 'lp' });
    const lpId = await until(() => scene().ts.server.services.hub.tx((tx) => tx.externalOf('lp', 'conversation', id)), 8000, 'the LivePerson conversation');
    const view = async () => (await lp('GET', `/conversations/${lpId}`)).body;
    await until(async () => ((await view()).messages as any[]).some((m) => m.message === 'Hello from my phone'), 8000, 'the text at LivePerson');

    // Twilio retries the webhook: once in Parley, once at LivePerson.
    expect((await scene().twilio!.control('POST', `/twilio/messages/${sid}/redeliver`)).status).toBe(201);
    await scene().idle();
    expect(((await view()).messages as any[]).filter((m) => m.message === 'Hello from my phone')).toHaveLength(1);

    expect((await lp('POST', `/conversations/${lpId}/accept`, {})).status).toBe(200);
    await until(async () => (await parley.events(id)).some((e) => e.kind === 'participant.joined'), 8000, 'participant.joined');
    expect((await lp('POST', `/conversations/${lpId}/read`, {})).status).toBe(204);
    // The agent's READ is the customer's text read in Parley (a desk receipt through it).
    const text = (await parley.events(id)).find((e) => e.kind === 'message' && e.origin === 'channel');
    await until(async () => (await parley.events(id)).some((e) => e.kind === 'receipt' && e.origin === 'desk' && e.receipt === 'read' && e.through >= text.seq), 8000, "the customer's text read");
    expect((await lp('POST', `/conversations/${lpId}/reply`, { text: 'Hi! LivePerson agent here.' })).status).toBe(201);
    await until(async () => (await scene().twilio!.received(phone)).some((m) => m.body === 'Hi! LivePerson agent here.'), 10_000, 'the reply at the phone');
    // Twilio's delivery report → Parley's delivered → an ACCEPT at LivePerson.
    await until(async () => ((await view()).messages as any[]).find((m) => m.message === 'Hi! LivePerson agent here.')?.status === 'ACCEPT', 10_000, 'ACCEPT at LivePerson');

    expect((await lp('POST', `/conversations/${lpId}/close`, {})).status).toBe(200);
    await until(async () => (await parley.conversation(id)).phase === 'ended', 8000, 'ended in Parley');
    const again = await scene().twilio!.text(phone, 'One more question');
    const next = await scene().conversationOfTwilio(again);
    expect(next).not.toBe(id);
    await until(() => scene().ts.server.services.hub.tx((tx) => tx.externalOf('lp', 'conversation', next)), 8000, 'a new LivePerson conversation');
    expect((await parley.events(id)).some((e) => e.kind === 'delivery.failed')).toBe(false);
    expect(scene().ts.logs.filter((l) => l.level >= 50)).toEqual([]);
  });
});
