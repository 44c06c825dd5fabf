/**
 * The default forecaster per location by measured accuracy: on ten months of NYISO
 * N.Y.C. prices (too short for the platform default's 1,456-day window) every
 * candidate the history supports walks forward over the last 14 days in the
 * compute pool, and the most accurate wins. The expected winner is computed
 * here on the main thread with core's models and core's metrics over the same
 * days and inputs; the choice is stored and reused, not measured again at the
 * next tick. A location with a month of history falls back to the weekly naive.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createForecastModel, FORECAST_DEFAULT_MODEL, forecastMetrics } from '@optibid/core';
import { CHOICE_EVAL_DAYS, choiceCandidates, loadPriceBook } from '../src/modules/forecasting/index.js';
import { planEvaluation } from '../src/modules/forecasting/engine.js';
import { describeEachBackend, startTestServer, type TestServer } from './helpers.js';

const YEAR = new URL('../../../packages/core/test-fixtures/nyiso-nyc-2019-2020/nyc-damlbmp-zone-2019-05-01_2020-04-30.csv.gz', import.meta.url);
const ERCOT = new URL('./fixtures/ercot_dam_hb_houston_2015-11-02_12-31.csv.gz', import.meta.url);
const TRAIN_EVAL_DAYS = 28;

describeEachBackend('default forecaster by measured accuracy', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(backend);
    for (const [name, url] of [['nyc-damlbmp-zone-2019-05-01_2020-04-30.csv.gz', YEAR], ['ercot_dam_hb_houston_2015-11-02_12-31.csv.gz', ERCOT]] as const) {
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
    // Ten months support the 84- and 56-day benchmark windows, not the default's 1,456 days.
    expect(candidates).toEqual(['lear:84', 'lear:56', 'lear:28', 'naive', 'weekly-naive']);

    // Expected: each candidate with core's model on this thread over the same days and inputs, scored by core's metrics.
    const expected = candidates.map((spec) => {
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
    const best = [...expected].sort((a, b) => a.mae - b.mae)[0]!;
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
});
