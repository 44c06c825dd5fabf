import { describe, expect, it } from 'vitest';
import { forecastDatasetFromHourly } from './dataset.js';
import { GbmForecastModel } from './gbm-model.js';
import { createForecastModel } from './models.js';
import { forecastHistoryAt } from './types.js';
import { evaluateForecastDays, mergeForecastResults, splitForecastDays } from './walk-forward.js';

/** Prices driven non-linearly by load (a merit-order hockey stick) plus a weekend dip. */
function synthetic(days: number) {
  const ts: string[] = [], price: number[] = [], load: number[] = [], wind: number[] = [];
  for (let d = 0; d < days; d++) {
    const date = new Date(Date.UTC(2020, 0, 6 + d)).toISOString().slice(0, 10);
    for (let h = 0; h < 24; h++) {
      ts.push(`${date} ${String(h).padStart(2, '0')}:00:00`);
      const l = 100 + 25 * Math.sin(((h - 6) / 24) * 2 * Math.PI) + ((d * 7 + h * 13) % 17);
      const w = 10 + ((d * 5 + h * 3) % 13);
      load.push(l);
      wind.push(w);
      const net = l - w;
      price.push(20 + 0.2 * net + (net > 110 ? 3 * (net - 110) : 0) + (d % 7 >= 5 ? -4 : 0));
    }
  }
  return forecastDatasetFromHourly(ts, price, [load, wind], ['load', 'wind']);
}

describe('GBM forecaster', () => {
  const data = synthetic(120);
  const days = Array.from({ length: 14 }, (_, i) => 100 + i);

  it('learns the merit-order kink: beats the weekly naive by far', () => {
    const model = new GbmForecastModel({ window_days: 84 });
    const naive = createForecastModel('weekly-naive');
    let ae = 0, aeNaive = 0;
    for (const d of days) {
      const h = forecastHistoryAt(data, d);
      const f = model.forecastDay(h), n = naive.forecastDay(h);
      for (let k = 0; k < 24; k++) { ae += Math.abs(f[k]! - data.prices[d * 24 + k]!); aeNaive += Math.abs(n[k]! - data.prices[d * 24 + k]!); }
    }
    expect(ae).toBeLessThan(0.5 * aeNaive);
  });

  it('gives the same forecasts whatever the split across workers (weekly refit days are fixed)', () => {
    const one = evaluateForecastDays(data, createForecastModel('gbm:56'), days);
    const parts = splitForecastDays(days, 3).map((c) => evaluateForecastDays(data, createForecastModel('gbm:56'), c));
    const merged = mergeForecastResults(parts);
    merged.forEach((r, i) => expect(Array.from(r.point)).toEqual(Array.from(one[i]!.point)));
  });

  it('never looks ahead: changing prices from the target day on leaves its forecast unchanged', () => {
    const d = 103;
    const a = new GbmForecastModel({ window_days: 56 }).forecastDay(forecastHistoryAt(data, d));
    const changed = { ...data, prices: Float64Array.from(data.prices, (v, i) => (i >= d * 24 ? v * 3 + 50 : v)) };
    const b = new GbmForecastModel({ window_days: 56 }).forecastDay(forecastHistoryAt(changed, d));
    expect(Array.from(b)).toEqual(Array.from(a));
  });
});
