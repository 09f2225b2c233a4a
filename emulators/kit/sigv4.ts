// AWS Signature Version 4, as an AWS service checks it on an incoming request's Authorization header
// (docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html, "Create a signed
// AWS API request"; the same steps the SDK's @smithy/signature-v4 signer runs, in reverse). Written from
// the docs, not from any adapter, so an emulator built on it refuses what AWS would refuse:
//
//   Authorization: AWS4-HMAC-SHA256 Credential=<key id>/<yyyymmdd>/<region>/<service>/aws4_request,
//                  SignedHeaders=<lower-case names joined by ;>, Signature=<hex>
//
// 1. Canonical request: METHOD \n canonical URI \n canonical query \n canonical headers \n signed headers
//    \n payload hash. The canonical URI is every path segment URI-encoded once more (services other than S3
//    encode the already-encoded path again); the query is sorted by name, names and values encoded; headers
//    are lower-cased, values trimmed with inner runs of spaces collapsed, sorted; the payload hash is the
//    hex SHA-256 of the body (a signed `x-amz-content-sha256` must equal it).
// 2. String to sign: AWS4-HMAC-SHA256 \n <x-amz-date> \n <scope> \n hex(SHA-256(canonical request)).
// 3. Key: HMAC chain "AWS4"+secret → date → region → service → "aws4_request"; signature = hex HMAC.
//
// Also as AWS does: `host` and `x-amz-date` (or `date`) must be signed; the request time must be within
// 15 minutes of the server's; the scope's date must be the request's date; temporary credentials need their
// `x-amz-security-token`. Each refusal comes back as the AWS error type and message a client would get.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface SigV4Secret {
  secretAccessKey: string;
  /** Temporary credentials: the session token the request must carry in x-amz-security-token. */
  sessionToken?: string;
}

