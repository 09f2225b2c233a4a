import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../config.js';
import type { Dispatcher } from '../delivery/dispatcher.js';
import type { Hub } from '../hub/hub.js';
import type { BlobStore } from '../media/blob-store.js';
import type { UrlSigner } from '../media/signing.js';
import type { Metrics } from './metrics.js';
import type { Tokens } from './auth.js';
import type { Authenticator } from './route.js';

/** Everything a route plugin may use; built once in server.ts and passed to each plugin. */
export interface Services {
  config: Config;
  hub: Hub;
  tokens: Tokens;
  signer: UrlSigner;
  blobs: BlobStore;
  metrics: Metrics;
  dispatcher: Dispatcher;
  authenticate: Authenticator;
  log: FastifyBaseLogger;
  /** Whether shutdown has begun (readyz turns 503 so a load balancer stops sending). */
  draining: () => boolean;
}
