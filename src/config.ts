import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ParleyError } from './core/errors.js';
import { parseSwitchboard, type SwitchboardConfig } from './switchboard/config.js';

// One validated configuration from environment variables and an optional parley.config.json (environment
// wins). Each setting is declared once, here, with its environment name, file key, default and meaning;
// the README table (`parley config`) and `parley doctor`'s checks come from this same list so they cannot drift.

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const list = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean));
const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1')]);

export const SETTINGS = {
  port: { env: 'PORT', schema: int(0, 65535), default: 8080, doc: 'HTTP port.' },
  host: { env: 'HOST', schema: z.string().min(1), default: '0.0.0.0', doc: 'Interface to listen on.' },
  dataDir: { env: 'PARLEY_DATA_DIR', schema: z.string().min(1), default: './data', doc: 'Folder for the SQLite file, media and generated secrets.' },
  publicUrl: { env: 'PARLEY_PUBLIC_URL', schema: z.string().url().optional(), default: undefined, doc: 'Base URL users reach Parley at (used in printed links and signed media URLs). Default http://localhost:PORT.' },
  databaseUrl: { env: 'DATABASE_URL', schema: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL').optional(), default: undefined, doc: 'PostgreSQL URL. Unset: embedded SQLite in the data folder.', secret: true /* the URL usually carries the password */ },
  tokenSigningKey: { env: 'PARLEY_TOKEN_SIGNING_KEY', schema: z.string().min(32, 'must be at least 32 characters').optional(), default: undefined, doc: 'Key that signs customer and agent tokens and media URLs. Generated into the data folder on first start when unset.', secret: true },
  identitySecret: { env: 'PARLEY_IDENTITY_SECRET', schema: z.string().min(32, 'must be at least 32 characters').optional(), default: undefined, doc: "HS256 secret your backend signs customers' identity tokens with. Unset: only anonymous customers.", secret: true },
  identityJwksUrl: {
    env: 'PARLEY_IDENTITY_JWKS_URL',
    schema: z.url({ protocol: /^https?$/ }).optional(),
    default: undefined,
    doc: "URL of your identity provider's JWKS: customers' identity tokens signed ES256 or RS256 with one of its keys (by kid) are verified; keys cached 10 minutes and fetched again for an unknown kid.",
  },
  identityIssuer: { env: 'PARLEY_IDENTITY_ISSUER', schema: z.string().min(1).max(500).optional(), default: undefined, doc: 'The `iss` every identity token must carry (checked when set).' },
  identityAudience: { env: 'PARLEY_IDENTITY_AUDIENCE', schema: z.string().min(1).max(500).optional(), default: undefined, doc: 'The `aud` every identity token must carry (checked when set).' },
  customerTokenTtl: { env: 'PARLEY_CUSTOMER_TOKEN_TTL', schema: int(60, 365 * 86400), default: 30 * 86400, doc: 'Lifetime of a customer session token, seconds.' },
  agentTokenTtl: { env: 'PARLEY_AGENT_TOKEN_TTL', schema: int(60, 30 * 86400), default: 12 * 3600, doc: 'Lifetime of an agent login token, seconds.' },
  bodyLimit: { env: 'PARLEY_BODY_LIMIT', schema: int(1024, 50 * 1024 * 1024), default: 256 * 1024, doc: 'Largest JSON request body, bytes.' },
  mediaMaxBytes: { env: 'PARLEY_MEDIA_MAX_BYTES', schema: int(1024, 500 * 1024 * 1024), default: 10 * 1024 * 1024, doc: 'Largest upload to /v1/media, bytes.' },
  mediaTypes: { env: 'PARLEY_MEDIA_TYPES', schema: list, default: ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'application/pdf'], doc: 'Content types /v1/media accepts (comma-separated).' },
  mediaUrlTtl: { env: 'PARLEY_MEDIA_URL_TTL', schema: int(10, 86400), default: 900, doc: 'Lifetime of a signed media URL, seconds.' },
  corsOrigins: { env: 'PARLEY_CORS_ORIGINS', schema: list, default: [], doc: 'Origins allowed to call the customer API from a browser (comma-separated; `*` for any).' },
  deliveryMaxAttempts: { env: 'PARLEY_DELIVERY_MAX_ATTEMPTS', schema: int(1, 100), default: 8, doc: 'Attempts per delivery before it is marked failed.' },
  deliveryBaseDelayMs: { env: 'PARLEY_DELIVERY_BASE_DELAY_MS', schema: int(1, 3_600_000), default: 1000, doc: 'First retry delay; doubles each attempt, with jitter.' },
  deliveryMaxDelayMs: { env: 'PARLEY_DELIVERY_MAX_DELAY_MS', schema: int(1, 86_400_000), default: 300_000, doc: 'Longest delay between two attempts.' },
  deliveryTimeoutMs: { env: 'PARLEY_DELIVERY_TIMEOUT_MS', schema: int(100, 600_000), default: 15_000, doc: 'How long one delivery attempt may take.' },
  durability: {
    env: 'PARLEY_DURABILITY',
    schema: z.enum(['normal', 'full']),
    default: 'normal',
    doc: 'When an acknowledged message is safe. `normal` (SQLite WAL, synchronous=NORMAL): survives a crash of Parley (kill -9); a power cut may lose the last moments. `full` (synchronous=FULL): every acknowledgement waits for an fsync, so it also survives a power cut. PostgreSQL always commits with synchronous_commit=on.',
  },
  defaultAssignment: { env: 'PARLEY_DEFAULT_ASSIGNMENT', schema: z.enum(['manual', 'round_robin']), default: 'round_robin', doc: 'Assignment mode of the `default` queue created on first start.' },
  trustProxy: { env: 'PARLEY_TRUST_PROXY', schema: list, default: [], doc: 'Addresses or CIDR ranges of your reverse proxies (comma-separated). Only requests from these may set X-Forwarded-For; none by default, so clients cannot choose the address the rate limits count.' },
  metricsToken: { env: 'PARLEY_METRICS_TOKEN', schema: z.string().min(16, 'must be at least 16 characters').optional(), default: undefined, doc: 'Bearer token that may read /metrics (for a Prometheus scrape config). API keys with the metrics:read scope may read it too; with neither, /metrics answers 401.', secret: true },
  rateLimitAuth: { env: 'PARLEY_RATE_LIMIT_AUTH', schema: int(1, 1_000_000), default: 30, doc: 'Login and setup attempts per client IP per minute.' },
  rateLimitSessions: { env: 'PARLEY_RATE_LIMIT_SESSIONS', schema: int(1, 1_000_000), default: 300, doc: 'New customer sessions per client IP per minute.' },
  logLevel: { env: 'LOG_LEVEL', schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), default: 'info', doc: 'Log level (JSON logs on stdout).' },
  shutdownGraceMs: { env: 'PARLEY_SHUTDOWN_GRACE_MS', schema: int(0, 600_000), default: 10_000, doc: 'How long shutdown waits for in-flight requests.' },
  printSetup: { env: 'PARLEY_PRINT_SETUP', schema: bool, default: true, doc: 'Print URLs and the first-admin setup link at start.' },
} as const;

