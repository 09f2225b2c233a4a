import { describe, expect, it } from 'vitest';
import { UrlSigner } from '../../src/media/signing.js';
import { matchesType } from '../../src/media/sniff.js';

const KEY = 'k'.repeat(40);
const NOW = Date.UTC(2030, 0, 1);

function parts(url: string): { id: string; exp: number; sig: string } {
  const u = new URL(url);
  return { id: u.pathname.split('/').pop() as string, exp: Number(u.searchParams.get('exp')), sig: u.searchParams.get('sig') as string };
}

describe('signed media URLs', () => {
  const signer = new UrlSigner(KEY, 900, 'https://parley.example');

  it('a fresh URL points at the media route and checks ok until it expires', () => {
    const url = signer.url('md_abc', NOW);
    expect(url.startsWith('https://parley.example/v1/media/md_abc?exp=')).toBe(true);
    const { id, exp, sig } = parts(url);
    expect(exp).toBe(NOW / 1000 + 900);
    expect(signer.check(id, exp, sig, NOW)).toBe('ok');
    expect(signer.check(id, exp, sig, NOW + 899_000)).toBe('ok');
  });

  it('an expired URL with a valid signature is reported as expired', () => {
    const { id, exp, sig } = parts(signer.url('md_abc', NOW));
    expect(signer.check(id, exp, sig, NOW + 901_000)).toBe('expired');
  });

  it('tampering with the id, the expiry or the signature is rejected', () => {
    const { id, exp, sig } = parts(signer.url('md_abc', NOW));
    expect(signer.check('md_abd', exp, sig, NOW)).toBe('bad');
    expect(signer.check(id, exp + 3600, sig, NOW)).toBe('bad');
    const flipped = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    expect(signer.check(id, exp, flipped, NOW)).toBe('bad');
    expect(signer.check(id, exp, sig.slice(0, -1), NOW)).toBe('bad');
    expect(signer.check(id, exp, '', NOW)).toBe('bad');
    expect(signer.check(id, exp, sig + 'x', NOW)).toBe('bad');
  });

  it('a tampered and expired URL is bad, not merely expired', () => {
    const { id, exp } = parts(signer.url('md_abc', NOW));
    expect(signer.check(id, exp, 'x'.repeat(43), NOW + 10_000_000)).toBe('bad');
  });

  it('a URL signed with another key is rejected', () => {
    const other = new UrlSigner('z'.repeat(40), 900, 'https://parley.example');
    const { id, exp, sig } = parts(other.url('md_abc', NOW));
    expect(signer.check(id, exp, sig, NOW)).toBe('bad');
  });
});

describe('content sniffing', () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16]);
  const gif = Buffer.from('GIF89a......', 'latin1');
  const webp = Buffer.concat([Buffer.from('RIFF', 'latin1'), Buffer.from([0x24, 0, 0, 0]), Buffer.from('WEBPVP8 ', 'latin1')]);
  const pdf = Buffer.from('%PDF-1.7\n', 'latin1');
  const script = Buffer.from('<script>alert(1)</script>', 'latin1');

  it('accepts bytes that match their declared type', () => {
    expect(matchesType('image/png', png)).toBe(true);
    expect(matchesType('image/jpeg', jpeg)).toBe(true);
    expect(matchesType('image/gif', gif)).toBe(true);
    expect(matchesType('image/webp', webp)).toBe(true);
    expect(matchesType('application/pdf', pdf)).toBe(true);
  });

  it('rejects a script, or another format, declared as an image or PDF', () => {
    for (const t of ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf']) expect(matchesType(t, script), t).toBe(false);
    expect(matchesType('image/png', jpeg)).toBe(false);
    expect(matchesType('image/jpeg', png)).toBe(false);
    expect(matchesType('application/pdf', gif)).toBe(false);
    expect(matchesType('image/webp', Buffer.from('RIFF\0\0\0\0WAVE', 'latin1'))).toBe(false);
  });

  it('rejects empty and truncated files for known types', () => {
    for (const t of ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf']) expect(matchesType(t, Buffer.alloc(0)), t).toBe(false);
    expect(matchesType('image/png', png.subarray(0, 4))).toBe(false);
  });

  it('accepts types it has no signature for as declared', () => {
    expect(matchesType('text/plain', script)).toBe(true);
  });
});
