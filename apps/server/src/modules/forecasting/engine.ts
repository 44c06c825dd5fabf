/**
 * Running a core forecasting model on a PriceBook: delivery days, the
 * walk-forward evaluation of a training run (with progress), residual
 * quantiles. The main thread only cuts each day's history at its gate; the
 * model runs in the compute pool (forecast-task.ts), so the event loop stays
 * free while it fits.
 */
import { MessageChannel, type TransferListItem } from 'node:worker_threads';
import {
  addDaysYmd,
  createForecastModel,
  forecastMetrics,
  forecastResidualQuantiles,
  type BacktestDayForecast,
  type ForecastHistory,
  type ForecastMetricsReport,
  type MarketDefinition,
} from '@optibid/core';
import type { ComputePool } from '../../compute/pool.js';
import { deliveryHours, type PriceBook } from './price-book.js';
import { FORECAST_TASK_URL, type BacktestForecastsInput, type BacktestForecastsOutput, type ForecastTaskInput, type ForecastTaskOutput } from './forecast-task.js';
import type { ExogenousSeries, ForecastHour } from '../../db/repositories/forecasting.js';
import { ExogenousUnavailableError, type LoadForecastBook } from './exogenous.js';

export const QUANTILE_LEVELS = [0.1, 0.5, 0.9];

/** Days of history handed to a model beyond its own minimum (enough for its lags). */
const HISTORY_MARGIN_DAYS = 14;

export interface DayForecast {
  date: string;
  /** 24 values in local-hour order. */
  daily_point: Float64Array;
  gate_closure: Date;
  history_end: Date;
  exogenous: ExogenousSeries[];
  exogenous_note: string | null;
}

export interface DayInput {
  date: string;
  history: ForecastHistory;
  gate_closure: Date;
  history_end: Date;
  /** The exogenous series in `history.exogenous` (empty: prices only). */
  exogenous: ExogenousSeries[];
  /** Why the input has no load forecast although one was asked for. */
  exogenous_note: string | null;
}

/**
 * What a model needing `minDays` may see for `date` (throws InsufficientHistoryError): with the
 * load forecast when `exogenous` is given and covers the window as published by the gate, else
 * prices only, saying why (`exogenous_note`, or `absent` when no forecast was available at all).
 */
export function dayInput(minDays: number, book: PriceBook, date: string, origin?: string, exogenous?: { book: LoadForecastBook | null; absent?: string | null }): DayInput {
  const window = { origin, minDays, maxDays: origin ? undefined : minDays + HISTORY_MARGIN_DAYS };
  if (exogenous?.book) {
    try {
      const h = book.historyFor(date, { ...window, exogenous: exogenous.book });
      return { date, history: h.history, gate_closure: h.gate_closure, history_end: h.history_end, exogenous: h.exogenous, exogenous_note: null };
    } catch (err) {
      if (!(err instanceof ExogenousUnavailableError)) throw err;
      const h = book.historyFor(date, window);
      return { date, history: h.history, gate_closure: h.gate_closure, history_end: h.history_end, exogenous: [], exogenous_note: `${err.message}: prices only` };
    }
  }
  const h = book.historyFor(date, window);
  return { date, history: h.history, gate_closure: h.gate_closure, history_end: h.history_end, exogenous: [], exogenous_note: exogenous?.absent ?? null };
}

/** The model's input names in `modelState` (the load forecast's, when the inputs carry it). */
function exogenousNames(inputs: DayInput[]): string[] {
  return (inputs[0]?.exogenous ?? []).map((x) => `${x.series}_${x.area}`);
}

/**
 * Runs one fresh `spec` model through the days' inputs, in order, on a pool
 * worker (price buffers a history owns are transferred: such inputs are not usable after).
 */