export interface SigV4Request {
  method: string;
  /** The request target exactly as received (`req.url`: path and query, still percent-encoded). */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface SigV4Options {
  /** The secret of an access key id, or undefined for a key the service does not know. */
  lookup(accessKeyId: string): SigV4Secret | undefined;
  /** The signing name the scope must carry (`connect`, `sms-voice`); absent: any. */
  service?: string;
  /** The region the scope must carry; absent: any. */
  region?: string;
  /** Largest accepted clock difference; AWS: 15 minutes. */
  maxSkewMs?: number;
  now?: number;
}

/** Why AWS refused the signature: its error type (x-amzn-ErrorType) and message, with the status it answers. */
export type SigV4Failure = {
  ok: false;
  status: 400 | 403;
  type: 'MissingAuthenticationTokenException' | 'IncompleteSignatureException' | 'InvalidSignatureException' | 'UnrecognizedClientException';
  message: string;
};

export type SigV4Result = { ok: true; accessKeyId: string; region: string; service: string; date: string } | SigV4Failure;

const ALGORITHM = 'AWS4-HMAC-SHA256';
const FIFTEEN_MINUTES = 15 * 60 * 1000;

const fail = (type: SigV4Failure['type'], message: string, status: 400 | 403 = 403): SigV4Failure => ({ ok: false, status, type, message });

/** RFC 3986 encoding as SigV4 wants it: every byte but A-Z a-z 0-9 - _ . ~ percent-encoded, upper-case hex. */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, '%20'));
  } catch {
    return s;
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** The canonical request of step 1 (exported so a test can compare with the SDK's own signer). */
export function canonicalRequest(req: SigV4Request, signedHeaders: string[]): string {
  const q = req.url.indexOf('?');
  const rawPath = q < 0 ? req.url : req.url.slice(0, q);
  const rawQuery = q < 0 ? '' : req.url.slice(q + 1);
  const path = (rawPath || '/')
    .split('/')
    .map((segment) => uriEncode(segment))
    .join('/');
  const query = rawQuery
    .split('&')
    .filter((p) => p.length > 0)
    .map((p) => {
      const eq = p.indexOf('=');
      const k = eq < 0 ? p : p.slice(0, eq);
      const v = eq < 0 ? '' : p.slice(eq + 1);
      return [uriEncode(safeDecode(k)), uriEncode(safeDecode(v))] as const;
    })
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const headers = signedHeaders.map((name) => `${name}:${(header(req.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  // The body's own hash, not the header's claim: a header that does not match the body must not let a
  // changed body through (UNSIGNED-PAYLOAD is the one literal AWS allows instead of a hash).
  const claimed = header(req.headers, 'x-amz-content-sha256');
  const payload = claimed === 'UNSIGNED-PAYLOAD' ? claimed : sha256Hex(req.body);
  return [req.method.toUpperCase(), path, query, headers, signedHeaders.join(';'), payload].join('\n');
}

/** The signing key of step 3. */
export function signingKey(secretAccessKey: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request');
}

/** `20261201T105106Z` → epoch ms, or NaN. */
function amzTime(v: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : Date.parse(v);
}

/** Checks a request's SigV4 Authorization header. Never throws: the header is whatever a caller sent. */
export function verifySigV4(req: SigV4Request, opts: SigV4Options): SigV4Result {
  const auth = header(req.headers, 'authorization');
  if (!auth) return fail('MissingAuthenticationTokenException', 'Missing Authentication Token');
  if (!auth.startsWith(`${ALGORITHM} `)) return fail('IncompleteSignatureException', `Authorization header requires the ${ALGORITHM} algorithm.`, 400);
  const fields = new Map<string, string>();
  for (const part of auth.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signed = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (!credential || !signed || !signature) {
    const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((k) => !fields.get(k));
    return fail('IncompleteSignatureException', `Authorization header requires ${missing.map((k) => `'${k}'`).join(', ')} parameter(s). Authorization=${auth.slice(0, 60)}`, 400);
  }
  const scope = credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request') return fail('IncompleteSignatureException', `Credential should be scoped to a valid region, not '${credential}'.`, 400);
  const [accessKeyId, date, region, service] = scope as [string, string, string, string, string];
  if (opts.service && service !== opts.service) return fail('InvalidSignatureException', `Credential should be scoped to correct service: '${opts.service}'.`);
  if (opts.region && region !== opts.region) return fail('InvalidSignatureException', `Credential should be scoped to a valid region, not '${region}'.`);

  const signedHeaders = signed.split(';');
  if (signedHeaders.some((h) => h !== h.toLowerCase()) || [...signedHeaders].sort().join(';') !== signed) {
    return fail('InvalidSignatureException', 'SignedHeaders must be lower-case and sorted.');
  }
  if (!signedHeaders.includes('host')) return fail('InvalidSignatureException', "'Host' must be a signed header.");
  const xAmzDate = header(req.headers, 'x-amz-date');
  const dateHeader = xAmzDate ?? header(req.headers, 'date');
  if (!dateHeader) return fail('IncompleteSignatureException', 'Authorization header requires existence of either a \'X-Amz-Date\' or a \'Date\' header.', 400);
  if (!signedHeaders.includes(xAmzDate ? 'x-amz-date' : 'date')) return fail('InvalidSignatureException', `'${xAmzDate ? 'X-Amz-Date' : 'Date'}' must be a signed header.`);
  const at = amzTime(dateHeader);
  const now = opts.now ?? Date.now();
  if (Number.isNaN(at)) return fail('IncompleteSignatureException', `Date must be in ISO-8601 'basic format'. Got '${dateHeader}'.`, 400);
  if (Math.abs(now - at) > (opts.maxSkewMs ?? FIFTEEN_MINUTES)) {
    return fail('InvalidSignatureException', `Signature expired: ${dateHeader} is now earlier than the allowed window (15 min).`);
  }
  if (xAmzDate && xAmzDate.slice(0, 8) !== date) return fail('InvalidSignatureException', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${date}' != '${xAmzDate.slice(0, 8)}'.`);

  const secret = opts.lookup(accessKeyId);
  if (!secret) return fail('UnrecognizedClientException', 'The security token included in the request is invalid.');
  if (secret.sessionToken !== undefined && header(req.headers, 'x-amz-security-token') !== secret.sessionToken) {
    return fail('UnrecognizedClientException', 'The security token included in the request is invalid.');
  }

  const canonical = canonicalRequest(req, signedHeaders);
  const stringToSign = [ALGORITHM, dateHeader, `${date}/${region}/${service}/aws4_request`, sha256Hex(canonical)].join('\n');
  const expected = createHmac('sha256', signingKey(secret.secretAccessKey, date, region, service)).update(stringToSign, 'utf8').digest('hex');
  const a = Buffer.from(expected);
  const b = Buffer.from(signature);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    return fail(
      'InvalidSignatureException',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    );
  }
  return { ok: true, accessKeyId, region, service, date };
}

/**
 * Signs a request the way the SDK does (for tests and tools that talk to an emulator without an SDK):
 * returns the headers to add (host, x-amz-date, authorization, and x-amz-security-token when given).
 */
export function signSigV4(
  req: { method: string; url: string; host: string; headers?: Record<string, string>; body?: Buffer | string },
  cred: { accessKeyId: string; secretAccessKey: string; sessionToken?: string; region: string; service: string; now?: number },
): Record<string, string> {
  const iso = new Date(cred.now ?? Date.now()).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const date = iso.slice(0, 8);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
  headers.host = req.host;
  headers['x-amz-date'] = iso;
  if (cred.sessionToken) headers['x-amz-security-token'] = cred.sessionToken;
  const names = Object.keys(headers).sort();
  const body = typeof req.body === 'string' ? Buffer.from(req.body) : (req.body ?? Buffer.alloc(0));
  const canonical = canonicalRequest({ method: req.method, url: req.url, headers, body }, names);
  const scope = `${date}/${cred.region}/${cred.service}/aws4_request`;
  const stringToSign = [ALGORITHM, iso, scope, sha256Hex(canonical)].join('\n');
  const signature = createHmac('sha256', signingKey(cred.secretAccessKey, date, cred.region, cred.service)).update(stringToSign, 'utf8').digest('hex');
  return { ...headers, authorization: `${ALGORITHM} Credential=${cred.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}` };
}
