import { forecastMetrics, type ForecastMetricsReport } from './metrics.js';
import { forecastHistoryAt, type ForecastDataset, type ForecastDayResult, type ForecastPointModel } from './types.js';

/**
 * Walk-forward evaluation as in the benchmark (Lago et al. 2021, Sec. 5.1): for each test
 * day d the model sees prices up to d−1 and exogenous forecasts up to d (a truncated
 * view, see `forecastHistoryAt`), recalibrates, and forecasts the 24 prices of d.
 *
 * Quantiles: P10/P50/P90 = point + empirical residual quantiles (actual − point) per hour
 * over the model's own out-of-sample forecasts of the previous `quantile_window_days`
 * days (no look-ahead: only days already revealed). With `quantile_warmup`, the
 * `quantile_window_days` days before the first requested day are forecast first (not
 * returned), so a chunk of days gives the same quantiles whatever the split.
 */
export interface ForecastEvaluateOptions {
  quantile_window_days?: number;
  quantile_warmup?: boolean;
  onProgress?: (done: number, total: number, date: string) => void;
}

export function evaluateForecastDays(
  data: ForecastDataset,
  model: ForecastPointModel,
  day_indices: number[],
  options: ForecastEvaluateOptions = {},
): ForecastDayResult[] {
  const Q = options.quantile_window_days ?? 28;
  const days = [...day_indices].sort((a, b) => a - b);
  for (const d of days) {
    if (d < model.min_history_days) throw new RangeError(`${model.name} needs ${model.min_history_days} days before ${data.dates[d]}`);
  }
  const residuals: Float64Array[] = []; // last Q days, each 24 residuals
  let lastDay = -Infinity;
  const push = (d: number, point: Float64Array) => {
    if (d !== lastDay + 1) residuals.length = 0; // gaps break the "previous Q days" window
    lastDay = d;
    const r = new Float64Array(24);
    for (let h = 0; h < 24; h++) r[h] = data.prices[d * 24 + h]! - point[h]!;
    residuals.push(r);
    if (residuals.length > Q) residuals.shift();
  };
  if (options.quantile_warmup && days.length) {
    const start = Math.max(model.min_history_days, days[0]! - Q);
    for (let d = start; d < days[0]!; d++) push(d, model.forecastDay(forecastHistoryAt(data, d)));
  }
  const out: ForecastDayResult[] = [];
  days.forEach((d, i) => {
    const point = model.forecastDay(forecastHistoryAt(data, d));
    if (d !== lastDay + 1) residuals.length = 0;
    const q = forecastResidualQuantiles(point, residuals, [0.1, 0.5, 0.9]);
    out.push({
      day: d,
      date: data.dates[d]!,
      point,
      p10: q[0]!,
      p50: q[1]!,
      p90: q[2]!,
      actual: Float64Array.from(data.prices.subarray(d * 24, d * 24 + 24)),
    });
    push(d, point);
    options.onProgress?.(i + 1, days.length, data.dates[d]!);
  });
  return out;
}

/**
 * point + the empirical quantile (linear interpolation, numpy's default) of the residuals
 * of each hour; with no residuals every quantile equals the point forecast. Quantiles are
 * sorted per hour so P10 ≤ P50 ≤ P90 always.
 */
export function forecastResidualQuantiles(point: Float64Array, residuals: Float64Array[], levels: number[]): Float64Array[] {
  const out = levels.map(() => new Float64Array(24));
  const buf = new Float64Array(residuals.length);
  for (let h = 0; h < 24; h++) {
    for (let i = 0; i < residuals.length; i++) buf[i] = residuals[i]![h]!;
    buf.sort();
    levels.forEach((lv, k) => {
      let q = 0;
      if (buf.length) {
        const pos = lv * (buf.length - 1);
        const lo = Math.floor(pos), hi = Math.ceil(pos);
        q = buf[lo]! + (buf[hi]! - buf[lo]!) * (pos - lo);
      }
      out[k]![h] = point[h]! + q;
    });
  }
  return out;
}

/** Merges per-worker results (any order) into one list sorted by day; rejects duplicates. */
export function mergeForecastResults(parts: ForecastDayResult[][]): ForecastDayResult[] {
  const all = parts.flat().sort((a, b) => a.day - b.day);
  for (let i = 1; i < all.length; i++) if (all[i]!.day === all[i - 1]!.day) throw new Error(`day ${all[i]!.date} forecast twice`);
  return all;
}

/** Splits days into `n` contiguous chunks of near-equal size (for worker threads). */
export function splitForecastDays(day_indices: number[], n: number): number[][] {
  const days = [...day_indices].sort((a, b) => a - b);
  const chunks: number[][] = [];
  for (let k = 0; k < n; k++) {
    const a = Math.round((k * days.length) / n), b = Math.round(((k + 1) * days.length) / n);
    if (b > a) chunks.push(days.slice(a, b));
  }
  return chunks;
}

/** Metrics (benchmark definitions) of merged walk-forward results over consecutive days. */
export function forecastResultsMetrics(results: ForecastDayResult[]): ForecastMetricsReport {
  const actual = new Float64Array(results.length * 24), fc = new Float64Array(results.length * 24);
  results.forEach((r, i) => { actual.set(r.actual, i * 24); fc.set(r.point, i * 24); });
  return forecastMetrics(actual, fc);
}
