/**
 * The daily forecast job when the load forecast arrives after it has run (issue 15), on real data:
 * ERCOT HB_HOUSTON DA prices of 2015-11-02 … 12-18 and ERCOT's day-ahead demand forecast as reported
 * to EIA-930 (the demo's ERCO file). The job runs at 07:00 CST on 12-19, before the 12-20 load forecast
 * is stored, and stores a prices-only forecast; once the forecast is stored (as the fetch job would,
 * later than its assumed publication) the next tick, the gate still open, makes the day's forecast
 * again with it; a revision of the ISO's forecast does the same; a tick with nothing new, or any
 * request after the gate, leaves the stored forecast as it is.
 */
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { dayAheadGateClosure, getMarket, localDayBoundsUtc, parseLoadForecastFile, type LoadForecastRow } from '@optibid/core';
import { runForecastJobOnce } from '../src/jobs/forecast.js';
import { bearer, describeEachBackend, registerUser, type TestServer } from './helpers.js';
import { startForecastServer } from './forecast-helpers.js';

const PRICES = fileURLToPath(new URL('./fixtures/ercot_dam_hb_houston_2015-11-02_12-31.csv.gz', import.meta.url));
const LOAD = fileURLToPath(new URL('../demo-data/load-forecasts/ERCO_2015-07-02_2016-01-01.csv.gz', import.meta.url));
const DAY = '2015-12-20';
/** ERCOT's DA gate for 12-20: 10:00 CST on 12-19. */
const GATE = dayAheadGateClosure('ERCOT', DAY);
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

interface Forecast {
  id: string;
  origin: string;
  created_at: string;
  gate_closure: string;
  hours: { point: number }[];
  exogenous: { series: string; area: string; known_at: string; sources: string[] }[];
  exogenous_note: string | null;
}

