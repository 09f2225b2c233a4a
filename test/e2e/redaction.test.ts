import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailable } from '../helpers/databases.js';
import { fastAgent, makeApiKey } from '../helpers/flows.js';
import { PNG } from '../security/world.js';
import { configuredServer } from '../helpers/scene.js';
import type { TestServer } from '../helpers/server.js';

// PII redaction per route: a customer's card number and e-mail address are masked before anything is stored,
// the agent sees the masked text and a marker, and the unredacted text is either nowhere (drop) or kept for
// admins only (keep). Routes without a policy store text unchanged.

const CARD = '4111 1111 1111 1111';
const SENT = `my card is ${CARD} and mail me at jane@example.com`;
const MASKED = 'my card is [card ••••1111] and mail me at [email]';
const MARKER = [
  { kind: 'email', count: 1 },
  { kind: 'card', count: 1 },
];

describe('PII redaction per route', () => {
  let ts: TestServer;
  let agentToken: string;
  let adminToken: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-redaction-data-'));

  beforeAll(async () => {
    ts = await configuredServer(
      {
        channels: { web: { type: 'web' } },
        desks: { inbox: { type: 'inbox' } },
        routes: [
          { channel: 'web', entryPoint: 'keep', desk: 'inbox', redact: { nationalIds: [{ name: 'us-ssn', pattern: '\\b\\d{3}-\\d{2}-\\d{4}\\b' }], original: 'admins' } },
          { channel: 'web', entryPoint: 'plain', desk: 'inbox' },
          { channel: 'web', desk: 'inbox', redact: { kinds: ['card', 'email', 'phone', 'iban'], original: 'drop' } },
        ],
      },
      // Every log line at every level, so a message body in any of them would be found.
      { env: { LOG_LEVEL: 'trace' }, captureLogs: true, dataDir },
    );
    agentToken = (await fastAgent(ts)).token;
    adminToken = (await fastAgent(ts, { role: 'admin' })).token;
  });
  afterAll(async () => {
    await ts?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A new customer, a conversation on `entryPoint` (none: the channel's fallback route), and one message sent. */
  async function send(entryPoint: string | undefined, body: Record<string, unknown>) {
    const customer = await ts.api.customer();
    const open = await ts.api.post('/v1/conversations', entryPoint ? { entryPoint } : {}, customer.token);
    expect(open.status).toBe(201);
    const conversationId = open.body.conversation.id as string;
    const sent = await ts.api.post(`/v1/conversations/${conversationId}/messages`, { clientMessageId: `m-${Math.random()}`, ...body }, customer.token);
    expect(sent.status).toBe(201);
    return { customer, conversationId, sent: sent.body.event };
  }

  const agentEvents = async (conversationId: string) => (await ts.api.get(`/v1/agent/conversations/${conversationId}/events?after=0`, agentToken)).body.events as any[];

  it('with `drop`, the agent sees the masked text and the marker, and the card number is written nowhere', async () => {
    const { customer, conversationId, sent } = await send(undefined, { text: SENT });
    expect(sent).toMatchObject({ kind: 'message', parts: [{ type: 'text', text: MASKED }], redacted: MARKER });

    const message = (await agentEvents(conversationId)).find((e) => e.kind === 'message');
    expect(message).toMatchObject({ parts: [{ type: 'text', text: MASKED }], redacted: MARKER });
    // The customer's own view shows the stored (masked) text too.
    const own = (await ts.api.get(`/v1/conversations/${conversationId}/events?after=0`, customer.token)).body.events as any[];
    expect(own.find((e) => e.kind === 'message')).toMatchObject({ parts: [{ type: 'text', text: MASKED }], redacted: MARKER });
    // Nothing is kept, so there is nothing for an admin to read.
    expect((await ts.api.get(`/v1/conversations/${conversationId}/events/${sent.id}/original`, adminToken)).status).toBe(404);

    // The database file and its WAL (read as bytes, with the server still running), and every log line.
    const files = readdirSync(dataDir).filter((f) => f.startsWith('parley.db'));
    expect(files).toContain('parley.db');
    const bytes = Buffer.concat(files.map((f) => readFileSync(join(dataDir, f))));
    expect(bytes.includes(Buffer.from('4111111111111111'))).toBe(false);
    expect(bytes.includes(Buffer.from(CARD))).toBe(false);
    expect(bytes.includes(Buffer.from('jane@example.com'))).toBe(false);
    expect(bytes.includes(Buffer.from(MASKED))).toBe(true); // the check reads what is there
    const logs = JSON.stringify(ts.logs);
    expect(ts.logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(CARD);
    expect(logs).not.toContain('jane@example.com');
  });

  it('a retry with the same client message id returns the masked event, and nothing new', async () => {
    const customer = await ts.api.customer();
    const conversationId = (await ts.api.post('/v1/conversations', {}, customer.token)).body.conversation.id as string;
    const body = { clientMessageId: 'retry-1', text: SENT };
    const first = await ts.api.post(`/v1/conversations/${conversationId}/messages`, body, customer.token);
    const again = await ts.api.post(`/v1/conversations/${conversationId}/messages`, body, customer.token);
    expect(again.status).toBe(200);
    expect(again.body.event).toMatchObject({ id: first.body.event.id, parts: [{ type: 'text', text: MASKED }], redacted: MARKER });
  });

  it('with `admins`, an admin reads the original (an agent and other keys get 403), and unknown events are 404', async () => {
    const { conversationId, sent } = await send('keep', { text: `${SENT}, SSN 123-45-6789` });
    expect(sent.parts).toEqual([{ type: 'text', text: `${MASKED}, SSN [us-ssn]` }]);
    expect(sent.redacted).toEqual([...MARKER.slice(0, 1), { kind: 'us-ssn', count: 1 }, ...MARKER.slice(1)]);
    const path = `/v1/conversations/${conversationId}/events/${sent.id}/original`;

    const read = await ts.api.get(path, adminToken);
    expect(read.status).toBe(200);
    expect(read.body.original).toMatchObject({ eventId: sent.id, conversationId, parts: [{ type: 'text', text: `${SENT}, SSN 123-45-6789` }] });
    // An API key with the admin scope may too (a server-side tool); one with conversations:read may not.
    expect((await ts.api.get(path, await makeApiKey(ts, adminToken, ['admin']))).status).toBe(200);
    const reader = await ts.api.get(path, await makeApiKey(ts, adminToken, ['conversations:read']));
    expect(reader.status).toBe(403);
    expect(reader.body.error.code).toBe('PARLEY_E_FORBIDDEN');

    const agent = await ts.api.get(path, agentToken);
    expect(agent.status).toBe(403);
    expect(agent.body.error.code).toBe('PARLEY_E_FORBIDDEN');
    // The agent still sees the masked message and the marker.
    expect((await agentEvents(conversationId)).find((e) => e.kind === 'message')).toMatchObject({ parts: [{ text: `${MASKED}, SSN [us-ssn]` }], redacted: sent.redacted });

    const unknown = await ts.api.get(`/v1/conversations/${conversationId}/events/ev_unknown/original`, adminToken);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('PARLEY_E_NOT_FOUND');
    // The event exists, but under another conversation id: not found either.
    expect((await ts.api.get(`/v1/conversations/conv_other/events/${sent.id}/original`, adminToken)).status).toBe(404);
    // Each read is audited in the log (who, which event), never with the text.
    const audit = ts.logs.filter((l) => (l as { audit?: string }).audit === 'pii.original.read');
    expect(audit.length).toBeGreaterThanOrEqual(2);
    expect(JSON.stringify(audit)).not.toContain(CARD);
  });

  it('a route without a policy stores the text unchanged, with no marker', async () => {
    const { conversationId, sent } = await send('plain', { text: SENT });
    expect(sent.parts).toEqual([{ type: 'text', text: SENT }]);
    expect(sent.redacted).toBeUndefined();
    expect((await agentEvents(conversationId)).find((e) => e.kind === 'message')).not.toHaveProperty('redacted');
  });

  it('a conversation opened on another entry point of the same channel follows that route’s policy', async () => {
    // `keep` adds the SSN pattern; the fallback route (an entry point without a route of its own lands there)
    // has none, so there the SSN is only a phone-shaped number; `plain` has no policy at all.
    const viaKeep = await send('keep', { text: 'SSN 123-45-6789' });
    expect(viaKeep.sent.parts[0].text).toBe('SSN [us-ssn]');
    const viaFallback = await send('newsletter', { text: 'SSN 123-45-6789' });
    expect(viaFallback.sent.parts[0].text).toBe('SSN [phone]');
    const viaPlain = await send('plain', { text: 'SSN 123-45-6789' });
    expect(viaPlain.sent.parts[0].text).toBe('SSN 123-45-6789');
    // A customer naming an entry point in free context does not pick the route (or dodge its policy).
    const customer = await ts.api.customer();
    const open = await ts.api.post('/v1/conversations', { context: { entryPoint: 'plain' } }, customer.token);
    expect(open.body.conversation.context).not.toHaveProperty('entryPoint');
    const sent = await ts.api.post(`/v1/conversations/${open.body.conversation.id}/messages`, { clientMessageId: 'ctx-1', text: SENT }, customer.token);
    expect(sent.body.event.parts[0].text).toBe(MASKED);
  });

  it('handover context (a bot transcript) is screened by the route’s policy too, at any depth; keys and plain routes are left alone', async () => {
    const handover = { topic: 'Refund', botTranscript: `Customer: ${SENT}`, form: { cards: [CARD], note: 'call me' } };
    const customer = await ts.api.customer();
    const open = await ts.api.post('/v1/conversations', { context: handover }, customer.token);
    expect(open.status).toBe(201);
    const stored = (await ts.api.get(`/v1/agent/conversations/${open.body.conversation.id}`, agentToken)).body.conversation.context;
    expect(stored).toEqual({ topic: 'Refund', botTranscript: `Customer: ${MASKED}`, form: { cards: ['[card ••••1111]'], note: 'call me' } });
    // A route without a policy keeps the context as given (no card number here: the drop test reads the files).
    const plain = await ts.api.post('/v1/conversations', { entryPoint: 'plain', context: { botTranscript: 'Customer: mail me at jane@example.com' } }, (await ts.api.customer()).token);
    expect(plain.body.conversation.context.botTranscript).toBe('Customer: mail me at jane@example.com');
  });

  it('media captions are masked; agents’ own messages are not', async () => {
    const customer = await ts.api.customer();
    const conversationId = (await ts.api.post('/v1/conversations', {}, customer.token)).body.conversation.id as string;
    const media = await ts.api.req('POST', '/v1/media', { token: customer.token, raw: PNG, contentType: 'image/png' });
    expect(media.status).toBe(201);
    const sent = await ts.api.post(
      `/v1/conversations/${conversationId}/messages`,
      { clientMessageId: 'cap-1', parts: [{ type: 'media', mediaId: media.body.media.id, caption: `card ${CARD}` }] },
      customer.token,
    );
    expect(sent.body.event.parts[0]).toMatchObject({ type: 'media', caption: 'card [card ••••1111]' });
    expect(sent.body.event.redacted).toEqual([{ kind: 'card', count: 1 }]);

    const agent = await fastAgent(ts);
    expect((await ts.api.post(`/v1/agent/conversations/${conversationId}/accept`, undefined, agent.token)).status).toBe(200);
    const reply = await ts.api.post(`/v1/agent/conversations/${conversationId}/messages`, { clientMessageId: 'a-1', text: 'write to help@example.com' }, agent.token);
    expect(reply.status).toBe(201);
    expect(reply.body.event.parts[0].text).toBe('write to help@example.com');
    expect(reply.body.event.redacted).toBeUndefined();
  });
});

// PostgreSQL runs a lone message as one statement (Tx.appendAtOnce): the policy is applied there too, and a
// kept original (a second write) takes the general path.
describe.runIf(await postgresAvailable())('PII redaction on PostgreSQL', () => {
  let ts: TestServer;
  let adminToken: string;

  beforeAll(async () => {
    ts = await configuredServer(
      {
        channels: { web: { type: 'web' } },
        desks: { inbox: { type: 'inbox' } },
        routes: [
          { channel: 'web', entryPoint: 'keep', desk: 'inbox', redact: { original: 'admins' } },
          { channel: 'web', desk: 'inbox', redact: {} },
        ],
      },
      { dialect: 'postgres' },
    );
    adminToken = (await fastAgent(ts, { role: 'admin' })).token;
  });
  afterAll(async () => ts?.stop());

  it.each([
    ['drop', undefined, 404],
    ['admins', 'keep', 200],
  ])('original %s: the stored message is masked; the original is read back as configured', async (_original, entryPoint, status) => {
    const customer = await ts.api.customer();
    const conversationId = (await ts.api.post('/v1/conversations', entryPoint ? { entryPoint } : {}, customer.token)).body.conversation.id as string;
    const sent = await ts.api.post(`/v1/conversations/${conversationId}/messages`, { clientMessageId: 'pg-1', text: SENT }, customer.token);
    expect(sent.status).toBe(201);
    expect(sent.body.event).toMatchObject({ parts: [{ type: 'text', text: MASKED }], redacted: MARKER });
    const stored = await ts.server.database.db.selectFrom('events').select('body').where('id', '=', sent.body.event.id).executeTakeFirstOrThrow();
    expect(stored.body).not.toContain('4111');
    const original = await ts.api.get(`/v1/conversations/${conversationId}/events/${sent.body.event.id}/original`, adminToken);
    expect(original.status).toBe(status);
    if (status === 200) expect(original.body.original.parts).toEqual([{ type: 'text', text: SENT }]);
  });
});
