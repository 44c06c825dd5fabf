/**
 * The default forecaster per location by measured accuracy: on ten months of NYISO
 * N.Y.C. prices (too short for the platform default's 1,456-day window) every
 * candidate the history supports walks forward over the last 14 days in the
 * compute pool, and the most accurate wins. The expected winner is computed
 * here on the main thread with core's models and core's metrics over the same
 * days and inputs; the choice is stored and reused, not measured again at the
 * next tick. A location with a month of history falls back to the weekly naive. The candidates
 * include our own models: on a year of ERCOT Houston prices one of them measures best, and the
 * daily job registers and serves it to an organisation without the own_forecast_model flag,
 * which still cannot register that model itself.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createForecastModel, FORECAST_DEFAULT_MODEL, forecastMetrics, isOwnForecastModel } from '@optibid/core';
import { CHOICE_EVAL_DAYS, choiceCandidates, loadPriceBook } from '../src/modules/forecasting/index.js';
import { planEvaluation } from '../src/modules/forecasting/engine.js';
import type { PriceBook } from '../src/modules/forecasting/price-book.js';
import { runForecastJobOnce } from '../src/jobs/forecast.js';
import { bearer, describeEachBackend, registerUser, startTestServer, type TestServer } from './helpers.js';

const YEAR = new URL('../../../packages/core/test-fixtures/nyiso-nyc-2019-2020/nyc-damlbmp-zone-2019-05-01_2020-04-30.csv.gz', import.meta.url);
const ERCOT = new URL('./fixtures/ercot_dam_hb_houston_2015-11-02_12-31.csv.gz', import.meta.url);
const ERCOT_YEAR = new URL('../demo-data/ercot_dam_hb_houston_2015.csv.gz', import.meta.url);
const TRAIN_EVAL_DAYS = 28;
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** Each candidate run by core's model on this thread over the choice's days and inputs, scored by core's metrics; best first (ties: the candidates' order). */
function expectedScores(book: PriceBook, candidates: string[]): { spec: string; mae: number; dates: string[] }[] {
  const scores = candidates.map((spec) => {
    const plan = planEvaluation(spec, book, { evalDays: CHOICE_EVAL_DAYS, warmupDays: 0 });
    const model = createForecastModel(spec);
    const actual = new Float64Array(plan.dates.length * 24);
    const point = new Float64Array(plan.dates.length * 24);
    plan.inputs.forEach((input, k) => {
      point.set(model.forecastDay(input.history), k * 24);
      actual.set(book.actual(input.date)!, k * 24);
    });
    return { spec, mae: forecastMetrics(actual, point).mae, dates: plan.dates };
  });
  return scores.sort((a, b) => a.mae - b.mae || candidates.indexOf(a.spec) - candidates.indexOf(b.spec));
}

