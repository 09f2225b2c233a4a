import { createHmac, timingSafeEqual } from 'node:crypto';
import { ParleyError } from '../../core/errors.js';
import type { Conversation } from '../../core/model.js';
import type { Part } from '../../core/parts.js';
import type { VendorAgent } from '../../hub/desk-reports.js';
import type { Webhook, WebhookRequest } from '../../switchboard/webhooks.js';
import type { LivePersonDesk } from './adapter.js';
import { REF } from './adapter.js';
import { ConversationChange, HostedFile, MessagingChange, Notification } from './payloads.js';
import { richToParts } from './parts.js';
import { clientSecrets } from './settings.js';

// LivePerson → Parley at /webhooks/liveperson/<instance> (vendor-protocols §4.5):
//
// - Verified first (the switchboard calls verify before anything is parsed): `x-liveperson-signature`,
//   `sha1=` or `sha256=` then the HMAC of the raw body under the app's client_secret, base64 (LivePerson's
//   default) or hex (an account option), compared in constant time; and the `x-liveperson-account-id` and
//   `x-liveperson-client-id` headers must name this instance's account and app. Anything else → 401, nothing
//   stored. (The LivePerson demo this replaces had the check switched off.)
// - Every change of a notification, in order (the demo read only the first). A change Parley cannot read is
//   skipped, not the whole notification: LivePerson would redeliver it, and the rest with it, for days.
// - Messages: only `messageAudience: ALL` reaches the customer (agent-only notes do not); the consumer's own
//   events (role CONSUMER: what Parley published) are echoes and ignored; stored once per (dialogId, sequence)
//   however often LivePerson redelivers. Files (`hosted/file`) are fetched through a download URL at once.
// - Agent typing, and the agent's ACCEPT/READ of the customer's messages (by their sequences).
// - `cqm.ExConversationChangeNotification` drives the phases: an agent assigned → joined; the agent replaced
//   or the conversation back in a skill's queue → transfer; CLOSE → ended (by whom: closeReason); a
//   post-conversation survey is answered by the customer or closed at once (settings.survey). Each carries
//   the whole state, compared with Parley's; one sent before the newest applied (`sentTs`, a redelivery) is
//   stale and skipped, so an old state never undoes a newer one.
// - One LivePerson conversation at a time (in order per conversation, as LivePerson delivers them), answered
//   as soon as it is handled: LivePerson may disable an app whose endpoint is slow.

/** Roles LivePerson gives the business side's participants: an assigned agent, a manager, a bot (controller). */
const AGENT_ROLES = new Set(['ASSIGNED_AGENT', 'AGENT', 'MANAGER', 'READER']);
const BOT_ROLES = new Set(['CONTROLLER', 'BOT']);

export function livePersonWebhook(desk: LivePersonDesk): Webhook {
  const secrets = clientSecrets(desk.settings);
  return {
    method: 'POST',
    verify: (req) => signedByApp(req, secrets) && header(req, 'x-liveperson-account-id') === desk.settings.accountId && header(req, 'x-liveperson-client-id') === desk.settings.clientId,
    async handle(req) {
      const parsed = Notification.safeParse(req.json());
      if (!parsed.success) throw new ParleyError('VALIDATION', 'Not a LivePerson notification.', { details: { issues: parsed.error.issues.slice(0, 5).map((i) => ({ path: i.path.join('.'), message: i.message })) } });
      const n = parsed.data;
      // A clock no date can hold (beyond ±8.64e15 ms) orders nothing: as if LivePerson had sent none.
      const sentTs = n.body.sentTs !== undefined && Number.isFinite(new Date(n.body.sentTs).getTime()) ? n.body.sentTs : undefined;
      for (const raw of n.body.changes) {
        if (n.type === 'ms.MessagingEventNotification') {
          const c = MessagingChange.safeParse(raw);
          if (c.success) await desk.inOrder(c.data.conversationId ?? c.data.dialogId, () => messaging(desk, c.data).catch(endedIsDone));
          else skipped(desk, n.type, c.error.issues);
        } else if (n.type === 'cqm.ExConversationChangeNotification') {
          const c = ConversationChange.safeParse(raw);
          if (c.success) await desk.inOrder(c.data.result.convId, () => conversationChange(desk, c.data, sentTs).catch(endedIsDone));
          else skipped(desk, n.type, c.error.issues);
        }
      }
      return { status: 200, body: {} };
    },
  };
}

