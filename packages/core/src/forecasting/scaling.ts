/**
 * The "Invariant" variance-stabilising transformation of epftoolbox
 * (Uniejewski, Weron, Ziel, "Variance stabilizing transformations for electricity
 * spot price forecasting", IEEE Trans. Power Syst. 33 (2018)):
 *   x̃ = asinh((x − median) / MAD),   MAD = median(|x − median|) / Φ⁻¹(3/4)
 * with Φ⁻¹(3/4) = 0.6744897501960817 (statsmodels.robust.mad's default normalisation).
 * Inverse: x = sinh(x̃)·MAD + median.
 */
export const FORECAST_MAD_NORMAL_CONSTANT = 0.6744897501960817;

/** Median of the values (mean of the two middle values for an even count, as numpy). */
export function forecastMedian(values: Float64Array): number {
  const s = Float64Array.from(values).sort();
  const n = s.length;
  if (n === 0) return NaN;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

export interface InvariantScaler {
  median: number;
  mad: number;
}

export function fitInvariantScaler(values: Float64Array): InvariantScaler {
  const median = forecastMedian(values);
  const dev = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) dev[i] = Math.abs(values[i]! - median);
  let mad = forecastMedian(dev) / FORECAST_MAD_NORMAL_CONSTANT;
  // A constant column would divide by zero (NaN in numpy); keep it constant instead.
  if (!(mad > 0)) mad = 1;
  return { median, mad };
}

export function invariantTransform(s: InvariantScaler, x: number): number {
  return Math.asinh((x - s.median) / s.mad);
}

export function invariantInverse(s: InvariantScaler, y: number): number {
  return Math.sinh(y) * s.mad + s.median;
}
