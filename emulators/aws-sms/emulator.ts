// Assembles the AWS End User Messaging SMS emulator from the kit and the files beside this one.
import { noKitWebhooks, serverOptions, SnsTopic, startEmulator, type RunningEmulator } from '../kit/index.js';
import { apiRoutes } from './api.js';
import { Carrier } from './carrier.js';
import { settingsFrom, type AwsSmsEmulatorOptions, type Settings } from './config.js';
import { AWS_SMS_CONTROL_DOCS, awsSmsControlRoutes } from './control.js';
import { awsSmsVendorErrors } from './errors.js';
import { Store } from './state.js';

export interface AwsSmsCredentials {
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The emulated number (OriginationIdentity). */
  phoneNumber: string;
  topicArn: string;
  eventsTopicArn: string;
  configurationSetName: string;
}

export interface AwsSmsEmulator extends RunningEmulator<AwsSmsCredentials> {
  settings: Settings;
  store: Store;
  carrier: Carrier;
  twoWay: SnsTopic;
  events: SnsTopic;
  /** Resolves when no SNS delivery is in flight or waiting to be retried. */
  snsIdle(): Promise<void>;
}

export async function startAwsSmsEmulator(opts: AwsSmsEmulatorOptions = {}): Promise<AwsSmsEmulator> {
  const settings = settingsFrom(opts);
  const store = new Store(settings);
  let parts: { carrier: Carrier; twoWay: SnsTopic; events: SnsTopic } | undefined;
  const running = await startEmulator<AwsSmsCredentials>('aws-sms', {
    ...serverOptions(opts),
    // The kit's own sender is unused: SNS topics deliver with SNS's policy.
    retryPolicy: noKitWebhooks,
    vendor: (kit) => {
      const topic = (topicArn: string) =>
        new SnsTopic({ topicArn, baseUrl: () => kit.baseUrl, signatureVersion: settings.signatureVersion, ...(opts.snsRetry ? { retry: opts.snsRetry } : {}) });
      const twoWay = topic(settings.topicArn);
      const events = topic(settings.eventsTopicArn);
      const carrier = new Carrier(store, settings, twoWay, events);
      parts = { carrier, twoWay, events };
      const credentials: AwsSmsCredentials = {
        region: settings.region,
        accessKeyId: settings.accessKeyId,
        secretAccessKey: settings.secretAccessKey,
        phoneNumber: settings.phoneNumber,
        topicArn: settings.topicArn,
        eventsTopicArn: settings.eventsTopicArn,
        configurationSetName: settings.configurationSetName,
      };
      return {
        credentials,
        errors: awsSmsVendorErrors,
        controlDocs: AWS_SMS_CONTROL_DOCS,
        routes: [...apiRoutes(store, settings, carrier), ...twoWay.routes(), ...events.routes(), ...awsSmsControlRoutes({ store, carrier, twoWay, events })],
        summary: () => ({
          endpoint: kit.baseUrl,
          sdk: `new PinpointSMSVoiceV2Client({ region: '${settings.region}', endpoint: '${kit.baseUrl}', credentials: { accessKeyId, secretAccessKey } })`,
          phoneNumber: store.number,
          topics: { twoWay: settings.topicArn, events: settings.eventsTopicArn },
          configurationSetName: settings.configurationSetName,
          subscriptions: { twoWay: twoWay.confirmed(), events: events.confirmed() },
        }),
        reset: () => {
          carrier.close();
          store.reset();
          twoWay.reset();
          events.reset();
        },
        close: () => {
          carrier.close();
          twoWay.close();
          events.close();
        },
      };
    },
  });
  const { carrier, twoWay, events } = parts!;
  return {
    ...running,
    settings,
    store,
    carrier,
    twoWay,
    events,
    snsIdle: async () => {
      await twoWay.idle();
      await events.idle();
    },
  };
}
