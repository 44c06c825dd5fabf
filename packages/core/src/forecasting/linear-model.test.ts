import { describe, expect, it } from 'vitest';
import { RidgeForecastModel } from './linear-model.js';
import { createForecastModel, isOwnForecastModel, listForecastModels, type MeanEnsembleModel } from './models.js';
import { absErrorVsWeeklyNaive, syntheticPrices } from './test-helpers.js';
import { evaluateForecastDays, mergeForecastResults, splitForecastDays } from './walk-forward.js';

/** Prices linear in load and yesterday's price at the same hour, plus a weekend dip. */
const data = syntheticPrices(150, { load: (d, h) => 100 + 25 * Math.sin(((h - 6) / 24) * 2 * Math.PI) + ((d * 7 + h * 13) % 17) }, (d, h, x, prices) =>
  0.5 * (d > 0 ? prices[(d - 1) * 24 + h]! : 40) + 0.2 * x.load! + (d % 7 >= 5 ? -4 : 0) + 2 * Math.sin(d * 1.3 + h));

describe('ridge forecaster', () => {
  const days = Array.from({ length: 14 }, (_, i) => 130 + i);

  it('fits an autoregressive, load-driven price far better than the weekly naive', () => {
    const model = new RidgeForecastModel({ window_days: 112 });
    const ae = absErrorVsWeeklyNaive(data, model, days);
    expect(ae.model).toBeLessThan(0.4 * ae.naive);
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
