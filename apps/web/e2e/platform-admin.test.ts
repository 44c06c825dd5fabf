/**
 * Browser tests for the admin console and the public status page: every admin tab
 * (screenshot each), a plan change, a feature-flag override, the non-admin message,
 * and /system-status without signing in (with the viewer's own WebSocket).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { DEMO_ADMIN, missingBuild, startHarness, type Harness } from './harness.js';

const missing = missingBuild();
const required = process.env.REQUIRE_INTEGRATION === '1';
if (missing && !required) console.warn(`\n[apps/web e2e] ${missing}\n`);

describe.skipIf(missing !== null)('platform admin console and status page in Chromium', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  }, 180_000);
  afterAll(async () => {
    await h?.close();
  });

  async function tokenOf(page: Page): Promise<string> {
    const s = await page.evaluate(() => JSON.parse(localStorage.getItem('optibid.session') ?? 'null') as { access_token: string } | null);
    expect(s).not.toBeNull();
    return s!.access_token;
  }
  async function apiGet<T>(token: string, path: string): Promise<T> {
    const res = await fetch(h.url(path), { headers: { authorization: `Bearer ${token}` } });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  }

  test('system status works without login and shows the viewer’s own WebSocket', async () => {
    const page = await h.newPage();
    await page.goto(h.url('/system-status'));
    await page.getByTestId('service-status-database').waitFor();
    await page.waitForSelector('[data-testid="viewer-connection"][data-state="reachable"]');
    await expect(page.getByTestId('viewer-connection').innerText()).resolves.toMatch(/handshake .*ms/);
    await expect(page.getByRole('button', { name: 'Sign out' }).count()).resolves.toBe(0);
    // The market-data card says where prices come from (the demo runs the simulated feed, nothing fetched).
    await expect(page.getByTestId('market-data-source').innerText()).resolves.toBe('simulated');
    await h.screenshot(page, 'platform-system-status-public');

    // Signed in, the page reports the live socket of the shell.
    await h.login(page, DEMO_ADMIN.email, DEMO_ADMIN.password);
    await page.goto(h.url('/system-status'));
    await page.waitForSelector('[data-testid="viewer-connection"][data-state="connected"]');
    await expect(page.getByTestId('connection-indicator').getAttribute('data-state')).resolves.toBe('connected');
  });

  test('the demo admin opens every admin tab, changes a plan and overrides a flag', async () => {
    const page = await h.newPage();
    await h.login(page, DEMO_ADMIN.email, DEMO_ADMIN.password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await page.waitForURL((u) => u.pathname === '/admin');
    const token = await tokenOf(page);

    // Overview
    await page.getByTestId('stat-organizations').waitFor();
    const overview = await apiGet<{ organizations: number; users: number }>(token, '/api/admin/overview');
    await expect(page.getByTestId('stat-organizations').innerText()).resolves.toBe(String(overview.organizations));
    await expect(page.getByTestId('stat-users').innerText()).resolves.toBe(String(overview.users));
    await expect(page.getByTestId('stat-db-size').innerText()).resolves.toMatch(/\d.*B$/);
    await h.screenshot(page, 'platform-admin-overview');

    // Users and organisations: search, open a user's detail
    await page.getByRole('tab', { name: 'Users and organisations' }).click();
    await page.getByRole('searchbox', { name: 'Search users by email or name' }).fill('trader');
    await page.getByRole('search', { name: 'Search users by email or name' }).getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: 'Open user trader@optibid.io' }).click();
    await page.getByTestId('admin-user-detail').waitFor();
    await expect(page.getByTestId('admin-user-detail').innerText()).resolves.toContain('Tom Trader');
    await page.getByRole('button', { name: 'Open organisation OptiBid Energy' }).click();
    await page.getByTestId('admin-org-detail').waitFor();
    await expect(page.getByTestId('admin-org-detail').getByTestId('usage-quotas').count()).resolves.toBe(1);
    await h.screenshot(page, 'platform-admin-directory');

    // Billing: change the demo organisation's plan, and back
    await page.getByRole('tab', { name: 'Billing' }).click();
    const planSelect = page.getByLabel('Plan of OptiBid Energy');
    await planSelect.waitFor();
    const before = await planSelect.inputValue();
    const target = before === 'pro' ? 'free' : 'pro';
    await planSelect.selectOption(target);
    await page.getByText(`OptiBid Energy is now on ${target}`).waitFor();
    const subs = await apiGet<{ items: { organization_name: string; plan_id: string }[] }>(token, '/api/admin/subscriptions?limit=200');
    expect(subs.items.find((s) => s.organization_name === 'OptiBid Energy')?.plan_id).toBe(target);
    await expect(planSelect.inputValue()).resolves.toBe(target);
    await page.getByTestId('statements-total').waitFor();
    await h.screenshot(page, 'platform-admin-billing');
    await planSelect.selectOption(before);
    await page.getByText(`OptiBid Energy is now on ${before}`).waitFor();

    // Features: force a flag that is off for the demo organisation on for it
    await page.getByRole('tab', { name: 'Features' }).click();
    await page.locator('[data-testid^="flag-"]').first().waitFor();
    const evaluatedBefore = await apiGet<{ features: Record<string, boolean> }>(token, '/api/features');
    const key = Object.keys(evaluatedBefore.features).find((k) => !evaluatedBefore.features[k]);
    expect(key, 'a flag that is off for the demo organisation').toBeDefined();
    if (!key) return;
    const card = page.getByTestId(`flag-${key}`);
    const flags = await apiGet<{ items: { key: string; overrides: { organization_name: string; enabled: boolean }[] }[] }>(token, '/api/admin/features');
    const existing = flags.items.find((f) => f.key === key)!.overrides.find((o) => o.organization_name === 'OptiBid Energy');
    const overrides = page.getByTestId(`overrides-${key}`);
    if (existing) {
      await card.getByRole('button', { name: `Remove the override of ${key} for OptiBid Energy` }).click();
      await expect.poll(() => overrides.innerText()).not.toContain('OptiBid Energy');
    }
    const select = page.getByTestId(`flag-${key}`).getByLabel(`Organisation to override ${key} for`);
    await select.selectOption({ label: 'OptiBid Energy' });
    await page.getByTestId(`flag-${key}`).getByRole('button', { name: 'Force on' }).click();
    await expect.poll(() => page.getByTestId(`overrides-${key}`).innerText()).toMatch(/OptiBid Energy\s*forced on/);
    const after = await apiGet<{ items: { key: string; overrides: { organization_name: string; enabled: boolean }[] }[] }>(token, '/api/admin/features');
    expect(after.items.find((f) => f.key === key)!.overrides.find((o) => o.organization_name === 'OptiBid Energy')?.enabled).toBe(true);
    const evaluated = await apiGet<{ features: Record<string, boolean> }>(token, '/api/features');
    expect(evaluated.features[key]).toBe(true);
    await h.screenshot(page, 'platform-admin-features');

    // System
    await page.getByRole('tab', { name: 'System' }).click();
    await page.getByTestId('admin-service-database').waitFor();
    await expect(page.getByTestId('admin-service-database').innerText()).resolves.toMatch(/ok/);
    await expect(page.getByTestId('system-config').innerText()).resolves.toMatch(/jwt secret/);
    await expect(page.getByTestId('system-config').innerText()).resolves.not.toMatch(/postgres:\/\/[^*]*:[^*]+@/);
    await h.screenshot(page, 'platform-admin-system');

    // Audit log: the flag override and the plan change are there
    await page.getByRole('tab', { name: 'Audit log' }).click();
    await page.getByText('admin.feature_override_set').first().waitFor();
    await expect(page.getByText('admin.subscription_changed').count()).resolves.toBeGreaterThan(0);
    await h.screenshot(page, 'platform-admin-audit');
    expect(h.pageErrors).toEqual([]);
  });

  test('a trader sees no Admin entry and /admin explains it needs a platform administrator', async () => {
    const page = await h.newPage();
    await h.login(page, 'trader@optibid.io', 'trader123');
    await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).count()).resolves.toBe(0);
    await page.goto(h.url('/admin'));
    await page.getByTestId('needs-permission').waitFor();
    await expect(page.getByTestId('needs-permission').innerText()).resolves.toContain('needs a platform administrator');
    await h.screenshot(page, 'platform-admin-forbidden');
  });
});
