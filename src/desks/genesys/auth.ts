import { z } from 'zod';
import type { VendorHttp } from '../../vendor/http-client.js';
import { TokenCache } from '../../vendor/token-cache.js';

// OAuth client credentials against `login.{env}` (vendor-protocols §1.1): exactly what the official SDK's
// loginClientCredentialsGrant sends — HTTP Basic with the client id and secret, form
// `grant_type=client_credentials`. One token per instance, cached and refreshed ahead of expiry by
// TokenCache; a 401 from the API invalidates it once (VendorHttp) and the next call fetches a new one.

const TokenResponse = z.object({ access_token: z.string().min(1), expires_in: z.number().positive() });

export function genesysTokens(opts: { name: string; login: VendorHttp; clientId: string; clientSecret: string; log?: { warn(obj: Record<string, unknown>, msg: string): void } }): TokenCache {
  const basic = `Basic ${Buffer.from(`${opts.clientId}:${opts.clientSecret}`, 'utf8').toString('base64')}`;
  return new TokenCache({
    name: opts.name,
    ...(opts.log ? { log: opts.log } : {}),
    fetchToken: async (signal) => {
      const res = await opts.login.request({
        method: 'POST',
        path: '/oauth/token',
        form: { grant_type: 'client_credentials' },
        headers: { authorization: basic },
        auth: false,
        idempotent: true,
        signal,
        schema: TokenResponse,
        operation: 'token',
      });
      return { token: res.body.access_token, expiresInSec: res.body.expires_in };
    },
  });
}