export async function forecastInputs(
  compute: ComputePool,
  spec: string,
  inputs: DayInput[],
  opts: { onDay?: (done: number) => void; signal?: AbortSignal; withState?: boolean } = {},
): Promise<{ days: DayForecast[]; state: Record<string, unknown> | null }> {
  if (!inputs.length) return { days: [], state: null };
  const channel = opts.onDay ? new MessageChannel() : null;
  channel?.port1.on('message', (done: number) => opts.onDay!(done));
  const task: ForecastTaskInput = { spec, histories: inputs.map((i) => i.history), progress: channel?.port2, with_state: opts.withState, exogenous_names: exogenousNames(inputs) };
  // Only buffers a history owns whole move; a view into a larger array (a dataset's) is copied, leaving it intact.
  const owned = new Set<ArrayBuffer>();
  for (const x of inputs.flatMap((i) => [i.history.prices, ...i.history.exogenous])) {
    if (x.byteOffset === 0 && x.byteLength === x.buffer.byteLength) owned.add(x.buffer as ArrayBuffer);
  }
  const transferList: TransferListItem[] = [...owned];
  if (channel) transferList.push(channel.port2);
  try {
    const out = await compute.run<ForecastTaskOutput>(FORECAST_TASK_URL, 'forecastDays', task, { transferList, signal: opts.signal });
    return {
      days: inputs.map((i, k) => ({ date: i.date, daily_point: out.points[k]!, gate_closure: i.gate_closure, history_end: i.history_end, exogenous: i.exogenous, exogenous_note: i.exogenous_note })),
      state: out.state,
    };
  } finally {
    channel?.port1.close();
  }
}

/**
 * A `forecast:<model>` backtest's forecasts, every delivery day in order, computed on a
 * pool worker (forecast-task.ts `backtestForecasts`); replay them with core's
 * `forecasterFromSeries`. The abort signal stops the worker (a handed-back job).
 */
export async function backtestForecastsInPool(
  compute: ComputePool,
  args: { spec: string; prices: readonly { interval_start: Date; price_usd_per_mwh: number }[]; timezone: string; start: Date; end: Date; gate_closure_hours_before_day_start: number },
  opts: { onDay?: (done: number, total: number) => void; signal?: AbortSignal } = {},
): Promise<BacktestDayForecast[]> {
  const times = Float64Array.from(args.prices, (p) => p.interval_start.getTime());
  const prices = Float64Array.from(args.prices, (p) => p.price_usd_per_mwh);
  const channel = opts.onDay ? new MessageChannel() : null;
  channel?.port1.on('message', ([done, total]: [number, number]) => opts.onDay!(done, total));
  const task: BacktestForecastsInput = {
    spec: args.spec,
    times,
    prices,
    timezone: args.timezone,
    start_ms: args.start.getTime(),
    end_ms: args.end.getTime(),
    gate_closure_hours_before_day_start: args.gate_closure_hours_before_day_start,
    progress: channel?.port2,
  };
  const transferList: TransferListItem[] = [times.buffer, prices.buffer];
  if (channel) transferList.push(channel.port2);
  try {
    const out = await compute.run<BacktestForecastsOutput>(FORECAST_TASK_URL, 'backtestForecasts', task, { transferList, signal: opts.signal });
    return out.dates.map((date, i) => ({ date, point: Array.from(out.points[i]!) }));
  } finally {
    channel?.port1.close();
  }
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
  /** The load forecast every day used (the latest cut-off's description), or none. */
  exogenous: ExogenousSeries[];
  exogenous_note: string | null;
  metrics: ForecastMetricsReport;
  naive_metrics: ForecastMetricsReport;
  /** The fitted model's state (forecast-task.ts `modelState`). */
  state: Record<string, unknown>;
  seconds: number;
}

export interface EvaluationPlan {
  inputs: DayInput[];
  dates: string[];
  warmup_days: number;
  exogenous: ExogenousSeries[];
  exogenous_note: string | null;
}

/**
 * The walk-forward's days and inputs (throws EvaluationInputError when the history is too short): with the
 * load forecast when every day has it as published by its own gate, else every day on prices alone (one
 * model walks through them all, so they must share their inputs), saying why.
 */