describeEachBackend('forecast job: a load forecast that arrives after the forecast', (backend) => {
  let server: TestServer;
  let owner: Awaited<ReturnType<typeof registerUser>>;
  const rows = parseLoadForecastFile({ name: 'ERCO_2015-07-02_2016-01-01.csv.gz', data: new Uint8Array(fs.readFileSync(LOAD)) }).rows;
  const { start, end } = localDayBoundsUtc(DAY, getMarket('ERCOT').timezone);
  const dayRows = rows.filter((r) => r.interval_start >= start && r.interval_start < end);
  const at = (iso: string) => () => new Date(iso);
  const job = (iso: string) => runForecastJobOnce(server.ctx, silent, { now: at(iso), evalDays: 8 });
  const stored = async (): Promise<Forecast[]> =>
    (await server.app.inject({ method: 'GET', url: `/api/forecasts?market=ERCOT&location=HB_HOUSTON&delivery_date=${DAY}`, headers: bearer(owner.access_token) })).json().items;
  const revised = (rs: LoadForecastRow[], addMw: number, source: string) => rs.map((r) => ({ ...r, load_forecast_mw: r.load_forecast_mw + addMw, source }));

  beforeAll(async () => {
    server = await startForecastServer(backend);
    const imported = await server.ctx.imports.importFiles([{ name: 'ercot_dam_hb_houston.csv', data: new Uint8Array(fs.readFileSync(PRICES)) }], {}, { organization_id: null, user_id: null, origin: 'seed' }, null);
    expect(imported.inserted).toBe(1440);
    // Every day's load forecast up to the delivery day's, not that one.
    await server.ctx.marketFeed.loadForecasts.upsert(rows.filter((r) => r.interval_start < start));
    owner = await registerUser(server.app);
    await server.ctx.database.query(
      `INSERT INTO assets (organization_id, name, type, market, location, params) VALUES ($1, 'Houston battery', 'battery', 'ERCOT', 'HB_HOUSTON', '{}'::jsonb)`,
      [owner.user.organization.id],
    );
  }, 60_000);
  afterAll(async () => server?.close());

  let pricesOnly: Forecast;
  let withForecast: Forecast;

  it("before the day's load forecast is stored: a model evaluated with the load forecast, and the day's forecast on prices alone, saying why", async () => {
    expect(dayRows).toHaveLength(24);
    const r = await job('2015-12-19T13:00:00Z');
    expect(r).toMatchObject({ locations: 1, registered: 1, trained: 1, forecasts_stored: 1, forecasts_remade: 0, skipped: [] });
    const models = (await server.app.inject({ method: 'GET', url: '/api/models?market=ERCOT', headers: bearer(owner.access_token) })).json().items;
    expect(models[0].production_version.exogenous).toEqual([expect.objectContaining({ series: 'load_forecast', area: 'ERCO' })]);
    const [f] = await stored();
    expect(f).toMatchObject({ origin: 'job', gate_closure: GATE.toISOString(), exogenous: [] });
    expect(f!.exogenous_note).toMatch(/does not cover 2015-12-20: prices only/);
    pricesOnly = f!;
    // Nothing new: the next tick leaves it.
    expect(await job('2015-12-19T13:10:00Z')).toMatchObject({ forecasts_stored: 0, forecasts_remade: 0 });
    expect((await stored())[0]!.created_at).toBe(pricesOnly.created_at);
  }, 180_000);

  it('once the load forecast is stored, the next tick before the gate makes the forecast again with it, in place', async () => {
    await server.ctx.marketFeed.loadForecasts.upsert(dayRows);
    expect(await job('2015-12-19T13:20:00Z')).toMatchObject({ forecasts_stored: 0, forecasts_remade: 1, skipped: [] });
    const all = await stored();
    expect(all).toHaveLength(1);
    withForecast = all[0]!;
    expect(withForecast).toMatchObject({ id: pricesOnly.id, origin: 'job', exogenous_note: null });
    expect(withForecast.exogenous).toEqual([expect.objectContaining({ series: 'load_forecast', area: 'ERCO', known_at: GATE.toISOString(), sources: [dayRows[0]!.source] })]);
    expect(Date.parse(withForecast.created_at)).toBeGreaterThan(Date.parse(pricesOnly.created_at));
    expect(withForecast.hours.map((h) => h.point)).not.toEqual(pricesOnly.hours.map((h) => h.point));
    expect(await job('2015-12-19T13:30:00Z')).toMatchObject({ forecasts_remade: 0 });
  }, 120_000);

  it("a revised load forecast (another source's, as a fetch stores it) is taken up the same way before the gate", async () => {
    await server.ctx.marketFeed.loadForecasts.upsert(revised(dayRows, 3000, 'eia930_demand:ERCO.csv'));
    expect(await job('2015-12-19T14:00:00Z')).toMatchObject({ forecasts_remade: 1 });
    const [f] = await stored();
    expect(f!.exogenous[0]!.sources).toEqual([dayRows[0]!.source, 'eia930_demand:ERCO.csv'].sort());
    expect(f!.hours.map((h) => h.point)).not.toEqual(withForecast.hours.map((h) => h.point));
    withForecast = f!;
  }, 120_000);

  it('after the gate the stored forecast is the record: neither the job nor a request makes it again', async () => {
    await server.ctx.marketFeed.loadForecasts.upsert(revised(dayRows, -2000, 'eia930_demand:ERCO.csv'));
    const late = await runForecastJobOnce(server.ctx, silent, { now: at('2015-12-19T16:30:00Z'), evalDays: 8, ignoreLeadTime: true });
    expect(late.forecasts_remade).toBe(0);
    // The API's clock is today's: long after the gate.
    const res = await server.app.inject({ method: 'POST', url: '/api/forecasts', headers: bearer(owner.access_token), payload: { market: 'ERCOT', location: 'HB_HOUSTON', delivery_date: DAY } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: withForecast.id, created_at: withForecast.created_at, hours: withForecast.hours });
  }, 120_000);
});
