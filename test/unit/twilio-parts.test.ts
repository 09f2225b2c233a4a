import { describe, expect, it } from 'vitest';
import { twilioBasic } from '../../src/channels/twilio-sms/auth.js';
import { refused } from '../../src/channels/twilio-sms/outbound.js';
import { isE164, keywordOf, splitText, toSms } from '../../src/channels/twilio-sms/parts.js';
import { IncomingMessage, StatusCallback } from '../../src/channels/twilio-sms/payloads.js';
import { TwilioSmsSettings } from '../../src/channels/twilio-sms/settings.js';

// The twilio-sms channel's pure pieces: parts → texts (splitting, degrading what SMS cannot carry), the
// opt-out keywords, the payload schemas (unknown parameters kept), Twilio's refusals worded for the
// agent, and the settings schema.

const AC = `AC${'0123456789abcdef'.repeat(2)}`;
const base = { accountSid: AC, authToken: 'a-long-auth-token', from: '+15005550006' };

describe('splitText', () => {
  it('keeps a short text whole and splits a long one at word breaks, in order, each within the limit', () => {
    expect(splitText('hello', 160)).toEqual(['hello']);
    const words = Array.from({ length: 200 }, (_, i) => `w${i}`).join(' ');
    const pieces = splitText(words, 160);
    expect(pieces.length).toBeGreaterThan(4);
    for (const p of pieces) expect(p.length).toBeLessThanOrEqual(160);
    expect(pieces.join(' ')).toBe(words);
  });

  it('prefers a newline, cuts hard when there is no break, and counts code points (emoji are one)', () => {
    expect(splitText(`${'a'.repeat(120)}\n${'b'.repeat(30)} ${'c'.repeat(30)}`, 160)).toEqual(['a'.repeat(120), `${'b'.repeat(30)} ${'c'.repeat(30)}`]);
    expect(splitText('x'.repeat(350), 160)).toEqual(['x'.repeat(160), 'x'.repeat(160), 'x'.repeat(30)]);
    const emoji = '😀'.repeat(100);
    expect(splitText(emoji, 70).map((p) => [...p].length)).toEqual([70, 30]);
  });
});

describe('toSms', () => {
  const media = { type: 'media' as const, mediaId: 'md_1', mime: 'image/png', name: 'receipt.png' };

  it('degrades quick replies, buttons, QR codes and locations to readable text', () => {
    const out = toSms(
      [
        { type: 'quick_replies', text: 'Pick one', replies: [{ title: 'Yes' }, { title: 'No' }] },
        { type: 'buttons', buttons: [{ title: 'Docs', url: 'https://docs.example' }] },
        { type: 'qr', content: 'TICKET-1' },
        { type: 'location', lat: 1.5, lng: 2.5, name: 'Shop' },
      ],
      { mms: true, limit: 1600 },
    );
    expect(out).toEqual([{ body: 'Pick one\n1. Yes\n2. No\nDocs: https://docs.example\n[QR code: TICKET-1]\n[location: Shop 1.5,2.5]', mediaIds: [] }]);
  });

  it('sends files as MMS with the text, or — without MMS — names them in the text', () => {
    expect(toSms([{ type: 'text', text: 'Here it is' }, { ...media, caption: 'paid' }], { mms: true, limit: 1600 })).toEqual([{ body: 'Here it is\npaid', mediaIds: ['md_1'] }]);
    expect(toSms([media], { mms: true, limit: 1600 })).toEqual([{ body: '', mediaIds: ['md_1'] }]);
    expect(toSms([{ type: 'text', text: 'Here it is' }, media], { mms: false, limit: 1600 })).toEqual([{ body: 'Here it is\n[image: receipt.png]', mediaIds: [] }]);
    const eleven = Array.from({ length: 11 }, (_, i) => ({ ...media, mediaId: `md_${i}` }));
    expect(toSms(eleven, { mms: true, limit: 1600 }).map((o) => o.mediaIds.length)).toEqual([10, 1]);
  });

  it('splits a long text after the media send; nothing to send gives nothing', () => {
    const out = toSms([media, { type: 'text', text: 'y'.repeat(300) }], { mms: true, limit: 160 });
    expect(out.map((o) => [o.body.length, o.mediaIds.length])).toEqual([
      [160, 1],
      [140, 0],
    ]);
    expect(toSms([{ type: 'text', text: '   ' }], { mms: true, limit: 160 })).toEqual([]);
  });
});

