// Webhooks as Meta posts them (vendor-protocols §5.2, §7; Messenger "Webhooks", WhatsApp "Webhooks"): POST JSON,
// `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app secret, raw body)>` and the legacy
// `X-Hub-Signature: sha1=<hex HMAC-SHA1>`. The body is written the way Meta writes it: non-ASCII characters
// as `\uXXXX` escapes and `/` as `\/`, so a receiver that re-serialises the parsed JSON before checking the
// signature fails, as it would against Meta. Delivered only to a verified subscription; retried by the kit's
// sender (the same bytes on every attempt).
import { createHmac, randomInt } from 'node:crypto';
import type { Kit } from '../kit/index.js';
import type { App, Store } from './state.js';

/** JSON with Meta's escaping: every character above U+007E as \uXXXX (UTF-16 units), and `/` as `\/`. */
export function metaJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/\//g, '\\/')
    .replace(/[\u007f-\uffff]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

export function signatureHeaders(appSecret: string, body: string): Record<string, string> {
  return {
    'x-hub-signature-256': 'sha256=' + createHmac('sha256', appSecret).update(body, 'utf8').digest('hex'),
    'x-hub-signature': 'sha1=' + createHmac('sha1', appSecret).update(body, 'utf8').digest('hex'),
  };
}

export interface Posted {
  body: string;
  key: string;
  /** The kit webhook log's key of the delivery, or null when the app has no verified subscription. */
  delivery: string | null;
}

export class Hooks {
  private seq = 0;
  constructor(
    private readonly store: Store,
    private readonly kit: Kit,
  ) {}

  /** Posts `payload` to the app's subscription (if any); `key` names it in the kit's webhook log. */
  post(app: App, key: string, payload: unknown): Posted {
    const body = metaJson(payload);
    return { body, key, delivery: this.postRaw(app, key, body) };
  }

  /** Posts these exact bytes again (signed with the current app secret). */
  postRaw(app: App, key: string, body: string): string | null {
    const url = this.store.subscriptions[app];
    if (!url) return null;
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'facebookexternalua',
      ...signatureHeaders(this.store.appSecret, body),
    };
    this.kit.webhooks.send({ key, url, body, headers });
    return key;
  }

  uniqueKey(prefix: string): string {
    return `${prefix}_${Date.now()}_${++this.seq}`;
  }
}

/**
 * Meta's GET handshake (§5.1): `GET <callback>?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`; the
 * callback is verified only by a 200 whose body is exactly the challenge.
 */
export async function verifyCallback(callbackUrl: string, verifyToken: string, timeoutMs: number): Promise<{ verified: boolean; status?: number; body?: string; error?: string }> {
  const challenge = String(randomInt(100_000_000, 2_000_000_000));
  let url: URL;
  try {
    url = new URL(callbackUrl);
  } catch {
    return { verified: false, error: 'callbackUrl is not a URL' };
  }
  url.searchParams.set('hub.mode', 'subscribe');
  url.searchParams.set('hub.verify_token', verifyToken);
  url.searchParams.set('hub.challenge', challenge);
  try {
    const res = await fetch(url, { headers: { 'user-agent': 'facebookplatform/1.0 (+http://developers.facebook.com)' }, signal: AbortSignal.timeout(timeoutMs) });
    const body = await res.text();
    if (res.status === 200 && body === challenge) return { verified: true };
    return { verified: false, status: res.status, body };
  } catch (err) {
    return { verified: false, error: err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err) };
  }
}
