/**
 * Browser tests of the forecast views: the demo analyst registers a model on a
 * demo location (a feature-flagged model type refused with the API's reason
 * first), trains a version (its progress shown from the first render, metrics
 * once it ends), promotes it to production and sees the forecast against the
 * actual prices; the market chart overlays the forecast; a viewer sees no
 * controls. The demo's ERCOT model shows it uses ERCOT's load forecast, the
 * NYISO one (and its forecast of tomorrow) that it runs with NYISO's load forecast; an imported series of the
 * analyst's organisation is offered as its own, labelled, beside the shared
 * market. Screenshots go to test-artifacts/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { nextDayAheadGateClosure } from '@optibid/core';
import { addDaysYmd, localDateOf, localDayBoundsUtc } from '@optibid/core/time';
import { missingBuild, startHarness, type Harness } from './harness.js';

const ANALYST = { email: 'analyst@optibid.io', password: 'analyst123' };
const VIEWER = { email: 'viewer@optibid.io', password: 'viewer123' };
const MODEL = 'E2E NYC LEAR';

const missing = missingBuild();
const required = process.env.REQUIRE_INTEGRATION === '1';

/** Records every value the attribute `attr` of elements matching `selector` takes (MutationObserver), readable as window.__seen. */
async function recordAttribute(page: Page, selector: string, attr: string): Promise<void> {
  await page.evaluate(
    ([sel, a]) => {
      const w = window as unknown as { __seen: string[] };
      w.__seen = [];
      const scan = () => document.querySelectorAll(sel!).forEach((el) => w.__seen.push(el.getAttribute(a!) ?? ''));
      new MutationObserver(scan).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: [a!] });
    },
    [selector, attr],
  );
}
const seen = (page: Page) => page.evaluate(() => (window as unknown as { __seen: string[] }).__seen);

/** Waits until the daily forecast job (run at start) has put its default model for the location in production. */
async function jobPromoted(page: Page, market: string, location: string): Promise<void> {
  for (let i = 0; i < 120; i++) {
    const done = await page.evaluate(
      async ([mk, loc]) => {
        const token = (JSON.parse(localStorage.getItem('optibid.session') ?? '{}') as { access_token?: string }).access_token;
        const res = await fetch(`/api/models?market=${mk}`, { headers: { authorization: `Bearer ${token}` } });
        const items = ((await res.json()) as { items: { location: string; managed_by_job: boolean; production_version: unknown }[] }).items;
        return items.some((m) => m.location === loc && m.managed_by_job && m.production_version);
      },
      [market, location] as const,
    );
    if (done) return;
    await new Promise((r) => setTimeout(r, 2000));
  }
  throw new Error(`the daily forecast job did not promote a ${market} ${location} model within 4 minutes`);
}

