// The LivePerson emulator on its own: CSDS, Sentinel AppJWT, IdP ConsumerJWS, the Connector API's CONVERSATION
// and SEND endpoints (validation, per-dialog sequences, chat states, receipts, close), hosted files through
// Swift temp URLs, webhooks signed over the exact bytes (the reference's test vector included), consumer echoes,
// batched agent texts, agent-only notes, cqm on accept/transfer/close, the post-conversation survey dialog, and
// the time-to-live retry with per-conversation order, redelivery and faults in LivePerson's shape.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { banner, signature, startLivePersonEmulator, type LivePersonEmulator } from '../../emulators/liveperson/main.js';
import { client, until, webhookReceiver, type Received } from './helpers.js';

let emu: LivePersonEmulator;
let hook: Awaited<ReturnType<typeof webhookReceiver>>;
let api: ReturnType<typeof client>;
let A: string; // account id

beforeAll(async () => {
  hook = await webhookReceiver();
  emu = await startLivePersonEmulator({ port: 0, webhookUrl: hook.url, retryScale: 0.01, webhookTimeoutMs: 1000 });
  api = client(emu.url);
  A = emu.credentials.accountId;
});
afterAll(async () => {
  await emu.close();
  await hook.close();
});
beforeEach(async () => {
  await api.control('POST', '/reset');
  await emu.webhooksIdle();
  hook.received.length = 0;
  hook.respond();
});

const form = { 'content-type': 'application/x-www-form-urlencoded' };
async function appJwt(secret = emu.credentials.clientSecret): Promise<string> {
  const res = await api.request('POST', `/sentinel/api/account/${A}/app/token?v=1.0&grant_type=client_credentials&client_id=${emu.credentials.clientId}&client_secret=${secret}`, { headers: form });
  expect(res.status).toBe(200);
  return res.body.access_token;
}
async function consumerJws(app: string, ext: string): Promise<string> {
  const res = await api.request('POST', `/api/account/${A}/consumer?v=1.0`, { headers: { authorization: app }, body: { ext_consumer_id: ext } });
  expect(res.status).toBe(201);
  return res.body.token;
}
const profile = (id = '1') => ({ kind: 'req', id, type: 'userprofile.SetUserProfile', body: { firstName: 'Kim', lastName: '' } });
const request = (id = '2', extra: Record<string, unknown> = {}) => ({
  kind: 'req',
  id,
  type: 'cm.ConsumerRequestConversation',
  body: { ttrDefName: null, campaignInfo: { campaignId: 99, engagementId: 88 }, channelType: 'MESSAGING', brandId: A, skillId: '-1', conversationContext: { type: 'SharkContext', lang: 'en-US' }, ...extra },
});
const text = (dialogId: string, message: string, id = '3') => ({ kind: 'req', id, type: 'ms.PublishEvent', body: { dialogId, conversationId: dialogId, event: { type: 'ContentEvent', contentType: 'text/plain', message } } });
const conversationCall = (app: string, jws: string, batch: unknown) =>
  api.request('POST', `/api/account/${A}/messaging/consumer/conversation?v=3`, { headers: { authorization: app, 'x-lp-on-behalf': jws }, body: batch });
const send = (app: string, jws: string, req: unknown) => api.request('POST', `/api/account/${A}/messaging/consumer/conversation/send?v=3`, { headers: { authorization: app, 'x-lp-on-behalf': jws }, body: req });

/** A consumer with an open conversation (first message "Hello"). */
async function opened(ext = `ext-${Math.random()}`) {
  const app = await appJwt();
  const jws = await consumerJws(app, ext);
  const res = await conversationCall(app, jws, [profile(), request(), { kind: 'req', id: '3', type: 'ms.PublishEvent', body: { event: { type: 'ContentEvent', contentType: 'text/plain', message: 'Hello' } } }]);
  expect(res.status).toBe(200);
  const convId: string = res.body[1].body.conversationId;
  return { app, jws, convId, res };
}
const control = async (method: string, path: string, body?: unknown) => api.control(method, `/liveperson${path}`, body);
const conv = async (id: string) => (await control('GET', `/conversations/${id}`)).body;
const ofType = (type: string) => hook.received.filter((r) => r.json.type === type);
const changes = (eventType?: string): any[] =>
  ofType('ms.MessagingEventNotification')
    .flatMap((r) => r.json.body.changes)
    .filter((c: any) => !eventType || c.event.type === eventType);
