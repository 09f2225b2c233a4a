// Which desk a new conversation goes to. Routes are tried in order: the first one for this channel
// instance whose entry point matches wins; a route without an entry point is the channel's fallback.

export interface RouteRule {
  channel: string;
  entryPoint?: string | undefined;
  desk: string;
  queue?: string | undefined;
}

export function pickRoute<R extends RouteRule>(routes: readonly R[], channel: string, entryPoint?: string): R | undefined {
  const forChannel = routes.filter((r) => r.channel === channel);
  return (entryPoint !== undefined ? forChannel.find((r) => r.entryPoint === entryPoint) : undefined) ?? forChannel.find((r) => r.entryPoint === undefined);
}
