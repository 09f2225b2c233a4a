import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Adapters } from './adapters.js';
import { ADAPTER_TYPES } from './switchboard/all-types.js';
import { webhookRoutes } from './switchboard/webhooks.js';
import { customerActions } from './channels/web/actions.js';
import { webRoutes } from './channels/web/routes.js';
import type { Config } from './config.js';
import { Dispatcher } from './delivery/dispatcher.js';
import { agentActions } from './desks/inbox/actions.js';
import { inboxRoutes } from './desks/inbox/routes.js';
import { DEFAULT_QUEUE, ensureDefaultQueue } from './hub/admin.js';
import { Hub } from './hub/hub.js';
import { createApp } from './http/app.js';
import { Tokens } from './http/auth.js';
import { makeAuthenticator } from './http/guard.js';
import { Metrics } from './http/metrics.js';
import { adminRoutes } from './http/routes/admin.js';
import { cannedRoutes } from './http/routes/canned.js';
import { originalRoutes } from './http/routes/originals.js';
import { vendorTrafficRoutes } from './http/routes/vendor-traffic.js';
import { mediaRoutes } from './http/routes/media.js';
import { opsRoutes } from './http/routes/ops.js';
import { pageRoutes } from './http/routes/pages.js';
import { webAppRoutes } from './http/routes/web.js';
import type { Services } from './http/services.js';
import { LocalBlobStore } from './media/blob-store.js';
import { UrlSigner } from './media/signing.js';
import { LocalBus } from './realtime/bus.js';
import { streamRoutes } from './realtime/routes.js';
import { migrate, openDatabase, type Database } from './store/db.js';

// Wires one Parley node: database (migrated), hub, dispatcher, HTTP routes. Used by `parley start` and by
// the tests, which start real servers on random ports.

export const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface ParleyServer {
  app: FastifyInstance;
  services: Services;
  database: Database;
  /** Base URL once listening. */
  url: string;
  close(): Promise<void>;
}

export interface ServerOptions {
  adapters?: Adapters;
  /** Don't start the dispatcher (tests that drive it by hand). */
  noDispatcher?: boolean;
  /** Where log lines go instead of stdout. */
  logStream?: NodeJS.WritableStream;
}

export async function createServer(config: Config, opts: ServerOptions = {}): Promise<ParleyServer> {
  const database = openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, durability: config.durability });
  await migrate(database.db);
  await ensureDefaultQueue(database.db, config.defaultAssignment);

  const app = await createApp(config, opts.logStream ? { logStream: opts.logStream } : {});
  const metrics = new Metrics();
  const bus = new LocalBus();
  const adapters = opts.adapters ?? Adapters.fromConfig(config.switchboard, ADAPTER_TYPES, { log: app.log, publicUrl: config.publicUrl });
  adapters.checkCallBudgets(config.deliveryTimeoutMs);
  let dispatcher: Dispatcher | undefined;
  const hub = new Hub({
    db: database.db,
    dialect: database.dialect,
    hot: database.hot,
    pgHot: database.pgHot,
    bus,
    adapters,
    onSignalError: (err, adapter) => app.log.warn({ err, adapter }, 'a live signal was not passed on'),
    onCommitted: (events, dispatch) => {
      for (const e of events) metrics.eventsAppended.inc({ kind: e.kind });
      if (dispatch) dispatcher?.wake();
    },
  });
  dispatcher = new Dispatcher(
    hub,
    { maxAttempts: config.deliveryMaxAttempts, baseDelayMs: config.deliveryBaseDelayMs, maxDelayMs: config.deliveryMaxDelayMs, timeoutMs: config.deliveryTimeoutMs },
    metrics,
    app.log,
  );
  const tokens = new Tokens(
    config.tokenSigningKey,
    { secret: config.identitySecret, jwksUrl: config.identityJwksUrl, issuer: config.identityIssuer, audience: config.identityAudience },
    { customer: config.customerTokenTtl, agent: config.agentTokenTtl },
  );
  let draining = false;
  const services: Services = {
    config,
    hub,
    tokens,
    signer: new UrlSigner(config.tokenSigningKey, config.mediaUrlTtl, config.publicUrl),
    blobs: new LocalBlobStore(join(config.dataDir, 'media')),
    metrics,
    dispatcher,
    authenticate: makeAuthenticator(tokens, database.db),
    log: app.log,
    draining: () => draining,
  };

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });

  // The customer API is the first `web`-type channel instance (`web` unless the config names it otherwise).
  const webChannelName = adapters.instancesOf('channel', 'web')[0] ?? 'web';
  const customer = customerActions(services, { channel: webChannelName, defaultQueue: DEFAULT_QUEUE });
  const agent = agentActions(services);
  webRoutes(app, services, customer);
  inboxRoutes(app, services, agent);
  adminRoutes(app, services);
  cannedRoutes(app, services);
  originalRoutes(app, services);
  vendorTrafficRoutes(app, services);
  streamRoutes(app, services, customer, agent);
  opsRoutes(app, services, VERSION);
  pageRoutes(app);
  await app.register(async (scope) => mediaRoutes(scope, services));
  await webhookRoutes(app, adapters, config.bodyLimit, hub.traffic);
  await webAppRoutes(app);

  await adapters.start({ hub, signer: services.signer, blobs: services.blobs, config });
  if (!opts.noDispatcher) dispatcher.start();
  const d = dispatcher;

  const server: ParleyServer = {
    app,
    services,
    database,
    url: '',
    async close() {
      draining = true;
      await app.close();
      await adapters.stop();
      await d.stop();
      await bus.close();
      await database.close();
    },
  };
  return server;
}

export async function listen(server: ParleyServer, port: number, host: string): Promise<string> {
  const address = await server.app.listen({ port, host });
  const u = new URL(address);
  if (u.hostname === '0.0.0.0' || u.hostname === '[::]') u.hostname = 'localhost';
  server.url = u.origin;
  return server.url;
}
