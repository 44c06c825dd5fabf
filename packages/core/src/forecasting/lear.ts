import { lassoCoordinateDescentGram, lassoDualityGapGram } from './lasso-cd.js';
import { lassoLarsAtAlpha, lassoLarsIc } from './lasso-lars.js';
import { fitInvariantScaler, invariantInverse, invariantTransform } from './scaling.js';
import { forecastDayOfWeek, type ForecastHistory, type ForecastPointModel } from './types.js';

/**
 * LEAR (Lago, Marcjasz, De Schutter, Weron, Applied Energy 293 (2021) 116983, Sec. 4.1;
 * epftoolbox `models/_lear.py`): for each hour h a LASSO-estimated linear model of the
 * Invariant-transformed price of day d at hour h on
 *   prices of days d−1, d−2, d−3, d−7 (all 24 hours each),
 *   each exogenous series at days d−1 and d−7 and at day d (all 24 hours),
 *   7 day-of-week dummies (not transformed).
 * Calibration on the last `window_days` days before d, i.e. window_days − 7 samples.
 * Per hour: alpha from LassoLarsIC(criterion='aic') on centred, L2-normalised features
 * (scikit-learn < 1.2 default normalize=True), then Lasso(alpha) refitted on the centred
 * but unnormalised features (Lasso's default normalize=False), as epftoolbox does.
 */
export interface LearOptions {
  window_days: number;
  criterion?: 'aic' | 'bic';
  /** Coordinate-descent tolerance (scikit-learn default 1e-4). */
  tol?: number;
  /**
   * Reproduce scikit-learn <= 0.22's permuted-residual criterion for windows with fewer
   * samples than features (see `lassoLarsIc`); true by default, as the published
   * benchmark forecasts were made that way.
   */
  sklearn_legacy?: boolean;
  /**
   * Cold-start refit: 'path' (default) follows the exact lasso path on the unnormalised
   * features down to the selected alpha, 'cd' starts coordinate descent from zero.
   */
  refit?: 'path' | 'cd';
  /** Follow the whole LARS path for the criterion (no early stop; see `lassoLarsIc`). */
  exact_ic_path?: boolean;
  /** Called per hour with solver diagnostics (profiling, tests). */
  diagnostics?: (hour: number, info: LearHourDiagnostics) => void;
}

export interface LearHourDiagnostics {
  alpha: number;
  lars_iter: number;
  cd_iter: number;
  cd_gap: number;
  nonzero: number;
}

export interface LearFit {
  /** Per hour: intercept and coefficients in transformed space. */
  intercept: Float64Array;
  coef: Float64Array[];
  alpha: Float64Array;
}

export const LEAR_PRICE_LAGS = [1, 2, 3, 7] as const;
export const LEAR_EXO_LAGS = [1, 7] as const;

export function learFeatureCount(nExo: number): number {
  return 96 + 72 * nExo + 7;
}

/** Feature row for target day t (needs prices of t−7..t−1 and exogenous of t−7..t). */
export function learFeatures(prices: Float64Array, exo: Float64Array[], dateOfT: string, t: number, out: Float64Array): void {
  let f = 0;
  for (let h = 0; h < 24; h++) for (const lag of LEAR_PRICE_LAGS) out[f++] = prices[(t - lag) * 24 + h]!;
  for (let h = 0; h < 24; h++) {
    for (const lag of LEAR_EXO_LAGS) for (const e of exo) out[f++] = e[(t - lag) * 24 + h]!;
    for (const e of exo) out[f++] = e[t * 24 + h]!;
  }
  const dow = forecastDayOfWeek(dateOfT);
  for (let k = 0; k < 7; k++) out[f++] = k === dow ? 1 : 0;
}

/** A LEAR model for one calibration window; keeps per-hour warm starts between days. */
export class LearModel implements ForecastPointModel {
  readonly name: string;
  readonly min_history_days: number;
  private warm: Float64Array[] | null = null;

  constructor(readonly options: LearOptions) {
    if (!(options.window_days >= 14)) throw new RangeError('LEAR window must be at least 14 days');
    this.name = `lear:${options.window_days}`;
    this.min_history_days = options.window_days;
  }

