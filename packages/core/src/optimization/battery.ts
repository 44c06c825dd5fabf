/**
 * Battery arbitrage as an LP (or MILP when prices go negative).
 *
 * Per interval t (length Δt h), with charge c_t ∈ [0, P_c], discharge
 * d_t ∈ [0, P_d] (MW at the grid side) and stored energy s_t ∈ [S_min, S_max]
 * at the end of t:
 *   s_t = s_{t−1} + η_c·c_t·Δt − d_t·Δt/η_d,           s_{−1} = S_0
 *   s_{T−1} ≥ S_terminal                                  (optional target)
 *   Σ_{t∈block} d_t·Δt ≤ cap_block                        (cycle / throughput caps)
 *   maximise Σ_t p_t·(d_t − c_t)·Δt − k_deg·d_t·Δt
 *
 * Why the LP is safe when every price is ≥ 0: if c_t > 0 and d_t > 0, lower
 * c_t by ε and d_t by ε·η_c·η_d. The stored energy path is unchanged
 * (−η_c·ε + η_c·η_d·ε/η_d = 0), every cap is relaxed, and the objective
 * changes by p_t·ε·Δt·(1 − η_c·η_d) + k_deg·ε·η_c·η_d·Δt ≥ 0. So an optimum
 * without simultaneous charge and discharge always exists; only ties
 * (p_t = 0 with lossless, wear-free storage) could leave both positive. We
 * check the LP solution and re-solve as a MILP if it ever does. With a
 * negative price the argument fails (burning energy in losses pays), so a
 * binary u_t with c_t ≤ P_c·u_t, d_t ≤ P_d·(1 − u_t) forbids it. The argument
 * is per interval, so binaries are needed only where p_t ≤ 0 (by default);
 * that keeps a day with one negative hour a MILP with one binary.
 *
 * `relax_modes` instead adds c_t/P_c + d_t/P_d ≤ 1, the LP relaxation of that
 * MILP (u_t ∈ [0,1]): the battery may charge for part of an interval and
 * discharge for the rest, which is physically possible at a finer time step.
 * Its optimum is an upper bound on the MILP's; the year-long perfect-foresight
 * bound uses it because a year-long MILP takes seconds.
 */
import type { BatteryParams } from './asset-params.js';
import { ModelBuilder, type LinearModel } from './model.js';
import type { SolveFn, SolveOptions, SolveResult } from './highs-solve.js';

/** Σ_{t∈[start,end)} d_t·Δt ≤ max_mwh (interval indices within the horizon). */
export interface DischargeCap {
  start: number;
  end: number;
  max_mwh: number;
}

export interface BatteryProblem {
  params: BatteryParams;
  /** Price per interval (forecast or actual). */
  prices_usd_per_mwh: readonly number[];
  /** Δt in hours (1, 0.25, 1/12 …). */
  interval_hours: number;
  /** Overrides params.soc_initial_mwh (state carried from the previous day). */
  soc_initial_mwh?: number;
  /** Stored energy at the end of the horizon must be at least this. */
  soc_terminal_min_mwh?: number;
  /** Intervals per day for `max_cycles_per_day` blocks (default round(24/Δt)). */
  intervals_per_day?: number;
  /** Explicit throughput caps; replace the ones derived from `max_cycles_per_day`. */
  discharge_caps?: DischargeCap[];
}

export interface BatteryIntervalResult {
  index: number;
  price_usd_per_mwh: number;
  charge_mw: number;
  discharge_mw: number;
  /** discharge − charge (supply positive). */
  net_mw: number;
  /** Stored energy at the end of the interval. */
  soc_mwh: number;
  /** Marginal value of one more MWh stored at the end of the interval (LP only; from the SoC row dual). */
  stored_energy_value_usd_per_mwh?: number;
  /** Shadow price of the throughput caps covering this interval, per MWh discharged (LP only; 0 when slack). */
  discharge_cap_value_usd_per_mwh?: number;
}

export type BatteryOptimization =
  | {
      status: 'optimal';
      formulation: 'lp' | 'milp';
      intervals: BatteryIntervalResult[];
      objective_usd: number;
      revenue_usd: number;
      cost_usd: number;
      degradation_usd: number;
      discharged_mwh: number;
      charged_mwh: number;
      soc_final_mwh: number;
      solve_time_ms: number;
    }
  | { status: 'infeasible' | 'unbounded' | 'time_limit' | 'error'; message: string; solve_time_ms: number };

export function batteryIntervalsPerDay(intervalHours: number): number {
  return Math.round(24 / intervalHours);
}

/**
 * Caps from `max_cycles_per_day`: consecutive blocks of one day from the start
 * of the horizon, each capped at cycles × energy_mwh; a partial last block gets
 * a pro-rated cap (cycles × energy × block length / day length).
 */
