/**
 * End-to-end harness: starts the BUILT OptiBid server (apps/server/dist) on a free
 * port with a fresh embedded database, and drives Debian's Chromium through
 * playwright-core against it.
 *
 *   const missing = missingBuild();            // string reason or null
 *   const h = await startHarness();            // server + browser
 *   const page = await h.newPage();            // isolated context (own localStorage)
 *   await page.goto(h.url('/login'));
 *   await h.screenshot(page, 'login');         // test-artifacts/screenshots/login.png
 *   await h.close();
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const WEB_OUT = join(REPO_ROOT, 'apps/web/out');
export const SERVER_MAIN = join(REPO_ROOT, 'apps/server/dist/cli/main.js');
export const SCREENSHOT_DIR = join(REPO_ROOT, 'test-artifacts/screenshots');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Laptop viewport used for every page and screenshot. */
export const VIEWPORT = { width: 1366, height: 860 };

/** Why the e2e suite cannot run (nothing built yet), or null when it can. */
export function missingBuild(): string | null {
  const missing: string[] = [];
  if (!existsSync(join(WEB_OUT, 'index.html'))) missing.push('apps/web/out (run `npm run build -w @optibid/web`)');
  if (!existsSync(SERVER_MAIN)) missing.push('apps/server/dist (run `npx tsc -b apps/server`)');
  if (missing.length) return `browser tests skipped: ${missing.join(' and ')} not built; \`npm run build\` builds both`;
  // Debian's Chromium, never a downloaded browser (.ci/run installs it).
  if (!existsSync(CHROMIUM_PATH)) return `browser tests skipped: no Chromium at ${CHROMIUM_PATH} (install Debian's: apt-get install chromium, or set CHROMIUM_PATH)`;
  return null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

export interface ServerOptions {
  /** Extra or overriding environment variables for the server process. */
  env?: Record<string, string>;
  /** How long to wait for /health/ready (default E2E_READY_TIMEOUT_MS or 120 s: a first PGlite start migrates and seeds, which took over 60 s once while the rest of the suite ran on the same two cores). */
  readyTimeoutMs?: number;
}

export interface RunningServer {
  baseUrl: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  /** Everything the server wrote to stdout/stderr so far (for failure messages). */
  logs(): string;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts `node apps/server/dist/cli/main.js serve` with a fresh DATA_DIR and waits until /health/ready answers 200. */
export async function startServer(opts: ServerOptions = {}): Promise<RunningServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'optibid-e2e-'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The suite must use the embedded defaults, whatever the developer's shell exports.
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  Object.assign(env, { PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, OPTIBID_ENV: 'development', LOG_LEVEL: process.env.E2E_SERVER_LOG_LEVEL ?? 'info' }, opts.env);

  const child = spawn(process.execPath, [SERVER_MAIN, 'serve'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (b: Buffer) => {
    output += b.toString();
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: number | string | null = null;
  child.on('exit', (code, signal) => {
    exited = code ?? signal ?? 'unknown';
  });

  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (exited === null) {
      child.kill('SIGTERM');
      for (let i = 0; i < 100 && exited === null; i++) await sleep(100);
      if (exited === null) child.kill('SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const readyMs = opts.readyTimeoutMs ?? (Number(process.env.E2E_READY_TIMEOUT_MS) || 120_000);
  const deadline = Date.now() + readyMs;
  for (;;) {
    if (exited !== null) {
      await stop();
      throw new Error(`OptiBid server exited (${exited}) before it was ready:\n${output}`);
    }
    try {
      const res = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`OptiBid server not ready on ${baseUrl} after ${readyMs} ms:\n${output}`);
    }
    await sleep(150);
  }
  return { baseUrl, port, dataDir, child, logs: () => output, stop };
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install it with \`apt-get update && apt-get install -y chromium\` (or set CHROMIUM_PATH)`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

export interface Harness {
  server: RunningServer;
  browser: Browser;
  baseUrl: string;
  /** Absolute URL for an app path ('/login' → http://127.0.0.1:<port>/login). */
  url(path: string): string;
  /** A page in a fresh browser context (own localStorage, 1366×860). Uncaught page errors are collected in `pageErrors`. */
  newPage(opts?: { colorScheme?: 'light' | 'dark' }): Promise<Page>;
  /** Uncaught exceptions thrown in any page opened by this harness. */
  pageErrors: string[];
  /** Full-page PNG at test-artifacts/screenshots/<name>.png; returns the path. */
  screenshot(page: Page, name: string): Promise<string>;
  /** Signs in through the login form and waits for the dashboard. */
  login(page: Page, email: string, password: string): Promise<void>;
  close(): Promise<void>;
}

export const DEMO_ADMIN = { email: 'admin@optibid.io', password: 'admin123' };

export async function startHarness(opts: ServerOptions = {}): Promise<Harness> {
  const server = await startServer(opts);
  let browser: Browser;
  try {
    browser = await launchBrowser();
  } catch (err) {
    await server.stop();
    throw err;
  }
  const contexts: BrowserContext[] = [];
  const pageErrors: string[] = [];
  const url = (path: string) => new URL(path, server.baseUrl).toString();

  return {
    server,
    browser,
    baseUrl: server.baseUrl,
    url,
    pageErrors,
    async newPage(pageOpts = {}) {
      const context = await browser.newContext({ viewport: VIEWPORT, colorScheme: pageOpts.colorScheme ?? 'light', timezoneId: 'UTC' });
      contexts.push(context);
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
      return page;
    },
    async screenshot(page, name) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const path = join(SCREENSHOT_DIR, `${name}.png`);
      await page.screenshot({ path, fullPage: true, animations: 'disabled' });
      return path;
    },
    async login(page, email, password) {
      await page.goto(url('/login'));
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password', { exact: true }).fill(password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((u) => u.pathname === '/');
      await page.getByTestId('session-details').waitFor();
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close().catch(() => undefined);
      await server.stop();
    },
  };
}