export function planEvaluation(
  spec: string,
  book: PriceBook,
  opts: { evalDays: number; warmupDays: number },
  exogenous?: { book: LoadForecastBook | null; absent?: string | null },
): EvaluationPlan {
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
  const pricesOnly = (note: string | null): EvaluationPlan => ({
    inputs: all.map((date) => dayInput(model.min_history_days, book, date, origin)),
    dates: all,
    warmup_days: warmDates.length,
    exogenous: [],
    exogenous_note: note,
  });
  if (!exogenous?.book) return pricesOnly(exogenous?.absent ?? null);
  const withExo = all.map((date) => dayInput(model.min_history_days, book, date, origin, exogenous));
  const lacking = withExo.find((i) => !i.exogenous.length);
  if (lacking) return pricesOnly(`${lacking.exogenous_note ?? 'no load forecast'} (${lacking.date}), so every day of the evaluation runs on prices alone`);
  const last = withExo[withExo.length - 1]!.exogenous[0]!;
  const filled = withExo.reduce((n, i) => n + (i.exogenous[0]!.filled_hours ?? 0), 0);
  // The run's description: the series and sources; each day's own cut-off is its gate closure.
  const { known_at: _knownAt, ...series } = last;
  return { inputs: withExo, dates: all, warmup_days: warmDates.length, exogenous: [{ ...series, filled_hours: filled }], exogenous_note: null };
}

/**
 * Walk-forward over the last `evalDays` complete stored days (each forecast with
 * only what was known at its own gate closure), after `warmupDays` forecast days
 * that only seed the residual window of the quantiles. Metrics (MAE, RMSE,
 * sMAPE, MAPE, rMAE vs the weekly naive from day 8 on: core `forecastMetrics`)
 * are over the evaluation days. The plan's inputs are consumed (their buffers move to the pool).
 */
export async function evaluateOnBook(
  compute: ComputePool,
  spec: string,
  book: PriceBook,
  plan: EvaluationPlan,
  opts: { quantileWindowDays: number; onProgress?: (done: number, total: number, date: string) => Promise<void> | void },
): Promise<EvaluationResult> {
  const t0 = performance.now();
  const all = plan.dates;
  const inputs = plan.inputs;
  const warmCount = plan.warmup_days;
  // Progress is written in order, one at a time; a failing write (the server stopping) cancels the fit.
  const abort = new AbortController();
  let progressError: unknown = null;
  let chain: Promise<void> = Promise.resolve();
  const onDay = (done: number) => {
    chain = chain.then(async () => {
      if (progressError) return;
      try {
        await opts.onProgress?.(done, all.length, all[done - 1]!);
      } catch (err) {
        progressError = err;
        abort.abort();
      }
    });
  };
  let fitted;
  try {
    fitted = await forecastInputs(compute, spec, inputs, { onDay, signal: abort.signal, withState: true });
  } catch (err) {
    throw progressError ?? err;
  }
  await chain;
  if (progressError) throw progressError;
  const out: EvaluationDay[] = [];
  const residuals: { date: string; r: Float64Array }[] = [];
  fitted.days.forEach((f, i) => {
    const date = f.date;
    // Only days whose prices were revealed before this one's gate: strictly before D−1.
    const window = residuals.filter((x) => x.date < addDaysYmd(date, -1)).slice(-opts.quantileWindowDays).map((x) => x.r);
    const actual = book.actual(date)!;
    out.push({ ...f, hours: deliveryDayHours(book.market, date, f.daily_point, window), actual, warmup: i < warmCount });
    residuals.push({ date, r: residualOf(book, date, f.daily_point)! });
  });
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
    state: fitted.state ?? {},
    exogenous: plan.exogenous,
    exogenous_note: plan.exogenous_note,
    seconds: (performance.now() - t0) / 1000,
  };
}

export class EvaluationInputError extends Error {}

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
