// How the vendor client authenticates. A provider hands out the whole Authorization value and can be told
// that a value was refused (a 401), so the next call fetches a fresh one. TokenCache (token-cache.ts) is the
// provider for OAuth vendors; staticAuth covers vendors with a long-lived key.

export interface AuthProvider {
  /** The Authorization header value to send (`Bearer …`). May fetch; `signal` stops this caller waiting. */
  header(signal?: AbortSignal): Promise<string>;
  /**
   * The vendor answered 401 to `rejected` (the value that was sent). Drop it so the next header() fetches a
   * fresh one. A provider that has already replaced that value ignores the call, so a burst of 401s from
   * requests that were in flight with the old token costs one refresh, not one per request.
   */
  invalidate(rejected?: string): void;
}

/** A fixed credential (a long-lived API key or system-user token). A 401 cannot be cured by refetching it. */
export function staticAuth(headerValue: string): AuthProvider {
  return {
    header: () => Promise.resolve(headerValue),
    invalidate: () => {},
  };
}
