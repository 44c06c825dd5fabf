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
  const n = values.length;
  if (n === 0) return NaN;
  for (let i = 0; i < n; i++) {
    if (values[i] !== values[i]) {
      // NaN: keep the sorted-array semantics (NaNs sort last)
      const s = Float64Array.from(values).sort();
      return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
    }
  }
  // Order statistics by selection (Hoare), O(n) on average: the same values as sorting.
  const s = Float64Array.from(values);
  const k = n >> 1;
  selectKth(s, k);
  if (n % 2) return s[k]!;
  let lower = s[0]!;
  for (let i = 1; i < k; i++) if (s[i]! > lower) lower = s[i]!;
  return (lower + s[k]!) / 2;
}

/** Partially orders `a` so that a[k] is its k-th smallest value and a[i] ≤ a[k] for i < k. */
function selectKth(a: Float64Array, k: number): void {
  let lo = 0, hi = a.length - 1;
  while (hi > lo) {
    // median of three as pivot
    const mid = (lo + hi) >> 1;
    let x = a[lo]!, y = a[mid]!;
    const z = a[hi]!;
    if (x > y) { const t = x; x = y; y = t; }
    if (y > z) { y = z; if (x > y) y = x; }
    const pivot = y;
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) { const t = a[i]!; a[i] = a[j]!; a[j] = t; i++; j--; }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
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
