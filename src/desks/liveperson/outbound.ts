import { ParleyError } from '../../core/errors.js';
import { vendorPath } from '../../vendor/path.js';
import type { VendorHttp } from '../../vendor/http-client.js';
import type { LivePersonAuth } from './auth.js';
import { FileUrl, isOk, LpAnswer, LpAnswers } from './payloads.js';

// Parley → LivePerson: the Connector API's CONVERSATION and SEND endpoints and hosted files (vendor-protocols
// §4.3–4.4), on behalf of one customer: every call carries the AppJWT (`Authorization`) and the customer's
// ConsumerJWS (`X-LP-ON-BEHALF`). LivePerson answers 401 when either has expired or been revoked: both are
// dropped and fetched again, and the call is made once more; a second 401 means the app's credentials are
// refused (final). 400 is final (LivePerson's reason kept); 429 and 5xx are retryable (VendorHttp, with
// LivePerson's guidance: 429 waits at least a second, 5xx back off). Sends are not idempotent at LivePerson
// (no request key): VendorHttp resends only what provably did not arrive.

const V3 = { v: '3' } as const;

/** A request of the SEND endpoint (`kind: "req"`). */
export interface LpRequest {
  type: string;
  body: Record<string, unknown>;
}

export class LivePersonApi {
  private next = 0;

  constructor(
    private readonly auth: LivePersonAuth,
    private readonly accountId: string,
    private readonly features: string[],
  ) {}

  /** Opens a conversation for the customer: their profile, then the request (skill or campaign); the conversation id. */
  async open(ext: string, profile: Record<string, unknown>, request: Record<string, unknown>, signal?: AbortSignal): Promise<string> {
    const answers = await this.call(ext, vendorPath`/api/account/${this.accountId}/messaging/consumer/conversation`, [this.req('userprofile.SetUserProfile', profile), this.req('cm.ConsumerRequestConversation', request)], 'openConversation', signal);
    const list = LpAnswers.safeParse(answers).data ?? [];
    const failed = list.find((a) => !isOk(a));
    if (failed || list.length < 2) throw refusal('openConversation', 200, failed ?? answers);
    const id = (list[1]!.body as { conversationId?: unknown } | undefined)?.conversationId;
    if (typeof id !== 'string' || !id) throw new ParleyError('DELIVERY_UNAVAILABLE', 'LivePerson opened no conversation id.', { details: { vendor: 'liveperson' } });
    return id;
  }

  /** One SEND request; what LivePerson answered in its body (a message's `sequence`, a file URL). */
  async send(ext: string, type: string, body: Record<string, unknown>, operation: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const answer = LpAnswer.safeParse(await this.call(ext, vendorPath`/api/account/${this.accountId}/messaging/consumer/conversation/send`, this.req(type, body), operation, signal)).data;
    if (!isOk(answer)) throw refusal(operation, 200, answer);
    return (answer!.body ?? {}) as Record<string, unknown>;
  }

  /** Publishes an event in a dialog; its sequence when it is a message. */
  async publish(ext: string, dialogId: string, conversationId: string, event: Record<string, unknown>, signal?: AbortSignal): Promise<number | undefined> {
    const body = await this.send(ext, 'ms.PublishEvent', { dialogId, conversationId, event }, `publish${String(event.type)}`, signal);
    return typeof body.sequence === 'number' ? body.sequence : undefined;
  }

  /** Where to put (or get) a file: the Swift path and its temporary signature. */
  async fileUrl(ext: string, kind: 'upload' | 'download', body: Record<string, unknown>, signal?: AbortSignal): Promise<{ relativePath: string; query: Record<string, string> }> {
    const answer = await this.send(ext, kind === 'upload' ? 'ms.GenerateURLForUploadFile' : 'ms.GenerateURLForDownloadFile', body, `${kind}Url`, signal);
    const u = FileUrl.safeParse(answer);
    if (!u.success) throw new ParleyError('DELIVERY_UNAVAILABLE', `LivePerson gave no ${kind} URL.`, { details: { vendor: 'liveperson' } });
    return { relativePath: u.data.relativePath, query: { temp_url_sig: u.data.queryParams.temp_url_sig, temp_url_expires: String(u.data.queryParams.temp_url_expires) } };
  }

  /** The Swift host's client (files are signed by their temporary URL, not the AppJWT). */
  swift(): Promise<VendorHttp> {
    return this.auth.client('swift', false);
  }

  private req(type: string, body: Record<string, unknown>): Record<string, unknown> {
    return { kind: 'req', id: String(++this.next), type, body };
  }

  /** A Connector API call on behalf of `ext`, with one fresh-token retry after a 401. */
  private async call(ext: string, path: string, json: unknown, operation: string, signal?: AbortSignal): Promise<unknown> {
    const client = await this.auth.client('asyncMessagingEnt');
    for (let attempt = 1; ; attempt++) {
      const jws = await this.auth.consumerJws(ext, signal);
      const appJwt = await this.auth.appJwt.header(signal);
      const res = await client.request({
        method: 'POST',
        path,
        query: V3,
        json,
        headers: { 'x-lp-on-behalf': jws, 'client-properties': JSON.stringify({ type: '.ClientProperties', features: this.features }) },
        // 401 is read here: the ConsumerJWS may be the stale one, which VendorHttp's own refresh would keep.
        accept: [400, 401, 403, 404],
        operation,
        ...(signal ? { signal } : {}),
      });
      if (res.status === 401 && attempt === 1) {
        this.auth.refused(ext, appJwt);
        continue;
      }
      if (res.status >= 300) throw refusal(operation, res.status, res.body);
      return res.body;
    }
  }
}

/** A final refusal with LivePerson's reason (its `code` and message) in details, worded for the agent's side. */
function refusal(operation: string, status: number, body: unknown): ParleyError {
  const b = (Array.isArray(body) ? body.find((x) => !isOk(LpAnswer.safeParse(x).data)) : body) as { code?: unknown; body?: unknown; message?: unknown } | undefined;
  const said = typeof b?.body === 'string' ? b.body : typeof (b?.body as { msg?: unknown } | undefined)?.msg === 'string' ? String((b!.body as { msg: string }).msg) : typeof b?.message === 'string' ? b.message : '';
  if (status === 401) return new ParleyError('DELIVERY_REJECTED', `LivePerson refused the app's credentials for ${operation} (401): check the clientId and clientSecret.`, { details: { vendor: 'liveperson', status } });
  return new ParleyError('DELIVERY_REJECTED', `LivePerson refused ${operation}${said ? `: ${said.slice(0, 300)}` : ''} (${status === 200 ? `code ${String(b?.code)}` : `HTTP ${status}`}).`, {
    details: { vendor: 'liveperson', status, ...(b?.code !== undefined ? { lpCode: String(b.code) } : {}) },
  });
}
