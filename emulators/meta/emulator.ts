// Assembles the Meta Graph API emulator (Messenger Platform + WhatsApp Cloud API) from the kit and the files
// beside this one. One origin plays graph.facebook.com for both products, plus the two download hosts
// (Messenger's public CDN, WhatsApp's token-guarded media URLs).
import { serverOptions, startEmulator, type RetryPolicy, type RunningEmulator } from '../kit/index.js';
import { GRAPH_VERSION, settingsFrom, type MetaEmulatorOptions, type Settings } from './config.js';
import { META_CONTROL_DOCS, metaControlRoutes } from './control.js';
import { metaVendorErrors } from './errors.js';
import { decorate, graphRoutes } from './graph.js';
import { Messenger } from './messenger.js';
import { Hooks } from './outbound.js';
import { PHONE_PAGE_DOC, phonePageRoute } from './phone-page.js';
import { Store } from './state.js';
import { WhatsApp } from './whatsapp.js';

export interface MetaCredentials {
  appId: string;
  /** Signs every webhook (X-Hub-Signature-256, X-Hub-Signature). */
  appSecret: string;
  /** The dashboard's verify token, echoed in the GET handshake. */
  verifyToken: string;
  pageId: string;
  pageName: string;
  pageAccessToken: string;
  wabaId: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
  whatsappToken: string;
  graphVersion: string;
}

export interface MetaEmulator extends RunningEmulator<MetaCredentials> {
  settings: Settings;
  store: Store;
  messenger: Messenger;
  whatsapp: WhatsApp;
  /** Resolves when no webhook is in flight or waiting to be retried. */
  webhooksIdle(): Promise<void>;
}

/** Meta retries any non-2xx answer and timeouts (scaled down: `webhook.retries` × `webhook.delayMs`). */
export function metaRetryPolicy(settings: Settings): RetryPolicy {
  const { timeoutMs, retries, delayMs } = settings.webhook;
  return { timeoutMs, delaysMs: Array.from({ length: retries }, () => delayMs), retryOn: () => true };
}

export async function startMetaEmulator(opts: MetaEmulatorOptions = {}): Promise<MetaEmulator> {
  const settings = settingsFrom(opts);
  const initial = structuredClone(settings);
  const store = new Store(opts);
  let messenger: Messenger | undefined;
  let whatsapp: WhatsApp | undefined;

  const running = await startEmulator<MetaCredentials>('meta', {
    ...serverOptions(opts),
    maxBodyBytes: 110 * 1024 * 1024, // WhatsApp media uploads (documents up to 100 MB)
    retryPolicy: () => metaRetryPolicy(settings),
    vendor: (kit) => {
      const baseUrl = () => kit.baseUrl;
      const hooks = new Hooks(store, kit);
      messenger = new Messenger(store, settings, hooks, baseUrl);
      whatsapp = new WhatsApp(store, settings, hooks, baseUrl);
      const credentials: MetaCredentials = {
        appId: store.appId,
        // Read live: the control API may rotate them.
        get appSecret() {
          return store.appSecret;
        },
        get verifyToken() {
          return store.verifyToken;
        },
        pageId: store.pageId,
        pageName: store.pageName,
        pageAccessToken: store.pageAccessToken,
        wabaId: store.wabaId,
        phoneNumberId: store.phoneNumberId,
        displayPhoneNumber: store.displayPhoneNumber,
        whatsappToken: store.whatsappToken,
        graphVersion: GRAPH_VERSION,
      };
      return {
        credentials,
        errors: metaVendorErrors,
        controlDocs: [...META_CONTROL_DOCS, PHONE_PAGE_DOC],
        routes: [...metaControlRoutes({ store, settings, messenger, whatsapp, hooks }), phonePageRoute(), ...graphRoutes({ store, messenger, whatsapp })],
        summary: () => ({
          graphBase: `${kit.baseUrl}/${GRAPH_VERSION}`,
          messenger: { send: `POST ${kit.baseUrl}/${GRAPH_VERSION}/me/messages?access_token=<pageAccessToken>`, webhookUrl: store.subscriptions.messenger },
          whatsapp: { send: `POST ${kit.baseUrl}/${GRAPH_VERSION}/${store.phoneNumberId}/messages (Authorization: Bearer <whatsappToken>)`, webhookUrl: store.subscriptions.whatsapp },
          templates: store.templates,
          phonePage: `${kit.baseUrl}/phone`,
          settings,
        }),
        reset: () => {
          store.reset();
          messenger?.reset();
          whatsapp?.reset();
          Object.assign(settings, structuredClone(initial));
        },
        decorate: (ctx, reply) => decorate(store, ctx, reply),
        close: () => {
          messenger?.close();
          whatsapp?.close();
        },
      };
    },
  });
  return { ...running, settings, store, messenger: messenger!, whatsapp: whatsapp!, webhooksIdle: () => running.kit.webhooks.idle() };
}
