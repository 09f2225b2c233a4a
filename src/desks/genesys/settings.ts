import { z } from 'zod';
import { vendorTimeouts } from '../../vendor/settings.js';

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

// Each setting's .describe() text is what `parley config` prints (switchboard/doc.ts), so it is the doc.
export const GenesysSettings = z
  .object({
    region: z
      .string()
      .refine((r) => REGION_NAMES.includes(r) || ENV_HOSTS.includes(r), { message: `must be a Genesys region: ${REGION_NAMES.join(', ')} (or its host, e.g. mypurecloud.ie)` })
      .optional()
      .describe('a region key (eu_west_1) or its host (mypurecloud.ie); give this or `host`'),
    host: z
      .string()
      .regex(/^(https?:\/\/[^\s/]+\/?|[a-z0-9.-]+\.[a-z]{2,})$/i, 'must be a host name (mypurecloud.ie) or a base URL (http://127.0.0.1:9100)')
      .optional()
      .describe("the org's {env} host (a region not listed yet), or one base URL for login and API (the emulator: http://127.0.0.1:9100)"),
    clientId: z.string().min(1).describe('OAuth client id (client credentials grant) with the permissions listed in the README'),
    clientSecret: z.string().min(1).describe('its secret; use { "env": "NAME" }'),
    integrationId: z.string().min(1).max(100).describe('the Open Messaging integration id ({integrationId} in the inbound endpoints)'),
    webhookSecret: z
      .union([secret, z.array(secret).min(1).max(3)])
      .describe("the integration's outbound webhook signature secret token; a list of up to 3 while rotating it"),
    queueId: z.string().min(1).max(100).optional().describe('a Genesys queue id whose on-queue agents and estimated wait are shown to waiting customers'),
    queueName: z.string().min(1).max(200).optional().describe('the name customers see for that queue'),
    rateLimitPerMinute: z.number().int().positive().max(100_000).default(300).describe("requests per minute per token (Genesys's default for client credentials: 300)"),
    ...vendorTimeouts('Genesys'),
    endDetection: z
      .enum(['notifications', 'none'])
      .default('notifications')
      .describe("how an end at Genesys is noticed (the webhook has no such event): the Notifications API's WebSocket, or only ends from Parley's side"),
    availabilityIntervalMs: z.number().int().min(1_000).max(600_000).default(15_000).describe('how often queue availability is refreshed for waiting customers, ms'),
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