describe.skipIf(missing !== null && !required)('forecasts in Chromium against the built server', () => {
  let h: Harness;
  let analyst: Page;
  /** The NYISO delivery day forecast on request (the chart's newest day). */
  let tomorrow = '';

  beforeAll(async () => {
    if (missing) throw new Error(`REQUIRE_INTEGRATION=1 but ${missing}`);
    // A first start seeds a year of history and trains; on a loaded 2-core machine that exceeds the default 60 s.
    h = await startHarness({ readyTimeoutMs: 300_000 });
    analyst = await h.newPage();
    await h.login(analyst, ANALYST.email, ANALYST.password);
  }, 400_000);
  afterAll(async () => {
    await h?.close();
  });

  test('the analyst registers a model; a flagged model type is refused with the reason', async () => {
    await analyst.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Forecasts', exact: true }).click();
    // The demo's daily forecast job may already have registered default models for the demo assets' locations.
    await analyst.locator('.ui-card', { hasText: 'Models' }).locator('table, .ui-empty').first().waitFor();
    await analyst.getByRole('button', { name: 'Register model' }).click();
    const form = analyst.getByTestId('register-model-form');
    await form.getByLabel('Model name').fill(MODEL);
    await form.getByLabel('Market').selectOption('NYISO');
    await form.locator('option[value="N.Y.C."]').waitFor({ state: 'attached' });
    await form.getByLabel('Location').selectOption('N.Y.C.');
    await form.getByLabel('Model type').selectOption('lear-rw');
    await form.getByRole('button', { name: 'Register model' }).click();
    await form.locator('[role="alert"]', { hasText: 'feature flag own_forecast_model' }).waitFor();
    await h.screenshot(analyst, 'forecasts-register-refused');
    await form.getByLabel('Model type').selectOption('lear:14');
    await form.getByRole('button', { name: 'Register model' }).click();
    await analyst.getByTestId('register-model-form').waitFor({ state: 'detached' });
    await analyst.getByRole('button', { name: MODEL }).waitFor();
    await analyst.getByText('No versions yet').waitFor();
  });

  test('training shows its progress, then the version’s metrics; promoting puts it in production', { timeout: 300_000 }, async () => {
    await recordAttribute(analyst, '[data-testid="training-progress"]', 'data-status');
    await analyst.getByRole('button', { name: 'Train new version' }).click();
    await analyst.locator('[data-testid="training-progress"][data-status="finished"]').waitFor({ timeout: 60_000 });
    expect(await seen(analyst)).toContain('running');
    await expect(analyst.getByTestId('training-progress').innerText()).resolves.toMatch(/Finished: (\d+) of \1 days forecast/);
    const panel = analyst.getByTestId('versions-panel');
    const row = panel.locator('tbody tr', { hasText: 'v1' });
    await row.getByText('ready', { exact: true }).waitFor();
    // MAE, RMSE in $/MWh, sMAPE in %, rMAE as a ratio.
    await expect(row.innerText()).resolves.toMatch(/\d+\.\d\d \$\/MWh[\s\S]*\d+\.\d\d \$\/MWh[\s\S]*\d+\.\d\d %[\s\S]*\d\.\d{3}/);
    // The overlay prefers the most recently promoted production version: let the daily job promote its N.Y.C. default first.
    await jobPromoted(analyst, 'NYISO', 'N.Y.C.');
    await row.getByRole('button', { name: 'Promote v1 to production' }).click();
    await row.getByText('production', { exact: true }).waitFor();
    await expect(row.getByRole('button', { name: 'Promote v1 to production' }).count()).resolves.toBe(0);
    // The model list now names v1 as production, with its metrics.
    await analyst.locator('.ui-card', { hasText: 'Models' }).locator('tbody tr', { hasText: MODEL }).locator('.ui-badge', { hasText: 'v1' }).waitFor();
  });

  test('the forecast against the actual day-ahead prices of a stored day', async () => {
    const chart = analyst.getByTestId('forecast-vs-actual');
    await chart.getByTestId('forecast-chart').waitFor();
    await expect(chart.getByTestId('forecast-day-stats').innerText()).resolves.toMatch(/MAE \d+\.\d\d \$\/MWh[\s\S]*inside P10–P90 \d+ % of 2[345] h/);
    await h.screenshot(analyst, 'forecasts');
  });

  test('a day without a stored forecast is forecast on request', async () => {
    const chart = analyst.getByTestId('forecast-vs-actual');
    const day = chart.getByLabel(/Delivery day/);
    tomorrow = (await day.getAttribute('max')) ?? '';
    expect(tomorrow).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await day.fill(tomorrow);
    await chart.getByRole('button', { name: `Forecast ${tomorrow}` }).click();
    await chart.getByTestId('forecast-day-stats').getByText('on request').waitFor({ timeout: 30_000 });
    await chart.getByTestId('forecast-chart').waitFor();
    await expect(chart.getByLabel('Stored forecast days').inputValue()).resolves.toBe(tomorrow);
  });

  test('the market chart overlays the production forecast with its band', async () => {
    await analyst.getByRole('link', { name: 'Market', exact: true }).click();
    await analyst.getByLabel('Market', { exact: true }).selectOption('NYISO');
    await analyst.getByLabel('Location', { exact: true }).selectOption('N.Y.C.');
    await analyst.getByTestId('price-chart').waitFor();
    await analyst.getByTestId('forecast-overlay-note').getByText(`Forecast overlay: ${MODEL} v1 (lear:14)`).waitFor();
    await h.screenshot(analyst, 'market-forecast-overlay');
  });

  test('each version and forecast shows its inputs: the NYISO load forecast for NYISO, the ERCOT load forecast for ERCOT', async () => {
    await analyst.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Forecasts', exact: true }).click();
    await analyst.getByRole('button', { name: MODEL }).click();
    // Every version says what it ran on. NYISO's EIA-930 forecast is assumed published at 04:00, before its 05:00 gate, and
    // the demo's NYIS file has every evaluation day (its one thin day, 2019-08-20, keeps an hour of its own): v1 ran with it.
    await analyst.getByTestId('versions-panel').locator('tbody tr', { hasText: 'v1' }).getByTestId('version-inputs').getByText('prices + NYISO load forecast (NYIS)', { exact: true }).waitFor();
    // Tomorrow's forecast (made on request above; the demo seeds load forecasts up to the end of tomorrow) used it too.
    const chart = analyst.getByTestId('forecast-vs-actual');
    await chart.getByLabel('Stored forecast days').selectOption(tomorrow);
    await chart.getByTestId('forecast-exogenous').getByText('Inputs: prices + NYISO load forecast (NYIS) published by the gate', { exact: true }).waitFor();
    // The daily job trains the ERCOT Houston model at start, with ERCOT's load forecast.
    const ercot = analyst.getByRole('button', { name: 'ERCOT HB_HOUSTON (default)' });
    await ercot.waitFor({ timeout: 120_000 });
    await ercot.click();
    await analyst.getByTestId('versions-panel').getByTestId('version-inputs').getByText('prices + ERCOT load forecast (ERCO)').first().waitFor({ timeout: 120_000 });
    // Before ERCOT's 10:00 CT gate the shown forecast is tomorrow's, whose load forecast is published; after it, the next
    // open day is the day after tomorrow, whose load forecast the ISO publishes only tomorrow: prices alone, with the reason.
    const ercotOpenDay = nextDayAheadGateClosure('ERCOT', new Date()).delivery_date;
    const ercotTomorrow = addDaysYmd(localDateOf(Date.now(), 'America/Chicago'), 1);
    if (ercotOpenDay === ercotTomorrow) await analyst.getByTestId('forecast-exogenous').getByText('Inputs: prices + ERCOT load forecast (ERCO) published by the gate').waitFor({ timeout: 30_000 });
    else await analyst.getByTestId('forecast-exogenous').getByText(/^Inputs: prices only \(.+\)$/).waitFor({ timeout: 30_000 });
    await h.screenshot(analyst, 'forecasts-load-forecast-input');
  }, 240_000);

  test("the organisation's imported prices are offered, labelled, beside the shared market", async () => {
    await analyst.getByRole('link', { name: 'Market', exact: true }).click();
    await analyst.getByLabel('Market', { exact: true }).selectOption('NYISO');
    await analyst.getByTestId('price-chart').waitFor();
    await expect(analyst.getByTestId('price-scope').count()).resolves.toBe(0);
    // The last week to tomorrow at N.Y.C., 20 + the hour index every day: a series no real day has.
    const today = localDateOf(Date.now(), 'America/New_York');
    const lines = ['interval_start_utc,interval_end_utc,location,lmp'];
    for (let d = addDaysYmd(today, -7); d <= addDaysYmd(today, 1); d = addDaysYmd(d, 1)) {
      const day = localDayBoundsUtc(d, 'America/New_York');
      for (let k = 0, t = day.start.getTime(); t < day.end.getTime(); k++, t += 3_600_000) lines.push(`${new Date(t).toISOString()},${new Date(t + 3_600_000).toISOString()},N.Y.C.,${20 + k}`);
    }
    const form = analyst.getByTestId('import-form');
    await form.getByLabel('Files').setInputFiles({ name: 'own-nyc.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n') });
    await form.getByLabel('Market (optional)').selectOption('NYISO');
    await form.getByRole('button', { name: 'Upload and import' }).click();
    await analyst.getByTestId('import-report').waitFor({ timeout: 30_000 });
    const scope = analyst.getByTestId('price-scope');
    await scope.waitFor();
    await scope.getByLabel('Shared market').waitFor();
    await expect(scope.getByLabel('Shared market').isChecked()).resolves.toBe(true);
    await scope.getByLabel("Your organisation's imported prices").check();
    await analyst.locator('.ui-card', { hasText: "day-ahead vs" }).getByText(/N\.Y\.C\.: day-ahead vs .* · Your organisation's imported prices/).waitFor();
    const stats = analyst.locator('.ui-card', { hasText: "Statistics · Your organisation's imported prices" });
    // Its highest price is hour 23's 43 $/MWh.
    await stats.locator('tbody tr', { hasText: 'DA' }).getByText('43.00', { exact: false }).first().waitFor();
    await h.screenshot(analyst, 'market-own-prices');
    await scope.getByLabel('Shared market').check();
    await analyst.locator('.ui-card', { hasText: 'Statistics · Shared market' }).waitFor();
  }, 120_000);

  test('a viewer reads models and forecasts but has no controls', async () => {
    const viewer = await h.newPage();
    await h.login(viewer, VIEWER.email, VIEWER.password);
    await viewer.goto(h.url('/forecasts'));
    await viewer.getByTestId('forecast-readonly').waitFor();
    await viewer.getByTestId('forecast-chart').waitFor();
    await expect(viewer.getByRole('button', { name: 'Register model' }).count()).resolves.toBe(0);
    await expect(viewer.getByRole('button', { name: 'Train new version' }).count()).resolves.toBe(0);
    await expect(viewer.getByRole('button', { name: /Promote|Archive/ }).count()).resolves.toBe(0);
    await h.screenshot(viewer, 'forecasts-viewer');
    expect(h.pageErrors).toEqual([]);
  });
});
