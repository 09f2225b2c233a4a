// The connect desk's pure pieces: splitting long texts, parts both ways, the payload schemas, the token
// sealer, the settings schema, and how AWS SDK errors map to the dispatcher's vocabulary.
import { describe, expect, it } from 'vitest';
import { classifyAws } from '../../../src/desks/connect/aws-call.js';
import { contentToParts, splitText, TEXT_LIMIT, toOutgoing } from '../../../src/desks/connect/parts.js';
import { receiptTarget, StreamItem, visibility } from '../../../src/desks/connect/payloads.js';
import { Sealer } from '../../../src/desks/connect/sealed.js';
import { ConnectSettings } from '../../../src/desks/connect/settings.js';

const base = { region: 'eu-west-2', instanceId: 'i-1', contactFlowId: 'f-1', topicArn: 'arn:aws:sns:eu-west-2:123456789012:connect-chat' };

describe('connect desk: parts', () => {
  it('splits long texts into pieces within the limit, in order, at spaces, never inside a surrogate pair', () => {
    expect(splitText('short')).toEqual(['short']);
    const words = Array.from({ length: 400 }, (_, i) => `w${i}`).join(' ');
    const pieces = splitText(words);
    expect(pieces.every((p) => p.length <= TEXT_LIMIT)).toBe(true);
    expect(pieces.join(' ')).toBe(words);
    const emoji = '😀'.repeat(600); // 1,200 UTF-16 units, no spaces
    const cut = splitText(emoji);
    expect(cut.every((p) => p.length <= TEXT_LIMIT && !/^[\uDC00-\uDFFF]/.test(p) && !/[\uD800-\uDBFF]$/.test(p))).toBe(true);
    expect(cut.join('')).toBe(emoji);
  });

  it('sends media apart with their captions as text; other parts as their text', () => {
    const out = toOutgoing([
      { type: 'text', text: 'Here' },
      { type: 'media', mediaId: 'md_1', caption: 'my receipt' },
      { type: 'location', latitude: 1, longitude: 2 } as any,
    ]);
    expect(out.media).toHaveLength(1);
    expect(out.texts).toHaveLength(1);
    expect(out.texts[0]).toContain('Here\nmy receipt');
  });

  it("reads an agent's content: text and markdown as text, interactive choices as quick replies, raw JSON not at all", () => {
    expect(contentToParts('text/markdown', '**hi**')).toEqual([{ type: 'text', text: '**hi**' }]);
    expect(contentToParts('application/json', '{"a":1}')).toEqual([]);
    const picker = JSON.stringify({ templateType: 'ListPicker', data: { content: { title: 'Pick one', elements: [{ title: 'Billing' }, { title: 'Orders' }] } } });
    expect(contentToParts('application/vnd.amazonaws.connect.message.interactive', picker)).toEqual([{ type: 'quick_replies', text: 'Pick one', replies: [{ title: 'Billing' }, { title: 'Orders' }] }]);
    expect(contentToParts('application/vnd.amazonaws.connect.message.interactive', '{nope')).toEqual([]);
  });
});

describe('connect desk: payloads', () => {
  it('takes stream items with fields AWS may add, and reads visibility and receipts', () => {
    const item = StreamItem.parse({ Id: 'x', Type: 'EVENT', ContentType: 'application/vnd.amazonaws.connect.event.chat.ended', InitialContactId: 'c', NewField: 1 });
    expect(item.InitialContactId).toBe('c');
    expect(visibility(undefined)).toBe('ALL');
    expect(visibility({ MessageVisibility: { Type: 'String', Value: 'AGENT' } })).toBe('AGENT');
    expect(receiptTarget('{"messageId":"m-1"}')).toBe('m-1');
    expect(receiptTarget('nope')).toBeUndefined();
  });
});

describe('connect desk: sealed tokens', () => {
  it('round-trips, is bound to its instance and key, and refuses tampering', () => {
    const a = new Sealer('k'.repeat(43), 'cc');
    const box = a.seal('participant-token');
    expect(box).not.toContain('participant-token');
    expect(a.open(box)).toBe('participant-token');
    expect(new Sealer('k'.repeat(43), 'other').open(box)).toBeUndefined();
    expect(new Sealer('z'.repeat(43), 'cc').open(box)).toBeUndefined();
    const raw = Buffer.from(box, 'base64url');
    raw[raw.length - 1]! ^= 1;
    expect(a.open(raw.toString('base64url'))).toBeUndefined();
    expect(JSON.stringify({ a })).not.toContain('k'.repeat(10));
  });
});

describe('connect desk: settings', () => {
  it('has defaults, and refuses FIFO topics, unknown keys and content types without text/plain', () => {
    const s = ConnectSettings.parse(base);
    expect(s).toMatchObject({ attemptTimeoutMs: 5000, totalTimeoutMs: 12000, supportedContentTypes: ['text/plain', 'text/markdown'], snsTrustedHosts: [] });
    expect(ConnectSettings.safeParse({ ...base, topicArn: `${base.topicArn}.fifo` }).success).toBe(false);
    expect(ConnectSettings.safeParse({ ...base, extra: 1 }).success).toBe(false);
    expect(ConnectSettings.safeParse({ ...base, supportedContentTypes: ['text/markdown'] }).success).toBe(false);
    expect(ConnectSettings.safeParse({ ...base, region: 'Europe' }).success).toBe(false);
  });
});

describe('connect desk: AWS errors', () => {
  const err = (name: string, status?: number, headers: Record<string, string> = {}) =>
    Object.assign(new Error(`${name} happened`), { name, ...(status ? { $metadata: { httpStatusCode: status }, $response: { headers } } : {}) });
  it('throttling, 5xx and network failures are retryable; 4xx are final and keep the AWS error name', () => {
    expect(classifyAws(err('ThrottlingException', 429, { 'retry-after': '2' }), 'connect:cc', 'SendMessage')).toMatchObject({ code: 'PARLEY_E_DELIVERY_UNAVAILABLE', retryable: true, retryAfterMs: 2000 });
    expect(classifyAws(err('InternalServerException', 500), 'v', 'op')).toMatchObject({ code: 'PARLEY_E_DELIVERY_UNAVAILABLE', retryable: true });
    expect(classifyAws(err('GatewayTimeout', 504), 'v', 'op')).toMatchObject({ code: 'PARLEY_E_DELIVERY_TIMEOUT', retryable: true });
    expect(classifyAws(err('TypeError'), 'v', 'op')).toMatchObject({ code: 'PARLEY_E_DELIVERY_UNAVAILABLE', retryable: true });
    expect(classifyAws(err('AccessDeniedException', 403), 'v', 'op')).toMatchObject({ code: 'PARLEY_E_DELIVERY_REJECTED', retryable: false, details: { awsError: 'AccessDeniedException' } });
    expect(classifyAws(err('ValidationException', 400), 'v', 'op')).toMatchObject({ code: 'PARLEY_E_DELIVERY_REJECTED', retryable: false });
  });
});
