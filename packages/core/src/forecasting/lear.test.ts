import { describe, expect, it } from 'vitest';
import { EPF_TEST_PERIODS, loadEpfDataset, loadEpfPublished } from '../../test-fixtures/epftoolbox/load-fixtures.js';
import { forecastDayIndex } from './dataset.js';
import { learForecastDay, LearModel } from './lear.js';
import { forecastMetrics } from './metrics.js';
import { forecastHistoryAt, type ForecastDataset } from './types.js';
import { evaluateForecastDays, forecastResultsMetrics } from './walk-forward.js';

const data = loadEpfDataset('NP');
const pub = loadEpfPublished('NP');
const start = forecastDayIndex(data, EPF_TEST_PERIODS.NP.start);

describe('LEAR', () => {
  it('LEAR 1456 on the first NP test day lands on the published epftoolbox forecast', () => {
    const f = learForecastDay(forecastHistoryAt(data, start), { window_days: 1456 });
    const published = pub.columns['LEAR 1456']!.subarray(0, 24);
    let mad = 0;
    for (let h = 0; h < 24; h++) mad += Math.abs(f[h]! - published[h]!) / 24;
    expect(mad).toBeLessThan(0.05); // EUR/MWh; prices ~20–30
  });

  it('LEAR 56 over 3 days: many hours equal the published forecast, MAE close to it', () => {
    const days = [0, 1, 2].map((k) => start + k);
    const res = evaluateForecastDays(data, new LearModel({ window_days: 56 }), days);
    const published = pub.columns['LEAR 56']!;
    let same = 0;
    res.forEach((r, i) => { for (let h = 0; h < 24; h++) if (Math.abs(r.point[h]! - published[i * 24 + h]!) < 0.01) same++; });
    expect(same / 72).toBeGreaterThan(0.25);
    const ours = forecastResultsMetrics(res).mae;
    const theirs = forecastMetrics(pub.columns['Real price']!.subarray(0, 72), published.subarray(0, 72)).mae;
    expect(Math.abs(ours / theirs - 1)).toBeLessThan(0.3);
  });

  it('uses no future data: changing prices from day d on and exogenous data after d leaves the forecast of d unchanged', () => {
    const d = start + 3;
    const perturbed: ForecastDataset = {
      ...data,
      prices: data.prices.map((v, i) => (i >= d * 24 ? v * 3 + 100 : v)),
      exogenous: data.exogenous.map((e) => e.map((v, i) => (i >= (d + 1) * 24 ? -v : v))),
    };
    const a = learForecastDay(forecastHistoryAt(data, d), { window_days: 84 });
    const b = learForecastDay(forecastHistoryAt(perturbed, d), { window_days: 84 });
    expect(Array.from(b)).toEqual(Array.from(a));
    // ... while the exogenous forecast of day d itself is an input
    const exoD: ForecastDataset = { ...data, exogenous: data.exogenous.map((e) => e.map((v, i) => (i >= d * 24 && i < (d + 1) * 24 ? v * 1.2 : v))) };
    const c = learForecastDay(forecastHistoryAt(exoD, d), { window_days: 84 });
    expect(Array.from(c)).not.toEqual(Array.from(a));
  });

  it('the early-stopped IC path and warm starts give the same forecast as the full path from scratch', () => {
    const d = start + 1;
    const model = new LearModel({ window_days: 260 });
    model.forecastDay(forecastHistoryAt(data, d - 1)); // leaves warm starts
    const warm = model.forecastDay(forecastHistoryAt(data, d));
    const cold = learForecastDay(forecastHistoryAt(data, d), { window_days: 260, exact_ic_path: true });
    for (let h = 0; h < 24; h++) expect(warm[h]).toBeCloseTo(cold[h]!, 3);
  });
});
