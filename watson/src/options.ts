// What a business passes to Parley's service desk factory (the README's watsonx section shows it).

export interface ParleyServiceDeskOptions {
  /** Parley's base URL, e.g. https://chat.example.com */
  url: string;
  /** The route-table entry point: which desk and queue the handover goes to (the channel's default route otherwise). */
  entryPoint?: string;
  /** A JWT signed by the business's backend (or identity provider): the customer is verified. */
  identityToken?: string;
  /** Namespace for what is kept in sessionStorage (default `parley-watson`). */
  storageKey: string;
}

export type ParleyServiceDeskInput = Omit<ParleyServiceDeskOptions, 'storageKey'> & { storageKey?: string };

/** Checked once, when the page builds the factory: a typo should fail there, not at the first handover. */
export function readOptions(input: ParleyServiceDeskInput): ParleyServiceDeskOptions {
  if (!input || typeof input.url !== 'string' || !/^https?:\/\//i.test(input.url)) {
    throw new TypeError('ParleyWatson.serviceDeskFactory: `url` must be Parley\'s http(s) base URL.');
  }
  for (const k of ['entryPoint', 'identityToken', 'storageKey'] as const) {
    if (input[k] !== undefined && (typeof input[k] !== 'string' || input[k] === '')) throw new TypeError(`ParleyWatson.serviceDeskFactory: \`${k}\` must be a non-empty string.`);
  }
  return {
    url: input.url.replace(/\/+$/, ''),
    storageKey: input.storageKey ?? 'parley-watson',
    ...(input.entryPoint ? { entryPoint: input.entryPoint } : {}),
    ...(input.identityToken ? { identityToken: input.identityToken } : {}),
  };
}
