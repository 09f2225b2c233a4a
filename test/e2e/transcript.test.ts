import { describe, expect, it } from 'vitest';
import { customerChat, eventFrame, fastAgent, identityToken, makeApiKey, makeQueue, adminServer } from '../helpers/flows.js';

// Transcripts: the whole log as JSON for machines, or as a page for people in which everything users
// typed (names, messages) is text, never markup.

describe('transcripts', () => {
  const env = adminServer();

  /** A finished chat: customer and agent exchange the given texts, then the agent ends it. */
  async function finishedChat(opts: { identity?: string; agentName?: string; customerSays: string; agentSays: string }) {
    const q = await makeQueue(env.ts, env.adminToken, 'round_robin');
    const a = await fastAgent(env.ts, { name: opts.agentName ?? 'Alice', queues: [q.id] });
    await env.streams.connect(env.ts, a.token);
    const chat = await customerChat(env.ts, env.streams, q.name, opts.identity);
    await chat.stream.next(eventFrame('participant.joined', chat.conversationId));
    await env.ts.api.post(`/v1/conversations/${chat.conversationId}/messages`, { clientMessageId: 'c-1', text: opts.customerSays }, chat.token);
    await env.ts.api.post(`/v1/agent/conversations/${chat.conversationId}/messages`, { clientMessageId: 'a-1', text: opts.agentSays }, a.token);
    await env.ts.api.post(`/v1/agent/conversations/${chat.conversationId}/end`, undefined, a.token);
    return { ...chat, agent: a };
  }

  it('the JSON transcript has the conversation, its contact and every event in order', async () => {
    const chat = await finishedChat({ identity: await identityToken('tx-json', { name: 'Jo Doe', email: 'jo@example.com' }), customerSays: 'Where is my order?', agentSays: 'On its way.' });
    const r = await env.ts.api.get(`/v1/conversations/${chat.conversationId}/transcript`, env.adminToken);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(r.body.conversation).toMatchObject({ id: chat.conversationId, phase: 'ended', agentId: chat.agent.id });
    expect(r.body.contact).toMatchObject({ id: chat.contactId, name: 'Jo Doe', email: 'jo@example.com', verified: true });
    const events = r.body.events as any[];
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.kind === 'message').map((e) => [e.author.role, e.parts[0].text])).toEqual([
      ['customer', 'Where is my order?'],
      ['agent', 'On its way.'],
    ]);
    expect(events[0].kind).toBe('conversation.queued');
    // (A delivered receipt flushed by the customer's client may land after the end; the end is still there.)
    expect(events.filter((e) => e.kind !== 'receipt').at(-1)).toMatchObject({ kind: 'conversation.ended', by: 'agent' });
  });

  it('the HTML transcript shows names and messages escaped, with no markup from users', async () => {
    const chat = await finishedChat({
      identity: await identityToken('tx-xss', { name: '<script>alert("name")</script>' }),
      agentName: '<b onmouseover=alert(3)>Eve</b>',
      customerSays: '<script>alert(document.cookie)</script> & "quotes" \'too\'',
      agentSays: '"><img src=x onerror=alert(2)><svg onload=alert(4)>',
    });
    const r = await env.ts.api.req('GET', `/v1/conversations/${chat.conversationId}/transcript?format=html`, { token: env.adminToken });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = r.body as string;
    expect(html).toMatch(/^<!doctype html>/i);

    for (const raw of [/<script/i, /<img/i, /<svg/i, /<b /i]) expect(html).not.toMatch(raw);
    expect(html).toContain('&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;');
    expect(html).toContain('&lt;script&gt;alert(document.cookie)&lt;/script&gt; &amp; &quot;quotes&quot; &#39;too&#39;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;&lt;svg onload=alert(4)&gt;');
    expect(html).toContain('&lt;b onmouseover=alert(3)&gt;Eve&lt;/b&gt;');
  });

  it("an anonymous customer's self-chosen name is escaped too", async () => {
    const q = await makeQueue(env.ts, env.adminToken, 'manual');
    const cust = await env.ts.api.customer();
    const patched = await env.ts.api.req('PATCH', '/v1/me', { token: cust.token, body: { name: '<img src=x onerror=alert(1)>' } });
    expect(patched.status).toBe(200);
    expect(patched.body.contact.name).toBe('<img src=x onerror=alert(1)>');
    const open = await env.ts.api.post('/v1/conversations', { queue: q.name }, cust.token);
    const html = (await env.ts.api.req('GET', `/v1/conversations/${open.body.conversation.id}/transcript`, { token: env.adminToken, headers: { accept: 'text/html' } })).body as string;
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain('<title>Conversation with &lt;img src=x onerror=alert(1)&gt;</title>');
  });

  it('transcripts need conversations:read: customers and other keys are refused', async () => {
    const q = await makeQueue(env.ts, env.adminToken, 'manual');
    const cust = await env.ts.api.customer();
    const open = await env.ts.api.post('/v1/conversations', { queue: q.name }, cust.token);
    const path = `/v1/conversations/${open.body.conversation.id}/transcript`;

    const asCustomer = await env.ts.api.get(path, cust.token);
    expect(asCustomer.status).toBe(403);
    expect(asCustomer.body.error.code).toBe('PARLEY_E_FORBIDDEN');
    expect((await env.ts.api.get(path, await makeApiKey(env.ts, env.adminToken, ['messages:write']))).status).toBe(403);
    expect((await env.ts.api.get(path)).status).toBe(401);
    const reader = await makeApiKey(env.ts, env.adminToken, ['conversations:read']);
    expect((await env.ts.api.get(path, reader)).status).toBe(200);
    const missing = await env.ts.api.get('/v1/conversations/cv_missing/transcript', reader);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('PARLEY_E_CONVERSATION_NOT_FOUND');
  });
});
