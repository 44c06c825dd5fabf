/**
 * Browser test of an ERCOT battery's ancillary-service offers: the optimiser co-optimises
 * energy and AS (explicit AS prices), its draft bid opens in the editor with the planned
 * AS MW per hour and product, the trader submits it from the page, and the market clears it.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { hoursInLocalDay } from '@optibid/core/time';
import { DEMO_ADMIN, missingBuild, startHarness, type Harness } from './harness.js';

const TRADER = { email: 'trader@optibid.io', password: 'trader123' };
const missing = missingBuild();
const required = process.env.REQUIRE_INTEGRATION === '1';

describe.skipIf(missing !== null && !required)('ERCOT battery AS offers in Chromium', () => {
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

  async function api<T>(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }> {
    const r = await fetch(h.url(path), { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    return { status: r.status, json: (await r.json()) as T };
  }
  async function login(email: string, password: string): Promise<string> {
    const r = await fetch(h.url('/api/auth/login'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    return ((await r.json()) as { access_token: string }).access_token;
  }

  test('an optimised bid shows its AS offers, is submitted from the editor and clears; analytics shows revenue by product', async () => {
    const token = await login(TRADER.email, TRADER.password);
    const asset = await api<{ id: string }>(token, 'POST', '/api/assets', {
      name: 'E2E AS Battery', type: 'battery', market: 'ercot', location: 'HB_HOUSTON',
      params: { charge_power_mw: 10, discharge_power_mw: 10, energy_mwh: 40, charge_efficiency: 0.95, discharge_efficiency: 0.95, soc_min_mwh: 4, soc_max_mwh: 40, soc_initial_mwh: 20, degradation_cost_usd_per_mwh: 2, resource_name: 'E2E_ESR1' },
    });
    expect(asset.status).toBe(201);
    const market = await api<{ next_da_gate_closure: { delivery_date: string } }>(token, 'GET', '/api/markets/ercot');
    const date = market.json.next_da_gate_closure.delivery_date;
    const n = hoursInLocalDay(date, 'America/Chicago');
    const run = await api<{ run_id: string; ancillary: { expected_as_revenue_usd: number } }>(token, 'POST', '/api/optimize', {
      asset_id: asset.json.id, run: 'DA', delivery_date: date, price_source: { type: 'explicit', prices: Array(n).fill(30) }, as_prices: { REGUP: Array(n).fill(10) },
    });
    expect(run.status, JSON.stringify(run.json)).toBe(200);
    expect(run.json.ancillary.expected_as_revenue_usd).toBeCloseTo(100 * n, 2);
    const bid = await api<{ id: string }>(token, 'POST', `/api/optimize/${run.json.run_id}/bids`);
    expect(bid.status).toBe(201);

    await trader.goto(h.url(`/bidding?bid=${bid.json.id}`));
    await trader.getByTestId('as-offers').waitFor();
    await expect(trader.getByTestId('as-mw-5-REGUP').inputValue()).resolves.toBe('10');
    await expect(trader.getByTestId('as-issues-5').innerText()).resolves.toBe('');
    await h.screenshot(trader, 'bidding-as-offers');
    // A change beyond the battery's rating is marked on its hour by core's rules.
    await trader.getByTestId('as-mw-5-REGUP').fill('12');
    await expect(trader.getByTestId('as-issues-5').innerText()).resolves.toMatch(/exceeds discharge_power_mw 10/);
    await trader.getByTestId('as-mw-5-REGUP').fill('10');
    await trader.getByRole('button', { name: 'Submit' }).click();
    await trader.locator('[data-testid="bid-status"]', { hasText: 'accepted' }).waitFor();

    const admin = await login(DEMO_ADMIN.email, DEMO_ADMIN.password);
    const cleared = await api<unknown>(admin, 'POST', '/api/markets/ercot/clear', { run: 'DA', delivery_date: date, mode: 'price_taker' });
    expect(cleared.status, JSON.stringify(cleared.json)).toBe(200);
    await trader.locator('[data-testid="bid-status"]', { hasText: 'cleared' }).waitFor({ timeout: 20_000 });
    const after = await api<{ status: string; as_offers: { product: string; mw: number }[][] }>(token, 'GET', `/api/bids/${bid.json.id}`);
    expect(after.json.status).toBe('cleared');
    expect(after.json.as_offers[5]).toEqual([{ product: 'REGUP', mw: 10, price_usd_per_mw: 0 }]);

    // The demo battery's seeded bids carried AS offers, cleared and settled: analytics splits revenue by product.
    await trader.goto(h.url('/analytics'));
    const chart = trader.getByTestId('revenue-by-product-day');
    await chart.waitFor({ timeout: 30_000 });
    const table = trader.locator('table', { hasText: 'Ancillary' }).first();
    await table.waitFor();
    const header = (await table.locator('thead th').allInnerTexts()).map((t) => t.trim());
    const col = header.findIndex((t) => /^ancillary/i.test(t));
    expect(col, JSON.stringify(header)).toBeGreaterThanOrEqual(0);
    const cells = await table.locator(`tbody tr td:nth-child(${col + 1})`).allInnerTexts();
    expect(cells.some((c) => /\$\s?[1-9]/.test(c))).toBe(true);
    await h.screenshot(trader, 'analytics-revenue-by-product');
    expect(h.pageErrors).toEqual([]);
  });
});