const header = (req: WebhookRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === 'string' ? v.trim() : undefined;
};

/** `sha1=<base64|hex>` or `sha256=<base64|hex>` of the raw body under one of the client secrets. */
function signedByApp(req: WebhookRequest, secrets: readonly string[]): boolean {
  const sig = header(req, 'x-liveperson-signature');
  if (!sig || !Buffer.isBuffer(req.rawBody)) return false;
  // Not split('='): base64 padding holds `=` too.
  const i = sig.indexOf('=');
  const alg = sig.slice(0, i).toLowerCase();
  const given = sig.slice(i + 1);
  if ((alg !== 'sha1' && alg !== 'sha256') || given.length === 0 || given.length > 100) return false;
  let ok = false;
  for (const secret of secrets) {
    if (!secret) continue;
    const digest = createHmac(alg, secret).update(req.rawBody).digest();
    for (const candidate of [digest.toString('base64'), digest.toString('hex')]) {
      const a = Buffer.from(candidate);
      const b = Buffer.from(given);
      if (a.length === b.length && timingSafeEqual(a, b)) ok = true;
    }
  }
  return ok;
}

function skipped(desk: LivePersonDesk, type: string, issues: { path: PropertyKey[] }[]): void {
  desk.log.warn({ desk: desk.id, type, issues: issues.slice(0, 3).map((i) => i.path.join('.')) }, 'a LivePerson change Parley cannot read (skipped)');
}

const agentOf = (c: { originatorId?: string | undefined; originatorMetadata?: { id?: string | undefined } | undefined }): VendorAgent => ({ id: c.originatorMetadata?.id ?? c.originatorId ?? 'unknown', name: 'LivePerson agent' });

async function messaging(desk: LivePersonDesk, c: MessagingChange): Promise<void> {
  const role = c.originatorMetadata?.role ?? '';
  if (role === 'CONSUMER') return; // our own publish, echoed
  const conversation = await desk.conversationOf(c.conversationId ?? c.dialogId);
  // Unknown, or ended (LivePerson's agent still writing after the close): acknowledged and dropped, as a
  // non-2xx would only make LivePerson redeliver it, and everything after it, for days.
  if (!conversation || conversation.phase === 'ended') return;
  const reports = desk.reports;
  const e = c.event;
  const current = await reports.currentAgent(conversation.id);
  const agent = current && current.id === (c.originatorMetadata?.id ?? c.originatorId) ? current : agentOf(c);
  switch (e.type) {
    case 'ContentEvent':
    case 'RichContentEvent': {
      if (c.messageAudience !== undefined && c.messageAudience !== 'ALL') return; // an agents-only note
      if (c.sequence === undefined) return;
      const survey = c.dialogId !== (c.conversationId ?? c.dialogId);
      if (survey && desk.settings.survey === 'skip') return;
      const key = `${c.dialogId}:${c.sequence}`;
      if (await reports.find(REF.message, key)) return; // LivePerson redelivering
      const parts = await partsOf(desk, conversation, c);
      if (parts.length === 0) return;
      const r = await reports.message({ conversationId: conversation.id, messageId: key, agent, role: BOT_ROLES.has(role) || survey ? 'bot' : 'agent', parts });
      const stored = r.events.find((x) => x.kind === 'message');
      if (stored) await reports.link(REF.message, key, stored.id);
      return;
    }
    case 'ChatStateEvent':
      if (!AGENT_ROLES.has(role) && !BOT_ROLES.has(role)) return;
      await reports.typing({ conversationId: conversation.id, agent, typing: e.chatState === 'COMPOSING' });
      return;
    case 'AcceptStatusEvent': {
      const status = e.status === 'READ' ? 'read' : e.status === 'ACCEPT' ? 'delivered' : undefined;
      if (!status) return;
      // The newest of the customer's messages it names is enough: receipts count through an event.
      let eventId: string | undefined;
      let newest = -1;
      for (const seq of e.sequenceList ?? []) {
        const id = await reports.find(REF.message, `${c.dialogId}:${seq}`);
        if (id && seq > newest) [eventId, newest] = [id, seq];
      }
      if (eventId) await reports.receipt({ eventId, status }).catch(notOurs);
      return;
    }
  }
}

