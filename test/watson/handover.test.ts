import { describe, expect, it } from 'vitest';
import type { MessageResponse } from '@carbon/ai-chat';
import { connectItem, handoverOf, Transcript } from '../../watson/src/handover.js';
import { readOptions } from '../../watson/src/options.js';
import { avatarOf, qrImage, toResponse } from '../../watson/src/render.js';
import { acceptsFile } from '../../watson/src/uploads.js';

// The web chat bundle's pure pieces: what the assistant hands over, how agent messages look in web chat,
// the upload check and the factory's options. The whole bundle runs in Chromium in test/browser/webchat-*.

const connect = (item: Record<string, unknown>): MessageResponse =>
  ({ id: 'r1', output: { generic: [{ response_type: 'text', text: 'Let me connect you.' }, { response_type: 'connect_to_agent', ...item }] } }) as MessageResponse;

class MemoryStorage {
  private readonly m = new Map<string, string>();
  getItem = (k: string) => this.m.get(k) ?? null;
  setItem = (k: string, v: string) => void this.m.set(k, v);
}

describe('handover', () => {
  it('finds connect_to_agent anywhere in the response, not only first', () => {
    expect(connectItem(connect({ topic: 'Refunds' }))?.response_type).toBe('connect_to_agent');
    expect(connectItem({ output: { generic: [{ response_type: 'text', text: 'hi' }] } } as MessageResponse)).toBeUndefined();
    expect(connectItem(undefined)).toBeUndefined();
  });

  it('puts the message to the agent, topic, transfer data and transcript in context and in the first message', () => {
    const t = new Transcript(new MemoryStorage() as unknown as Storage, 'k');
    t.customerSaid({ input: { text: 'Where is my refund?' } });
    t.assistantSaid({ output: { generic: [{ response_type: 'text', text: 'Refunds take 5 days.' }, { response_type: 'option', options: [] }] } } as unknown as MessageResponse);
    t.customerSaid({ input: { text: 'agent' } });
    const h = handoverOf(
      connect({ topic: 'Refunds', message_to_human_agent: 'Customer asks about a refund', transfer_info: { additional_data: { order: 'A-17', bad: 5 }, session_history_key: 'us-south::secret', summary_message_to_agent: [{ response_type: 'text', text: 'Order A-17' }] } }),
      t.all,
      { locale: 'en-GB', userID: 'u-1' },
      { id: 'ct_1', name: 'Jane Doe', email: 'jane@example.com', verified: true, createdAt: '' },
    );
    expect(h.context).toEqual({
      handover: 'watsonx web chat',
      topic: 'Refunds',
      messageToAgent: 'Customer asks about a refund',
      summary: 'Order A-17',
      transferInfo: { order: 'A-17' },
      botTranscript: 'Customer: Where is my refund?\nAssistant: Refunds take 5 days.\nCustomer: agent',
      locale: 'en-GB',
      webChatUserId: 'u-1',
    });
    // The one-time transcript key is not handed to the desk.
    expect(JSON.stringify(h)).not.toContain('secret');
    expect(h.summary.split('\n')).toEqual([
      'Handed over by the assistant.',
      'Verified customer: Jane Doe, jane@example.com.',
      'Topic: Refunds',
      'Note: Customer asks about a refund',
      'Order A-17',
      '',
      'Conversation with the assistant:',
      'Customer: Where is my refund?',
      'Assistant: Refunds take 5 days.',
      'Customer: agent',
    ]);
  });

  it('an anonymous customer is not called verified; a long transcript loses its oldest lines to fit one message', () => {
    const t = new Transcript(undefined, 'k');
    for (let i = 0; i < 40; i++) t.customerSaid({ input: { text: `line ${i} ${'x'.repeat(200)}` } });
    const h = handoverOf(connect({}), t.all, {}, { id: 'ct_2', name: null, email: null, verified: false, createdAt: '' });
    expect(h.summary).not.toContain('Verified');
    expect(h.summary.length).toBeLessThanOrEqual(3000);
    expect(h.summary).toContain('line 39');
    expect(h.summary).not.toContain('line 0 ');
  });

  it('the transcript survives a reload through storage, and broken storage content is ignored', () => {
    const s = new MemoryStorage();
    new Transcript(s as unknown as Storage, 'k').customerSaid({ input: { text: 'hello' } });
    expect(new Transcript(s as unknown as Storage, 'k').all).toEqual([{ from: 'customer', text: 'hello' }]);
    s.setItem('k', '{not json');
    expect(new Transcript(s as unknown as Storage, 'k').all).toEqual([]);
  });
});

