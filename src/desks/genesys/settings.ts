import { z } from 'zod';

// The settings of one `genesys` desk instance (an Open Messaging integration in one Genesys Cloud org).
// Secrets come from the environment: `"clientSecret": { "env": "GENESYS_CLIENT_SECRET" }`.

/**
 * Every Genesys Cloud region: the official SDK's region key → `{env}`, where the API is `https://api.{env}`
 * and login `https://login.{env}` (purecloud-platform-client-v2 262, PureCloudRegionHosts; vendor-protocols §1.1).
 */
export const GENESYS_REGIONS = {
  us_east_1: 'mypurecloud.com',
  us_east_2: 'use2.us-gov-pure.cloud',
  us_west_2: 'usw2.pure.cloud',
  ca_central_1: 'cac1.pure.cloud',
  sa_east_1: 'sae1.pure.cloud',
  mx_central_1: 'mxc1.pure.cloud',
  eu_west_1: 'mypurecloud.ie',
  eu_west_2: 'euw2.pure.cloud',
  eu_central_1: 'mypurecloud.de',
  eu_central_2: 'euc2.pure.cloud',
  eusc_de_east_1: 'edee1.eusc-pure.cloud',
  me_central_1: 'mec1.pure.cloud',
  ap_south_1: 'aps1.pure.cloud',
  ap_southeast_1: 'apse1.pure.cloud',
  ap_southeast_2: 'mypurecloud.com.au',
  ap_northeast_1: 'mypurecloud.jp',
  ap_northeast_2: 'apne2.pure.cloud',
  ap_northeast_3: 'apne3.pure.cloud',
} as const;

const REGION_NAMES = Object.keys(GENESYS_REGIONS);
const ENV_HOSTS: string[] = Object.values(GENESYS_REGIONS);

const secret = z.string().min(8, 'must be at least 8 characters');

export const GenesysSettings = z
  .object({
    /** A region key (`eu_west_1`) or its `{env}` (`mypurecloud.ie`). Give this or `host`. */
    region: z
      .string()
      .refine((r) => REGION_NAMES.includes(r) || ENV_HOSTS.includes(r), { message: `must be a Genesys region: ${REGION_NAMES.join(', ')} (or its host, e.g. mypurecloud.ie)` })
      .optional(),
    /**
     * The org's `{env}` host (`mypurecloud.ie`, or a region not yet listed here), or a full base URL serving
     * both login and API (`http://127.0.0.1:9100`: the Genesys emulator).
     */
    host: z
      .string()
      .regex(/^(https?:\/\/[^\s/]+\/?|[a-z0-9.-]+\.[a-z]{2,})$/i, 'must be a host name (mypurecloud.ie) or a base URL (http://127.0.0.1:9100)')
      .optional(),
    /** OAuth client (client credentials grant), with the permissions listed in the README. */
    clientId: z.string().min(1),
    clientSecret: z.string().min(1),
    /** The Open Messaging integration id (`{integrationId}` in the inbound endpoints). */
    integrationId: z.string().min(1).max(100),
    /** The integration's outboundNotificationWebhookSignatureSecretToken; a list while rotating it. */
    webhookSecret: z.union([secret, z.array(secret).min(1).max(3)]),
    /** A Genesys queue (id) whose on-queue agents and estimated wait are shown to waiting customers. */
    queueId: z.string().min(1).max(100).optional(),
    queueName: z.string().min(1).max(200).optional(),
    /** Requests per minute per token (Genesys's default for client credentials: 300). */
    rateLimitPerMinute: z.number().int().positive().max(100_000).default(300),
    /** Longest one request may take, and one call with its retries (keep below PARLEY_DELIVERY_TIMEOUT_MS). */
    attemptTimeoutMs: z.number().int().positive().max(60_000).default(5_000),
    totalTimeoutMs: z.number().int().positive().max(120_000).default(12_000),
    /**
     * How the end of a conversation at Genesys is detected (the Open Messaging webhook has none):
     * `notifications` subscribes to the Notifications API over its WebSocket; `none` only ends from Parley's side.
     */
    endDetection: z.enum(['notifications', 'none']).default('notifications'),
    /** How often queue availability is refreshed for waiting customers, ms. */
    availabilityIntervalMs: z.number().int().min(1_000).max(600_000).default(15_000),
  })
  .strict()
  .refine((s) => (s.region === undefined) !== (s.host === undefined), { message: 'give exactly one of "region" and "host"', path: ['region'] });
export type GenesysSettings = z.output<typeof GenesysSettings>;

/** Login and API base URLs of an instance. */
export function genesysHosts(s: Pick<GenesysSettings, 'region' | 'host'>): { apiUrl: string; loginUrl: string } {
  if (s.host && /^https?:\/\//i.test(s.host)) {
    const base = s.host.replace(/\/+$/, '');
    return { apiUrl: base, loginUrl: base };
  }
  const env = s.host ?? (s.region && s.region in GENESYS_REGIONS ? GENESYS_REGIONS[s.region as keyof typeof GENESYS_REGIONS] : s.region);
  return { apiUrl: `https://api.${env}`, loginUrl: `https://login.${env}` };
}
