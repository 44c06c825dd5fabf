/**
 * Forecasters a backtest can use. A forecaster sees only `history` (every
 * interval that started strictly before the day's gate closure) and returns
 * one price per interval of the delivery day.
 */
import type { ForecastQuantiles } from '../optimization/bid-curves.js';
import { backtestShiftDate, type SeriesPoint } from './price-series.js';

export interface ForecastDay {
  /** Market-local delivery date `YYYY-MM-DD`. */
  date: string;
  interval_starts: Date[];
  /** Market-local clock time of each interval (`HH:MM`). */
  local_times: string[];
  timezone: string;
  interval_hours: number;
}

export interface PriceForecast {
  point: number[];
  quantiles?: ForecastQuantiles;
}

export type BacktestForecaster = (history: readonly SeriesPoint[], day: ForecastDay) => PriceForecast;

/** Prices by `date time` for the last `days` local days of history (later rows win on a repeated hour). */
function recentPrices(history: readonly SeriesPoint[], firstDate: string): Map<string, number> {
  const map = new Map<string, number>();
  for (let i = history.length - 1; i >= 0; i--) {
    const p = history[i]!;
    if (p.local_date < firstDate) break;
    const key = `${p.local_date} ${p.local_time}`;
    if (!map.has(key)) map.set(key, p.price_usd_per_mwh);
  }
  return map;
}

/**
 * Same clock time `lags` days earlier, trying each lag in order; falls back to
 * the previous interval's forecast (or the last known price) when none exists,
 * e.g. 02:00 on the day after spring-forward.
 */
function sameTimeForecast(history: readonly SeriesPoint[], day: ForecastDay, lags: number[]): PriceForecast {
  const maxLag = Math.max(...lags);
  const map = recentPrices(history, backtestShiftDate(day.date, -maxLag));
  if (!history.length) throw new Error(`no price history before ${day.date}`);
  const fallback = history[history.length - 1]!.price_usd_per_mwh;
  const point: number[] = [];
  day.local_times.forEach((time, i) => {
    let v: number | undefined;
    for (const lag of lags) {
      v = map.get(`${backtestShiftDate(day.date, -lag)} ${time}`);
      if (v !== undefined) break;
    }
    point.push(v ?? (i > 0 ? point[i - 1]! : fallback));
  });
  return { point };
}

/** Yesterday's price at the same local clock time (the persistence baseline). */
export const persistenceForecaster: BacktestForecaster = (history, day) => sameTimeForecast(history, day, [1, 2, 3, 4, 5, 6, 7]);

/** The price a week earlier at the same local clock time (weekly naive, p_{d−7,h}). */
export const weeklyNaiveForecaster: BacktestForecaster = (history, day) => sameTimeForecast(history, day, [7, 14, 1, 2, 3, 4, 5, 6]);
