import { afterEach, describe, expect, it } from 'vitest';
import { fastAgent, Streams } from '../helpers/flows.js';
import { until, type StreamClient } from '../helpers/server.js';
import { connectAgent, describeScene, genesysAgent } from './vendor-desks-scene.js';

// The event inspector's vendor traffic (issue 10 item 6), end to end against the emulators: a phone texting
// through Twilio, answered by an agent in Genesys Cloud (or Amazon Connect), one Parley in between. What
// Parley sent to each vendor and what each vendor posted to it are recorded on the conversation, masked —
// credentials always, the customer's card number under the route's PII policy — and served to admins only,
// over REST and live on a `watch`.

const REDACTED = '[redacted]';
let n = 0;
const phone = () => `+1555710${String(++n).padStart(4, '0')}`;
const digitsOf = (v: unknown) => JSON.stringify(v).replace(/\D/g, '');

describe('vendor traffic: SMS (Twilio) ↔ Genesys, with a PII policy on the route', () => {
  const scene = describeScene({ channel: 'twilio', desk: 'genesys', routeSettings: { redact: { kinds: ['card'], original: 'drop' } } });
  const { genesys, inbound, conversationFor } = genesysAgent(scene);
  const streams = new Streams();
  afterEach(() => streams.closeAll());

  it('a customer text and an agent reply are recorded both ways on the conversation, masked, for admins over REST and live on watch; agents and customers are refused', async () => {
    const ts = scene().ts;
    const admin = await fastAgent(ts, { name: 'Admin', role: 'admin' });
    const agent = await fastAgent(ts, { name: 'Agent' });
    const p = phone();

    const sid = await scene().twilio!.text(p, 'Hi, my card is 4111 1111 1111 1111, please help');
    const id = await scene().conversationOfTwilio(sid);

    // An admin watches the conversation: live vendor frames from now on.
    const inspector: StreamClient = await streams.connect(ts, admin.token);
    inspector.send({ type: 'watch', conversationId: id, ref: 'w' });
    await inspector.next((f) => f.type === 'ack' && f.ref === 'w');

    const conv = (await ts.api.get(`/v1/agent/conversations/${id}`, admin.token)).body.conversation;
    const g = await conversationFor(conv.contactId);
    await until(async () => (await inbound(g.id)).length > 0, 8000, 'the message at Genesys');
    expect((await genesys('POST', `/conversations/${g.id}/accept`, {})).status).toBe(200);
    expect((await genesys('POST', `/conversations/${g.id}/reply`, { text: 'Hello from Genesys' })).status).toBeLessThan(300);
    await until(async () => (await scene().twilio!.received(p)).some((m) => m.body === 'Hello from Genesys'), 10_000, 'the reply at the phone');
    await scene().idle();

    const res = await ts.api.get(`/v1/admin/conversations/${id}/vendor-traffic`, admin.token);
    expect(res.status).toBe(200);
    const records = res.body.records as any[];
    const find = (direction: string, adapter: string, pred: (r: any) => boolean = () => true) => records.find((r) => r.direction === direction && r.adapter.startsWith(adapter) && pred(r));

    // Newest first.
    const times = records.map((r) => Date.parse(r.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    // ← Twilio's webhook with the customer's text: its signature masked, the card number masked in the form body.
    const twilioIn = find('in', 'twilio-sms:', (r) => r.request.body?.includes('Body='));
    expect(twilioIn).toMatchObject({ method: 'POST', status: 200 });
    expect(twilioIn.url).toMatch(/^\/webhooks\/twilio-sms\/sms/);
    expect(twilioIn.request.headers['x-twilio-signature']).toBe(REDACTED);
    expect(decodeURIComponent(twilioIn.request.body.replace(/\+/g, ' '))).toContain('[card ••••1111]');

    // → Genesys: the customer's message posted to the Open Messaging API with a bearer token, masked; and the
    // token request, its client secret and the access token masked.
    const toGenesys = find('out', 'genesys:', (r) => r.method === 'POST' && /inbound|messages/i.test(r.url) && r.request.headers.authorization);
    expect(toGenesys).toBeDefined();
    expect(toGenesys.request.headers.authorization).toBe(REDACTED);
    expect(toGenesys.status).toBeGreaterThanOrEqual(200);
    expect(toGenesys.attempt).toBe(1);
    expect(typeof toGenesys.durationMs).toBe('number');
    const tokenCall = find('out', 'genesys:', (r) => /token/.test(r.url));
    if (tokenCall) {
      expect(tokenCall.request.body).toContain(`client_secret=${encodeURIComponent(REDACTED)}`);
      expect(tokenCall.response.body).toContain(`"access_token":"${REDACTED}"`);
    }

    // ← Genesys's webhook with the agent's reply: its signature header masked.
    const genesysIn = find('in', 'genesys:', (r) => r.request.body?.includes('Hello from Genesys'));
    expect(genesysIn).toMatchObject({ method: 'POST', status: 200 });
    const signatureHeaders = Object.entries(genesysIn.request.headers).filter(([k]) => /signature/.test(k));
    expect(signatureHeaders.length).toBeGreaterThan(0);
    for (const [, v] of signatureHeaders) expect(v).toBe(REDACTED);

    // → Twilio: the reply sent through the Messages API with Basic auth, masked.
    const toTwilio = find('out', 'twilio-sms:', (r) => r.request.body?.includes('Hello'));
    expect(toTwilio).toMatchObject({ method: 'POST', status: 201 });
    expect(toTwilio.request.headers.authorization).toBe(REDACTED);

    // No secret value anywhere, and no card number in any form.
    const all = JSON.stringify(records);
    const tw = scene().twilio!.emu.credentials;
    const gEnv = scene().genesys!.emu.credentials;
    for (const secret of [tw.authToken, gEnv.clientSecret, gEnv.integrationSecret]) {
      expect(typeof secret).toBe('string');
      expect(all).not.toContain(secret);
    }
    expect(digitsOf(records)).not.toContain('4111111111111111');

    // Live: the watching admin got the same records as `vendor` frames, both directions, masked the same way.
    const live = await until(
      () => {
        const got = inspector.frames.filter((f) => f.type === 'vendor' && f.conversationId === id).map((f) => f.record);
        return got.some((r) => r.direction === 'out' && r.adapter.startsWith('twilio-sms:')) && got.some((r) => r.direction === 'in' && r.adapter.startsWith('genesys:')) ? got : undefined;
      },
      5000,
      'vendor frames on the watch',
    );
    expect(live!.every((r) => records.some((x) => x.id === r.id))).toBe(true);
    expect(JSON.stringify(live)).not.toContain(gEnv.clientSecret);
    expect(digitsOf(live)).not.toContain('4111111111111111');

    // Nobody else: an agent and a customer get the route's 403, an agent's stream never a vendor frame.
    const agentStream = await streams.connect(ts, agent.token);
    expect((await ts.api.get(`/v1/admin/conversations/${id}/vendor-traffic`, agent.token)).status).toBe(403);
    const customer = await ts.api.customer();
    expect((await ts.api.get(`/v1/admin/conversations/${id}/vendor-traffic`, customer.token)).status).toBe(403);
    agentStream.send({ type: 'watch', conversationId: id, ref: 'nope' });
    const refused = await agentStream.next((f) => f.ref === 'nope');
    expect(refused.error.code).toBe('PARLEY_E_FORBIDDEN');
    expect((await genesys('POST', `/conversations/${g.id}/reply`, { text: 'One more thing' })).status).toBeLessThan(300);
    await until(async () => (await scene().twilio!.received(p)).some((m) => m.body === 'One more thing'), 10_000, 'the second reply');
    await inspector.next((f) => f.type === 'vendor' && f.record.direction === 'out' && f.record.request.body?.includes('One+more+thing'));
    expect(agentStream.frames.some((f) => f.type === 'vendor')).toBe(false);

    // An unknown conversation: 404, as any other admin read of one.
    expect((await ts.api.get('/v1/admin/conversations/cv_nope/vendor-traffic', admin.token)).body.error.code).toBe('PARLEY_E_CONVERSATION_NOT_FOUND');
    expect(scene().ts.logs.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('a forged webhook is not recorded anywhere', async () => {
    const ts = scene().ts;
    const admin = await fastAgent(ts, { name: 'Admin 2', role: 'admin' });
    const before = (await ts.api.get('/v1/admin/vendor-traffic/unattributed', admin.token)).body.records.length;
    const forged = await ts.api.req('POST', '/webhooks/twilio-sms/sms', { raw: 'From=%2B15550000000&Body=forged+4111111111111111', contentType: 'application/x-www-form-urlencoded', headers: { 'x-twilio-signature': 'bm90IGEgc2lnbmF0dXJlIGF0IGFsbCEhISEh' } });
    expect(forged.status).toBe(401);
    const after = (await ts.api.get('/v1/admin/vendor-traffic/unattributed', admin.token)).body.records as any[];
    expect(after.length).toBe(before);
    expect(JSON.stringify(after)).not.toContain('forged');
  });
});

describe('vendor traffic: SMS (Twilio) ↔ Amazon Connect (AWS SDK calls)', () => {
  const scene = describeScene({ channel: 'twilio', desk: 'connect' });
  const { contactsOf } = connectAgent(scene);

  it("the Connect SDK calls are recorded on the conversation with SigV4's headers and the participant tokens masked", async () => {
    const ts = scene().ts;
    const admin = await fastAgent(ts, { name: 'Admin', role: 'admin' });
    const sid = await scene().twilio!.text(phone(), 'Hello Connect');
    const id = await scene().conversationOfTwilio(sid);
    await until(async () => (await contactsOf(id))[0], 8000, 'the Connect contact');
    const records = await until(
      async () => {
        const r = (await ts.api.get(`/v1/admin/conversations/${id}/vendor-traffic`, admin.token)).body.records as any[];
        return r.some((x) => x.operation === 'CreateParticipantConnectionCommand') ? r : undefined;
      },
      8000,
      'the CreateParticipantConnection record',
    );
    const start = records!.find((r) => r.operation === 'StartChatContactCommand');
    expect(start).toMatchObject({ direction: 'out', adapter: 'connect:cc', method: 'PUT', status: 200 });
    expect(start.request.headers.authorization).toBe(REDACTED);
    for (const [k, v] of Object.entries(start.request.headers)) if (k.startsWith('x-amz-')) expect(v).toBe(REDACTED);
    expect(start.response.body).toContain(`"ParticipantToken":"${REDACTED}"`);
    // The customer's first text goes as the chat's initial message.
    expect(start.request.body).toContain('Hello Connect');
    // The participant API: the participant token as X-Amz-Bearer, the connection token in the answer.
    const connection = records!.find((r) => r.operation === 'CreateParticipantConnectionCommand');
    expect(connection.request.headers['x-amz-bearer']).toBe(REDACTED);
    // ConnectionCredentials (ConnectionToken, Expiry) is credential-named: masked whole.
    expect(connection.response.body).toContain(`"ConnectionCredentials":"${REDACTED}"`);
    // ← Twilio's webhook that started it all is on the conversation too.
    expect(records!.some((r) => r.direction === 'in' && r.adapter === 'twilio-sms:sms')).toBe(true);
    const all = JSON.stringify(records);
    expect(all).not.toContain(scene().connect!.emu.credentials.secretAccessKey);
  });
});