const cqm = (): any[] => ofType('cqm.ExConversationChangeNotification').map((r) => r.json.body.changes[0].result);

describe('CSDS, AppJWT, ConsumerJWS', () => {
  it('names this emulator for every service; an unknown account is 404', async () => {
    const res = await api.request('GET', `/api/account/${A}/service/baseURI.json?version=1.0`);
    expect(res.status).toBe(200);
    const host = new URL(emu.url).host;
    const services = Object.fromEntries(res.body.baseURIs.map((b: any) => [b.service, b]));
    for (const s of ['asyncMessagingEnt', 'sentinel', 'idp', 'swift']) expect(services[s]).toEqual({ service: s, account: A, baseURI: host });
    expect((await api.request('GET', '/api/account/999/service/baseURI.json?version=1.0')).status).toBe(404);
    expect(banner(emu).join('\n')).toContain(emu.credentials.csdsUrl);
  });

  it('issues an AppJWT for the right secret (query or form), 401 for a wrong one, 400 without grant_type', async () => {
    const { clientId, clientSecret } = emu.credentials;
    const q = await api.request('POST', `/sentinel/api/account/${A}/app/token?v=1.0&grant_type=client_credentials&client_id=${clientId}&client_secret=${clientSecret}`, { headers: form });
    expect(q.status).toBe(200);
    expect(q.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    const claims = JSON.parse(Buffer.from(q.body.access_token.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ iss: 'Sentinel', azp: clientId, accountId: A });
    expect(claims.exp - claims.iat).toBe(3600);
    const f = await api.request('POST', `/sentinel/api/account/${A}/app/token?v=1.0`, { headers: form, raw: `grant_type=client_credentials&client_id=${clientId}&client_secret=${clientSecret}` });
    expect(f.status).toBe(200);
    const bad = await api.request('POST', `/sentinel/api/account/${A}/app/token?v=1.0&grant_type=client_credentials&client_id=${clientId}&client_secret=nope`, { headers: form });
    expect(bad.status).toBe(401);
    expect(bad.body.error).toBe('invalid_client');
    const noGrant = await api.request('POST', `/sentinel/api/account/${A}/app/token?v=1.0&client_id=${clientId}&client_secret=${clientSecret}`, { headers: form });
    expect(noGrant.status).toBe(400);
  });

  it('expires AppJWTs after appJwtTtlSeconds and on tokens/expire', async () => {
    await control('PATCH', '/settings', { appJwtTtlSeconds: 1 });
    const app = await appJwt();
    expect((await api.request('POST', `/api/account/${A}/consumer?v=1.0`, { headers: { authorization: app }, body: { ext_consumer_id: 'x' } })).status).toBe(201);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await api.request('POST', `/api/account/${A}/consumer?v=1.0`, { headers: { authorization: app }, body: { ext_consumer_id: 'x' } })).status).toBe(401);
    await control('PATCH', '/settings', { appJwtTtlSeconds: 3600 });
    const { app: app2, jws, convId } = await opened();
    expect((await control('POST', '/tokens/expire')).body.expired).toBeGreaterThan(0);
    expect((await send(app2, jws, text(convId, 'hi'))).status).toBe(401);
  });

  it('gives the same consumer for the same ext_consumer_id; a bad AppJWT is 401; Bearer is accepted', async () => {
    const app = await appJwt();
    const sub = (t: string) => JSON.parse(Buffer.from(t.split('.')[1]!, 'base64url').toString()).sub;
    const one = await consumerJws(app, 'whatsapp:+14255550182');
    const two = await consumerJws(`Bearer ${app}`, 'whatsapp:+14255550182');
    const other = await consumerJws(app, 'whatsapp:+14255550183');
    expect(sub(one)).toBe(sub(two));
    expect(sub(other)).not.toBe(sub(one));
    expect((await api.request('POST', `/api/account/${A}/consumer?v=1.0`, { headers: { authorization: 'garbage' }, body: { ext_consumer_id: 'x' } })).status).toBe(401);
    expect((await api.request('POST', `/api/account/${A}/consumer?v=1.0`, { body: { ext_consumer_id: 'x' } })).status).toBe(401);
    expect((await api.request('POST', `/api/account/${A}/consumer?v=1.0`, { headers: { authorization: app }, body: {} })).status).toBe(400);
  });
});

