// Assembles the LivePerson emulator from the kit and the files beside this one. One origin plays every LivePerson
// host the CSDS names (asyncMessagingEnt, sentinel, idp, swift, …).
import { serverOptions, startEmulator, type RetryPolicy, type RunningEmulator } from '../kit/index.js';
import { agentPageRoute } from './agent-page.js';
import { apiRoutes } from './api.js';
import { retryDelaysMs, settingsFrom, type LivePersonEmulatorOptions, type Settings } from './config.js';
import { LIVEPERSON_CONTROL_DOCS, liveControlRoutes } from './control.js';
import { Desk } from './desk.js';
import { liveVendorErrors } from './errors.js';
import { Signer } from './jwt.js';
import { Notifier } from './outbound.js';
import { Store } from './state.js';

export interface LivePersonCredentials {
  accountId: string;
  clientId: string;
  clientSecret: string;
  /** The domain API URL a client starts from (its scheme is the one every other host is reached with). */
  csdsUrl: string;
}

export interface LivePersonEmulator extends RunningEmulator<LivePersonCredentials> {
  settings: Settings;
  store: Store;
  desk: Desk;
  notifier: Notifier;
  /** Resolves when no webhook is in flight or waiting to be retried. */
  webhooksIdle(): Promise<void>;
}

/** Time-to-live retry: any answer but 200/201 and any timeout are retried, 2, 4, 8 … s apart (× retryScale). */
export function liveRetryPolicy(settings: Settings): RetryPolicy {
  return { timeoutMs: settings.webhookTimeoutMs, delaysMs: retryDelaysMs(settings.retentionTimeSeconds, settings.retryScale), retryOn: () => true };
}

export async function startLivePersonEmulator(opts: LivePersonEmulatorOptions = {}): Promise<LivePersonEmulator> {
  const settings = settingsFrom(opts);
  const initial = structuredClone(settings);
  const store = new Store(opts);
  const signer = new Signer();
  let desk: Desk | undefined;
  let notifier: Notifier | undefined;
  let csdsUrl = '';

  const running = await startEmulator<LivePersonCredentials>('liveperson', {
    ...serverOptions(opts),
    maxBodyBytes: 30 * 1024 * 1024, // hosted files go through Swift PUTs
    retryPolicy: () => liveRetryPolicy(settings),
    vendor: (kit) => {
      notifier = new Notifier(store, settings, kit);
      desk = new Desk(store, settings, notifier);
      const credentials: LivePersonCredentials = {
        accountId: store.accountId,
        clientId: store.clientId,
        get clientSecret() {
          return settings.clientSecret;
        },
        get csdsUrl() {
          return csdsUrl || `${kit.baseUrl}/api/account/${store.accountId}/service/baseURI.json?version=1.0`;
        },
      };
      return {
        credentials,
        errors: liveVendorErrors,
        controlDocs: LIVEPERSON_CONTROL_DOCS,
        routes: [...liveControlRoutes({ store, settings, desk, notifier }), agentPageRoute(), ...apiRoutes({ store, settings, signer, desk, kit })],
        summary: () => ({
          csds: `${kit.baseUrl}/api/account/${store.accountId}/service/baseURI.json?version=1.0`,
          skills: store.skills,
          agents: store.agents,
          agentPage: `${kit.baseUrl}/agent`,
          settings,
        }),
        reset: () => {
          store.reset();
          notifier?.reset();
          Object.assign(settings, structuredClone(initial));
        },
        close: () => store.reset(),
      };
    },
  });
  csdsUrl = `${running.url}/api/account/${store.accountId}/service/baseURI.json?version=1.0`;
  return { ...running, settings, store, desk: desk!, notifier: notifier!, webhooksIdle: () => running.kit.webhooks.idle() };
}
