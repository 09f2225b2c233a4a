import { timingSafeEqual } from 'node:crypto';
import type { z } from 'zod';
import { ParleyError } from '../core/errors.js';
import type { Webhook, WebhookReply, WebhookRequest } from '../switchboard/webhooks.js';
import { appSecrets } from './meta-settings.js';
import { verifyHmacSha256Hex } from './signature.js';

// Meta's webhook rules, shared by the Messenger and WhatsApp channels (vendor-protocols §5.1, §5.2, §7):
//
// - The GET handshake Meta makes when the callback URL is saved in the app dashboard:
//   `?hub.mode=subscribe&hub.verify_token=<token>&hub.challenge=<random>` answered 200 with the challenge as
//   the whole body, only when the token is ours. Anything else is 403 (WEBHOOK_FORGED), never the 200 the
//   AWS sample gave to a wrong token, and never a 500 for a missing query.
// - Every POST carries `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(App Secret, raw body)>`, checked over
//   the bytes as received (Meta escapes non-ASCII as \uXXXX: re-serialised JSON would not match) before
//   anything is parsed. The legacy SHA-1 `X-Hub-Signature` is not accepted on its own.

/** The challenge is echoed into a response body: only characters Meta uses (it sends digits), bounded. */
const CHALLENGE = /^[A-Za-z0-9._-]{1,200}$/;

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const one = (v: string | string[] | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/** GET /webhooks/<type>/<instance>: Meta's subscription handshake. */
export function metaHandshake(verifyToken: string): Webhook {
  return {
    method: 'GET',
    rejectStatus: 403,
    verify: (req: WebhookRequest) => {
      const q = req.query as Record<string, string | string[] | undefined>;
      const token = one(q['hub.verify_token']);
      const challenge = one(q['hub.challenge']);
      return one(q['hub.mode']) === 'subscribe' && token !== undefined && sameText(token, verifyToken) && challenge !== undefined && CHALLENGE.test(challenge);
    },
    handle: async (req) => ({ status: 200, body: String(req.query['hub.challenge']), contentType: 'text/plain; charset=utf-8' }),
  };
}

/** Whether a POST is signed by one of the app's secrets. */
export const metaSigned = (secrets: readonly string[], req: WebhookRequest): boolean => verifyHmacSha256Hex(secrets, req.rawBody, req.headers['x-hub-signature-256']);

/** What Meta's POST is answered with once processed: Meta wants a 200 within seconds and retries anything else. */
const RECEIVED: WebhookReply = { status: 200, body: 'EVENT_RECEIVED', contentType: 'text/plain; charset=utf-8' };

/**
 * A Meta channel's two webhooks at /webhooks/<type>/<instance>: the GET handshake, and the signed POST whose
 * body `schema` reads (a 422 naming what did not match, nothing stored); a body for another product
 * (`object`) is answered and ignored; `handle` gets the rest.
 */
export function metaWebhooks<S extends z.ZodType<{ object: string }>>(o: {
  settings: { verifyToken: string; appSecret: string | string[] };
  product: string;
  object: string;
  schema: S;
  handle(body: z.output<S>): Promise<void>;
}): Webhook[] {
  const secrets = appSecrets(o.settings);
  return [
    metaHandshake(o.settings.verifyToken),
    {
      method: 'POST',
      verify: (req) => metaSigned(secrets, req),
      async handle(req) {
        const parsed = o.schema.safeParse(req.json());
        if (!parsed.success) throw new ParleyError('VALIDATION', `Not a ${o.product} webhook.`, { details: { issues: parsed.error.issues.slice(0, 5).map((i) => ({ path: i.path.join('.'), message: i.message })) } });
        if ((parsed.data as { object: string }).object === o.object) await o.handle(parsed.data);
        return RECEIVED;
      },
    },
  ];
}
