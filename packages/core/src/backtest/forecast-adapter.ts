/**
 * Runs a core/forecasting point model (naive, weekly-naive, LEAR …) as a
 * backtest forecaster. Those models work on local days of exactly 24 hourly
 * prices (the epftoolbox convention), so the history is reshaped the same way:
 * a repeated fall-back hour is averaged, a missing spring-forward hour is
 * interpolated between its neighbours, and a last day cut short by the gate is
 * completed with the previous day's prices at those hours. The 24 forecasts
 * are then mapped back onto the delivery day's own clock hours.
 */
import { createForecastModel } from '../forecasting/models.js';
import type { ForecastPointModel } from '../forecasting/types.js';
import { type BacktestForecaster, weeklyNaiveForecaster } from './forecasters.js';
import { backtestShiftDate, type SeriesPoint } from './price-series.js';

function dailyMatrix(history: readonly SeriesPoint[]): { dates: string[]; prices: number[] } {
  const sums = new Map<string, { s: number[]; n: number[] }>();
  const dates: string[] = [];
  for (const p of history) {
    let d = sums.get(p.local_date);
    if (!d) {
      d = { s: new Array(24).fill(0), n: new Array(24).fill(0) };
      sums.set(p.local_date, d);
      dates.push(p.local_date);
    }
    const h = Number(p.local_time.slice(0, 2));
    d.s[h] = d.s[h]! + p.price_usd_per_mwh;
    d.n[h] = d.n[h]! + 1;
  }
  // Keep the trailing run of consecutive dates (a model needs contiguous days).
  let first = dates.length - 1;
  while (first > 0 && backtestShiftDate(dates[first - 1]!, 1) === dates[first]) first--;
  const kept = dates.slice(Math.max(0, first));
  const prices: number[] = [];
  kept.forEach((date, k) => {
    const d = sums.get(date)!;
    const row = d.s.map((s, h) => (d.n[h]! > 0 ? s / d.n[h]! : NaN));
    const missing = row.filter((x) => Number.isNaN(x)).length;
    for (let h = 0; h < 24; h++) {
      if (!Number.isNaN(row[h]!)) continue;
      const prevDay = k > 0 ? prices[(k - 1) * 24 + h] : undefined;
      if (missing > 1 && prevDay !== undefined) row[h] = prevDay;
      else {
        const a = row.slice(0, h).reverse().find((x) => !Number.isNaN(x));
        const b = row.slice(h + 1).find((x) => !Number.isNaN(x));
        row[h] = a !== undefined && b !== undefined ? (a + b) / 2 : (a ?? b ?? prevDay ?? 0);
      }
    }
    prices.push(...row);
  });
  return { dates: kept, prices };
}

/**
 * A backtest forecaster from a core/forecasting model spec (`naive`,
 * `weekly-naive`, `lear:56`, `lear-ensemble` …). Hourly series only; with too
 * little history for the model, falls back to weekly naive for that day.
 */
export function forecasterFromModel(spec: string | ForecastPointModel): BacktestForecaster {
  const model = typeof spec === 'string' ? createForecastModel(spec) : spec;
  return (history, day) => {
    if (Math.abs(day.interval_hours - 1) > 1e-9) throw new Error(`forecast model ${model.name} needs hourly prices`);
    // Only the days the model can use (its minimum history plus two weeks), so a year-long backtest stays linear.
    const firstDate = backtestShiftDate(day.date, -(model.min_history_days + 14));
    let from = history.length;
    while (from > 0 && history[from - 1]!.local_date >= firstDate) from--;
    const { dates, prices } = dailyMatrix(history.slice(from));
    if (dates.length === 0 || backtestShiftDate(dates[dates.length - 1]!, 1) !== day.date || dates.length < model.min_history_days) {
      return weeklyNaiveForecaster(history, day);
    }
    const f = model.forecastDay({ day: dates.length, dates: [...dates, day.date], prices: Float64Array.from(prices), exogenous: [] });
    return { point: day.local_times.map((t) => f[Number(t.slice(0, 2))]!) };
  };
}
