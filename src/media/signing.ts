import { createHmac, timingSafeEqual } from 'node:crypto';

// Signed, expiring media URLs: /v1/media/<id>?exp=<unix seconds>&sig=<hmac>. Anyone holding the URL may
// read the file until it expires, which is what lets an <img> tag show it without a bearer header.

export class UrlSigner {
  constructor(
    private readonly key: string,
    private readonly ttlSeconds: number,
    private readonly baseUrl: string,
  ) {}

  private mac(id: string, exp: number): string {
    return createHmac('sha256', this.key).update(`media:${id}:${exp}`).digest('base64url');
  }

  url(id: string, now = Date.now()): string {
    const exp = Math.floor(now / 1000) + this.ttlSeconds;
    return `${this.baseUrl}/v1/media/${id}?exp=${exp}&sig=${this.mac(id, exp)}`;
  }

  check(id: string, exp: number, sig: string, now = Date.now()): 'ok' | 'expired' | 'bad' {
    const expected = Buffer.from(this.mac(id, exp));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'bad';
    return exp * 1000 < now ? 'expired' : 'ok';
  }
}
