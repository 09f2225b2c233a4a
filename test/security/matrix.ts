import type { Scope } from '../../src/http/auth.js';
import type { AuthRule } from '../../src/http/route.js';
import { PNG, type Fixture, type HttpReq, type PrincipalId, type World } from './world.js';

// THE ACCESS MATRIX: every route and stream operation × every kind of caller, with the answer
// docs/security.md says it must get. One row per route, keyed exactly as `documented` spells it
// ("METHOD /url/:param"), plus the stream operations (STREAM_OPS) and the plain ops routes (OPS_ROUTES).
// access-matrix.test.ts checks that the keys are exactly the routes the server has, so a new route cannot
// ship without a row here, and runs every cell.
//
// A row says what to send (which fixture, which body) and, for the callers whose answer is not the default
// of the route's auth rule (see `byRule` below), what they get. Customer A is the owner of the row's
// fixture; customer B owns nothing of it.

// ---- expected answers --------------------------------------------------------------------------------

export type Expect =
  /** An HTTP success (101 for a WebSocket upgrade), or for a frame row an ack/pong (no error frame). */
  | { ok: true; status: number }
  /** An HTTP error with its catalogue code (for stream rows: refused before any upgrade). */
  | { ok: false; status: number; code: string; frame?: undefined }
  /** For a frame row: the connection opens and the frame is answered with an error frame of this code. */
  | { ok: false; frame: true; status: 0; code: string };

export const ok = (status = 200): Expect => ({ ok: true, status });
export const err = (status: number, code: string): Expect => ({ ok: false, status, code: `PARLEY_E_${code}` });
export const frameErr = (code: string): Expect => ({ ok: false, frame: true, status: 0, code: `PARLEY_E_${code}` });

const UNAUTHENTICATED = err(401, 'UNAUTHENTICATED');
const EXPIRED = err(401, 'TOKEN_EXPIRED');
const REVOKED = err(401, 'TOKEN_REVOKED');
const DISABLED = err(403, 'ACCOUNT_DISABLED');
const FORBIDDEN = err(403, 'FORBIDDEN');
const CONVERSATION_NOT_FOUND = err(404, 'CONVERSATION_NOT_FOUND');
const NOT_ASSIGNED = err(409, 'NOT_ASSIGNED');

/**
 * The rule a row's defaults come from. The declared AuthRules, plus:
 * - `token`: a customer or agent token, no API key (POST /v1/media: declared `any`, its handler refuses keys);
 * - `stream`: `any`, minus API keys, and `?token=` is read (GET /v1/stream and its frames);
 * - `metrics`: PARLEY_METRICS_TOKEN, or a key with metrics:read (or admin).
 */
export type Rule = AuthRule | 'token' | 'stream' | 'metrics';

const AGENTS: readonly PrincipalId[] = ['agentInQueue', 'agentOutside', 'agentDemoted', 'admin'];

/** The answer a caller gets from a route with this rule, when the row says nothing else. */
export function byRule(rule: Rule, p: PrincipalId, success: Expect): Expect {
  if (rule === 'none') throw new Error('a public row must say what everyone gets (`everyone`)');
  if (rule === 'stream' && p === 'adminQueryToken') return success;
  if (rule === 'metrics' && p === 'metricsToken') return success;
  // Who cannot be told apart from nobody: 401, before anything else is looked at.
  if (p === 'anonymous' || p === 'adminQueryToken' || p === 'metricsToken') return UNAUTHENTICATED;
  if (p === 'expiredCustomer' || p === 'expiredAgent') return EXPIRED;
  if (p === 'agentRevoked') return REVOKED;
  // A disabled account: 403 on every authenticated route, whatever the route is.
  if (p === 'agentDisabled') return DISABLED;
  const customer = p === 'customerA' || p === 'customerB';
  const agent = AGENTS.includes(p);
  const scope = p.startsWith('key:') ? (p.slice(4) as Scope) : undefined;
  switch (rule) {
    case 'any':
      return success;
    case 'customer':
      return customer ? success : FORBIDDEN;
    case 'agent':
      return agent ? success : FORBIDDEN;
    case 'token':
    case 'stream':
      return customer || agent ? success : FORBIDDEN;
    case 'metrics':
      return byRule({ scope: 'metrics:read' }, p, success);
    default:
      // { scope }: an admin agent holds every scope; a key holds its own, and `admin` holds all.
      if (p === 'admin') return success;
      if (scope) return scope === rule.scope || scope === 'admin' ? success : FORBIDDEN;
      return FORBIDDEN;
  }
}

// ---- rows ----------------------------------------------------------------------------------------------

export type StreamOp = { connect: 'ws' | 'sse' } | { frame: string; send: (fx: Fixture, w: World, ref: string) => Record<string, unknown> };

