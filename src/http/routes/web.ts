import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

// Serves the browser apps built by Vite into web/dist: /widget.js, /watson.js, /app, /console and /demo. They are
// built by `npm install` (the prepare script); when they are missing the API still runs and says why.

export const WEB_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

const PAGES = ['app', 'console', 'demo', 'webchat'] as const;

export async function webAppRoutes(app: FastifyInstance): Promise<boolean> {
  if (!existsSync(WEB_DIST)) {
    app.log.warn({ dir: WEB_DIST }, 'browser apps are not built (run `npm run build`); serving the API only');
    return false;
  }
  await app.register(fastifyStatic, {
    root: WEB_DIST,
    prefix: '/',
    index: false,
    // Look files up per request (not a list made at start), so a rebuild while running is served at once.
    wildcard: true,
    // Hashed assets never change; pages and the widget loader must revalidate so updates reach users.
    setHeaders: (res, path) => {
      res.header('x-content-type-options', 'nosniff');
      res.header('cache-control', /[/\\]assets[/\\]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
      // The widget and the web chat service desk are loaded by other sites' pages.
      if (/(^|[/\\])(widget|watson)\.js$/.test(path)) res.header('cross-origin-resource-policy', 'cross-origin');
    },
  });
  for (const page of PAGES) {
    const file = `${page}/index.html`;
    if (!existsSync(WEB_DIST + file)) continue;
    app.get(`/${page}`, (_req, reply) => reply.redirect(`/${page}/`));
    app.get(`/${page}/`, (_req, reply) => reply.header('cache-control', 'no-cache').sendFile(file));
  }
  return true;
}