export function batteryCycleCaps(params: BatteryParams, numIntervals: number, intervalsPerDay: number): DischargeCap[] {
  const cycles = params.max_cycles_per_day;
  if (cycles === null || cycles === undefined) return [];
  const caps: DischargeCap[] = [];
  for (let start = 0; start < numIntervals; start += intervalsPerDay) {
    const end = Math.min(numIntervals, start + intervalsPerDay);
    caps.push({ start, end, max_mwh: (cycles * params.energy_mwh * (end - start)) / intervalsPerDay });
  }
  return caps;
}

function checkProblem(p: BatteryProblem): void {
  const b = p.params;
  const bad = (m: string) => {
    throw new Error(`battery: ${m}`);
  };
  if (!(p.interval_hours > 0)) bad('interval_hours must be > 0');
  if (!(b.charge_power_mw >= 0) || !(b.discharge_power_mw >= 0)) bad('power limits must be ≥ 0');
  if (!(b.charge_efficiency > 0 && b.charge_efficiency <= 1)) bad('charge_efficiency must be in (0, 1]');
  if (!(b.discharge_efficiency > 0 && b.discharge_efficiency <= 1)) bad('discharge_efficiency must be in (0, 1]');
  if (!(b.soc_min_mwh <= b.soc_max_mwh)) bad('soc_min_mwh must be ≤ soc_max_mwh');
  if (!Number.isFinite(b.degradation_cost_usd_per_mwh)) bad('degradation_cost_usd_per_mwh must be finite');
  if (p.prices_usd_per_mwh.some((x) => !Number.isFinite(x))) bad('every price must be a finite number');
}

export interface BatteryModelOptions {
  /** Add the binary charge/discharge mode (MILP). */
  binary?: boolean;
  /** Add the relaxed mode row c/P_c + d/P_d ≤ 1 instead (LP). */
  relax_modes?: boolean;
  /** Intervals that get the mode variable/row: those with price ≤ 0 (default) or all. */
  mode_intervals?: 'nonpositive' | 'all';
}

/** Column layout: c_t = t, d_t = T + t, s_t = 2T + t, then mode binaries u_t (MILP only). Rows: soc_t = t first. */
export function buildBatteryModel(p: BatteryProblem, opts: BatteryModelOptions = {}): LinearModel {
  checkProblem(p);
  const b = p.params;
  const T = p.prices_usd_per_mwh.length;
  const dt = p.interval_hours;
  const m = new ModelBuilder('maximize');
  const soc0 = p.soc_initial_mwh ?? b.soc_initial_mwh;
  const sMax = Math.min(b.soc_max_mwh, b.energy_mwh);
  for (let t = 0; t < T; t++) m.addVar(`c_${t}`, { upper: b.charge_power_mw, cost: -p.prices_usd_per_mwh[t]! * dt });
  for (let t = 0; t < T; t++) {
    m.addVar(`d_${t}`, { upper: b.discharge_power_mw, cost: (p.prices_usd_per_mwh[t]! - b.degradation_cost_usd_per_mwh) * dt });
  }
  for (let t = 0; t < T; t++) m.addVar(`s_${t}`, { lower: b.soc_min_mwh, upper: sMax });
  for (let t = 0; t < T; t++) {
    const terms: [number, number][] = [[2 * T + t, 1], [t, -b.charge_efficiency * dt], [T + t, dt / b.discharge_efficiency]];
    if (t > 0) terms.push([2 * T + t - 1, -1]);
    m.eq(`soc_${t}`, terms, t === 0 ? soc0 : 0);
  }
  if (p.soc_terminal_min_mwh !== undefined && T > 0) m.ge('soc_terminal', [[3 * T - 1, 1]], p.soc_terminal_min_mwh);
  const caps = p.discharge_caps ?? batteryCycleCaps(b, T, p.intervals_per_day ?? batteryIntervalsPerDay(dt));
  caps.forEach((cap, k) => {
    const terms: [number, number][] = [];
    for (let t = Math.max(0, cap.start); t < Math.min(T, cap.end); t++) terms.push([T + t, dt]);
    if (terms.length) m.le(`cap_${k}`, terms, cap.max_mwh);
  });
  const moded = (t: number) => opts.mode_intervals === 'all' || p.prices_usd_per_mwh[t]! <= 0;
  if (opts.relax_modes && !opts.binary && b.charge_power_mw > 0 && b.discharge_power_mw > 0) {
    for (let t = 0; t < T; t++) if (moded(t)) m.le(`mode_${t}`, [[t, 1 / b.charge_power_mw], [T + t, 1 / b.discharge_power_mw]], 1);
  }
  if (opts.binary) {
    for (let t = 0; t < T; t++) {
      if (!moded(t)) continue;
      const u = m.addBinary(`u_${t}`);
      m.le(`cmode_${t}`, [[t, 1], [u, -b.charge_power_mw]], 0);
      m.le(`dmode_${t}`, [[T + t, 1], [u, b.discharge_power_mw]], b.discharge_power_mw);
    }
  }
  return m.build();
}

const snap = (x: number) => (Math.abs(x) < 1e-9 ? 0 : x);

