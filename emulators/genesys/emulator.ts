// Assembles the Genesys Cloud emulator from the kit and the files beside this one.
import { randomUUID } from 'node:crypto';
import { samplePng, serverOptions, startEmulator, type Route, type RunningEmulator } from '../kit/index.js';
import { agentlessRoute } from './agentless.js';
import { agentPageRoute } from './agent-page.js';
import { analyticsRoutes } from './analytics.js';
import { tokenRoute } from './auth.js';
import { settingsFrom, type GenesysEmulatorOptions, type Settings } from './config.js';
import { GENESYS_CONTROL_DOCS, genesysControlRoutes } from './control.js';
import { conversationRoutes } from './conversations.js';
import { Desk } from './desk.js';
import { genesysVendorErrors } from './errors.js';
import { inboundRoutes } from './inbound.js';
import { Notifications } from './notifications.js';
import { genesysRetryPolicy, Outbound } from './outbound.js';
import { Store } from './state.js';

export interface GenesysCredentials {
  clientId: string;
  clientSecret: string;
  integrationId: string;
  /** outboundNotificationWebhookSignatureSecretToken: verify X-Hub-Signature-256 with it. */
  integrationSecret: string;
  defaultQueueId: string;
}

export interface GenesysEmulator extends RunningEmulator<GenesysCredentials> {
  settings: Settings;
  store: Store;
  desk: Desk;
  /** Resolves when no webhook is in flight or waiting to be retried. */
  webhooksIdle(): Promise<void>;
}

export async function startGenesysEmulator(opts: GenesysEmulatorOptions = {}): Promise<GenesysEmulator> {
  const settings = settingsFrom(opts);
  const initialSettings = structuredClone(settings);
  const store = new Store(opts);
  let parts: { desk: Desk; notifications: Notifications } | undefined;
  const png = samplePng();

  const running = await startEmulator<GenesysCredentials>('genesys', {
    ...serverOptions(opts),
    retryPolicy: () => genesysRetryPolicy(settings),
    vendor: (kit) => {
      const notifications = new Notifications(store, settings, () => kit.baseUrl);
      const outbound = new Outbound(store, kit);
      const desk = new Desk(store, settings, outbound, (c) => notifications.conversationChanged(c), () => kit.baseUrl);
      parts = { desk, notifications };
      const integration = { ...[...store.integrations.values()][0]! };
      const credentials: GenesysCredentials = {
        clientId: store.clientId,
        clientSecret: store.clientSecret,
        integrationId: integration.id,
        // Read live: the control API (or the integrations API) may rotate the secret.
        get integrationSecret() {
          return store.integrations.get(integration.id)?.outboundNotificationWebhookSignatureSecretToken ?? '';
        },
        defaultQueueId: store.defaultQueueId,
      };
      // The agent's image: a public, pre-signed-style URL (no bearer), logged and fault-injectable
      // like the API so media download failures can be tested.
      const media: Route = { method: 'GET', path: '/downloads/sample.png', handler: () => ({ status: 200, body: png, contentType: 'image/png' }) };
      return {
        credentials,
        errors: genesysVendorErrors,
        controlDocs: GENESYS_CONTROL_DOCS,
        routes: [
          tokenRoute(store, settings),
          ...inboundRoutes(store, settings, desk),
          agentlessRoute(store, settings, desk),
          ...notifications.routes(),
          ...analyticsRoutes(store, settings),
          ...conversationRoutes(store, settings, desk),
          media,
          ...genesysControlRoutes({ store, settings, desk, notifications }),
          agentPageRoute(),
        ],
        summary: () => ({
          oauth: { tokenUrl: `${kit.baseUrl}/oauth/token`, grant: 'client_credentials (HTTP Basic)' },
          apiBase: `${kit.baseUrl}/api/v2`,
          integration: (({ id, name, outboundNotificationWebhookUrl, outboundNotificationWebhookSignatureSecretToken }) => ({
            id,
            name,
            webhookUrl: outboundNotificationWebhookUrl || null,
            secret: outboundNotificationWebhookSignatureSecretToken,
          }))(store.integrations.get(integration.id) ?? integration),
          queues: [...store.queues.values()].map((q) => ({ id: q.id, name: q.name })),
          agentPage: `${kit.baseUrl}/agent`,
          sdk: `client.setGateway({ host: '${new URL(kit.baseUrl).hostname}', port: ${new URL(kit.baseUrl).port}, protocol: 'http' })`,
          settings,
        }),
        reset: () => {
          store.reset();
          notifications.reset();
          Object.assign(settings, structuredClone(initialSettings));
          notifications.restartHeartbeat();
        },
        onUpgrade: notifications.upgrade,
        decorate: (_ctx, reply) => {
          reply.headers = { ...reply.headers, 'inin-correlation-id': randomUUID() };
        },
        close: () => notifications.close(),
      };
    },
  });
  const { desk } = parts!;
  return { ...running, settings, store, desk, webhooksIdle: () => running.kit.webhooks.idle() };
}
