import { ParleyError } from '../core/errors.js';
import type { z } from 'zod';
import type { Route } from '../switchboard/config.js';

// What `parley demo`'s optional parts (--sms, --meta) add to the demo's one Parley: their emulators, the
// channel and desk instances wired to them, routes, what to do once Parley listens (a user's console steps:
// subscribing Parley's webhook), banner lines, and closing. demo.ts composes them; each part is a file.

export interface DemoPart {
  channels: Record<string, Record<string, unknown>>;
  desks: Record<string, Record<string, unknown>>;
  /** Tried before the demo's own web routes. */
  routes: z.input<typeof Route>[];
  /** Once Parley listens: what a user does in the vendor's console (subscribe Parley's webhook). */
  connected(): Promise<void>;
  /** Banner: the pages to open (aligned like `  Phone     <url>   …`). */
  links: string[];
  /** Banner: where this part's conversations go, and its emulators. */
  about: string[];
  close(): Promise<void>;
}

/** Where a part's emulators listen and how Parley is reached (`local`: Parley's base URL, known before it starts). */
export interface PartContext {
  host: string;
  local: string;
}

/** A port already taken is the likely failure: name the option that picks another. */
export async function listening<T>(start: () => Promise<T>, port: number, option: string): Promise<T> {
  try {
    return await start();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new ParleyError('CONFIG', `Port ${port} is in use; choose another with ${option}.`, { details: { key: option } });
    throw e;
  }
}

/** POSTs JSON to an emulator's control API; the parsed answer. */
export async function control(base: string, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}/__control${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: ((await res.json().catch(() => ({}))) ?? {}) as Record<string, unknown> };
}