/** Turns a solver result for `buildBatteryModel(p)` into a schedule with money figures. */
export function interpretBatteryResult(p: BatteryProblem, r: SolveResult, formulation: 'lp' | 'milp'): BatteryOptimization {
  if (r.status !== 'optimal') return { status: r.status, message: r.message, solve_time_ms: r.time_ms };
  const T = p.prices_usd_per_mwh.length;
  const dt = p.interval_hours;
  const x = r.column_values;
  // Σ of the duals of the cap rows that contain t (rows are named cap_k by buildBatteryModel).
  const capValue = new Float64Array(T);
  if (r.duals) {
    const caps = p.discharge_caps ?? batteryCycleCaps(p.params, T, p.intervals_per_day ?? batteryIntervalsPerDay(dt));
    caps.forEach((cap, k) => {
      const y = r.duals![`cap_${k}`];
      if (y === undefined) return;
      for (let t = Math.max(0, cap.start); t < Math.min(T, cap.end); t++) capValue[t] = capValue[t]! + y;
    });
  }
  const intervals: BatteryIntervalResult[] = [];
  let revenue = 0;
  let cost = 0;
  let discharged = 0;
  let charged = 0;
  for (let t = 0; t < T; t++) {
    const price = p.prices_usd_per_mwh[t]!;
    const c = snap(x[t]!);
    const d = snap(x[T + t]!);
    const row: BatteryIntervalResult = { index: t, price_usd_per_mwh: price, charge_mw: c, discharge_mw: d, net_mw: d - c, soc_mwh: snap(x[2 * T + t]!) };
    if (r.row_duals) {
      row.stored_energy_value_usd_per_mwh = r.row_duals[t]!;
      row.discharge_cap_value_usd_per_mwh = capValue[t]!;
    }
    intervals.push(row);
    revenue += d * price * dt;
    cost += c * price * dt;
    discharged += d * dt;
    charged += c * dt;
  }
  const degradation = discharged * p.params.degradation_cost_usd_per_mwh;
  return {
    status: 'optimal',
    formulation,
    intervals,
    objective_usd: r.objective,
    revenue_usd: revenue,
    cost_usd: cost,
    degradation_usd: degradation,
    discharged_mwh: discharged,
    charged_mwh: charged,
    soc_final_mwh: T ? intervals[T - 1]!.soc_mwh : (p.soc_initial_mwh ?? p.params.soc_initial_mwh),
    solve_time_ms: r.time_ms,
  };
}

export interface OptimizeBatteryOptions extends SolveOptions {
  /** Always use the binary formulation. */
  force_milp?: boolean;
  /** At negative prices, solve the LP relaxation with c/P_c + d/P_d ≤ 1 instead of the MILP. */
  relax_modes?: boolean;
}

/** LP when all prices are ≥ 0 (see the proof above), MILP otherwise or if the LP charges and discharges at once. */
export async function optimizeBattery(solve: SolveFn, p: BatteryProblem, options: OptimizeBatteryOptions = {}): Promise<BatteryOptimization> {
  const { force_milp, relax_modes, ...solveOptions } = options;
  const negative = p.prices_usd_per_mwh.some((x) => x < 0);
  if (!force_milp && negative && relax_modes) {
    return interpretBatteryResult(p, await solve(buildBatteryModel(p, { relax_modes: true }), solveOptions), 'lp');
  }
  let lpSimultaneousAtPositivePrice = false;
  if (!force_milp && !negative) {
    const lp = interpretBatteryResult(p, await solve(buildBatteryModel(p), solveOptions), 'lp');
    if (lp.status !== 'optimal') return lp;
    const both = lp.intervals.filter((i) => Math.min(i.charge_mw, i.discharge_mw) > 1e-7);
    if (!both.length) return lp;
    lpSimultaneousAtPositivePrice = both.some((i) => i.price_usd_per_mwh > 0);
  }
  // Simultaneity at a positive price can only be numerical noise (see the proof); then guard every interval.
  const milp = buildBatteryModel(p, { binary: true, mode_intervals: force_milp || lpSimultaneousAtPositivePrice ? 'all' : 'nonpositive' });
  const r = await solve(milp, { ...solveOptions, duals: false });
  if (r.status !== 'optimal' || !solveOptions.duals) return interpretBatteryResult(p, r, 'milp');
  // A MILP has no duals: fix the charge/discharge modes found and re-solve the LP for the stored-energy values.
  const fixed: LinearModel = { ...milp, col_lower: milp.col_lower.slice(), col_upper: milp.col_upper.slice(), col_integer: new Uint8Array(milp.col_integer.length) };
  milp.col_integer.forEach((isInt, j) => {
    if (!isInt) return;
    const u = Math.round(r.column_values[j]!);
    fixed.col_lower[j] = u;
    fixed.col_upper[j] = u;
  });
  const lp = await solve(fixed, solveOptions);
  const out = interpretBatteryResult(p, lp.status === 'optimal' ? { ...lp, time_ms: lp.time_ms + r.time_ms } : r, 'milp');
  return out;
}
