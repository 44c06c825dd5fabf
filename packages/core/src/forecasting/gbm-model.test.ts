import { describe, expect, it } from 'vitest';
import { GbmForecastModel } from './gbm-model.js';
import { createForecastModel } from './models.js';
import { absErrorVsWeeklyNaive, syntheticPrices } from './test-helpers.js';
import { forecastHistoryAt } from './types.js';
import { evaluateForecastDays, mergeForecastResults, splitForecastDays } from './walk-forward.js';

/** Prices driven non-linearly by load − wind (a merit-order hockey stick) plus a weekend dip. */
const data = syntheticPrices(120, {
  load: (d, h) => 100 + 25 * Math.sin(((h - 6) / 24) * 2 * Math.PI) + ((d * 7 + h * 13) % 17),
  wind: (d, h) => 10 + ((d * 5 + h * 3) % 13),
}, (d, _h, x) => {
  const net = x.load! - x.wind!;
  return 20 + 0.2 * net + (net > 110 ? 3 * (net - 110) : 0) + (d % 7 >= 5 ? -4 : 0);
});

describe('GBM forecaster', () => {
  const days = Array.from({ length: 14 }, (_, i) => 100 + i);

  it('learns the merit-order kink: beats the weekly naive by far', () => {
    const ae = absErrorVsWeeklyNaive(data, new GbmForecastModel({ window_days: 84 }), days);
    expect(ae.model).toBeLessThan(0.5 * ae.naive);
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
