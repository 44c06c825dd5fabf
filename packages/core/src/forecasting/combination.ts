import type { ForecastHistory, ForecastPointModel } from './types.js';

/**
 * Our own combination of point models (OptiBid "LEAR-RW": recent-error weighting with
 * bias correction). Per hour h, member m gets the weight
 *   w_m,h = (1 − s)/M + s · MAE_m,h^(−k) / Σ_j MAE_j,h^(−k)
 * where MAE_m,h is member m's absolute error at hour h over the last `window_days`
 * revealed days (prices before the target day only), k = `power`, s = `shrinkage`.
 * Then the combination's own median residual at hour h over the last `bias_days`
 * days, times `bias_shrink`, is added. Inverse-error weights follow forecast-
 * combination practice (Bates & Granger 1969; Timmermann 2006, Sec. 2); with fewer than
 * `min_days` revealed days it is the plain mean without correction.
 */
export interface RecentErrorCombinationOptions {
  window_days?: number;
  shrinkage?: number;
  power?: number;
  min_days?: number;
  bias_days?: number;
  bias_shrink?: number;
}

export class RecentErrorCombinationModel implements ForecastPointModel {
  readonly min_history_days: number;
  last_members: Record<string, Float64Array> = {};
  last_weights: Float64Array[] = [];
  /** day index -> member forecasts (kept only for the recent window). */
  private readonly past = new Map<number, Float64Array[]>();
  /** day index -> combined forecast before bias correction. */
  private readonly pastCombined = new Map<number, Float64Array>();

  constructor(readonly name: string, readonly members: ForecastPointModel[], readonly options: RecentErrorCombinationOptions = {}) {
    this.min_history_days = Math.max(...members.map((m) => m.min_history_days));
  }

  forecastDay(history: ForecastHistory): Float64Array {
    const d = history.day;
    const forecasts = this.members.map((m) => m.forecastDay(history));
    this.last_members = Object.fromEntries(this.members.map((m, i) => [m.name, forecasts[i]!]));
    const weights = combinationWeights(this.past, d, history.prices, this.members.length, this.options);
    this.last_weights = weights;
    const out = new Float64Array(24);
    for (let h = 0; h < 24; h++) for (let m = 0; m < forecasts.length; m++) out[h]! += weights[h]![m]! * forecasts[m]![h]!;
    this.past.set(d, forecasts);
    this.pastCombined.set(d, Float64Array.from(out));
    const B = this.options.bias_days ?? 0, bs = this.options.bias_shrink ?? 0;
    if (B > 0 && bs !== 0) {
      const r: number[] = [];
      for (let h = 0; h < 24; h++) {
        r.length = 0;
        for (let k = d - B; k < d; k++) {
          const c = this.pastCombined.get(k);
          if (c && (k + 1) * 24 <= history.prices.length) r.push(history.prices[k * 24 + h]! - c[h]!);
        }
        if (r.length >= Math.min(B, this.options.min_days ?? 7)) out[h]! += bs * forecastMedianOf(r);
      }
    }
    const W = Math.max(this.options.window_days ?? 28, B);
    for (const k of this.past.keys()) if (k < d - W) { this.past.delete(k); this.pastCombined.delete(k); }
    return out;
  }
}

/** Per-hour weights from members' errors on revealed days [d − W, d − 1] (see above). */
export function combinationWeights(
  past: Map<number, Float64Array[]>,
  d: number,
  prices: Float64Array,
  M: number,
  opts: RecentErrorCombinationOptions = {},
): Float64Array[] {
  const W = opts.window_days ?? 28, s = opts.shrinkage ?? 0.5, minDays = opts.min_days ?? 7, k = opts.power ?? 1;
  const err = Array.from({ length: 24 }, () => new Float64Array(M));
  let nDays = 0;
  for (let k = d - W; k < d; k++) {
    const f = past.get(k);
    if (!f || (k + 1) * 24 > prices.length) continue;
    nDays++;
    for (let m = 0; m < M; m++) for (let h = 0; h < 24; h++) err[h]![m]! += Math.abs(prices[k * 24 + h]! - f[m]![h]!);
  }
  return err.map((e) => {
    const w = new Float64Array(M).fill(1 / M);
    if (nDays < minDays) return w;
    let tot = 0;
    const inv = Array.from(e, (x) => Math.pow(Math.max(x / nDays, 1e-9), -k));
    for (const v of inv) tot += v;
    for (let m = 0; m < M; m++) w[m] = (1 - s) / M + (s * inv[m]!) / tot;
    return w;
  });
}

function forecastMedianOf(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}