describe('agent messages as web chat responses', () => {
  const base = 'https://parley.example.com';
  it('text, images, files, QR codes, quick replies, link buttons and places', () => {
    const r = toResponse(
      'ev_1',
      [
        { type: 'text', text: 'Here you go' },
        { type: 'media', mediaId: 'm1', mime: 'image/png', url: '/v1/media/m1?sig=abc', caption: 'Your ticket' },
        { type: 'media', mediaId: 'm2', mime: 'application/pdf', url: '/v1/media/m2?sig=def', name: 'invoice [1].pdf' },
        { type: 'qr', content: 'BOARDING-42' },
        { type: 'quick_replies', text: 'Which one?', replies: [{ title: 'Lisbon', payload: 'LIS' }, { title: 'Porto' }] },
        { type: 'buttons', buttons: [{ title: 'Open', url: 'https://example.com/x' }] },
        { type: 'location', lat: 38.7, lng: -9.1, name: 'Office' },
      ],
      base,
    )!;
    const g = r.output.generic as unknown as Record<string, unknown>[];
    expect(r.thread_id).toBe('agent');
    expect(g[0]).toEqual({ response_type: 'text', text: 'Here you go' });
    expect(g[1]).toMatchObject({ response_type: 'image', source: 'https://parley.example.com/v1/media/m1?sig=abc', title: 'Your ticket' });
    expect(g[2]).toEqual({ response_type: 'text', text: '[invoice \\[1\\].pdf](https://parley.example.com/v1/media/m2?sig=def)' });
    expect(g[3]).toMatchObject({ response_type: 'image', title: 'BOARDING-42' });
    expect(String(g[3]!.source)).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(atob(String(g[3]!.source).split(',')[1]!)).toContain('<path d="M');
    // Choices are custom-event buttons (web chat sends `option` clicks to the assistant, not the agent).
    expect(g[4]).toEqual({ response_type: 'text', text: 'Which one?' });
    expect(g[5]).toEqual({ response_type: 'button', button_type: 'custom_event', custom_event_name: 'parley:reply', label: 'Lisbon', kind: 'secondary' });
    expect(g[6]).toMatchObject({ response_type: 'button', button_type: 'custom_event', label: 'Porto' });
    expect(g[7]).toMatchObject({ response_type: 'button', button_type: 'url', url: 'https://example.com/x', label: 'Open' });
    expect(g[8]!.text).toContain('https://www.openstreetmap.org/?mlat=38.7&mlon=-9.1');
    expect(toResponse('ev_2', [], base)).toBeNull();
  });

  it('a QR code too long for any QR version falls back to its text', () => {
    expect(qrImage('x'.repeat(5000))).toBeUndefined();
    const r = toResponse('ev_3', [{ type: 'qr', content: 'y'.repeat(5000) }], base)!;
    expect(r.output.generic![0]).toMatchObject({ response_type: 'text' });
  });

  it('avatars carry the initials and nothing the agent name could inject', () => {
    const svg = atob(avatarOf({ id: 'ag_1', name: 'Ana <script>alert(1)</script> Silva' }).split(',')[1]!);
    expect(svg).not.toContain('<script');
    expect(svg).toContain('>AS<');
  });
});

describe('uploads and options', () => {
  const limits = { mediaTypes: ['image/png', 'application/pdf'], maxBytes: 1024 * 1024 };
  it('refuses a type the hub does not take and a file over the size, with the reason', () => {
    expect(acceptsFile(limits, { type: 'image/png', size: 10 })).toBeUndefined();
    expect(acceptsFile(limits, { type: 'application/x-msdownload', size: 10 })).toMatch(/cannot be sent/);
    expect(acceptsFile(limits, { type: 'application/pdf', size: 2 * 1024 * 1024 })).toMatch(/at most 1 MB/);
  });

  it('the factory refuses a missing or non-http url and empty strings at once', () => {
    expect(() => readOptions({} as never)).toThrow(/url/);
    expect(() => readOptions({ url: 'javascript:alert(1)' })).toThrow(/url/);
    expect(() => readOptions({ url: 'https://x.example', entryPoint: '' })).toThrow(/entryPoint/);
    expect(readOptions({ url: 'https://x.example/', entryPoint: 'sales' })).toEqual({ url: 'https://x.example', storageKey: 'parley-watson', entryPoint: 'sales' });
  });
});
