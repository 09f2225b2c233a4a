// The AWS End User Messaging SMS emulator's options and AWS's documented defaults.
import type { ServerOptions } from '../kit/index.js';

export interface AwsSmsEmulatorOptions extends ServerOptions {
  /** The region the SigV4 scope must name (default us-east-1). */
  region?: string;
  accountId?: string;
  /** The emulated number (E.164) with two-way SMS on (default +12065550100). */
  phoneNumber?: string;
  /** The two-way SNS topic's name (default parley-two-way); its ARN is arn:aws:sns:<region>:<account>:<name>. */
  topicName?: string;
  /** The configuration set whose event destination is the events topic (default parley). */
  configurationSetName?: string;
  /** The events topic's name (default parley-sms-events). */
  eventsTopicName?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** The topics' SignatureVersion attribute (default 2). */
  signatureVersion?: '1' | '2';
  /** SNS's HTTP delivery policy, scaled down in tests (default 3 retries 20 s apart, 15 s timeout). */
  snsRetry?: { delaysMs?: number[]; timeoutMs?: number };
  /** Delay before the carrier's TEXT_SUCCESSFUL/TEXT_DELIVERED events, ms (default 50). */
  carrierDelayMs?: number;
}

export interface Settings {
  region: string;
  accountId: string;
  phoneNumber: string;
  topicArn: string;
  eventsTopicArn: string;
  configurationSetName: string;
  accessKeyId: string;
  secretAccessKey: string;
  signatureVersion: '1' | '2';
  carrierDelayMs: number;
}

/** SendTextMessage's MessageBody: AWS's API reference gives length 1–1600. */
export const MAX_MESSAGE_BODY = 1600;

export function settingsFrom(o: AwsSmsEmulatorOptions): Settings {
  const region = o.region ?? 'us-east-1';
  const accountId = o.accountId ?? '123456789012';
  return {
    region,
    accountId,
    phoneNumber: o.phoneNumber ?? '+12065550100',
    topicArn: `arn:aws:sns:${region}:${accountId}:${o.topicName ?? 'parley-two-way'}`,
    eventsTopicArn: `arn:aws:sns:${region}:${accountId}:${o.eventsTopicName ?? 'parley-sms-events'}`,
    configurationSetName: o.configurationSetName ?? 'parley',
    accessKeyId: o.accessKeyId ?? 'AKIAEMULATORSMS00001',
    secretAccessKey: o.secretAccessKey ?? 'emulator/secret/aws-sms/0000000000000000',
    signatureVersion: o.signatureVersion ?? '2',
    carrierDelayMs: o.carrierDelayMs ?? 50,
  };
}
