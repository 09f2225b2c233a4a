// Emulators live outside src/ (they import nothing of Parley's, and Parley's server code never depends on
// them) and are built to dist/emulators/<vendor>; the CLI loads one by name at run time.

export const EMULATORS = ['genesys', 'twilio', 'aws-sms', 'connect', 'meta', 'liveperson'] as const;
export type EmulatorName = (typeof EMULATORS)[number];

export const isEmulator = (name: string): name is EmulatorName => (EMULATORS as readonly string[]).includes(name);

/** The built emulator's entry module (dist/emulators/<vendor>/main.js), typed by the caller's view of it. */
export async function loadEmulator<M>(vendor: EmulatorName): Promise<M> {
  const entry = new URL(`../emulators/${vendor}/main.js`, import.meta.url);
  return (await import(entry.href)) as M;
}