describe('CONVERSATION', () => {
  it('opens a conversation with a first message; the consumer is notified of its own event (role CONSUMER) and of the new conversation', async () => {
    const { convId, res } = await opened('ext-happy');
    expect(res.body).toEqual([
      { code: 'OK', body: { msg: 'OK User Profile set successfully' }, reqId: '1' },
      { code: 'OK', body: { conversationId: convId }, reqId: '2' },
      { code: 'OK', body: { sequence: 0 }, reqId: '3' },
    ]);
    const c = await conv(convId);
    expect(c).toMatchObject({ id: convId, extConsumerId: 'ext-happy', skillId: '-1', state: 'OPEN', stage: 'OPEN', profile: { firstName: 'Kim' } });
    expect(c.dialogs).toEqual([{ dialogId: convId, dialogType: 'MAIN', state: 'OPEN' }]);
    expect(c.messages[0]).toMatchObject({ dialogId: convId, sequence: 0, originator: { role: 'CONSUMER' }, message: 'Hello', status: 'SENT', audience: 'ALL' });
    await until(() => changes('ContentEvent').length === 1 && cqm().length === 1, 'webhooks');
    expect(changes('ContentEvent')[0]).toMatchObject({ sequence: 0, originatorMetadata: { id: c.consumerId, role: 'CONSUMER' }, conversationId: convId, dialogId: convId, messageAudience: 'ALL' });
    expect(cqm()[0]).toMatchObject({ convId, conversationDetails: { state: 'OPEN', brandId: A, skillId: '-1', participants: [{ id: c.consumerId, role: 'CONSUMER' }] } });
    // cqm comes first: the order of a conversation's notifications is kept.
    expect(hook.received[0]!.json.type).toBe('cqm.ExConversationChangeNotification');
  });

  it('refuses a batch without SetUserProfile first, an unknown skill, a second open conversation, bad headers', async () => {
    const app = await appJwt();
    const jws = await consumerJws(app, 'ext-refusals');
    const noProfile = await conversationCall(app, jws, [request('1'), profile('2')]);
    expect(noProfile.status).toBe(400);
    expect(noProfile.body.code).toBe(400);
    expect((await conversationCall(app, jws, [request('1')])).status).toBe(400);
    expect((await conversationCall(app, jws, [profile(), request('2', { skillId: '4242' })])).status).toBe(400);
    expect((await conversationCall(app, jws, [profile(), request('2', { brandId: '1' })])).status).toBe(400);
    expect((await conversationCall(app, jws, [profile(), request('2', { skillId: emu.store.skills[0]!.id })])).status).toBe(200);
    const again = await conversationCall(app, jws, [profile(), request()]);
    expect(again.status).toBe(400);
    expect(again.body.body.msg).toMatch(/open conversation/);
    expect((await api.request('POST', `/api/account/${A}/messaging/consumer/conversation?v=3`, { headers: { authorization: app }, body: [profile(), request()] })).status).toBe(401);
    expect((await conversationCall(app, 'not-a-jws', [profile(), request()])).status).toBe(401);
    expect((await conversationCall('x.y.z', jws, [profile(), request()])).status).toBe(401);
    // A ConsumerJWS is not an AppJWT.
    expect((await conversationCall(jws, jws, [profile(), request()])).status).toBe(401);
  });

  it('throttles above rateLimitPerMinute with 429', async () => {
    const { app, jws, convId } = await opened();
    await control('PATCH', '/settings', { rateLimitPerMinute: 3 }); // the CONVERSATION call counts as one
    expect((await send(app, jws, text(convId, 'a'))).status).toBe(200);
    expect((await send(app, jws, text(convId, 'b'))).status).toBe(200);
    const third = await send(app, jws, text(convId, 'c'));
    expect(third.status).toBe(429);
    expect(third.body.code).toBe(429);
  });
});

