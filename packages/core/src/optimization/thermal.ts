/**
 * Thermal unit commitment (single unit, price-taker) as a MILP.
 *
 * Per interval t (Δt h): on u_t ∈ {0,1}, start v_t ∈ {0,1}, shut-down
 * w_t ∈ {0,1}, output p_t, block outputs g_{t,k} ∈ [0, mw_k]:
 *   p_t = Σ_k g_{t,k};  Pmin·u_t ≤ p_t ≤ Pmax·u_t
 *   u_t − u_{t−1} = v_t − w_t,  v_t + w_t ≤ 1
 *   min up:   Σ_{τ=t−UT+1..t} v_τ ≤ u_t;   min down: Σ_{τ=t−DT+1..t} w_τ ≤ 1 − u_t
 *   ramp:     p_t − p_{t−1} ≤ RU·u_{t−1} + SU·v_t,  p_{t−1} − p_t ≤ RD·u_t + SD·w_t
 *             with RU = RD = ramp·Δt and SU = SD = max(Pmin, ramp·Δt)
 *             (Carrión & Arroyo, IEEE Trans. Power Syst. 21(3), 2006, eqs. 18–20, simplified)
 *   maximise Σ_t (price_t·p_t − Σ_k cost_k·g_{t,k})·Δt − startup_cost·v_t
 * The blocks stack from 0 MW, so ascending block prices make the cost convex
 * and the LP fills the cheapest block first.
 */
import type { ThermalParams } from './asset-params.js';
import { ModelBuilder, type LinearModel } from './model.js';
import type { SolveFn, SolveOptions, SolveResult } from './highs-solve.js';

export interface ThermalProblem {
  params: ThermalParams;
  prices_usd_per_mwh: readonly number[];
  interval_hours: number;
}

export interface ThermalIntervalResult {
  index: number;
  price_usd_per_mwh: number;
  on: boolean;
  started: boolean;
  output_mw: number;
}

export type ThermalOptimization =
  | {
      status: 'optimal';
      intervals: ThermalIntervalResult[];
      objective_usd: number;
      revenue_usd: number;
      energy_cost_usd: number;
      startup_cost_usd: number;
      starts: number;
      generated_mwh: number;
      solve_time_ms: number;
    }
  | { status: 'infeasible' | 'unbounded' | 'time_limit' | 'error'; message: string; solve_time_ms: number };

function checkThermal(p: ThermalProblem): void {
  const t = p.params;
  const bad = (m: string) => {
    throw new Error(`thermal: ${m}`);
  };
  if (!(p.interval_hours > 0)) bad('interval_hours must be > 0');
  if (!(t.pmin_mw >= 0 && t.pmin_mw <= t.pmax_mw)) bad('need 0 ≤ pmin_mw ≤ pmax_mw');
  if (t.cost_segments.length === 0) bad('cost_segments must not be empty');
  for (let k = 1; k < t.cost_segments.length; k++) {
    if (t.cost_segments[k]!.price_usd_per_mwh < t.cost_segments[k - 1]!.price_usd_per_mwh) bad('cost_segments must be ascending in price');
  }
  const total = t.cost_segments.reduce((s, c) => s + c.mw, 0);
  if (total + 1e-9 < t.pmax_mw) bad(`cost_segments cover ${total} MW, less than pmax_mw ${t.pmax_mw}`);
  if (p.prices_usd_per_mwh.some((x) => !Number.isFinite(x))) bad('every price must be a finite number');
}

