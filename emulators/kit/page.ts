// The pages an emulator serves to play a side by hand (an agent, a customer's phone): one HTML document with
// inline CSS and JS, no build step, calling only the control API, so anything a page does a test can do too.
// What is the same on every page is here: the document's head, the route that serves it (never cached, not
// logged as vendor traffic), and the small browser helpers the scripts use.
import type { Route } from './http.js';

/**
 * One page: `<title>`, the page's own CSS, its body markup and its script (which may use PAGE_HELPERS). Each
 * piece may start and end with a line break (a template literal on lines of its own); those are dropped.
 */
export function htmlPage(p: { title: string; style: string; body: string; script: string }): string {
  const lines = (s: string) => s.replace(/^\n/, '').replace(/\n$/, '');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${p.title}</title>
<link rel="icon" href="data:,">
<style>
${lines(p.style)}
</style>
</head>
<body>
${lines(p.body)}
<script>
${lines(p.script)}
</script>
</body>
</html>
`;
}

/**
 * Browser helpers: `$(id)`, and `el(tag, cls, text)`, which sets text only with textContent (what a page
 * shows from the other side is untrusted, so it never goes through innerHTML).
 */
export const PAGE_HELPERS = `const $ = (id) => document.getElementById(id);
function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }`;

/**
 * `call(method, path, body)` on the control API under `api` (a script constant), for pages with an
 * `#error` element: a refusal's message is shown there (and thrown), the next call clears it.
 */
export const CONTROL_CALL = `async function call(method, path, body) {
  $('error').textContent = '';
  const res = await fetch(api + path, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  const data = res.status === 204 || res.status === 202 ? null : await res.json();
  if (!res.ok) { $('error').textContent = (data && data.error) || res.statusText; throw new Error(res.statusText); }
  return data;
}`;

/** The route serving a page at `path`. */
export function pageRoute(path: string, html: string): Route {
  return {
    method: 'GET',
    path,
    internal: true,
    handler: () => ({ status: 200, body: html, contentType: 'text/html; charset=utf-8', headers: { 'cache-control': 'no-store' } }),
  };
}
