import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { fastAgent } from '../helpers/flows.js';
import { startServer, type StartOptions, type TestServer } from '../helpers/server.js';
import { launchChromium, type Chromium } from './chromium.js';
import { AgentSide } from './customer-kit.js';

// The world of one browser suite, set up before its tests and taken down after them in reverse: a test
// server, Chromium, and if asked an agent online on the agent API, an admin's token, and a page in a browser
// context. Call it in a describe block; the tests read the fields inside `it`.

/** Makes a browser context: `desktop`, a11y-kit's `audit(…)`, or one of the suite's own. */
export type MakeContext = (chrome: Chromium) => Promise<BrowserContext>;

/** A plain desktop context (1280×800), like a separate person on a separate device. */
export const desktop: MakeContext = (chrome) => chrome.context();

export interface SceneOptions {
  /** How to start the server; a function when it needs what an earlier beforeAll made (a host site's origin). */
  server?: StartOptions | (() => StartOptions);
  /** An agent, online and available on the agent API, by display name: `agent`. */
  agent?: string;
  /** An admin who is not online (no stream), whose token the tests use: `adminToken`. */
  admin?: Parameters<typeof fastAgent>[1];
  /** The context of the suite's page: `ctx` and `page`. Without it there is neither; tests open their own with `newContext`. */
  context?: MakeContext;
  /** Every context's default timeout, so that a test fails at the step that is stuck, not at its own timeout. */
  timeout?: number;
}

export interface Scene {
  ts: TestServer;
  chrome: Chromium;
  /** Only with `agent`. */
  agent: AgentSide;
  /** Only with `admin`. */
  adminToken: string;
  /** Only with `context`. */
  ctx: BrowserContext;
  /** Only with `context`. */
  page: Page;
  /** Another context (desktop unless told), with the same default timeout; the caller closes it. */
  newContext(make?: MakeContext): Promise<BrowserContext>;
}

export function browserScene(opts: SceneOptions = {}): Scene {
  const timeout = opts.timeout ?? 8000;
  const s = {
    async newContext(make: MakeContext = desktop): Promise<BrowserContext> {
      const ctx = await make(s.chrome);
      ctx.setDefaultTimeout(timeout);
      return ctx;
    },
  } as Scene;

  beforeAll(async () => {
    s.ts = await startServer(typeof opts.server === 'function' ? opts.server() : opts.server);
    s.chrome = await launchChromium();
    if (opts.agent) s.agent = await AgentSide.start(s.ts, { name: opts.agent });
    if (opts.admin) s.adminToken = (await fastAgent(s.ts, opts.admin)).token;
    if (opts.context) {
      s.ctx = await s.newContext(opts.context);
      s.page = await s.ctx.newPage();
    }
  });
  // Closing Chromium closes its contexts.
  afterAll(async () => {
    await s.agent?.close();
    await s.chrome?.close();
    await s.ts?.stop();
  });
  return s;
}
