import { PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { ParleyError } from '../../core/errors.js';
import { traceAwsClient } from '../../vendor/aws-traffic.js';
import { RateBudget } from '../../vendor/rate-budget.js';
import { parseRetryAfter } from '../../vendor/retry-after.js';
import type { AwsSmsSettings } from './settings.js';

// Every call to AWS End User Messaging SMS, through the official SDK client (SigV4, the default credential
// chain, regional endpoints). The SDK's own retries are off: SendTextMessage has no idempotency token, so a
// resend after a 500 or a timeout could text the customer twice, and the SDK would also ignore a
// Retry-After. Failures are classified as the vendor HTTP client (src/vendor/http-client.ts) classifies
// them, and the dispatcher does the retrying, with its backoff and the Retry-After as a floor:
// - throttling (ThrottlingException, 429), 5xx, network errors → DELIVERY_UNAVAILABLE (retryable);
// - our attempt timeout, 408, 504 → DELIVERY_TIMEOUT (retryable);
// - ExpiredTokenException → retryable (the credential chain fetches new ones on the next call);
// - every other 4xx (ValidationException, ConflictException for an opted-out number, ResourceNotFound,
//   AccessDenied, a refused signature) → DELIVERY_REJECTED, final, with AWS's type and reason in `details`
//   so the agent sees why the text could not go out.

export interface SentText {
  messageId: string;
}

interface AwsErrorLike {
  name?: string;
  message?: string;
  code?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
  Reason?: string;
}

const RETRYABLE_TYPES = new Set(['ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'ExpiredTokenException', 'InternalServerException', 'ServiceUnavailableException']);

export class SmsApi {
  readonly client: PinpointSMSVoiceV2Client;
  readonly budget: RateBudget;

  constructor(
    readonly name: string,
    private readonly settings: AwsSmsSettings,
  ) {
    const credentials =
      settings.accessKeyId && settings.secretAccessKey
        ? { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey, ...(settings.sessionToken ? { sessionToken: settings.sessionToken } : {}) }
        : undefined;
    this.client = new PinpointSMSVoiceV2Client({
      region: settings.region ?? 'us-east-1',
      ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      ...(credentials ? { credentials } : {}),
      maxAttempts: 1,
      requestHandler: { requestTimeout: settings.attemptTimeoutMs, connectionTimeout: Math.min(settings.attemptTimeoutMs, 3_000) },
    });
    // The event inspector's vendor traffic (src/vendor/aws-traffic.ts): every call, masked.
    traceAwsClient(this.client, name);
    this.budget = new RateBudget({ name, limit: settings.ratePerSecond, windowMs: 1_000 });
  }

  /** One SendTextMessage. `context` is logged with the delivery events (the Parley event id, for support). */
  async sendText(r: { to: string; body: string; context: Record<string, string>; signal: AbortSignal }): Promise<SentText> {
    await this.budget.acquire({ maxWaitMs: this.settings.attemptTimeoutMs, signal: r.signal });
    const timeout = AbortSignal.timeout(this.settings.attemptTimeoutMs);
    try {
      const out = await this.client.send(
        new SendTextMessageCommand({
          DestinationPhoneNumber: r.to,
          OriginationIdentity: this.settings.originationIdentity,
          MessageBody: r.body,
          MessageType: this.settings.messageType,
          ...(this.settings.configurationSetName ? { ConfigurationSetName: this.settings.configurationSetName } : {}),
          Context: r.context,
        }),
        { abortSignal: AbortSignal.any([r.signal, timeout]) },
      );
      if (!out.MessageId) throw new ParleyError('DELIVERY_UNAVAILABLE', 'AWS answered SendTextMessage without a MessageId.', { details: { vendor: this.name, operation: 'SendTextMessage' } });
      return { messageId: out.MessageId };
    } catch (e) {
      if (e instanceof ParleyError) throw e;
      throw this.classify(e, r.signal.aborted ? 'cancelled' : timeout.aborted ? 'timeout' : undefined);
    }
  }

  /** AWS's answer → the catalogue (see the top of this file). */
  classify(e: unknown, cause?: 'cancelled' | 'timeout'): ParleyError {
    const err = (e ?? {}) as AwsErrorLike;
    const details = { vendor: this.name, operation: 'SendTextMessage', type: err.name, status: err.$metadata?.httpStatusCode, ...(err.Reason ? { reason: err.Reason } : {}) };
    if (cause === 'cancelled') return new ParleyError('DELIVERY_TIMEOUT', `The delivery to ${this.name} was cancelled (SendTextMessage).`, { details: { ...details, reason: 'aborted' } });
    if (cause === 'timeout' || err.name === 'TimeoutError' || err.code === 'ETIMEDOUT') {
      return new ParleyError('DELIVERY_TIMEOUT', `AWS did not answer SendTextMessage within ${this.settings.attemptTimeoutMs} ms.`, { details: { ...details, reason: 'timeout' } });
    }
    const status = err.$metadata?.httpStatusCode;
    const retryAfterMs = parseRetryAfter(err.$response?.headers?.['retry-after']);
    const retry = retryAfterMs === undefined ? {} : { retryAfterMs };
    if (status === 408 || status === 504) return new ParleyError('DELIVERY_TIMEOUT', `AWS timed out on SendTextMessage (HTTP ${status}).`, { details, ...retry });
    // 501 and 505 say the server will never do this: final, as in the vendor HTTP client.
    const never = status === 501 || status === 505;
    if (status === 429 || (err.name !== undefined && RETRYABLE_TYPES.has(err.name)) || (!never && ((status !== undefined && status >= 500) || err.$fault === 'server'))) {
      if (retryAfterMs !== undefined && (status === 429 || status === 503 || err.name === 'ThrottlingException')) this.budget.pause(retryAfterMs);
      return new ParleyError('DELIVERY_UNAVAILABLE', `AWS refused SendTextMessage for now (${err.name ?? `HTTP ${status}`}).`, { details, ...retry });
    }
    if (status === undefined) {
      // No answer at all: a refused or reset connection, DNS. Retryable: nothing was sent, or the dispatcher's resend is the lesser evil.
      return new ParleyError('DELIVERY_UNAVAILABLE', `AWS could not be reached for SendTextMessage (${err.code ?? err.name ?? 'network error'}).`, { details });
    }
    const why = err.Reason ? `${err.name}: ${err.Reason}` : (err.name ?? `HTTP ${status}`);
    return new ParleyError('DELIVERY_REJECTED', `AWS refused the text (${why}): ${(err.message ?? '').slice(0, 300)}`, { details });
  }

  destroy(): void {
    this.client.destroy();
  }
}
