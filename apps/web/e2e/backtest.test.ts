/**
 * Browser tests of backtests in Analytics: the demo trader runs persistence and
 * perfect foresight over two weeks of demo history on a custom battery, sees
 * them queued/running then finished, reads the capture rate and the daily P&L
 * chart side by side, adds a third strategy to the comparison; the Settings
 * toast preference for finished backtests is honoured; the Houston battery's
 * backtests with ancillary services show energy and each AS product apart. Screenshots go to
 * test-artifacts/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { missingBuild, startHarness, type Harness } from './harness.js';

const TRADER = { email: 'trader@optibid.io', password: 'trader123' };
const VIEWER = { email: 'viewer@optibid.io', password: 'viewer123' };

const missing = missingBuild();
const required = process.env.REQUIRE_INTEGRATION === '1';

/** Records every data-status any backtest progress indicator shows (MutationObserver), readable as window.__seen. */
async function recordProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __seen: string[] };
    w.__seen = [];
    const scan = () => document.querySelectorAll('[data-testid="backtest-progress"]').forEach((el) => w.__seen.push(el.getAttribute('data-status') ?? ''));
    new MutationObserver(scan).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
}
const seen = (page: Page) => page.evaluate(() => (window as unknown as { __seen: string[] }).__seen);

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

/** Waits until no toast is on screen (they leave after 5–8 s). */
async function noToasts(page: Page): Promise<void> {
  await page.waitForFunction(() => document.querySelectorAll('.ui-toast').length === 0, null, { timeout: 20_000 });
}