  forecastDay(history: ForecastHistory): Float64Array {
    return learForecastDay(history, this.options, this.warm ?? undefined, (w) => (this.warm = w));
  }
}

/**
 * Recalibrates LEAR on the window ending the day before `history.day` and forecasts that
 * day's 24 prices. `warm` (per-hour coefficient vectors) only speeds up the solver.
 */
export function learForecastDay(
  history: ForecastHistory,
  options: LearOptions,
  warm?: Float64Array[],
  keepWarm?: (w: Float64Array[]) => void,
): Float64Array {
  const d = history.day;
  const W = options.window_days;
  if (d < W) throw new RangeError(`LEAR:${W} needs ${W} days of history, got ${d}`);
  const exo = history.exogenous;
  const p = learFeatureCount(exo.length);
  const nd = p - 7; // transformed features
  const n = W - 7;
  const first = d - W + 7;
  // raw features, column-major for the Gram products
  const cols = Array.from({ length: p }, () => new Float64Array(n));
  const row = new Float64Array(p);
  const Y = Array.from({ length: 24 }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    const t = first + i;
    learFeatures(history.prices, exo, history.dates[t]!, t, row);
    for (let j = 0; j < p; j++) cols[j]![i] = row[j]!;
    for (let h = 0; h < 24; h++) Y[h]![i] = history.prices[t * 24 + h]!;
  }
  const xTest = new Float64Array(p);
  learFeatures(history.prices, exo, history.dates[d]!, d, xTest);
  for (let j = 0; j < nd; j++) {
    const s = fitInvariantScaler(cols[j]!);
    const c = cols[j]!;
    for (let i = 0; i < n; i++) c[i] = invariantTransform(s, c[i]!);
    xTest[j] = invariantTransform(s, xTest[j]!);
  }
  // centre
  const mean = new Float64Array(p);
  for (let j = 0; j < p; j++) {
    const c = cols[j]!;
    let m = 0;
    for (let i = 0; i < n; i++) m += c[i]!;
    m /= n;
    mean[j] = m;
    for (let i = 0; i < n; i++) c[i]! -= m;
  }
  const gram = gramMatrix(cols, n);
  const norm = new Float64Array(p);
  for (let j = 0; j < p; j++) norm[j] = Math.sqrt(gram[j * p + j]!);
  const gramN = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) {
    const s = norm[i]! * norm[j]!;
    gramN[i * p + j] = s > 0 ? gram[i * p + j]! / s : 0;
  }
  const out = new Float64Array(24);
  const nextWarm: Float64Array[] = [];
  const xty = new Float64Array(p), xtyN = new Float64Array(p);
  for (let h = 0; h < 24; h++) {
    const sy = fitInvariantScaler(Y[h]!);
    const y = Y[h]!;
    let ym = 0;
    for (let i = 0; i < n; i++) { y[i] = invariantTransform(sy, y[i]!); ym += y[i]!; }
    ym /= n;
    let yty = 0;
    for (let i = 0; i < n; i++) { y[i]! -= ym; yty += y[i]! * y[i]!; }
    let j = 0;
    for (; j + 3 < p; j += 4) {
      // four independent sums at a time, each in sample order
      const c0 = cols[j]!, c1 = cols[j + 1]!, c2 = cols[j + 2]!, c3 = cols[j + 3]!;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let i = 0; i < n; i++) { const v = y[i]!; s0 += c0[i]! * v; s1 += c1[i]! * v; s2 += c2[i]! * v; s3 += c3[i]! * v; }
      xty[j] = s0; xty[j + 1] = s1; xty[j + 2] = s2; xty[j + 3] = s3;
    }
    for (; j < p; j++) {
      const c = cols[j]!;
      let s = 0;
      for (let i = 0; i < n; i++) s += c[i]! * y[i]!;
      xty[j] = s;
    }
    for (let m = 0; m < p; m++) xtyN[m] = norm[m]! > 0 ? xty[m]! / norm[m]! : 0;
    const ic = lassoLarsIc(gramN, xtyN, yty, n, {
      criterion: options.criterion ?? 'aic', max_iter: 2500, sklearn_legacy_permuted_residuals: options.sklearn_legacy ?? true,
      early_stop_df_margin: options.exact_ic_path ? undefined : 15,
    });
    // Refit at the selected alpha on the unnormalised features. From yesterday's
    // coefficients, a few CD sweeps plus an exact active-set solve usually finish it;
    // otherwise the exact lasso path on these features is followed down to alpha.
    const tol = options.tol ?? 1e-4;
    let w: Float64Array = warm?.[h] ? Float64Array.from(warm[h]!) : new Float64Array(0);
    let cd = w.length ? lassoCoordinateDescentGram(gram, xty, yty, n, ic.alpha, w, { tol, max_iter: 30 }) : null;
    if (!cd?.converged) {
      if (options.refit === 'cd') {
        w = new Float64Array(p);
        cd = lassoCoordinateDescentGram(gram, xty, yty, n, ic.alpha, w, { tol, max_iter: 2500 });
      } else {
        w = lassoLarsAtAlpha(gram, xty, n, ic.alpha);
        const gap = lassoDualityGapGram(gram, xty, yty, n, ic.alpha, w);
        cd = gap < tol * yty ? { n_iter: 0, gap, converged: true } : lassoCoordinateDescentGram(gram, xty, yty, n, ic.alpha, w, { tol, max_iter: 2500 });
      }
    }
    if (options.diagnostics) {
      let nz = 0;
      for (let j = 0; j < p; j++) if (w[j] !== 0) nz++;
      options.diagnostics(h, { alpha: ic.alpha, lars_iter: ic.n_iter, cd_iter: cd.n_iter, cd_gap: cd.gap, nonzero: nz });
    }
    nextWarm.push(w);
    let yhat = ym;
    for (let j = 0; j < p; j++) yhat += w[j]! * (xTest[j]! - mean[j]!);
    out[h] = invariantInverse(sy, yhat);
  }
  keepWarm?.(nextWarm);
  return out;
}

