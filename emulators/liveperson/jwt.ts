// The tokens the emulator issues: the AppJWT (Sentinel) and the ConsumerJWS (IdP), both compact JWS signed
// HS256 with a key made at start (LivePerson signs RS256 with its own keys; a client never verifies either token,
// it only passes them back, so the algorithm is an emulator choice). Each token has a `jti` the store tracks,
// so the control API can expire every token issued so far.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export class Signer {
  private readonly key = randomBytes(32);

  sign(claims: Record<string, unknown>, kid: string): string {
    const head = b64url(JSON.stringify({ kid, typ: 'JWT', alg: 'HS256' }));
    const body = b64url(JSON.stringify(claims));
    const sig = createHmac('sha256', this.key).update(`${head}.${body}`).digest('base64url');
    return `${head}.${body}.${sig}`;
  }

  /** The claims when the signature is the emulator's, else undefined (expiry is the caller's business). */
  verify(token: string): Record<string, unknown> | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [head, body, sig] = parts as [string, string, string];
    const expected = Buffer.from(createHmac('sha256', this.key).update(`${head}.${body}`).digest('base64url'));
    const given = Buffer.from(sig);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as unknown;
      return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
}
