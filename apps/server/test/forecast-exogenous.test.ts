/**
 * The server's forecasting models with the market's stored day-ahead load
 * forecast as exogenous input (issue 15), on real data: ERCOT HB_HOUSTON DA
 * prices of 2015-11-02 … 12-31 and ERCOT's own day-ahead demand forecast as
 * reported to EIA-930 (the demo's ERCO file). A version trained before the
 * forecast is stored runs on prices alone and says so; one trained after uses
 * it, forecasts differently, and equals core's LEAR called with the exogenous
 * vector the CLI builds from the same files; rows published after a
 * forecast's cut-off (its gate closure) are not used; the forecast, run,
 * version and optimisation APIs show the series used.
 */
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createForecastModel, dayAheadGateClosure, forecastDayIndex, getMarket, localDayBoundsUtc, parseLoadForecastFile, type ForecastDataset, type ForecastHistory } from '@optibid/core';
import { priceDatasetWithExogenous, readPriceSeries } from '../src/cli/price-data.js';
import { bearer, describeEachBackend, registerUser, type TestServer } from './helpers.js';
import { startForecastServer } from './forecast-helpers.js';
import { createBattery } from './trading-fixtures.js';

const PRICES = fileURLToPath(new URL('./fixtures/ercot_dam_hb_houston_2015-11-02_12-31.csv.gz', import.meta.url));
const LOAD = fileURLToPath(new URL('../demo-data/load-forecasts/ERCO_2015-07-02_2016-01-01.csv.gz', import.meta.url));
const ERCOT = getMarket('ERCOT');
/** ERCOT's DA gate: 10:00 Central on the day before; of that day the hours before 10:00 are known. */
const GATE_HOUR = 10;

interface Hour { interval_start: string; point: number }

/** The CLI's dataset of the same files (prices with the EIA-930 forecast column), as `optibid forecast evaluate --exogenous-file` builds it. */
function cliDataset(): ForecastDataset {
  return priceDatasetWithExogenous(readPriceSeries([PRICES], { location: 'HB_HOUSTON' }), [LOAD]).dataset;
}

/**
 * What the server may know when forecasting `date`: every price before D−1, of D−1 the hours before the gate
 * (the rest D−2's), and the load-forecast column `exo` (null: prices only). Built here from the CLI dataset.
 */
function historyAt(ds: ForecastDataset, date: string, exo: Float64Array | null): ForecastHistory {
  const d = forecastDayIndex(ds, date);
  const prices = Float64Array.from(ds.prices.subarray(0, d * 24));
  for (let h = GATE_HOUR; h < 24; h++) prices[(d - 1) * 24 + h] = prices[(d - 2) * 24 + h]!;
  return { day: d, dates: ds.dates.slice(0, d + 1), prices, exogenous: exo ? [exo.slice(0, (d + 1) * 24)] : [] };
}

const meanAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, x, i) => s + Math.abs(x - b[i]!), 0) / a.length;

