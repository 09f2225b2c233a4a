// The aws-sms channel's pure parts: settings, SMS rendering and splitting, the payload schemas, delivery
// event mapping, and how AWS's errors are classified for the dispatcher.
import { describe, expect, it } from 'vitest';
import { SmsApi } from '../../../src/channels/aws-sms/outbound.js';
import { splitText, toSmsText } from '../../../src/channels/aws-sms/parts.js';
import { InboundText, receiptOf, TextEvent } from '../../../src/channels/aws-sms/payloads.js';
import { AwsSmsSettings } from '../../../src/channels/aws-sms/settings.js';

const base = { region: 'us-east-1', originationIdentity: '+12065550100', topicArn: 'arn:aws:sns:us-east-1:123456789012:parley-two-way' };

describe('settings', () => {
  it('takes the minimum, with defaults, and refuses unknown keys', () => {
    const s = AwsSmsSettings.parse(base);
    expect(s).toMatchObject({ messageType: 'TRANSACTIONAL', maxTextLength: 1600, snsTrustedHosts: [], attemptTimeoutMs: 5000 });
    expect(AwsSmsSettings.safeParse({ ...base, extra: 1 }).success).toBe(false);
  });

  it('needs a region or an endpoint, both keys or neither, an SNS topic ARN, hosts without schemes', () => {
    const { region: _r, ...noRegion } = base;
    expect(AwsSmsSettings.safeParse(noRegion).success).toBe(false);
    expect(AwsSmsSettings.safeParse({ ...noRegion, endpoint: 'http://127.0.0.1:9120' }).success).toBe(true);
    expect(AwsSmsSettings.safeParse({ ...base, accessKeyId: 'AKIAEXAMPLE000000000' }).success).toBe(false);
    expect(AwsSmsSettings.safeParse({ ...base, accessKeyId: 'AKIAEXAMPLE000000000', secretAccessKey: 'x' }).success).toBe(true);
    expect(AwsSmsSettings.safeParse({ ...base, topicArn: 'arn:aws:sqs:us-east-1:123456789012:q' }).success).toBe(false);
    expect(AwsSmsSettings.safeParse({ ...base, snsTrustedHosts: ['http://evil'] }).success).toBe(false);
    expect(AwsSmsSettings.safeParse({ ...base, snsTrustedHosts: ['127.0.0.1:9120'] }).success).toBe(true);
    expect(AwsSmsSettings.safeParse({ ...base, maxTextLength: 1601 }).success).toBe(false);
  });

  it('error messages name the key, never the value', () => {
    const r = AwsSmsSettings.safeParse({ ...base, topicArn: 'secret-looking-value' });
    expect(JSON.stringify(r.error?.issues)).not.toContain('secret-looking-value');
  });
});

describe('SMS text', () => {
  const url = (id: string) => `https://parley.example/v1/media/${id}?sig=x`;

  it('renders what SMS cannot carry as readable text', () => {
    expect(toSmsText([{ type: 'text', text: 'Hi' }, { type: 'media', mediaId: 'md1', mime: 'image/png', name: 'a.png', caption: 'Look' }], url)).toBe('Hi\nLook\nImage (a.png): https://parley.example/v1/media/md1?sig=x');
    expect(toSmsText([{ type: 'media', mediaId: 'md2', mime: 'application/pdf' }], url)).toBe('File: https://parley.example/v1/media/md2?sig=x');
    expect(toSmsText([{ type: 'location', lat: 1.5, lng: 2.5, name: 'Shop' }], url)).toBe('Shop: https://maps.google.com/?q=1.5,2.5');
    expect(toSmsText([{ type: 'quick_replies', replies: [{ title: 'Yes' }] }], url)).toBe('1. Yes\nReply with a number.');
  });

  it('splits at spaces within the limit, in order, losing nothing but the spaces cut at', () => {
    const text = Array.from({ length: 100 }, (_, i) => `w${i}`).join(' ');
    const pieces = splitText(text, 70, 20);
    expect(pieces.every((p) => p.length <= 70)).toBe(true);
    expect(pieces.join(' ')).toBe(text);
  });

  it('cuts a word with no space and never splits a surrogate pair', () => {
    expect(splitText('x'.repeat(150), 70, 5)).toEqual(['x'.repeat(70), 'x'.repeat(70), 'x'.repeat(10)]);
    const emoji = '😀'.repeat(40); // 80 code units
    const pieces = splitText(emoji, 71, 5);
    expect(pieces.join('')).toBe(emoji);
    for (const p of pieces) expect(p).not.toMatch(/[\ud800-\udbff]$/);
  });

  it('past the most pieces, says the rest was cut', () => {
    const pieces = splitText('y'.repeat(1000), 100, 3);
    expect(pieces).toHaveLength(3);
    expect(pieces[2]).toMatch(/\[…message cut\]$/);
    expect(pieces[2]!.length).toBeLessThanOrEqual(100);
  });
});