/**
 * XᵀX of column vectors (symmetric, row-major), two rows by four columns at a time. Every
 * entry is still the plain sum over samples in order, so the result does not depend on
 * the blocking.
 */
function gramMatrix(cols: Float64Array[], n: number): Float64Array {
  const p = cols.length;
  const G = new Float64Array(p * p);
  const set = (i: number, j: number, v: number) => { G[i * p + j] = v; G[j * p + i] = v; };
  let i = 0;
  for (; i + 1 < p; i += 2) {
    const a0 = cols[i]!, a1 = cols[i + 1]!;
    let j = i;
    for (; j + 3 < p; j += 4) {
      const b0 = cols[j]!, b1 = cols[j + 1]!, b2 = cols[j + 2]!, b3 = cols[j + 3]!;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let k = 0; k < n; k++) {
        const u = a0[k]!, v = a1[k]!;
        const x0 = b0[k]!, x1 = b1[k]!, x2 = b2[k]!, x3 = b3[k]!;
        s00 += u * x0; s01 += u * x1; s02 += u * x2; s03 += u * x3;
        s10 += v * x0; s11 += v * x1; s12 += v * x2; s13 += v * x3;
      }
      set(i, j, s00); set(i, j + 1, s01); set(i, j + 2, s02); set(i, j + 3, s03);
      set(i + 1, j, s10); set(i + 1, j + 1, s11); set(i + 1, j + 2, s12); set(i + 1, j + 3, s13);
    }
    for (; j < p; j++) {
      const b = cols[j]!;
      let s0 = 0, s1 = 0;
      for (let k = 0; k < n; k++) { const x = b[k]!; s0 += a0[k]! * x; s1 += a1[k]! * x; }
      set(i, j, s0); set(i + 1, j, s1);
    }
  }
  for (; i < p; i++) {
    const a = cols[i]!;
    for (let j = i; j < p; j++) {
      const b = cols[j]!;
      let s = 0;
      for (let k = 0; k < n; k++) s += a[k]! * b[k]!;
      set(i, j, s);
    }
  }
  return G;
}
