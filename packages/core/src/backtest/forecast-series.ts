/**
 * A forecast strategy's forecasts computed ahead of its day loop: for every
 * delivery day of the period, what the forecaster says from the history before
 * that day's gate closure, in delivery order (a model keeps its state from one
 * day to the next, as it does inside the loop). The forecasts depend on the
 * prices only, never on the battery's plan, so a server can compute them on a
 * worker thread and replay them into `runBacktest` with `forecasterFromSeries`
 * and get the same report as with the forecaster itself.
 */
import { backtestPeriodIndices } from './engine.js';
import type { BacktestForecaster, PriceForecast } from './forecasters.js';
import { backtestLocalDays, historyEndBeforeGate, preparePriceSeries, type BacktestPricePoint } from './price-series.js';

export interface BacktestForecastSeriesInput {
  prices: readonly BacktestPricePoint[];
  timezone: string;
  interval_hours?: number;
  start?: Date;
  end?: Date;
  /** As in the backtest's config (default 0). */
  gate_closure_hours_before_day_start?: number;
  forecaster: BacktestForecaster;
  /** After each forecast day: days done, days to forecast. */
  onDay?: (done: number, total: number) => void;
}

export interface BacktestDayForecast extends PriceForecast {
  /** Market-local delivery date. */
  date: string;
}

export function backtestForecastSeries(input: BacktestForecastSeriesInput): BacktestDayForecast[] {
  const series = preparePriceSeries(input.prices, { timezone: input.timezone, ...(input.interval_hours ? { interval_hours: input.interval_hours } : {}) });
  const [from, to] = backtestPeriodIndices(series, input.start, input.end);
  const all = series.points;
  const gateMs = (input.gate_closure_hours_before_day_start ?? 0) * 3_600_000;
  // Days with nothing before their gate idle in the backtest and are not forecast.
  const days = backtestLocalDays(all, from, to)
    .map((day) => ({ day, h: historyEndBeforeGate(all, day, gateMs) }))
    .filter((d) => d.h > 0);
  return days.map(({ day, h }, i) => {
    const pts = all.slice(day.start, day.end);
    const fc = input.forecaster(all.slice(0, h), {
      date: day.date,
      interval_starts: pts.map((p) => p.interval_start),
      local_times: pts.map((p) => p.local_time),
      timezone: series.timezone,
      interval_hours: series.interval_hours,
    });
    input.onDay?.(i + 1, days.length);
    return { date: day.date, ...fc };
  });
}

/** Replays forecasts computed beforehand (by delivery date); a day without one is an error, never a silent fallback. */
export function forecasterFromSeries(forecasts: readonly BacktestDayForecast[]): BacktestForecaster {
  const byDate = new Map(forecasts.map((f) => [f.date, f] as const));
  return (_history, day) => {
    const f = byDate.get(day.date);
    if (!f) throw new Error(`no precomputed forecast for ${day.date}`);
    return { point: f.point, ...(f.quantiles ? { quantiles: f.quantiles } : {}) };
  };
}
