import { describe, expect, it } from 'vitest';
import { contactsText, e164, mediaType, reactionText, templateMessage, templateParameter, toWhatsApp } from '../../src/channels/whatsapp/parts.js';
import { WhatsAppSettings } from '../../src/channels/whatsapp/settings.js';
import { failureOf } from '../../src/channels/whatsapp/webhook.js';

// Parley parts ⇄ WhatsApp Cloud API messages (src/channels/whatsapp/parts.ts), the template parameters,
// the failure wording, and the settings' shape.

const url = (id: string) => `https://parley.example/media/${id}?sig=x`;

describe('whatsapp parts → Cloud API messages', () => {
  it('text, split at the limit, in order; a link turns the preview on', () => {
    expect(toWhatsApp([{ type: 'text', text: 'Hi' }], url)).toEqual([{ type: 'text', text: { body: 'Hi', preview_url: false } }]);
    expect(toWhatsApp([{ type: 'text', text: 'see https://x.example' }], url)[0]).toMatchObject({ text: { preview_url: true } });
    const long = 'a '.repeat(150).trim();
    const out = toWhatsApp([{ type: 'text', text: long }], url, 100);
    expect(out.length).toBe(3);
    expect(out.every((m) => m.type === 'text' && m.text.body.length <= 100)).toBe(true);
  });

  it('files by link: image/video/audio by type, anything else a document with its name; captions ride along except on audio', () => {
    expect(toWhatsApp([{ type: 'media', mediaId: 'md1', mime: 'image/png', caption: 'receipt' }], url)).toEqual([{ type: 'image', image: { link: url('md1'), caption: 'receipt' } }]);
    expect(toWhatsApp([{ type: 'media', mediaId: 'md2', mime: 'application/pdf', name: 'invoice.pdf' }], url)).toEqual([{ type: 'document', document: { link: url('md2'), filename: 'invoice.pdf' } }]);
    expect(toWhatsApp([{ type: 'media', mediaId: 'md3', mime: 'audio/ogg', caption: 'listen' }], url)).toEqual([
      { type: 'audio', audio: { link: url('md3') } },
      { type: 'text', text: { body: 'listen', preview_url: false } },
    ]);
    expect(mediaType('image/gif')).toBe('document');
    expect(mediaType('video/mp4')).toBe('video');
  });

  it('quick replies: up to 3 as reply buttons on their text (or the text just before them), more as a list', () => {
    const two = toWhatsApp([{ type: 'text', text: 'Which one?' }, { type: 'quick_replies', replies: [{ title: 'An order', payload: 'ORDER' }, { title: 'A bill' }] }], url);
    expect(two).toEqual([
      {
        type: 'interactive',
        interactive: { type: 'button', body: { text: 'Which one?' }, action: { buttons: [{ type: 'reply', reply: { id: 'ORDER', title: 'An order' } }, { type: 'reply', reply: { id: 'A bill', title: 'A bill' } }] } },
      },
    ]);
    const titles = Array.from({ length: 12 }, (_, i) => ({ title: `Option number ${i + 1} with a long title` }));
    const lists = toWhatsApp([{ type: 'quick_replies', text: 'Pick', replies: titles }], url);
    expect(lists).toHaveLength(2);
    const first = lists[0] as any;
    expect(first.interactive.type).toBe('list');
    expect(first.interactive.body.text).toBe('Pick');
    expect(first.interactive.action.sections[0].rows).toHaveLength(10);
    expect([...first.interactive.action.sections[0].rows[0].title].length).toBeLessThanOrEqual(24);
    expect((lists[1] as any).interactive.action.sections[0].rows).toHaveLength(2);
    // Button titles are cut to 20, ids kept unique.
    const dup = toWhatsApp([{ type: 'quick_replies', text: 'Q', replies: [{ title: 'A very long title for a button', payload: 'X' }, { title: 'B', payload: 'X' }] }], url)[0] as any;
    expect([...dup.interactive.action.buttons[0].reply.title].length).toBe(20);
    expect(new Set(dup.interactive.action.buttons.map((b: any) => b.reply.id)).size).toBe(2);
  });

  it('buttons: payload buttons as reply buttons (3 a message), link buttons as "title: url" lines', () => {
    const out = toWhatsApp(
      [
        {
          type: 'buttons',
          text: 'What next?',
          buttons: [{ title: 'Track', url: 'https://example.com/t' }, { title: 'Yes', payload: 'Y' }, { title: 'No', payload: 'N' }, { title: 'Maybe', payload: 'M' }, { title: 'Later', payload: 'L' }],
        },
      ],
      url,
    ) as any[];
    expect(out).toHaveLength(2);
    expect(out[0].interactive.body.text).toBe('What next?\nTrack: https://example.com/t');
    expect(out[0].interactive.action.buttons.map((b: any) => b.reply.title)).toEqual(['Yes', 'No', 'Maybe']);
    expect(out[1].interactive.action.buttons.map((b: any) => b.reply.title)).toEqual(['Later']);
    expect(toWhatsApp([{ type: 'buttons', buttons: [{ title: 'Site', url: 'https://example.com' }] }], url)).toEqual([{ type: 'text', text: { body: 'Site: https://example.com', preview_url: true } }]);
  });

  it('a location as a location message; a QR code as text', () => {
    expect(toWhatsApp([{ type: 'location', lat: 1.5, lng: -2.25, name: 'Shop', address: 'Main St 1' }], url)).toEqual([{ type: 'location', location: { latitude: 1.5, longitude: -2.25, name: 'Shop', address: 'Main St 1' } }]);
    expect(toWhatsApp([{ type: 'qr', content: 'ABC' }], url)).toEqual([{ type: 'text', text: { body: '[QR code: ABC]', preview_url: false } }]);
  });
});