export interface Row {
  /** "METHOD /url" exactly as documented, or a stream operation ("WS /v1/stream", "WS frame ping"). */
  route: string;
  /** Several rows may test one route with different fixtures or bodies. */
  variant?: string;
  /** The auth rule the route declares (checked against `documented`); undefined for undocumented routes. */
  auth?: AuthRule;
  /** The rule defaults come from, when it is not `auth`. */
  as?: Rule;
  /** The success status (default 200). */
  status?: number;
  /** For public rows: what every caller gets (principals in `expect` still win). */
  everyone?: Expect;
  expect?: Partial<Record<PrincipalId, Expect>>;
  /** The fixture the request points at (default: the shared waiting conversation of customer A). */
  fixture?: (w: World) => Promise<Fixture>;
  /** Cells expected to succeed get a fixture of their own (the row consumes it: end, accept, revoke…). */
  fresh?: boolean;
  /** Refused cells must store nothing (default: every non-GET route and the message/typing/read frames). */
  mutates?: boolean;
  /** For list routes: whose 2xx answer contains the fixture's id; everyone else's 2xx must not. */
  lists?: { id: (fx: Fixture) => string; who: readonly PrincipalId[] };
  http?: (fx: Fixture, w: World) => HttpReq;
  stream?: StreamOp;
}

/** The operations of GET /v1/stream beyond the HTTP request itself (the SSE connect is that row). */
export const STREAM_OPS = ['WS /v1/stream', 'WS frame ping', 'WS frame message', 'WS frame typing', 'WS frame read', 'WS frame watch'] as const;

/**
 * Routes registered with plain app.get rather than through defineRoute. Some are in `documented` (then the
 * usual checks apply), the API description itself is not; they all get rows, and the test checks they exist.
 */
export const OPS_ROUTES = ['GET /metrics', 'GET /healthz', 'GET /readyz', 'GET /openapi.json', 'GET /docs'] as const;

/**
 * Vendor webhooks (/webhooks/<type>/<instance>) of the instances the matrix world configures (world.ts): not
 * in `documented` (their contract is the vendor's), so listed here; the test checks they exist.
 */
export const WEBHOOK_ROUTES = [
  'POST /webhooks/genesys/gc',
  'POST /webhooks/twilio-sms/sms',
  'POST /webhooks/aws-sms/awssms',
  'POST /webhooks/connect/cc',
  'POST /webhooks/liveperson/lp',
  // Meta's channels: the subscription handshake (GET) and the events (POST) at one path.
  'GET /webhooks/messenger/fb',
  'POST /webhooks/messenger/fb',
  'GET /webhooks/whatsapp/wa',
  'POST /webhooks/whatsapp/wa',
] as const;

// Common shapes of rows.
const onConversation = (path: string) => (fx: Fixture) => `/v1/conversations/${fx.conversationId}${path}`;
const onAgentConversation = (path: string) => (fx: Fixture) => `/v1/agent/conversations/${fx.conversationId}${path}`;
/** Customer B asking for customer A's conversation: exactly like one that does not exist. */
const notB = { customerB: CONVERSATION_NOT_FOUND };
/** Agents that may not see the conversation: not in its queue (or no longer an admin), not its assignee. */
const hiddenFromOthers = { agentOutside: CONVERSATION_NOT_FOUND, agentDemoted: CONVERSATION_NOT_FOUND };
const assigned = (w: World) => w.assigned();
const assignedElsewhere = (w: World) => w.assignedElsewhere();
const freshWaiting = (w: World) => w.newWaiting();
const freshAssigned = (w: World) => w.newAssigned('agentInQueue');
const message = (w: World) => ({ clientMessageId: w.uniq('m'), text: 'matrix message' });

