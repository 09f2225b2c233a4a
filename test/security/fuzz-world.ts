import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';
import { ADMIN, type FuzzServer } from './fuzz-server.js';

// A small fixture world, so fuzzed requests reach deep into the handlers and not only the validation:
// every kind of caller, an active conversation (customer ↔ agent), a queued one, an ended one, a
// business-started one, an offer, uploads, canned responses, API keys, deliveries. Destructive routes
// (PATCH an agent, revoke a key, delete a canned response) get "victim" ids only, so the fixture callers
// keep working; `refresh()` repairs what the fuzz legitimately changes (a conversation ended or
// transferred away).

export const PRINCIPALS = [
  'anonymous',
  'customer',
  'customer2',
  'verified',
  'agent',
  'admin',
  'apikey',
  'apikeyLimited',
  'apikeyMetrics',
  'metricsToken',
  'expiredCustomer',
  'ghostCustomer',
  'ghostAgent',
  'staleAgent',
  'expiredAgent',
  'unknownType',
  'wrongKey',
  'algNone',
  'revokedKey',
  'wrongSecretKey',
  'malformedKey',
] as const;
export type PrincipalName = (typeof PRINCIPALS)[number];

export const POOLS = ['conversation', 'offer', 'victimAgent', 'victimKey', 'canned', 'delivery', 'media', 'contact', 'agent', 'queue', 'queueName', 'event'] as const;
export type PoolName = (typeof POOLS)[number];

interface Res {
  status: number;
  body: any;
}

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

export class World {
  readonly tokens = {} as Record<PrincipalName, string | undefined>;
  readonly pools = Object.fromEntries(POOLS.map((p) => [p, [] as string[]])) as Record<PoolName, string[]>;
  ids = { admin: '', agent: '', customer: '', customer2: '', verified: '', activeConversation: '', apikeyId: '' };
  readonly notes: string[] = [];
  /** Identity tokens for POST /v1/sessions: valid ones with odd claims, expired, wrongly signed. */
  readonly identityTokens: string[] = [];
  private key: Uint8Array;

  constructor(readonly server: FuzzServer) {
    this.key = new TextEncoder().encode(server.signingKey);
  }

  async req(method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
    const h: Record<string, string> = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    if (body !== undefined && !(body instanceof Uint8Array)) h['content-type'] = 'application/json';
    const r = await fetch(this.server.url + path, { method, headers: h, ...(body !== undefined ? { body: body instanceof Uint8Array ? new Uint8Array(body) as Uint8Array<ArrayBuffer> : JSON.stringify(body) } : {}) });
    const text = await r.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    return { status: r.status, body: parsed };
  }

