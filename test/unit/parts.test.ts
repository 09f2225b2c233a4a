import { describe, expect, it } from 'vitest';
import { Part, Parts, partsOf, partsToText } from '../../src/core/parts.js';

describe('partsOf: text shorthand and parts fold into one list', () => {
  it('text alone becomes one text part', () => {
    expect(partsOf({ text: 'hi' })).toEqual([{ type: 'text', text: 'hi' }]);
  });
  it('parts alone pass through unchanged', () => {
    const parts: Part[] = [{ type: 'qr', content: 'x' }];
    expect(partsOf({ parts })).toEqual(parts);
  });
  it('text comes first, then the parts', () => {
    expect(partsOf({ text: 'look', parts: [{ type: 'location', lat: 1, lng: 2 }] })).toEqual([
      { type: 'text', text: 'look' },
      { type: 'location', lat: 1, lng: 2 },
    ]);
  });
  it('an empty text adds nothing', () => {
    expect(partsOf({ text: '' })).toEqual([]);
    expect(partsOf({})).toEqual([]);
  });
});

describe('partsToText: a plain rendering for channels without rich parts', () => {
  it('renders each kind of part', () => {
    expect(partsToText([{ type: 'text', text: 'Hello' }])).toBe('Hello');
    expect(partsToText([{ type: 'media', mediaId: 'm', mime: 'image/png', name: 'cat.png', caption: 'my cat' }])).toBe('[image: cat.png] my cat');
    expect(partsToText([{ type: 'media', mediaId: 'm', mime: 'application/pdf' }])).toBe('[file]');
    expect(partsToText([{ type: 'media', mediaId: 'm' }])).toBe('[file]');
    expect(partsToText([{ type: 'quick_replies', text: 'Pick one', replies: [{ title: 'Yes' }, { title: 'No', payload: 'n' }] }])).toBe('Pick one\n1. Yes\n2. No');
    expect(partsToText([{ type: 'quick_replies', replies: [{ title: 'Only' }] }])).toBe('1. Only');
    expect(partsToText([{ type: 'buttons', text: 'Links', buttons: [{ title: 'Site', url: 'https://example.com' }, { title: 'Call us' }] }])).toBe(
      'Links\nSite: https://example.com\nCall us',
    );
    expect(partsToText([{ type: 'qr', content: 'TICKET-1' }])).toBe('[QR code: TICKET-1]');
    expect(partsToText([{ type: 'location', lat: 51.5, lng: -0.12, name: 'Office' }])).toBe('[location: Office 51.5,-0.12]');
    expect(partsToText([{ type: 'location', lat: 0, lng: 0 }])).toBe('[location: 0,0]');
  });
  it('joins several parts with newlines, in order', () => {
    expect(partsToText([{ type: 'text', text: 'a' }, { type: 'qr', content: 'b' }, { type: 'text', text: 'c' }])).toBe('a\n[QR code: b]\nc');
  });
  it('returns an empty string for no parts', () => {
    expect(partsToText([])).toBe('');
  });
});

describe('Part schema', () => {
  const ok = (p: unknown) => expect(Part.safeParse(p).success, JSON.stringify(p)).toBe(true);
  const bad = (p: unknown) => expect(Part.safeParse(p).success, JSON.stringify(p)).toBe(false);

  it('accepts one of each valid kind', () => {
    ok({ type: 'text', text: 'x' });
    ok({ type: 'media', mediaId: 'md_1', caption: 'c' });
    ok({ type: 'quick_replies', replies: [{ title: 'a' }] });
    ok({ type: 'buttons', buttons: [{ title: 'a', url: 'https://x.example' }] });
    ok({ type: 'qr', content: 'x' });
    ok({ type: 'location', lat: -90, lng: 180 });
  });

  it('rejects unknown types and missing types', () => {
    bad({ type: 'sticker', id: 1 });
    bad({ text: 'no type' });
    bad(null);
    bad('text');
  });

  it('rejects empty or oversize text', () => {
    bad({ type: 'text', text: '' });
    bad({ type: 'text', text: 'x'.repeat(10_001) });
    bad({ type: 'text' });
  });

  it('rejects coordinates off the globe and non-numbers', () => {
    bad({ type: 'location', lat: 90.0001, lng: 0 });
    bad({ type: 'location', lat: -91, lng: 0 });
    bad({ type: 'location', lat: 0, lng: 180.5 });
    bad({ type: 'location', lat: 0, lng: -181 });
    bad({ type: 'location', lat: '1', lng: 2 });
    bad({ type: 'location', lat: 1 });
  });

  it('rejects malformed structured parts', () => {
    bad({ type: 'media' });
    bad({ type: 'media', mediaId: '' });
    bad({ type: 'quick_replies', replies: [] });
    bad({ type: 'quick_replies', replies: Array.from({ length: 14 }, (_, i) => ({ title: `r${i}` })) });
    bad({ type: 'quick_replies', replies: [{ title: '' }] });
    bad({ type: 'buttons', buttons: [] });
    bad({ type: 'buttons', buttons: [{ title: 'x', url: 'not a url' }] });
    bad({ type: 'qr', content: '' });
  });

  it('a message has 1 to 20 parts', () => {
    expect(Parts.safeParse([]).success).toBe(false);
    expect(Parts.safeParse(Array.from({ length: 20 }, () => ({ type: 'text', text: 'x' }))).success).toBe(true);
    expect(Parts.safeParse(Array.from({ length: 21 }, () => ({ type: 'text', text: 'x' }))).success).toBe(false);
  });
});

describe('links in parts', () => {
  it('a button link must be a web (http/https) URL: javascript:, data: and file: are refused', () => {
    const button = (url: string) => Part.safeParse({ type: 'buttons', buttons: [{ title: 'Go', url }] }).success;
    expect(button('https://example.com/pay')).toBe(true);
    expect(button('http://example.com')).toBe(true);
    expect(button('javascript:alert(1)')).toBe(false);
    expect(button('data:text/html,<script>alert(1)</script>')).toBe(false);
    expect(button('file:///etc/passwd')).toBe(false);
  });
});
