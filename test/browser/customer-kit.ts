import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { fastAgent } from '../helpers/flows.js';
import { StreamClient, type TestServer } from '../helpers/server.js';

// Shared by the customer browser tests (widget, app, XSS, cross-origin): a separate "business website"
// server for embedding the widget from another origin, an agent driven through the API, and checks that
// nothing a hostile payload contains turned into markup or ran.

/** The app's icons double as test images: a real 192 px PNG (~2 KB) and a 512 px one (~6 KB). */
export const SMALL_PNG = join(import.meta.dirname, '..', '..', 'web', 'public', 'app', 'icons', 'icon-192.png');
export const LARGER_PNG = join(import.meta.dirname, '..', '..', 'web', 'public', 'app', 'icons', 'icon-512.png');

export interface HostSite {
  /** Origin of the site as the browser sees it, e.g. http://localhost:41234 */
  origin: string;
  /** Serve `html` at `path`. */
  page(path: string, html: string): string;
  close(): Promise<void>;
}

/**
 * A business's own website: a tiny HTTP server on another port (and, as `localhost` while Parley is at
 * 127.0.0.1, another host name), so everything the widget does is cross-origin, as on a real site.
 */
export async function hostSite(): Promise<HostSite> {
  const pages = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const html = pages.get((req.url ?? '/').split('?')[0] ?? '/');
    res.writeHead(html ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html ?? 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const origin = `http://localhost:${port}`;
  return {
    origin,
    page(path, html) {
      pages.set(path, html);
      return origin + path;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** A host page with the widget's real embed tag (attributes as given) and some hostile page CSS. */
export function widgetPageHtml(parleyUrl: string, attrs: Record<string, string> = {}): string {
  const data = Object.entries(attrs)
    .map(([k, v]) => ` data-${k}="${v.replace(/"/g, '&quot;')}"`)
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Shop</title>
<style>* { font-family: serif !important; } button { background: hotpink; } div { border: 3px dashed red; }</style></head>
<body><h1>A shop</h1><p>Our page.</p>
<script src="${parleyUrl}/widget.js"${data} async></script></body></html>`;
}

/** An agent (directly in the store) with a live stream, which sees its queues' conversations. */
export class AgentSide {
  private constructor(
    private readonly ts: TestServer,
    readonly id: string,
    readonly name: string,
    readonly token: string,
    readonly stream: StreamClient,
  ) {}

  static async start(ts: TestServer, opts: { name: string; queues?: string[]; role?: 'agent' | 'admin' }): Promise<AgentSide> {
    const a = await fastAgent(ts, { name: opts.name, ...(opts.queues ? { queues: opts.queues } : {}), ...(opts.role ? { role: opts.role } : {}) });
    const stream = await StreamClient.open(ts.url, a.token);
    return new AgentSide(ts, a.id, a.name, a.token, stream);
  }

  /** The conversation in which a customer wrote `text` (waits for it to arrive). */
  async conversationWith(text: string, timeoutMs = 8000): Promise<string> {
    const f = await this.stream.next((x) => x.type === 'event' && x.event.kind === 'message' && x.event.parts.some((p: any) => p.type === 'text' && p.text === text), timeoutMs);
    return f.event.conversationId as string;
  }

  /** The message event with this text or content (waits for it). */
  async message(pred: (e: any) => boolean, timeoutMs = 8000): Promise<any> {
    const f = await this.stream.next((x) => x.type === 'event' && x.event.kind === 'message' && pred(x.event), timeoutMs);
    return f.event;
  }

  async post(path: string, body?: unknown): Promise<any> {
    const r = await this.ts.api.post(`/v1/agent/conversations/${path}`, body, this.token);
    if (r.status >= 300) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  accept(conversationId: string) {
    return this.post(`${conversationId}/accept`);
  }

  private n = 0;
  async say(conversationId: string, input: { text?: string; parts?: unknown[] }): Promise<any> {
    const r = await this.post(`${conversationId}/messages`, { clientMessageId: `a-${this.id}-${++this.n}`, ...input });
    return r.event;
  }

  typing(conversationId: string, typing: boolean) {
    return this.post(`${conversationId}/typing`, { typing });
  }

  read(conversationId: string, seq: number) {
    return this.post(`${conversationId}/read`, { seq });
  }

  close(): Promise<void> {
    return this.stream.close();
  }
}

/** Records any dialog (alert/confirm/prompt) a page opens: a fired dialog means injected script ran. */
export function watchDialogs(page: Page): string[] {
  const fired: string[] = [];
  page.on('dialog', (d) => {
    fired.push(d.message());
    void d.dismiss();
  });
  return fired;
}

/** Counts elements an XSS payload would have created, across the document and open shadow roots. */
export async function injectedElements(page: Page): Promise<number> {
  return page.evaluate(() => {
    const roots: (Document | ShadowRoot)[] = [document];
    let n = 0;
    for (let i = 0; i < roots.length; i++) {
      const root = roots[i]!;
      for (const el of root.querySelectorAll('*')) {
        if (el.shadowRoot) roots.push(el.shadowRoot);
        if (el.tagName === 'IMG' && el.getAttribute('src') === 'x') n++;
        if (el.tagName === 'SCRIPT' && /xss/i.test(el.textContent ?? '')) n++;
        if (el.hasAttribute('onerror') || el.hasAttribute('onload') || el.hasAttribute('onclick')) n++;
        if (el.tagName === 'A' && /^javascript:/i.test(el.getAttribute('href') ?? '')) n++;
      }
    }
    return n;
  });
}

/** Wait until the page's window has no XSS markers (the payloads set window.__xss when they run). */
export async function expectNoScriptRan(page: Page, dialogs: string[]): Promise<void> {
  expect(dialogs).toEqual([]);
  expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss ?? null)).toBeNull();
  expect(await injectedElements(page)).toBe(0);
}