describeEachBackend('forecasts with the stored load forecast', (backend) => {
  let server: TestServer;
  let owner: Awaited<ReturnType<typeof registerUser>>;
  let modelId: string;
  const v: Record<number, { id: string; run: string }> = {};
  const loadRows = parseLoadForecastFile({ name: 'ERCO_2015-07-02_2016-01-01.csv.gz', data: new Uint8Array(fs.readFileSync(LOAD)) }).rows;
  const ds = cliDataset();

  beforeAll(async () => {
    server = await startForecastServer(backend);
    const r = await server.ctx.imports.importFiles([{ name: 'ercot_dam_hb_houston.csv', data: new Uint8Array(fs.readFileSync(PRICES)) }], {}, { organization_id: null, user_id: null, origin: 'seed' }, null);
    expect(r.inserted).toBe(1440);
    owner = await registerUser(server.app);
  }, 60_000);
  afterAll(async () => server?.close());

  const inject = (method: 'GET' | 'POST', url: string, payload?: unknown) =>
    server.app.inject({ method, url, headers: bearer(owner.access_token), ...(payload !== undefined ? { payload: payload as object } : {}) });

  async function train(body: Record<string, unknown> = {}) {
    const res = await inject('POST', `/api/models/${modelId}/versions`, { eval_days: 8, warmup_days: 0, ...body });
    expect(res.statusCode, res.body).toBe(202);
    await server.ctx.forecasting.registry.awaitRun(res.json().run.id);
    const run = (await inject('GET', `/api/runs/${res.json().run.id}`)).json();
    expect(run.status, run.error).toBe('finished');
    return { id: res.json().version.id as string, run };
  }

  async function forecast(date: string, versionId: string) {
    const res = await inject('POST', '/api/forecasts', { market: 'ERCOT', location: 'HB_HOUSTON', delivery_date: date, model_version_id: versionId });
    expect(res.statusCode, res.body).toBe(201);
    const f = res.json();
    expect(f.hours).toHaveLength(24);
    return f as { hours: Hour[]; exogenous: { series: string; market: string; area: string; known_at: string }[]; exogenous_note: string | null; gate_closure: string; price_scope: string };
  }

  it('without a stored load forecast, trains and forecasts on prices alone and says so', async () => {
    const m = await inject('POST', '/api/models', { name: 'HOU LEAR 28', market: 'ercot', location: 'hb_houston', model_type: 'lear:28' });
    expect(m.statusCode, m.body).toBe(201);
    modelId = m.json().id;
    const t = await train();
    v[1] = { id: t.id, run: t.run.id };
    expect(t.run.exogenous).toEqual([]);
    expect(t.run.exogenous_note).toMatch(/no ERCOT load forecast \(ERCO\) is stored/);
    const versions = (await inject('GET', `/api/models/${modelId}/versions`)).json().items;
    expect(versions[0].exogenous).toEqual([]);

    const f = await forecast('2015-12-20', v[1].id);
    expect(f.exogenous).toEqual([]);
    expect(f.exogenous_note).toMatch(/version 1 was evaluated on prices alone/);
    expect(f.price_scope).toBe('shared');
    // Equal to core's LEAR on the same prices with no exogenous input.
    const core = createForecastModel('lear:28').forecastDay(historyAt(ds, '2015-12-20', null));
    f.hours.forEach((h, i) => expect(h.point).toBeCloseTo(core[i]!, 6));
  }, 120_000);

  it('with the load forecast stored, a new version uses it: the API shows the series, and the forecast equals core LEAR on the CLI exogenous vector', async () => {
    const stored = await server.ctx.marketFeed.loadForecasts.upsert(loadRows);
    expect(stored.inserted).toBe(loadRows.length);
    const t = await train();
    v[2] = { id: t.id, run: t.run.id };
    expect(t.run.exogenous).toEqual([expect.objectContaining({ series: 'load_forecast', market: 'ERCOT', area: 'ERCO', unit: 'MW' })]);
    expect(t.run.exogenous_note).toBeNull();
    expect(t.run.params.no_look_ahead).toMatch(/load-forecast hours published by then/);
    const versions = (await inject('GET', `/api/models/${modelId}/versions`)).json().items;
    expect(versions[1].exogenous).toEqual(t.run.exogenous);
    // The model's fitted state names the load-forecast features.
    const state = JSON.parse((await inject('GET', `/api/runs/${t.run.id}/artifacts/model-state.json`)).body);
    expect(state.exogenous).toEqual(['load_forecast_ERCO']);
    expect(Object.keys(Object.assign({}, ...state.coefficients_per_hour.map((c: { nonzero: object }) => c.nonzero))).some((k) => k.startsWith('load_forecast_ERCO_d'))).toBe(true);
    // Each evaluation day used the forecast as published by its own gate.
    const evals = (await inject('GET', `/api/forecasts?model_version_id=${v[2].id}&origin=evaluation&limit=100`)).json().items;
    expect(evals).toHaveLength(8);
    for (const e of evals) expect(e.exogenous[0].known_at).toBe(e.gate_closure);

    const f = await forecast('2015-12-20', v[2].id);
    expect(f.exogenous).toEqual([expect.objectContaining({ series: 'load_forecast', market: 'ERCOT', area: 'ERCO', known_at: dayAheadGateClosure('ERCOT', '2015-12-20').toISOString() })]);
    expect(f.exogenous_note).toBeNull();
    const listed = (await inject('GET', '/api/forecasts?market=ercot&location=HB_HOUSTON&delivery_date=2015-12-20')).json().items;
    expect(listed.map((x: { exogenous: unknown[] }) => x.exogenous.length).sort()).toEqual([0, 1]);

    const withExo = createForecastModel('lear:28').forecastDay(historyAt(ds, '2015-12-20', ds.exogenous[0]!));
    f.hours.forEach((h, i) => expect(h.point, `hour ${i}`).toBeCloseTo(withExo[i]!, 6));
    const pricesOnly = (await inject('GET', `/api/forecasts?model_version_id=${v[1].id}&delivery_date=2015-12-20`)).json().items[0].hours.map((h: Hour) => h.point);
    expect(meanAbsDiff(f.hours.map((h) => h.point), pricesOnly)).toBeGreaterThan(0.05);
  }, 120_000);

  it('compares with and without the load forecast when asked, on the same days', async () => {
    const t = await train({ compare_without_exogenous: true });
    const v1 = (await inject('GET', `/api/runs/${v[1].run}`)).json();
    const v2 = (await inject('GET', `/api/runs/${v[2].run}`)).json();
    expect(t.run.params.compare_without_exogenous).toBe(true);
    // The same days and inputs as v2 (with) and v1 (without).
    expect(t.run.metrics.mae).toBeCloseTo(v2.metrics.mae, 9);
    expect(t.run.metrics.without_exogenous.mae).toBeCloseTo(v1.metrics.mae, 9);
    expect(t.run.metrics.without_exogenous.mae).not.toBeCloseTo(t.run.metrics.mae, 3);
  }, 180_000);

  it('uses no load-forecast row published after the cut-off', async () => {
    const date = '2015-12-21';
    const gate = dayAheadGateClosure('ERCOT', date);
    const day = localDayBoundsUtc(date, ERCOT.timezone);
    // The ISO "revises" hours 12–17 of the day after the gate: +20,000 MW, published an hour after it.
    const late = loadRows
      .filter((r) => r.interval_start >= day.start && r.interval_start < day.end && r.interval_start.getUTCHours() >= 18 && r.interval_start.getUTCHours() < 24)
      .map((r) => ({ ...r, load_forecast_mw: r.load_forecast_mw + 20_000, published_at: new Date(gate.getTime() + 3_600_000) }));
    expect(late).toHaveLength(6);
    await server.ctx.marketFeed.loadForecasts.upsert(late);
    const knownAtGate = (await inject('GET', `/api/load-forecasts?market=ERCOT&start=${day.start.toISOString()}&end=${day.end.toISOString()}&known_at=${gate.toISOString()}`)).json();
    expect(knownAtGate.items).toHaveLength(18);

    const f = await forecast(date, v[2].id);
    expect(f.exogenous[0]).toMatchObject({ series: 'load_forecast', known_at: gate.toISOString(), filled_hours: 6 });
    // Those hours take the same hours of the day before (the CLI's rule for a missing hour), never the late values.
    const d = forecastDayIndex(ds, date);
    const filled = Float64Array.from(ds.exogenous[0]!);
    const lateVec = Float64Array.from(ds.exogenous[0]!);
    for (let h = 12; h < 18; h++) {
      filled[d * 24 + h] = ds.exogenous[0]![(d - 1) * 24 + h]!;
      lateVec[d * 24 + h] = ds.exogenous[0]![d * 24 + h]! + 20_000;
    }
    const expected = createForecastModel('lear:28').forecastDay(historyAt(ds, date, filled));
    f.hours.forEach((h, i) => expect(h.point, `hour ${i}`).toBeCloseTo(expected[i]!, 6));
    const withLate = createForecastModel('lear:28').forecastDay(historyAt(ds, date, lateVec));
    expect(meanAbsDiff(f.hours.map((h) => h.point), withLate)).toBeGreaterThan(0.05);

    // A day whose whole forecast was published after its gate runs on prices alone, saying why.
    const date2 = '2015-12-22';
    const gate2 = dayAheadGateClosure('ERCOT', date2);
    const day2 = localDayBoundsUtc(date2, ERCOT.timezone);
    await server.ctx.marketFeed.loadForecasts.upsert(
      loadRows.filter((r) => r.interval_start >= day2.start && r.interval_start < day2.end).map((r) => ({ ...r, load_forecast_mw: r.load_forecast_mw + 1, published_at: new Date(gate2.getTime() + 60_000) })),
    );
    const f2 = await forecast(date2, v[2].id);
    expect(f2.exogenous).toEqual([]);
    expect(f2.exogenous_note).toMatch(/load forecast \(ERCO\) published by .* does not cover 2015-12-22: prices only/);
    const pricesOnly = createForecastModel('lear:28').forecastDay(historyAt(ds, date2, null));
    f2.hours.forEach((h, i) => expect(h.point).toBeCloseTo(pricesOnly[i]!, 6));

    // A training walks day by day, each evaluation day seeing the forecast as published by its own gate
    // (the whole series is read as of now): 12-21's late hours stay out of its evaluation too.
    await server.ctx.marketFeed.loadForecasts.upsert(loadRows.filter((r) => r.interval_start >= day2.start && r.interval_start < day2.end));
    const t4 = await train({ eval_days: 11 });
    expect(t4.run.exogenous).toHaveLength(1);
    const e = (await inject('GET', `/api/forecasts?model_version_id=${t4.id}&delivery_date=${date}`)).json().items[0];
    expect(e).toMatchObject({ origin: 'evaluation', exogenous: [expect.objectContaining({ known_at: gate.toISOString() })] });
    e.hours.forEach((h: Hour, i: number) => expect(h.point, `hour ${i}`).toBeCloseTo(expected[i]!, 6));
  }, 120_000);

  it('POST /api/optimize with a forecast source runs the same model on the same inputs and shows them', async () => {
    const asset = await createBattery(server, owner.access_token);
    const res = await inject('POST', '/api/optimize', { asset_id: asset.id, run: 'DA', delivery_date: '2015-12-20', price_source: { type: 'forecast', model: 'lear:28' } });
    expect(res.statusCode, res.body).toBe(200);
    const o = res.json();
    expect(o.price_scope).toBe('shared');
    expect(o.price_source).toMatchObject({ type: 'forecast', model: 'lear:28', exogenous: [expect.objectContaining({ series: 'load_forecast', area: 'ERCO' })] });
    const expected = createForecastModel('lear:28').forecastDay(historyAt(ds, '2015-12-20', ds.exogenous[0]!));
    o.schedule.forEach((s: { price_usd_per_mwh: number }, i: number) => expect(s.price_usd_per_mwh).toBeCloseTo(expected[i]!, 1));
    // The registry's version, named, gives its stored forecast (with the load forecast) to the optimiser.
    const byVersion = await inject('POST', '/api/optimize', { asset_id: asset.id, run: 'DA', delivery_date: '2015-12-20', price_source: { type: 'forecast', model_version_id: v[2].id } });
    expect(byVersion.json().price_source).toMatchObject({ model_version_id: v[2].id, exogenous: [expect.objectContaining({ area: 'ERCO' })] });
    const storedF = (await inject('GET', `/api/forecasts?model_version_id=${v[2].id}&delivery_date=2015-12-20`)).json().items[0];
    expect(byVersion.json().schedule.map((s: { price_usd_per_mwh: number }) => s.price_usd_per_mwh)).toEqual(storedF.hours.map((h: { p50: number }) => Math.round(h.p50 * 100) / 100));
  }, 120_000);
});