describe('payloads', () => {
  it('reads the documented two-way payload, with unknown fields, and refuses what is not one', () => {
    const p = { originationNumber: '+14255550182', destinationNumber: '+12125550101', messageKeyword: 'JOIN', messageBody: 'Where is my order?', inboundMessageId: 'cae173d2', previousPublishedMessageId: 'wJal', newField: 1 };
    expect(InboundText.parse(p).inboundMessageId).toBe('cae173d2');
    expect(InboundText.safeParse({ ...p, originationNumber: '4255550182' }).success).toBe(false);
    expect(InboundText.safeParse({ ...p, inboundMessageId: undefined }).success).toBe(false);
  });

  it('maps delivery events to receipts: delivered, final failures, nothing for in-flight ones', () => {
    const e = (eventType: string, isFinal = true) => TextEvent.parse({ eventType, isFinal, messageId: 'm1', eventVersion: '1.0' });
    expect(receiptOf(e('TEXT_DELIVERED'))).toBe('delivered');
    expect(receiptOf(e('TEXT_SUCCESSFUL'))).toBeUndefined();
    expect(receiptOf(e('TEXT_PENDING', false))).toBeUndefined();
    expect(receiptOf(e('TEXT_UNREACHABLE'))).toBe('failed');
    expect(receiptOf(e('TEXT_CARRIER_UNREACHABLE', false))).toBeUndefined();
    expect(receiptOf(e('TEXT_BLOCKED'))).toBe('failed');
    expect(TextEvent.safeParse({ eventType: 'VOICE_ANSWERED', messageId: 'm' }).success).toBe(false);
  });
});

describe('AWS errors → the catalogue', () => {
  const api = new SmsApi('aws-sms:t', AwsSmsSettings.parse({ ...base, accessKeyId: 'AKIAEXAMPLE000000000', secretAccessKey: 'x' }));
  const awsErr = (name: string, status: number, extra: Record<string, unknown> = {}) => Object.assign(new Error('m'), { name, $metadata: { httpStatusCode: status }, $fault: status >= 500 ? 'server' : 'client', ...extra });

  it('retries throttling (with Retry-After), 5xx and network errors; times out timeouts', () => {
    const throttled = api.classify(awsErr('ThrottlingException', 429, { $response: { headers: { 'retry-after': '2' } } }));
    expect(throttled).toMatchObject({ code: 'PARLEY_E_DELIVERY_UNAVAILABLE', retryable: true, retryAfterMs: 2000 });
    expect(api.budget.pausedForMs()).toBeGreaterThan(1000);
    expect(api.classify(awsErr('ThrottlingException', 400))).toMatchObject({ code: 'PARLEY_E_DELIVERY_UNAVAILABLE', retryable: true });
    expect(api.classify(awsErr('InternalServerException', 500))).toMatchObject({ code: 'PARLEY_E_DELIVERY_UNAVAILABLE', retryable: true });
    expect(api.classify(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toMatchObject({ code: 'PARLEY_E_DELIVERY_UNAVAILABLE', retryable: true });
    expect(api.classify(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toMatchObject({ code: 'PARLEY_E_DELIVERY_TIMEOUT', retryable: true });
    expect(api.classify(new Error('aborted'), 'cancelled')).toMatchObject({ code: 'PARLEY_E_DELIVERY_TIMEOUT' });
    expect(api.classify(awsErr('ExpiredTokenException', 400))).toMatchObject({ retryable: true });
  });

  it('refuses for good what AWS will never take, saying why', () => {
    const optedOut = api.classify(awsErr('ConflictException', 400, { Reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT' }));
    expect(optedOut).toMatchObject({ code: 'PARLEY_E_DELIVERY_REJECTED', retryable: false, details: { type: 'ConflictException', reason: 'DESTINATION_PHONE_NUMBER_OPTED_OUT' } });
    expect(optedOut.message).toContain('DESTINATION_PHONE_NUMBER_OPTED_OUT');
    for (const [name, status] of [['ValidationException', 400], ['AccessDeniedException', 400], ['ResourceNotFoundException', 400], ['InvalidSignatureException', 403], ['NotImplemented', 501]] as const) {
      expect(api.classify(awsErr(name, status)), name).toMatchObject({ code: 'PARLEY_E_DELIVERY_REJECTED', retryable: false });
    }
  });
});