/** Column layout per interval t: u, v, w, p, then K block columns (stride 4 + K). */
export function buildThermalModel(p: ThermalProblem): LinearModel {
  checkThermal(p);
  const prm = p.params;
  const T = p.prices_usd_per_mwh.length;
  const dt = p.interval_hours;
  const init = prm.initial_state ?? { on: false, hours_in_state: 1e9, output_mw: 0 };
  const m = new ModelBuilder('maximize');
  const U: number[] = [];
  const V: number[] = [];
  const W: number[] = [];
  const P: number[] = [];
  for (let t = 0; t < T; t++) {
    U.push(m.addBinary(`u_${t}`));
    V.push(m.addBinary(`v_${t}`, -prm.startup_cost_usd));
    W.push(m.addBinary(`w_${t}`));
    P.push(m.addVar(`p_${t}`, { upper: prm.pmax_mw, cost: p.prices_usd_per_mwh[t]! * dt }));
    const blocks: [number, number][] = [[P[t]!, 1]];
    prm.cost_segments.forEach((seg, k) => {
      blocks.push([m.addVar(`g_${t}_${k}`, { upper: seg.mw, cost: -seg.price_usd_per_mwh * dt }), -1]);
    });
    m.eq(`out_${t}`, blocks, 0);
    m.ge(`pmin_${t}`, [[P[t]!, 1], [U[t]!, -prm.pmin_mw]], 0);
    m.le(`pmax_${t}`, [[P[t]!, 1], [U[t]!, -prm.pmax_mw]], 0);
    if (t === 0) m.eq(`state_${t}`, [[U[t]!, 1], [V[t]!, -1], [W[t]!, 1]], init.on ? 1 : 0);
    else m.eq(`state_${t}`, [[U[t]!, 1], [U[t - 1]!, -1], [V[t]!, -1], [W[t]!, 1]], 0);
    // Without this a running unit could "restart" (v = w = 1) to borrow start-up ramp room.
    m.le(`startstop_${t}`, [[V[t]!, 1], [W[t]!, 1]], 1);
  }
  const UT = Math.max(1, Math.ceil(prm.min_up_h / dt - 1e-9));
  const DT = Math.max(1, Math.ceil(prm.min_down_h / dt - 1e-9));
  for (let t = 0; t < T; t++) {
    if (UT > 1) {
      const terms: [number, number][] = [[U[t]!, -1]];
      for (let s = Math.max(0, t - UT + 1); s <= t; s++) terms.push([V[s]!, 1]);
      m.le(`minup_${t}`, terms, 0);
    }
    if (DT > 1) {
      const terms: [number, number][] = [[U[t]!, 1]];
      for (let s = Math.max(0, t - DT + 1); s <= t; s++) terms.push([W[s]!, 1]);
      m.le(`mindown_${t}`, terms, 1);
    }
  }
  // Min up/down carried over from before the horizon.
  const carry = Math.ceil(((init.on ? prm.min_up_h : prm.min_down_h) - init.hours_in_state) / dt - 1e-9);
  for (let t = 0; t < Math.min(T, carry); t++) m.eq(`carry_${t}`, [[U[t]!, 1]], init.on ? 1 : 0);
  const ramp = prm.ramp_mw_per_h;
  if (ramp !== null && ramp !== undefined) {
    const R = ramp * dt;
    const S = Math.max(prm.pmin_mw, R);
    for (let t = 0; t < T; t++) {
      if (t === 0) {
        m.le(`rampup_${t}`, [[P[t]!, 1], [V[t]!, -S]], init.output_mw + (init.on ? R : 0));
        m.le(`rampdown_${t}`, [[P[t]!, -1], [U[t]!, -R], [W[t]!, -S]], -init.output_mw);
      } else {
        m.le(`rampup_${t}`, [[P[t]!, 1], [P[t - 1]!, -1], [U[t - 1]!, -R], [V[t]!, -S]], 0);
        m.le(`rampdown_${t}`, [[P[t - 1]!, 1], [P[t]!, -1], [U[t]!, -R], [W[t]!, -S]], 0);
      }
    }
  }
  return m.build();
}

export function interpretThermalResult(p: ThermalProblem, r: SolveResult): ThermalOptimization {
  if (r.status !== 'optimal') return { status: r.status, message: r.message, solve_time_ms: r.time_ms };
  const T = p.prices_usd_per_mwh.length;
  const K = p.params.cost_segments.length;
  const stride = 4 + K;
  const x = r.column_values;
  const dt = p.interval_hours;
  const intervals: ThermalIntervalResult[] = [];
  let revenue = 0;
  let energyCost = 0;
  let starts = 0;
  let mwh = 0;
  for (let t = 0; t < T; t++) {
    const base = t * stride;
    const out = Math.abs(x[base + 3]!) < 1e-9 ? 0 : x[base + 3]!;
    const started = x[base + 1]! > 0.5;
    intervals.push({ index: t, price_usd_per_mwh: p.prices_usd_per_mwh[t]!, on: x[base]! > 0.5, started, output_mw: out });
    revenue += out * p.prices_usd_per_mwh[t]! * dt;
    for (let k = 0; k < K; k++) energyCost += x[base + 4 + k]! * p.params.cost_segments[k]!.price_usd_per_mwh * dt;
    if (started) starts++;
    mwh += out * dt;
  }
  return {
    status: 'optimal',
    intervals,
    objective_usd: r.objective,
    revenue_usd: revenue,
    energy_cost_usd: energyCost,
    startup_cost_usd: starts * p.params.startup_cost_usd,
    starts,
    generated_mwh: mwh,
    solve_time_ms: r.time_ms,
  };
}

export async function optimizeThermal(solve: SolveFn, p: ThermalProblem, options: SolveOptions = {}): Promise<ThermalOptimization> {
  return interpretThermalResult(p, await solve(buildThermalModel(p), options));
}