  private async must(what: string, r: Promise<Res>, ok: number[] = [200, 201]): Promise<any> {
    const res = await r;
    if (!ok.includes(res.status)) throw new Error(`fuzz world: ${what} → ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
    return res.body;
  }

  /** A token of ours, signed with the server's key (for forged and expired variants). */
  async sign(claims: Record<string, unknown>, sub: string | undefined, expSeconds: number, key: Uint8Array = this.key): Promise<string> {
    let j = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(Math.floor(Date.now() / 1000) - 10).setExpirationTime(Math.floor(Date.now() / 1000) + expSeconds);
    if (sub !== undefined) j = j.setSubject(sub);
    return j.sign(key);
  }

  /** An identity token from "the business's backend" (PARLEY_IDENTITY_SECRET). */
  identityToken(claims: Record<string, unknown>, expSeconds = 600, secret = this.server.identitySecret): Promise<string> {
    return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime(Math.floor(Date.now() / 1000) + expSeconds).sign(new TextEncoder().encode(secret));
  }

  /** A valid signed media URL query for any id (what the server hands out with a media part). */
  mediaQuery(id: string, expSeconds = 600): string {
    const exp = Math.floor(Date.now() / 1000) + expSeconds;
    const sig = createHmac('sha256', this.server.signingKey).update(`media:${id}:${exp}`).digest('base64url');
    return `exp=${exp}&sig=${sig}`;
  }

  private add(pool: PoolName, id: string | undefined, max = 12): void {
    if (!id) return;
    const p = this.pools[pool];
    if (p.includes(id)) return;
    p.push(id);
    if (p.length > max) p.splice(0, p.length - max);
  }

  async build(): Promise<void> {
    const t = this.tokens;
    const login = await this.must('admin login', this.req('POST', '/v1/agent/login', undefined, ADMIN));
    t.admin = login.token;
    this.ids.admin = login.agent.id;

    const keyOf = (b: any): string => b.apiKey.key ?? b.apiKey.token;
    t.apikey = keyOf(await this.must('admin API key', this.req('POST', '/v1/admin/api-keys', t.admin, { name: 'fuzz-admin', scopes: ['admin'] })));
    t.apikeyLimited = keyOf(await this.must('limited API key', this.req('POST', '/v1/admin/api-keys', t.admin, { name: 'fuzz-limited', scopes: ['offers:write', 'conversations:read'] })));
    t.apikeyMetrics = keyOf(await this.must('metrics API key', this.req('POST', '/v1/admin/api-keys', t.admin, { name: 'fuzz-metrics', scopes: ['metrics:read'] })));
    t.metricsToken = this.server.metricsToken;
    this.ids.apikeyId = /^pk_([0-9a-f]{12})_/.exec(t.apikey!)?.[1] ?? '';
    for (const n of [1, 2, 3]) {
      const k = await this.must('victim key', this.req('POST', '/v1/admin/api-keys', t.apikey, { name: `victim-${n}`, scopes: ['offers:write'] }));
      this.add('victimKey', k.apiKey.id);
      if (n === 3) {
        await this.must('revoke victim key', this.req('DELETE', `/v1/admin/api-keys/${this.pools.victimKey.at(-1)}`, t.apikey));
        t.revokedKey = keyOf(k);
      }
    }
    t.wrongSecretKey = `pk_${this.ids.apikeyId}_${'A'.repeat(32)}`;
    t.malformedKey = 'pk_zz_short';

    const q2 = await this.must('queue', this.req('POST', '/v1/admin/queues', t.apikey, { name: 'fuzz manual', assignment: 'manual' }));
    this.add('queue', 'default');
    this.add('queue', q2.queue.id);
    this.add('queueName', 'default');
    this.add('queueName', q2.queue.name);

    const agent = await this.must('agent', this.req('POST', '/v1/admin/agents', t.apikey, { email: 'fuzz-agent@example.com', name: 'Fuzz Agent', password: 'fuzz-agent-password', capacity: 1000, queues: ['default', q2.queue.id] }));
    this.ids.agent = agent.agent.id;
    t.agent = (await this.must('agent login', this.req('POST', '/v1/agent/login', undefined, { email: 'fuzz-agent@example.com', password: 'fuzz-agent-password' }))).token;
    this.add('agent', this.ids.agent);
    this.add('agent', this.ids.admin);
    for (const n of [1, 2]) {
      const v = await this.must('victim agent', this.req('POST', '/v1/admin/agents', t.apikey, { email: `victim-${n}@example.com`, name: `Victim ${n}`, password: 'victim-password', role: n === 2 ? 'admin' : 'agent' }));
      this.add('victimAgent', v.agent.id);
    }

    const a = await this.must('customer', this.req('POST', '/v1/sessions'));
    t.customer = a.token;
    this.ids.customer = a.contact.id;
    const b = await this.must('customer2', this.req('POST', '/v1/sessions'));
    t.customer2 = b.token;
    this.ids.customer2 = b.contact.id;
    const c = await this.must('verified customer', this.req('POST', '/v1/sessions', undefined, { identityToken: await this.identityToken({ sub: 'fuzz-user-1', name: 'Verified Vera', email: 'vera@example.com' }) }));
    t.verified = c.token;
    this.ids.verified = c.contact.id;
    for (const id of [a.contact.id, b.contact.id, c.contact.id]) this.add('contact', id);

    // Forged and expired credentials.
    t.expiredCustomer = await this.sign({ typ: 'customer' }, this.ids.customer, -3600);
    t.ghostCustomer = await this.sign({ typ: 'customer' }, 'ct_does_not_exist_0000000000', 3600);
    t.ghostAgent = await this.sign({ typ: 'agent', ep: 0 }, 'ag_does_not_exist_0000000000', 3600);
    t.staleAgent = await this.sign({ typ: 'agent', ep: 99 }, this.ids.agent, 3600);
    t.expiredAgent = await this.sign({ typ: 'agent', ep: 0 }, this.ids.agent, -60);
    t.unknownType = await this.sign({ typ: 'root' }, this.ids.admin, 3600);
    t.wrongKey = await this.sign({ typ: 'agent', ep: 0 }, this.ids.admin, 3600, new TextEncoder().encode('not-the-server-key-0123456789abcdef'));
    t.algNone = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ typ: 'agent', ep: 0, sub: this.ids.admin, exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
    t.anonymous = undefined;
    const idt = this.identityTokens;
    idt.push(await this.identityToken({ sub: 'fuzz-user-1', name: 'Verified Vera', email: 'vera@example.com' }));
    idt.push(await this.identityToken({ sub: 'fuzz-user-2' }));
    idt.push(await this.identityToken({ sub: 'x'.repeat(5000), name: 'n'.repeat(5000), email: 'not an e-mail' }));
    idt.push(await this.identityToken({ sub: '\u0000\ud800💥', name: '<script>alert(1)</script>', email: 42 }));
    idt.push(await this.identityToken({ sub: 12345 as unknown as string }));
    idt.push(await this.identityToken({ name: 'no subject' }));
    idt.push(await this.identityToken({ sub: 'fuzz-user-3', name: { first: 'A' } }));
    idt.push(await this.identityToken({ sub: 'fuzz-user-1' }, -3600));
    idt.push(await this.identityToken({ sub: 'fuzz-user-1' }, 600, 'the-wrong-identity-secret-0123456789abcdef'));
    idt.push(await this.sign({ typ: 'customer' }, this.ids.customer, 3600));
    idt.push(`${b64({ alg: 'none' })}.${b64({ sub: 'fuzz-user-1' })}.`);

    // Media: one upload per kind of uploader.
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(64).fill(7)]);
    for (const tok of [t.customer, t.agent]) {
      const m = await this.must('upload', this.req('POST', '/v1/media?name=fuzz.png', tok, png, { 'content-type': 'image/png' }));
      this.add('media', m.media.id);
    }

    await this.newActiveConversation();
    // customer2: a conversation waiting in the queue (with a message in it).
    const queued = (await this.must('queued conversation', this.req('POST', '/v1/conversations', t.customer2, { context: { page: '/fuzz' } }))).conversation;
    await this.must('queued message', this.req('POST', `/v1/conversations/${queued.id}/messages`, t.customer2, { clientMessageId: 'q1', text: 'waiting' }));
    this.add('conversation', queued.id);
    // The verified customer: one ended conversation.
    const ended = (await this.must('to-be-ended conversation', this.req('POST', '/v1/conversations', t.verified, {}))).conversation;
    await this.must('end', this.req('POST', `/v1/conversations/${ended.id}/end`, t.verified));
    this.add('conversation', ended.id);
    // A business-started conversation (bot phase) with a new contact.
    const pro = await this.must('proactive', this.req('POST', '/v1/messages/proactive', t.apikey, { identity: { channel: 'web', externalId: 'fuzz-proactive-1' }, text: 'Your order shipped', idempotencyKey: 'fz-1' }));
    this.add('conversation', pro.conversation.id);
    this.add('contact', pro.conversation.contactId);

    const offer = await this.must('offer', this.req('POST', '/v1/offers', t.apikey, { contactId: this.ids.customer, type: 'text', content: 'Ten percent off' }));
    this.add('offer', offer.offer.id);
    const offer2 = await this.must('offer', this.req('POST', '/v1/offers', t.apikey, { contactId: this.ids.customer2, type: 'link', content: 'https://example.com/x' }));
    this.add('offer', offer2.offer.id);

    for (const s of ['hello', 'bye', 'victim']) {
      const cr = await this.must('canned', this.req('POST', '/v1/admin/canned-responses', t.apikey, { shortcut: `fz-${s}`, text: `Canned ${s}` }));
      if (s !== 'hello') this.add('canned', cr.cannedResponse.id);
    }
    await this.refreshDeliveries();
    this.registerSecrets();
  }

  /** Every credential the fixture holds: none may ever show up in the server's log. */
  registerSecrets(): void {
    const list = [
      ...Object.entries(this.tokens).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].length >= 16),
      ...this.identityTokens.map((t, i) => [`identityToken#${i}`, t] as [string, string]),
      ['signingKey', this.server.signingKey] as [string, string],
      ['identitySecret', this.server.identitySecret] as [string, string],
    ];
    // A JWT's signature part alone is enough to tell (the header and claims are not secret).
    this.server.logs.secrets = [
      ...list.map(([name, value]) => ({ name, value: value.split('.').length === 3 && value.split('.')[2]!.length >= 16 ? value.split('.')[2]! : value })),
      // The vendor desks' webhook and client secrets (read from the environment by the server).
      ...this.server.vendorSecrets,
    ];
  }