type Settings = typeof SETTINGS;
/** File-only keys: the switchboard's instances and routes (src/switchboard/config.ts). */
const SWITCHBOARD_KEYS = ['channels', 'desks', 'routes'];

export type Config = Omit<{ [K in keyof Settings]: z.output<Settings[K]['schema']> }, 'tokenSigningKey' | 'publicUrl' | 'dataDir'> & {
  /** Channel and desk instances and the route table; `web → inbox` when the file declares none. */
  switchboard: SwitchboardConfig;
  /** Always set after loading: generated into the data folder when not configured. */
  tokenSigningKey: string;
  publicUrl: string;
  /** Absolute path of the data folder. */
  dataDir: string;
  configFile: string | null;
};

function readConfigFile(path: string): Record<string, unknown> {
  let raw: string;
  try {
    raw = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ParleyError('CONFIG', `Cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    const unknownKeys = Object.keys(parsed).filter((k) => !(k in SETTINGS) && !SWITCHBOARD_KEYS.includes(k) && k !== '$schema');
    if (unknownKeys.length) throw new ParleyError('CONFIG', `${path}: unknown key "${unknownKeys[0]}"`);
    return parsed as Record<string, unknown>;
  } catch (e) {
    if (e instanceof ParleyError) throw e;
    throw new ParleyError('CONFIG', `${path} is not a JSON object: ${(e as Error).message}`);
  }
}

/**
 * Load and validate. `env` and `cwd` are parameters so tests can load configs without touching the process.
 * Throws ParleyError(CONFIG) naming the offending key; secrets are never echoed back.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const configFile = env.PARLEY_CONFIG ? resolve(cwd, env.PARLEY_CONFIG) : resolve(cwd, 'parley.config.json');
  const fromFile = existsSync(configFile) ? readConfigFile(configFile) : env.PARLEY_CONFIG ? readConfigFile(configFile) : {};
  const out: Record<string, unknown> = {};
  for (const [key, s] of Object.entries(SETTINGS) as [keyof Settings, Settings[keyof Settings]][]) {
    const envValue = env[s.env];
    const source = envValue !== undefined && envValue !== '' ? `environment variable ${s.env}` : key in fromFile ? `"${key}" in ${configFile}` : null;
    const value = envValue !== undefined && envValue !== '' ? envValue : key in fromFile ? fromFile[key] : s.default;
    const parsed = (s.schema as z.ZodType).safeParse(value);
    if (!parsed.success) {
      const why = parsed.error.issues[0]?.message ?? 'invalid';
      const shown = 'secret' in s && s.secret ? '' : ` (got ${JSON.stringify(value)})`;
      throw new ParleyError('CONFIG', `Invalid ${source ?? key}: ${why}${shown}`, { details: { key, env: s.env } });
    }
    out[key] = parsed.data;
  }
  const dataDir = resolve(cwd, out.dataDir as string);
  const cfg = out as unknown as Config;
  cfg.dataDir = dataDir;
  cfg.configFile = existsSync(configFile) ? configFile : null;
  cfg.publicUrl = ((out.publicUrl as string | undefined) ?? `http://localhost:${cfg.port}`).replace(/\/+$/, '');
  cfg.tokenSigningKey = (out.tokenSigningKey as string | undefined) ?? loadOrCreateSecret(dataDir, 'tokenSigningKey');
  const switchboardRaw = Object.fromEntries(SWITCHBOARD_KEYS.filter((k) => k in fromFile).map((k) => [k, fromFile[k]]));
  cfg.switchboard = parseSwitchboard(switchboardRaw, env, configFile);
  return cfg;
}

/** Secrets the operator did not give are generated once and kept (0600) in the data folder. */
function loadOrCreateSecret(dataDir: string, name: string): string {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, 'secrets.json');
  let secrets: Record<string, string> = {};
  if (existsSync(file)) {
    try {
      secrets = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    } catch {
      throw new ParleyError('CONFIG', `${file} is corrupt; restore it or delete it (all tokens will be invalidated)`);
    }
  }
  const existing = secrets[name];
  if (existing) return existing;
  secrets[name] = randomBytes(32).toString('base64url');
  writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return secrets[name];
}
