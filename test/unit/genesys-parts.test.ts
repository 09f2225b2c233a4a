import { describe, expect, it } from 'vitest';
import { answeredChoice, attachmentsOf, mediaTypeOf, structuredParts, textToParts, toInbound } from '../../src/desks/genesys/parts.js';
import { GenesysWebhook } from '../../src/desks/genesys/payloads.js';
import { genesysHosts, GenesysSettings, GENESYS_REGIONS } from '../../src/desks/genesys/settings.js';
import { receiptStatus } from '../../src/desks/genesys/webhook.js';

// Genesys Open Messaging ⇄ Parley parts, payload parsing and settings: pure rules, no server.

describe('Genesys parts mapping', () => {
  it('a decorated QR message is a qr part; text that only looks like JSON stays text and never throws', () => {
    expect(textToParts('{"gcDecoratedMessage":{"gcMessageType":"qrCode","gcMessageText":"COUPON-1"}}')).toEqual([{ type: 'qr', content: 'COUPON-1' }]);
    for (const t of ['{oops}', '{"gcDecoratedMessage":{"gcMessageType":"other","gcMessageText":"x"}}', '{"gcDecoratedMessage":null}', '{}', 'gcDecoratedMessage {"a":1}']) {
      expect(textToParts(t)).toEqual([{ type: 'text', text: t }]);
    }
    expect(textToParts('   ')).toEqual([]);
  });

  it('customer parts become text and attachments with signed URLs; other parts their text rendering', () => {
    const out = toInbound(
      [
        { type: 'text', text: 'Here is my receipt' },
        { type: 'media', mediaId: 'md_1', mime: 'image/png', name: 'r.png', caption: 'receipt' },
        { type: 'location', lat: 1, lng: 2, name: 'Shop' },
      ],
      (id) => `https://parley.example/v1/media/${id}?exp=1&sig=s`,
    );
    expect(out.text).toBe('Here is my receipt\n[location: Shop 1,2]');
    expect(out.content).toEqual([{ attachment: { mediaType: 'Image', url: 'https://parley.example/v1/media/md_1?exp=1&sig=s', mime: 'image/png', filename: 'r.png', text: 'receipt' } }]);
    expect(toInbound([{ type: 'media', mediaId: 'md_2', mime: 'application/pdf' }], () => 'https://x/y')).toEqual({ content: [{ attachment: { mediaType: 'File', url: 'https://x/y', mime: 'application/pdf' } }] });
    expect([mediaTypeOf('video/mp4'), mediaTypeOf('audio/ogg'), mediaTypeOf(undefined)]).toEqual(['Video', 'Audio', 'File']);
  });

  it('structured content: quick replies and cards; a customer text answering one is found', () => {
    const parts = structuredParts('Pick one', [
      { contentType: 'QuickReply', quickReply: { text: 'Yes', payload: 'Y' } },
      { contentType: 'QuickReply', quickReply: { text: 'No' } },
      { contentType: 'Card', card: { title: 'Plan', actions: [{ type: 'Link', text: 'Open', url: 'https://x.example' }, { type: 'Postback', text: 'Buy', payload: 'B' }, { text: 'Bad', url: 'javascript:alert(1)' }] } },
    ]);
    expect(parts[0]).toEqual({ type: 'quick_replies', text: 'Pick one', replies: [{ title: 'Yes', payload: 'Y' }, { title: 'No' }] });
    expect(parts[1]).toEqual({ type: 'buttons', text: 'Plan', buttons: [{ title: 'Open', url: 'https://x.example' }, { title: 'Buy', payload: 'B' }, { title: 'Bad' }] });
    expect(answeredChoice(parts, 'Yes')).toEqual({ type: 'QuickReply', text: 'Yes', payload: 'Y' });
    expect(answeredChoice(parts, 'No')).toEqual({ type: 'QuickReply', text: 'No', payload: 'No' });
    expect(answeredChoice(parts, 'Buy')).toEqual({ type: 'Button', text: 'Buy', payload: 'B' });
    expect(answeredChoice(parts, 'Open')).toBeUndefined();
    expect(answeredChoice(parts, 'maybe')).toBeUndefined();
  });
});

