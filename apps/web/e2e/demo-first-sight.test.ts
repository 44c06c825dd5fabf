/**
 * The demo at first sight (issue 15): a fresh server with the demo data, nothing done by hand.
 * The daily forecast job trains production models in the background after start (the test
 * polls the API for them rather than sleeping): for the ISOs whose demo ships a year of history
 * at a demo asset's location (ERCOT HB_HOUSTON 2015, NYISO N.Y.C. 2019-20) the Forecasts page
 * shows a production model other than the naive ones, the candidate that measured best; CAISO's model, whose month of
 * history is too short to train, shows why; and the analytics page shows the demo organisation's P&L from the seeded,
 * cleared and settled bids.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_ADMIN, missingBuild, startHarness, type Harness } from './harness.js';

const missing = missingBuild();
const required = process.env.REQUIRE_INTEGRATION === '1';

/** The demo asset locations with a year of history or more. */
const YEAR_OF_HISTORY = [
  { market: 'ERCOT', location: 'HB_HOUSTON' },
  { market: 'NYISO', location: 'N.Y.C.' },
];
const NAIVE = new Set(['naive', 'weekly-naive']);

interface ModelView {
  id: string;
  name: string;
  market: string;
  location: string;
  model_type: string;
  description: string;
  production_version: { version: number; metrics: { mae: number; rmae: number | null } | null } | null;
  not_trained_reason?: string | null;
}