describeEachBackend('default forecaster by measured accuracy', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
    const files = [['nyc-damlbmp-zone-2019-05-01_2020-04-30.csv.gz', YEAR], ['ercot_dam_hb_houston_2015-11-02_12-31.csv.gz', ERCOT], ['ercot_dam_hb_houston_2015.csv.gz', ERCOT_YEAR]] as const;
    for (const [name, url] of files) {
      await server.ctx.imports.importFiles([{ name, data: new Uint8Array(fs.readFileSync(url)) }], {}, { organization_id: null, user_id: null, origin: 'seed' }, null);
    }
  }, 120_000);
  afterAll(async () => server?.close());

  /** Import and forecast tasks the compute pool has finished (its metrics' count). */
  async function pooledForecasts(): Promise<number> {
    const m = await server.ctx.metrics.computeTaskDuration.get();
    return m.values.filter((v) => v.metricName?.endsWith('_count') && v.labels.task === 'forecastDays').reduce((s, v) => s + v.value, 0);
  }

  it('ten months of N.Y.C. prices (to 2020-02-29): the candidate that measures best on the last 14 days is chosen, with its scores, and reused', { timeout: 600_000 }, async () => {
    const m = server.ctx.markets.market('NYISO');
    const book = await loadPriceBook(server.ctx, m, 'N.Y.C.', new Date('2020-03-01T05:00:00Z'), 1500 + TRAIN_EVAL_DAYS + 30);
    const candidates = choiceCandidates(book.completeDates().length, TRAIN_EVAL_DAYS);
    // Ten months support the 84- and 56-day benchmark windows and our half-year ridge and GBM, not the 1,456 days of the
    // platform default and our combinations.
    expect(candidates).toEqual(['ridge:182', 'gbm:182', 'lear:84', 'lear:56', 'lear:28', 'naive', 'weekly-naive']);

    const expected = expectedScores(book, candidates);
    const best = expected[0]!;
    // The point of the test: on these days a cheaper model beats the most capable one that fits.
    expect(best.spec).not.toBe(candidates[0]);

    const before = await pooledForecasts();
    const choice = await server.ctx.forecasting.deps.modelChoice.choose({ market: 'NYISO', location: 'N.Y.C.', book, trainEvalDays: TRAIN_EVAL_DAYS });
    console.log(`${backend.name}: chose ${choice.spec}: ${choice.note}`);
    expect(choice.spec).toBe(best.spec);
    // Measured in the pool, one walk-forward per candidate.
    expect((await pooledForecasts()) - before).toBe(candidates.length);
    expect(choice.scores.map((s) => s.spec).sort()).toEqual([...candidates].sort());
    for (const e of expected) expect(choice.scores.find((s) => s.spec === e.spec)!.mae_usd_per_mwh).toBeCloseTo(e.mae, 6);
    expect(choice.evaluated_from).toBe(best.dates[0]);
    expect(choice.evaluated_through).toBe('2020-02-29');
    expect(choice.note).toContain(`most accurate of ${candidates.length} candidates on ${best.dates[0]} … 2020-02-29`);
    expect(choice.note).toContain(`${FORECAST_DEFAULT_MODEL} needs`);

    // Stored: the next tick (and another instance) reuses it without measuring again.
    const stored = await server.ctx.forecasting.deps.modelChoice.stored('NYISO', 'N.Y.C.');
    expect(stored).toMatchObject({ spec: best.spec, note: choice.note, evaluated_through: '2020-02-29' });
    const mid = await pooledForecasts();
    const again = await server.ctx.forecasting.deps.modelChoice.choose({ market: 'NYISO', location: 'N.Y.C.', book, trainEvalDays: TRAIN_EVAL_DAYS });
    expect(again).toEqual(choice);
    expect(await pooledForecasts()).toBe(mid);

    // The optimiser's unnamed forecast uses the stored choice.
    const adHoc = await server.ctx.forecasting.forecasts.adHoc('00000000-0000-0000-0000-000000000000', { market: 'NYISO', location: 'N.Y.C.', delivery_date: '2020-03-01' });
    expect(adHoc.model).toBe(best.spec);
  });

  it('a month of history falls back to the weekly naive, saying why, without measuring', async () => {
    const m = server.ctx.markets.market('ERCOT');
    const book = await loadPriceBook(server.ctx, m, 'HB_HOUSTON', new Date('2016-01-01T06:00:00Z'), 30);
    expect(book.completeDates().length).toBeLessThanOrEqual(30);
    const before = await pooledForecasts();
    const choice = await server.ctx.forecasting.deps.modelChoice.choose({ market: 'ERCOT', location: 'HB_HOUSTON', book, trainEvalDays: TRAIN_EVAL_DAYS });
    expect(choice).toMatchObject({ spec: 'weekly-naive', scores: [], evaluated_through: null });
    expect(choice.note).toMatch(new RegExp(`${FORECAST_DEFAULT_MODEL} needs \\d+ days of history and \\d+ are stored: weekly-naive until there are enough`));
    expect(await pooledForecasts()).toBe(before);
  });

  it('a year of ERCOT Houston: our own model measures best, is chosen with its scores, and is served to an organisation without the flag, which cannot register it', { timeout: 600_000 }, async () => {
    // 06:00 CST on 2015-12-31: the gate for 2016-01-01 closes at 10:00 CST; prices are complete through 12-30.
    const now = new Date('2015-12-31T12:00:00Z');
    const m = server.ctx.markets.market('ERCOT');
    const book = await loadPriceBook(server.ctx, m, 'HB_HOUSTON', now, 1500 + TRAIN_EVAL_DAYS + 30);
    const candidates = choiceCandidates(book.completeDates().length, TRAIN_EVAL_DAYS);
    expect(candidates).toEqual(['ridge:182', 'gbm:182', 'lear:84', 'lear:56', 'lear:28', 'naive', 'weekly-naive']);
    const expected = expectedScores(book, candidates);
    const best = expected[0]!;
    // The point of the test: on these days a model of our own beats every LEAR window that fits.
    expect(isOwnForecastModel(best.spec)).toBe(true);

    const choice = await server.ctx.forecasting.deps.modelChoice.choose({ market: 'ERCOT', location: 'HB_HOUSTON', book, trainEvalDays: TRAIN_EVAL_DAYS });
    console.log(`${backend.name}: chose ${choice.spec}: ${choice.note}`);
    expect(choice.spec).toBe(best.spec);
    expect(choice.scores.map((s) => s.spec)).toEqual(expected.map((e) => e.spec));
    for (const e of expected) expect(choice.scores.find((s) => s.spec === e.spec)!.mae_usd_per_mwh).toBeCloseTo(e.mae, 6);
    expect(choice.evaluated_through).toBe('2015-12-30');
    expect(await server.ctx.forecasting.deps.modelChoice.stored('ERCOT', 'HB_HOUSTON')).toMatchObject({ spec: best.spec, note: choice.note, scores: choice.scores });

    // An organisation on a plan without our own models, with a battery at the hub.
    const user = await registerUser(server.app);
    const org = user.user.organization.id;
    expect(await server.ctx.platform.flags.isEnabled(org, 'own_forecast_model')).toBe(false);
    await server.ctx.database.query(`INSERT INTO assets (organization_id, name, type, market, location, params) VALUES ($1, 'Houston battery', 'battery', 'ERCOT', 'HB_HOUSTON', '{}'::jsonb)`, [org]);
    const before = await pooledForecasts();
    const report = await runForecastJobOnce(server.ctx, silent, { now: () => now, ignoreLeadTime: true });
    expect(report).toMatchObject({ registered: 1, trained: 1, forecasts_stored: 1, skipped: [] });
    // The job reused the stored choice: one walk-forward for the training, one day served (no candidate measured again).
    expect((await pooledForecasts()) - before).toBeLessThanOrEqual(2);

    const get = (url: string) => server.app.inject({ method: 'GET', url, headers: bearer(user.access_token) });
    const models = (await get('/api/models?market=ERCOT&location=HB_HOUSTON')).json().items;
    expect(models).toHaveLength(1);
    expect(models[0]).toMatchObject({ managed_by_job: true, model_type: best.spec, production_version: { version: 1, stage: 'production' } });
    expect(models[0].description).toBe(`Registered by the daily forecast job: ${choice.note}.`);
    const served = (await get('/api/forecasts?market=ERCOT&location=HB_HOUSTON&delivery_date=2016-01-01')).json().items;
    expect(served).toHaveLength(1);
    expect(served[0]).toMatchObject({ origin: 'job', model_version_id: models[0].production_version.id });
    expect(served[0].hours).toHaveLength(24);

    // Registering the same model themselves is still refused by the flag.
    const own = await server.app.inject({
      method: 'POST',
      url: '/api/models',
      headers: bearer(user.access_token),
      payload: { name: 'my own', market: 'ERCOT', location: 'HB_HOUSTON', model_type: best.spec },
    });
    expect(own.statusCode).toBe(403);
    expect(own.json().error.message).toMatch(/own_forecast_model/);
    expect((await get('/api/models')).json().items).toHaveLength(1);
  });
});
