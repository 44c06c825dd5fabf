import { forecastDayOfWeek, type ForecastHistory, type ForecastPointModel } from './types.js';

/**
 * The standard naive forecast of the EPF literature (epftoolbox `naive_forecast`, m=None;
 * Lago et al. 2021, Sec. 5.2): p̂(d,h) = p(d−7,h) for Monday, Saturday and Sunday,
 * p(d−1,h) for Tuesday to Friday.
 */
export class NaiveModel implements ForecastPointModel {
  readonly name = 'naive';
  readonly min_history_days = 7;
  forecastDay(history: ForecastHistory): Float64Array {
    const dow = forecastDayOfWeek(history.dates[history.day]!);
    const lag = dow === 0 || dow === 5 || dow === 6 ? 7 : 1;
    return lagDay(history, lag);
  }
}

/** Weekly naive p̂(d,h) = p(d−7,h): the rMAE reference of the benchmark. */
export class WeeklyNaiveModel implements ForecastPointModel {
  readonly name = 'weekly-naive';
  readonly min_history_days = 7;
  forecastDay(history: ForecastHistory): Float64Array {
    return lagDay(history, 7);
  }
}

function lagDay(history: ForecastHistory, lag: number): Float64Array {
  const d = history.day;
  if (d < lag) throw new RangeError(`needs ${lag} days of history`);
  return Float64Array.from(history.prices.subarray((d - lag) * 24, (d - lag + 1) * 24));
}