describe('SEND', () => {
  it('numbers message events per dialog across both sides; chat states take none; receipts mark messages', async () => {
    const { app, jws, convId } = await opened();
    expect((await send(app, jws, text(convId, 'second'))).body).toEqual({ reqId: '3', code: 'OK', body: { sequence: 1 } });
    expect((await control('POST', `/conversations/${convId}/reply`, { text: 'agent first' })).status).toBe(409); // accept first
    expect((await control('POST', `/conversations/${convId}/accept`, {})).status).toBe(200);
    const reply = await control('POST', `/conversations/${convId}/reply`, { text: 'Hi, Alex here' });
    expect(reply).toMatchObject({ status: 201, body: { sequences: [2] } });
    const typing = await send(app, jws, { kind: 'req', id: '9', type: 'ms.PublishEvent', body: { dialogId: convId, event: { type: 'ChatStateEvent', chatState: 'COMPOSING' } } });
    expect(typing.body).toEqual({ reqId: '9', code: 'OK', body: {} });
    expect((await conv(convId)).chatState.consumer).toBe('COMPOSING');
    const read = await send(app, jws, { kind: 'req', id: '10', type: 'ms.PublishEvent', body: { dialogId: convId, event: { type: 'AcceptStatusEvent', status: 'READ', sequenceList: [2] } } });
    expect(read.body.body).toEqual({ sequence: 3 });
    expect((await send(app, jws, text(convId, 'third'))).body.body).toEqual({ sequence: 4 });
    expect((await control('POST', `/conversations/${convId}/read`)).status).toBe(204);
    const c = await conv(convId);
    expect(c.messages.map((m: any) => [m.sequence, m.originator.role, m.status])).toEqual([
      [0, 'CONSUMER', 'READ'],
      [1, 'CONSUMER', 'READ'],
      [2, 'ASSIGNED_AGENT', 'READ'],
      [4, 'CONSUMER', 'READ'],
    ]);
    await until(() => changes('AcceptStatusEvent').length === 2, 'receipts');
    const agentRead = changes('AcceptStatusEvent').find((x) => x.originatorMetadata.role === 'ASSIGNED_AGENT');
    expect(agentRead).toMatchObject({ sequence: 5, event: { type: 'AcceptStatusEvent', status: 'READ', sequenceList: [0, 1, 4] } });
    const chat = changes('ChatStateEvent')[0];
    expect(chat.sequence).toBeUndefined();
    expect(chat.originatorMetadata.role).toBe('CONSUMER');
  });

  it('refuses unknown dialogs, other consumers, bad events, closed conversations', async () => {
    const { app, jws, convId } = await opened();
    const stranger = await consumerJws(app, 'someone-else');
    expect((await send(app, jws, text('nope', 'x'))).status).toBe(400);
    expect((await send(app, stranger, text(convId, 'x'))).status).toBe(400);
    expect((await send(app, jws, { kind: 'req', id: '1', type: 'ms.PublishEvent', body: { dialogId: convId, event: { type: 'ChatStateEvent', chatState: 'SLEEPY' } } })).status).toBe(400);
    expect((await send(app, jws, { kind: 'req', id: '1', type: 'ms.PublishEvent', body: { dialogId: convId, event: { type: 'AcceptStatusEvent', status: 'READ', sequenceList: [99] } } })).status).toBe(400);
    expect((await send(app, jws, { kind: 'req', id: '1', type: 'ms.PublishEvent', body: { dialogId: convId, event: { type: 'ContentEvent', contentType: 'text/plain', message: '' } } })).status).toBe(400);
    expect((await send(app, jws, { kind: 'req', id: '1', type: 'ms.Nope', body: {} })).status).toBe(400);
    expect((await send(app, jws, [text(convId, 'x')])).status).toBe(400);
    const close = await send(app, jws, { kind: 'req', id: '5', type: 'cm.UpdateConversationField', body: { conversationId: convId, conversationField: { field: 'ConversationStateField', conversationState: 'CLOSE' } } });
    expect(close.body).toEqual({ reqId: '5', code: 'OK', body: {} });
    expect(await conv(convId)).toMatchObject({ state: 'CLOSE', stage: 'CLOSE', closeReason: 'CONSUMER' });
    const after = await send(app, jws, text(convId, 'still there?'));
    expect(after.status).toBe(400);
    expect(after.body).toMatchObject({ reqId: '3', code: 400 });
    await until(() => cqm().some((r) => r.conversationDetails.state === 'CLOSE'), 'cqm CLOSE');
    expect(cqm().at(-1)).toMatchObject({ conversationDetails: { state: 'CLOSE', closeReason: 'CONSUMER', dialogs: [{ dialogType: 'MAIN', state: 'CLOSE', closedBy: 'CONSUMER' }] } });
    // A new conversation may open once the old one is closed.
    expect((await conversationCall(app, jws, [profile(), request()])).status).toBe(200);
  });
});

