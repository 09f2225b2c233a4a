// Assembles the Twilio Programmable Messaging emulator from the kit and the files beside this one.
import { randomUUID } from 'node:crypto';
import { startEmulator, type RetryPolicy, type RunningEmulator } from '../kit/index.js';
import { Carrier } from './carrier.js';
import { settingsFrom, type Settings, type TwilioEmulatorOptions } from './config.js';
import { TWILIO_CONTROL_DOCS, twilioControlRoutes } from './control.js';
import { twilioVendorErrors } from './errors.js';
import { messageRoutes } from './messages.js';
import { PHONE_PAGE_DOC, phonePageRoute } from './phone-page.js';
import { Store } from './state.js';

export interface TwilioCredentials {
  accountSid: string;
  /** Signs every webhook (X-Twilio-Signature) and authenticates the API with the Account SID. */
  authToken: string;
  apiKeySid: string;
  apiKeySecret: string;
  /** The account's number customers text (From of outbound messages). */
  number: string;
  messagingServiceSid: string;
}

export interface TwilioEmulator extends RunningEmulator<TwilioCredentials> {
  settings: Settings;
  store: Store;
  carrier: Carrier;
  /** Resolves when no webhook or status callback is in flight or waiting to be retried. */
  webhooksIdle(): Promise<void>;
}

/** Twilio's webhook rule: one attempt within its timeout, retried only as far as connection overrides say. */
export function twilioRetryPolicy(settings: Settings): RetryPolicy {
  const { timeoutMs, retries, delayMs } = settings.webhook;
  return { timeoutMs, delaysMs: Array.from({ length: retries }, () => delayMs), retryOn: (status) => status >= 500 || status === 429 };
}

export async function startTwilioEmulator(opts: TwilioEmulatorOptions = {}): Promise<TwilioEmulator> {
  const settings = settingsFrom(opts);
  const initial = structuredClone(settings);
  const store = new Store(opts);
  let carrier: Carrier | undefined;

  const running = await startEmulator<TwilioCredentials>('twilio', {
    ...(opts.port !== undefined ? { port: opts.port } : {}),
    ...(opts.host !== undefined ? { host: opts.host } : {}),
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.faults ? { faults: opts.faults } : {}),
    retryPolicy: () => twilioRetryPolicy(settings),
    vendor: (kit) => {
      carrier = new Carrier(store, settings, kit);
      const credentials: TwilioCredentials = {
        accountSid: store.accountSid,
        // Read live: the control API may rotate it.
        get authToken() {
          return store.authToken;
        },
        apiKeySid: store.apiKey.sid,
        apiKeySecret: store.apiKey.secret,
        number: store.number,
        messagingServiceSid: store.messagingServiceSid,
      };
      return {
        credentials,
        errors: twilioVendorErrors,
        controlDocs: [...TWILIO_CONTROL_DOCS, PHONE_PAGE_DOC],
        routes: [...messageRoutes(store, settings, carrier), ...twilioControlRoutes({ store, settings, carrier, baseUrl: () => kit.baseUrl }), phonePageRoute()],
        summary: () => ({
          apiBase: `${kit.baseUrl}/2010-04-01`,
          messages: `POST ${kit.baseUrl}/2010-04-01/Accounts/${store.accountSid}/Messages.json (HTTP Basic: Account SID + Auth Token, or API key)`,
          number: store.number,
          phonePage: `${kit.baseUrl}/phone`,
          messagingServiceSid: store.messagingServiceSid,
          webhookUrl: settings.webhookUrl || null,
          sdk: `twilio(accountSid, authToken); client.api.baseUrl = '${kit.baseUrl}'`,
          settings,
        }),
        reset: () => {
          store.reset();
          carrier?.reset();
          Object.assign(settings, structuredClone(initial));
        },
        decorate: (_ctx, reply) => {
          reply.headers = { ...reply.headers, 'twilio-request-id': `RQ${randomUUID().replace(/-/g, '')}` };
        },
        close: () => carrier?.close(),
      };
    },
  });
  return { ...running, settings, store, carrier: carrier!, webhooksIdle: () => running.kit.webhooks.idle() };
}
