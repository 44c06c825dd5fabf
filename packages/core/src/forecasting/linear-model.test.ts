import { describe, expect, it } from 'vitest';
import { forecastDatasetFromHourly } from './dataset.js';
import { RidgeForecastModel } from './linear-model.js';
import { createForecastModel, isOwnForecastModel, listForecastModels, type MeanEnsembleModel } from './models.js';
import { forecastHistoryAt } from './types.js';
import { evaluateForecastDays, mergeForecastResults, splitForecastDays } from './walk-forward.js';

/** Prices linear in load and yesterday's price at the same hour, plus a weekend dip. */
function synthetic(days: number) {
  const ts: string[] = [], price: number[] = [], load: number[] = [];
  for (let d = 0; d < days; d++) {
    const date = new Date(Date.UTC(2020, 0, 6 + d)).toISOString().slice(0, 10);
    for (let h = 0; h < 24; h++) {
      ts.push(`${date} ${String(h).padStart(2, '0')}:00:00`);
      const l = 100 + 25 * Math.sin(((h - 6) / 24) * 2 * Math.PI) + ((d * 7 + h * 13) % 17);
      load.push(l);
      const prev = d > 0 ? price[(d - 1) * 24 + h]! : 40;
      price.push(0.5 * prev + 0.2 * l + (d % 7 >= 5 ? -4 : 0) + 2 * Math.sin(d * 1.3 + h));
    }
  }
  return forecastDatasetFromHourly(ts, price, [load], ['load']);
}

describe('ridge forecaster', () => {
  const data = synthetic(150);
  const days = Array.from({ length: 14 }, (_, i) => 130 + i);

  it('fits an autoregressive, load-driven price far better than the weekly naive', () => {
    const model = new RidgeForecastModel({ window_days: 112 });
    const naive = createForecastModel('weekly-naive');
    let ae = 0, aeNaive = 0;
    for (const d of days) {
      const h = forecastHistoryAt(data, d);
      const f = model.forecastDay(h), n = naive.forecastDay(h);
      for (let k = 0; k < 24; k++) { ae += Math.abs(f[k]! - data.prices[d * 24 + k]!); aeNaive += Math.abs(n[k]! - data.prices[d * 24 + k]!); }
    }
    expect(ae).toBeLessThan(0.4 * aeNaive);
    expect([0.003, 0.01, 0.03, 0.1, 0.3]).toContain(model.lambda);
  });

  it('gives the same forecasts whatever the split across workers', () => {
    const one = evaluateForecastDays(data, createForecastModel('ridge:84'), days);
    const merged = mergeForecastResults(splitForecastDays(days, 3).map((c) => evaluateForecastDays(data, createForecastModel('ridge:84'), c)));
    merged.forEach((r, i) => expect(Array.from(r.point)).toEqual(Array.from(one[i]!.point)));
  });
});

describe('model catalogue', () => {
  it('builds the hybrid from LEAR, GBM and ridge members and flags our own designs', () => {
    const hybrid = createForecastModel('hybrid-rw') as unknown as MeanEnsembleModel;
    expect(hybrid.members.map((m) => m.name)).toEqual([
      'lear:56', 'lear:84', 'lear:1092', 'lear:1456', 'gbm:364', 'gbm:1092', 'ridge:364', 'ridge:728', 'ridge:1092', 'ridge:1456',
    ]);
    expect(hybrid.min_history_days).toBe(1456);
    for (const s of ['hybrid-rw', 'lear-rw', 'gbm:364', 'ridge:84']) expect(isOwnForecastModel(s)).toBe(true);
    for (const s of ['lear-ensemble', 'lear:56', 'naive', 'gbm:x']) expect(isOwnForecastModel(s)).toBe(false);
    expect(listForecastModels().map((m) => m.spec)).toEqual(expect.arrayContaining(['gbm:<days>', 'ridge:<days>', 'hybrid-rw']));
    expect(() => createForecastModel('ridge:7')).toThrow(/at least 28/);
  });
});
