// An Amazon SNS topic with HTTP(S) subscribers, for emulators whose vendor publishes through SNS (Connect's chat
// streaming, End User Messaging SMS's two-way texts). Written from AWS's SNS developer guide: "HTTP/HTTPS
// notification JSON format", "HTTP/HTTPS subscription confirmation JSON format", "HTTP/HTTPS unsubscribe
// confirmation JSON format", "Verifying the signatures of Amazon SNS messages" and "Amazon SNS message delivery
// retries". Emulators import nothing from src/, so this signs on its own rather than sharing code with Parley's
// verifier: a mistake in one would otherwise be mirrored in the other and never show.
import { createSign, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { HttpError, type Ctx, type Reply, type Route } from './http.js';
import { WebhookSender, type Delivery, type RetryPolicy } from './webhooks.js';
import { selfSignedCertificate } from './x509.js';

type SnsType = 'Notification' | 'SubscriptionConfirmation' | 'UnsubscribeConfirmation';

export interface SnsTopicOptions {
  topicArn: string;
  /** The emulator's base URL: the certificate and the subscribe/unsubscribe URLs are served under it. A function when it is known only once the server listens. */
  baseUrl: string | (() => string);
  /** The topic's SignatureVersion attribute: 1 (SHA1withRSA, AWS's default) or 2 (SHA256withRSA). Default 2, as AWS recommends. */
  signatureVersion?: '1' | '2';
  /** AWS's default HTTP/S policy is 3 retries 20 s apart; tests scale it down. */
  retry?: { delaysMs?: number[]; timeoutMs?: number };
}

interface Subscription {
  arn: string;
  endpoint: string;
  token: string;
  confirmed: boolean;
}

/** AWS's default HTTP/S delivery policy: numRetries 3, min/maxDelayTarget 20 s, linear; SNS gives up on an endpoint after 15 s. */
const DEFAULT_DELAYS_MS = [20_000, 20_000, 20_000];
const DEFAULT_TIMEOUT_MS = 15_000;

const xml = (status: number, body: string): Reply => ({ status, body, contentType: 'text/xml' });
const requestId = (): string => randomUUID();

function xmlError(status: number, code: string, message: string): HttpError {
  return new HttpError(
    xml(status, `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId()}</RequestId></ErrorResponse>`),
  );
}

export class SnsTopic {
  readonly topicArn: string;
  readonly name: string;
  private readonly signatureVersion: '1' | '2';
  private readonly baseUrl: () => string;
  private readonly key: KeyObject;
  private readonly certPem: string;
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly sender: WebhookSender;
  /** Every notification body sent, by MessageId, so a test can have SNS deliver one again (as its retries do). */
  private readonly sent = new Map<string, string>();
  /** How often the certificate was fetched: receivers should cache it. */
  certFetches = 0;

  constructor(opts: SnsTopicOptions) {
    this.topicArn = opts.topicArn;
    this.name = opts.topicArn.split(':').pop() ?? 'topic';
    this.signatureVersion = opts.signatureVersion ?? '2';
    const base = opts.baseUrl;
    this.baseUrl = typeof base === 'string' ? () => base : base;
    const { privateKey, certPem } = selfSignedCertificate({ commonName: 'sns.amazonaws.com' });
    this.key = privateKey;
    this.certPem = certPem;
    const policy: RetryPolicy = {
      delaysMs: opts.retry?.delaysMs ?? DEFAULT_DELAYS_MS,
      timeoutMs: opts.retry?.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      // SNS retries an HTTP/S delivery on any failure: a status outside 2xx, a timeout, a refused connection.
      retryOn: () => true,
    };
    this.sender = new WebhookSender(() => policy);
  }

  /** Where the certificate, confirm and unsubscribe URLs live: `<baseUrl>/__sns/<topic name>`. */
  get prefix(): string {
    return `/__sns/${encodeURIComponent(this.name)}`;
  }

  get certUrl(): string {
    return `${this.root()}/cert.pem`;
  }

  /** Routes to add to the emulator's router. Internal: SNS's own endpoints are neither faulted nor logged as the vendor's API. */
  routes(): Route[] {
    return [
      {
        method: 'GET',
        path: `${this.prefix}/cert.pem`,
        internal: true,
        handler: () => {
          this.certFetches++;
          return { status: 200, body: this.certPem, contentType: 'application/x-x509-ca-cert' };
        },
      },
      { method: 'GET', path: `${this.prefix}/confirm`, internal: true, handler: (ctx) => this.confirmRoute(ctx) },
      { method: 'GET', path: `${this.prefix}/unsubscribe`, internal: true, handler: (ctx) => this.unsubscribeRoute(ctx) },
    ];
  }

  /** POST a signed SubscriptionConfirmation to endpoint; resolves when that POST has settled (delivered or given up). Confirmed when the endpoint GETs SubscribeURL. */
  async subscribe(endpoint: string): Promise<void> {
    const existing = [...this.subscriptions.values()].find((s) => s.endpoint === endpoint);
    const sub: Subscription = existing ?? { arn: `${this.topicArn}:${randomUUID()}`, endpoint, token: '', confirmed: false };
    // A new token each time, as SNS issues one per Subscribe call.
    sub.token = randomBytes(64).toString('hex');
    this.subscriptions.set(sub.arn, sub);
    await this.deliver(sub, 'SubscriptionConfirmation', {
      Message: `You have chosen to subscribe to the topic ${this.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
    });
  }

  /** POST a signed Notification to every confirmed subscription (retried per the delivery policy). Returns the MessageId. */
  publish(message: string, opts: { subject?: string; attributes?: Record<string, string> } = {}): Promise<string> {
    const messageId = randomUUID();
    for (const sub of this.subscriptions.values()) {
      if (!sub.confirmed) continue;
      const body = this.envelope('Notification', messageId, {
        ...(opts.subject === undefined ? {} : { Subject: opts.subject }),
        Message: message,
        UnsubscribeURL: this.unsubscribeUrl(sub),
        ...(opts.attributes ? { MessageAttributes: opts.attributes } : {}),
      });
      this.sent.set(`${sub.arn} ${messageId}`, body);
      this.post(sub, 'Notification', messageId, body);
    }
    return Promise.resolve(messageId);
  }

  /** Deliver a published message again, byte for byte, as an SNS retry after a lost acknowledgement does. */
  redeliver(messageId: string): void {
    for (const sub of this.subscriptions.values()) {
      const body = this.sent.get(`${sub.arn} ${messageId}`);
      if (body && sub.confirmed) this.post(sub, 'Notification', messageId, body);
    }
  }

  /** Endpoints whose subscription is confirmed. */
  confirmed(): string[] {
    return [...this.subscriptions.values()].filter((s) => s.confirmed).map((s) => s.endpoint);
  }

  /** Every POST made, newest last (for tests and the control API). */
  deliveries(): Delivery[] {
    return this.sender.list();
  }

  /** Resolves when nothing is being delivered or waiting for a retry. */
  idle(): Promise<void> {
    return this.sender.idle();
  }

  /** Forget subscriptions and deliveries (the emulator's reset). The key and certificate stay. */
  reset(): void {
    this.subscriptions.clear();
    this.sent.clear();
    this.sender.clear();
    this.certFetches = 0;
  }

  close(): void {
    this.sender.close();
  }

  /** Sign a string as this topic does: for tests that need a genuine signature over a forged message. */
  sign(stringToSign: string, version: '1' | '2' = this.signatureVersion): string {
    return createSign(version === '1' ? 'RSA-SHA1' : 'RSA-SHA256').update(stringToSign, 'utf8').sign(this.key, 'base64');
  }

  private root(): string {
    return `${this.baseUrl().replace(/\/+$/, '')}${this.prefix}`;
  }

  private subscribeUrl(sub: Subscription): string {
    const q = new URLSearchParams({ Action: 'ConfirmSubscription', TopicArn: this.topicArn, Token: sub.token });
    return `${this.root()}/confirm?${q}`;
  }

  private unsubscribeUrl(sub: Subscription): string {
    const q = new URLSearchParams({ Action: 'Unsubscribe', SubscriptionArn: sub.arn });
    return `${this.root()}/unsubscribe?${q}`;
  }

  private async deliver(sub: Subscription, type: Exclude<SnsType, 'Notification'>, fields: { Message: string }): Promise<void> {
    const messageId = randomUUID();
    const body = this.envelope(type, messageId, { Token: sub.token, Message: fields.Message, SubscribeURL: this.subscribeUrl(sub) });
    await new Promise<void>((resolve) => this.post(sub, type, messageId, body, () => resolve()));
  }

  private post(sub: Subscription, type: SnsType, messageId: string, body: string, onSettled?: () => void): void {
    const headers: Record<string, string> = {
      'content-type': 'text/plain; charset=UTF-8',
      'user-agent': 'Amazon Simple Notification Service Agent',
      'x-amz-sns-message-type': type,
      'x-amz-sns-message-id': messageId,
      'x-amz-sns-topic-arn': this.topicArn,
    };
    // Confirmations go to a subscription that does not exist yet; only notifications and unsubscribes name it.
    if (type !== 'SubscriptionConfirmation') headers['x-amz-sns-subscription-arn'] = sub.arn;
    this.sender.send({ key: messageId, url: sub.endpoint, headers, body, ...(onSettled ? { onSettled } : {}) });
  }

  /**
   * The JSON body, keys in AWS's order and AWS's layout (`"Key" : value`), signed over the documented
   * keys: Notification — Message, MessageId, Subject (when present), Timestamp, TopicArn, Type;
   * (Un)SubscriptionConfirmation — Message, MessageId, SubscribeURL, Timestamp, Token, TopicArn, Type.
   */
  private envelope(
    type: SnsType,
    messageId: string,
    f: { Message: string; Subject?: string; Token?: string; SubscribeURL?: string; UnsubscribeURL?: string; MessageAttributes?: Record<string, string> },
  ): string {
    const timestamp = new Date().toISOString();
    const signed: [string, string | undefined][] =
      type === 'Notification'
        ? [['Message', f.Message], ['MessageId', messageId], ['Subject', f.Subject], ['Timestamp', timestamp], ['TopicArn', this.topicArn], ['Type', type]]
        : [['Message', f.Message], ['MessageId', messageId], ['SubscribeURL', f.SubscribeURL], ['Timestamp', timestamp], ['Token', f.Token], ['TopicArn', this.topicArn], ['Type', type]];
    const stringToSign = signed
      .filter((e): e is [string, string] => e[1] !== undefined)
      .map(([k, v]) => `${k}\n${v}\n`)
      .join('');
    const signature = this.sign(stringToSign);
    const ordered: [string, string | undefined][] =
      type === 'Notification'
        ? [['Type', type], ['MessageId', messageId], ['TopicArn', this.topicArn], ['Subject', f.Subject], ['Message', f.Message], ['Timestamp', timestamp]]
        : [['Type', type], ['MessageId', messageId], ['Token', f.Token], ['TopicArn', this.topicArn], ['Message', f.Message], ['SubscribeURL', f.SubscribeURL], ['Timestamp', timestamp]];
    ordered.push(['SignatureVersion', this.signatureVersion], ['Signature', signature], ['SigningCertURL', this.certUrl]);
    if (type === 'Notification') ordered.push(['UnsubscribeURL', f.UnsubscribeURL]);
    const lines = ordered.filter((e) => e[1] !== undefined).map(([k, v]) => `  ${JSON.stringify(k)} : ${JSON.stringify(v)}`);
    // Message attributes (String type only here) follow the signed keys; SNS does not sign them.
    if (f.MessageAttributes) {
      const attrs = Object.fromEntries(Object.entries(f.MessageAttributes).map(([k, v]) => [k, { Type: 'String', Value: v }]));
      lines.push(`  "MessageAttributes" : ${JSON.stringify(attrs)}`);
    }
    return `{\n${lines.join(',\n')}\n}`;
  }

  private confirmRoute(ctx: Ctx): Reply {
    const token = ctx.query.get('Token') ?? '';
    const topic = ctx.query.get('TopicArn');
    if (topic !== null && topic !== this.topicArn) throw xmlError(404, 'NotFound', 'Topic does not exist');
    const sub = [...this.subscriptions.values()].find((s) => s.token !== '' && s.token === token);
    if (!sub) throw xmlError(400, 'InvalidParameter', 'Invalid parameter: Token');
    sub.confirmed = true;
    return xml(
      200,
      `<ConfirmSubscriptionResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ConfirmSubscriptionResult><SubscriptionArn>${sub.arn}</SubscriptionArn></ConfirmSubscriptionResult><ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata></ConfirmSubscriptionResponse>`,
    );
  }

  private unsubscribeRoute(ctx: Ctx): Reply {
    const sub = this.subscriptions.get(ctx.query.get('SubscriptionArn') ?? '');
    if (!sub) throw xmlError(404, 'NotFound', 'Subscription does not exist');
    sub.confirmed = false;
    sub.token = randomBytes(64).toString('hex');
    // SNS tells the endpoint, with a SubscribeURL that would subscribe it again.
    void this.deliver(sub, 'UnsubscribeConfirmation', {
      Message: `You have chosen to deactivate subscription ${sub.arn}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`,
    });
    return xml(200, `<UnsubscribeResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><ResponseMetadata><RequestId>${requestId()}</RequestId></ResponseMetadata></UnsubscribeResponse>`);
  }
}
