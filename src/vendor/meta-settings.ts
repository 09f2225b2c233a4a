import { z } from 'zod';

// Settings every Meta channel (messenger, whatsapp) shares: the app that receives the webhooks and the Graph
// API it calls. Secrets as `{ "env": "NAME" }`. Each .describe() is what `parley config` prints.

/** Meta's Graph API host (vendor-protocols §5.4, §7); the emulator stands in with its own base URL. */
export const GRAPH_API = 'https://graph.facebook.com';
/** The Graph API version Parley speaks, pinned (Meta retires versions about two years after release). */
export const GRAPH_VERSION = 'v25.0';

const secret = z.string().min(8, 'must be at least 8 characters');

export const metaAppSettings = (product: string) => ({
  appSecret: z
    .union([secret, z.array(secret).min(1).max(2)])
    .describe(`the Meta app's App Secret, which signs every ${product} webhook (X-Hub-Signature-256); two while rotating; use { "env": "NAME" }`),
  verifyToken: z
    .string()
    .min(8, 'must be at least 8 characters')
    .max(200)
    .describe("the Verify Token typed into the app's webhook settings: Meta's GET handshake must echo it; use { \"env\": \"NAME\" }"),
  appId: z
    .string()
    .regex(/^\d{1,30}$/, 'must be the numeric App ID')
    .optional()
    .describe("the app's numeric App ID: echoes of Parley's own sends carry it (other apps' echoes are logged, not stored)"),
  graphApiBaseUrl: z.url({ protocol: /^https?$/ }).default(GRAPH_API).describe('the Graph API base URL (the emulator: http://127.0.0.1:9130)'),
  graphApiVersion: z
    .string()
    .regex(/^v\d{1,3}\.\d{1,2}$/, 'must be a Graph API version such as v25.0')
    .default(GRAPH_VERSION)
    .describe('the Graph API version to call (pinned: Meta retires old versions)'),
});

/** The App Secrets as a list (several while rotating). */
export const appSecrets = (s: { appSecret: string | string[] }): string[] => (Array.isArray(s.appSecret) ? s.appSecret : [s.appSecret]);