describe.skipIf(missing !== null && !required)('the demo at first sight, in Chromium', () => {
  let h: Harness;
  let token = '';

  beforeAll(async () => {
    if (missing) throw new Error(`REQUIRE_INTEGRATION=1 but ${missing}`);
    // First start migrates, seeds a year of history and optimises the seeded bids: ~30 s of CPU, minutes on a busy machine.
    h = await startHarness({ readyTimeoutMs: 300_000 });
    const r = await fetch(h.url('/api/auth/login'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(DEMO_ADMIN) });
    token = ((await r.json()) as { access_token: string }).access_token;
  }, 320_000);
  afterAll(async () => {
    await h?.close();
  });

  async function models(): Promise<ModelView[]> {
    const r = await fetch(h.url('/api/models'), { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(200);
    return ((await r.json()) as { items: ModelView[] }).items;
  }

  test('the Forecasts page shows production models other than the naive ones where the demo has a year of history', async () => {
    // The forecast job registers and trains a model per demo asset location after start.
    const deadline = Date.now() + 480_000;
    let found: ModelView[];
    for (;;) {
      const items = await models();
      found = YEAR_OF_HISTORY.map((l) => items.find((m) => m.market === l.market && m.location === l.location && m.production_version)).filter((m): m is ModelView => !!m);
      if (found.length === YEAR_OF_HISTORY.length) break;
      if (Date.now() > deadline) throw new Error(`no production model yet for every location with a year of history: ${JSON.stringify(items.map((m) => [m.market, m.location, m.model_type, m.production_version?.version ?? null]))}\n${h.server.logs().slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 3000));
    }
    for (const m of found) {
      expect(NAIVE.has(m.model_type), `${m.market} ${m.location}: ${m.model_type}`).toBe(false);
      expect(m.model_type).toMatch(/^(lear|gbm|ridge|hybrid)/);
      // The candidate that measured best on the location's last 14 days (LEAR or ours: which one depends on the days).
      expect(/^Registered by the daily forecast job: most accurate of \d+ candidates .*MAE \$\/MWh: (\S+) /.exec(m.description)?.[1], m.description).toBe(m.model_type);
      expect(m.production_version!.metrics?.mae).toBeGreaterThan(0);
    }

    const page = await h.newPage();
    await h.login(page, DEMO_ADMIN.email, DEMO_ADMIN.password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Forecasts', exact: true }).click();
    const table = page.locator('.ui-card', { hasText: 'Models' }).locator('table');
    await table.waitFor();
    for (const m of found) {
      const row = table.locator('tbody tr', { hasText: `${m.market} · ${m.location}` }).filter({ has: page.locator('.mono', { hasText: m.model_type }) });
      await expect(row.count()).resolves.toBe(1);
      await row.locator('.ui-badge', { hasText: `v${m.production_version!.version}` }).waitFor();
      // MAE in $/MWh and an rMAE from the job's walk-forward evaluation.
      await expect(row.innerText()).resolves.toMatch(/\d+\.\d\d \$\/MWh[\s\S]*\d\.\d{3}/);
    }
    await h.screenshot(page, 'demo-first-sight-forecasts');
  }, 600_000);

  test('the Forecasts page says why the CAISO model is not trained: its month of history against the days a training needs', async () => {
    const deadline = Date.now() + 240_000;
    let caiso: ModelView | undefined;
    // The job registers the location's model, then finds its history too short to train it.
    while (!(caiso = (await models()).find((m) => m.market === 'CAISO' && m.not_trained_reason))) {
      if (Date.now() > deadline) throw new Error(`no CAISO model with a reason yet: ${JSON.stringify(await models())}\n${h.server.logs().slice(-4000)}`);
      await new Promise((r) => setTimeout(r, 3000));
    }
    expect(caiso.production_version).toBeNull();
    const [, needed, stored] = /needs (\d+) days of DA price history .* and (\d+) complete days are stored/.exec(caiso.not_trained_reason!) ?? [];
    expect(Number(stored), caiso.not_trained_reason!).toBeGreaterThanOrEqual(28);
    expect(Number(stored)).toBeLessThan(Number(needed));

    const page = await h.newPage();
    await h.login(page, DEMO_ADMIN.email, DEMO_ADMIN.password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Forecasts', exact: true }).click();
    const card = page.locator('.ui-card', { hasText: 'Models' });
    const row = card.locator('tbody tr', { hasText: `CAISO · ${caiso.location}` });
    await expect(row.innerText()).resolves.toContain('not trained · why');
    // The row links to the reason under the table.
    const target = await row.getByRole('link', { name: 'why' }).evaluate((a) => (a as HTMLAnchorElement).hash.slice(1));
    const note = card.locator(`[id="${target}"]`);
    await expect(note.getAttribute('data-testid')).resolves.toBe('not-trained-reason');
    await expect(note.innerText()).resolves.toBe(`${caiso.name} not trained: ${caiso.not_trained_reason}`);
    await h.screenshot(page, 'demo-first-sight-forecasts-not-trained');
  }, 300_000);

  test("the analytics page shows the demo organisation's P&L from the seeded bids", async () => {
    const page = await h.newPage();
    await h.login(page, DEMO_ADMIN.email, DEMO_ADMIN.password);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Analytics', exact: true }).click();
    // The clearing job settles the seeded bids after start.
    await page.getByTestId('pnl-total').waitFor({ timeout: 120_000 });
    const start = await page.getByLabel('From', { exact: true }).inputValue();
    const end = await page.getByLabel('To', { exact: true }).inputValue();
    const r = await fetch(h.url(`/api/pnl?group_by=day&start=${start}&end=${end}`), { headers: { authorization: `Bearer ${token}` } });
    const pnl = (await r.json()) as { rows: { key: string; net_usd: number }[]; totals: { net_usd: number; revenue_usd: number } };
    expect(pnl.rows.length).toBeGreaterThan(0);
    expect(pnl.totals.revenue_usd).toBeGreaterThan(0);
    const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
    await expect(page.getByTestId('pnl-total').innerText()).resolves.toBe(usd.format(pnl.totals.net_usd));
    const rows = page.locator('table', { hasText: 'Degradation' }).first().locator('tbody tr');
    await expect(rows.count()).resolves.toBe(pnl.rows.length);
    await h.screenshot(page, 'demo-first-sight-pnl');
    expect(h.pageErrors).toEqual([]);
  }, 180_000);
});
