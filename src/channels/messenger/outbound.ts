import { ParleyError } from '../../core/errors.js';
import { GRAPH_REFUSALS, graphFailure, type GraphError } from '../../vendor/meta-graph.js';
import type { VendorHttp } from '../../vendor/http-client.js';
import { vendorPath } from '../../vendor/path.js';
import type { MessengerMessage } from './parts.js';
import { Profile, SendAnswer } from './payloads.js';

// Parley → Messenger: the Send API (POST /{version}/me/messages; vendor-protocols §5.4) and the User
// Profile API, through the instance's Graph client (meta-graph.ts). Sends are not idempotent at Meta (no
// key), so VendorHttp resends only what provably did not arrive; the channel keys each part of an agent
// message so the outbox's resend skips parts Meta already took.

/** Messenger's refusals that mean this reply can never go, worded for the agent (Messenger Platform error codes). */
function explain(e: GraphError): string | { code: 'REPLY_WINDOW_CLOSED'; message: string } | undefined {
  if (e.code === 10 && e.error_subcode === 2018278) return { code: 'REPLY_WINDOW_CLOSED', message: 'Messenger refused the reply: the customer last wrote more than 24 hours ago (Messenger 10/2018278), and no HUMAN_AGENT tag can carry it.' };
  if (e.code === 551) return 'This person is not available on Messenger right now (Messenger 551): they may have blocked the Page or deleted their account.';
  if (e.code === 100 && e.error_subcode === 2018001) return 'Messenger knows no such customer for this Page (100/2018001).';
  if (e.code === 100 && e.error_subcode === 2018047) return 'Messenger could not fetch the attached file from Parley (100/2018047): is PARLEY_PUBLIC_URL reachable from the internet?';
  if (e.code === 10 && e.error_subcode === 2018065) return 'This Page may not use the HUMAN_AGENT tag (10/2018065): ask Meta for the Human Agent feature, or set humanAgentTag to false.';
  if (e.code === 200) return 'The app is not allowed to message this customer (Messenger 200): check the pages_messaging permission and, in development mode, that the customer has a role on the app.';
  return undefined;
}

export const messengerRefusal = (status: number, body: unknown): ParleyError => graphFailure('Messenger', status, body, explain);

export type MessagingType = { messaging_type: 'RESPONSE' } | { messaging_type: 'MESSAGE_TAG'; tag: 'HUMAN_AGENT' };

export class MessengerApi {
  constructor(
    private readonly http: VendorHttp,
    private readonly proof: string,
  ) {}

  /** Sends one message to a customer (PSID); Messenger's message id. */
  async send(psid: string, message: MessengerMessage, type: MessagingType, signal?: AbortSignal): Promise<string> {
    const res = await this.http.request({
      method: 'POST',
      path: '/me/messages',
      query: { appsecret_proof: this.proof },
      json: { recipient: { id: psid }, ...type, message },
      accept: GRAPH_REFUSALS,
      operation: 'sendMessage',
      ...(signal ? { signal } : {}),
    });
    const ok = res.status >= 200 && res.status < 300 ? SendAnswer.safeParse(res.body).data : undefined;
    if (ok?.message_id) return ok.message_id;
    if (ok) throw new ParleyError('DELIVERY_UNAVAILABLE', 'Messenger answered without a message id.', { details: { vendor: 'messenger', status: res.status } });
    throw messengerRefusal(res.status, res.body);
  }

  /** typing_on, typing_off or mark_seen: sent alone, as Meta requires. */
  async senderAction(psid: string, action: 'typing_on' | 'typing_off' | 'mark_seen', signal?: AbortSignal): Promise<void> {
    const res = await this.http.request({
      method: 'POST',
      path: '/me/messages',
      query: { appsecret_proof: this.proof },
      json: { recipient: { id: psid }, sender_action: action },
      accept: GRAPH_REFUSALS,
      operation: 'senderAction',
      // Idempotent by nature: showing typing or seen twice is the same as once.
      idempotent: true,
      ...(signal ? { signal } : {}),
    });
    if (res.status >= 300) throw messengerRefusal(res.status, res.body);
  }

  /** The customer's name from the User Profile API, if Meta gives it. */
  async name(psid: string): Promise<string | undefined> {
    const res = await this.http.request({ path: vendorPath`/${psid}`, query: { fields: 'first_name,last_name', appsecret_proof: this.proof }, accept: GRAPH_REFUSALS, operation: 'userProfile', totalTimeoutMs: 3_000 });
    const p = res.status === 200 ? Profile.safeParse(res.body).data : undefined;
    const name = p?.name ?? [p?.first_name, p?.last_name].filter(Boolean).join(' ');
    return name ? name.slice(0, 200) : undefined;
  }
}