describe('whatsapp templates', () => {
  it('parameters filled from their sources, one line, never empty, at most 1,024 characters', () => {
    const m = templateMessage(
      { name: 'follow_up', language: 'en_US', parameters: ['customerName', 'agentText', 'agentName', { text: 'fixed' }, 'businessName'] },
      { agentText: 'Line one\n\tline two     spaced', agentName: 'Ann', customerName: undefined, businessName: 'ACME' },
    );
    expect(m).toEqual({
      type: 'template',
      template: {
        name: 'follow_up',
        language: { code: 'en_US' },
        components: [{ type: 'body', parameters: ['-', 'Line one line two spaced', 'Ann', 'fixed', 'ACME'].map((text) => ({ type: 'text', text })) }],
      },
    });
    expect([...templateParameter('x'.repeat(5000))].length).toBe(1024);
    expect(templateMessage({ name: 'hello_world', language: 'en_US', parameters: [] }, { agentText: 'hi' })).toEqual({ type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } });
  });
});

describe('whatsapp customer messages and statuses', () => {
  it('contact cards and reactions as short text; wa_id as E.164', () => {
    expect(contactsText([{ name: { formatted_name: 'Grace Hopper' }, phones: [{ phone: '+1 555 0100', wa_id: '15550100' }], emails: [{ email: 'g@example.com' }] }, { phones: [{ wa_id: '4915100000' }] }])).toBe(
      '[contact: Grace Hopper, +1 555 0100, g@example.com]\n[contact: +4915100000]',
    );
    expect(reactionText('❤️', 'Your order has shipped and will arrive tomorrow between nine and noon, promise')).toBe('[reacted ❤️ to "Your order has shipped and will arrive tomorrow between nin…"]');
    expect(reactionText('👍', undefined)).toBe('[reacted 👍]');
    expect(e164('16505551234')).toBe('+16505551234');
  });

  it("a failed status's error worded for the agent: 131047 is the closed window", () => {
    expect(failureOf([{ code: 131047, title: 'Re-engagement message' }])).toMatchObject({ code: 'REPLY_WINDOW_CLOSED', reason: expect.stringMatching(/24 hours/) });
    expect(failureOf([{ code: 131026, title: 'Message undeliverable' }]).code).toBe('WHATSAPP_131026');
    expect(failureOf([{ code: 999999, title: 'Something new', error_data: { details: 'more' } }]).reason).toBe('WhatsApp could not deliver the message: Something new: more (WhatsApp 999999).');
    expect(failureOf(undefined).code).toBe('WHATSAPP_FAILED');
  });
});

describe('whatsapp settings', () => {
  const base = { phoneNumberId: '106540352242922', accessToken: 'EAAtoken123', appSecret: 'app-secret-123', verifyToken: 'verify-123' };
  it('defaults, and the reply template checked', () => {
    const s = WhatsAppSettings.parse(base);
    expect(s).toMatchObject({ markRead: true, typingIndicator: true, maxTextLength: 4096, ratePerSecond: 80, graphApiVersion: 'v25.0' });
    expect(WhatsAppSettings.parse({ ...base, replyTemplate: { name: 'follow_up', language: 'en_US' } }).replyTemplate).toEqual({ name: 'follow_up', language: 'en_US', parameters: [] });
    expect(WhatsAppSettings.safeParse({ ...base, replyTemplate: { name: 'Follow Up', language: 'en_US' } }).success).toBe(false);
    expect(WhatsAppSettings.safeParse({ ...base, replyTemplate: { name: 'x', language: 'en_US', parameters: ['agentEmail'] } }).success).toBe(false);
    expect(WhatsAppSettings.safeParse({ ...base, maxTextLength: 5000 }).success).toBe(false);
    expect(WhatsAppSettings.safeParse({ ...base, pageId: '1' }).success).toBe(false);
  });
});
