// The emulator kit's SigV4 check (emulators/kit/sigv4.ts) against the AWS SDK's own signer: what the SDK
// signs passes, and each way a request can be wrong is refused with the error AWS gives.
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { describe, expect, it } from 'vitest';
import { signSigV4, verifySigV4, type SigV4Request } from '../../emulators/kit/sigv4.js';

const cred = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const lookup = (k: string) => (k === cred.accessKeyId ? { secretAccessKey: cred.secretAccessKey } : undefined);

async function sdkSigned(opts: { path?: string; query?: Record<string, string>; body?: string; now?: Date } = {}): Promise<SigV4Request> {
  const signer = new SignatureV4({ credentials: cred, region: 'us-east-1', service: 'connect', sha256: Sha256 });
  const body = opts.body ?? '{"a":1}';
  const signed = await signer.sign(
    { method: 'PUT', protocol: 'http:', hostname: '127.0.0.1', port: 9300, path: opts.path ?? '/contact/chat', query: opts.query ?? {}, headers: { host: '127.0.0.1:9300', 'content-type': 'application/json' }, body },
    opts.now ? { signingDate: opts.now } : {},
  );
  const q = new URLSearchParams(opts.query ?? {}).toString();
  const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: 'PUT', url: (opts.path ?? '/contact/chat') + (q ? `?${q}` : ''), headers, body: Buffer.from(body) };
}

describe('SigV4 verification (emulators/kit/sigv4.ts)', () => {
  it("accepts the SDK signer's signature, with paths and queries that need encoding", async () => {
    expect(verifySigV4(await sdkSigned(), { lookup, service: 'connect', region: 'us-east-1' })).toMatchObject({ ok: true, accessKeyId: 'AKIDEXAMPLE', service: 'connect' });
    // The SDK's request path is already percent-encoded by its serialiser; the signer encodes it once more.
    const odd = await sdkSigned({ path: '/contact/a%3Ab/x%20y', query: { b: '2', a: 'x y', c: '*' } });
    expect(verifySigV4({ ...odd, url: '/contact/a%3Ab/x%20y?b=2&a=x%20y&c=%2A' }, { lookup })).toMatchObject({ ok: true });
  });

  it('its own signSigV4 agrees with the verifier', () => {
    const headers = signSigV4({ method: 'POST', url: '/contact/stop', host: 'h:1', body: '{}' }, { ...cred, region: 'eu-west-2', service: 'connect' });
    expect(verifySigV4({ method: 'POST', url: '/contact/stop', headers, body: Buffer.from('{}') }, { lookup, region: 'eu-west-2' }).ok).toBe(true);
  });

  it('refuses a changed body, method, path or header (InvalidSignatureException, 403)', async () => {
    const good = await sdkSigned();
    const bad = [
      { ...good, body: Buffer.from('{"a":2}') },
      { ...good, method: 'POST' },
      { ...good, url: '/contact/stop' },
      { ...good, headers: { ...good.headers, 'content-type': 'text/plain' } },
    ];
    for (const r of bad) expect(verifySigV4(r, { lookup })).toMatchObject({ ok: false, status: 403, type: 'InvalidSignatureException' });
  });

  it('refuses a missing header, an unknown key, the wrong service or region, and an old request', async () => {
    const good = await sdkSigned();
    const { authorization: _a, ...unsigned } = good.headers;
    expect(verifySigV4({ ...good, headers: unsigned }, { lookup })).toMatchObject({ ok: false, type: 'MissingAuthenticationTokenException' });
    expect(verifySigV4(good, { lookup: () => undefined })).toMatchObject({ ok: false, type: 'UnrecognizedClientException' });
    expect(verifySigV4(good, { lookup, service: 'sms-voice' })).toMatchObject({ ok: false, type: 'InvalidSignatureException' });
    expect(verifySigV4(good, { lookup, region: 'eu-west-1' })).toMatchObject({ ok: false, type: 'InvalidSignatureException' });
    const old = await sdkSigned({ now: new Date(Date.now() - 20 * 60_000) });
    expect(verifySigV4(old, { lookup })).toMatchObject({ ok: false, type: 'InvalidSignatureException', message: expect.stringContaining('Signature expired') });
    expect(verifySigV4({ ...good, headers: { ...good.headers, authorization: 'AWS4-HMAC-SHA256 Credential=x' } }, { lookup })).toMatchObject({ ok: false, status: 400, type: 'IncompleteSignatureException' });
  });
});
