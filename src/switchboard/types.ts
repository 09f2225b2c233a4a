import type { FastifyBaseLogger } from 'fastify';
import type { z } from 'zod';
import type { LegAdapter } from '../core/adapter.js';
import type { Leg } from '../core/model.js';

// An adapter type is the mould every channel and desk is poured into: a name (`type` in the config), the
// side it serves, a zod schema for its settings, and a factory that makes one adapter per configured
// instance. Several instances of one type coexist (two Genesys orgs): each gets its own settings, its own
// cached credentials and its own webhook path (/webhooks/<type>/<instance>).

export interface AdapterDeps {
  log: FastifyBaseLogger;
  /** Base URL the outside world reaches Parley at (webhook URLs, signed media URLs). */
  publicUrl: string;
}

export interface AdapterType<S extends z.ZodType = z.ZodType> {
  readonly type: string;
  readonly side: Leg;
  readonly settings: S;
  create(instance: { name: string; settings: z.output<S> }, deps: AdapterDeps): LegAdapter;
}

/** Declare a type with its settings inferred from the schema. */
export const adapterType = <S extends z.ZodType>(t: AdapterType<S>): AdapterType<S> => t;
