// How Twilio signs its requests to your webhooks (twilio.com/docs/usage/security, "Validating signatures
// from Twilio"): X-Twilio-Signature = Base64(HMAC-SHA1(Auth Token, the full URL Twilio requested + each
// POST parameter's name and value, names sorted alphabetically)). Written from the docs; the official
// helper's validateRequest is the judge in test/emulators/twilio.test.ts.
import { createHmac } from 'node:crypto';

export function signTwilio(authToken: string, url: string, params: URLSearchParams): string {
  const byName = new Map<string, string[]>();
  for (const [k, v] of params) byName.set(k, [...(byName.get(k) ?? []), v]);
  let data = url;
  for (const name of [...byName.keys()].sort()) {
    for (const v of [...new Set(byName.get(name))].sort()) data += name + v;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}