export const TABLE: readonly Row[] = [
  // ---- customer API (the web channel) ----------------------------------------------------------------
  { route: 'POST /v1/sessions', auth: 'none', status: 201, everyone: ok(201), http: () => ({ method: 'POST', path: '/v1/sessions', body: {} }) },
  { route: 'GET /v1/me', auth: 'customer', http: () => ({ method: 'GET', path: '/v1/me' }) },
  { route: 'PATCH /v1/me', auth: 'customer', http: () => ({ method: 'PATCH', path: '/v1/me', body: { name: 'Renamed by the matrix' } }) },
  // Customers only (before they open a conversation): agents and API keys are refused like on any customer route.
  { route: 'GET /v1/availability', auth: 'customer', http: () => ({ method: 'GET', path: '/v1/availability' }) },
  {
    route: 'POST /v1/conversations',
    auth: 'customer',
    // A already has one open (the fixture): 200 with it. B opens its first: 201.
    expect: { customerA: ok(200), customerB: ok(201) },
    http: (_fx, w) => ({ method: 'POST', path: '/v1/conversations', body: { queue: w.queues.inQueue.name } }),
  },
  {
    route: 'GET /v1/conversations',
    auth: 'customer',
    lists: { id: (fx) => fx.conversationId, who: ['customerA'] },
    http: () => ({ method: 'GET', path: '/v1/conversations' }),
  },
  { route: 'GET /v1/conversations/:id', auth: 'customer', expect: notB, http: (fx) => ({ method: 'GET', path: onConversation('')(fx) }) },
  { route: 'GET /v1/conversations/:id/events', auth: 'customer', expect: notB, http: (fx) => ({ method: 'GET', path: onConversation('/events?after=0')(fx) }) },
  {
    route: 'POST /v1/conversations/:id/messages',
    auth: 'customer',
    status: 201,
    expect: notB,
    http: (fx, w) => ({ method: 'POST', path: onConversation('/messages')(fx), body: message(w) }),
  },
  { route: 'POST /v1/conversations/:id/typing', auth: 'customer', expect: notB, http: (fx) => ({ method: 'POST', path: onConversation('/typing')(fx), body: { typing: true } }) },
  { route: 'POST /v1/conversations/:id/read', auth: 'customer', expect: notB, http: (fx) => ({ method: 'POST', path: onConversation('/read')(fx), body: { seq: 1 } }) },
  { route: 'POST /v1/conversations/:id/end', auth: 'customer', expect: notB, fixture: freshWaiting, fresh: true, http: (fx) => ({ method: 'POST', path: onConversation('/end')(fx) }) },
  {
    route: 'GET /v1/offers',
    auth: 'customer',
    fixture: (w) => w.shared('offer', () => w.newOffer()),
    lists: { id: (fx) => fx.offerId ?? '-', who: ['customerA'] },
    http: () => ({ method: 'GET', path: '/v1/offers' }),
  },
  {
    route: 'POST /v1/offers/:id/ack',
    auth: 'customer',
    expect: { customerB: err(404, 'OFFER_NOT_FOUND') },
    fixture: (w) => w.newOffer(),
    fresh: true,
    http: (fx) => ({ method: 'POST', path: `/v1/offers/${fx.offerId}/ack` }),
  },

  // ---- media -------------------------------------------------------------------------------------------
  {
    route: 'POST /v1/media',
    auth: 'any',
    // Any valid token gets past the route's rule; the handler then refuses API keys (uploads are made by
    // customers and agents).
    as: 'token',
    status: 201,
    http: () => ({ method: 'POST', path: '/v1/media?name=dot.png', raw: PNG, contentType: 'image/png' }),
  },
  {
    route: 'GET /v1/media/:id',
    auth: 'none',
    // A signed URL is the credential; a token neither helps nor hurts.
    everyone: ok(200),
    fixture: (w) => w.shared('media', () => w.newMedia()),
    http: (fx) => ({ method: 'GET', path: fx.media?.path ?? '-' }),
  },
  {
    route: 'GET /v1/media/:id',
    variant: 'forged signature',
    auth: 'none',
    // Even an admin's token does not stand in for the signature.
    everyone: err(403, 'FORBIDDEN'),
    fixture: (w) => w.shared('media', () => w.newMedia()),
    http: (fx) => ({ method: 'GET', path: (fx.media?.path ?? '-').replace(/sig=[^&]+/, 'sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA') }),
  },

  // ---- agent API (the inbox desk) ----------------------------------------------------------------------
  {
    route: 'POST /v1/agent/login',
    auth: 'none',
    // Public: the body's credentials decide, whoever's bearer token rides along.
    everyone: ok(200),
    http: (_fx, w) => ({ method: 'POST', path: '/v1/agent/login', body: { email: w.agents.login.email, password: 'password123' } }),
  },
  {
    route: 'POST /v1/agent/login',
    variant: "the disabled agent's own credentials",
    auth: 'none',
    everyone: DISABLED,
    // A login stores nothing either way; no snapshot needed.
    mutates: false,
    http: (_fx, w) => ({ method: 'POST', path: '/v1/agent/login', body: { email: w.agents.agentDisabled.email, password: 'password123' } }),
  },
  { route: 'GET /v1/agent/me', auth: 'agent', http: () => ({ method: 'GET', path: '/v1/agent/me' }) },
  { route: 'POST /v1/agent/status', auth: 'agent', http: () => ({ method: 'POST', path: '/v1/agent/status', body: { status: 'available' } }) },
  { route: 'GET /v1/agent/agents', auth: 'agent', http: () => ({ method: 'GET', path: '/v1/agent/agents' }) },
  { route: 'GET /v1/agent/queues', auth: 'agent', http: () => ({ method: 'GET', path: '/v1/agent/queues' }) },
  {
    route: 'GET /v1/agent/conversations',
    auth: 'agent',
    // Waiting in the in-queue: its agents and admins see it; the agent outside and the demoted admin do not.
    lists: { id: (fx) => fx.conversationId, who: ['agentInQueue', 'admin'] },
    http: () => ({ method: 'GET', path: '/v1/agent/conversations?scope=all' }),
  },
  {
    route: 'GET /v1/agent/conversations',
    variant: 'taken by the admin',
    auth: 'agent',
    // No longer waiting: only its assignee (the admin) sees it now.
    fixture: assignedElsewhere,
    lists: { id: (fx) => fx.conversationId, who: ['admin'] },
    http: () => ({ method: 'GET', path: '/v1/agent/conversations?scope=all' }),
  },
  { route: 'GET /v1/agent/conversations/:id', auth: 'agent', expect: hiddenFromOthers, http: (fx) => ({ method: 'GET', path: onAgentConversation('')(fx) }) },
  {
    route: 'GET /v1/agent/conversations/:id',
    variant: 'assigned to the agent in the queue',
    auth: 'agent',
    expect: hiddenFromOthers,
    fixture: assigned,
    http: (fx) => ({ method: 'GET', path: onAgentConversation('')(fx) }),
  },
  {
    route: 'GET /v1/agent/conversations/:id',
    variant: 'taken by the admin',
    auth: 'agent',
    expect: { ...hiddenFromOthers, agentInQueue: CONVERSATION_NOT_FOUND },
    fixture: assignedElsewhere,
    http: (fx) => ({ method: 'GET', path: onAgentConversation('')(fx) }),
  },
  { route: 'GET /v1/agent/conversations/:id/events', auth: 'agent', expect: hiddenFromOthers, http: (fx) => ({ method: 'GET', path: onAgentConversation('/events?after=0')(fx) }) },
  {
    route: 'POST /v1/agent/conversations/:id/accept',
    auth: 'agent',
    expect: hiddenFromOthers,
    fixture: freshWaiting,
    fresh: true,
    http: (fx) => ({ method: 'POST', path: onAgentConversation('/accept')(fx) }),
  },
  {
    route: 'POST /v1/agent/conversations/:id/messages',
    auth: 'agent',
    status: 201,
    // The admin sees it but it is not theirs: writing needs the conversation to be yours.
    expect: { ...hiddenFromOthers, admin: NOT_ASSIGNED },
    fixture: assigned,
    http: (fx, w) => ({ method: 'POST', path: onAgentConversation('/messages')(fx), body: message(w) }),
  },
  {
    route: 'POST /v1/agent/conversations/:id/messages',
    variant: 'waiting in the queue',
    auth: 'agent',
    status: 201,
    // Visible to the queue's agent, but nobody's yet: accept first.
    expect: { ...hiddenFromOthers, agentInQueue: NOT_ASSIGNED, admin: NOT_ASSIGNED },
    http: (fx, w) => ({ method: 'POST', path: onAgentConversation('/messages')(fx), body: message(w) }),
  },
  {
    route: 'POST /v1/agent/conversations/:id/typing',
    auth: 'agent',
    expect: { ...hiddenFromOthers, admin: NOT_ASSIGNED },
    fixture: assigned,
    http: (fx) => ({ method: 'POST', path: onAgentConversation('/typing')(fx), body: { typing: true } }),
  },
  {
    route: 'POST /v1/agent/conversations/:id/read',
    auth: 'agent',
    expect: { ...hiddenFromOthers, admin: NOT_ASSIGNED },
    fixture: assigned,
    http: (fx) => ({ method: 'POST', path: onAgentConversation('/read')(fx), body: { seq: 1 } }),
  },
  {
    route: 'POST /v1/agent/conversations/:id/transfer',
    auth: 'agent',
    // Its assignee, or an admin (who may move any conversation).
    expect: hiddenFromOthers,
    fixture: freshAssigned,
    fresh: true,
    http: (fx, w) => ({ method: 'POST', path: onAgentConversation('/transfer')(fx), body: { toQueueId: w.queues.outside.id, note: 'matrix' } }),
  },
  {
    route: 'POST /v1/agent/conversations/:id/end',
    auth: 'agent',
    expect: hiddenFromOthers,
    fixture: freshAssigned,
    fresh: true,
    http: (fx) => ({ method: 'POST', path: onAgentConversation('/end')(fx) }),
  },
  { route: 'GET /v1/agent/canned-responses', auth: 'agent', http: () => ({ method: 'GET', path: '/v1/agent/canned-responses' }) },

  // ---- admin API ---------------------------------------------------------------------------------------
  {
    route: 'POST /v1/admin/agents',
    auth: { scope: 'agents:write' },
    status: 201,
    http: (_fx, w) => ({ method: 'POST', path: '/v1/admin/agents', body: { email: `${w.uniq('new')}@example.com`, name: 'New agent', password: 'password123', role: 'agent' } }),
  },
  {
    route: 'POST /v1/admin/agents',
    variant: 'an admin',
    auth: { scope: 'agents:write' },
    status: 201,
    // Creating an admin needs the admin scope: an agents:write key manages agents, not admins.
    expect: { 'key:agents:write': FORBIDDEN },
    http: (_fx, w) => ({ method: 'POST', path: '/v1/admin/agents', body: { email: `${w.uniq('new')}@example.com`, name: 'New admin', password: 'password123', role: 'admin' } }),
  },
  {
    route: 'PATCH /v1/admin/agents/:id',
    auth: { scope: 'agents:write' },
    fixture: (w) => w.shared('plain target', () => w.newAgent('agent')),
    http: (fx, w) => ({ method: 'PATCH', path: `/v1/admin/agents/${fx.agentId}`, body: { name: w.uniq('Renamed'), capacity: 7 } }),
  },
  {
    route: 'PATCH /v1/admin/agents/:id',
    variant: 'disable an agent',
    auth: { scope: 'agents:write' },
    fixture: (w) => w.newAgent('agent'),
    fresh: true,
    http: (fx) => ({ method: 'PATCH', path: `/v1/admin/agents/${fx.agentId}`, body: { disabled: true } }),
  },
  {
    route: 'PATCH /v1/admin/agents/:id',
    variant: 'promote to admin',
    auth: { scope: 'agents:write' },
    expect: { 'key:agents:write': FORBIDDEN },
    fixture: (w) => w.newAgent('agent'),
    fresh: true,
    http: (fx) => ({ method: 'PATCH', path: `/v1/admin/agents/${fx.agentId}`, body: { role: 'admin' } }),
  },
  {
    route: 'PATCH /v1/admin/agents/:id',
    variant: "an admin's password",
    auth: { scope: 'agents:write' },
    expect: { 'key:agents:write': FORBIDDEN },
    fixture: (w) => w.newAgent('admin'),
    fresh: true,
    http: (fx) => ({ method: 'PATCH', path: `/v1/admin/agents/${fx.agentId}`, body: { password: 'another-password-789' } }),
  },
  {
    route: 'PATCH /v1/admin/agents/:id',
    variant: 'demote an admin',
    auth: { scope: 'agents:write' },
    // There are other admins, so this is not the last one (no LAST_ADMIN).
    expect: { 'key:agents:write': FORBIDDEN },
    fixture: (w) => w.newAgent('admin'),
    fresh: true,
    http: (fx) => ({ method: 'PATCH', path: `/v1/admin/agents/${fx.agentId}`, body: { role: 'agent' } }),
  },
  { route: 'GET /v1/admin/agents', auth: { scope: 'agents:write' }, http: () => ({ method: 'GET', path: '/v1/admin/agents' }) },
  {
    route: 'POST /v1/admin/queues',
    auth: { scope: 'queues:write' },
    status: 201,
    http: (_fx, w) => ({ method: 'POST', path: '/v1/admin/queues', body: { name: w.uniq('queue'), assignment: 'manual' } }),
  },
  { route: 'GET /v1/admin/queues', auth: { scope: 'queues:write' }, http: () => ({ method: 'GET', path: '/v1/admin/queues' }) },
  {
    route: 'POST /v1/admin/api-keys',
    auth: { scope: 'keys:write' },
    status: 201,
    // A keys:write key may mint keys with the scope it holds itself.
    http: (_fx, w) => ({ method: 'POST', path: '/v1/admin/api-keys', body: { name: w.uniq('key'), scopes: ['keys:write'] } }),
  },
  {
    route: 'POST /v1/admin/api-keys',
    variant: 'an admin key',
    auth: { scope: 'keys:write' },
    status: 201,
    expect: { 'key:keys:write': FORBIDDEN },
    http: (_fx, w) => ({ method: 'POST', path: '/v1/admin/api-keys', body: { name: w.uniq('key'), scopes: ['admin'] } }),
  },
  {
    route: 'POST /v1/admin/api-keys',
    variant: 'a scope the caller lacks',
    auth: { scope: 'keys:write' },
    status: 201,
    expect: { 'key:keys:write': FORBIDDEN },
    http: (_fx, w) => ({ method: 'POST', path: '/v1/admin/api-keys', body: { name: w.uniq('key'), scopes: ['keys:write', 'offers:write'] } }),
  },
  { route: 'GET /v1/admin/api-keys', auth: { scope: 'keys:write' }, http: () => ({ method: 'GET', path: '/v1/admin/api-keys' }) },
  {
    route: 'DELETE /v1/admin/api-keys/:id',
    auth: { scope: 'keys:write' },
    // Ambiguous: docs/security.md does not say whether revoking a key with scopes the caller lacks needs them.
    // The key revoked here holds conversations:read, which a keys:write key lacks; revoking takes authority
    // away rather than granting it, so it is allowed.
    fixture: (w) => w.newKey(),
    fresh: true,
    http: (fx) => ({ method: 'DELETE', path: `/v1/admin/api-keys/${fx.keyId}` }),
  },
  {
    route: 'POST /v1/offers',
    auth: { scope: 'offers:write' },
    status: 201,
    http: (fx) => ({ method: 'POST', path: '/v1/offers', body: { contactId: fx.owner.contactId, type: 'text', content: 'A matrix offer' } }),
  },
  {
    route: 'POST /v1/messages/proactive',
    auth: { scope: 'messages:write' },
    status: 201,
    http: (_fx, w) => ({
      method: 'POST',
      path: '/v1/messages/proactive',
      body: { contactId: w.proactiveTarget.contactId, text: 'Your order shipped', idempotencyKey: w.uniq('pro') },
    }),
  },
  { route: 'GET /v1/conversations/:id/transcript', auth: { scope: 'conversations:read' }, http: (fx) => ({ method: 'GET', path: onConversation('/transcript')(fx) }) },
  // A redacted message's original: admins only. Agents, even the one whose queue it waits in, and customers,
  // even its own author, get the route's 403 (conversations:read is not enough either).
  {
    route: 'GET /v1/conversations/:id/events/:eventId/original',
    auth: { scope: 'admin' },
    fixture: (w) => w.redacted(),
    http: (fx) => ({ method: 'GET', path: onConversation(`/events/${fx.eventId}/original`)(fx) }),
  },
  { route: 'GET /v1/admin/deliveries', auth: { scope: 'admin' }, http: () => ({ method: 'GET', path: '/v1/admin/deliveries?status=failed' }) },
  // The event inspector's vendor traffic (raw vendor requests and webhooks, masked): admins only. Agents, even
  // the one whose queue the conversation waits in, and customers, even its owner, get the route's 403; the
  // live `vendor` frames go only to a `watch`, whose row is below.
  {
    route: 'GET /v1/admin/conversations/:id/vendor-traffic',
    auth: { scope: 'admin' },
    http: (fx) => ({ method: 'GET', path: `/v1/admin/conversations/${fx.conversationId}/vendor-traffic` }),
  },
  { route: 'GET /v1/admin/vendor-traffic/unattributed', auth: { scope: 'admin' }, http: () => ({ method: 'GET', path: '/v1/admin/vendor-traffic/unattributed' }) },
  {
    route: 'POST /v1/admin/deliveries/:id/retry',
    auth: { scope: 'admin' },
    fixture: (w) => w.delivery(),
    http: (fx) => ({ method: 'POST', path: `/v1/admin/deliveries/${fx.deliveryId}/retry` }),
  },
  {
    route: 'POST /v1/setup',
    auth: 'none',
    // Agents exist and no setup code is pending: the same 409 for everyone, whatever their token.
    everyone: err(409, 'SETUP_DONE'),
    http: (_fx, w) => ({ method: 'POST', path: '/v1/setup', body: { code: 'not-the-setup-code', email: `${w.uniq('setup')}@example.com`, name: 'Setup', password: 'password123' } }),
  },
  {
    route: 'POST /v1/admin/canned-responses',
    auth: { scope: 'admin' },
    status: 201,
    http: (_fx, w) => ({ method: 'POST', path: '/v1/admin/canned-responses', body: { shortcut: w.uniq('s'), text: 'One moment please.' } }),
  },
  { route: 'GET /v1/admin/canned-responses', auth: { scope: 'admin' }, http: () => ({ method: 'GET', path: '/v1/admin/canned-responses' }) },
  {
    route: 'DELETE /v1/admin/canned-responses/:id',
    auth: { scope: 'admin' },
    fixture: (w) => w.newCanned(),
    fresh: true,
    http: (fx) => ({ method: 'DELETE', path: `/v1/admin/canned-responses/${fx.cannedId}` }),
  },

  // ---- operations (plain app.get routes; see OPS_ROUTES) -----------------------------------------------
  {
    route: 'GET /metrics',
    auth: { scope: 'metrics:read' },
    // Ambiguous: "With neither, it answers 401" could mean a valid token of the wrong kind or scope gets 401
    // too; the general rule (401: we cannot tell who you are; 403: we can and you may not) says 403. And an
    // admin agent is taken to hold metrics:read like every other scope.
    as: 'metrics',
    http: () => ({ method: 'GET', path: '/metrics' }),
  },
  { route: 'GET /healthz', auth: 'none', everyone: ok(200), http: () => ({ method: 'GET', path: '/healthz' }) },
  { route: 'GET /readyz', auth: 'none', everyone: ok(200), http: () => ({ method: 'GET', path: '/readyz' }) },
  { route: 'GET /openapi.json', everyone: ok(200), http: () => ({ method: 'GET', path: '/openapi.json' }) },
  { route: 'GET /docs', everyone: ok(200), http: () => ({ method: 'GET', path: '/docs' }) },

  // ---- vendor webhooks (see WEBHOOK_ROUTES) -----------------------------------------------------------------
  // Only the vendor's signature opens a webhook: whatever credential a caller holds (none, a customer's or an
  // agent's token, an admin's, an API key), an unsigned payload is 401 PARLEY_E_WEBHOOK_SIGNATURE and stores nothing.
  {
    route: 'POST /webhooks/genesys/gc',
    everyone: err(401, 'WEBHOOK_SIGNATURE'),
    http: (fx) => ({
      method: 'POST',
      path: '/webhooks/genesys/gc',
      body: { id: 'matrix-webhook', type: 'Text', text: 'forged', direction: 'Outbound', channel: { to: { id: fx.owner.contactId }, from: { id: 'x', nickname: 'Forger' } }, conversationId: 'gc-matrix' },
    }),
  },
  {
    route: 'POST /webhooks/twilio-sms/sms',
    everyone: err(401, 'WEBHOOK_SIGNATURE'),
    http: () => ({
      method: 'POST',
      path: '/webhooks/twilio-sms/sms',
      raw: Buffer.from(`MessageSid=SM${'1'.repeat(32)}&AccountSid=AC${'0'.repeat(32)}&From=%2B15551230001&To=%2B15005550006&Body=forged&NumMedia=0`),
      contentType: 'application/x-www-form-urlencoded',
    }),
  },

  {
    // Amazon SNS asks for 403 on a message that fails verification: here a notification for the configured
    // topic whose certificate URL is not on an AWS SNS host (refused before anything is fetched).
    route: 'POST /webhooks/aws-sms/awssms',
    everyone: err(403, 'WEBHOOK_FORGED'),
    http: () => ({
      method: 'POST',
      path: '/webhooks/aws-sms/awssms',
      body: {
        Type: 'Notification',
        MessageId: 'matrix-sns',
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:matrix-two-way',
        Message: JSON.stringify({ originationNumber: '+15551230002', destinationNumber: '+15005550007', messageBody: 'forged', inboundMessageId: 'matrix-in' }),
        Timestamp: '2026-12-01T00:00:00.000Z',
        SignatureVersion: '2',
        Signature: Buffer.alloc(256, 1).toString('base64'),
        SigningCertURL: 'https://sns.example.com/SimpleNotificationService-forged.pem',
      },
    }),
  },

  {
    // The Connect desk's chat stream, over SNS: a forged agent message (certificate URL not on an AWS SNS host)
    // is 403 and nothing is fetched or stored.
    route: 'POST /webhooks/connect/cc',
    everyone: err(403, 'WEBHOOK_FORGED'),
    http: () => ({
      method: 'POST',
      path: '/webhooks/connect/cc',
      body: {
        Type: 'Notification',
        MessageId: 'matrix-connect-sns',
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:matrix-connect-stream',
        Message: JSON.stringify({ Id: 'matrix-item', Type: 'MESSAGE', ContentType: 'text/plain', Content: 'forged', ParticipantRole: 'AGENT', InitialContactId: 'matrix-contact' }),
        Timestamp: '2026-12-01T00:00:00.000Z',
        SignatureVersion: '1',
        Signature: Buffer.alloc(256, 1).toString('base64'),
        SigningCertURL: 'https://sns.example.com/SimpleNotificationService-forged.pem',
      },
    }),
  },

  {
    // The LivePerson desk: an agent message without x-liveperson-signature is 401 and stores nothing.
    route: 'POST /webhooks/liveperson/lp',
    everyone: err(401, 'WEBHOOK_SIGNATURE'),
    http: () => ({
      method: 'POST',
      path: '/webhooks/liveperson/lp',
      body: {
        kind: 'notification',
        type: 'ms.MessagingEventNotification',
        body: {
          changes: [
            {
              sequence: 2,
              originatorId: '29c3019d-fe0b-5200-afe8-737abfeae4b4',
              originatorMetadata: { id: '29c3019d-fe0b-5200-afe8-737abfeae4b4', role: 'ASSIGNED_AGENT' },
              serverTimestamp: 1528371199686,
              event: { type: 'ContentEvent', message: 'forged', contentType: 'text/plain' },
              conversationId: 'lp-matrix',
              dialogId: 'lp-matrix',
              messageAudience: 'ALL',
            },
          ],
        },
      },
    }),
  },

  // Meta's channels (Messenger, WhatsApp). POST: an unsigned event (no X-Hub-Signature-256) is 401 and stores
  // nothing, whatever bearer token rides along. GET, Meta's subscription handshake: a wrong verify token is 403
  // PARLEY_E_WEBHOOK_FORGED for everyone; the right one is 200 for everyone (the token is the credential, as a
  // media URL's signature is).
  {
    route: 'POST /webhooks/messenger/fb',
    everyone: err(401, 'WEBHOOK_SIGNATURE'),
    http: () => ({
      method: 'POST',
      path: '/webhooks/messenger/fb',
      body: {
        object: 'page',
        entry: [{ id: '100200300400500', time: 1458692752478, messaging: [{ sender: { id: '1254459154682919' }, recipient: { id: '100200300400500' }, timestamp: 1458692752478, message: { mid: 'm_matrix', text: 'forged' } }] }],
      },
    }),
  },
  {
    route: 'GET /webhooks/messenger/fb',
    everyone: err(403, 'WEBHOOK_FORGED'),
    http: () => ({ method: 'GET', path: '/webhooks/messenger/fb?hub.mode=subscribe&hub.verify_token=not-the-verify-token&hub.challenge=1158201444' }),
  },
  {
    route: 'GET /webhooks/messenger/fb',
    variant: 'the right verify token',
    everyone: ok(200),
    http: () => ({ method: 'GET', path: '/webhooks/messenger/fb?hub.mode=subscribe&hub.verify_token=matrix-messenger-verify-token&hub.challenge=1158201444' }),
  },
  {
    route: 'POST /webhooks/whatsapp/wa',
    everyone: err(401, 'WEBHOOK_SIGNATURE'),
    http: () => ({
      method: 'POST',
      path: '/webhooks/whatsapp/wa',
      body: {
        object: 'whatsapp_business_account',
        entry: [
          {
            id: '102290129340398',
            changes: [
              {
                field: 'messages',
                value: {
                  messaging_product: 'whatsapp',
                  metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
                  contacts: [{ profile: { name: 'Forger' }, wa_id: '15551230003' }],
                  messages: [{ from: '15551230003', id: 'wamid.matrix', timestamp: '1749416383', type: 'text', text: { body: 'forged' } }],
                },
              },
            ],
          },
        ],
      },
    }),
  },
  {
    route: 'GET /webhooks/whatsapp/wa',
    everyone: err(403, 'WEBHOOK_FORGED'),
    http: () => ({ method: 'GET', path: '/webhooks/whatsapp/wa?hub.mode=subscribe&hub.verify_token=not-the-verify-token&hub.challenge=1158201444' }),
  },
  {
    route: 'GET /webhooks/whatsapp/wa',
    variant: 'the right verify token',
    everyone: ok(200),
    http: () => ({ method: 'GET', path: '/webhooks/whatsapp/wa?hub.mode=subscribe&hub.verify_token=matrix-whatsapp-verify-token&hub.challenge=1158201444' }),
  },

  // ---- the live stream ---------------------------------------------------------------------------------
  // Connect: customers and agents; an API key gets a plain HTTP 403 before any upgrade; `?token=` is read here.
  { route: 'GET /v1/stream', auth: 'any', as: 'stream', stream: { connect: 'sse' } },
  { route: 'WS /v1/stream', as: 'stream', status: 101, stream: { connect: 'ws' } },
  // Frames, on customer A's conversation assigned to the agent in the queue. Callers who cannot connect get
  // the connect refusal; the others an ack/pong or an error frame.
  { route: 'WS frame ping', as: 'stream', stream: { frame: 'ping', send: (_fx, _w, ref) => ({ type: 'ping', ref }) } },
  {
    route: 'WS frame message',
    as: 'stream',
    fixture: assigned,
    expect: frameExpect(),
    stream: { frame: 'message', send: (fx, w, ref) => ({ type: 'message', ref, conversationId: fx.conversationId, ...message(w) }) },
  },
  {
    route: 'WS frame typing',
    as: 'stream',
    fixture: assigned,
    expect: frameExpect(),
    stream: { frame: 'typing', send: (fx, _w, ref) => ({ type: 'typing', ref, conversationId: fx.conversationId, typing: true }) },
  },
  {
    route: 'WS frame read',
    as: 'stream',
    fixture: assigned,
    expect: frameExpect(),
    stream: { frame: 'read', send: (fx, _w, ref) => ({ type: 'read', ref, conversationId: fx.conversationId, seq: 1 }) },
  },
  {
    route: 'WS frame watch',
    as: 'stream',
    fixture: assigned,
    // Admins only, with the role read now: the demoted admin is refused like any agent.
    expect: Object.fromEntries(
      (['customerA', 'customerB', 'agentInQueue', 'agentOutside', 'agentDemoted'] as const).map((p) => [p, frameErr('FORBIDDEN')]),
    ),
    mutates: false,
    stream: { frame: 'watch', send: (fx, _w, ref) => ({ type: 'watch', ref, conversationId: fx.conversationId, after: 0 }) },
  },
];

