// Options of the Amazon Connect emulator and their defaults. Defaults are AWS's documented values where AWS
// documents one (connection token lifetime: 1 day; text message length: 1,024 characters; chat duration:
// 25 h); tests scale timings down. Credentials are fixed so `parley emulate connect` prints values a
// developer can paste into config once.
import type { ServerOptions } from '../kit/index.js';

export interface AgentOptions {
  id: string;
  name: string;
}

export interface QueueOptions {
  id: string;
  name: string;
}

export interface ConnectEmulatorOptions extends ServerOptions {
  region?: string;
  accountId?: string;
  /** The IAM access key the Connect API accepts (SigV4). */
  accessKeyId?: string;
  secretAccessKey?: string;
  instanceId?: string;
  contactFlowId?: string;
  /** Standard SNS topic names in the emulated account that StartContactStreaming may stream to. */
  topics?: string[];
  /** SNS SignatureVersion of the topics' notifications ('1': SHA1, '2': SHA256). */
  snsSignatureVersion?: '1' | '2';
  agents?: AgentOptions[];
  queues?: QueueOptions[];
  /** Lifetime of a ConnectionToken (AWS: 1 day). Tests set seconds to force refreshes. */
  connectionTokenTtlSeconds?: number;
  /** Longest accepted text/plain and text/markdown message (AWS: 1,024). */
  maxTextLength?: number;
}

/** What the control API may change while the emulator runs. */
export interface Settings {
  connectionTokenTtlSeconds: number;
  maxTextLength: number;
}

export const DEFAULTS = {
  region: 'us-east-1',
  accountId: '123456789012',
  accessKeyId: 'AKIAEMULATORCONNECT0',
  secretAccessKey: 'emulator/connect/secret/access/key/000000',
  instanceId: 'dddddddd-b64e-40c5-921b-109fd92499ae',
  contactFlowId: '4f7c1a2e-9d3b-4e8f-a6c5-0b1d2e3f4a5b',
  topics: ['connect-chat-stream'],
  agents: [
    { id: 'a1a1a1a1-0000-4000-8000-00000000c0a1', name: 'Casey Agent' },
    { id: 'b2b2b2b2-0000-4000-8000-00000000c0a2', name: 'Devon Agent' },
  ],
  queues: [
    { id: 'q1q1q1q1-0000-4000-8000-00000000c0b1', name: 'BasicQueue' },
    { id: 'q2q2q2q2-0000-4000-8000-00000000c0b2', name: 'Billing' },
  ],
  settings: { connectionTokenTtlSeconds: 86_400, maxTextLength: 1024 } satisfies Settings,
};

export function settingsFrom(opts: ConnectEmulatorOptions): Settings {
  return {
    connectionTokenTtlSeconds: opts.connectionTokenTtlSeconds ?? DEFAULTS.settings.connectionTokenTtlSeconds,
    maxTextLength: opts.maxTextLength ?? DEFAULTS.settings.maxTextLength,
  };
}
