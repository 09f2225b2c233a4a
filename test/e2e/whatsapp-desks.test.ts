import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { samplePng } from '../../emulators/kit/png.js';
import { until } from '../helpers/server.js';
import { connectAgent, describeScene, genesysAgent, parleyView } from './vendor-desks-scene.js';

// WhatsApp customers answered by agents in vendor desks, end to end across two vendors' emulators (issue 9
// item 5): the Meta emulator plays the customer's WhatsApp, the Genesys Cloud or Amazon Connect emulator
// plays the agent, one Parley in between with the `whatsapp` channel instance `wa`, the desk instance and a
// route from the one to the other — for Connect, with a PII redaction policy on the route, so the Connect
// agent sees card numbers and e-mail addresses masked and Parley keeps nothing unmasked.

describe('WhatsApp ↔ Genesys Cloud agent', () => {
  const scene = describeScene({ channel: 'whatsapp', desk: 'genesys' });
  const parley = parleyView(scene);
  const { genesys, inbound, conversationFor } = genesysAgent(scene);

  it('a message reaches the Genesys agent; typing, a reply and an image reach WhatsApp; reads move both ways; a retried webhook is stored once; the agent ends', async () => {
    const wa = scene().whatsapp!;
    const user = await wa.user('Grace Hopper');
    const wamid = await wa.write(user, { text: 'Hello Genesys, from WhatsApp' });
    const id = await scene().conversationOfWhatsApp(wamid);
    const conv = await parley.conversation(id);
    expect(conv).toMatchObject({ channel: 'wa', desk: 'gc', phase: 'queued' });

    const g = await conversationFor(conv.contactId);
    await until(async () => (await inbound(g.id)).some((m) => m.text === 'Hello Genesys, from WhatsApp'), 8000, 'the message at Genesys');

    // Meta retries the webhook: one message in Parley, one at Genesys.
    expect((await wa.control('POST', `/meta/messages/${wamid}/redeliver`)).status).toBe(201);
    await scene().idle();
    expect((await parley.events(id)).filter((e) => e.kind === 'message' && e.origin === 'channel')).toHaveLength(1);
    expect((await inbound(g.id)).map((m) => m.text)).toEqual(['Hello Genesys, from WhatsApp']);

    // The agent accepts and types: the customer's WhatsApp shows it typing (a live signal, never stored).
    expect((await genesys('POST', `/conversations/${g.id}/accept`, {})).status).toBe(200);
    await until(async () => (await parley.events(id)).some((e) => e.kind === 'participant.joined'), 8000, 'participant.joined');
    const before = (await parley.conversation(id)).lastSeq;
    expect((await genesys('POST', `/conversations/${g.id}/typing`, {})).status).toBeLessThan(300);
    await until(async () => (await wa.control('GET', `/meta/whatsapp/users/${user}`)).body.typing === true, 8000, 'typing on WhatsApp');
    expect((await parley.conversation(id)).lastSeq).toBe(before);

    // A text and an image from the agent reach WhatsApp, in order.
    expect((await genesys('POST', `/conversations/${g.id}/reply`, { text: 'Hi Grace! Here is your receipt.' })).status).toBeLessThan(300);
    expect((await genesys('POST', `/conversations/${g.id}/reply`, { image: true })).status).toBeLessThan(300);
    const got = (await until(async () => ((await wa.received(user)).length >= 2 ? wa.received(user) : undefined), 10_000, 'the replies on WhatsApp'))!;
    expect(got[0]).toMatchObject({ type: 'text', text: 'Hi Grace! Here is your receipt.' });
    expect(got[1]).toMatchObject({ type: 'image', media: { contentType: 'image/png' } });

    // The customer reads them: the agent's messages are read in Parley.
    expect((await wa.control('POST', `/meta/whatsapp/users/${user}/read`)).status).toBe(201);
    await until(async () => (await parley.events(id)).filter((e) => e.kind === 'message' && e.origin === 'desk').every((e) => e.status === 'read'), 10_000, 'read in Parley');

    // The customer sends a photo: the Genesys agent gets it as an attachment.
    const png = samplePng(6, [0x30, 0x90, 0x30]);
    await wa.write(user, { media: { type: 'image', contentType: 'image/png', base64: png.toString('base64'), caption: 'the parcel' } });
    await until(async () => (await inbound(g.id)).some((m) => JSON.stringify(m).includes('image/png')), 10_000, 'the photo at Genesys');

    // The agent ends: the conversation is over in Parley; the next message opens a new one.
    expect((await genesys('POST', `/conversations/${g.id}/end`, {})).status).toBeLessThan(300);
    await until(async () => (await parley.conversation(id)).phase === 'ended', 10_000, 'ended in Parley');
    const next = await wa.write(user, { text: 'One more thing' });
    expect(await scene().conversationOfWhatsApp(next)).not.toBe(id);
    expect((await parley.events(id)).some((e) => e.kind === 'delivery.failed')).toBe(false);
    expect(scene().ts.logs.filter((l) => l.level >= 50)).toEqual([]);
  });
});

