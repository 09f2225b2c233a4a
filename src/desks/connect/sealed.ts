import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

// Participant and connection tokens are bearer credentials: whoever holds one can write as the customer in
// the chat (the seed stored them in plain text; seed-teardown §3.6). They are kept in the database only
// sealed — AES-256-GCM under a key derived (HKDF-SHA256) from Parley's token signing key, which lives in the
// data folder or the environment, never in the database — so read access to the database alone yields
// nothing usable. The instance name is bound in as additional data, so one instance's sealed token does not
// open as another's.

export class Sealer {
  readonly #key: Buffer;
  readonly #aad: Buffer;

  constructor(secret: string, instance: string) {
    this.#key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.from('parley'), Buffer.from(`connect-desk-tokens:${instance}`), 32));
    this.#aad = Buffer.from(`connect:${instance}`);
  }

  /** base64url(iv ‖ tag ‖ ciphertext). */
  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(this.#aad);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** The plain text, or undefined when the box is not one of ours (wrong key, tampered, truncated). */
  open(sealed: string): string | undefined {
    try {
      const raw = Buffer.from(sealed, 'base64url');
      if (raw.length < 29) return undefined;
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, 12));
      decipher.setAAD(this.#aad);
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }

  toJSON(): string {
    return '[Sealer]';
  }
}
