// Turns whatever a call threw into one sentence for a person. The hub's messages are written for people
// already; network failures get a hint instead of "Failed to fetch".

export function errorText(e: unknown): string {
  if (e && typeof e === 'object') {
    const x = e as { code?: unknown; message?: unknown; status?: unknown };
    if (x.code === 'PARLEY_E_NETWORK' || x.status === 0) return 'Parley cannot be reached. Check the connection and try again.';
    if (typeof x.message === 'string' && x.message) return x.message;
  }
  return 'Something went wrong.';
}

/** The token is no longer accepted: the agent must log in again. */
export function isAuthError(e: unknown): boolean {
  const code = e && typeof e === 'object' ? (e as { code?: unknown }).code : undefined;
  return code === 'PARLEY_E_UNAUTHENTICATED' || code === 'PARLEY_E_TOKEN_EXPIRED';
}
