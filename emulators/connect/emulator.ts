// Assembles the Amazon Connect emulator from the kit and the files beside this one: the Connect API
// (SigV4), the Participant Service (bearer tokens), S3-style attachment URLs, SNS topics for chat
// streaming, the control API and the agent page. Both APIs are served from one origin: point both SDK
// clients' `endpoint` at it.
import { randomUUID } from 'node:crypto';
import { noKitWebhooks, serverOptions, startEmulator, type RunningEmulator } from '../kit/index.js';
import { agentPageRoute } from './agent-page.js';
import { DEFAULTS, settingsFrom, type ConnectEmulatorOptions, type Settings } from './config.js';
import { connectApiRoutes } from './connect-api.js';
import { CONNECT_CONTROL_DOCS, connectControlRoutes } from './control.js';
import { Desk } from './desk.js';
import { connectVendorErrors } from './errors.js';
import { participantApiRoutes } from './participant-api.js';
import { Store } from './state.js';
import { Streaming } from './streaming.js';

export interface ConnectCredentials {
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  instanceId: string;
  contactFlowId: string;
  /** The streaming topics' ARNs (the first is the default). */
  topicArns: string[];
}

export interface ConnectEmulator extends RunningEmulator<ConnectCredentials> {
  settings: Settings;
  store: Store;
  desk: Desk;
  streaming: Streaming;
  /** Resolves when no SNS notification is in flight or waiting to be retried. */
  streamsIdle(): Promise<void>;
}

export async function startConnectEmulator(opts: ConnectEmulatorOptions & { snsRetry?: { delaysMs?: number[]; timeoutMs?: number } } = {}): Promise<ConnectEmulator> {
  const settings = settingsFrom(opts);
  const initial = structuredClone(settings);
  const store = new Store();
  const region = opts.region ?? DEFAULTS.region;
  const accountId = opts.accountId ?? DEFAULTS.accountId;
  let parts: { desk: Desk; streaming: Streaming } | undefined;

  const running = await startEmulator<ConnectCredentials>('connect', {
    ...serverOptions(opts),
    // The kit's webhook sender is unused: SNS topics deliver with their own retry policy.
    retryPolicy: noKitWebhooks,
    vendor: (kit) => {
      const baseUrl = () => kit.baseUrl;
      const streaming = new Streaming({
        region,
        accountId,
        topics: opts.topics ?? DEFAULTS.topics,
        signatureVersion: opts.snsSignatureVersion ?? '2',
        baseUrl,
        ...(opts.snsRetry ? { retry: opts.snsRetry } : {}),
      });
      const agents = opts.agents ?? DEFAULTS.agents;
      const queues = opts.queues ?? DEFAULTS.queues;
      const desk = new Desk(store, settings, streaming, { accountId, agents, queues, baseUrl });
      parts = { desk, streaming };
      const credentials: ConnectCredentials = {
        region,
        accessKeyId: opts.accessKeyId ?? DEFAULTS.accessKeyId,
        secretAccessKey: opts.secretAccessKey ?? DEFAULTS.secretAccessKey,
        instanceId: opts.instanceId ?? DEFAULTS.instanceId,
        contactFlowId: opts.contactFlowId ?? DEFAULTS.contactFlowId,
        topicArns: [...streaming.topics.keys()],
      };
      return {
        credentials,
        errors: connectVendorErrors,
        controlDocs: CONNECT_CONTROL_DOCS,
        routes: [
          ...connectApiRoutes({ store, desk, streaming, identity: credentials, instanceId: credentials.instanceId, contactFlowId: credentials.contactFlowId }),
          ...participantApiRoutes(store, desk, baseUrl),
          ...streaming.routes(),
          ...connectControlRoutes({ store, settings, desk, streaming }),
          agentPageRoute(),
        ],
        summary: () => ({
          region,
          accountId,
          endpoint: kit.baseUrl,
          instanceId: credentials.instanceId,
          contactFlowId: credentials.contactFlowId,
          topics: [...streaming.topics.values()].map((t) => ({ topicArn: t.topicArn, confirmed: t.confirmed() })),
          agents,
          queues,
          agentPage: `${kit.baseUrl}/agent`,
          settings,
        }),
        reset: () => {
          store.reset();
          streaming.reset();
          Object.assign(settings, structuredClone(initial));
        },
        decorate: (_ctx, reply) => {
          reply.headers = { 'x-amzn-requestid': randomUUID(), ...reply.headers };
        },
        close: () => streaming.close(),
      };
    },
  });
  const { desk, streaming } = parts!;
  return { ...running, settings, store, desk, streaming, streamsIdle: () => streaming.idle() };
}
