import { forecastDatasetFromHourly } from './dataset.js';
import { createForecastModel } from './models.js';
import { forecastHistoryAt, type ForecastDataset, type ForecastPointModel } from './types.js';

/**
 * Test-only helpers shared by the forecasting model tests (not exported from the package).
 * `syntheticPrices` builds consecutive days from 2020-01-06 with `price(d, h, exo)`.
 */
export function syntheticPrices(
  days: number, exo: Record<string, (d: number, h: number) => number>, price: (d: number, h: number, x: Record<string, number>, prices: number[]) => number,
): ForecastDataset {
  const ts: string[] = [], prices: number[] = [];
  const names = Object.keys(exo);
  const series = names.map(() => [] as number[]);
  for (let d = 0; d < days; d++) {
    const date = new Date(Date.UTC(2020, 0, 6 + d)).toISOString().slice(0, 10);
    for (let h = 0; h < 24; h++) {
      ts.push(`${date} ${String(h).padStart(2, '0')}:00:00`);
      const x = Object.fromEntries(names.map((n, k) => { const v = exo[n]!(d, h); series[k]!.push(v); return [n, v]; }));
      prices.push(price(d, h, x, prices));
    }
  }
  return forecastDatasetFromHourly(ts, prices, series, names);
}

/** Total absolute error of a model and of the weekly naive over the given days. */
export function absErrorVsWeeklyNaive(data: ForecastDataset, model: ForecastPointModel, days: number[]): { model: number; naive: number } {
  const naive = createForecastModel('weekly-naive');
  let ae = 0, aeNaive = 0;
  for (const d of days) {
    const h = forecastHistoryAt(data, d);
    const f = model.forecastDay(h), n = naive.forecastDay(h);
    for (let k = 0; k < 24; k++) { ae += Math.abs(f[k]! - data.prices[d * 24 + k]!); aeNaive += Math.abs(n[k]! - data.prices[d * 24 + k]!); }
  }
  return { model: ae, naive: aeNaive };
}
