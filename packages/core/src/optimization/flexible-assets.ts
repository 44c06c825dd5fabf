/**
 * Solar/wind curtailment and demand response.
 *
 * Renewable: output y_t ∈ [0, min(profile_t, capacity)] (fixed at the upper
 * bound when not curtailable); each MWh earns the price plus the credits it
 * carries, so maximise Σ (p_t + credit)·y_t·Δt: curtail exactly when
 * p_t < −credit.
 *
 * Demand response: reduction r_t ∈ [0, R_max] worth (p_t − strike) per MWh,
 * with a binary z_t marking an event interval: r_t ≤ R_max·z_t and, per day
 * block, Σ z_t·Δt ≤ max_hours_per_day. Maximise Σ (p_t − strike)·r_t·Δt.
 */
import type { DemandResponseParams, RenewableParams } from './asset-params.js';
import { ModelBuilder, type LinearModel } from './model.js';
import type { SolveFn, SolveOptions, SolveResult } from './highs-solve.js';

export interface RenewableProblem {
  params: RenewableParams;
  prices_usd_per_mwh: readonly number[];
  interval_hours: number;
}

export interface RenewableIntervalResult {
  index: number;
  price_usd_per_mwh: number;
  available_mw: number;
  output_mw: number;
  curtailed_mw: number;
}

export type RenewableOptimization =
  | {
      status: 'optimal';
      intervals: RenewableIntervalResult[];
      objective_usd: number;
      /** Energy sales at the price (negative when exporting at negative prices). */
      revenue_usd: number;
      credits_usd: number;
      curtailed_mwh: number;
      generated_mwh: number;
      solve_time_ms: number;
    }
  | { status: 'infeasible' | 'unbounded' | 'time_limit' | 'error'; message: string; solve_time_ms: number };

function available(p: RenewableProblem, t: number): number {
  return Math.max(0, Math.min(p.params.profile_mw[t] ?? 0, p.params.capacity_mw));
}

export function buildRenewableModel(p: RenewableProblem): LinearModel {
  if (p.params.profile_mw.length !== p.prices_usd_per_mwh.length) throw new Error('renewable: profile_mw and prices must have the same length');
  if (p.prices_usd_per_mwh.some((x) => !Number.isFinite(x))) throw new Error('renewable: every price must be a finite number');
  const m = new ModelBuilder('maximize');
  const credit = p.params.curtailment_loss_usd_per_mwh;
  p.prices_usd_per_mwh.forEach((price, t) => {
    const a = available(p, t);
    m.addVar(`y_${t}`, { lower: p.params.curtailable ? 0 : a, upper: a, cost: (price + credit) * p.interval_hours });
  });
  return m.build();
}

export function interpretRenewableResult(p: RenewableProblem, r: SolveResult): RenewableOptimization {
  if (r.status !== 'optimal') return { status: r.status, message: r.message, solve_time_ms: r.time_ms };
  const dt = p.interval_hours;
  let revenue = 0;
  let generated = 0;
  let curtailed = 0;
  const intervals = p.prices_usd_per_mwh.map((price, t) => {
    const a = available(p, t);
    const y = Math.min(a, Math.max(0, r.column_values[t]!));
    revenue += price * y * dt;
    generated += y * dt;
    curtailed += (a - y) * dt;
    return { index: t, price_usd_per_mwh: price, available_mw: a, output_mw: y, curtailed_mw: a - y };
  });
  return {
    status: 'optimal',
    intervals,
    objective_usd: r.objective,
    revenue_usd: revenue,
    credits_usd: generated * p.params.curtailment_loss_usd_per_mwh,
    curtailed_mwh: curtailed,
    generated_mwh: generated,
    solve_time_ms: r.time_ms,
  };
}

export async function optimizeRenewable(solve: SolveFn, p: RenewableProblem, options: SolveOptions = {}): Promise<RenewableOptimization> {
  return interpretRenewableResult(p, await solve(buildRenewableModel(p), options));
}

export interface DemandResponseProblem {
  params: DemandResponseParams;
  prices_usd_per_mwh: readonly number[];
  interval_hours: number;
  /** Intervals per day block for max_hours_per_day (default round(24/Δt), blocks from the horizon start). */
  intervals_per_day?: number;
}

export interface DemandResponseIntervalResult {
  index: number;
  price_usd_per_mwh: number;
  reduction_mw: number;
}

export type DemandResponseOptimization =
  | {
      status: 'optimal';
      intervals: DemandResponseIntervalResult[];
      /** Σ (price − strike)·reduction·Δt. */
      objective_usd: number;
      /** Σ price·reduction·Δt (paid for the reduction). */
      revenue_usd: number;
      reduced_mwh: number;
      event_hours: number;
      solve_time_ms: number;
    }
  | { status: 'infeasible' | 'unbounded' | 'time_limit' | 'error'; message: string; solve_time_ms: number };

/** Columns: r_t = t, z_t = T + t. */
export function buildDemandResponseModel(p: DemandResponseProblem): LinearModel {
  if (p.prices_usd_per_mwh.some((x) => !Number.isFinite(x))) throw new Error('demand response: every price must be a finite number');
  const T = p.prices_usd_per_mwh.length;
  const dt = p.interval_hours;
  const R = p.params.max_reduction_mw;
  const m = new ModelBuilder('maximize');
  p.prices_usd_per_mwh.forEach((price, t) => m.addVar(`r_${t}`, { upper: R, cost: (price - p.params.strike_usd_per_mwh) * dt }));
  for (let t = 0; t < T; t++) {
    const z = m.addBinary(`z_${t}`);
    m.le(`event_${t}`, [[t, 1], [z, -R]], 0);
  }
  const perDay = p.intervals_per_day ?? Math.round(24 / dt);
  for (let start = 0, k = 0; start < T; start += perDay, k++) {
    const terms: [number, number][] = [];
    for (let t = start; t < Math.min(T, start + perDay); t++) terms.push([T + t, dt]);
    m.le(`hours_${k}`, terms, p.params.max_hours_per_day);
  }
  return m.build();
}

export function interpretDemandResponseResult(p: DemandResponseProblem, r: SolveResult): DemandResponseOptimization {
  if (r.status !== 'optimal') return { status: r.status, message: r.message, solve_time_ms: r.time_ms };
  const dt = p.interval_hours;
  let revenue = 0;
  let reduced = 0;
  let hours = 0;
  const intervals = p.prices_usd_per_mwh.map((price, t) => {
    const red = Math.abs(r.column_values[t]!) < 1e-9 ? 0 : r.column_values[t]!;
    revenue += price * red * dt;
    reduced += red * dt;
    if (red > 0) hours += dt;
    return { index: t, price_usd_per_mwh: price, reduction_mw: red };
  });
  return { status: 'optimal', intervals, objective_usd: r.objective, revenue_usd: revenue, reduced_mwh: reduced, event_hours: hours, solve_time_ms: r.time_ms };
}

export async function optimizeDemandResponse(solve: SolveFn, p: DemandResponseProblem, options: SolveOptions = {}): Promise<DemandResponseOptimization> {
  return interpretDemandResponseResult(p, await solve(buildDemandResponseModel(p), options));
}
