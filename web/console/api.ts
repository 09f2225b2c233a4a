import type { Delivery } from '../../sdk/src/index.js';

// The few hub calls the SDK has no method for yet (canned responses, one conversation's deliveries). Same
// origin as the console, the agent's token as a bearer, and errors shaped like the SDK's (code, message,
// status) so the screens handle both alike.

export interface CannedResponse {
  id: string;
  shortcut: string;
  text: string;
  createdAt: string;
}

export class HubError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

async function call<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch {
    throw new HubError('PARLEY_E_NETWORK', 'Parley cannot be reached.', 0);
  }
  const json = (await res.json().catch(() => undefined)) as { error?: { code: string; message: string } } | undefined;
  if (!res.ok) throw new HubError(json?.error?.code ?? 'PARLEY_E_INTERNAL', json?.error?.message ?? `HTTP ${res.status}`, res.status);
  return json as T;
}

export const cannedApi = {
  list: (token: string) => call<{ cannedResponses: CannedResponse[] }>(token, 'GET', '/v1/agent/canned-responses').then((r) => r.cannedResponses),
  create: (token: string, input: { shortcut: string; text: string }) =>
    call<{ cannedResponse: CannedResponse }>(token, 'POST', '/v1/admin/canned-responses', input).then((r) => r.cannedResponse),
  remove: (token: string, id: string) => call<unknown>(token, 'DELETE', `/v1/admin/canned-responses/${encodeURIComponent(id)}`),
};

/** Every delivery of one conversation's events (the inspector's status column). */
export function deliveriesOf(token: string, conversationId: string): Promise<Delivery[]> {
  const q = new URLSearchParams({ conversationId, limit: '500' });
  return call<{ deliveries: Delivery[] }>(token, 'GET', `/v1/admin/deliveries?${q}`).then((r) => r.deliveries);
}

/** One half of a vendor exchange, masked by the server (credentials always, PII under the route's policy). */
export interface VendorMessage {
  headers: Record<string, string>;
  body?: string;
  bytes: number;
  truncated?: true;
  omitted?: string;
}

/** A request Parley sent to a vendor (`out`) or a webhook a vendor sent (`in`), for the event inspector. */
export interface VendorRecord {
  id: string;
  direction: 'out' | 'in';
  at: string;
  adapter: string;
  operation?: string;
  method: string;
  url: string;
  attempt?: number;
  status?: number;
  failure?: 'network' | 'timeout' | 'aborted';
  error?: string;
  durationMs: number;
  request: VendorMessage;
  response?: VendorMessage;
}

/** One conversation's recent vendor traffic, newest first (admins only; in memory on the server). */
export function vendorTrafficOf(token: string, conversationId: string): Promise<VendorRecord[]> {
  return call<{ records: VendorRecord[] }>(token, 'GET', `/v1/admin/conversations/${encodeURIComponent(conversationId)}/vendor-traffic`).then((r) => r.records);
}
