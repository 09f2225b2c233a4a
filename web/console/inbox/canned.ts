import { useEffect, useState } from 'preact/hooks';
import { cannedApi, type CannedResponse } from '../api.js';
import { useConsole } from '../context.js';

// Canned responses: loaded once per console session (they change rarely; an admin's edit shows after a
// reload), matched by what follows a leading "/" in the composer.

let cache: Promise<CannedResponse[]> | undefined;

export function useCanned(): CannedResponse[] {
  const { client } = useConsole();
  const [list, setList] = useState<CannedResponse[]>([]);
  useEffect(() => {
    cache ??= cannedApi.list(client.token).catch(() => {
      cache = undefined;
      return [];
    });
    void cache.then(setList);
  }, [client]);
  return list;
}

/** Forget the cached list (an admin just changed it). */
export function invalidateCanned(): void {
  cache = undefined;
}

/** The "/query" the composer's text starts with, or undefined when it is not asking for a canned response. */
export function cannedQuery(text: string): string | undefined {
  const m = /^\/([\w-]*)$/.exec(text);
  return m ? (m[1] ?? '').toLowerCase() : undefined;
}

export function matchCanned(list: CannedResponse[], query: string): CannedResponse[] {
  const starts = list.filter((c) => c.shortcut.startsWith(query));
  const rest = list.filter((c) => !c.shortcut.startsWith(query) && (c.shortcut.includes(query) || c.text.toLowerCase().includes(query)));
  return [...starts, ...rest].slice(0, 8);
}
