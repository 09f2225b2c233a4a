import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

// Real Chromium (Debian's /usr/bin/chromium) driven by playwright-core. Without Chromium the browser
// suites skip with a loud message; with CI=true they fail instead.

export const CHROMIUM = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') throw new Error(`Chromium is required when CI=true but ${CHROMIUM} is missing (apt-get install chromium)`);
  console.warn(`\n!!! ${CHROMIUM} not found: browser tests are SKIPPED. Install it with: apt-get install -y chromium !!!\n`);
  return false;
}

export interface Chromium {
  browser: Browser;
  /** A fresh context (its own storage), like a separate person on a separate device. */
  context(): Promise<BrowserContext>;
  close(): Promise<void>;
}

export async function launchChromium(): Promise<Chromium> {
  // playwright's launch() gives every browser a fresh, temporary profile (user-data-dir) of its own;
  // `artifactsDir` keeps its downloads and traces in a folder we delete.
  const userDataDir = mkdtempSync(join(tmpdir(), 'parley-chromium-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    artifactsDir: userDataDir,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    context: () => browser.newContext({ viewport: { width: 1280, height: 800 } }),
    async close() {
      await browser.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Where screenshots go. The README shows the committed ones in docs/screenshots; a normal test run writes
 * to test-results/screenshots (git-ignored) so it does not dirty the tree. Refresh the README's with
 * PARLEY_UPDATE_SCREENSHOTS=1 npm test.
 */
export const SCREENSHOTS = process.env.PARLEY_UPDATE_SCREENSHOTS === '1' ? join(import.meta.dirname, '..', '..', 'docs', 'screenshots') : join(import.meta.dirname, '..', '..', 'test-results', 'screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });
