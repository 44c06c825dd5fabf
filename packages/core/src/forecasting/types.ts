/**
 * Day-ahead price forecasting types. A dataset is a run of consecutive local market
 * days, each with exactly 24 hourly prices (the epftoolbox convention: the duplicated
 * fall-back hour is averaged and the missing spring-forward hour interpolated).
 */
export interface ForecastDataset {
  /** Local market days `YYYY-MM-DD`, consecutive, one entry per day. */
  dates: string[];
  /** Hourly prices (currency/MWh), day-major: index = day * 24 + hour. */
  prices: Float64Array;
  /** Exogenous day-ahead forecasts (e.g. load, wind), same layout as `prices`. */
  exogenous: Float64Array[];
  exogenous_names: string[];
}

/**
 * What a model may see when forecasting day `day`: prices of days < day and exogenous
 * forecasts of days <= day. The arrays are truncated views, so a model cannot look
 * ahead even by mistake.
 */
export interface ForecastHistory {
  /** Index of the day to forecast (= number of days of known prices). */
  day: number;
  /** Dates of days 0..day (inclusive: the target day's date is known). */
  dates: string[];
  /** length day * 24 */
  prices: Float64Array;
  /** each length (day + 1) * 24 */
  exogenous: Float64Array[];
}

/** A point forecaster for one day-ahead (24 hourly prices). */
export interface ForecastPointModel {
  readonly name: string;
  /** Minimum number of known days before the target day. */
  readonly min_history_days: number;
  forecastDay(history: ForecastHistory): Float64Array;
}

/** One forecast day: point forecast plus quantiles, all length 24. */
export interface ForecastDayResult {
  day: number;
  date: string;
  p50: Float64Array;
  point: Float64Array;
  p10: Float64Array;
  p90: Float64Array;
  /** Actual prices if known (NaN otherwise). */
  actual: Float64Array;
}

/** Day-of-week 0 = Monday .. 6 = Sunday (pandas convention, used by epftoolbox). */
export function forecastDayOfWeek(date: string): number {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const js = new Date(Date.UTC(y, m - 1, d)).getUTCDay(); // 0 = Sunday
  return (js + 6) % 7;
}

/** History view for forecasting day `day` of `data` (no look-ahead by construction). */
export function forecastHistoryAt(data: ForecastDataset, day: number): ForecastHistory {
  if (day < 0 || day >= data.dates.length) throw new RangeError(`day ${day} outside dataset`);
  return {
    day,
    dates: data.dates.slice(0, day + 1),
    prices: data.prices.subarray(0, day * 24),
    exogenous: data.exogenous.map((e) => e.subarray(0, (day + 1) * 24)),
  };
}

/**
 * The refit day of a periodically refitted model for target day d: the last multiple of
 * `every` not after d (at least `min`), so forecasts do not depend on where a worker's
 * chunk of days starts.
 */
export function forecastRefitDay(d: number, every: number, min: number): number {
  return Math.max(min, d - (d % every));
}
