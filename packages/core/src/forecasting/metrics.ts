/**
 * Point-forecast accuracy as in Lago et al. (2021), Sec. 5 (epftoolbox `evaluation`):
 *   MAE  = mean |p − p̂|
 *   RMSE = sqrt(mean (p − p̂)²)
 *   sMAPE = 100 · mean( |p − p̂| / ((|p| + |p̂|)/2) )     (0/0 counted as 0)
 *   MAPE  = 100 · mean( |p − p̂| / |p| )  over hours with p ≠ 0
 *   rMAE = MAE / MAE of the weekly naive p̂(d,h) = p(d−7,h), the latter computed on the
 *          test period from its 8th day on (so it uses only test-period prices).
 * `actual` and `forecast` are day-major (index = day·24 + hour) over the test period.
 */
export interface ForecastMetrics {
  mae: number;
  rmse: number;
  smape: number;
  mape: number;
  rmae: number;
}

export interface ForecastMetricsReport extends ForecastMetrics {
  days: number;
  per_hour: ForecastMetrics[];
}

interface Acc { n: number; ae: number; se: number; sape: number; nape: number; ape: number; naiveN: number; naiveAe: number }

function newAcc(): Acc {
  return { n: 0, ae: 0, se: 0, sape: 0, nape: 0, ape: 0, naiveN: 0, naiveAe: 0 };
}

function finish(a: Acc): ForecastMetrics {
  const mae = a.ae / a.n;
  return {
    mae,
    rmse: Math.sqrt(a.se / a.n),
    smape: (100 * a.sape) / a.n,
    mape: (100 * a.ape) / a.nape,
    rmae: mae / (a.naiveAe / a.naiveN),
  };
}

export function forecastMetrics(actual: ArrayLike<number>, forecast: ArrayLike<number>): ForecastMetricsReport {
  if (actual.length !== forecast.length || actual.length % 24 !== 0) throw new RangeError('need equal day-major series of whole days');
  const days = actual.length / 24;
  const total = newAcc();
  const hours = Array.from({ length: 24 }, newAcc);
  for (let i = 0; i < actual.length; i++) {
    const p = actual[i]!, f = forecast[i]!;
    const e = Math.abs(p - f);
    const den = (Math.abs(p) + Math.abs(f)) / 2;
    for (const a of [total, hours[i % 24]!]) {
      a.n++;
      a.ae += e;
      a.se += e * e;
      a.sape += den > 0 ? e / den : 0;
      if (p !== 0) { a.nape++; a.ape += e / Math.abs(p); }
      if (i >= 7 * 24) { a.naiveN++; a.naiveAe += Math.abs(p - actual[i - 7 * 24]!); }
    }
  }
  return { ...finish(total), days, per_hour: hours.map(finish) };
}
