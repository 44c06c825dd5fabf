/**
 * The forecasting work that runs in a compute-pool worker: one model walked
 * through a sequence of day histories (a forecast to serve, the residual days
 * of its quantiles, or a training run's walk-forward), so a fit never blocks
 * the event loop. The histories arrive transferred (their price buffers move,
 * not copy); progress goes back on a MessagePort after each day.
 */
import type { MessagePort } from 'node:worker_threads';
import { backtestForecastSeries, createForecastModel, forecasterFromModel, LearModel, type ForecastHistory, type ForecastPointModel } from '@optibid/core';
import { movable } from '../../compute/pool.js';

/** This module's URL, which the pool loads in its workers. */
export const FORECAST_TASK_URL = import.meta.url;

export interface ForecastTaskInput {
  spec: string;
  /** In delivery order: the model keeps its state (warm starts, refit schedule) from one day to the next. */
  histories: ForecastHistory[];
  /** Receives the number of days done after each day. */
  progress?: MessagePort;
  /** Return the fitted state (a training run's artefact). */
  with_state?: boolean;
  /** Names of the histories' exogenous series, for the state's feature names. */
  exogenous_names?: string[];
}

export interface ForecastTaskOutput {
  /** 24 local-hour values per history. */
  points: Float64Array[];
  state: Record<string, unknown> | null;
}

export function forecastDays(input: ForecastTaskInput): ForecastTaskOutput {
  const model = createForecastModel(input.spec);
  const points: Float64Array[] = [];
  try {
    input.histories.forEach((h, i) => {
      const p = model.forecastDay(h);
      if (p.length !== 24 || p.some((x) => !Number.isFinite(x))) throw new Error(`${model.name} produced a non-finite forecast for ${h.dates[h.dates.length - 1]}`);
      points.push(Float64Array.from(p));
      input.progress?.postMessage(i + 1);
    });
  } finally {
    input.progress?.close();
  }
  return { points, state: input.with_state ? modelState(model, input.exogenous_names ?? []) : null };
}

export interface BacktestForecastsInput {
  spec: string;
  /** The backtest's price series, lookback included: interval starts (epoch ms) and prices, transferred. */
  times: Float64Array;
  prices: Float64Array;
  timezone: string;
  start_ms: number;
  end_ms: number;
  gate_closure_hours_before_day_start: number;
  /** Receives `[done, total]` after each delivery day. */
  progress?: MessagePort;
}

export interface BacktestForecastsOutput {
  dates: string[];
  /** One forecast per interval of each delivery day. */
  points: Float64Array[];
}

/**
 * A `forecast:<model>` backtest's forecasts for every delivery day (core's
 * backtestForecastSeries with core's model adapter), so the backtest's day loop on
 * the main thread only replays them and solves its LPs in the solver pool.
 */
export function backtestForecasts(input: BacktestForecastsInput): BacktestForecastsOutput {
  const prices = Array.from(input.times, (t, i) => ({ interval_start: new Date(t), price_usd_per_mwh: input.prices[i]! }));
  try {
    const series = backtestForecastSeries({
      prices,
      timezone: input.timezone,
      start: new Date(input.start_ms),
      end: new Date(input.end_ms),
      gate_closure_hours_before_day_start: input.gate_closure_hours_before_day_start,
      forecaster: forecasterFromModel(input.spec),
      onDay: (done, total) => input.progress?.postMessage([done, total]),
    });
    const points = series.map((f) => Float64Array.from(f.point));
    return movable({ dates: series.map((f) => f.date), points }, points.map((p) => p.buffer));
  } finally {
    input.progress?.close();
  }
}

/** Feature names of a LEAR model with these exogenous series, in core's `learFeatures` order. */
export function learFeatureNames(exogenous: string[] = []): string[] {
  const names: string[] = [];
  const hh = (h: number) => `h${String(h).padStart(2, '0')}`;
  for (let h = 0; h < 24; h++) for (const lag of [1, 2, 3, 7]) names.push(`price_d-${lag}_${hh(h)}`);
  for (let h = 0; h < 24; h++) {
    for (const lag of [1, 7]) for (const e of exogenous) names.push(`${e}_d-${lag}_${hh(h)}`);
    for (const e of exogenous) names.push(`${e}_d_${hh(h)}`);
  }
  for (const d of ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']) names.push(`dow_${d}`);
  return names;
}

/**
 * The fitted state worth keeping: for LEAR, the non-zero coefficients of each
 * hour's last recalibration (in the model's transformed, centred feature space;
 * taken from the solver's warm-start vectors), recursively for ensembles.
 */
export function modelState(model: ForecastPointModel, exogenous: string[] = []): Record<string, unknown> {
  const base: Record<string, unknown> = { name: model.name, min_history_days: model.min_history_days, exogenous };
  const members = (model as unknown as { members?: ForecastPointModel[] }).members;
  if (Array.isArray(members)) base.members = members.map((m) => modelState(m, exogenous));
  const weights = (model as unknown as { last_weights?: Float64Array[] }).last_weights;
  if (Array.isArray(weights) && weights.length) base.last_weights_per_hour = weights.map((w) => Array.from(w));
  if (model instanceof LearModel) {
    const warm = (model as unknown as { warm: Float64Array[] | null }).warm;
    const names = learFeatureNames(exogenous);
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
