import { z } from 'zod';
import { SNS_TOPIC_ARN, vendorTimeouts } from '../../vendor/settings.js';

// The settings of one `aws-sms` channel instance: one origination identity (a phone number, its id or ARN, or
// a pool) in AWS End User Messaging SMS, whose two-way SMS publishes to an SNS topic that Parley's webhook
// is subscribed to. Credentials come from the AWS SDK's default provider chain (environment, shared
// profile, SSO, container or instance role) unless given here; secrets as `{ "env": "NAME" }`.

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-fA-F:]+\](:\d{1,5})?$/;

// Each setting's .describe() text is what `parley config` prints (switchboard/doc.ts), so it is the doc.
export const AwsSmsSettings = z
  .object({
    region: z.string().regex(REGION, 'must be an AWS region such as us-east-1').optional().describe('the AWS region of the phone number (us-east-1); required unless `endpoint` is given'),
    endpoint: z
      .url({ protocol: /^https?$/ })
      .optional()
      .describe('a full SMS Voice v2 API base URL instead of the regional one (the emulator: http://127.0.0.1:9120)'),
    originationIdentity: z
      .string()
      .min(1)
      .max(256)
      .regex(/^[A-Za-z0-9_:/+-]+$/, 'must be a phone number (+12065550100), phone number id, pool id or ARN')
      .describe('what texts are sent from: the E.164 number, its PhoneNumberId, a PoolId, or an ARN'),
    topicArn: z.string().regex(SNS_TOPIC_ARN, 'must be an SNS topic ARN').describe("the SNS topic the number's two-way SMS publishes to (the only topic whose subscription is confirmed)"),
    eventsTopicArn: z.string().regex(SNS_TOPIC_ARN, 'must be an SNS topic ARN').optional().describe("the SNS topic of the configuration set's event destination, when it is another topic"),
    configurationSetName: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe('a configuration set whose event destination publishes TEXT_DELIVERED / failure events to one of the topics: agent messages then show delivered or failed'),
    snsTrustedHosts: z
      .array(z.string().regex(HOST, 'must be host[:port]'))
      .max(5)
      .default([])
      .describe("host[:port] trusted for SigningCertURL and SubscribeURL besides AWS's sns.<region>.amazonaws.com: the emulator only, never in production"),
    accessKeyId: z.string().min(16).max(128).optional().describe('an access key id; absent: the default AWS credential chain'),
    secretAccessKey: z.string().min(1).optional().describe('its secret; use { "env": "NAME" }'),
    sessionToken: z.string().min(1).optional().describe('for temporary credentials; use { "env": "NAME" }'),
    messageType: z.enum(['TRANSACTIONAL', 'PROMOTIONAL']).default('TRANSACTIONAL').describe('the SendTextMessage MessageType'),
    maxTextLength: z
      .number()
      .int()
      .min(70)
      .max(1600)
      .default(1600)
      .describe("characters per SendTextMessage (AWS's limit: 1600, sent as concatenated SMS); longer agent texts are split into several"),
    maxTextsPerMessage: z.number().int().min(1).max(20).default(5).describe('at most this many texts for one agent message; the rest is cut with a note'),
    ratePerSecond: z.number().int().positive().max(1000).default(20).describe('SendTextMessage calls per second from this instance (keep within the MPS of the number)'),
    ...vendorTimeouts('AWS', 'longest one delivery (all its texts) may take, ms (below PARLEY_DELIVERY_TIMEOUT_MS)'),
  })
  .strict()
  .refine((s) => s.region !== undefined || s.endpoint !== undefined, { message: 'give "region" (or "endpoint" for the emulator)', path: ['region'] })
  .refine((s) => (s.accessKeyId === undefined) === (s.secretAccessKey === undefined), { message: 'give both "accessKeyId" and "secretAccessKey", or neither (the default credential chain)', path: ['accessKeyId'] });
export type AwsSmsSettings = z.output<typeof AwsSmsSettings>;