/** A content event's parts: text, a hosted file (fetched now), or structured content. */
async function partsOf(desk: LivePersonDesk, conversation: Conversation, c: MessagingChange): Promise<Part[]> {
  const e = c.event;
  if (e.type === 'RichContentEvent') return richToParts(e.content, e.quickReplies);
  if (e.contentType === 'hosted/file') {
    const file = HostedFile.safeParse(e.message);
    if (!file.success) return [];
    return [await desk.fetchFile(conversation, file.data)];
  }
  if (typeof e.message === 'string' && e.message.trim()) return [{ type: 'text', text: e.message.slice(0, 10_000) }];
  return [];
}

async function conversationChange(desk: LivePersonDesk, change: ConversationChange, sentTs: number | undefined): Promise<void> {
  const { convId, conversationDetails: d } = change.result;
  const conversation = await desk.conversationOf(convId);
  if (!conversation || conversation.phase === 'ended') return;
  // Each of these carries the whole state: one older than the newest applied (a redelivery) is stale.
  if (sentTs !== undefined && !(await desk.reports.current(`cqm:${convId}`, sentTs))) return;
  const reports = desk.reports;
  const current = await reports.currentAgent(conversation.id);
  const assigned = (d.participants ?? []).filter((p) => p.role === 'ASSIGNED_AGENT').at(-1);
  const at = conversation.lastSeq;

  if (d.state === 'CLOSE') {
    await reports.ended({ conversationId: conversation.id, agent: current, reason: closedBy(d.closeReason), key: `close:${convId}` });
    return;
  }
  const survey = (d.dialogs ?? []).find((x) => x.dialogType === 'POST_SURVEY' && x.state === 'OPEN');
  if (survey) {
    await desk.linkSurvey(conversation, survey.dialogId);
    // LivePerson not reachable now: 503, its cue to redeliver (the survey is linked; closing it is retried).
    if (desk.settings.survey === 'skip') await desk.closeSurvey(conversation, convId, survey.dialogId).catch(retryLater);
    return;
  }
  if (assigned && assigned.id !== current?.id) {
    if (current) {
      await reports.transferStarted({ conversationId: conversation.id, from: current, to: { type: 'agent', id: assigned.id, name: 'LivePerson agent' }, key: `${convId}:${current.id}>${assigned.id}@${at}` });
      await reports.agentLeft({ conversationId: conversation.id, agent: current, reason: 'transfer', key: `${convId}:${current.id}@${at}` });
    }
    await reports.agentJoined({ conversationId: conversation.id, agent: { id: assigned.id, name: 'LivePerson agent' }, key: `${convId}:${assigned.id}@${at}` });
    return;
  }
  if (!assigned && current && d.state === 'OPEN') {
    // Back in a skill's queue: a transfer to that skill.
    const skill = d.skillId !== undefined ? String(d.skillId) : 'unknown';
    await reports.transferStarted({ conversationId: conversation.id, from: current, to: { type: 'queue', id: skill, name: `skill ${skill}` }, key: `${convId}:${current.id}>skill${skill}@${at}` });
    await reports.agentLeft({ conversationId: conversation.id, agent: current, reason: 'transfer', key: `${convId}:${current.id}@${at}` });
  }
}

const closedBy = (reason: string | undefined): string => {
  switch (reason) {
    case 'AGENT':
      return 'Closed by the LivePerson agent.';
    case 'CONSUMER':
      return 'Closed by the customer.';
    case 'SYSTEM':
      return 'Closed by LivePerson (auto close).';
    default:
      return reason ? `Closed at LivePerson (${reason.slice(0, 100)}).` : 'Closed at LivePerson.';
  }
};

/** The conversation ended meanwhile (a CLOSE handled first): nothing left to report on it. */
function endedIsDone(e: unknown): undefined {
  if (e instanceof ParleyError && e.code === 'PARLEY_E_CONVERSATION_ENDED') return undefined;
  throw e;
}

/** A LivePerson call that may succeed later failed: the webhook answers 503, LivePerson's cue to redeliver. */
function retryLater(e: unknown): never {
  if (e instanceof ParleyError && e.retryable) throw new ParleyError('UNAVAILABLE', 'LivePerson could not be reached to close the survey: retry.', { retryAfterMs: 5_000 });
  throw e;
}

function notOurs(e: unknown): undefined {
  if (e instanceof ParleyError && e.code === 'PARLEY_E_CONVERSATION_NOT_FOUND') return undefined;
  throw e;
}
