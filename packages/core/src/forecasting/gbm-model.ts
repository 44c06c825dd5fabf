import { fitGbm, predictGbm, type GbmModel, type GbmOptions } from './gbm.js';
import { fitInvariantScaler, invariantInverse, invariantTransform, type InvariantScaler } from './scaling.js';
import { forecastDayOfWeek, forecastRefitDay, type ForecastHistory, type ForecastPointModel } from './types.js';

/**
 * OptiBid "GBM": one gradient-boosted tree model for all 24 hours (hour is a feature),
 * so it learns the non-linear merit-order response to load and renewables that a
 * per-hour linear model (LEAR) cannot. Target and price features are in the same
 * Invariant (asinh median/MAD) space as LEAR, with the scaler fitted on the training
 * window's prices. Features of (day t, hour h): hour, day of week, position in the
 * year (cos, sin); price at h on t−1, t−2, t−3, t−7, at h±1 on t−1; mean, min, max and
 * last hour of t−1, mean of t−7, and the hour's deviation from its day's mean on t−1
 * and t−7 (trees split on one feature at a time, so differences must be given); for
 * each exogenous series its forecast at (t, h), (t−1, h), (t−7, h), the changes from
 * those, its day mean and maximum on t, the hour's share of the day mean and the change
 * of the day mean from t−1; with two series also their difference and ratio at (t, h)
 * (NP: load − wind = residual load). Squared error on the transformed price, which
 * tempers spikes as LEAR's transformation does.
 * Refitted every `refit_days` days on the window ending before the refit day, which is
 * chosen as the last multiple of `refit_days` not after the target day, so a forecast
 * never depends on how the test days were split across workers.
 */
export interface GbmForecastOptions extends GbmOptions {
  window_days: number;
  refit_days?: number;
}

export class GbmForecastModel implements ForecastPointModel {
  readonly name: string;
  readonly min_history_days: number;
  private fitted: { refit_day: number; model: GbmModel; scaler: InvariantScaler } | null = null;

  constructor(readonly options: GbmForecastOptions) {
    if (!(options.window_days >= 28)) throw new RangeError('GBM window must be at least 28 days');
    this.name = `gbm:${options.window_days}`;
    this.min_history_days = options.window_days;
  }

  forecastDay(history: ForecastHistory): Float64Array {
    const d = history.day;
    const refitDay = forecastRefitDay(d, this.options.refit_days ?? 7, this.options.window_days);
    if (!this.fitted || this.fitted.refit_day !== refitDay) this.fitted = this.fit(history, refitDay);
    const { model, scaler } = this.fitted;
    const row = new Float64Array(gbmFeatureCount(history.exogenous.length));
    const out = new Float64Array(24);
    for (let h = 0; h < 24; h++) {
      gbmFeatures(history.prices, history.exogenous, history.dates[d]!, d, h, scaler, row);
      out[h] = invariantInverse(scaler, predictGbm(model, row));
    }
    return out;
  }

  private fit(history: ForecastHistory, refitDay: number) {
    const W = this.options.window_days;
    const first = refitDay - W + 7, n = (refitDay - first) * 24;
    const scaler = fitInvariantScaler(history.prices.subarray((refitDay - W) * 24, refitDay * 24));
    const p = gbmFeatureCount(history.exogenous.length);
    const cols = Array.from({ length: p }, () => new Float64Array(n));
    const y = new Float64Array(n);
    const row = new Float64Array(p);
    let i = 0;
    for (let t = first; t < refitDay; t++) {
      for (let h = 0; h < 24; h++, i++) {
        gbmFeatures(history.prices, history.exogenous, history.dates[t]!, t, h, scaler, row);
        for (let j = 0; j < p; j++) cols[j]![i] = row[j]!;
        y[i] = invariantTransform(scaler, history.prices[t * 24 + h]!);
      }
    }
    return { refit_day: refitDay, model: fitGbm(cols, y, this.options), scaler };
  }
}

export function gbmFeatureCount(nExo: number): number {
  return 17 + 9 * nExo + (nExo >= 2 ? 2 : 0);
}

/** Feature row of (day t, hour h); needs prices of t−7..t−1 and exogenous of t−7..t. */
export function gbmFeatures(
  prices: Float64Array, exo: Float64Array[], dateOfT: string, t: number, h: number, s: InvariantScaler, out: Float64Array,
): void {
  const tp = (x: number) => invariantTransform(s, x);
  const day = (k: number) => prices.subarray(k * 24, k * 24 + 24);
  const y1 = day(t - 1);
  let mean1 = 0, min1 = Infinity, max1 = -Infinity, mean7 = 0;
  for (let k = 0; k < 24; k++) { const v = y1[k]!; mean1 += v / 24; if (v < min1) min1 = v; if (v > max1) max1 = v; mean7 += prices[(t - 7) * 24 + k]! / 24; }
  let f = 0;
  out[f++] = h;
  out[f++] = forecastDayOfWeek(dateOfT);
  for (const lag of [1, 2, 3, 7]) out[f++] = tp(prices[(t - lag) * 24 + h]!);
  out[f++] = tp(mean1); out[f++] = tp(min1); out[f++] = tp(max1); out[f++] = tp(y1[23]!); out[f++] = tp(mean7);
  out[f++] = tp(y1[Math.max(0, h - 1)]!); out[f++] = tp(y1[Math.min(23, h + 1)]!);
  out[f++] = tp(y1[h]!) - tp(mean1); out[f++] = tp(prices[(t - 7) * 24 + h]!) - tp(mean7);
  // position in the year (trees cannot find seasons from levels that drift)
  const [yy, mm, dd] = dateOfT.split('-').map(Number) as [number, number, number];
  const doy = (Date.UTC(yy, mm - 1, dd) - Date.UTC(yy, 0, 1)) / 86_400_000;
  out[f++] = Math.cos((2 * Math.PI * doy) / 365.25); out[f++] = Math.sin((2 * Math.PI * doy) / 365.25);
  for (const e of exo) {
    let meanT = 0, maxT = -Infinity, mean1e = 0;
    for (let k = 0; k < 24; k++) { const v = e[t * 24 + k]!; meanT += v / 24; if (v > maxT) maxT = v; mean1e += e[(t - 1) * 24 + k]! / 24; }
    const now = e[t * 24 + h]!;
    out[f++] = now; out[f++] = e[(t - 1) * 24 + h]!; out[f++] = e[(t - 7) * 24 + h]!; out[f++] = meanT;
    out[f++] = now - e[(t - 1) * 24 + h]!; out[f++] = now - e[(t - 7) * 24 + h]!;
    out[f++] = meanT !== 0 ? now / meanT : 0; out[f++] = maxT; out[f++] = meanT - mean1e;
  }
  if (exo.length >= 2) {
    const a = exo[0]![t * 24 + h]!, b = exo[1]![t * 24 + h]!;
    out[f++] = a - b;
    out[f] = b !== 0 ? a / b : 0;
  }
}
