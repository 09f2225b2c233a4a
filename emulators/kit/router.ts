// Method + path matching. Kept separate from the server so vendors can unit-test their route tables.
import type { Route } from './http.js';

interface Compiled {
  route: Route;
  regex: RegExp;
  names: string[];
}

export type Match =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'wrong-method'; allowed: string[] }
  | { kind: 'none' };

const escape = (s: string): string => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

function compile(route: Route): Compiled {
  const names: string[] = [];
  const pattern = route.path
    .split('/')
    .map((segment) => {
      if (segment === '*') {
        names.push('*');
        return '(.*)';
      }
      if (segment.startsWith(':')) {
        names.push(segment.slice(1));
        return '([^/]+)';
      }
      return escape(segment);
    })
    .join('/');
  return { route, regex: new RegExp(`^${pattern}/?$`), names };
}

export class Router {
  private readonly compiled: Compiled[] = [];

  add(...routes: Route[]): this {
    for (const route of routes) this.compiled.push(compile(route));
    return this;
  }

  get routes(): readonly Route[] {
    return this.compiled.map((c) => c.route);
  }

  match(method: string, path: string): Match {
    const allowed: string[] = [];
    for (const c of this.compiled) {
      const m = c.regex.exec(path);
      if (!m) continue;
      if (c.route.method !== method) {
        allowed.push(c.route.method);
        continue;
      }
      const params: Record<string, string> = {};
      c.names.forEach((name, i) => {
        // A malformed escape in a path segment is the client's problem; keep the raw text.
        const value = m[i + 1] ?? '';
        try {
          params[name] = decodeURIComponent(value);
        } catch {
          params[name] = value;
        }
      });
      return { kind: 'found', route: c.route, params };
    }
    return allowed.length ? { kind: 'wrong-method', allowed } : { kind: 'none' };
  }
}