describe('Genesys payloads', () => {
  const text = {
    id: 'd7d58935af65a45e5234ac77de017a0a',
    channel: { id: 'int-1', platform: 'Open', type: 'Private', to: { id: 'customer-42', idType: 'Opaque' }, from: { nickname: 'Acme Support', id: 'int-1', idType: 'Opaque' }, time: '2025-06-10T21:03:05.427Z', messageId: 'd7d5' },
    type: 'Text',
    text: 'Hi Jane',
    originatingEntity: 'Human',
    direction: 'Outbound',
    conversationId: '5d0d331e',
    content: [{ contentType: 'Attachment', attachment: { mediaType: 'Image', url: 'https://files.example/x.png', mime: 'image/png', filename: 'x.png' } }],
    somethingNew: { added: 'by Genesys later' },
  };

  it('reads the documented Text, Event and Receipt shapes, unknown fields included', () => {
    const t = GenesysWebhook.parse(text);
    expect(attachmentsOf(t.content)).toEqual([expect.objectContaining({ url: 'https://files.example/x.png', mime: 'image/png' })]);
    expect(GenesysWebhook.safeParse({ ...text, type: 'Event', text: undefined, events: [{ eventType: 'Typing', typing: { type: 'On', duration: 5000 } }] }).success).toBe(true);
    expect(GenesysWebhook.safeParse({ id: 'r1', channel: { to: { id: 'c' } }, type: 'Receipt', status: 'Failed', reasons: [{ code: 'RecipientOptedOut', message: 'blocked' }], direction: 'Inbound' }).success).toBe(true);
  });

  it('refuses what is not a Genesys payload', () => {
    for (const bad of [{}, { id: 'x' }, { id: 'x', type: 'Text' }, { id: '', channel: {}, type: 'Text' }, { ...text, content: [{ attachment: { url: 'not a url' } }] }, 'text', null]) {
      expect(GenesysWebhook.safeParse(bad).success).toBe(false);
    }
  });

  it('maps every documented receipt status', () => {
    expect(['Sent', 'Delivered', 'Failed', 'Published', 'Removed', 'Other', undefined].map(receiptStatus)).toEqual([undefined, 'delivered', 'failed', undefined, 'failed', undefined, undefined]);
  });
});

describe('Genesys settings', () => {
  const base = { clientId: 'id', clientSecret: 'secret', integrationId: 'int', webhookSecret: 'a-long-secret' };
  it('knows every region by key or host, or takes a host or base URL', () => {
    for (const [key, env] of Object.entries(GENESYS_REGIONS)) {
      expect(genesysHosts(GenesysSettings.parse({ ...base, region: key }))).toEqual({ apiUrl: `https://api.${env}`, loginUrl: `https://login.${env}` });
      expect(genesysHosts(GenesysSettings.parse({ ...base, region: env })).apiUrl).toBe(`https://api.${env}`);
    }
    expect(genesysHosts(GenesysSettings.parse({ ...base, host: 'mypurecloud.ie' }))).toEqual({ apiUrl: 'https://api.mypurecloud.ie', loginUrl: 'https://login.mypurecloud.ie' });
    expect(genesysHosts(GenesysSettings.parse({ ...base, host: 'http://127.0.0.1:9100/' }))).toEqual({ apiUrl: 'http://127.0.0.1:9100', loginUrl: 'http://127.0.0.1:9100' });
    expect(GenesysSettings.parse({ ...base, region: 'eu_west_1' }).rateLimitPerMinute).toBe(300);
  });

  it('refuses an unknown region, both or neither of region and host, a short secret, unknown keys', () => {
    for (const bad of [{ ...base, region: 'mars_1' }, { ...base }, { ...base, region: 'eu_west_1', host: 'mypurecloud.ie' }, { ...base, region: 'eu_west_1', webhookSecret: 'short' }, { ...base, region: 'eu_west_1', extra: 1 }]) {
      expect(GenesysSettings.safeParse(bad).success).toBe(false);
    }
  });
});
