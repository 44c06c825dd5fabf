/**
 * Running a core forecasting model on a PriceBook: one delivery day, the
 * walk-forward evaluation of a training run (yielding to the event loop
 * between days, with progress), residual quantiles and the model state saved
 * as a run artefact.
 */
import {
  addDaysYmd,
  createForecastModel,
  forecastMetrics,
  forecastResidualQuantiles,
  LearModel,
  type ForecastMetricsReport,
  type ForecastPointModel,
  type MarketDefinition,
} from '@optibid/core';
import { deliveryHours, type PriceBook } from './price-book.js';
import type { ForecastHour } from '../../db/repositories/forecasting.js';

export const QUANTILE_LEVELS = [0.1, 0.5, 0.9];

/** Days of history handed to a model beyond its own minimum (enough for its lags). */
const HISTORY_MARGIN_DAYS = 14;

export interface DayForecast {
  date: string;
  /** 24 values in local-hour order. */
  daily_point: Float64Array;
  gate_closure: Date;
  history_end: Date;
}

export function forecastDay(model: ForecastPointModel, book: PriceBook, date: string, origin?: string): DayForecast {
  const { history, gate_closure, history_end } = book.historyFor(date, {
    origin,
    minDays: model.min_history_days,
    maxDays: origin ? undefined : model.min_history_days + HISTORY_MARGIN_DAYS,
  });
  const point = model.forecastDay(history);
  if (point.length !== 24 || point.some((x) => !Number.isFinite(x))) throw new Error(`${model.name} produced a non-finite forecast for ${date}`);
  return { date, daily_point: Float64Array.from(point), gate_closure, history_end };
}

/** Residual (actual − point) of a day, or null when its actual prices are not all stored. */
export function residualOf(book: PriceBook, date: string, dailyPoint: ArrayLike<number>): Float64Array | null {
  const a = book.actual(date);
  if (!a) return null;
  const r = new Float64Array(24);
  for (let h = 0; h < 24; h++) r[h] = a[h]! - dailyPoint[h]!;
  return r;
}

/**
 * P10/P50/P90 per hour of the delivery day: point + empirical residual
 * quantiles per local hour (core `forecastResidualQuantiles`), mapped onto the
 * day's own clock hours (a repeated fall-back hour takes its clock hour's
 * values; the skipped spring-forward hour has none).
 */
export function deliveryDayHours(m: MarketDefinition, date: string, dailyPoint: Float64Array, residuals: Float64Array[]): ForecastHour[] {
  const [p10, p50, p90] = forecastResidualQuantiles(dailyPoint, residuals, QUANTILE_LEVELS) as [Float64Array, Float64Array, Float64Array];
  const { starts, localHours } = deliveryHours(m, date);
  return starts.map((s, i) => {
    const h = localHours[i]!;
    return { interval_start: s.toISOString(), point: dailyPoint[h]!, p10: p10[h]!, p50: p50[h]!, p90: p90[h]! };
  });
}

export interface EvaluationDay extends DayForecast {
  hours: ForecastHour[];
  actual: Float64Array;
  warmup: boolean;
}

export interface EvaluationResult {
  days: EvaluationDay[];
  metrics: ForecastMetricsReport;
  naive_metrics: ForecastMetricsReport;
  model: ForecastPointModel;
  seconds: number;
}

/**
 * Walk-forward over the last `evalDays` complete stored days (each forecast with
 * only what was known at its own gate closure), after `warmupDays` forecast days
 * that only seed the residual window of the quantiles. Metrics (MAE, RMSE,
 * sMAPE, MAPE, rMAE vs the weekly naive from day 8 on: core `forecastMetrics`)
 * are over the evaluation days.
 */
