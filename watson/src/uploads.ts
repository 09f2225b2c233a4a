import type { RouteAvailability } from '../../sdk/src/index.js';

// Files the customer picks are checked against what the hub accepts before they are sent (web chat shows the
// reason beside the file), so a customer does not wait for an upload that would be refused anyway.

const mb = (n: number): string => `${Math.round((n / 1024 / 1024) * 10) / 10} MB`;

/** Why this file cannot go, or undefined when it can. */
export function acceptsFile(limits: RouteAvailability['uploads'], file: { type: string; size: number }): string | undefined {
  if (!limits.mediaTypes.includes(file.type)) return `This type of file (${file.type || 'unknown'}) cannot be sent.`;
  if (file.size > limits.maxBytes) return `This file is too big: at most ${mb(limits.maxBytes)}.`;
  return undefined;
}

/** sessionStorage when the page may use it (a sandboxed frame may not): web chat's own lifetime. */
export function sessionStore(): Storage | undefined {
  try {
    const s = globalThis.sessionStorage;
    s.getItem('parley');
    return s;
  } catch {
    return undefined;
  }
}