describe('keywords and numbers', () => {
  it("recognises Twilio's default keywords only as the whole message, any case, and honours OptOutType", () => {
    for (const w of ['STOP', ' stop ', 'Unsubscribe', 'cancel', 'END', 'quit', 'stopall', 'REVOKE', 'optout']) expect(keywordOf(w)).toBe('STOP');
    for (const w of ['START', 'yes', 'Unstop']) expect(keywordOf(w)).toBe('START');
    for (const w of ['HELP', 'info']) expect(keywordOf(w)).toBe('HELP');
    for (const w of ['stop it', 'please stop', 'STOP!', 'yes please', '']) expect(keywordOf(w)).toBeUndefined();
    expect(keywordOf('ARRET', 'STOP')).toBe('STOP');
    expect(keywordOf('whatever', 'nonsense')).toBeUndefined();
  });

  it('takes E.164 numbers only', () => {
    expect(isE164('+14155550123')).toBe(true);
    for (const n of ['14155550123', '+0123', 'whatsapp:+14155550123', '+1 415 555', '+1234567890123456']) expect(isE164(n)).toBe(false);
  });
});

describe('payloads', () => {
  it('keeps parameters Twilio adds, defaults Body and NumMedia, and refuses what is not a message', () => {
    const p = IncomingMessage.parse({ MessageSid: 'SM1', AccountSid: AC, From: '+1', To: '+2', NewParam: 'x' });
    expect(p).toMatchObject({ Body: '', NumMedia: 0, NewParam: 'x' });
    expect(IncomingMessage.safeParse({ MessageSid: 'SM1', AccountSid: AC, From: '+1', To: '+2', NumMedia: '11' }).success).toBe(false);
    expect(IncomingMessage.safeParse({ AccountSid: AC, From: '+1', To: '+2' }).success).toBe(false);
    expect(StatusCallback.parse({ MessageSid: 'SM1', AccountSid: AC, MessageStatus: 'delivered', RawDlrDoneDate: '2601011200' })).toMatchObject({ MessageStatus: 'delivered' });
  });
});

describe("Twilio's refusals", () => {
  it('words the recipient refusals for the agent, final, with the Twilio code', () => {
    const stop = refused(400, { code: 21610, message: 'Attempt to send to unsubscribed recipient' });
    expect(stop).toMatchObject({ code: 'PARLEY_E_DELIVERY_REJECTED', retryable: false, details: { twilioCode: 21610, reason: 'opted-out' } });
    expect(stop.message).toMatch(/opted out.*START.*\(Twilio 21610\)/);
    expect(refused(400, { code: 21211 }).message).toMatch(/not a valid phone number.*\(Twilio 21211\)$/);
    expect(refused(400, { code: 21999, message: 'Something new' }).message).toBe('Twilio refused the text: Something new (HTTP 400, Twilio 21999).');
    expect(refused(404, undefined).message).toBe('Twilio refused the text (HTTP 404).');
  });
});

describe('settings', () => {
  it('takes one of from and messagingServiceSid, SIDs in their shape, a token list for rotation, and defaults', () => {
    const s = TwilioSmsSettings.parse(base);
    expect(s).toMatchObject({ apiBaseUrl: 'https://api.twilio.com', mms: true, maxTextLength: 1600, attemptTimeoutMs: 5000, totalTimeoutMs: 12000 });
    expect(TwilioSmsSettings.safeParse({ ...base, authToken: ['a-long-auth-token', 'the-next-auth-token'] }).success).toBe(true);
    expect(TwilioSmsSettings.safeParse({ accountSid: AC, authToken: 'a-long-auth-token', messagingServiceSid: `MG${'a'.repeat(32)}` }).success).toBe(true);
    const bad: [Record<string, unknown>, string][] = [
      [{ ...base, messagingServiceSid: `MG${'a'.repeat(32)}` }, 'from'],
      [{ accountSid: AC, authToken: 'a-long-auth-token' }, 'from'],
      [{ ...base, accountSid: 'AC123' }, 'accountSid'],
      [{ ...base, from: '5005550006' }, 'from'],
      [{ ...base, authToken: 'short' }, 'authToken'],
      [{ ...base, maxTextLength: 1601 }, 'maxTextLength'],
      [{ ...base, webhookUrl: 'ftp://x' }, 'webhookUrl'],
      [{ ...base, apiKey: { sid: 'SK1', secret: 'long-enough-secret' } }, 'apiKey'],
      [{ ...base, surprise: true }, ''],
    ];
    for (const [input, key] of bad) {
      const r = TwilioSmsSettings.safeParse(input);
      expect(r.success, JSON.stringify(input)).toBe(false);
      if (key) expect(r.error!.issues.map((i) => String(i.path[0]))).toContain(key);
      expect(JSON.stringify(r.error!.issues)).not.toContain('a-long-auth-token');
    }
  });

  it('authenticates with the API key when given, else the Account SID and the primary token', () => {
    const decode = (h: string) => Buffer.from(h.replace('Basic ', ''), 'base64').toString();
    expect(decode(twilioBasic(TwilioSmsSettings.parse({ ...base, authToken: ['primary-token', 'secondary-token'] })))).toBe(`${AC}:primary-token`);
    expect(decode(twilioBasic(TwilioSmsSettings.parse({ ...base, apiKey: { sid: `SK${'1'.repeat(32)}`, secret: 'key-secret-1' } })))).toBe(`SK${'1'.repeat(32)}:key-secret-1`);
  });
});
