/**
 * Browser tests for the web app skeleton: login (demo admin), wrong password,
 * logout, guarded pages, session refresh/expiry, the public status page, and a
 * screenshot of every page in test-artifacts/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_ADMIN, VIEWPORT, missingBuild, startHarness, type Harness } from './harness.js';

const missing = missingBuild();
// In CI (.ci/run sets REQUIRE_INTEGRATION=1) a skipped browser suite is a failure, not a pass.
const required = process.env.REQUIRE_INTEGRATION === '1';
if (missing && !required) console.warn(`\n[apps/web e2e] ${missing}\n`);

if (missing !== null && required) {
  describe('web app browser tests (required)', () => {
    test('the server and web app are built', () => {
      throw new Error(`REQUIRE_INTEGRATION=1 but ${missing}`);
    });
  });
}

describe.skipIf(missing !== null)('web app in Chromium against the built server', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h?.close();
  });

  async function stored(page: Page): Promise<{ refresh_token: string; access_token: string; expires_at: number } | null> {
    return page.evaluate(() => JSON.parse(localStorage.getItem('optibid.session') ?? 'null'));
  }

  /**
   * Rewrites the stored session from a same-origin page where the app is not running
   * (the JSON at /health/live): editing it under a live app races the app's own
   * proactive refresh, and a reload that aborts a refresh in flight loses the rotated token.
   */
  async function editStoredSession(page: Page, edit: (v: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
    await page.goto(h.url('/health/live'));
    const v = await page.evaluate(() => JSON.parse(localStorage.getItem('optibid.session') ?? 'null') as Record<string, unknown> | null);
    expect(v).not.toBeNull();
    const next = edit(v!);
    await page.evaluate((n) => localStorage.setItem('optibid.session', JSON.stringify(n)), next);
  }

  test('system status is public: services, latency, availability and last check without signing in', async () => {
    const page = await h.newPage();
    await page.goto(h.url('/system-status'));
    await page.getByTestId('service-status-database').waitFor();
    const health = (await (await fetch(h.url('/health'))).json()) as { services: Record<string, unknown>; summary: { availability_percentage: number } };
    for (const name of Object.keys(health.services)) {
      await expect(page.getByTestId(`service-status-${name}`).innerText()).resolves.toMatch(/ok|degraded|down/);
    }
    await expect(page.getByTestId('availability').innerText()).resolves.toBe(`${health.summary.availability_percentage.toFixed(1)} %`);
    await expect(page.getByTestId('last-check').innerText()).resolves.toMatch(/Last check: \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
    expect(page.url()).toBe(h.url('/system-status'));
    await expect(page.getByRole('button', { name: 'Sign out' }).count()).resolves.toBe(0);
    await h.screenshot(page, 'system-status');
  });

  test('an anonymous visit to an app page is sent to /login, which lists the demo accounts', async () => {
    const page = await h.newPage();
    await page.goto(h.url('/profile'));
    await page.waitForURL((u) => u.pathname === '/login');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/profile');
    await page.getByTestId('demo-accounts').waitFor();
    await expect(page.getByTestId('demo-accounts').innerText()).resolves.toContain(DEMO_ADMIN.email);
    await expect(page.locator('.ui-badge--demo').first().innerText()).resolves.toMatch(/demo/i);
    await h.screenshot(page, 'login');
  });

  test('a wrong password shows the message the API gave', async () => {
    const api = await fetch(h.url('/api/auth/login'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: DEMO_ADMIN.email, password: 'definitely-wrong' }),
    });
    expect(api.status).toBe(401);
    const apiMessage = ((await api.json()) as { error: { message: string } }).error.message;

    const page = await h.newPage();
    await page.goto(h.url('/login'));
    await page.getByLabel('Email', { exact: true }).fill(DEMO_ADMIN.email);
    await page.getByLabel('Password', { exact: true }).fill('another-wrong-one');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.locator('.ui-alert--danger');
    await alert.waitFor();
    await expect(alert.innerText()).resolves.toBe(apiMessage);
    expect(new URL(page.url()).pathname).toBe('/login');
    await expect(stored(page)).resolves.toBeNull();
    await h.screenshot(page, 'login-wrong-password');
  });

  test('the demo admin signs in and sees user, organisation, role and live health; only built pages are in the nav', async () => {
    const page = await h.newPage();
    await h.login(page, DEMO_ADMIN.email, DEMO_ADMIN.password);
    const details = await page.getByTestId('session-details').innerText();
    expect(details).toContain(DEMO_ADMIN.email);
    await expect(page.getByTestId('dashboard-org').innerText()).resolves.toBe('OptiBid Energy');
    await expect(page.getByTestId('org-name').innerText()).resolves.toBe('OptiBid Energy');
    await expect(page.getByTestId('user-role').innerText()).resolves.toMatch(/owner|admin/);
    await page.getByTestId('service-status-database').waitFor();
    await expect(page.getByTestId('service-status-database').innerText()).resolves.toMatch(/ok/);
    await expect(page.locator('.shell-header .ui-badge--demo').count()).resolves.toBe(1);
    const nav = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts();
    expect(nav).toEqual(['Dashboard', 'Market', 'Assets', 'Bidding', 'Analytics', 'Forecasts', 'Profile', 'Settings', 'Notifications', 'Organisation', 'Security', 'Admin', 'System status']);
    await h.screenshot(page, 'dashboard');
    // A smaller laptop: the two cards stack instead of squeezing.
    await page.setViewportSize({ width: 1024, height: 768 });
    await h.screenshot(page, 'dashboard-1024');
    await page.setViewportSize(VIEWPORT);
    // Keyboard: the first Tab reaches the skip link, the next ones walk the header controls.
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => document.activeElement?.textContent)).resolves.toBe('Skip to content');

    // Health is polled: the last-check time moves on without a reload.
    const first = await page.getByTestId('last-check').innerText();
    await page.waitForFunction((before) => document.querySelector('[data-testid="last-check"]')?.textContent?.slice(0, 31) !== before.slice(0, 31), first, {
      timeout: 15_000,
    });

    await page.getByRole('link', { name: 'Profile' }).click();
    await page.waitForURL((u) => u.pathname === '/profile');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByText('Enter your current password.').count()).resolves.toBe(1);
    await page.getByLabel('Current password').fill('admin123');
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('Repeat new password').fill('different');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect(page.getByText('Use at least 8 characters.').count()).resolves.toBe(1);
    await expect(page.getByText('The passwords do not match.').count()).resolves.toBe(1);
    await h.screenshot(page, 'profile');

    await page.getByRole('link', { name: 'Settings' }).click();
    await page.waitForURL((u) => u.pathname === '/settings');
    await page.getByLabel('Theme', { exact: true }).selectOption('dark');
    await expect(page.evaluate(() => document.documentElement.dataset.theme)).resolves.toBe('dark');
    await h.screenshot(page, 'settings-dark');
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByTestId('service-status-database').waitFor();
    await h.screenshot(page, 'dashboard-dark');
    // The choice survives a reload (applied before paint by the boot script).
    await page.reload();
    await expect(page.evaluate(() => document.documentElement.dataset.theme)).resolves.toBe('dark');
    await page.getByLabel(/Switch to light theme/).click();
    await expect(page.evaluate(() => document.documentElement.dataset.theme)).resolves.toBe('light');
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Theme', { exact: true }).waitFor();
    await h.screenshot(page, 'settings');
    expect(h.pageErrors).toEqual([]);
  });

  test('sign out revokes the refresh token and returns to /login; app pages then redirect there', async () => {
    const page = await h.newPage();
    await h.login(page, DEMO_ADMIN.email, DEMO_ADMIN.password);
    const before = await stored(page);
    expect(before).not.toBeNull();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.pathname === '/login');
    await expect(stored(page)).resolves.toBeNull();
    const reuse = await fetch(h.url('/api/auth/refresh'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: before!.refresh_token }),
    });
    expect(reuse.status).toBe(401);
    await page.goto(h.url('/'));
    await page.waitForURL((u) => u.pathname === '/login');
  });

  test('an expired access token is refreshed transparently; a rejected refresh token says the session expired', async () => {
    const page = await h.newPage();
    await h.login(page, DEMO_ADMIN.email, DEMO_ADMIN.password);
    const s = await stored(page);
    // Pretend the access token is past its expiry: the next API call must refresh first.
    await editStoredSession(page, (v) => ({ ...v, expires_at: Date.now() - 1000 }));
    await page.goto(h.url('/'));
    await page.getByTestId('session-details').waitFor();
    await page.waitForFunction((old) => JSON.parse(localStorage.getItem('optibid.session') ?? '{}').refresh_token !== old, s!.refresh_token);
    const after = await stored(page);
    expect(after!.expires_at).toBeGreaterThan(Date.now());

    // A refresh token the server no longer accepts ends the session with a clear message.
    await editStoredSession(page, (v) => ({ ...v, expires_at: Date.now() - 1000, refresh_token: 'revoked-or-unknown-refresh-token' }));
    await page.goto(h.url('/profile'));
    await page.waitForURL((u) => u.pathname === '/login');
    await page.getByText('Your session expired, please sign in again.').waitFor();
    await h.screenshot(page, 'login-session-expired');
  });

  test('registration creates an organisation and lands on its dashboard', async () => {
    const page = await h.newPage();
    await page.goto(h.url('/register'));
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.locator('.ui-field__error').count()).resolves.toBe(5);
    await h.screenshot(page, 'register');
    await page.getByLabel('Your name').fill('Grace Hopper');
    const email = `grace-${Date.now()}@example.com`;
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Organisation').fill('Hopper Power');
    await page.getByLabel('Password', { exact: true }).fill('correct-horse-1');
    await page.getByLabel('Repeat password').fill('correct-horse-1');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL((u) => u.pathname === '/');
    await expect(page.getByTestId('dashboard-org').innerText()).resolves.toBe('Hopper Power');
    await expect(page.getByTestId('user-role').innerText()).resolves.toBe('owner');

    // Profile: the new name reaches the header; a wrong current password shows the API's refusal.
    await page.getByRole('link', { name: 'Profile' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Grace B. Hopper');
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.getByText('Name saved').waitFor();
    await expect(page.getByTestId('user-name').innerText()).resolves.toBe('Grace B. Hopper');
    await page.getByLabel('Current password').fill('not-my-password');
    await page.getByLabel('New password', { exact: true }).fill('brand-new-pass-2');
    await page.getByLabel('Repeat new password').fill('brand-new-pass-2');
    await page.getByRole('button', { name: 'Change password' }).click();
    const refusal = page.locator('.ui-alert--danger');
    await refusal.waitFor();
    expect((await refusal.innerText()).length).toBeGreaterThan(0);
    await page.getByLabel('Current password').fill('correct-horse-1');
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed').waitFor();
    await expect(page.getByLabel('Current password').inputValue()).resolves.toBe('');

    // The new password is the one that works now.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((u) => u.pathname === '/login');
    await h.login(page, email, 'brand-new-pass-2');
    await expect(page.getByTestId('user-name').innerText()).resolves.toBe('Grace B. Hopper');
  });
});