  async refreshDeliveries(): Promise<void> {
    const d = await this.req('GET', '/v1/admin/deliveries?limit=20', this.tokens.apikey);
    if (d.status === 200) for (const x of (d.body.deliveries as { id: string }[]).slice(0, 6)) this.add('delivery', x.id);
  }

  /** The customer opens a conversation, writes, and the agent takes it: the "deep" conversation. */
  async newActiveConversation(): Promise<void> {
    const t = this.tokens;
    let conv: { id: string; phase: string } | undefined;
    for (let i = 0; i < 4; i++) {
      const r = await this.req('POST', '/v1/conversations', t.customer, { context: { orderId: 'A-1' } });
      if (r.status === 201) {
        conv = r.body.conversation;
        break;
      }
      // Another conversation of this customer is still open (made by the fuzz): end it and try again.
      if (r.status === 200) await this.req('POST', `/v1/conversations/${r.body.conversation.id}/end`, t.customer);
      else throw new Error(`fuzz world: open conversation → ${r.status} ${JSON.stringify(r.body)}`);
    }
    if (!conv) throw new Error('fuzz world: could not open a fresh conversation');
    await this.must('first message', this.req('POST', `/v1/conversations/${conv.id}/messages`, t.customer, { clientMessageId: `w-${Date.now()}`, text: 'Hello, I need help' }));
    const acc = await this.req('POST', `/v1/agent/conversations/${conv.id}/accept`, t.agent);
    // Round-robin may already have assigned it to an online agent; the fuzz agent takes it when it can.
    if (acc.status !== 200) this.notes.push(`accept → ${acc.status} ${JSON.stringify(acc.body).slice(0, 200)}`);
    await this.req('POST', `/v1/agent/conversations/${conv.id}/messages`, t.agent, { clientMessageId: `wa-${Date.now()}`, text: 'Hi! How can I help?' });
    this.ids.activeConversation = conv.id;
    this.add('conversation', conv.id);
    const ev = await this.req('GET', `/v1/conversations/${conv.id}/events?after=0`, t.customer);
    if (ev.status === 200) for (const e of (ev.body.events as { id: string }[]).slice(0, 3)) this.add('event', e.id);
  }