describe.skipIf(missing !== null && !required)('backtests in Chromium against the built server', () => {
  let h: Harness;
  let trader: Page;

  beforeAll(async () => {
    if (missing) throw new Error(`REQUIRE_INTEGRATION=1 but ${missing}`);
    h = await startHarness();
    trader = await h.newPage();
    await h.login(trader, TRADER.email, TRADER.password);
  }, 180_000);
  afterAll(async () => {
    await h?.close();
  });

  async function chooseLocation(): Promise<void> {
    const form = trader.getByTestId('backtest-form');
    await form.getByLabel('Market').selectOption('NYISO');
    await form.locator('option[value="N.Y.C."]').waitFor({ state: 'attached' });
    await form.getByLabel('Location').selectOption('N.Y.C.');
  }

  test('a trader runs persistence and perfect foresight, follows progress and compares them', async () => {
    await nav(trader, 'Analytics').click();
    await trader.getByTestId('backtest-form').waitFor();
    await trader.getByText('No backtests yet').waitFor();
    await chooseLocation();
    // Defaults: the two weeks before today (market-local), persistence and perfect ticked.
    const form = trader.getByTestId('backtest-form');
    const start = await form.getByLabel(/First delivery day/).inputValue();
    const end = await form.getByLabel('Last delivery day (inclusive)').inputValue();
    expect((Date.parse(end) - Date.parse(start)) / 86_400_000).toBe(13);
    await recordProgress(trader);
    await form.getByRole('button', { name: 'Run 2 backtests' }).click();

    const table = trader.getByTestId('backtest-compare-table');
    await table.waitFor({ timeout: 60_000 });
    const statuses = await seen(trader);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((s) => s === 'queued' || s === 'running')).toBe(true);
    await expect(table.locator('thead th').allTextContents()).resolves.toEqual(['Metric', expect.stringContaining('Persistence'), expect.stringContaining('Perfect foresight')]);
    const capture = await table.locator('tr', { hasText: 'Capture rate' }).locator('td').allInnerTexts();
    expect(capture).toHaveLength(2);
    const [persistence, perfect] = capture.map((c) => Number(c.replace(/[^\d.-]/g, '')));
    expect(perfect).toBeCloseTo(100, 1);
    // Persistence executes yesterday's plan at today's prices: on flat days (the demo's N.Y.C. weeks are April 2020)
    // the round-trip losses can make it lose money, but it never beats perfect foresight.
    expect(Number.isFinite(persistence)).toBe(true);
    expect(persistence).toBeLessThanOrEqual((perfect ?? NaN) + 1e-6);
    expect(persistence).toBeLessThan(100);
    // Persistence is its own baseline: zero margin over itself.
    await expect(table.locator('tr', { hasText: 'Margin over persistence' }).locator('td').first().innerText()).resolves.toMatch(/^-?\$0\.00$/);
    await trader.getByTestId('backtest-daily-chart').waitFor();
    await trader.getByTestId('backtest-cumulative-chart').waitFor();
    // Both finished: a toast says so (the default preference).
    await trader.locator('.ui-toast', { hasText: 'Backtest succeeded' }).first().waitFor({ timeout: 15_000 });
    await expect(trader.getByTestId('backtests').locator('.ui-badge', { hasText: 'succeeded' }).count()).resolves.toBe(2);
    await trader.evaluate(() => window.scrollTo(0, 0));
    await h.screenshot(trader, 'analytics-backtests');
  });

  test('with backtest toasts off in Settings, a third strategy runs silently and joins the comparison', async () => {
    await noToasts(trader);
    await nav(trader, 'Settings').click();
    const prefs = trader.getByTestId('notification-settings');
    await prefs.getByLabel(/Backtests finished/).uncheck();
    await trader.evaluate(() => window.scrollTo(0, 0));
    await h.screenshot(trader, 'settings-notifications');
    await nav(trader, 'Analytics').click();
    await chooseLocation();
    const form = trader.getByTestId('backtest-form');
    await form.getByLabel('Persistence (yesterday repeats)').uncheck();
    await form.getByLabel('Perfect foresight (upper bound)').uncheck();
    await form.getByLabel('Forecast: same day last week').check();
    await form.getByRole('button', { name: 'Run backtest' }).click();
    const rows = trader.getByTestId('backtests').locator('.ui-badge', { hasText: 'succeeded' });
    await trader.waitForFunction(() => document.querySelectorAll('[data-testid="backtests"] .ui-badge').length >= 3 && !document.querySelector('[data-testid="backtest-progress"]'), null, { timeout: 60_000 });
    await expect(rows.count()).resolves.toBe(3);
    // A just-started run replaces the comparison; tick the two earlier ones back in.
    await trader.getByLabel(/^Compare persistence NYISO/).check();
    await trader.getByLabel(/^Compare perfect NYISO/).check();
    const table = trader.getByTestId('backtest-compare-table');
    await expect.poll(() => table.locator('thead th').count(), { timeout: 15_000 }).toBe(4);
    await expect(table.locator('thead th').allTextContents()).resolves.toEqual(['Metric', expect.stringContaining('same day last week'), expect.stringContaining('Persistence'), expect.stringContaining('Perfect foresight')]);
    // The finished event arrived (the list updated) but raised no toast.
    await trader.waitForTimeout(1500);
    await expect(trader.locator('.ui-toast', { hasText: 'Backtest' }).count()).resolves.toBe(0);
    await trader.evaluate(() => window.scrollTo(0, 0));
    await h.screenshot(trader, 'analytics-backtests-compare');
  });

  test('a viewer sees the runs and the comparison but cannot start one', async () => {
    const viewer = await h.newPage();
    await h.login(viewer, VIEWER.email, VIEWER.password);
    await viewer.goto(h.url('/analytics'));
    await viewer.getByTestId('backtest-compare-table').waitFor();
    await expect(viewer.getByTestId('backtest-form').count()).resolves.toBe(0);
    await viewer.getByText('running them needs a trader, analyst or admin').waitFor();
    expect(h.pageErrors).toEqual([]);
  });

  test("a trader backtests the Houston battery with ancillary services on the demo's stored ERCOT AS prices and sees energy and each product apart", async () => {
    await nav(trader, 'Analytics').click();
    const form = trader.getByTestId('backtest-form');
    await form.waitFor();
    // NYISO has no stored AS prices: the server's 422 is shown and nothing starts.
    await chooseLocation();
    await form.getByLabel('Forecast: same day last week').uncheck();
    await form.getByLabel('Persistence (yesterday repeats)').check();
    await form.getByLabel('Perfect foresight (upper bound)').check();
    await form.getByLabel(/Sell ancillary services too/).check();
    await form.getByRole('button', { name: 'Run 2 backtests' }).click();
    await form.getByText(/no stored NYISO ancillary-service prices/).waitFor();

    await form.getByLabel('Battery').selectOption({ label: 'Houston Battery' });
    await expect.poll(() => form.getByLabel('Market').inputValue()).toBe('ERCOT');
    await form.getByLabel('AS model').selectOption('reference');
    await form.getByRole('button', { name: 'Run 2 backtests' }).click();

    const table = trader.getByTestId('backtest-compare-table');
    await expect.poll(() => table.locator('thead th').allTextContents(), { timeout: 90_000 }).toEqual(['Metric', expect.stringContaining('Persistence + AS (reference)'), expect.stringContaining('Perfect foresight + AS (reference)')]);
    const usd = (s: string) => Number(s.replace(/[^\d.-]/g, ''));
    const cells = async (label: string) => (await table.locator('tr', { has: trader.locator('th', { hasText: new RegExp(`^${label}`) }) }).locator('td').allInnerTexts()).map(usd) as [number, number];
    const [asPersistence, asPerfect] = await cells('AS revenue');
    const [energyPersistence, energyPerfect] = await cells('Energy revenue');
    const [netPersistence, netPerfect] = await cells('Net P&L');
    expect(asPersistence).toBeGreaterThan(0);
    expect(asPerfect).toBeGreaterThan(0);
    // Reference model: net = energy + AS (no degradation in the plan's revenue split; degradation is its own row).
    const [degPersistence, degPerfect] = await cells('Degradation');
    expect(Math.abs(energyPerfect + asPerfect - degPerfect - netPerfect)).toBeLessThan(0.02);
    expect(Math.abs(energyPersistence + asPersistence - degPersistence - netPersistence)).toBeLessThan(0.02);
    // One row per ERCOT product, summing to the AS revenue.
    let sum = 0;
    for (const p of ['NSPIN', 'REGDN', 'REGUP', 'RRS']) sum += (await cells(`AS ${p}`))[1];
    expect(Math.abs(sum - asPerfect)).toBeLessThan(0.05);
    await trader.getByTestId('backtest-split-chart').waitFor();
    await trader.getByTestId('backtest-split-chart').scrollIntoViewIfNeeded();
    await h.screenshot(trader, 'analytics-backtests-ancillary');
    expect(h.pageErrors).toEqual([]);
  });
});
