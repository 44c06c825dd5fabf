/** The demo: organisation, users, real shifted history, assets and their optimised bids, usable at once, and idempotent. */
import { addDaysYmd, localDateOf } from '@optibid/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedDemo } from '../src/demo/seed.js';
import { demoSeedSteps } from '../src/demo/steps.js';
import { DEMO_ASSETS } from '../src/demo/assets.js';
import { DEMO_BID_DAYS, type DemoBidsState } from '../src/demo/bids.js';
import { runForecastJobOnce } from '../src/jobs/forecast.js';
import { bearer, describeEachBackend, startTestServer, type TestServer } from './helpers.js';

/** Seeding a year of history and two weeks of optimised bids takes ~20 s of CPU; the shared test machine may stretch that. */
const SEED_TIMEOUT_MS = 300_000;
const ERCO_2015_12_15_HE01_MW = 29277;
const silent = { info: () => undefined, warn: () => undefined };

describeEachBackend('demo seed', (backend) => {
  let server: TestServer;
  let token: string;
  const get = async (url: string) => {
    const res = await server.app.inject({ method: 'GET', url, headers: bearer(token) });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  beforeAll(async () => {
    server = await startTestServer(backend, { DEMO_MODE: 'true' });
  });
  afterAll(async () => server?.close());

  it('creates the demo organisation, accounts and assets once; a second run changes nothing', async () => {
    const first = await seedDemo(server.ctx, demoSeedSteps());
    expect(first.created_users).toEqual(['admin@optibid.io', 'trader@optibid.io', 'analyst@optibid.io', 'viewer@optibid.io']);
    expect(first.steps.assets).toEqual({ created: DEMO_ASSETS.map((a) => a.name) });
    token = (await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'admin@optibid.io', password: 'admin123' } })).json().access_token;
    const bidsBefore = await get('/api/bids?limit=500');
    const pricesBefore = await get('/api/prices/stats?market=ERCOT&location=HB_HOUSTON&start=2020-01-01&end=2030-01-01');
    const second = await seedDemo(server.ctx, demoSeedSteps());
    expect(second.organization_id).toBe(first.organization_id);
    expect(second.created_users).toEqual([]);
    expect(second.steps.assets).toEqual({ created: [] });
    expect(second.steps.history).toHaveProperty('skipped');
    expect(second.steps.bids).toHaveProperty('skipped');
    expect(second.steps.load_forecasts).toHaveProperty('skipped');
    expect(await get('/api/bids?limit=500')).toEqual(bidsBefore);
    expect(await get('/api/prices/stats?market=ERCOT&location=HB_HOUSTON&start=2020-01-01&end=2030-01-01')).toEqual(pricesBefore);
    const meta = (await server.app.inject({ method: 'GET', url: '/api/meta' })).json();
    expect(meta.demo_mode).toBe(true);
    expect(meta.demo_accounts.map((a: { email: string }) => a.email)).toContain('admin@optibid.io');
  }, SEED_TIMEOUT_MS);

  it("lets the demo trader optimise tomorrow's bid for the Houston battery on the demo's day-ahead prices", async () => {
    const login = await server.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email: 'trader@optibid.io', password: 'trader123' } });
    expect(login.statusCode).toBe(200);
    const token = login.json().access_token;
    const assets = (await server.app.inject({ method: 'GET', url: '/api/assets', headers: bearer(token) })).json();
    const houston = assets.items.find((a: { name: string }) => a.name === 'Houston Battery');
    expect(houston).toMatchObject({ market: 'ERCOT', location: 'HB_HOUSTON', type: 'battery' });
    const tomorrow = addDaysYmd(localDateOf(new Date(), 'America/Chicago'), 1);
    const res = await server.app.inject({
      method: 'POST',
      url: '/api/optimize',
      headers: bearer(token),
      payload: { asset_id: houston.id, run: 'DA', delivery_date: tomorrow, price_source: { type: 'historical' } },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().expected_net_usd).toBeGreaterThanOrEqual(0);
    expect(res.json().bid_issues).toEqual([]);
  });

  it("seeds a year of ERCOT and NYISO history, and the bids the optimiser made for the last days, cleared on that history: the P&L is not empty", async () => {
    const history = (await server.ctx.repos.settings.get<{ files: { file: string; rows: number }[] }>('demo_history'))!;
    expect(history.files.find((f) => f.file.startsWith('ercot_dam_hb_houston_2015'))!.rows).toBeGreaterThan(350 * 24);
    expect(history.files.find((f) => f.file.startsWith('nyiso_damlbmp_zone_nyc'))!.rows).toBeGreaterThan(350 * 24);
    const state = (await server.ctx.repos.settings.get<DemoBidsState>('demo_bids'))!;
    // The peaker's costs are above the spring-2020 N.Y.C. prices, so its optimal schedule may offer nothing; the others bid every day.
    for (const name of ['Houston Battery', 'Western Hub Battery', 'SP15 Solar']) expect(state.bids.filter((b) => b.asset === name)).toHaveLength(DEMO_BID_DAYS);
    expect(state.bids.every((b) => b.status === 'accepted')).toBe(true);
    expect(state.cleared.every((c) => c.status === 'complete' && c.bids_cleared >= 1)).toBe(true);

    // The clearing job's tick settles what was delivered, as it does at every start.
    const tick = await server.ctx.trading.clearing.tick();
    expect(tick.settled).toBe(state.bids.length);
    const bids = (await get('/api/bids?limit=500')).items as { id: string; status: string }[];
    const seeded = new Set(state.bids.map((b) => b.bid_id));
    expect(bids.filter((b) => seeded.has(b.id)).every((b) => b.status === 'settled')).toBe(true);

    const start = state.days[0]!;
    const end = state.days[state.days.length - 1]!;
    const pnl = await get(`/api/pnl?start=${start}&end=${end}&group_by=asset`);
    expect(pnl.rows.length).toBeGreaterThanOrEqual(3);
    expect(pnl.totals.revenue_usd).toBeGreaterThan(0);
    expect(pnl.totals.mwh_sold).toBeGreaterThan(0);
    // The Houston battery was co-optimised on the previous day's ERCOT AS prices: its capacity awards are paid by product.
    expect(pnl.totals.as_revenue_usd).toBeGreaterThan(0);
    expect(Object.keys(pnl.totals.revenue_by_product).length).toBeGreaterThan(0);
  }, SEED_TIMEOUT_MS);

  it("stores each ISO's EIA-930 demand forecast shifted by the same weeks as its prices: the forecast of a demo day is that real day's", async () => {
    const history = (await server.ctx.repos.settings.get<{ files: { file: string; shift_days: number }[] }>('demo_history'))!;
    const ercotShift = history.files.find((f) => f.file.startsWith('ercot_dam_hb_houston_2015'))!.shift_days;
    // 2015-12-15 HE01 (Central) = 06:00–07:00 UTC, labelled by EIA-930 at its end, 07:00: ERCO forecast 29,277 MW (line `2015-12-15 07:00:00,29233,OKAY,29233,29277`).
    const start = new Date(Date.parse('2015-12-15T06:00:00Z') + ercotShift * 86_400_000);
    const lf = await get(`/api/load-forecasts?market=ERCOT&start=${start.toISOString()}&end=${new Date(start.getTime() + 24 * 3_600_000).toISOString()}`);
    expect(lf.items).toHaveLength(24);
    expect(lf.items[0].load_forecast_mw).toBeCloseTo(ERCO_2015_12_15_HE01_MW, 6);
    expect(lf.items[0].source).toBe(`demo-shifted:ERCO_2015-07-02_2016-01-01.csv.gz:+${ercotShift}d`);
    // Known by 06:00 Central the day before, shifted with the day.
    expect(Date.parse(lf.items[0].published_at)).toBe(Date.parse('2015-12-14T12:00:00Z') + ercotShift * 86_400_000);
    const nyiso = await get(`/api/load-forecasts?market=NYISO&start=${new Date(Date.now() - 7 * 86_400_000).toISOString()}&end=${new Date().toISOString()}`);
    expect(nyiso.items.length).toBeGreaterThanOrEqual(7 * 24 - 2);
  });

  it('trains the measured best candidate (ours or LEAR), not a naive one, where a year of history is stored', async () => {
    const report = await runForecastJobOnce(server.ctx, silent, { ignoreLeadTime: true });
    expect(report.trained).toBeGreaterThanOrEqual(2);
    const models = (await get('/api/models')).items as { market: string; location: string; model_type: string; production_version: { model_type: string; status: string; exogenous: { series: string; area: string }[] } | null }[];
    for (const [market, location] of [
      ['ERCOT', 'HB_HOUSTON'],
      ['NYISO', 'N.Y.C.'],
    ]) {
      const m = models.find((x) => x.market === market && x.location === location)!;
      expect(m.production_version?.status).toBe('ready');
      // The candidate that measured best on the location's last 14 days (model-choice.test.ts checks the measuring).
      const choice = (await server.ctx.forecasting.deps.modelChoice.stored(market!, location!))!;
      expect(choice.scores[0]!.spec).toBe(choice.spec);
      expect(m.production_version?.model_type).toBe(choice.spec);
      expect(m.production_version?.model_type).toMatch(/^(lear|gbm|ridge|hybrid)/);
      console.log(`${backend.name}: ${market} ${location}: ${choice.note}`);
    }
    // Each production model uses its ISO's load forecast (NYISO's assumed published at 04:00, before its 05:00 gate).
    expect(models.find((x) => x.market === 'ERCOT')!.production_version!.exogenous).toEqual([expect.objectContaining({ series: 'load_forecast', area: 'ERCO' })]);
    expect(models.find((x) => x.market === 'NYISO')!.production_version!.exogenous).toEqual([expect.objectContaining({ series: 'load_forecast', area: 'NYIS' })]);
  }, SEED_TIMEOUT_MS);
});