  /**
   * The fuzz may legitimately change the fixture agents through the admin API (a random id from another pool
   * can be theirs): a new password (their tokens are revoked), disabled, demoted. Put them back with the admin
   * API key and log in again.
   */
  async repairAgents(): Promise<void> {
    const t = this.tokens;
    const who = [
      { name: 'agent' as const, id: this.ids.agent, email: 'fuzz-agent@example.com', password: 'fuzz-agent-password', role: 'agent' },
      { name: 'admin' as const, id: this.ids.admin, email: ADMIN.email, password: ADMIN.password, role: 'admin' },
    ];
    for (const a of who) {
      const me = await this.req('GET', '/v1/agent/me', t[a.name]);
      if (me.status === 200 && me.body.agent?.role === a.role && !me.body.agent?.disabled) continue;
      this.notes.push(`repaired the fixture ${a.name}: GET /v1/agent/me → ${me.status} ${me.body?.error?.code ?? me.body?.agent?.role ?? ''}`);
      const fix = await this.req('PATCH', `/v1/admin/agents/${a.id}`, t.apikey, { password: a.password, role: a.role, disabled: false, queues: this.pools.queue.slice(0, 2) });
      if (fix.status !== 200) throw new Error(`fuzz world: cannot repair the ${a.name}: ${fix.status} ${JSON.stringify(fix.body).slice(0, 300)}`);
      let login = await this.req('POST', '/v1/agent/login', undefined, { email: a.email, password: a.password });
      // The fuzz's own login attempts may have used up this minute's allowance.
      for (let i = 0; i < 14 && login.status === 429; i++) {
        await new Promise((r) => setTimeout(r, 5000));
        login = await this.req('POST', '/v1/agent/login', undefined, { email: a.email, password: a.password });
      }
      if (login.status !== 200) throw new Error(`fuzz world: cannot log the ${a.name} in again: ${login.status} ${JSON.stringify(login.body).slice(0, 300)}`);
      t[a.name] = login.body.token;
      this.registerSecrets();
    }
  }

  /** Repair what the fuzz legitimately changed: the active conversation ended, or went to someone else. */
  async refresh(): Promise<void> {
    await this.repairAgents();
    const r = await this.req('GET', `/v1/agent/conversations/${this.ids.activeConversation}`, this.tokens.agent);
    const c = r.body?.conversation;
    if (r.status !== 200 || c?.phase !== 'active' || c?.agentId !== this.ids.agent) {
      await this.req('POST', `/v1/conversations/${this.ids.activeConversation}/end`, this.tokens.customer);
      await this.newActiveConversation();
    }
    if (Math.random() < 0.2) await this.refreshDeliveries();
  }

  /** Check that the fixture callers still work (a failure here is a fixture bug or an authority bug). */
  async check(): Promise<string[]> {
    const bad: string[] = [];
    const probes: [PrincipalName, string][] = [
      ['customer', '/v1/me'],
      ['customer2', '/v1/me'],
      ['verified', '/v1/me'],
      ['agent', '/v1/agent/me'],
      ['admin', '/v1/admin/agents'],
      ['apikey', '/v1/admin/api-keys'],
    ];
    for (const [p, path] of probes) {
      const r = await this.req('GET', path, this.tokens[p]);
      if (r.status !== 200) bad.push(`${p} GET ${path} → ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    }
    return bad;
  }
}