/** message/typing/read frames on A's conversation assigned to the agent in the queue. */
function frameExpect(): Partial<Record<PrincipalId, Expect>> {
  return {
    customerB: frameErr('CONVERSATION_NOT_FOUND'),
    agentOutside: frameErr('CONVERSATION_NOT_FOUND'),
    agentDemoted: frameErr('CONVERSATION_NOT_FOUND'),
    // Admins see every conversation, but writing into one needs it to be theirs (as over REST).
    admin: frameErr('NOT_ASSIGNED'),
    adminQueryToken: frameErr('NOT_ASSIGNED'),
  };
}

// ---- reading the table ---------------------------------------------------------------------------------

const ADMINISTRATION = new Set<string>([
  'POST /v1/offers',
  'POST /v1/messages/proactive',
  'GET /v1/conversations/:id/transcript',
  'GET /v1/conversations/:id/events/:eventId/original',
  'POST /v1/setup',
  'POST /v1/sessions',
  ...OPS_ROUTES,
]);

/**
 * The cells run as two test files, each with its own server, so the two cores share the work: the API
 * people use (customers, agents and their sign-in, uploads, the stream) and administration (admin API, keys,
 * set-up, operations). Roughly half the time each.
 */
export const PARTS = {
  people: (r: Row): boolean => !PARTS.administration(r),
  administration: (r: Row): boolean => r.route.includes('/v1/admin/') || ADMINISTRATION.has(r.route),
};

export function rowTitle(row: Row): string {
  return row.variant ? `${row.route} [${row.variant}]` : row.route;
}

export function successOf(row: Row): Expect {
  return ok(row.status ?? 200);
}

/** What `p` gets from this row. */
export function expectFor(row: Row, p: PrincipalId): Expect {
  const own = row.expect?.[p];
  if (own) return own;
  if (row.everyone) return row.everyone;
  return byRule(row.as ?? row.auth ?? 'none', p, successOf(row));
}

export function describeExpect(e: Expect): string {
  if (e.ok) return e.status === 101 ? '101 upgrade' : `${e.status}`;
  if (e.frame) return `error frame ${e.code}`;
  return `${e.status} ${e.code}`;
}

export function isMutating(row: Row): boolean {
  if (row.mutates !== undefined) return row.mutates;
  if (row.stream) return 'frame' in row.stream && row.stream.frame !== 'ping';
  return row.http !== undefined && !row.route.startsWith('GET ');
}