describe('hosted files (Swift)', () => {
  it('uploads through a temp URL, publishes hosted/file, downloads it back; checks signature and size', async () => {
    const { app, jws, convId } = await opened();
    const bytes = Buffer.from('89504e470d0a1a0a0000', 'hex');
    const up = await send(app, jws, { kind: 'req', id: '7', type: 'ms.GenerateURLForUploadFile', body: { fileSize: String(bytes.length), fileType: 'PNG' } });
    expect(up.status).toBe(200);
    const { relativePath, queryParams } = up.body.body;
    expect(relativePath).toMatch(new RegExp(`^/v1/AUTH_async-images/${A}/.+\\.PNG$`));
    const qs = `temp_url_sig=${queryParams.temp_url_sig}&temp_url_expires=${queryParams.temp_url_expires}`;
    expect((await fetch(`${emu.url}${relativePath}?temp_url_sig=bad&temp_url_expires=${queryParams.temp_url_expires}`, { method: 'PUT', body: bytes })).status).toBe(401);
    expect((await fetch(`${emu.url}${relativePath}?${qs}`, { method: 'PUT', body: Buffer.concat([bytes, bytes]) })).status).toBe(400);
    expect((await fetch(`${emu.url}${relativePath}?${qs}`, { method: 'PUT', body: bytes })).status).toBe(201);
    const pub = await send(app, jws, {
      kind: 'req',
      id: '8',
      type: 'ms.PublishEvent',
      body: { dialogId: convId, event: { type: 'ContentEvent', contentType: 'hosted/file', message: { caption: 'photo', relativePath, fileType: 'PNG', preview: 'data:image/png;base64,AA==' } } },
    });
    expect(pub.body.body).toEqual({ sequence: 1 });
    const down = await send(app, jws, { kind: 'req', id: '9', type: 'ms.GenerateURLForDownloadFile', body: { relativePath } });
    const d = down.body.body.queryParams;
    const got = await fetch(`${emu.url}${relativePath}?temp_url_sig=${d.temp_url_sig}&temp_url_expires=${d.temp_url_expires}`);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer())).toEqual(bytes);
    // The upload signature does not download.
    expect((await fetch(`${emu.url}${relativePath}?${qs}`)).status).toBe(401);
    expect((await send(app, jws, { kind: 'req', id: '9', type: 'ms.GenerateURLForUploadFile', body: { fileSize: 10, fileType: 'EXE' } })).status).toBe(400);
  });

  it('lets the consumer download an agent image; the control API serves files without auth', async () => {
    const { app, jws, convId } = await opened();
    await control('POST', `/conversations/${convId}/accept`, {});
    expect((await control('POST', `/conversations/${convId}/reply`, { image: true })).body.sequences).toEqual([1]);
    await until(() => changes('ContentEvent').some((c) => c.event.contentType === 'hosted/file'), 'file event');
    const ev = changes('ContentEvent').find((c) => c.event.contentType === 'hosted/file')!;
    expect(ev.event.message).toMatchObject({ fileType: 'PNG', relativePath: expect.stringMatching(/^\/v1\//) });
    const path: string = ev.event.message.relativePath;
    const down = await send(app, jws, { kind: 'req', id: '9', type: 'ms.GenerateURLForDownloadFile', body: { relativePath: path } });
    const q = down.body.body.queryParams;
    const png = Buffer.from(await (await fetch(`${emu.url}${path}?temp_url_sig=${q.temp_url_sig}&temp_url_expires=${q.temp_url_expires}`)).arrayBuffer());
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    const raw = await fetch(`${emu.url}/__control/liveperson/files/${Buffer.from(path).toString('base64url')}`);
    expect(Buffer.from(await raw.arrayBuffer())).toEqual(png);
  });
});

describe('webhooks', () => {
  it('are signed over the raw bytes: sha1/base64 by default (the reference vector), sha256/hex when set', async () => {
    const vector =
      '{"kind":"notification","body":{"changes":[{"sequence":0,"originatorId":"c1","originatorMetadata":{"id":"c1","role":"CONSUMER"},"serverTimestamp":1528371161893,"event":{"type":"ContentEvent","message":"Hi","contentType":"text/plain"},"dialogId":"d1"}]},"type":"ms.MessagingEventNotification"}';
    expect(signature('lp-client-secret', vector)).toBe('sha1=3CvyobJHAUl/yuViqd0IVoF78eI=');
    expect(createHmac('sha1', 'lp-client-secret').update(vector).digest('base64')).toBe('3CvyobJHAUl/yuViqd0IVoF78eI=');

    await opened();
    await until(() => hook.received.length >= 2, 'webhooks');
    for (const r of hook.received) {
      expect(r.headers['x-liveperson-signature']).toBe('sha1=' + createHmac('sha1', emu.credentials.clientSecret).update(r.raw).digest('base64'));
      expect(r.headers['x-liveperson-account-id']).toBe(A);
      expect(r.headers['x-liveperson-client-id']).toBe(emu.credentials.clientId);
    }
    await control('PATCH', '/settings', { signatureAlgorithm: 'sha256', signatureEncoding: 'hex', clientSecret: 'rotated' });
    hook.received.length = 0;
    await opened();
    await until(() => hook.received.length >= 2, 'webhooks');
    for (const r of hook.received) expect(r.headers['x-liveperson-signature']).toBe('sha256=' + createHmac('sha256', 'rotated').update(r.raw).digest('hex'));
  });

  it('batch several agent texts in one notification in order; agent-only notes carry AGENTS_AND_MANAGERS', async () => {
    const { convId } = await opened();
    await control('POST', `/conversations/${convId}/accept`, {});
    expect((await control('POST', `/conversations/${convId}/reply`, { texts: ['one', 'two', 'three'] })).body.sequences).toEqual([1, 2, 3]);
    expect((await control('POST', `/conversations/${convId}/reply`, { text: 'psst', audience: 'AGENTS_AND_MANAGERS' })).body.sequences).toEqual([4]);
    await control('POST', `/conversations/${convId}/typing`, {});
    await until(() => changes('ChatStateEvent').length === 1, 'typing');
    const batch = ofType('ms.MessagingEventNotification').find((r) => r.json.body.changes.length === 3)!;
    expect(batch.json.body.changes.map((c: any) => [c.sequence, c.event.message, c.originatorMetadata.role])).toEqual([
      [1, 'one', 'ASSIGNED_AGENT'],
      [2, 'two', 'ASSIGNED_AGENT'],
      [3, 'three', 'ASSIGNED_AGENT'],
    ]);
    expect(changes('ContentEvent').find((c) => c.event.message === 'psst').messageAudience).toBe('AGENTS_AND_MANAGERS');
    expect(changes('ChatStateEvent')[0]).toMatchObject({ event: { chatState: 'COMPOSING' }, originatorMetadata: { role: 'ASSIGNED_AGENT' } });
  });

  it('send cqm on accept, transfer (skill and agent) and close by the agent', async () => {
    const { convId } = await opened();
    const [alex, blair] = emu.store.agents;
    await control('POST', `/conversations/${convId}/accept`, {});
    await control('POST', `/conversations/${convId}/transfer`, { skillId: emu.store.skills[1]!.id });
    await control('POST', `/conversations/${convId}/accept`, { agentId: blair!.id });
    await control('POST', `/conversations/${convId}/transfer`, { agentId: alex!.id });
    await control('POST', `/conversations/${convId}/close`, {});
    await until(() => cqm().length === 6, 'cqm');
    const roles = cqm().map((r) => r.conversationDetails.participants.map((p: any) => `${p.role}:${p.id === alex!.id ? 'alex' : p.id === blair!.id ? 'blair' : 'c'}`).join(','));
    expect(roles).toEqual(['CONSUMER:c', 'CONSUMER:c,ASSIGNED_AGENT:alex', 'CONSUMER:c', 'CONSUMER:c,ASSIGNED_AGENT:blair', 'CONSUMER:c,ASSIGNED_AGENT:alex', 'CONSUMER:c,ASSIGNED_AGENT:alex']);
    expect(cqm()[2].conversationDetails.skillId).toBe(emu.store.skills[1]!.id);
    expect(cqm()[5]).toMatchObject({ convId, effectiveTTR: -1, conversationDetails: { state: 'CLOSE', stage: 'CLOSE', closeReason: 'AGENT' } });
    expect((await control('POST', `/conversations/${convId}/accept`, {})).status).toBe(409);
  });

  it('run the post-conversation survey in its own dialog; the consumer answers and closes it', async () => {
    const { app, jws, convId } = await opened();
    await control('POST', `/conversations/${convId}/accept`, {});
    const closed = await control('POST', `/conversations/${convId}/close`, { survey: true });
    const survey = closed.body.dialogs.find((d: any) => d.dialogType === 'POST_SURVEY');
    expect(survey).toMatchObject({ state: 'OPEN' });
    expect(closed.body.dialogs.find((d: any) => d.dialogType === 'MAIN').state).toBe('CLOSE');
    await until(() => changes('ContentEvent').some((c) => c.dialogId === survey.dialogId), 'survey question');
    const question = changes('ContentEvent').find((c) => c.dialogId === survey.dialogId);
    expect(question).toMatchObject({ sequence: 0, conversationId: convId, originatorMetadata: { role: 'CONTROLLER' } });
    expect(cqm().at(-1).conversationDetails.dialogs.map((d: any) => [d.dialogType, d.state])).toEqual([
      ['MAIN', 'CLOSE'],
      ['POST_SURVEY', 'OPEN'],
    ]);
    expect((await send(app, jws, text(convId, 'main is closed'))).status).toBe(400);
    const answer = await send(app, jws, { kind: 'req', id: '4', type: 'ms.PublishEvent', body: { dialogId: survey.dialogId, conversationId: convId, event: { type: 'ContentEvent', contentType: 'text/plain', message: '5' } } });
    expect(answer.body.body).toEqual({ sequence: 1 });
    const done = await send(app, jws, {
      kind: 'req',
      id: '5',
      type: 'cm.UpdateConversationField',
      body: { conversationId: convId, conversationField: { field: 'DialogChange', type: 'UPDATE', dialog: { dialogId: survey.dialogId, state: 'CLOSE', closedCause: 'Closed by consumer' } } },
    });
    expect(done.status).toBe(200);
    expect(await conv(convId)).toMatchObject({ state: 'CLOSE', closeReason: 'AGENT' });
    await until(() => cqm().at(-1)?.conversationDetails.state === 'CLOSE', 'cqm CLOSE');
  });

  it('survey/close ends the survey and the conversation from the control API', async () => {
    const { convId } = await opened();
    await control('POST', `/conversations/${convId}/accept`, {});
    await control('POST', `/conversations/${convId}/close`, { survey: true });
    expect((await control('POST', `/conversations/${convId}/survey/close`)).body).toMatchObject({ state: 'CLOSE', closeReason: 'AGENT' });
    expect((await control('POST', `/conversations/${convId}/survey/close`)).status).toBe(409);
  });

  it('close an unanswered survey after surveyTimeoutMs (closed by the system)', async () => {
    const { convId } = await opened();
    await control('PATCH', '/settings', { surveyTimeoutMs: 50 });
    await control('POST', `/conversations/${convId}/accept`, {});
    await control('POST', `/conversations/${convId}/close`, { survey: true });
    const c = await until(async () => {
      const x = await conv(convId);
      return x.state === 'CLOSE' && x;
    }, 'survey timeout');
    expect(c.closeReason).toBe('AGENT');
    await until(() => cqm().at(-1)?.conversationDetails.state === 'CLOSE', 'cqm CLOSE');
    expect(cqm().at(-1).conversationDetails.dialogs.find((d: any) => d.dialogType === 'POST_SURVEY')).toMatchObject({ state: 'CLOSE', closedBy: 'SYSTEM' });
  });

  it('retry failed deliveries with the same bytes and hold later ones of the conversation until the first gets through', async () => {
    const { convId } = await opened();
    await until(() => hook.received.length === 2, 'opening webhooks');
    await emu.webhooksIdle();
    hook.received.length = 0;
    hook.respond(500, 503, 'hang');
    await control('POST', `/conversations/${convId}/accept`, {});
    await control('POST', `/conversations/${convId}/reply`, { text: 'first' });
    await control('POST', `/conversations/${convId}/reply`, { text: 'second' });
    await until(() => hook.received.length >= 6, 'retries and the rest', 8000);
    await emu.webhooksIdle();
    const bodies = hook.received.map((r: Received) => r.raw);
    // The cqm (accept) failed three times (500, 503, timeout) with identical bytes, then went through; the two
    // replies followed in order.
    expect(bodies.slice(0, 4).every((b) => b === bodies[0])).toBe(true);
    expect(JSON.parse(bodies[0]!).type).toBe('cqm.ExConversationChangeNotification');
    expect(bodies.slice(4).map((b) => JSON.parse(b).body.changes[0].event.message)).toEqual(['first', 'second']);
    const deliveries = (await api.control('GET', `/webhooks?key=${encodeURIComponent(`${convId}:3`)}`)).body.deliveries;
    expect(deliveries[0].attempts.map((a: any) => a.status ?? 'timeout')).toEqual([500, 503, 'timeout', 200]);
  }, 15000);

  it('redeliver a notification byte for byte by its key', async () => {
    const { convId } = await opened();
    await emu.webhooksIdle();
    const first = hook.received.find((r) => r.json.type === 'cqm.ExConversationChangeNotification')!;
    const res = await control('POST', `/notifications/${encodeURIComponent(`${convId}:1`)}/redeliver`);
    expect(res.status).toBe(202);
    await until(() => hook.received.length === 3, 'redelivery');
    expect(hook.received[2]!.raw).toBe(first.raw);
    expect(hook.received[2]!.headers['x-liveperson-signature']).toBe(first.headers['x-liveperson-signature']);
    expect((await control('POST', '/notifications/nope:1/redeliver')).status).toBe(404);
  });
});

describe('faults and control', () => {
  it('injects faults on the send path and sentinel in LivePerson’s shape', async () => {
    const { app, jws, convId } = await opened();
    await api.control('POST', '/faults', { path: '/api/account/*/messaging/consumer/conversation/send', kind: 'rateLimit', retryAfterSeconds: 2, times: 1 });
    await api.control('POST', '/faults', { path: '/sentinel/**', kind: 'error', status: 503, times: 1 });
    const limited = await send(app, jws, text(convId, 'x'));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(limited.body).toMatchObject({ code: 429, body: { msg: expect.any(String) } });
    expect((await api.request('POST', `/sentinel/api/account/${A}/app/token?v=1.0&grant_type=client_credentials`, { headers: form })).status).toBe(503);
    expect((await send(app, jws, text(convId, 'y'))).status).toBe(200);
  });

  it('lists skills, agents, settings; serves the agent page', async () => {
    expect((await control('GET', '/skills')).body.skills.length).toBe(2);
    expect((await control('GET', '/agents')).body.agents[0].name).toBe('Alex Agent');
    expect((await control('GET', '/settings')).body).toMatchObject({ accountId: A, signatureAlgorithm: 'sha1', signatureEncoding: 'base64' });
    expect((await control('PATCH', '/settings', { retentionTimeSeconds: 1 })).status).toBe(400);
    const page = await fetch(`${emu.url}/agent`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/__control/liveperson');
    // The page's script at least parses.
    expect(() => new Function(/<script>([\s\S]*)<\/script>/.exec(html)![1]!)).not.toThrow();
    const list = (await control('GET', '/conversations')).body.conversations;
    expect(list).toEqual([]);
  });
});
