import { createHmac } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventFrame, fastAgent, makeApiKey, Streams } from '../../helpers/flows.js';
import { until } from '../../helpers/server.js';
import { genesysScene, type GenesysScene } from './helpers.js';

// Proactive messages routed to a Genesys desk go out through Genesys's agentless API
// (POST /api/v2/conversations/messages/agentless), from the outbox: stored in Parley's log at once (the
// customer sees them), sent to Genesys by the dispatcher, retried, once per idempotency key. What Genesys
// would refuse (longer than 2000 characters, anything but text) is refused first, and nothing is stored.

describe('proactive messages to a genesys desk (agentless)', () => {
  let scene: GenesysScene;
  let adminToken: string;
  let key: string;
  const streams = new Streams();
  beforeAll(async () => {
    scene = await genesysScene();
    adminToken = (await fastAgent(scene.ts, { role: 'admin', name: 'Admin' })).token;
    key = await makeApiKey(scene.ts, adminToken, ['messages:write']);
  });
  afterEach(async () => {
    await streams.closeAll();
    await scene.control('DELETE', '/faults');
  });
  afterAll(async () => scene?.stop());

  const proactive = (body: Record<string, unknown>) => scene.ts.api.post('/v1/messages/proactive', body, key);
  /** Agentless requests the emulator received for one customer (contact id), with their answers. */
  const agentlessCalls = async (contactId: string) =>
    ((await scene.control('GET', '/requests?method=POST&path=/messages/agentless')).body.requests as any[]).filter((r) => r.json?.toAddress === contactId);
  const accepted = async (contactId: string) => (await agentlessCalls(contactId)).filter((r) => r.status === 202);
  /** The desk delivery of a proactive message (its event), once Genesys took it. */
  const sentToDesk = (r: { body: { conversation: { id: string }; event: { id: string } } }, ms = 8000) =>
    until(async () => {
      const all = (await scene.ts.api.get(`/v1/admin/deliveries?conversationId=${r.body.conversation.id}`, adminToken)).body.deliveries as any[];
      const d = all.find((x) => x.leg === 'desk' && x.eventId === r.body.event.id);
      return d?.status === 'sent' ? d : undefined;
    }, ms, 'the proactive message sent to Genesys');
  const messages = async (conversationId: string) =>
    ((await scene.ts.api.get(`/v1/conversations/${conversationId}/transcript`, adminToken)).body.events as any[]).filter((e) => e.kind === 'message');
  /** Genesys posted its webhook for this message back to Parley, and Parley answered it. */
  const echoed = (genesysMessageId: string) =>
    until(async () => ((await scene.control('GET', `/webhooks?key=${genesysMessageId}`)).body.deliveries as any[]).some((d) => d.state === 'delivered'), 5000, 'the webhook echo');

  it("goes out as an agentless message; the customer sees it once; their reply and the agent's answer share the conversation", async () => {
    const cust = await scene.ts.api.customer();
    const stream = await streams.connect(scene.ts, cust.token);
    const r = await proactive({ contactId: cust.contactId, text: 'Your parcel is on its way', from: { name: 'Acme' }, idempotencyKey: `parcel-${cust.contactId}` });
    expect(r.status).toBe(201);
    expect(r.body.conversation).toMatchObject({ desk: 'gc', queueId: null, agentId: null, phase: 'bot' });
    const conversationId: string = r.body.conversation.id;
    const seen = await stream.next(eventFrame('message', conversationId, (e) => e.author.role === 'business'));
    expect(seen.event.parts).toEqual([{ type: 'text', text: 'Your parcel is on its way' }]);

    const delivery = await sentToDesk(r);
    const [call, ...more] = await agentlessCalls(cust.contactId);
    expect(more).toHaveLength(0);
    expect(call.json).toEqual({
      fromAddress: scene.emu.credentials.integrationId,
      toAddress: cust.contactId,
      toAddressMessengerType: 'open',
      textBody: 'Your parcel is on its way',
      useExistingActiveConversation: true,
    });
    // Genesys posts the agentless message back to the webhook: linked, not stored a second time.
    expect(delivery.externalId).toBeTruthy();
    await echoed(delivery.externalId);
    expect(await messages(conversationId)).toHaveLength(1);
    // The customer's stream showed it, so Genesys hears it was delivered (as for an agent's message).
    await until(async () => {
      const gcId = ((await scene.control('GET', '/genesys/conversations')).body.conversations as any[]).find((c) => c.customer?.id === cust.contactId)?.id;
      const at = gcId && (await scene.control('GET', `/genesys/conversations/${gcId}`)).body;
      return at && (at.messages as any[]).find((m) => m.id === delivery.externalId)?.status === 'delivered';
    }, 5000, 'Delivered at Genesys');

    // The customer answers: the conversation waits at the desk, Genesys routes the reply, an agent answers.
    const reply = await scene.ts.api.post(`/v1/conversations/${conversationId}/messages`, { clientMessageId: 'r-1', text: 'Where is it now?' }, cust.token);
    expect(reply.status).toBe(201);
    const queued = await stream.next(eventFrame('conversation.queued', conversationId));
    expect(queued.event).toMatchObject({ queueId: 'gc', queueName: 'gc' });
    const gc = await until(() => scene.conversationOf(cust.contactId), 5000, 'the routed Genesys conversation');
    expect((gc.messages as any[]).map((m) => m.text)).toEqual(['Where is it now?']);
    expect((await scene.control('POST', `/genesys/conversations/${gc.id}/accept`, {})).status).toBe(200);
    expect((await scene.control('POST', `/genesys/conversations/${gc.id}/reply`, { text: 'In Leeds, arriving tomorrow.' })).status).toBe(201);
    const answer = await stream.next(eventFrame('message', conversationId, (e) => e.author.role === 'agent'), 5000);
    expect(answer.event.parts).toEqual([{ type: 'text', text: 'In Leeds, arriving tomorrow.' }]);
    expect((await messages(conversationId)).map((e) => e.author.role)).toEqual(['business', 'customer', 'agent']);
  });

  it('joins the active Genesys conversation the customer already has (useExistingActiveConversation)', async () => {
    const cust = await scene.ts.api.customer();
    const stream = await streams.connect(scene.ts, cust.token);
    const open = await scene.ts.api.post('/v1/conversations', {}, cust.token);
    const conversationId: string = open.body.conversation.id;
    await scene.ts.api.post(`/v1/conversations/${conversationId}/messages`, { clientMessageId: 'c-1', text: 'Hello?' }, cust.token);
    const gc = await until(() => scene.conversationOf(cust.contactId), 5000, 'the Genesys conversation');
    await scene.control('POST', `/genesys/conversations/${gc.id}/accept`, {});

    const r = await proactive({ contactId: cust.contactId, text: 'A note from billing: your refund is approved.' });
    expect(r.status).toBe(201);
    expect(r.body.conversation.id).toBe(conversationId);
    await stream.next(eventFrame('message', conversationId, (e) => e.author.role === 'business'));
    const delivery = await sentToDesk(r);
    await echoed(delivery.externalId);
    const at = (await scene.control('GET', `/genesys/conversations/${gc.id}`)).body;
    expect(at.phase).toBe('active');
    expect((at.messages as any[]).filter((m) => m.by === 'agentless').map((m) => m.text)).toEqual(['A note from billing: your refund is approved.']);
    expect((await messages(conversationId)).filter((e) => e.author.role === 'business')).toHaveLength(1);
  });

  it('longer than Genesys takes, or not text: a coded 422, nothing stored, no call to Genesys', async () => {
    const sub = `long-${Math.random().toString(36).slice(2)}`;
    const identity = { channel: 'web', externalId: sub };
    const tooLong = await proactive({ identity, text: 'x'.repeat(2001) });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.error).toMatchObject({ code: 'PARLEY_E_MESSAGE_TOO_LONG', details: { desk: 'gc', limit: 2000, length: 2001 } });
    const rich = await proactive({ identity, parts: [{ type: 'quick_replies', text: 'Rate us', replies: [{ title: 'Good', payload: 'good' }] }] });
    expect(rich.status).toBe(422);
    expect(rich.body.error.code).toBe('PARLEY_E_PROACTIVE_UNSUPPORTED');
    // Not even the contact was created.
    const probe = await scene.ts.api.post('/v1/offers', { identity, type: 'text', content: 'x' }, adminToken);
    expect(probe.body.error.code).toBe('PARLEY_E_CONTACT_NOT_FOUND');
    const calls = (await scene.control('GET', '/requests?method=POST&path=/messages/agentless')).body.requests as any[];
    expect(calls.some((c) => (c.json?.textBody as string | undefined)?.startsWith('xxxx') || c.json?.textBody === 'Rate us')).toBe(false);

    // Exactly at the limit is fine, and Genesys takes it.
    const cust = await scene.ts.api.customer();
    const atLimit = await proactive({ contactId: cust.contactId, text: 'y'.repeat(2000) });
    expect(atLimit.status).toBe(201);
    await sentToDesk(atLimit);
    expect(await accepted(cust.contactId)).toHaveLength(1);
  });

  it('Genesys failing (500, then 429) and recovering: one agentless message, one message in the log', async () => {
    await scene.control('POST', '/faults', { path: '/api/v2/conversations/messages/agentless', kind: 'error', status: 500, times: 2 });
    const cust = await scene.ts.api.customer();
    const r = await proactive({ contactId: cust.contactId, text: 'Your appointment is at 10:00' });
    expect(r.status).toBe(201);
    const conversationId: string = r.body.conversation.id;
    await until(async () => (await agentlessCalls(cust.contactId)).length >= 2, 8000, 'two failed attempts');
    await scene.control('POST', '/faults', { path: '/api/v2/conversations/messages/agentless', kind: 'rateLimit', retryAfterSeconds: 1, times: 1 });
    const delivery = await sentToDesk(r, 15_000);
    const calls = await agentlessCalls(cust.contactId);
    expect(calls.filter((c) => c.fault).length).toBeGreaterThanOrEqual(2);
    expect(calls.filter((c) => c.status === 202)).toHaveLength(1);
    await echoed(delivery.externalId);
    expect(await messages(conversationId)).toHaveLength(1);
  });

  it('the same idempotency key twice: one message, one agentless call', async () => {
    const cust = await scene.ts.api.customer();
    const body = { contactId: cust.contactId, text: 'Your order #77 shipped', idempotencyKey: `order-77-${cust.contactId}` };
    const first = await proactive(body);
    const second = await proactive(body);
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ duplicate: true, event: { id: first.body.event.id } });
    const delivery = await sentToDesk(first);
    await echoed(delivery.externalId);
    // A third try after it was sent changes nothing either.
    expect((await proactive(body)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(await agentlessCalls(cust.contactId)).toHaveLength(1);
    expect(await messages(first.body.conversation.id)).toHaveLength(1);
  });

  it("Genesys's echo of an agentless message that overtakes its answer (or a crash) is linked, not stored again", async () => {
    // Genesys posts the agentless message to the webhook as soon as it sends it; the answer to Parley's call
    // may come later, or never (a crash). Played here with Genesys failing the call while its echo arrives.
    await scene.control('POST', '/faults', { path: '/api/v2/conversations/messages/agentless', kind: 'error', status: 503, times: 1000 });
    const cust = await scene.ts.api.customer();
    const r = await proactive({ contactId: cust.contactId, text: 'Your table is ready' });
    const conversationId: string = r.body.conversation.id;
    const webhook = (p: Record<string, unknown>) => {
      const raw = JSON.stringify({
        channel: { id: scene.emu.credentials.integrationId, platform: 'Open', type: 'Private', to: { id: cust.contactId, idType: 'Opaque' }, from: { id: scene.emu.credentials.integrationId, nickname: 'Acme' }, time: new Date().toISOString() },
        type: 'Text',
        direction: 'Outbound',
        conversationId: 'gc-echo-conversation',
        ...p,
      });
      const signature = `sha256=${createHmac('sha256', scene.emu.credentials.integrationSecret).update(raw).digest('base64')}`;
      return scene.ts.api.req('POST', '/webhooks/genesys/gc', { raw, contentType: 'application/json', headers: { 'x-hub-signature-256': signature } });
    };
    const echo = await webhook({ id: 'gm-echo-1', text: 'Your table is ready' });
    expect(echo.status).toBe(200);
    expect(echo.body).toEqual({ duplicate: true });
    expect(await messages(conversationId)).toHaveLength(1);
    // The same text from a human agent is an agent's message, not an echo.
    await webhook({ id: 'gm-human-1', text: 'Your table is ready', originatingEntity: 'Human' });
    expect((await messages(conversationId)).map((e) => e.author.role)).toEqual(['business', 'agent']);
    // Genesys back: the message goes out once more (at least once), and its own echo is recognised too.
    await scene.control('DELETE', '/faults');
    const delivery = await sentToDesk(r, 15_000);
    await echoed(delivery.externalId);
    expect((await messages(conversationId)).map((e) => e.author.role)).toEqual(['business', 'agent']);
  });
});
