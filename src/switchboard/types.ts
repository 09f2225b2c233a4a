import type { FastifyBaseLogger } from 'fastify';
import type { z } from 'zod';
import type { LegAdapter } from '../core/adapter.js';
import type { Leg } from '../core/model.js';
import type { Config } from '../config.js';
import type { Hub } from '../hub/hub.js';
import type { BlobStore } from '../media/blob-store.js';
import type { UrlSigner } from '../media/signing.js';

// An adapter type is the mould every channel and desk is poured into: a name (`type` in the config), the
// side it serves, a zod schema for its settings, and a factory that makes one adapter per configured
// instance. Several instances of one type coexist (two Genesys orgs): each gets its own settings, its own
// cached credentials and its own webhook path (/webhooks/<type>/<instance>).

export interface AdapterDeps {
  log: FastifyBaseLogger;
  /** Base URL the outside world reaches Parley at (webhook URLs, signed media URLs). */
  publicUrl: string;
}

/**
 * What a running adapter may use once the node is wired (the hub and media exist only after the adapters
 * are built, because the hub needs the adapters): passed to `start`.
 */
export interface AdapterRuntime {
  hub: Hub;
  signer: UrlSigner;
  blobs: BlobStore;
  /** tokenSigningKey: the root secret adapters derive their own keys from (the connect desk seals vendor tokens with one). */
  config: Pick<Config, 'mediaMaxBytes' | 'mediaTypes' | 'tokenSigningKey'>;
}

/**
 * An adapter with work of its own beyond deliveries (a vendor's notification socket, a poller): started
 * after the node is wired, stopped before the database closes. Webhooks that arrive before `start` get 503.
 */
export interface AdapterLifecycle {
  start(runtime: AdapterRuntime): Promise<void> | void;
  stop(): Promise<void> | void;
}

export const hasLifecycle = (a: LegAdapter): a is LegAdapter & AdapterLifecycle =>
  typeof (a as Partial<AdapterLifecycle>).start === 'function' && typeof (a as Partial<AdapterLifecycle>).stop === 'function';

export interface AdapterType<S extends z.ZodType = z.ZodType> {
  readonly type: string;
  readonly side: Leg;
  readonly settings: S;
  create(instance: { name: string; settings: z.output<S> }, deps: AdapterDeps): LegAdapter;
}

/** Declare a type with its settings inferred from the schema. */
export const adapterType = <S extends z.ZodType>(t: AdapterType<S>): AdapterType<S> => t;
