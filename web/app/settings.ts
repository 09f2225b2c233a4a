// The app's settings come from its URL, so one deployment serves any business set-up:
//   /app/?queue=sales                      route chats to the "sales" queue
//   /app/?entryPoint=vip                   open chats with the entry point "vip" (the route table picks the desk)
//   /app/#identity=<JWT>                   a verified customer (the fragment never reaches server logs)

export interface AppSettings {
  queue: string | undefined;
  entryPoint: string | undefined;
  identityToken: string | undefined;
}

export function readSettings(): AppSettings {
  const q = new URLSearchParams(location.search);
  const h = new URLSearchParams(location.hash.slice(1));
  const identityToken = h.get('identity') ?? undefined;
  // Take the token out of the address bar (and history) once read: it is a credential.
  if (identityToken) history.replaceState(null, '', location.pathname + location.search);
  return { queue: q.get('queue') ?? undefined, entryPoint: q.get('entryPoint') ?? undefined, identityToken };
}
