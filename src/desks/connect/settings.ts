import { z } from 'zod';
import { SNS_TOPIC_ARN, vendorTimeouts } from '../../vendor/settings.js';

// The settings of one `connect` desk instance (one Amazon Connect instance and contact flow, streaming to one
// SNS topic). Credentials are optional: without them the SDK's default provider chain is used (environment,
// shared config/profile, web identity, ECS/EC2 role), which is what a deployment on AWS should rely on.
// Each .describe() is what `parley config` prints.

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

export const ConnectSettings = z
  .object({
    region: z.string().regex(REGION, 'must be an AWS region such as us-east-1').describe('the AWS region of the Connect instance (also the SigV4 signing region)'),
    endpoint: z.url({ protocol: /^https?$/ }).optional().describe('Connect API base URL instead of https://connect.{region}.amazonaws.com (the emulator: http://127.0.0.1:9300)'),
    participantEndpoint: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('Participant Service base URL instead of https://participant.connect.{region}.amazonaws.com (default: `endpoint` when that is set)'),
    instanceId: z.string().min(1).max(100).describe('the Connect instance id (the last part of its ARN)'),
    contactFlowId: z.string().min(1).max(500).describe('the inbound contact flow new chats start in'),
    // Connect streams to standard topics only; FIFO topics (…\.fifo) fail SNS_TOPIC_ARN.
    topicArn: z.string().regex(SNS_TOPIC_ARN, 'must be a standard SNS topic ARN (FIFO topics are not supported by Connect)').describe('the SNS topic chats stream to (StartContactStreaming)'),
    snsTrustedHosts: z
      .array(z.string().regex(/^[a-z0-9.-]+(:\d{1,5})?$/i, 'must be host or host:port'))
      .max(5)
      .default([])
      .describe("host[:port] trusted besides AWS's sns.<region>.amazonaws.com for signing certificates and SubscribeURLs: the emulator only, never in production"),
    credentials: z
      .object({ accessKeyId: z.string().min(16).max(128), secretAccessKey: z.string().min(1), sessionToken: z.string().min(1).optional() })
      .strict()
      .optional()
      .describe('static IAM credentials; use { "env": "NAME" } for each. Absent: the default AWS provider chain'),
    supportedContentTypes: z
      .array(z.enum(['text/plain', 'text/markdown']))
      .min(1)
      .default(['text/plain', 'text/markdown'])
      .refine((t) => t.includes('text/plain'), 'must include text/plain')
      .describe('SupportedMessagingContentTypes of new chats (Connect requires text/plain)'),
    chatDurationMinutes: z.number().int().min(60).max(10_080).optional().describe('ChatDurationInMinutes of new chats (Connect default: 1500)'),
    customerName: z.string().min(1).max(256).default('Customer').describe("the display name agents see when the customer's contact has no name"),
    ...vendorTimeouts('AWS'),
    connectRequestsPerSecond: z.number().positive().max(1000).default(2).describe('Connect API request budget per second (AWS default quota: 2, burst 5)'),
    connectBurst: z.number().int().positive().max(1000).default(5).describe('Connect API burst'),
    participantRequestsPerSecond: z.number().int().positive().max(10_000).default(20).describe('Participant Service request budget per second for this instance'),
    refreshBeforeMs: z
      .number()
      .int()
      .min(1_000)
      .max(12 * 3600_000)
      .default(3600_000)
      .describe('renew a participant connection token this long before it expires (Connect issues them for 1 day), ms'),
  })
  .strict();
export type ConnectSettings = z.output<typeof ConnectSettings>;

/** Base URLs of the two APIs (undefined: the SDK's own regional endpoint). */
export function connectEndpoints(s: Pick<ConnectSettings, 'endpoint' | 'participantEndpoint'>): { connect?: string; participant?: string } {
  const participant = s.participantEndpoint ?? s.endpoint;
  return { ...(s.endpoint ? { connect: s.endpoint } : {}), ...(participant ? { participant } : {}) };
}
