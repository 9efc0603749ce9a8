// The e2e fixture for vitest: one built server + one Chromium per file, a fresh context per page, and a test that fails on any console error.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, type TestContext } from 'vitest';
import { launchChromium } from './browser';
import { REPO_ROOT, startServer, type RunningServer, type ServerOptions } from './server';

export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-results', 'screenshots');

export interface PageOptions {
  /** Console/page errors matching one of these are expected by this test and do not fail it. */
  allow?: RegExp[];
}

interface Tracked {
  page: Page;
  context: BrowserContext;
  allow: RegExp[];
  errors: string[];
}

export interface E2E {
  /** The running server (available inside tests, after beforeAll). */
  readonly server: RunningServer;
  readonly browser: Browser;
  /** A page in a fresh browser context (no cookies), watched for console and page errors. */
  newPage(opts?: PageOptions): Promise<Page>;
  /** Saves test-results/screenshots/<name>.png. */
  screenshot(page: Page, name: string): Promise<string>;
  /** Errors seen so far on pages of the current test that are not allow-listed. */
  unexpectedErrors(): string[];
}

export const safeName = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 120);

export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${safeName(name)}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Collects console errors and uncaught page errors into `errors`, minus the allow-list. */
export function watchErrors(page: Page, allow: RegExp[], errors: string[]): void {
  const record = (text: string) => {
    if (!allow.some((re) => re.test(text))) errors.push(text);
  };
  page.on('console', (msg: ConsoleMessage) => {
    if (msg.type() === 'error') record(`console.error: ${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => record(`pageerror: ${err.message}`));
  page.on('crash', () => record('page crashed'));
}

/**
 * Call at the top of a spec file (or describe block). Starts the server and browser in beforeAll, stops them in afterAll,
 * and after each test closes its pages and fails it if any unexpected console/page error happened.
 */
export function useE2E(serverOptions: ServerOptions = {}): E2E {
  let server: RunningServer | null = null;
  let browser: Browser | null = null;
  let tracked: Tracked[] = [];

  beforeAll(async () => {
    const [s, b] = await Promise.allSettled([startServer(serverOptions), launchChromium()]);
    // Keep whichever started, so afterAll still cleans it up when the other failed.
    if (s.status === 'fulfilled') server = s.value;
    if (b.status === 'fulfilled') browser = b.value;
    if (s.status === 'rejected') throw s.reason;
    if (b.status === 'rejected') throw b.reason;
  });

  afterEach(async (ctx: TestContext) => {
    const pages = tracked;
    tracked = [];
    const failed = ctx.task.result?.state === 'fail';
    const errors: string[] = [];
    for (const [i, t] of pages.entries()) {
      if (failed && !t.page.isClosed()) await saveScreenshot(t.page, `${ctx.task.name}-failure${pages.length > 1 ? `-${i}` : ''}`).catch(() => undefined);
      errors.push(...t.errors);
      await t.context.close().catch(() => undefined);
    }
    if (errors.length > 0) throw new Error(`unexpected browser errors:\n  ${errors.join('\n  ')}`);
  });

  afterAll(async () => {
    await Promise.all([browser?.close().catch(() => undefined), server?.stop()]);
    browser = null;
    server = null;
  });

  return {
    get server() {
      if (!server) throw new Error('the e2e server is not running (use it inside a test)');
      return server;
    },
    get browser() {
      if (!browser) throw new Error('the browser is not running (use it inside a test)');
      return browser;
    },
    async newPage(opts = {}) {
      if (!browser) throw new Error('the browser is not running (use it inside a test)');
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      const t: Tracked = { page, context, allow: opts.allow ?? [], errors: [] };
      watchErrors(page, t.allow, t.errors);
      tracked.push(t);
      return page;
    },
    screenshot: saveScreenshot,
    unexpectedErrors: () => tracked.flatMap((t) => t.errors),
  };
}