describe('WhatsApp ↔ Amazon Connect agent, with PII redaction on the route', () => {
  const scene = describeScene({ channel: 'whatsapp', desk: 'connect', routeSettings: { redact: { kinds: ['card', 'email'], original: 'drop' } } });
  const parley = parleyView(scene);
  const { connect, contact, contactsOf, customerTexts } = connectAgent(scene);

  it('the Connect agent sees the card number and e-mail address masked, Parley stores nothing unmasked, and the reply reaches WhatsApp', async () => {
    const wa = scene().whatsapp!;
    const user = await wa.user('Alan');
    const secret = 'My card 4111-1111-1111-1111 and mail alan@example.com';
    const wamid = await wa.write(user, { text: secret });
    const id = await scene().conversationOfWhatsApp(wamid);
    const started = await until(async () => (await contactsOf(id))[0], 8000, 'the Connect contact');
    const masked = 'My card [card ••••1111] and mail [email]';
    await until(async () => (await customerTexts(started.initialContactId)).includes(masked), 8000, 'the masked text at Connect');
    expect(JSON.stringify(await contact(started.initialContactId))).not.toContain('4111-1111-1111-1111');

    // In Parley: the stored message is masked and says what was redacted.
    const msg = (await parley.events(id)).find((e) => e.kind === 'message' && e.origin === 'channel');
    expect(msg.parts[0].text).toBe(masked);
    expect(msg.redacted).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'card', count: 1 }), expect.objectContaining({ kind: 'email', count: 1 })]));

    // The agent joins and replies; WhatsApp gets it.
    await until(async () => ((await contact(started.initialContactId)).streams as any[]).some((s) => s.active), 8000, 'the chat streaming');
    expect((await connect('POST', `/contacts/${started.initialContactId}/accept`, {})).status).toBe(200);
    expect((await connect('POST', `/contacts/${started.initialContactId}/reply`, { text: 'Thanks Alan, the card is blocked.' })).status).toBe(201);
    await until(async () => (await wa.received(user)).some((m) => m.text === 'Thanks Alan, the card is blocked.'), 10_000, 'the reply on WhatsApp');

    // Nothing unmasked in Parley's database files (the data folder: the database and its WAL).
    await scene().idle();
    const dataDir = scene().ts.config.dataDir;
    const files = readdirSync(dataDir).filter((f) => f.startsWith('parley.db'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const bytes = readFileSync(join(dataDir, f));
      expect(bytes.includes('4111-1111-1111-1111'), f).toBe(false);
      expect(bytes.includes('alan@example.com'), f).toBe(false);
    }
    expect(scene().ts.logs.filter((l) => l.level >= 50)).toEqual([]);
  });
});
