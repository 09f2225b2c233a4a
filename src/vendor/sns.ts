import { createVerify, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { ParleyError } from '../core/errors.js';

// Amazon SNS HTTP(S) endpoint verification, shared by every adapter that receives SNS deliveries (the Connect
// desk's chat stream, the aws-sms channel's inbound texts). Written from AWS's "Verifying the signatures of
// Amazon SNS messages" guide, not from npm `sns-validator` (which leaves Token out of the string to sign for
// UnsubscribeConfirmation and so rejects genuine ones).
//
// `verify` judges what an anonymous caller POSTed, so it answers a message or undefined and never throws. The
// checks run cheapest first, and the certificate is fetched only for a message that names an accepted topic
// and a trusted certificate URL, so a forger cannot make us fetch arbitrary URLs or fill the cache.

export interface SnsMessage {
  Type: 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: '1' | '2';
  Signature: string;
  SigningCertURL: string;
  Subject?: string;
  SubscribeURL?: string;
  Token?: string;
  UnsubscribeURL?: string;
}

export interface SnsOptions {
  /** The topic ARNs this endpoint accepts; anything else fails verification. */
  topicArns: string[];
  /** host[:port] values trusted besides AWS's own sns.<region>.amazonaws.com (and .amazonaws.com.cn) for SigningCertURL and SubscribeURL, over http or https: an emulator, for development only. */
  trustedHosts?: string[];
  /** Fetching a signing certificate or confirming a subscription (default 5000 ms). */
  timeoutMs?: number;
  /** For tests: the fetch used for certificates and SubscribeURL. */
  fetch?: typeof fetch;
}

/** AWS's SNS hosts, as AWS's own validators match them. */
const AWS_SNS_HOST = /^sns\.[a-zA-Z0-9-]{3,}\.amazonaws\.com(\.cn)?$/;
/** Strict base64 (an RSA-2048 signature is 344 characters); Buffer.from would silently skip bad characters. */
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
/** Certificates kept; AWS rotates rarely, so a handful per region is plenty and a bound caps memory. */
const CERT_CACHE_MAX = 32;
/** A PEM certificate is a few KB; refuse anything that is clearly not one. */
const CERT_MAX_BYTES = 64 * 1024;

const str = z.string().min(1);
const Common = {
  MessageId: str,
  TopicArn: str,
  Message: z.string(),
  Timestamp: str,
  SignatureVersion: z.enum(['1', '2']),
  Signature: str.max(4096),
  SigningCertURL: str.max(2048),
  UnsubscribeURL: z.string().optional(),
};
const Envelope = z.discriminatedUnion('Type', [
  // A notification published without a subject may carry "Subject": null; it is then not part of the string to sign.
  z.object({ Type: z.literal('Notification'), Subject: z.string().nullish(), ...Common }),
  z.object({ Type: z.literal('SubscriptionConfirmation'), SubscribeURL: str, Token: str, ...Common }),
  z.object({ Type: z.literal('UnsubscribeConfirmation'), SubscribeURL: str, Token: str, ...Common }),
]);

/** The string AWS signs: `Key\nValue\n` for each present key, in AWS's documented order per Type. */
export function snsStringToSign(m: SnsMessage): string {
  const keys: (keyof SnsMessage)[] =
    m.Type === 'Notification'
      ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type']
      : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  return keys
    .filter((k) => m[k] !== undefined)
    .map((k) => `${k}\n${m[k]}\n`)
    .join('');
}

export class SnsVerifier {
  private readonly topics: ReadonlySet<string>;
  private readonly trusted: ReadonlySet<string>;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;
  /** URL → certificate (or the fetch in flight, shared by concurrent callers). Insertion order = age. */
  private readonly certs = new Map<string, Promise<X509Certificate | undefined>>();

  constructor(opts: SnsOptions) {
    this.topics = new Set(opts.topicArns);
    this.trusted = new Set((opts.trustedHosts ?? []).map((h) => h.toLowerCase()));
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    this.fetchFn = opts.fetch ?? fetch;
  }

  /** The verified message, or undefined (never throws). */
  async verify(raw: Buffer | string): Promise<SnsMessage | undefined> {
    try {
      const m = parse(raw);
      if (!m || !this.topics.has(m.TopicArn)) return undefined;
      const certUrl = this.trustedUrl(m.SigningCertURL);
      // The path, not the whole URL, must end in .pem: `…/x?y=.pem` is not a certificate.
      if (!certUrl || !certUrl.pathname.endsWith('.pem')) return undefined;
      if (!BASE64.test(m.Signature)) return undefined;
      const cert = await this.certificate(certUrl.href);
      if (!cert) return undefined;
      const algorithm = m.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256';
      const ok = createVerify(algorithm).update(snsStringToSign(m), 'utf8').verify(cert.publicKey, m.Signature, 'base64');
      return ok ? m : undefined;
    } catch {
      return undefined;
    }
  }

  /** Confirm a verified SubscriptionConfirmation by GETting its SubscribeURL. */
  async confirm(m: SnsMessage): Promise<void> {
    if (m.Type !== 'SubscriptionConfirmation' || !m.SubscribeURL) {
      throw new ParleyError('VALIDATION', 'Only a SubscriptionConfirmation can be confirmed.');
    }
    if (!this.topics.has(m.TopicArn)) throw new ParleyError('WEBHOOK_FORGED', 'The subscription is for a topic this endpoint does not accept.');
    const url = this.trustedUrl(m.SubscribeURL);
    if (!url) throw new ParleyError('WEBHOOK_FORGED', 'The SubscribeURL is not on an Amazon SNS host.');
    let res: Response;
    try {
      res = await this.fetchFn(url, { redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (cause) {
      const timeout = cause instanceof Error && cause.name === 'TimeoutError';
      throw new ParleyError(timeout ? 'DELIVERY_TIMEOUT' : 'DELIVERY_UNAVAILABLE', `Confirming the SNS subscription to ${m.TopicArn} failed.`, { cause, details: { vendor: 'sns', operation: 'confirmSubscription' } });
    }
    await res.body?.cancel().catch(() => undefined);
    if (res.ok) return;
    const retryable = res.status === 429 || res.status >= 500;
    throw new ParleyError(retryable ? 'DELIVERY_UNAVAILABLE' : 'DELIVERY_REJECTED', `Amazon SNS refused the subscription confirmation for ${m.TopicArn} (HTTP ${res.status}).`, {
      details: { vendor: 'sns', operation: 'confirmSubscription', status: res.status },
    });
  }

  /** The URL when it is https on an AWS SNS host, or http(s) on a configured trusted host; else undefined. */
  private trustedUrl(s: string): URL | undefined {
    let url: URL;
    try {
      url = new URL(s);
    } catch {
      return undefined;
    }
    if (url.username || url.password) return undefined;
    if (url.protocol === 'https:' && AWS_SNS_HOST.test(url.hostname) && url.port === '') return url;
    if ((url.protocol === 'https:' || url.protocol === 'http:') && this.trusted.has(url.host.toLowerCase())) return url;
    return undefined;
  }

  private certificate(url: string): Promise<X509Certificate | undefined> {
    const cached = this.certs.get(url);
    if (cached) return cached;
    const pending = this.fetchCertificate(url).then((cert) => {
      // A failed fetch is forgotten so the next genuine message tries again (AWS may have been slow).
      if (!cert) this.certs.delete(url);
      return cert;
    });
    this.certs.set(url, pending);
    while (this.certs.size > CERT_CACHE_MAX) {
      const oldest = this.certs.keys().next().value;
      if (oldest === undefined) break;
      this.certs.delete(oldest);
    }
    return pending;
  }

  private async fetchCertificate(url: string): Promise<X509Certificate | undefined> {
    try {
      // Redirects are not followed: the host check above would mean nothing if AWS's URL could send us elsewhere.
      const res = await this.fetchFn(url, { redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) });
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        return undefined;
      }
      const body = Buffer.from(await res.arrayBuffer());
      if (body.length > CERT_MAX_BYTES) return undefined;
      return new X509Certificate(body);
    } catch {
      return undefined;
    }
  }
}

function parse(raw: Buffer | string): SnsMessage | undefined {
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const obj = value as Record<string, unknown>;
  // The Lambda event spells it SigningCertUrl; accept either, never both disagreeing.
  if (obj.SigningCertURL === undefined && obj.SigningCertUrl !== undefined) obj.SigningCertURL = obj.SigningCertUrl;
  const parsed = Envelope.safeParse(obj);
  if (!parsed.success) return undefined;
  const { Subject, SubscribeURL, Token, UnsubscribeURL, ...rest } = parsed.data as z.infer<typeof Envelope> & { Subject?: string | null; SubscribeURL?: string; Token?: string };
  const m: SnsMessage = { ...rest };
  if (typeof Subject === 'string') m.Subject = Subject;
  if (SubscribeURL !== undefined) m.SubscribeURL = SubscribeURL;
  if (Token !== undefined) m.Token = Token;
  if (UnsubscribeURL !== undefined) m.UnsubscribeURL = UnsubscribeURL;
  return m;
}
