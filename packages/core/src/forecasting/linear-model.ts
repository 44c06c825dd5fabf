import { crossFittedRidge } from './ridge.js';
import { learFeatureCount, learFeatures } from './lear.js';
import { fitInvariantScaler, invariantInverse, invariantTransform, type InvariantScaler } from './scaling.js';
import { forecastRefitDay, type ForecastHistory, type ForecastPointModel } from './types.js';

/**
 * OptiBid "ridge": one multi-output ridge regression of the 24 transformed prices of day
 * t on LEAR's features (all hours of t−1, t−2, t−3, t−7, the exogenous forecasts of t,
 * t−1, t−7, day-of-week dummies). It differs from LEAR where a combination gains from
 * diversity: one Invariant scaler for all prices of the window (lags and target alike,
 * so yesterday's level carries over unscaled), standardised features, an L2 penalty
 * picked by 5-fold contiguous cross-validation (`crossFittedRidge`), and the mean
 * out-of-fold residual added back as a bias correction. Refitted weekly like the GBM.
 */
export interface RidgeForecastOptions {
  window_days: number;
  refit_days?: number;
  lambdas?: number[];
}

interface RidgeFit { refit_day: number; beta: Float64Array[]; mean: Float64Array; sd: Float64Array; bias: number; scaler: InvariantScaler; lambda: number }

export class RidgeForecastModel implements ForecastPointModel {
  readonly name: string;
  readonly min_history_days: number;
  private fitted: RidgeFit | null = null;

  constructor(readonly options: RidgeForecastOptions) {
    if (!(options.window_days >= 28)) throw new RangeError('ridge window must be at least 28 days');
    this.name = `ridge:${options.window_days}`;
    this.min_history_days = options.window_days;
  }

  /** λ chosen by the last refit (diagnostics). */
  get lambda(): number { return this.fitted?.lambda ?? NaN; }

  forecastDay(history: ForecastHistory): Float64Array {
    const d = history.day;
    const refitDay = forecastRefitDay(d, this.options.refit_days ?? 7, this.options.window_days);
    if (!this.fitted || this.fitted.refit_day !== refitDay) this.fitted = this.fit(history, refitDay);
    const f = this.fitted;
    const x = linearRow(history, d, f.scaler, f);
    return Float64Array.from(f.beta, (b) => {
      let s = 0;
      for (let j = 0; j < x.length; j++) s += b[j]! * x[j]!;
      return invariantInverse(f.scaler, s + f.bias);
    });
  }

  private fit(history: ForecastHistory, refitDay: number): RidgeFit {
    const W = this.options.window_days;
    const first = refitDay - W + 7, nDays = refitDay - first;
    const scaler = fitInvariantScaler(history.prices.subarray((refitDay - W) * 24, refitDay * 24));
    const p = learFeatureCount(history.exogenous.length) + 1;
    const X = new Float64Array(nDays * p);
    for (let k = 0; k < nDays; k++) X.set(linearRow(history, first + k, scaler, null), k * p);
    const mean = new Float64Array(p - 1), sd = new Float64Array(p - 1);
    for (let j = 0; j < p - 1; j++) {
      let m = 0, v = 0;
      for (let k = 0; k < nDays; k++) m += X[k * p + j]! / nDays;
      for (let k = 0; k < nDays; k++) v += (X[k * p + j]! - m) ** 2 / nDays;
      mean[j] = m;
      sd[j] = Math.sqrt(v) || 1;
      for (let k = 0; k < nDays; k++) X[k * p + j] = (X[k * p + j]! - m) / sd[j]!;
    }
    const Y = Array.from({ length: 24 }, (_, h) => Float64Array.from({ length: nDays }, (_, k) => invariantTransform(scaler, history.prices[(first + k) * 24 + h]!)));
    const r = crossFittedRidge(X, nDays, p, Y, 5, this.options.lambdas ?? [0.003, 0.01, 0.03, 0.1, 0.3]);
    // One bias for all hours: the mean out-of-fold residual over the window.
    let res = 0;
    for (let k = 0; k < nDays; k++) for (let h = 0; h < 24; h++) res += (Y[h]![k]! - r.oof[k * 24 + h]!) / (nDays * 24);
    return { refit_day: refitDay, beta: r.beta, mean, sd, bias: res, scaler, lambda: r.lambda };
  }
}

/** LEAR features of day t, prices in the pooled Invariant space, standardised if `norm`; a 1 last. */
function linearRow(history: ForecastHistory, t: number, s: InvariantScaler, norm: { mean: Float64Array; sd: Float64Array } | null): Float64Array {
  const p = learFeatureCount(history.exogenous.length);
  const x = new Float64Array(p + 1);
  learFeatures(history.prices, history.exogenous, history.dates[t]!, t, x);
  for (let j = 0; j < 96; j++) x[j] = invariantTransform(s, x[j]!);
  if (norm) for (let j = 0; j < p; j++) x[j] = (x[j]! - norm.mean[j]!) / norm.sd[j]!;
  x[p] = 1;
  return x;
}