export async function evaluateOnBook(
  spec: string,
  book: PriceBook,
  opts: { evalDays: number; warmupDays: number; quantileWindowDays: number; onProgress?: (done: number, total: number, date: string) => Promise<void> | void },
): Promise<EvaluationResult> {
  const t0 = performance.now();
  const model = createForecastModel(spec);
  const completes = book.completeDates();
  const evalDates = completes.slice(-opts.evalDays);
  const firstEval = evalDates[0];
  const firstUsable = book.dates[0] ? addDaysYmd(book.dates[0], model.min_history_days + 1) : undefined;
  const available = firstUsable ? completes.filter((d) => d >= firstUsable).length : 0;
  if (evalDates.length < opts.evalDays || !firstEval || !firstUsable || firstEval < firstUsable) {
    throw new EvaluationInputError(
      `${spec} needs ${model.min_history_days} days of history before each of ${opts.evalDays} evaluation days; ` +
        `the stored prices (${book.dates[0] ?? 'none'} … ${book.dates[book.dates.length - 1] ?? 'none'}) allow ${Math.max(0, available)} evaluation day(s)`,
    );
  }
  const warmDates = completes.filter((d) => d < firstEval && d >= firstUsable).slice(opts.warmupDays > 0 ? -opts.warmupDays : completes.length);
  const all = [...warmDates, ...evalDates];
  const origin = book.dates[0]!;
  const out: EvaluationDay[] = [];
  const residuals: { date: string; r: Float64Array }[] = [];
  for (let i = 0; i < all.length; i++) {
    const date = all[i]!;
    const f = forecastDay(model, book, date, origin);
    // Only days whose prices were revealed before this one's gate: strictly before D−1.
    const window = residuals.filter((x) => x.date < addDaysYmd(date, -1)).slice(-opts.quantileWindowDays).map((x) => x.r);
    const actual = book.actual(date)!;
    out.push({ ...f, hours: deliveryDayHours(book.market, date, f.daily_point, window), actual, warmup: i < warmDates.length });
    residuals.push({ date, r: residualOf(book, date, f.daily_point)! });
    await opts.onProgress?.(i + 1, all.length, date);
    await new Promise((r) => setImmediate(r));
  }
  const scored = out.filter((d) => !d.warmup);
  const actual = new Float64Array(scored.length * 24), point = new Float64Array(scored.length * 24), naive = new Float64Array(scored.length * 24);
  scored.forEach((d, k) => {
    actual.set(d.actual, k * 24);
    point.set(d.daily_point, k * 24);
    const weekAgo = book.actual(addDaysYmd(d.date, -7));
    naive.set(weekAgo ?? d.actual.map(() => NaN), k * 24);
  });
  return {
    days: out,
    metrics: forecastMetrics(actual, point),
    naive_metrics: forecastMetrics(actual, naive),
    model,
    seconds: (performance.now() - t0) / 1000,
  };
}

export class EvaluationInputError extends Error {}

/** Feature names of a LEAR model without exogenous inputs, in core's `learFeatures` order. */
function learFeatureNames(): string[] {
  const names: string[] = [];
  for (let h = 0; h < 24; h++) for (const lag of [1, 2, 3, 7]) names.push(`price_d-${lag}_h${String(h).padStart(2, '0')}`);
  for (const d of ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']) names.push(`dow_${d}`);
  return names;
}

/**
 * The fitted state worth keeping: for LEAR, the non-zero coefficients of each
 * hour's last recalibration (in the model's transformed, centred feature space;
 * taken from the solver's warm-start vectors), recursively for ensembles.
 */
export function modelState(model: ForecastPointModel): Record<string, unknown> {
  const base: Record<string, unknown> = { name: model.name, min_history_days: model.min_history_days };
  const members = (model as unknown as { members?: ForecastPointModel[] }).members;
  if (Array.isArray(members)) base.members = members.map(modelState);
  const weights = (model as unknown as { last_weights?: Float64Array[] }).last_weights;
  if (Array.isArray(weights) && weights.length) base.last_weights_per_hour = weights.map((w) => Array.from(w));
  if (model instanceof LearModel) {
    const warm = (model as unknown as { warm: Float64Array[] | null }).warm;
    const names = learFeatureNames();
    base.window_days = model.options.window_days;
    base.coefficients_per_hour = warm
      ? warm.map((w, h) => ({
          hour: h,
          nonzero: Object.fromEntries([...w].map((c, j) => [names[j] ?? `x${j}`, c] as const).filter(([, c]) => c !== 0)),
        }))
      : null;
  }
  return base;
}

/** The evaluation's forecasts as CSV text (one row per delivery hour). */
export function evaluationCsv(days: EvaluationDay[], m: MarketDefinition): string {
  const lines = ['delivery_date,interval_start_utc,local_hour,actual_usd_per_mwh,point,p10,p50,p90,warmup'];
  for (const d of days) {
    const { localHours } = deliveryHours(m, d.date);
    d.hours.forEach((h, i) => {
      const lh = localHours[i]!;
      lines.push([d.date, h.interval_start, lh, d.actual[lh]!.toFixed(4), h.point.toFixed(4), h.p10.toFixed(4), h.p50.toFixed(4), h.p90.toFixed(4), d.warmup].join(','));
    });
  }
  return lines.join('\n') + '\n';
}
