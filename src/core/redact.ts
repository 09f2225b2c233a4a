// Which names carry credentials, and URLs with those removed: one rule for Parley's own request logs
// (stream tokens and media signatures ride in queries) and for the vendor client's logs (OAuth bodies,
// API keys). Over-redacting a log line costs nothing; leaking a token costs a rotation.

export const REDACTED = '[redacted]';

/** Names whose values are credentials, judged case-insensitively anywhere in the name (`x-api-key`, `access_token`). */
const CREDENTIAL_NAME = /token|secret|passw|authori[sz]ation|api[-_]?key|signature|cookie|credential|assertion|private[-_]?key/i;
/** Short names that are credentials only when they are the whole name (a `keyword` field is not one). */
const CREDENTIAL_EXACT = new Set(['key', 'sig', 'pwd', 'auth']);

/** Header, form and JSON field names in vendor traffic (`{"code":"bad.request"}` is an error code, kept). */
export function isCredentialName(name: string): boolean {
  const n = name.trim().toLowerCase();
  return CREDENTIAL_EXACT.has(n) || CREDENTIAL_NAME.test(n);
}

/** Query parameters of requests to Parley: `code` is an OAuth code there, but `tokens_left` is no token. */
const PARAM_EXACT = new Set(['token', 'sig', 'code', 'key', 'apikey', 'api_key', 'password', 'secret', 'signature']);

export function isCredentialParam(name: string): boolean {
  const n = name.trim().toLowerCase();
  return PARAM_EXACT.has(n) || /(token|secret|password)$/.test(n);
}

/** A query parameter's name as the server will read it: `+` is a space, `%74oken` is `token`. */
function decodedName(raw: string): string {
  const name = raw.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(name);
  } catch {
    return name; // malformed escapes: judge the raw name
  }
}

/**
 * A URL with credential query parameters redacted, judged by their decoded names. Every `&`, `;` and any
 * `?` after the first count as separators: a value holding `?%74oken=…` (`/x?b=1/y?%74oken=…`) is split
 * there too, because some parsers and the next proxy may read it as a parameter of its own.
 */
export function redactUrl(url: string, isSecret: (decodedName: string) => boolean = isCredentialParam): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const parts = url.slice(q + 1).split(/([&;?])/);
  for (let i = 0; i < parts.length; i += 2) {
    const pair = parts[i]!;
    const eq = pair.indexOf('=');
    if (eq >= 0 && isSecret(decodedName(pair.slice(0, eq)))) parts[i] = `${pair.slice(0, eq)}=${REDACTED}`;
  }
  return `${url.slice(0, q)}?${parts.join('')}`;
}
